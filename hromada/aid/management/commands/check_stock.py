from typing import Any

from django.core.management.base import BaseCommand

from hromada.aid.services import stock


class Command(BaseCommand):
    help = (
        "Re-derive the stock levels from the moves and compare with the cache (--repair sets it)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="Set the cached levels from the moves."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        drifts = stock.check_levels(repair=options["repair"])
        for d in drifts:
            self.stdout.write(
                f"place {d.place_id} item {d.item_id} lot {d.lot!r}: cached {d.cached}, moves say {d.derived}"
            )
        verb = "repaired" if options["repair"] else "found"
        self.stdout.write(f"Stock levels that differ from the moves: {len(drifts)} {verb}.")
