"""Figures as people write them: "at least 240", "~200", "over 500,000", "dozens",
"between 20 and 30", "понад 4,3 тис.", "десятки". We read the qualifier and the values and
keep the words, so that the record always shows what the source actually said.

``parse_figure`` reads one figure; ``parse_breakdown`` reads a figure with its parts, as in
"240 casualties including 64 dead" or "406 постраждалих, з них 102 загиблих".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from hromada.reports import metrics


class Qualifier(models.TextChoices):
    EXACT = "exact", _("exactly")
    AT_LEAST = "at_least", _("at least")
    MORE_THAN = "more_than", _("more than")
    AT_MOST = "at_most", _("at most")
    ABOUT = "about", _("about")
    RANGE = "range", _("range")
    VAGUE = "vague", _("vague")


@dataclass(frozen=True)
class Figure:
    qualifier: str
    low: int | None
    best: int | None
    high: int | None
    words: str

    @property
    def value(self) -> int | None:
        """One number to compare and sort by: the best estimate, else an end of the range."""
        return value_of(self.low, self.best, self.high)


class FigureError(ValueError):
    """The words hold no figure we can read."""


def value_of(low: int | None, best: int | None, high: int | None) -> int | None:
    return best if best is not None else low if low is not None else high


def minimum_of(qualifier: str, low: int | None, best: int | None) -> int | None:
    """The least the figure can mean: the low end, or the number of an "at least"."""
    if low is not None:
        return low
    if qualifier in (Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.MORE_THAN):
        return best
    return None


def maximum_of(low: int | None, best: int | None, high: int | None) -> int | None:
    """The most the source claims: the high end, else its number."""
    return high if high is not None else best if best is not None else low


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")

# A number: grouped thousands (500,000 · 500 000 · 4.300) or a plain/decimal number
# (28 · 4,3 · 1.2), then an optional multiplier word.
_NUMBER = (
    r"(?P<{n}>\d{{1,3}}(?:[ ,.]\d{{3}})+(?![\d])|\d+(?:[.,]\d+)?)"
    r"(?:\s*(?P<{n}m>тис\.?|тисяч[аіи]?|thousands?|k\b|млн\.?|мільйон(?:а|ів)?|millions?|mln\.?|m\b))?"
)
_MULTIPLIERS = {"т": 1_000, "t": 1_000, "k": 1_000, "м": 1_000_000, "m": 1_000_000}

_AT_LEAST = (
    r"at least|no fewer than|not fewer than|no less than|not less than|a minimum of|minimum of|"
    r"щонайменше|не менше ніж|не менше як|не менше|принаймні|як мінімум|мінімум|≥|>="
)
_MORE_THAN = (
    r"more than|over|above|in excess of|upwards of|понад|більше ніж|більше як|більш ніж|більше|>"
)
_AT_MOST = (
    r"up to|at most|no more than|not more than|a maximum of|fewer than|less than|under|below|"
    r"не більше ніж|не більше як|не більше|не більш ніж|щонайбільше|максимум|менше ніж|менше|до|≤|<=|<"
)
_ABOUT = (
    r"about|around|approximately|approx\.?|roughly|some|nearly|almost|close to|an estimated|"
    r"estimated|circa|ca\.|c\.|близько|приблизно|майже|орієнтовно|до ?~|~|≈"
)
_EXACT = r"exactly|precisely|a total of|total of|in total|рівно|усього|всього|загалом"

# Words for a magnitude without a number: (pattern, low, high). Longest phrases first.
_VAGUE = [
    (r"hundreds of thousands|сотні тисяч", 200_000, 999_999),
    (r"tens of thousands|десятки тисяч", 20_000, 99_999),
    (r"several thousand|кілька тисяч", 2_000, 9_999),
    (r"several hundred|кілька сотень|кількасот", 200, 999),
    (r"several dozen|кілька десятків|кількадесят", 20, 99),
    (r"millions|мільйони", 2_000_000, 9_999_999),
    (r"thousands|тисячі", 2_000, 9_999),
    (r"hundreds|сотні", 200, 999),
    (r"scores", 40, 99),
    (r"dozens|десятки", 20, 99),
    (r"a dozen|dozen|дюжина", 12, 12),
    (r"several|a number of|кілька|декілька|кількох", 3, 9),
    (r"a few|few|небагато|одиниці", 2, 9),
]


# Small numbers written as words, as sources often do ("three people", "двоє дітей").
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "fifty": 50,
    "один": 1, "одна": 1, "одне": 1, "одного": 1, "два": 2, "дві": 2, "двоє": 2,
    "двох": 2, "три": 3, "троє": 3, "трьох": 3, "чотири": 4, "четверо": 4, "п'ять": 5,
    "п’ять": 5, "п'ятеро": 5, "шість": 6, "шестеро": 6, "сім": 7, "семеро": 7, "вісім": 8,
    "восьмеро": 8, "дев'ять": 9, "дев’ять": 9, "десять": 10, "десятеро": 10, "двадцять": 20,
    "тридцять": 30,
}  # fmt: skip
_NUMBER_WORD = re.compile(
    r"(?<![\w'’])("
    + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
    + r")(?![\w'’])"
)


def _normalise(text: str) -> str:
    text = _DASHES.sub("-", text.strip().casefold())
    text = _NUMBER_WORD.sub(lambda m: str(_NUMBER_WORDS[m.group(1)]), text)
    return _SPACES.sub(" ", text)


def _number(match: re.Match[str], name: str) -> int:
    raw = match.group(name)
    multiplier_word = match.group(f"{name}m") or ""
    if re.fullmatch(r"\d{1,3}(?:[ ,.]\d{3})+", raw) and not multiplier_word:
        value = float(re.sub(r"[ ,.]", "", raw))
    elif re.fullmatch(r"\d{1,3}(?:[ ,.]\d{3})+", raw):
        # "4,300 thousand" is unusual; "4 300 тис." means 4.3 million: groups, then multiply.
        value = float(re.sub(r"[ ,.]", "", raw))
    else:
        value = float(raw.replace(",", "."))
    if multiplier_word:
        value *= _MULTIPLIERS[multiplier_word[0]]
    return round(value)


_PREFIXES = (
    (Qualifier.AT_LEAST, _AT_LEAST),
    (Qualifier.AT_MOST, _AT_MOST),
    (Qualifier.MORE_THAN, _MORE_THAN),
    (Qualifier.ABOUT, _ABOUT),
    (Qualifier.EXACT, _EXACT),
)
_SPECIAL = [(r"half a million|пів ?мільйона", 500_000)]


def parse_figure(words: str) -> Figure:
    """Read one figure from the words a source used. Raises FigureError when there is none.

    The figure is the first number; the words just before it give the qualifier ("at
    least", "понад", "~"), the words just after may too ("500+", "or so").

    >>> parse_figure("over 500,000")
    Figure(qualifier='more_than', low=500000, best=500000, high=None, words='over 500,000')
    """
    kept = words.strip()
    text = _normalise(kept)
    if not text:
        raise FigureError(_("Enter a figure, such as 28, at least 240 or between 20 and 30."))
    found = re.search(_NUMBER.format(n="a"), text)
    if found is None:
        return _words_only(text, kept)
    n = _number(found, "a")
    after = text[found.end() :]
    second = re.match(rf"\s*(?:-|to|and|до|і|та)\s*{_NUMBER.format(n='b')}", after)
    if second:
        high = _number(second, "b")
        if second.group("bm") and not found.group("am"):
            n *= _MULTIPLIERS[second.group("bm")[0]]  # "20-30 thousand": both in thousands
        low, high = min(n, high), max(n, high)
        return Figure(Qualifier.RANGE, low, None, high, kept)
    before = text[: found.start()].rstrip()
    for qualifier, prefix in _PREFIXES:
        if re.search(rf"(?:^|[^\w])(?:{prefix})$", before) or re.fullmatch(prefix, before):
            if qualifier == Qualifier.AT_MOST:
                return Figure(qualifier, None, None, n, kept)
            if qualifier in (Qualifier.AT_LEAST, Qualifier.MORE_THAN):
                return Figure(qualifier, n, n, None, kept)
            if qualifier == Qualifier.ABOUT:
                return Figure(qualifier, None, n, None, kept)
            break
    if re.match(r"\s*(?:\+|or more|and more|і більше|або більше|з лишком)", after):
        return Figure(Qualifier.AT_LEAST, n, n, None, kept)
    if re.match(r"\s*(?:or so|or thereabouts|чи близько того)", after):
        return Figure(Qualifier.ABOUT, None, n, None, kept)
    return Figure(Qualifier.EXACT, n, n, n, kept)


def _words_only(text: str, kept: str) -> Figure:
    for pattern, n in _SPECIAL:
        if re.search(pattern, text):
            return Figure(Qualifier.ABOUT, None, n, None, kept)
    for pattern, low, high in _VAGUE:
        if re.search(rf"(?:^|\W)(?:{pattern})(?:\W|$)", text):
            if low == high:
                return Figure(Qualifier.ABOUT, None, low, None, kept)
            return Figure(Qualifier.VAGUE, low, None, high, kept)
    raise FigureError(_("No figure found in “%(words)s”.") % {"words": kept[:100]})


# Words that name what a part of a breakdown counts.
_KILLED_WORDS = r"dead|killed|deaths|died|fatalit|загибл|загинул|вбит|смерт|мертв"
_INJURED_WORDS = r"injur|wounded|hurt|поранен|травмов"
_CHILD_WORDS = r"child|kids|діт|дитин|неповнолітн"
_CASUALTY_WORDS = r"casualt|victims|постраждал|жертв"
_SPLIT = re.compile(
    r"\b(?:including|incl\.?|of whom|of which|among them|among whom)\b|"
    r"(?:з них|із них|у тому числі|в тому числі|зокрема|серед них|в т\.ч\.|у т\.ч\.)"
)


def metric_named(text: str, default: str | None = None, *, within: str | None = None) -> str | None:
    """The civilian metric the words name ("dead", "поранених", "children"), if any."""
    lowered = _normalise(text)
    child = re.search(_CHILD_WORDS, lowered)
    if re.search(_KILLED_WORDS, lowered):
        return metrics.CHILDREN_KILLED if child else metrics.KILLED
    if re.search(_INJURED_WORDS, lowered):
        return metrics.CHILDREN_INJURED if child else metrics.INJURED
    if child:
        if within in (metrics.KILLED, metrics.CHILDREN_KILLED):
            return metrics.CHILDREN_KILLED
        if within in (metrics.INJURED, metrics.CHILDREN_INJURED):
            return metrics.CHILDREN_INJURED
        return default
    if re.search(_CASUALTY_WORDS, lowered):
        return metrics.CASUALTIES
    return default


# "including a child", "серед них дитина": one.
_SINGULAR = re.compile(r"^(?:a|an) \w+$|^(?:дитина|дитину|жінка|жінку|чоловік|людина|людину)$")


@dataclass(frozen=True)
class Part:
    metric: str
    figure: Figure


def parse_breakdown(words: str, metric: str) -> tuple[Figure, list[Part]]:
    """A figure and the parts it includes: "240 casualties including 64 dead" gives
    casualties ≥ 240 with the part killed ≥ 64 (the qualifier of the whole carries over to
    a bare part: 64 of "at least 240" is read as at least 64).

    ``metric`` is what the whole counts when its words do not say.
    """
    pieces = [piece.strip(" ,;:") for piece in _SPLIT.split(words, maxsplit=1)]
    whole = parse_figure(pieces[0])
    parts: list[Part] = []
    if len(pieces) == 2:
        for chunk in re.split(r",|;|\band\b|\bі\b|\bта\b", pieces[1]):
            if not chunk.strip(" ,;:"):
                continue
            try:
                figure = parse_figure(chunk.strip(" ,;:"))
            except FigureError:
                if not _SINGULAR.match(_normalise(chunk.strip(" ,;:."))):
                    continue
                figure = Figure(Qualifier.EXACT, 1, 1, 1, chunk.strip(" ,;:"))
            part_metric = metric_named(chunk, within=metric)
            if part_metric is None or part_metric == metric:
                continue
            if figure.qualifier == Qualifier.EXACT and whole.qualifier in (
                Qualifier.AT_LEAST,
                Qualifier.MORE_THAN,
            ):
                n = figure.best
                figure = Figure(Qualifier.AT_LEAST, n, n, None, figure.words)
            parts.append(Part(part_metric, figure))
    return whole, parts
