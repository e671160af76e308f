from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from hromada.core.models import User


class Command(BaseCommand):
    help = (
        "Prepare this machine: catalogs, database, static files, and the demo on an empty database."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo", action="store_true", help="Never load the demo community.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("build_catalogs", verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"] and not User.objects.exists():
            call_command("demo")
        self.stdout.write("Hromada is set up.")
