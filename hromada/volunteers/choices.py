"""Country and language names in the reader's language, from Babel (CLDR): the form for
volunteers abroad speaks five languages and its lists must too."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language

from hromada.lib.text import collation_key
from hromada.volunteers.models import LANGUAGE_CODES

# CLDR "territories" that are not countries.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse((language or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _sort_key(text: str, language: str) -> tuple[object, ...]:
    if language.startswith("uk"):
        return collation_key(text)
    # Latin alphabets: "Égypte" between "Danemark" and "Espagne", as a reader expects.
    plain = unicodedata.normalize("NFKD", text.casefold())
    return tuple("".join(ch for ch in plain if not unicodedata.combining(ch)))


@lru_cache(maxsize=16)
def _countries(language: str) -> tuple[tuple[str, str], ...]:
    names = _locale(language).territories
    pairs = [
        (code, str(name))
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1], language)))


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    return list(_countries(language or get_language() or "en"))


def country_codes() -> set[str]:
    return {code for code, _name in _countries("en")}


def country_name(code: str, language: str | None = None) -> str:
    return dict(_countries(language or get_language() or "en")).get(code, code)


@lru_cache(maxsize=16)
def _languages(language: str) -> tuple[tuple[str, str], ...]:
    names = _locale(language).languages
    return tuple((code, str(names.get(code, code))) for code in LANGUAGE_CODES)


def language_choices(language: str | None = None) -> list[tuple[str, str]]:
    """The languages offered on forms, named in the reader's language ("ukrainien")."""
    return list(_languages(language or get_language() or "en"))


def language_name(code: str, language: str | None = None) -> str:
    return dict(_languages(language or get_language() or "en")).get(code, code)


def day_abbreviations(language: str | None = None) -> list[str]:
    """Monday to Sunday, abbreviated in the reader's language ("пн", "Mon")."""
    names = _locale(language or get_language() or "en").days["format"]["abbreviated"]
    return [str(names[i]) for i in range(7)]
