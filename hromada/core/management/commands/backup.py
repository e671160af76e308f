"""`hromada backup`: the database and the private uploads in one archive under var/backups/."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hromada.core import backup
from hromada.core.services import record_event


class Command(BaseCommand):
    help = (
        "Write one archive with the database (SQLite online backup or pg_dump), the uploaded "
        "files and a manifest of checksums and row counts. Mode 0600: it holds personal data."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="A folder, or a file name ending in .tar.gz (default: var/backups/).",
        )
        parser.add_argument(
            "--prune",
            type=int,
            metavar="N",
            help="Afterwards keep only the newest N archives in the archive's folder.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["prune"] is not None and options["prune"] < 1:
            raise CommandError("--prune keeps at least one archive.")
        try:
            made = backup.create_backup(options["output"])
            pruned = (
                backup.prune_backups(made.path.parent, options["prune"])
                if options["prune"] is not None
                else []
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        # After the snapshot, so the archive never holds its own event.
        record_event(
            "backup.created",
            file=made.path.name,
            tables=len(made.manifest["tables"]),
            rows=made.rows,
            files=made.files,
        )
        for name in made.manifest["not_included"]:
            self.stderr.write(f"Not included: the files of storage {name!r} are not on this disk.")
        size = made.path.stat().st_size / 1024 / 1024
        self.stdout.write(
            f"Backup written: {made.path} ({made.manifest['database']['vendor']}, "
            f"{len(made.manifest['tables'])} tables, {made.rows} rows, {made.files} files, "
            f"{size:.1f} MB); {len(pruned)} older archives removed."
        )
