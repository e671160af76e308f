from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hromada.core import privacy
from hromada.core.management.commands._person import actor_from, add_person_arguments, person_from


class Command(BaseCommand):
    help = (
        "Export everything held on one person across the apps (with old versions of each row) "
        "as JSON, and their uploaded files as a zip. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_person_arguments(parser)
        parser.add_argument(
            "--output", default="", help="Where to write the JSON (default: standard output)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        person = person_from(options)
        try:
            content, archive = privacy.export_person(
                person, actor=actor_from(options), reason=options["reason"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if not options["output"]:
            self.stdout.write(content.decode())
            if archive is not None:
                self.stderr.write("Files not written: give --output to get the zip beside it.")
            return
        target = Path(options["output"])
        target.write_bytes(content)
        summary = f"Exported to {target}"
        if archive is not None:
            zipped = target.with_suffix(".zip")
            zipped.write_bytes(archive)
            summary += f" and {zipped}"
        self.stdout.write(summary + ".")
