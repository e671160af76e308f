from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hromada.core import demo
from hromada.core.models import User


class Command(BaseCommand):
    help = "Load the demo community (Okhtyrka) into an empty database. Safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.is_loaded():
            self.stdout.write("The demo is already loaded; nothing changed.")
            return
        if User.objects.exists():
            raise CommandError(
                "The database already holds users: the demo only loads into an empty database."
            )
        counts = demo.load()
        self.stdout.write(
            "Demo loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + "."
        )
        self.stdout.write(demo.logins_text())
