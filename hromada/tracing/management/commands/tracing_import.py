"""hromada tracing_import FILE: load person records from CSV or PFIF 1.4 XML.

Every row is checked first; when any is wrong, nothing is written and the bad rows are
listed with their line numbers. PFIF persons already imported (same person_record_id) are
skipped, so running it twice is safe for PFIF. Columns: see hromada/tracing/exchange.py.
"""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hromada.tracing import exchange
from hromada.tracing.models import Source


class Command(BaseCommand):
    help = "Import person records from a CSV file or a PFIF 1.4 XML file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--source",
            choices=exchange.IMPORT_SOURCES,
            default=Source.FIELD,
            help="Where the rows come from when the file does not say (CSV).",
        )
        parser.add_argument(
            "--format", choices=["csv", "pfif"], help="Default: from the file's extension."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        fmt = options["format"] or ("pfif" if path.suffix.lower() == ".xml" else "csv")
        started = time.monotonic()
        try:
            result = exchange.import_file(
                path, fmt=fmt, source=options["source"], filename=path.name
            )
        except exchange.ImportRefused as refused:
            for problem in refused.problems[: exchange.MAX_ERRORS]:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Nothing imported: {len(refused.problems)} problem(s) in {path.name}."
            ) from None
        self.stdout.write(
            f"Imported {result.created} records from {path.name}"
            + (f" ({result.skipped} already here)" if result.skipped else "")
            + f" in {time.monotonic() - started:.1f}s."
        )
