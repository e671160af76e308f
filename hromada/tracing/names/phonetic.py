"""Keys under which different spellings of one name meet, and how alike two spellings are.

``skeleton`` reduces a folded spelling to its consonants in classes, with vowel runs as one
mark: Oleksandr, Aleksandr, Olexandr give one key; Kovalskyi, Kowalski, Kovalska another.
A name written one letter differently (a typo, a German "ch" for "kh") is found through
``deletion_keys``: the key with each one letter left out (symmetric deletion, as SymSpell
does), so two keys one edit apart always share one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler, Levenshtein

from hromada.tracing.names import equivalents
from hromada.tracing.names.translit import fold

# Longest first: "shch" before "sh", "tsch" before "sch" before "ch".
_CLASSES = [
    ("schtsch", "X"), ("shtsch", "X"), ("chtch", "X"), ("szcz", "X"), ("shch", "X"),
    ("tsch", "X"), ("sch", "X"), ("tch", "X"), ("cz", "X"), ("ch", "X"), ("sh", "X"),
    ("sz", "X"), ("zh", "X"), ("kh", "H"), ("ts", "S"),
    ("x", "KS"), ("q", "K"), ("h", "H"), ("g", "H"), ("c", "S"), ("z", "S"),
    ("s", "S"), ("w", "V"), ("v", "V"), ("k", "K"), ("b", "B"), ("p", "P"), ("d", "D"),
    ("t", "T"), ("f", "F"), ("l", "L"), ("m", "M"), ("n", "N"), ("r", "R"),
    ("a", "a"), ("e", "a"), ("i", "a"), ("o", "a"), ("u", "a"), ("y", "a"), ("j", "a"),
]  # fmt: skip
_CLASS_RE = re.compile("|".join(re.escape(src) for src, _dst in _CLASSES))
_CLASS_MAP = dict(_CLASSES)
# The other readings of ambiguous letters: "sh", "zh", "kh", "sch" as separate letters
# (Асгат is "Ashat" in the national system, German writes ЦГ "zh"); "ch" as the German and
# Polish Х; a French "j" for Ж; the national system's "sch" for СЧ.
_SPLIT_DIGRAPHS = ("sh", "zh", "kh", "sch")
_SPLIT_READING = [(s, d) for s, d in _CLASSES if s not in _SPLIT_DIGRAPHS]
_GERMAN = [(s, "H" if s == "ch" else d) for s, d in _CLASSES]  # ch is Х; sch, tsch stay
_FRENCH_J = [(s, d) for s, d in _CLASSES if s != "j"] + [("j", "X")]
_S_CH = [(s, d) for s, d in _CLASSES if s != "sch"]  # the national "sch" is С + Ч
# Each reading with the letters without which it reads a spelling as the main table does.
_READINGS = [
    (re.compile("|".join(re.escape(src) for src, _dst in table)), dict(table), triggers)
    for table, triggers in (
        (_SPLIT_READING, _SPLIT_DIGRAPHS),
        (_GERMAN, ("ch",)),
        (_FRENCH_J, ("j",)),
        (_S_CH, ("sch",)),
    )
]
_RUNS = re.compile(r"(.)\1+")

SHORT = 3  # keys this short get no deletion neighbours: they would meet half the vocabulary


@lru_cache(maxsize=500_000)
def skeleton(folded: str) -> str:
    """The phonetic key of a folded spelling (see ``translit.fold``).

    >>> skeleton(fold("Олександр")), skeleton("aleksandr"), skeleton("olexandr")
    ('aLaKSaNDR', 'aLaKSaNDR', 'aLaKSaNDR')
    """
    return _reduce(_CLASS_RE.sub(lambda m: _CLASS_MAP[m.group(0)], folded))


@lru_cache(maxsize=500_000)
def other_skeletons(folded: str) -> frozenset[str]:
    """The skeletons under the other readings of digraphs and of "j" (see ``_READINGS``)."""
    main = skeleton(folded)
    others = set()
    for pattern, table, triggers in _READINGS:
        if not any(t in folded for t in triggers):
            continue
        key = _reduce(pattern.sub(lambda m, t=table: t[m.group(0)], folded))  # type: ignore[misc]
        if key != main:
            others.add(key)
    return frozenset(others)


def _reduce(key: str) -> str:
    key = _RUNS.sub(r"\1", key)
    # A final vowel is an ending: Kovalskyi / Kovalska / Kowalski, Petrov / Petrova.
    if len(key) > 2 and key.endswith("a"):
        key = key[:-1]
    return key


def looks_patronymic(folded: str) -> bool:
    """Does this spelling end as patronymics do (-ovych, -ivna, -ovna, -evich, -owicz ...)?"""
    return len(folded) >= 7 and skeleton(folded).endswith(("aVaX", "aVN"))


def deletion_keys(key: str) -> set[str]:
    """The key itself and the key with any one letter left out (none for short keys)."""
    keys = {key}
    if len(key) > SHORT:
        keys.update(key[:i] + key[i + 1 :] for i in range(len(key)))
    return keys


@lru_cache(maxsize=1)
def _name_groups() -> dict[str, frozenset[str]]:
    """Skeleton of every known form -> the canonical names it may be."""
    table: dict[str, set[str]] = {}
    for canonical, _sex, forms in equivalents.groups():
        for form in forms:
            table.setdefault(skeleton(fold(form)), set()).add(fold(canonical))
    return {k: frozenset(v) for k, v in table.items()}


@lru_cache(maxsize=1)
def _group_sex() -> dict[str, str]:
    return {fold(canonical): sex for canonical, sex, _forms in equivalents.groups()}


def name_groups(folded: str) -> frozenset[str]:
    """The canonical given names a spelling is a form of (Sasha -> oleksandr, oleksandra)."""
    return _name_groups().get(skeleton(folded), frozenset())


def group_sex(group: str) -> str:
    return _group_sex().get(group, "")


@lru_cache(maxsize=200_000)
def index_keys(folded: str) -> frozenset[str]:
    """Every key a vocabulary token is filed under: its skeleton's deletion neighbourhood and
    ``=name`` for each given name it is a form of."""
    keys = deletion_keys(skeleton(folded))
    for other in other_skeletons(folded):
        keys.update(deletion_keys(other))
    keys.update("=" + group for group in name_groups(folded))
    return frozenset(keys)


SKELETON_FACTOR = 0.95  # two spellings with one skeleton are alike, not the same


@lru_cache(maxsize=500_000)
def readings(folded: str) -> frozenset[str]:
    """The skeleton and its other readings (``other_skeletons``) together."""
    return frozenset({skeleton(folded), *other_skeletons(folded)})


def similarity(a: str, b: str, readings_b: frozenset[str] | None = None) -> float:
    """How alike two folded spellings are, 0..1: the best of letter-level Jaro-Winkler and
    the Levenshtein similarity of their skeletons, and 0.9 for forms of one given name.
    ``readings_b``: b's readings when already known (the vocabulary keeps them)."""
    if a == b:
        return 1.0
    score = JaroWinkler.normalized_similarity(a, b)
    if score >= SKELETON_FACTOR:
        return score  # the skeletons' part is at most SKELETON_FACTOR: it cannot add
    readings_a = readings(a)
    if readings_b is None:
        readings_b = readings(b)
    if readings_a & readings_b:
        skeletons = 1.0
    else:
        # Only a skeleton similarity above score / SKELETON_FACTOR can raise the score:
        # below that cut-off RapidFuzz gives up early and says 0.
        cutoff = score / SKELETON_FACTOR
        skeletons = max(
            Levenshtein.normalized_similarity(x, y, score_cutoff=cutoff)
            for x in readings_a
            for y in readings_b
        )
    score = max(score, skeletons * SKELETON_FACTOR)
    if score < 0.9 and name_groups(a) & name_groups(b):
        score = 0.9
    return score


_SPLIT = re.compile(r"[\s,;/()\-–—.\"«»]+")


def tokens(text: str) -> list[str]:
    """Name tokens of a text, folded, initials and empty parts dropped, order kept."""
    return list(_tokens(text or ""))


@lru_cache(maxsize=500_000)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(f for f in (fold(part) for part in _SPLIT.split(text)) if len(f) >= 2)
