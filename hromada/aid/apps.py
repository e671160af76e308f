from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "hromada.aid"
    label = "aid"
    verbose_name = _("Aid")

    def ready(self) -> None:
        from hromada.aid import signals

        signals.connect()
