"""`hromada restore PATH`: put back the database and the uploaded files from a backup."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from hromada.core import backup
from hromada.core.services import record_event


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with those of a backup archive. Checks "
        "every checksum first; refuses another database vendor or unknown migrations. Stop the "
        "web processes and the worker before: what they write meanwhile is lost."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path, help="The archive written by `hromada backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with backup.open_archive(options["path"]) as archive:
                pending = backup.check_restorable(archive)
                manifest = archive.manifest
                rows = sum(manifest["tables"].values())
                files = sum(1 for name in manifest["files"] if name.startswith("files/"))
                self.stdout.write(
                    f"{archive.path}: taken {manifest['created_at']} by Hromada "
                    f"{manifest['hromada_version']}, {manifest['database']['vendor']}, "
                    f"{len(manifest['tables'])} tables, {rows} rows, {files} files; "
                    "every checksum matches."
                )
                if not options["yes"]:
                    self.confirm()
                restored = backup.restore_backup(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        for table, (expected, found) in sorted(restored.mismatches.items()):
            self.stderr.write(f"{table}: {found} rows, the manifest says {expected}.")
        # Counted first: this event is the one row the archive did not have.
        try:
            record_event(
                "backup.restored",
                file=options["path"].name,
                created_at=manifest["created_at"],
                rows=restored.rows,
                mismatches=len(restored.mismatches),
            )
        except DatabaseError:  # an older archive's audit table, before `migrate`
            self.stderr.write("The restore could not be written to the audit log.")
        if restored.mismatches:
            raise CommandError(
                f"Restored, but {len(restored.mismatches)} tables differ from the manifest."
            )
        self.stdout.write(
            f"Restored {len(restored.counts)} tables, {restored.rows} rows and {files} files; "
            "every row count matches the manifest."
        )
        if pending:
            self.stdout.write(
                f"The archive predates {len(pending)} migrations of this version: "
                "run `hromada migrate` now."
            )

    def confirm(self) -> None:
        if not sys.stdin.isatty():
            raise CommandError("Not confirmed: pass --yes to restore without a terminal.")
        answer = input(
            "This replaces the database and the uploaded files of this Hromada. Type yes: "
        )
        if answer.strip().lower() != "yes":
            raise CommandError("Not confirmed; nothing was changed.")
