from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hromada.core import privacy


class Command(BaseCommand):
    help = (
        "Erase or anonymise personal records past their retention period (see "
        "hromada.core.privacy), with their history rows. Safe to run any number of times; "
        "the worker runs it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = privacy.run_retention(dry_run=options["dry_run"])
        for key, count in counts.items():
            if count.rows or count.history or count.held:
                self.stdout.write(
                    f"{key}: {count.rows} records, {count.history} history rows, {count.held} held"
                )
        total = sum(c.rows for c in counts.values())
        verb = "would be erased" if options["dry_run"] else "erased or anonymised"
        self.stdout.write(f"Retention: {total} records {verb}.")
