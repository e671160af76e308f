from typing import Any

from django.core.management.base import BaseCommand

from hromada.volunteers.services import record_no_shows


class Command(BaseCommand):
    help = (
        "Mark confirmed people who never checked in to a shift that is over as absent. "
        "Safe to run any number of times."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"No-shows recorded: {record_no_shows()}.")
