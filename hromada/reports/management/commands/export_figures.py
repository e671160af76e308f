"""Write every area's reconciled figures at one time as one HXL-tagged CSV table."""

from __future__ import annotations

import contextlib
import csv
import datetime
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hromada.lib.exports import _cell
from hromada.reports import exports, selectors


class Command(BaseCommand):
    help = (
        "Write every area's figures (headline, documented floor, highest claim, independent "
        "sources per metric) as of a time, as HXL-tagged CSV. Safe to run any number of times."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cutoff", help="As of this time (ISO 8601; default: now).")
        parser.add_argument("--output", help="A file to write (default: standard output).")
        parser.add_argument("--stale-after-days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now()
        if options["cutoff"]:
            parsed = parse_datetime(options["cutoff"])
            if parsed is None:
                raise CommandError("--cutoff: give a time such as 2022-02-28T20:00:00+02:00")
            cutoff = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        every = selectors.figures_for_every_area(
            cutoff, stale_after=datetime.timedelta(days=options["stale_after_days"])
        )
        columns = [*exports.AREA_COLUMNS, *exports.figure_columns()]
        with contextlib.ExitStack() as stack:
            out = (
                stack.enter_context(Path(options["output"]).open("w", newline="", encoding="utf-8"))
                if options["output"]
                else sys.stdout
            )
            writer = csv.writer(out)
            writer.writerow([name for name, _tag in columns])
            writer.writerow([tag for _name, tag in columns])
            for row in exports.area_rows(cutoff, every):
                writer.writerow([_cell(v) for v in row])
        summary = f"{len(every)} areas' figures as of {cutoff.isoformat()}"
        self.stderr.write(f"Wrote {summary} to {options['output'] or 'standard output'}.")
