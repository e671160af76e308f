"""Text helpers that know Ukrainian."""

from __future__ import annotations

# The Ukrainian alphabet in its order; Unicode's code points put І, Ї, Є and Ґ elsewhere.
UKRAINIAN = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_RANK = {letter: index for index, letter in enumerate(UKRAINIAN)}


def collation_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key: Ukrainian letters in alphabet order, then Latin letters and the rest.

    >>> sorted(["Інше", "Вода", "Їжа", "Zebra"], key=collation_key)
    ['Вода', 'Інше', 'Їжа', 'Zebra']
    """
    return tuple(
        (0, _RANK[ch]) if ch in _RANK else (1, ch)
        for ch in text.casefold().replace("'", "").replace("’", "")
    )
