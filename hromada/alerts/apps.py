# READ FIRST: DEVELOPING.md, "Working in parallel" -- stay in hromada/alerts/, never edit shared
# files or hromada/locale, never run makemessages, commit only your own paths.
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "hromada.alerts"
    label = "alerts"
    verbose_name = _("Alerts")
