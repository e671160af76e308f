"""Make the English catalog complete (every msgstr is its msgid), and let the partial
catalogs fall back to English rather than to Ukrainian.

Our msgids are English, so the English catalog translates each message to itself. After
``makemessages`` merges new strings, msgmerge may have guessed a translation from a similar
old string and marked it fuzzy; this drops such guesses and copies the msgid instead.

French, German and Polish are spoken only on the pages for volunteers from abroad. Django
falls back to LANGUAGE_CODE (Ukrainian) for a message a catalog lacks, which would show a
French applicant a Ukrainian menu: so in those catalogs every untranslated (or fuzzy) entry
is given its English text, and the translated ones are kept.
"""

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


def english(block: str, forms: int = 2) -> str:
    """The entry with its English text as the translation (``forms`` plural forms)."""
    lines = [line for line in block.split("\n") if not line.startswith("#|")]
    lines = [
        re.sub(r"^#, fuzzy(, )?", lambda m: "#, " if m.group(1) else "", line) for line in lines
    ]
    lines = [line for line in lines if line != ""]
    head = [line for line in lines if line.startswith("#")]
    context: list[str] = []
    msgid: list[str] = []
    plural: list[str] = []
    current: list[str] | None = None
    for line in lines:
        if line.startswith("msgctxt "):
            current = context
        elif line.startswith("msgid_plural "):
            current = plural
        elif line.startswith("msgid "):
            current = msgid
        elif line.startswith("msgstr"):
            current = None
        if current is not None:
            current.append(line)
    if not msgid:
        return block
    body = context + msgid + plural
    if plural:
        body += [msgid[0].replace("msgid ", "msgstr[0] ", 1), *msgid[1:]]
        for form in range(1, forms):
            body += [plural[0].replace("msgid_plural ", f"msgstr[{form}] ", 1), *plural[1:]]
    else:
        body += [msgid[0].replace("msgid ", "msgstr ", 1), *msgid[1:]]
    return "\n".join(head + body)


PARTIAL = ("fr", "de", "pl")


def untranslated(block: str, forms: int = 2) -> bool:
    """A fuzzy entry, one with an empty msgstr, or a plural one missing some of its forms."""
    if re.search(r"^#, .*fuzzy", block, re.MULTILINE):
        return True
    values: list[str] = []
    for line in block.split("\n"):
        if line.startswith("msgstr"):
            values.append(line.split(" ", 1)[1].strip('"'))
        elif line.startswith('"') and values:
            values[-1] += line.strip('"')
    plural = "msgid_plural " in block
    return not values or any(not v for v in values) or (plural and len(values) < forms)


class Command(BaseCommand):
    help = "Set every msgstr of the English catalog to its msgid; fill the partial catalogs' gaps with English."

    def handle(self, *args: Any, **options: Any) -> None:
        for root in settings.LOCALE_PATHS:
            for language in ("en", *PARTIAL):
                path = Path(root) / language / "LC_MESSAGES" / "django.po"
                if not path.exists():
                    continue
                header, *blocks = path.read_text(encoding="utf-8").rstrip("\n").split("\n\n")
                found = re.search(r"nplurals=(\d+)", header)
                forms = int(found.group(1)) if found else 2
                if language == "en":
                    blocks = [english(b) for b in blocks]
                else:
                    blocks = [english(b, forms) if untranslated(b, forms) else b for b in blocks]
                path.write_text("\n\n".join([header, *blocks]) + "\n", encoding="utf-8")
                self.stdout.write(f"{language} catalog: {len(blocks)} messages.")
