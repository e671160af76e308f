"""Compile the translation catalogs (.po -> .mo) without GNU gettext, using Babel."""

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every .po catalog under LOCALE_PATHS into .mo, skipping fuzzy entries."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                with po_path.open("rb") as f:
                    catalog = read_po(f, locale=po_path.parent.parent.name)
                with mo_path.open("wb") as f:
                    write_mo(f, catalog, use_fuzzy=False)
                compiled += 1
        self.stdout.write(f"Catalogs compiled: {compiled} (up-to-date ones skipped).")
