"""The engine's own ranking over every record, without the index: the quality ceiling.

``index.search`` gathers candidates through the token index (keys, postings read within a
birth-year window, budgets) and then ranks them with ``index.score_record``. This module
scores *every* record with the same features and the same formula (names across scripts
after folding to one Latin spelling, the same similarity, rarity weights, birth year, sex,
place), vectorised with NumPy and RapidFuzz so that a million records take a fraction of a
second per query. Whatever it finds and the engine does not was lost by the index.

Used by ``bench/tracing.py`` and by the tests that hold the engine to it; not by the site.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from hromada.tracing.names import index
from hromada.tracing.names.phonetic import (
    SKELETON_FACTOR,
    _name_groups,
    name_groups,
    other_skeletons,
    skeleton,
    tokens,
)

FIELDS = {"given": 0, "family": 1, "patronymic": 2, "other": 3}
SEXES = {"": 0, "female": 1, "male": 2, "other": 3}


@dataclass
class Ranked:
    record_ids: list[int]
    scores: list[float]


class Exhaustive:
    """Every record in memory, as the columns ``index.RECORD_COLUMNS`` give them."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        vocab: dict[str, int] = {}
        ids: list[int] = []
        toks: list[list[int]] = []
        fields: list[list[int]] = []
        years: list[int] = []
        sexes: list[int] = []
        places: dict[str, int] = {}
        place_of: list[int] = []
        df: dict[int, int] = {}
        for row in rows:
            ids.append(row["id"])
            record = index.record_tokens(
                row["given_name"], row["family_name"], row["patronymic"], row["other_names"]
            )
            t_row, f_row = [], []
            for fname, token in record:
                t = vocab.setdefault(token, len(vocab))
                t_row.append(t)
                f_row.append(FIELDS[fname])
                if fname != "patronymic":  # the index files no patronymics (see index_records)
                    df[t] = df.get(t, 0) + 1
            toks.append(t_row)
            fields.append(f_row)
            years.append(index._birth_year(row) or 0)
            sexes.append(SEXES.get(row["sex"] or "", 0))
            place = row["last_seen_place"] or ""
            place_of.append(places.setdefault(place, len(places)))
        n = len(ids)
        width = max((len(t) for t in toks), default=1) or 1
        self.n = n
        self.ids = np.array(ids, dtype=np.int64)
        self.tok = np.full((n, width), -1, dtype=np.int32)
        self.field = np.full((n, width), -1, dtype=np.int8)
        for i, (t_row, f_row) in enumerate(zip(toks, fields, strict=True)):
            self.tok[i, : len(t_row)] = t_row
            self.field[i, : len(f_row)] = f_row
        self.main = (self.field == 0) | (self.field == 1)
        self.n_main = self.main.sum(axis=1)
        self.years = np.array(years, dtype=np.int32)
        self.sexes = np.array(sexes, dtype=np.int8)
        self.place_of = np.array(place_of, dtype=np.int32)
        self.places = list(places)
        self.vocab = list(vocab)
        self.vocab_index = vocab
        self.df = np.zeros(len(vocab) + 1, dtype=np.int64)  # the last slot: padding
        for t, count in df.items():
            self.df[t] = count
        # Every reading of every vocabulary token's skeleton, flattened, with its owner.
        readings: list[str] = []
        starts: list[int] = []
        for text in self.vocab:
            starts.append(len(readings))
            readings.extend(sorted({skeleton(text), *other_skeletons(text)}))
        self.readings = readings
        self.starts = np.array(starts, dtype=np.int64)
        by_group: dict[str, list[int]] = {}
        groups = _name_groups()
        for t, text in enumerate(self.vocab):
            for group in groups.get(skeleton(text), ()):
                by_group.setdefault(group, []).append(t)
        self.by_group = {g: np.array(v, dtype=np.int64) for g, v in by_group.items()}

    def similarities(self, text: str) -> np.ndarray:
        """``phonetic.similarity(text, t)`` for every vocabulary token t (and 0 for padding)."""
        v = len(self.vocab)
        jw = process.cdist([text], self.vocab, scorer=JaroWinkler.normalized_similarity,
                           dtype=np.float64)[0]  # fmt: skip
        lev = np.zeros(v, dtype=np.float64)
        if v:
            keys = sorted({skeleton(text), *other_skeletons(text)})
            per_key = process.cdist(keys, self.readings, scorer=Levenshtein.normalized_similarity,
                                    dtype=np.float64)  # fmt: skip
            lev = np.maximum.reduceat(per_key.max(axis=0), self.starts)
        sims = np.maximum(jw, SKELETON_FACTOR * lev)
        for group in name_groups(text):
            members = self.by_group.get(group)
            if members is not None:
                sims[members] = np.maximum(sims[members], 0.9)
        if text in self.vocab_index:
            sims[self.vocab_index[text]] = 1.0
        return np.append(sims, 0.0)  # padding (-1) reads the last slot

    def rank(self, query: index.Query, *, limit: int = 10) -> Ranked:
        """The ``limit`` best records for ``query`` by ``index.score_record``, over all."""
        scores = self.scores(query)
        if query.exclude:
            scores[np.isin(self.ids, list(query.exclude))] = -1.0
        k = min(limit, self.n)
        if not k:
            return Ranked([], [])
        # The best k by (-score, id), as the engine sorts its hits.
        top = np.argpartition(-scores, k - 1)[:k]
        cutoff = scores[top].min()
        tied = np.flatnonzero(scores >= cutoff)
        order = np.lexsort((self.ids[tied], -scores[tied]))[:k]
        chosen = tied[order]
        return Ranked(self.ids[chosen].tolist(), scores[chosen].tolist())

    def scores(self, query: index.Query) -> np.ndarray:
        texts = list(dict.fromkeys(tokens(query.text)))[:8]
        n_records = max(self.n, 1)
        matched = np.zeros(self.n, dtype=np.float64)
        used = np.zeros(self.tok.shape, dtype=bool)
        total_weight = 0.0
        rows = np.arange(self.n)
        for text in texts:
            sims = self.similarities(text)
            # The weight as the engine gives it (``index.token_weight``), from every close
            # spelling, reachable through the index's keys or not.
            close = (sims[:-1] >= index.MIN_SIMILARITY) & (self.df[:-1] > 0)
            weight = index.token_weight(
                list(zip(sims[:-1][close].tolist(), self.df[:-1][close].tolist(), strict=True)),
                n_records,
            )
            total_weight += weight
            s = sims[self.tok]  # records x tokens
            j = s.argmax(axis=1)
            best_s = s[rows, j]
            hit = best_s >= index.MIN_SIMILARITY
            matched += np.where(hit, weight * best_s, 0.0)
            used[rows[hit], j[hit]] = True
        name = matched / total_weight if total_weight else np.zeros(self.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            coverage = np.where(self.n_main > 0, (used & self.main).sum(axis=1) / self.n_main, 0.0)
        name_score = 0.8 * name + 0.2 * coverage
        if query.birth_year:
            diff = np.abs(self.years - query.birth_year)
            birth = np.select([diff == 0, diff == 1, diff == 2, diff == 3], [1.0, 0.8, 0.55, 0.3],
                              0.0)  # fmt: skip
            birth = np.where(self.years == 0, 0.5, birth)
        else:
            birth = np.full(self.n, 0.5)
        if query.sex:
            wanted = SEXES.get(query.sex, 0)
            sex = np.where(self.sexes == 0, 0.5, (self.sexes == wanted).astype(np.float64))
        else:
            sex = np.full(self.n, 0.5)
        if query.place:
            place_scores = np.array([_place(query.place, p) for p in self.places] or [0.5])
            place = place_scores[self.place_of]
        else:
            place = np.full(self.n, 0.5)
        score = 0.62 * name_score + 0.22 * birth + 0.06 * sex + 0.10 * place
        return np.round(score, 4)


def _place(query_place: str, record_place: str) -> float:
    return index.place_similarity(query_place, record_place) if record_place else 0.5


def load(chunk: int = 200_000) -> Exhaustive:
    """Every record of the database, read in chunks."""
    from django.db import connection

    columns = ", ".join(index.RECORD_COLUMNS)

    def rows() -> Iterable[dict[str, Any]]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {index.T_RECORD} ORDER BY id")  # noqa: S608
            while batch := cursor.fetchmany(chunk):
                for r in batch:
                    yield dict(zip(index.RECORD_COLUMNS, r, strict=True))

    return Exhaustive(rows())


def ranked_many(ex: Exhaustive, queries: Sequence[index.Query], limit: int = 10) -> list[Ranked]:
    return [ex.rank(q, limit=limit) for q in queries]
