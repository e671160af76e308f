from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hromada.core"
    label = "core"
    verbose_name = _("Community")

    def ready(self) -> None:
        from hromada.core import signals  # noqa: F401
        from hromada.lib import sqlite

        sqlite.install()
