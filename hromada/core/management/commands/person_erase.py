from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hromada.core import privacy
from hromada.core.management.commands._person import actor_from, add_person_arguments, person_from


class Command(BaseCommand):
    help = (
        "Erase or anonymise everything held on one person that no legal hold keeps, and list "
        "what was kept and why. Without --yes it only shows what it would do. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_person_arguments(parser)
        parser.add_argument("--yes", action="store_true", help="Do it (otherwise: only show).")

    def handle(self, *args: Any, **options: Any) -> None:
        person = person_from(options)
        if not options["yes"]:
            result = privacy.plan_erasure(person)
            heading = "Would erase"
        else:
            try:
                result = privacy.erase_person(
                    person, actor=actor_from(options), reason=options["reason"]
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            heading = "Erased"
        for key, rows in result.erased.items():
            self.stdout.write(f"{heading}: {key}: {rows}")
        for key, rows, reason in result.kept:
            self.stdout.write(f"Kept: {key}: {rows} ({reason})")
        if person.name:
            self.stdout.write(
                "Matched by name too: namesakes are other people. Check the rows with "
                "person_export before erasing."
            )
        total = sum(result.erased.values())
        kept = sum(rows for _key, rows, _reason in result.kept)
        suffix = "" if options["yes"] else " Run again with --yes to erase."
        self.stdout.write(f"{heading} {total} records; kept {kept}.{suffix}")
