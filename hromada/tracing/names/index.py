"""The name index in the database, and search over it.

Whole-name trigram search does not hold at a million records. Instead:

1. Vocabulary: each distinct folded spelling is a ``NameToken``, filed under keys
   (``NameKey``): its phonetic skeleton with every one-letter deletion, and ``=name`` for the
   given names it is a form of. A query token finds its spellings by exact key lookups,
   which any database does in microseconds; when none is close enough, a trigram index over
   the vocabulary (SQLite FTS5, PostgreSQL pg_trgm) is asked instead.
2. Postings: (token, birth year, record). A search reads the postings of its rarest tokens
   first, within a birth-year window when it has one, and stops reading once it has enough.
3. Re-ranking: the best candidates are scored on the whole name (every token, any order),
   birth year, sex and place, with the reasons in words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from hromada.tracing.models import NameKey, NamePosting, NameToken, PersonRecord
from hromada.tracing.names.phonetic import (
    _tokens,
    index_keys,
    looks_patronymic,
    readings,
    similarity,
    tokens,
)
from hromada.tracing.names.translit import fold

TOKEN_MAX = 64
MIN_SIMILARITY = 0.75  # a spelling less alike than this is another name
SPELLINGS_PER_TOKEN = 40
POSTINGS_BUDGET = 20_000  # rows read per search, at most, before re-ranking
FOLLOW_BUDGET = 5_000  # rows of any further token (the rarest is read up to the budget)
CHECK_MAX = 5_000  # gathered records in which a token too common to read is looked up
RERANK = 300  # candidates re-ranked on the whole record
YEAR_WINDOW = 3
CHUNK = 900  # ids per IN (...): under SQLite's variable limit with room to spare

T_TOKEN = NameToken._meta.db_table
T_KEY = NameKey._meta.db_table
T_POSTING = NamePosting._meta.db_table
T_RECORD = PersonRecord._meta.db_table


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ",".join(["%s"] * n)


def record_tokens(
    given: str, family: str, patronymic: str = "", other: str = ""
) -> list[tuple[str, str]]:
    """(field, folded token) for a record's names; a token appears once."""
    seen: set[str] = set()
    result = []
    fields = (("given", given), ("family", family), ("patronymic", patronymic))
    for name, text in fields if patronymic else fields[:2]:
        for token in _tokens(text):
            if token not in seen:
                seen.add(token)
                result.append((name, token[:TOKEN_MAX]))
    for token in _tokens(other) if other else ():
        if token not in seen:
            seen.add(token)
            result.append(("other", token[:TOKEN_MAX]))
    return result


def token_ids(texts: Iterable[str]) -> dict[str, int]:
    """Ids of these spellings in the vocabulary, adding the new ones with their keys."""
    wanted = sorted({t[:TOKEN_MAX] for t in texts})
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        found.update(NameToken.objects.filter(text__in=chunk).values_list("text", "id"))
    missing = [t for t in wanted if t not in found]
    if missing:
        # ignore_conflicts: another import may add the same spelling at the same moment.
        for chunk in _chunks(missing, 5000):
            NameToken.objects.bulk_create(
                [NameToken(text=t, readings=" ".join(sorted(readings(t)))) for t in chunk],
                ignore_conflicts=True,
            )
        added: dict[str, int] = {}
        for chunk in _chunks(missing):
            added.update(NameToken.objects.filter(text__in=chunk).values_list("text", "id"))
        keys = [(key, added[t]) for t in missing for key in index_keys(t)]
        with connection.cursor() as cursor:
            for chunk in _chunks(keys, 20_000):
                cursor.executemany(
                    f"INSERT INTO {T_KEY} (key, token_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
                    chunk,
                )
        found.update(added)
    return found


def index_records(rows: Sequence[tuple[int, str, str, str, str, int | None]]) -> int:
    """File records in the index: (id, given, family, patronymic, other names, birth year).

    Patronymics are not filed: they are too common to find anyone by, and the re-ranking
    reads them from the record. Call inside the transaction that wrote the records. Returns
    the postings written.
    """
    per_record = [(row[0], row[5], record_tokens(row[1], row[2], "", row[4])) for row in rows]
    ids = token_ids(t for _r, _y, toks in per_record for _f, t in toks)
    postings = [(ids[t], rid, year) for rid, year, toks in per_record for _f, t in toks]
    # In index order, so that each insert lands next to the last one in the B-tree.
    postings.sort()
    counts = Counter(token for token, _r, _y in postings)
    with connection.cursor() as cursor:
        for chunk in _chunks(postings, 50_000):
            cursor.executemany(
                f"INSERT INTO {T_POSTING} (token_id, record_id, birth_year) VALUES (%s, %s, %s)",  # noqa: S608
                chunk,
            )
        cursor.executemany(
            f"UPDATE {T_TOKEN} SET df = df + %s WHERE id = %s",  # noqa: S608
            [(n, token) for token, n in counts.items()],
        )
    cache.delete(RECORD_COUNT_KEY)
    return len(postings)


@transaction.atomic
def unindex_records(record_ids: Sequence[int]) -> None:
    """Take records out of the index (before re-filing them, or when they are deleted)."""
    with connection.cursor() as cursor:
        for chunk in _chunks(list(record_ids)):
            cursor.execute(
                f"SELECT token_id, COUNT(*) FROM {T_POSTING} WHERE record_id IN ({_marks(len(chunk))}) "  # noqa: S608
                "GROUP BY token_id",
                list(chunk),
            )
            counts = cursor.fetchall()
            cursor.executemany(
                f"UPDATE {T_TOKEN} SET df = df - %s WHERE id = %s",  # noqa: S608
                [(n, t) for t, n in counts],
            )
            cursor.execute(
                f"DELETE FROM {T_POSTING} WHERE record_id IN ({_marks(len(chunk))})",  # noqa: S608
                list(chunk),
            )
    cache.delete(RECORD_COUNT_KEY)


def reindex(record: PersonRecord) -> None:
    unindex_records([record.pk])
    index_records(
        [
            (
                record.pk,
                record.given_name,
                record.family_name,
                record.patronymic,
                record.other_names,
                record.known_birth_year,
            )
        ]
    )


RECORD_COUNT_KEY = "tracing:indexed-records"


def _record_count() -> int:
    count = cache.get(RECORD_COUNT_KEY)
    if count is None:
        count = PersonRecord.objects.count()
        cache.set(RECORD_COUNT_KEY, count, 300)
    return max(int(count), 1)


def idf(df: int, n: int) -> float:
    return math.log((n + 1) / (df + 1)) + 1.0


# Searching ------------------------------------------------------------------------------


@dataclass
class Spelling:
    token_id: int
    text: str
    df: int
    similarity: float


@dataclass
class QueryToken:
    text: str
    spellings: list[Spelling]
    weight: float = 1.0
    written: str = ""  # as the searcher typed it

    @property
    def cost(self) -> int:
        return sum(s.df for s in self.spellings)


@dataclass
class Hit:
    record_id: int
    score: float
    reasons: list[dict[str, Any]] = field(default_factory=list)


def _trigram_spellings(text: str) -> list[tuple[int, str, int, str]]:
    """Vocabulary spellings that share trigrams with ``text`` (for two or more typos)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id, text, df, readings FROM {T_TOKEN} WHERE text %% %s "  # noqa: S608
                "ORDER BY similarity(text, %s) DESC LIMIT 30",
                [text, text],
            )
        elif connection.vendor == "sqlite":
            grams = {text[i : i + 3] for i in range(len(text) - 2)}
            if not grams:
                return []
            expression = " OR ".join(f'"{g}"' for g in sorted(grams))
            cursor.execute(
                f"SELECT t.id, t.text, t.df, t.readings FROM {T_TOKEN}_fts f JOIN {T_TOKEN} t ON t.id = f.rowid "  # noqa: S608
                f"WHERE {T_TOKEN}_fts MATCH %s ORDER BY f.rank LIMIT 30",
                [expression],
            )
        else:
            return []
        return list(cursor.fetchall())


def _stored(text: str, stored: str) -> frozenset[str]:
    """A spelling's readings as the vocabulary keeps them (worked out if not yet kept)."""
    return frozenset(stored.split()) if stored else readings(text)


def expand(text: str) -> QueryToken:
    """The vocabulary spellings close to one query token, most alike first."""
    keys = sorted(index_keys(text))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT t.id, t.text, t.df, t.readings FROM {T_KEY} k "  # noqa: S608
            f"JOIN {T_TOKEN} t ON t.id = k.token_id WHERE k.key IN ({_marks(len(keys))})",
            keys,
        )
        rows = cursor.fetchall()
    spellings = [
        Spelling(i, t, df, similarity(text, t, _stored(t, stored)))
        for i, t, df, stored in rows
        if df > 0
    ]
    spellings = [s for s in spellings if s.similarity >= MIN_SIMILARITY]
    if not spellings and not looks_patronymic(text):
        # Patronymics are not filed (see ``index_records``): no use looking for one.
        spellings = [
            Spelling(i, t, df, similarity(text, t, _stored(t, stored)))
            for i, t, df, stored in _trigram_spellings(text)
            if df > 0
        ]
        spellings = [s for s in spellings if s.similarity >= MIN_SIMILARITY]
    spellings.sort(key=lambda s: (-s.similarity, s.df))
    if spellings:
        best = spellings[0].similarity
        spellings = [s for s in spellings if s.similarity >= best - 0.2][:SPELLINGS_PER_TOKEN]
    return QueryToken(text, spellings)


def _read_postings(
    spellings: list[Spelling], year: int | None
) -> list[tuple[int, int, int | None]]:  # (record_id, token_id, birth_year)
    ids = [s.token_id for s in spellings]
    result: list[tuple[int, int, int | None]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            if year is None:
                cursor.execute(
                    f"SELECT record_id, token_id, birth_year FROM {T_POSTING} WHERE token_id IN ({_marks(len(chunk))})",  # noqa: S608
                    list(chunk),
                )
                result.extend(cursor.fetchall())
            else:
                cursor.execute(
                    f"SELECT record_id, token_id, birth_year FROM {T_POSTING} WHERE token_id IN ({_marks(len(chunk))}) "  # noqa: S608
                    "AND birth_year BETWEEN %s AND %s",
                    [*chunk, year - YEAR_WINDOW, year + YEAR_WINDOW],
                )
                result.extend(cursor.fetchall())
                cursor.execute(
                    f"SELECT record_id, token_id, birth_year FROM {T_POSTING} WHERE token_id IN ({_marks(len(chunk))}) "  # noqa: S608
                    "AND birth_year IS NULL",
                    list(chunk),
                )
                result.extend(cursor.fetchall())
    return result


def _postings_among(
    spellings: list[Spelling], record_ids: Iterable[int]
) -> list[tuple[int, int]]:  # (record_id, token_id)
    """Which of these records have one of these spellings (through the postings' record
    index: a few rows a record)."""
    ids = [s.token_id for s in spellings]
    result: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(record_ids)):
            cursor.execute(
                f"SELECT record_id, token_id FROM {T_POSTING} WHERE record_id IN ({_marks(len(chunk))}) "  # noqa: S608
                # "+": by the record index, not the token's (which holds every Олександр).
                f"AND +token_id IN ({_marks(len(ids))})",
                [*chunk, *ids],
            )
            result.extend(cursor.fetchall())
    return result


RECORD_COLUMNS = (
    "id", "given_name", "family_name", "patronymic", "other_names", "sex", "birth_year",
    "birth_date", "age_estimate", "created_at", "last_seen_place",
)  # fmt: skip


@dataclass
class Query:
    text: str
    birth_year: int | None = None
    sex: str = ""
    place: str = ""
    exclude: frozenset[int] = frozenset()


def candidates(query: Query, qtokens: list[QueryToken]) -> dict[int, float]:
    """Records that share spellings with the query, with a first score (rarity-weighted)."""
    by_token: dict[int, tuple[int, float]] = {}  # token id -> (query token index, weighted sim)
    for i, qt in enumerate(qtokens):
        for s in qt.spellings:
            # The token's own rarity, not the spelling's: a rare misspelling of a common
            # name must not outweigh the name written right.
            weighted = s.similarity * qt.weight
            if weighted > by_token.get(s.token_id, (i, 0.0))[1]:
                by_token[s.token_id] = (i, weighted)
    fraction = (2 * YEAR_WINDOW + 1) / 80 if query.birth_year else 1.0
    # Per query token: record -> its best weighted similarity among the record's tokens.
    matched: list[dict[int, float]] = [{} for _ in qtokens]
    # Namesakes are many at a million records: the birth year decides among them already
    # here, so that the right ones reach the re-ranking.
    years: dict[int, float] = {}
    wanted_year = query.birth_year
    budget = POSTINGS_BUDGET
    read_any = False
    for qt in sorted(qtokens, key=lambda q: q.cost):
        expected = qt.cost * fraction
        if read_any and expected > min(budget, FOLLOW_BUDGET):
            # Too common to read whole (Олександр with no birth year: 50,000 records at a
            # million). It still decides among the records gathered so far, when they are
            # more than the re-ranking takes: look it up in those.
            gathered = set().union(*matched)
            if RERANK < len(gathered) <= CHECK_MAX:
                for record_id, token_id in _postings_among(qt.spellings, gathered):
                    i, weighted = by_token[token_id]
                    row = matched[i]
                    if weighted > row.get(record_id, 0.0):
                        row[record_id] = weighted
            continue
        read_any = True
        for record_id, token_id, year in _read_postings(qt.spellings, wanted_year):
            i, weighted = by_token[token_id]
            row = matched[i]
            if weighted > row.get(record_id, 0.0):
                row[record_id] = weighted
            if wanted_year and record_id not in years:
                years[record_id] = (
                    YEAR_BONUS.get(abs(wanted_year - year), 0.0) if year else UNKNOWN_YEAR
                )
        budget -= int(expected)
    scores: dict[int, float] = dict(years) if wanted_year else {}
    for row in matched:
        for record_id, weighted in row.items():
            scores[record_id] = scores.get(record_id, 0.0) + weighted
    for record_id in query.exclude:
        scores.pop(record_id, None)
    return scores


YEAR_BONUS = {0: 2.0, 1: 1.2, 2: 0.5}  # in units of rarity (idf): a common name is about 4-6
UNKNOWN_YEAR = 0.6


@lru_cache(maxsize=500_000)
def _sim(a: str, b: str) -> float:
    return similarity(a, b)


@lru_cache(maxsize=10_000)
def place_similarity(asked: str, recorded: str) -> float:
    """How alike two places are (the best pair of their words), 0 when not alike enough."""
    best = max((_sim(a, b) for a in tokens(asked) for b in tokens(recorded)), default=0.0)
    return best if best >= MIN_SIMILARITY else 0.0


def _as_written(*texts: str) -> dict[str, str]:
    """Folded token -> the word as it was written, for reasons a caseworker reads."""
    return {
        fold(part)[:TOKEN_MAX]: part for text in texts for part in _WORDS.split(text or "") if part
    }


_WORDS = re.compile(r"[\s,;/()\-–—.\"«»]+")


def _birth_year(row: dict[str, Any]) -> int | None:
    if row["birth_date"]:
        return int(str(row["birth_date"])[:4])
    if row["birth_year"]:
        return int(row["birth_year"])
    if row["age_estimate"] is not None and row["created_at"]:
        return int(str(row["created_at"])[:4]) - int(row["age_estimate"])
    return None


def score_record(
    query: Query, qtokens: list[QueryToken], row: dict[str, Any], *, explain: bool = True
) -> tuple[float, list[dict[str, Any]]]:
    """Score one record against the query, 0..1, with the reasons (none unless ``explain``:
    the re-ranking explains only the hits it returns)."""
    fields = record_tokens(
        row["given_name"], row["family_name"], row["patronymic"], row["other_names"]
    )
    written = (
        _as_written(row["given_name"], row["family_name"], row["patronymic"], row["other_names"])
        if explain
        else {}
    )
    reasons: list[dict[str, Any]] = []
    total_weight = matched = 0.0
    used: set[str] = set()
    for qt in qtokens:
        best, best_token, best_field = 0.0, "", ""
        for fname, rt in fields:
            s = _sim(qt.text, rt)
            if s > best:
                best, best_token, best_field = s, rt, fname
        total_weight += qt.weight
        if best >= MIN_SIMILARITY:
            matched += qt.weight * best
            used.add(best_token)
            reasons.append(
                {
                    "kind": "name",
                    "field": best_field,
                    "query": qt.written or qt.text,
                    "record": written.get(best_token, best_token),
                    "score": round(best, 2),
                }
            )
    name = matched / total_weight if total_weight else 0.0
    main = [t for f, t in fields if f in ("given", "family")]
    coverage = sum(1 for t in main if t in used) / len(main) if main else 0.0
    name_score = 0.8 * name + 0.2 * coverage

    year = _birth_year(row)
    if query.birth_year and year:
        diff = abs(query.birth_year - year)
        birth = {0: 1.0, 1: 0.8, 2: 0.55, 3: 0.3}.get(diff, 0.0)
        reasons.append({"kind": "birth", "query": query.birth_year, "record": year, "diff": diff})
    else:
        birth = 0.5
    if query.sex and row["sex"]:
        sex = 1.0 if query.sex == row["sex"] else 0.0
        reasons.append({"kind": "sex", "same": bool(sex)})
    else:
        sex = 0.5
    place = 0.5
    if query.place and row["last_seen_place"]:
        place = place_similarity(query.place, row["last_seen_place"])
        if place:
            reasons.append({"kind": "place", "record": row["last_seen_place"]})
    score = 0.62 * name_score + 0.22 * birth + 0.06 * sex + 0.10 * place
    return round(score, 4), reasons


def query_tokens(query: Query) -> list[QueryToken]:
    """The query's name tokens, each with its spellings in the vocabulary and its weight."""
    texts = list(dict.fromkeys(tokens(query.text)))[:8]
    typed = _as_written(query.text)
    qtokens = [expand(t) for t in texts]
    for qt in qtokens:
        qt.written = typed.get(qt.text, "")
    n = _record_count()
    for qt in qtokens:
        qt.weight = token_weight([(s.similarity, s.df) for s in qt.spellings], n)
    return qtokens


WEIGHT_BAND = 0.1


def token_weight(spellings: Sequence[tuple[float, int]], n: int) -> float:
    """How much a query token tells: the rarity of the records it finds, counting every
    spelling nearly as alike as the best (a name and its transliterations, not the rare
    misspellings a million records always hold, which would make every name look rare).
    A word in no record's name (a patronymic, a typo beyond repair) weighs little."""
    if not spellings:
        return 1.0
    best = max(sim for sim, _df in spellings)
    return idf(sum(df for sim, df in spellings if sim >= best - WEIGHT_BAND), n)


def rerank(
    query: Query, qtokens: list[QueryToken], record_ids: Sequence[int], *, explain: int = 10**9
) -> list[Hit]:
    """Score these records on the whole record, best first; the first ``explain`` with
    their reasons."""
    if not record_ids:
        return []
    columns = ", ".join(RECORD_COLUMNS)
    rows: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(list(record_ids)):
            cursor.execute(
                f"SELECT {columns} FROM {T_RECORD} WHERE id IN ({_marks(len(chunk))})",  # noqa: S608
                list(chunk),
            )
            rows.extend(dict(zip(RECORD_COLUMNS, r, strict=True)) for r in cursor.fetchall())
    scored = sorted(
        ((score_record(query, qtokens, row, explain=False)[0], row) for row in rows),
        key=lambda pair: (-pair[0], pair[1]["id"]),
    )
    return [
        Hit(row["id"], *score_record(query, qtokens, row)) if i < explain else Hit(row["id"], score)
        for i, (score, row) in enumerate(scored)
    ]


def search(query: Query, *, limit: int = 10) -> list[Hit]:
    """Records ranked for a query, best first, each with a score 0..1 and its reasons."""
    qtokens = query_tokens(query)
    qtokens_found = [qt for qt in qtokens if qt.spellings]
    if not qtokens_found:
        return []
    first = candidates(query, qtokens_found)
    top = sorted(first, key=lambda r: -first[r])[:RERANK]
    return rerank(query, qtokens, top, explain=limit)[:limit]
