from typing import Any

from django.core.management.base import BaseCommand

from hromada.aid.services import expire_needs


class Command(BaseCommand):
    help = "Mark open needs whose date has passed as expired. Safe to run any number of times."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Needs expired: {expire_needs()}.")
