"""Transliteration tables: how Ukrainian and Russian names are written in Latin letters.

Each table is what one authority or one language's habit does, so that the demo, the tests
and the benchmark can write a name the way a passport, a French registry or a Polish border
guard would. Matching never depends on knowing which one was used: ``fold`` brings them all
to one spelling and ``phonetic.skeleton`` to one key.

Sources: Ukraine's Cabinet of Ministers Resolution No. 55 of 27 January 2010 (the national
system, also used by BGN/PCGN since 2019); BGN/PCGN 1947 for Russian; ISO 9:1995; Russia's
passport system (ICAO Doc 9303, since 2013); and the customary French, German and Polish
spellings of East Slavic names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

UK_VOWELS = set("аеєиіїоуюяАЕЄИІЇОУЮЯ")
APOSTROPHES = "'’ʼ`ʹʺ\u02bc"

# Ukraine, 2010 (KMU Resolution 55). Є, Ї, Й, Ю, Я have an initial form (first letter of
# a word) and another form elsewhere; "зг" is written "zgh" so that it is not read as "ж".
KMU_2010 = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia",
}  # fmt: skip
KMU_2010_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

# Russia's passports since 2013 (ICAO 9303).
RU_PASSPORT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia",
}  # fmt: skip

# BGN/PCGN 1947 for Russian: "Aleksandr Yevgenyevich".
BGN_PCGN_RU = {
    **RU_PASSPORT,
    "е": "e",
    "ё": "ë",
    "й": "y",
    "ъ": "”",
    "ь": "’",
    "ю": "yu",
    "я": "ya",
}
BGN_YE_AFTER = set("аеёиоуыэюяйъьАЕЁИОУЫЭЮЯЙЪЬ")

# ISO 9:1995, one letter for one letter (Ukrainian and Russian letters together).
ISO_9 = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g̀", "д": "d", "е": "e", "ё": "ë", "є": "ê",
    "ж": "ž", "з": "z", "и": "i", "і": "ì", "ї": "ï", "й": "j", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h",
    "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ", "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ю": "û",
    "я": "â",
}  # fmt: skip

# Customary spellings in other languages' documents and newspapers.
FRENCH = {
    **KMU_2010, "г": "h", "ж": "j", "и": "y", "й": "ï", "у": "ou", "х": "kh", "ч": "tch",
    "ш": "ch", "щ": "chtch", "ю": "iou", "я": "ia", "є": "ie", "ї": "ï",
}  # fmt: skip
GERMAN = {
    **KMU_2010, "в": "w", "г": "h", "ж": "sh", "з": "s", "и": "y", "й": "j", "х": "ch",
    "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ю": "ju", "я": "ja", "є": "je",
    "ї": "ji",
}  # fmt: skip
POLISH = {
    **KMU_2010, "в": "w", "г": "h", "ж": "ż", "и": "y", "й": "j", "л": "ł", "х": "ch",
    "ц": "c", "ч": "cz", "ш": "sz", "щ": "szcz", "ю": "ju", "я": "ja", "є": "je", "ї": "ji",
}  # fmt: skip

SYSTEMS = {
    "kmu2010": KMU_2010,
    "ru_passport": RU_PASSPORT,
    "bgn_pcgn_ru": BGN_PCGN_RU,
    "iso9": ISO_9,
    "french": FRENCH,
    "german": GERMAN,
    "polish": POLISH,
}


def _case(out: str, source: str) -> str:
    if source.isupper() and out:
        return out[0].upper() + out[1:]
    return out


def transliterate(text: str, system: str = "kmu2010") -> str:
    """Write Cyrillic ``text`` in Latin letters by one of ``SYSTEMS``; other characters stay."""
    table = SYSTEMS[system]
    result: list[str] = []
    previous = ""
    for ch in text:
        low = ch.lower()
        if ch in APOSTROPHES:
            continue  # not written; the next letter is not a word's first
        word_start = not previous.isalpha()
        if system == "kmu2010" and word_start and low in KMU_2010_INITIAL:
            out = KMU_2010_INITIAL[low]
        elif system == "kmu2010" and low == "г" and previous.lower() == "з":
            out = "gh"
        elif system == "bgn_pcgn_ru" and low == "е" and (word_start or previous in BGN_YE_AFTER):
            out = "ye"
        elif system in ("french", "german", "polish") and word_start and low in "єїюя":
            out = {"french": {"є": "ie", "ї": "i", "ю": "iou", "я": "ia"}}.get(system, {}).get(
                low, {"є": "je", "ї": "ji", "ю": "ju", "я": "ja"}[low]
            )
        else:
            out = table.get(low, ch)
        result.append(_case(out, ch))
        previous = ch
    return "".join(result)


# Letters of other alphabets that decomposition does not take apart, and digraph letters.
_SPECIAL = {
    "č": "ch", "ć": "ch", "š": "sh", "ś": "sh", "ž": "zh", "ż": "zh", "ź": "zh", "ŝ": "shch",
    "ł": "l", "ë": "e", "ê": "ie", "û": "iu", "â": "ia", "ß": "ss", "ø": "o", "æ": "ae",
    "œ": "oe", "đ": "d", "ı": "i",
}  # fmt: skip

# Any Cyrillic letter (Ukrainian and Russian) to Latin, close to the 2010 national system
# but without initial forms, so that a letter always gives the same Latin letters.
# Г is "g" here (not the national "h"): "зг" must not become the "zh" of Ж; Ч is "tch", so
# that "сч" does not become the German "sch" of Ш. The phonetic key puts g, h and kh in one
# class, and ch and tch in another, anyway.
_CYRILLIC = {
    **RU_PASSPORT, **KMU_2010, "г": "g", "ч": "tch", "ё": "e", "ъ": "", "ы": "y", "э": "e",
}  # fmt: skip

_NOT_LETTER = re.compile(r"[^a-z]+")


@lru_cache(maxsize=200_000)
def fold(token: str) -> str:
    """One Latin spelling, lower case a-z only, for a name token in any script.

    >>> fold("Шевченко"), fold("Szewczenko"), fold("Ševčenko")
    ('shevtchenko', 'szewczenko', 'shevchenko')
    """
    out: list[str] = []
    for ch in token.lower():
        if ch in _CYRILLIC:
            out.append(_CYRILLIC[ch])
        elif ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        else:
            out.append(ch)
    text = unicodedata.normalize("NFKD", "".join(out))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_LETTER.sub("", text)


_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэёъЫЭЁЪ]")


def script_of(*texts: str) -> str:
    """``uk``, ``ru`` (Cyrillic with letters only that language has), ``cyrillic``, ``latin``
    or ``""`` for no letters, for a name written in one or more parts."""
    best = len(_SCRIPTS) - 1
    for text in texts:
        if text:
            best = min(best, _SCRIPTS.index(_script(text)))
    return _SCRIPTS[best]


_SCRIPTS = ("uk", "ru", "cyrillic", "latin", "")


@lru_cache(maxsize=200_000)
def _script(text: str) -> str:
    if _CYRILLIC_RE.search(text):
        if _UK_ONLY.search(text):
            return "uk"
        if _RU_ONLY.search(text):
            return "ru"
        return "cyrillic"
    if any(c.isalpha() for c in text):
        return "latin"
    return ""
