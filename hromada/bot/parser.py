"""Turn a free-text message into a proposed need: place, item, quantity, unit, date, priority.

Rule-based and explainable: every field comes from words the message contains, and every
word that was not understood is returned as ``unparsed`` so the coordinator sees it. Nothing
is guessed silently: a field that is not in the message stays empty (the bot asks for it).

Pure Python over plain data (``ItemRef``, ``PlaceRef``): no database, so the benchmark and
the tests run it on hundreds of messages in milliseconds.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rapidfuzz.distance import OSA

from hromada.bot import lexicon

LATIN_LOOKALIKES = str.maketrans("aceiopxyk", "асеіорхук")
TOKEN = re.compile(
    r"(?P<date>\b\d{1,2}[./]\d{2}(?:[./]\d{2,4})?\b)"
    r"|(?P<range>\d+(?:[.,]\d+)?\s*[-–]\s*\d+(?:[.,]\d+)?)"
    r"|(?P<num>\d+(?:[.,]\d+)?)"
    r"|(?P<word>[^\W\d_]+(?:['’ʼ`][^\W\d_]+)*)"
    r"|(?P<sym>[№#])"
)
CYRILLIC = re.compile(r"[а-яіїєґё]")
DATE_PREPOSITIONS = {
    "до",
    "by",
    "until",
    "till",
    "к",
    "на",
    "before",
    "for",
    "по",
    "not",
    "later",
    "than",
    "no",
}
RELATIVE_PREPOSITIONS = {
    "через",
    "in",
    "за",
    "протягом",
    "within",
    "впродовж",
    "в",
    "течение",
    "на",
}


@dataclass(frozen=True)
class ItemRef:
    id: int
    code: str
    name_uk: str
    name_en: str
    unit: str


@dataclass(frozen=True)
class PlaceRef:
    id: int
    name: str
    kind: str
    nicknames: tuple[str, ...] = ()


@dataclass
class Token:
    text: str  # normalised: lowercase, ё as е, no apostrophes
    start: int
    end: int
    kind: str  # word, num, range, date, sym
    used: bool = False


@dataclass
class Proposal:
    item: ItemRef | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    place: PlaceRef | None = None
    place_choices: list[PlaceRef] = field(default_factory=list)
    needed_by: datetime.date | None = None
    priority: str | None = None
    other_items: list[ItemRef] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)


# Words --------------------------------------------------------------------------------------


def normalise_word(word: str) -> str:
    word = word.lower().replace("ё", "е")
    for mark in "'’ʼ`":
        word = word.replace(mark, "")
    if CYRILLIC.search(word):
        word = word.translate(LATIN_LOOKALIKES)
    return word


def tokenize(text: str) -> list[Token]:
    tokens = []
    for match in TOKEN.finditer(text):
        kind = match.lastgroup or "word"
        raw = match.group()
        tokens.append(Token(normalise_word(raw), match.start(), match.end(), kind))
    return _merge_thousands(tokens, text)


def _merge_thousands(tokens: list[Token], text: str) -> list[Token]:
    """'2 000' is two thousand, not two and zero."""
    merged: list[Token] = []
    for token in tokens:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.kind == "num"
            and token.kind == "num"
            and len(token.text) == 3
            and text[previous.end : token.start] == " "
            and previous.text.isdigit()
            and len(previous.text) <= 3
        ):
            previous.text += token.text
            previous.end = token.end
            continue
        merged.append(token)
    return merged


# Case endings of nouns and adjectives, longest first.
ENDINGS = (
    *("ами", "ями", "ові", "еві", "ого", "ому", "ими", "іми"),
    *("ах", "ях", "ів", "їв", "ям", "ам", "ом", "ем", "ою", "ею", "ей", "ой", "ий", "ій"),
    *("ая", "яя", "ое", "ее", "ые", "ых", "их"),
    *("і", "и", "а", "я", "о", "е", "у", "ю", "ь", "й", "ї", "ы"),
)
LATIN_ENDINGS = {"", "s", "es", "e", "ed", "ing", "ion", "ions", "ies", "y", "er", "ers", "'s"}


def stem(word: str) -> str:
    """A crude stem of a Ukrainian or Russian word: the word without its case ending."""
    word = normalise_word(word)
    if not CYRILLIC.search(word):
        return word[:-1] if word.endswith("s") and len(word) > 4 else word
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def matches(token: str, stem_: str) -> bool:
    """Does ``token`` read as ``stem_`` with an inflected ending?"""
    if not token.startswith(stem_):
        return False
    extra = token[len(stem_) :]
    if not CYRILLIC.search(stem_):
        return extra in LATIN_ENDINGS or (len(stem_) >= 6 and len(extra) <= 5)
    return len(extra) <= (2 if len(stem_) <= 3 else 4)


def fuzzy_matches(token: str, stem_: str) -> bool:
    """A misspelt word: one letter wrong, missing, extra or swapped in a long stem."""
    if len(stem_) < 5 or len(token) < 5 or token[0] != stem_[0]:
        return False
    for k in (len(stem_) - 1, len(stem_), len(stem_) + 1):
        if OSA.distance(token[:k], stem_) <= 1 and matches(stem_ + token[k:], stem_):
            return True
    return False


# Patterns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    stems: tuple[str, ...]
    target: object
    unit: str | None = None

    @property
    def weight(self) -> int:
        return sum(len(s) for s in self.stems)


def _words(text: str) -> list[str]:
    return [t.text for t in tokenize(re.sub(r"\(.*?\)", " ", text)) if t.kind == "word"]


def item_patterns(items: Iterable[ItemRef]) -> list[Pattern]:
    patterns = []
    for item in items:
        for name in (item.name_uk, item.name_en):
            words = [stem(w) for w in _words(name) if w not in lexicon.STOPWORDS]
            if words:
                patterns.append(Pattern(tuple(words), item))
        for extra in lexicon.ITEM_PATTERNS.get(item.code, []):
            stems = tuple(normalise_word(w) for w in extra.split())
            patterns.append(Pattern(stems, item, lexicon.ITEM_UNITS.get(extra)))
    return sorted(patterns, key=lambda p: (len(p.stems), p.weight), reverse=True)


def _unit_patterns() -> list[Pattern]:
    patterns = [
        Pattern((normalise_word(w),), unit)
        for unit, words in lexicon.UNIT_PATTERNS.items()
        for w in words
    ]
    return sorted(patterns, key=lambda p: p.weight, reverse=True)


UNITS = _unit_patterns()


def _match_at(tokens: Sequence[Token], i: int, pattern: Pattern, *, fuzzy: bool = False) -> int:
    """How many tokens from ``i`` the pattern covers (0: no match)."""
    j = i
    for s in pattern.stems:
        while j < len(tokens) and tokens[j].kind == "sym":
            j += 1
        if j >= len(tokens) or tokens[j].used or tokens[j].kind != "word":
            return 0
        word = tokens[j].text
        if word in lexicon.NOT_ITEMS:
            return 0
        if not (matches(word, s) or (fuzzy and fuzzy_matches(word, s))):
            return 0
        j += 1
    return j - i


# Fields -------------------------------------------------------------------------------------


def _number_value(tokens: Sequence[Token], i: int) -> tuple[Decimal | None, int]:
    """The number starting at token ``i`` (digits or words) and how many tokens it spans."""
    token = tokens[i]
    if token.used:
        return None, 0
    if token.kind == "range":
        parts = re.split(r"\s*[-–]\s*", token.text)
        values = [_decimal(p) for p in parts]
        return (max(v for v in values if v is not None), 1) if all(values) else (None, 0)
    value: Decimal | None = None
    n = 0
    if token.kind == "num":
        value, n = _decimal(token.text), 1
    elif token.kind == "word" and token.text in lexicon.HALF_WORDS:
        value, n = Decimal(lexicon.HALF_WORDS[token.text]), 1
    elif token.kind == "word" and token.text in lexicon.NUMBER_WORDS:
        total, current, n = 0, 0, 0
        while i + n < len(tokens) and not tokens[i + n].used:
            word = tokens[i + n].text
            if word in lexicon.NUMBER_WORDS:
                current += lexicon.NUMBER_WORDS[word]
            elif word == "hundred" and current:
                current *= 100
            elif (
                word in ("and", "і", "и")
                and n
                and i + n + 1 < len(tokens)
                and (tokens[i + n + 1].text in lexicon.NUMBER_WORDS)
            ):
                pass
            else:
                break
            n += 1
        value = Decimal(total + current)
    elif token.kind == "word" and token.text in ("a", "an") and i + 1 < len(tokens):
        following = tokens[i + 1].text
        if following in ("dozen", "hundred", "thousand", "couple"):
            value = Decimal({"dozen": 12, "hundred": 100, "thousand": 1000, "couple": 2}[following])
            n = 2
    if value is None or not n:
        return None, 0
    # "2 тисячі", "5k", "1.5 тис.": a multiplier right after the number.
    if i + n < len(tokens) and tokens[i + n].text in lexicon.MULTIPLIERS and not tokens[i + n].used:
        value *= lexicon.MULTIPLIERS[tokens[i + n].text]
        n += 1
    return value, n


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _use(tokens: Sequence[Token], start: int, count: int, *, used: bool = True) -> None:
    for token in tokens[start : start + count]:
        token.used = used


def _find_dates(tokens: list[Token], today: datetime.date) -> datetime.date | None:
    found: datetime.date | None = None
    for i, token in enumerate(tokens):
        if token.used:
            continue
        start, length, day = i, 0, None
        if token.kind == "date":
            day = _explicit_date(token.text, today)
            length = 1
        elif token.text in lexicon.DAY_WORDS:
            day = today + datetime.timedelta(days=lexicon.DAY_WORDS[token.text])
            length = 1
        elif token.kind == "word" and (weekday := _weekday(token.text)) is not None:
            ahead = (weekday - today.weekday()) % 7 or 7
            day, length = today + datetime.timedelta(days=ahead), 1
        elif token.kind == "num" and i + 1 < len(tokens) and (month := _month(tokens[i + 1].text)):
            day, length = _day_of(int(token.text) if token.text.isdigit() else 0, month, today), 2
        elif (
            token.kind == "word"
            and (month := _month(token.text))
            and i + 1 < len(tokens)
            and (tokens[i + 1].kind == "num" and tokens[i + 1].text.isdigit())
        ):
            day, length = _day_of(int(tokens[i + 1].text), month, today), 2
        elif token.text in RELATIVE_PREPOSITIONS and i + 1 < len(tokens):
            day, length = _relative(tokens, i, today)
        elif token.text in lexicon.WEEK_WORDS and i and tokens[i - 1].text in ("a", "one"):
            day, length, start = today + datetime.timedelta(days=7), 2, i - 1
        if day is None or not length:
            continue
        _use(tokens, start, length)
        # "до завтра", "by Friday": the preposition belongs to the date.
        if start and tokens[start - 1].text in DATE_PREPOSITIONS:
            tokens[start - 1].used = True
        if found is None:
            found = day
    return found


def _relative(
    tokens: Sequence[Token], i: int, today: datetime.date
) -> tuple[datetime.date | None, int]:
    """ "через 3 дні", "in 2 days", "за тиждень", "within a week"."""
    j = i + 1
    count = Decimal(1)
    if tokens[j].text in ("a", "one", "один", "одну", "один"):
        j += 1
    else:
        value, n = _number_value(tokens, j)
        if value is not None and n:
            count, j = value, j + n
    if j >= len(tokens):
        return None, 0
    word = tokens[j].text
    if word in lexicon.DAYS_WORDS:
        return today + datetime.timedelta(days=int(count)), j - i + 1
    if word in lexicon.WEEK_WORDS:
        return today + datetime.timedelta(days=7 * int(count)), j - i + 1
    return None, 0


def _weekday(word: str) -> int | None:
    for stem_, weekday in lexicon.WEEKDAYS.items():
        if len(stem_) <= 3:
            if word == stem_:
                return weekday
        elif word.startswith(stem_) and len(word) - len(stem_) <= 3:
            return weekday
    return None


def _month(word: str) -> int | None:
    if word in lexicon.MONTHS:
        return lexicon.MONTHS[word]
    for stem_, month in lexicon.MONTHS.items():
        if len(stem_) >= 4 and word.startswith(stem_) and len(word) - len(stem_) <= 3:
            return month
    return None


def _day_of(day: int, month: int, today: datetime.date) -> datetime.date | None:
    try:
        date = datetime.date(today.year, month, day)
    except ValueError:
        return None
    if date < today - datetime.timedelta(days=30):
        date = date.replace(year=today.year + 1)
    return date


def _explicit_date(text: str, today: datetime.date) -> datetime.date | None:
    parts = [int(p) for p in re.split(r"[./]", text)]
    day, month = parts[0], parts[1]
    if len(parts) == 3:
        year = parts[2] + (2000 if parts[2] < 100 else 0)
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    return _day_of(day, month, today)


def _find_places(
    tokens: list[Token], places: Sequence[PlaceRef]
) -> tuple[PlaceRef | None, list[PlaceRef]]:
    """The place the message names, or the candidates when it names a kind several share."""
    best: list[tuple[int, int, int, PlaceRef]] = []  # (score, start, length, place)
    for place in places:
        number = _place_number(place.name)
        kind_stems = [
            normalise_word(w).split() for w in lexicon.PLACE_KIND_PATTERNS.get(place.kind, [])
        ]
        name_stems = [
            stem(w) for w in _words(place.name) if not w.isdigit() and w not in lexicon.STOPWORDS
        ]
        nick_stems = [[stem(w) for w in _words(n)] for n in place.nicknames]
        for i in range(len(tokens)):
            for stems, base in (
                *((s, 3) for s in nick_stems),
                (name_stems, 2),
                *((s, 1) for s in kind_stems),
            ):
                if not stems:
                    continue
                n = _match_at(tokens, i, Pattern(tuple(stems), place), fuzzy=True)
                if not n and base == 2 and len(stems) > 1:
                    continue
                if not n:
                    continue
                start, length, score = i, n, base * 10 + len(stems)
                ordinal = _ordinal_before(tokens, i)
                said = _number_after(tokens, i + n)
                if ordinal is not None:
                    start, length = i - 1, n + 1
                    said = (ordinal, 0)
                if said is not None:
                    value, extra = said
                    if number is None or value != number:
                        continue  # "shelter 3" is not shelter 1
                    length += extra
                    score += 50
                elif number is not None and base == 1:
                    score -= 5  # "укриття" without a number: any of them
                best.append((score, start, length, place))
    if not best:
        return None, []
    top = max(score for score, *_ in best)
    winners = {p.id: (s, st, ln, p) for s, st, ln, p in best if s == top}
    if len(winners) == 1:
        _score, start, length, place = next(iter(winners.values()))
        _use(tokens, start, length)
        return place, []
    # Several places fit equally ("лікарня" when there are two): the coordinator picks one.
    for _score, start, length, _place in winners.values():
        _use(tokens, start, length)
    return None, [w[3] for w in winners.values()]


def _place_number(name: str) -> int | None:
    match = re.search(r"\d+", name)
    return int(match.group()) if match else None


def _number_after(tokens: Sequence[Token], j: int) -> tuple[int, int] | None:
    """A place number after its kind: "№ 2", "#3", "номер 4", "no. 5", "2"."""
    skip = 0
    while j + skip < len(tokens) and (
        tokens[j + skip].kind == "sym" or tokens[j + skip].text in ("номер", "no", "nr", "n", "н")
    ):
        skip += 1
    k = j + skip
    if (
        k < len(tokens)
        and tokens[k].kind == "num"
        and tokens[k].text.isdigit()
        and not tokens[k].used
    ):
        # A number followed by a unit or an item word is a quantity, not the place's number:
        # "для укриття 50 ковдр". Only a marked number ("№ 2") or a short one counts.
        following = tokens[k + 1].text if k + 1 < len(tokens) else ""
        if not skip and (int(tokens[k].text) > 99 or _is_unit_word(following)):
            return None
        return int(tokens[k].text), skip + 1
    return None


def _ordinal_before(tokens: Sequence[Token], i: int) -> int | None:
    if not i or tokens[i - 1].used or tokens[i - 1].kind != "word":
        return None
    word = tokens[i - 1].text
    for stem_, value in lexicon.ORDINALS.items():
        if word.startswith(stem_) and len(word) - len(stem_) <= 3:
            return value
    return None


def _is_unit_word(word: str) -> bool:
    return any(matches(word, p.stems[0]) for p in UNITS if len(p.stems[0]) > 2)


def _find_items(tokens: list[Token], patterns: Sequence[Pattern]) -> list[tuple[int, int, Pattern]]:
    found: list[tuple[int, int, Pattern]] = []
    for fuzzy in (False, True):
        i = 0
        while i < len(tokens):
            hit = None
            for pattern in patterns:
                n = _match_at(tokens, i, pattern, fuzzy=fuzzy)
                if n:
                    hit = (i, n, pattern)
                    break
            if hit is None:
                i += 1
                continue
            found.append(hit)
            _use(tokens, hit[0], hit[1])
            i += hit[1]
    return sorted(found, key=lambda h: h[0])


def _find_unit(tokens: Sequence[Token], i: int) -> tuple[str, int] | None:
    """A unit word at token ``i``."""
    if i >= len(tokens) or tokens[i].kind != "word":
        return None
    word = tokens[i].text
    for pattern in UNITS:
        s = pattern.stems[0]
        if s in lexicon.UNIT_AFTER_NUMBER_ONLY or len(s) <= 2:
            if word == s or (s == "пар" and word in ("пар", "пари", "пару", "пары")):
                return str(pattern.target), 1
        elif matches(word, s):
            return str(pattern.target), 1
    return None


def _find_priority(tokens: list[Token]) -> str | None:
    found = None
    for priority in ("low", "critical", "high"):
        for phrase in lexicon.PRIORITY_PATTERNS[priority]:
            stems = tuple(normalise_word(w) for w in phrase.split())
            for i in range(len(tokens)):
                n = _exact_at(tokens, i, stems)
                if n:
                    _use(tokens, i, n)
                    found = found or priority
        if found:
            return found
    return None


def _exact_at(tokens: Sequence[Token], i: int, words: tuple[str, ...]) -> int:
    for k, word in enumerate(words):
        if i + k >= len(tokens) or tokens[i + k].used:
            return 0
        token = tokens[i + k].text
        if not (token == word or (len(word) >= 6 and matches(token, word))):
            return 0
    return len(words)


# The parser ---------------------------------------------------------------------------------


class NeedParser:
    """Built once per catalogue (the patterns), used for every message."""

    def __init__(self, items: Iterable[ItemRef]) -> None:
        self.items = list(items)
        self.patterns = item_patterns(self.items)

    def parse(
        self, text: str, *, places: Sequence[PlaceRef] = (), today: datetime.date | None = None
    ) -> Proposal:
        today = today or datetime.date.today()  # noqa: DTZ011 -- callers pass the local date
        tokens = tokenize(text)
        proposal = Proposal()
        proposal.priority = _find_priority(tokens)
        proposal.needed_by = _find_dates(tokens, today)
        proposal.place, proposal.place_choices = _find_places(tokens, places)
        hits = _find_items(tokens, self.patterns)
        chosen = self._choose_item(tokens, hits)
        if chosen is not None:
            start, length, pattern = chosen
            proposal.item = pattern.target  # type: ignore[assignment]
            proposal.unit = pattern.unit
            # "хліба 150 буханок": the item named twice, the second time as its unit.
            for s, n, p in hits:
                if p.target is proposal.item and s != start:
                    _use(tokens, s, n, used=False)
            hits = [h for h in hits if h[2].target is not proposal.item or h[0] == start]
            self._quantity(tokens, proposal, start, length)
            others = []
            for _s, _l, p in hits:
                if p.target is not proposal.item and p.target not in others:
                    others.append(p.target)
            proposal.other_items = others  # type: ignore[assignment]
        else:
            self._quantity(tokens, proposal, len(tokens), 0)
        proposal.unparsed = _leftovers(text, tokens, hits, chosen)
        return proposal

    def _choose_item(
        self, tokens: Sequence[Token], hits: list[tuple[int, int, Pattern]]
    ) -> tuple[int, int, Pattern] | None:
        if not hits:
            return None
        # A word that is also a unit ("мішків", "буханок") names the item only when nothing
        # else does: in "50 мішків піску" the sand is the item and the bags its unit.
        plain = [h for h in hits if not _is_unit_word(tokens[h[0]].text) or h[2].unit]
        if len(hits) > 1 and plain and len(plain) < len(hits):
            unit_hits = [h for h in hits if h not in plain]
            chosen = plain[0]
            for h in unit_hits:
                tokens[h[0]].used = False  # give the word back: it is the unit
            return chosen
        return hits[0]

    def _quantity(self, tokens: list[Token], proposal: Proposal, start: int, length: int) -> None:
        numbers: list[tuple[int, int, Decimal]] = []
        i = 0
        while i < len(tokens):
            value, n = _number_value(tokens, i)
            if value is not None and n and value > 0:
                numbers.append((i, n, value))
                i += n
            else:
                i += 1
        if not numbers:
            if proposal.unit is None:
                proposal.unit = self._unit_anywhere(tokens)
            return

        def words_between(first: int, last: int) -> int:
            return sum(
                1
                for t in tokens[max(first, 0) : max(last, 0)]
                if not t.used and t.text not in lexicon.STOPWORDS and t.kind != "sym"
            )

        def distance(entry: tuple[int, int, Decimal]) -> tuple[int, int, int]:
            """The number that belongs to the item: the nearest to it (skipping words like
            "of"), then one before it ("50 упаковок інсуліну"), then one with a unit."""
            i, n, _value = entry
            after = i + n
            unit = _find_unit(tokens, after)
            if unit is not None:
                after += 1
            before = after <= start
            gap = words_between(after, start) if before else words_between(start + length, i)
            return (gap, 0 if before else 1, 0 if unit else 1)

        i, n, value = min(numbers, key=distance)
        proposal.quantity = value
        _use(tokens, i, n)
        unit = _find_unit(tokens, i + n)
        if unit is not None and not tokens[i + n].used:
            proposal.unit = unit[0]
            tokens[i + n].used = True
        elif unit is None and proposal.unit is None:
            proposal.unit = self._unit_anywhere(tokens)

    @staticmethod
    def _unit_anywhere(tokens: list[Token]) -> str | None:
        for i, token in enumerate(tokens):
            if token.used or token.kind != "word" or len(token.text) <= 3:
                continue
            previous = tokens[i - 1] if i else None
            if previous is not None and (
                previous.kind in ("num", "range") or previous.text in lexicon.NUMBER_WORDS
            ):
                continue  # "20 pairs of gloves": the unit of another number, another item
            unit = _find_unit(tokens, i)
            if unit is not None:
                token.used = True
                return unit[0]
        return None


def _leftovers(
    text: str,
    tokens: Sequence[Token],
    hits: list[tuple[int, int, Pattern]],
    chosen: tuple[int, int, Pattern] | None,
) -> list[str]:
    """What the parser did not understand, as phrases of the original text."""
    other_spans = {
        k for start, n, _p in hits if (start, n, _p) != chosen for k in range(start, start + n)
    }
    phrases: list[str] = []
    current: list[Token] = []
    for k, token in enumerate(tokens):
        unknown = (not token.used or k in other_spans) and token.kind != "sym"
        if unknown and token.text in lexicon.STOPWORDS and k not in other_spans:
            unknown = False
        if unknown:
            current.append(token)
        elif current:
            phrases.append(text[current[0].start : current[-1].end])
            current = []
    if current:
        phrases.append(text[current[0].start : current[-1].end])
    return phrases
