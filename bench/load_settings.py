"""Hromada's own settings, with the bench URL conf (``bench/load_site.py``) as the root.

Only ``bench/load.py`` serves with these (``DJANGO_SETTINGS_MODULE=bench.load_settings``).
"""

from hromada.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load_site"
