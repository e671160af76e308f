"""Every string a user reads exists in Ukrainian and English: the catalogs are complete."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "hromada" / "locale"


def catalog(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as f:
        return read_po(f, locale=language)


@pytest.mark.parametrize("language", ["uk", "en", "fr", "de", "pl"])
def test_every_message_is_translated_and_none_is_fuzzy(language):
    """French, German and Polish hold English where they have no translation yet (so that
    nothing falls back to Ukrainian on a French applicant's page)."""
    messages = [m for m in catalog(language) if m.id]
    assert len(messages) > 100
    missing = [
        m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert missing == [] and fuzzy == []


def test_placeholders_survive_translation():
    for message in catalog("uk"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = {p for i in ids for p in re.findall(r"%\(\w+\)s", i)}
        for string in strings:
            assert set(re.findall(r"%\(\w+\)s", string)) <= wanted, message.id


def test_ukrainian_plurals_have_all_four_forms():
    plural = [m for m in catalog("uk") if m.pluralizable]
    assert plural
    assert all(len(m.string) == 4 and all(m.string) for m in plural)
