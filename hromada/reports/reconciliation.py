"""Reconcile the claims about one metric, for one area, at one cutoff. No database here:
rows in, a JSON-ready answer out, so a page, the API, a frozen sitrep and the benchmark
all reconcile the same way.

The rules (DESIGN.md, "Figures are claims"):

1. Eligible: as of the cutoff or earlier, not retracted, not superseded by the same
   source's newer figure, not discounted by us.
2. Comparable: about this very area (and its control scope), measured the metric's own way
   (a cumulative count, or a snapshot for stocks). Everything else (a larger or smaller
   area, a day's figure, the other side of the front line) is listed with the reason it
   differs, and never added.
3. One latest claim per source. Cumulative figures from different dates are never summed:
   the latest stands.
4. The reference figure is the designated recorder's (OHCHR, UNHCR); the documented floor
   is the highest minimum among verified records and documented counts (including our
   incident-by-incident tally of confirmed and fairly graded incidents); the highest claim
   is shown with its basis and whether a party to the conflict made it.
5. Independent sources are counted by origin: an outlet repeating OHCHR is OHCHR.
6. The only sums: casualties = killed + injured (or injured = casualties − killed) within
   one document, and government-controlled + other territory when one source gives both
   as of the very same time. They are labelled derived.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hromada.reports import metrics
from hromada.reports.figures import Qualifier, maximum_of, minimum_of, value_of

DOCUMENTED = ("verified_records", "documented_count")
GRADED_FOR_FLOOR = ("confirmed", "fair")
RELIABILITY_ORDER = "ABCDEF"
PERSONAL_KINDS = ("social_media", "eyewitness", "own_team")


@dataclass(frozen=True, slots=True)
class AreaRef:
    id: int
    code: str
    path: str
    name_uk: str
    name_en: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "name_uk": self.name_uk, "name_en": self.name_en}


@dataclass(slots=True)
class ClaimRow:
    """One claim with everything reconciliation needs, flattened from a query."""

    id: int | None
    document_id: int
    source_id: int
    source_name_uk: str
    source_name_en: str
    source_kind: str
    source_party: str | None
    source_reliability: str
    source_recorder_for: list[str]
    source_group: str
    origin_id: int
    origin_name_uk: str
    origin_name_en: str
    origin_kind: str
    origin_group: str
    metric: str
    party: str | None
    incident_id: int | None
    incident_code: str | None
    incident_status: str | None
    incident_grade: str | None
    area_id: int | None
    area_code: str | None
    area_path: str  # "" for the whole country
    area_name_uk: str
    area_name_en: str
    control: str
    measure: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    as_of: datetime.datetime
    low: int | None
    best: int | None
    high: int | None
    qualifier: str
    words: str
    basis: str
    undercount: bool
    caveat: str
    supersedes_id: int | None
    part_of_id: int | None
    source_status: str
    assessment: str
    created_at: datetime.datetime
    document_title: str
    document_url: str
    document_published_at: datetime.datetime | None
    derived_from: tuple[int, ...] = field(default=())
    # Worked out once per row (a row about the whole country is listed in every area's
    # reconciliation): its scope, its JSON without reasons, its reasons that never vary.
    scope: tuple[Any, ...] = field(init=False, default=(), compare=False, repr=False)
    cached_json: dict[str, Any] | None = field(init=False, default=None, compare=False, repr=False)
    cached_flags: list[dict[str, Any]] | None = field(
        init=False, default=None, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        self.scope = (self.area_id, self.incident_id, self.control, self.measure, self.party)

    @property
    def value(self) -> int | None:
        return value_of(self.low, self.best, self.high)

    @property
    def minimum(self) -> int | None:
        return minimum_of(self.qualifier, self.low, self.best)

    @property
    def maximum(self) -> int | None:
        return maximum_of(self.low, self.best, self.high)

    @property
    def derived(self) -> bool:
        return bool(self.derived_from)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.as_of, self.created_at, self.id or 0)


def _records(row: ClaimRow, metric: str) -> bool:
    return any(code in row.source_recorder_for for code in metrics.ancestors(metric))


def _relation(row: ClaimRow, area: AreaRef | None) -> str:
    """How the claim's area stands to ours: same, larger (an ancestor), part, other."""
    mine = area.path if area else ""
    if row.area_path == mine:
        return "same"
    if mine.startswith(row.area_path):
        return "larger"
    if row.area_path.startswith(mine):
        return "part"
    return "other"


def _sum(values: Sequence[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _combined_qualifier(rows: Sequence[ClaimRow]) -> str:
    if all(r.qualifier == Qualifier.EXACT for r in rows):
        return Qualifier.EXACT
    if all(r.minimum is not None for r in rows) and all(r.high is None for r in rows):
        return Qualifier.AT_LEAST
    return Qualifier.ABOUT


def _derive(row: ClaimRow, metric: str, parents: Sequence[ClaimRow], **values: Any) -> ClaimRow:
    return replace(
        row,
        id=None,
        metric=metric,
        supersedes_id=None,
        part_of_id=None,
        words="",
        created_at=max(p.created_at for p in parents),
        undercount=any(p.undercount for p in parents),
        derived_from=tuple(p.id for p in parents if p.id is not None),
        **values,
    )


def derived_rows(rows: Sequence[ClaimRow], metric: str) -> list[ClaimRow]:
    """Figures a source gave only in parts: casualties from killed + injured, injured (or
    killed) from casualties minus the other, and a whole area from its government-controlled
    and other territory given as of the same time. Only within one document (or one source
    and one as-of time), never across sources."""
    found: list[ClaimRow] = []
    info = metrics.get(metric)
    needed = set(metrics.COMPONENTS.get(metric, ()))
    if info.parent and info.relation == "component":
        needed |= {info.parent, *metrics.COMPONENTS[info.parent]}
    by_doc: dict[tuple[Any, ...], dict[str, ClaimRow]] = defaultdict(dict)
    if needed:
        needed.add(metric)
        for row in rows:
            if row.metric in needed:
                by_doc[(row.document_id, row.scope, row.as_of)][row.metric] = row
    for group in by_doc.values():
        if metric in group:
            continue
        components = metrics.COMPONENTS.get(metric)
        if components and all(c in group for c in components):
            parts = [group[c] for c in components]
            found.append(
                _derive(
                    parts[0],
                    metric,
                    parts,
                    low=_sum([p.minimum for p in parts]),
                    best=_sum([p.best for p in parts]),
                    high=_sum([p.high for p in parts]) if all(p.high for p in parts) else None,
                    qualifier=_combined_qualifier(parts),
                )
            )
            continue
        parent = metrics.get(metric).parent
        if parent and metrics.get(metric).relation == "component" and parent in group:
            siblings = [c for c in metrics.COMPONENTS[parent] if c != metric]
            if len(siblings) == 1 and siblings[0] in group:
                whole, other = group[parent], group[siblings[0]]
                low = (
                    whole.minimum - other.maximum
                    if whole.minimum is not None and other.maximum is not None
                    else None
                )
                best = (
                    whole.best - other.best
                    if whole.best is not None and other.best is not None
                    else None
                )
                if (low is None or low < 0) and (best is None or best < 0):
                    continue
                exact = whole.qualifier == other.qualifier == Qualifier.EXACT
                found.append(
                    _derive(
                        whole,
                        metric,
                        [whole, other],
                        low=low if low is not None and low >= 0 else None,
                        best=best if exact and best is not None and best >= 0 else None,
                        high=None,
                        qualifier=Qualifier.EXACT if exact else Qualifier.AT_LEAST,
                    )
                )
    # Government-controlled + other territory, by one source as of one time.
    halves: dict[tuple[Any, ...], dict[str, ClaimRow]] = defaultdict(dict)
    for row in rows:
        if row.metric == metric and row.incident_id is None and row.control != "whole":
            halves[(row.source_id, row.area_id, row.measure, row.party, row.as_of)][row.control] = (
                row
            )
    for pair in halves.values():
        if "government" in pair and "other" in pair:
            parts = [pair["government"], pair["other"]]
            found.append(
                _derive(
                    parts[0],
                    metric,
                    parts,
                    control="whole",
                    low=_sum([p.minimum for p in parts]),
                    best=_sum([p.best for p in parts]),
                    high=_sum([p.high for p in parts]),
                    qualifier=_combined_qualifier(parts),
                )
            )
    return found


def scope_key(row: ClaimRow) -> tuple[Any, ...]:
    """Figures of one source about one thing: a later one makes an earlier one history."""
    return (row.source_id, row.area_id, row.metric, row.party, row.control, row.measure)


def latest_per_scope(rows: Iterable[ClaimRow], cutoff: datetime.datetime) -> list[ClaimRow]:
    """Each source's latest eligible figure per scope at the cutoff: all that claims about
    other areas contribute to a reconciliation (they are listed, never counted). The same
    rule as ``selectors.LATEST_PER_SCOPE`` in SQL; a correction is the latest by
    construction (it is never older than what it replaces)."""
    best: dict[tuple[Any, ...], ClaimRow] = {}
    for row in rows:
        if row.as_of > cutoff or row.source_status == "retracted" or row.assessment == "discounted":
            continue
        key = scope_key(row)
        current = best.get(key)
        if current is None or row.sort_key > current.sort_key:
            best[key] = row
    return list(best.values())


def _latest(rows: Iterable[ClaimRow], key: Any) -> tuple[list[ClaimRow], list[ClaimRow]]:
    """(the latest row per key, the older ones)."""
    best: dict[Any, ClaimRow] = {}
    older: list[ClaimRow] = []
    for row in rows:
        k = key(row)
        current = best.get(k)
        if current is None:
            best[k] = row
        elif row.sort_key > current.sort_key:
            older.append(current)
            best[k] = row
        else:
            older.append(row)
    return list(best.values()), older


def _person(kind: str, name_uk: str, name_en: str) -> dict[str, str]:
    """A source as a visitor may read it: people are named by kind only."""
    if kind in PERSONAL_KINDS:
        return {"kind": kind, "name_uk": "", "name_en": ""}
    return {"kind": kind, "name_uk": name_uk, "name_en": name_en}


def row_json(row: ClaimRow, reasons: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if row.cached_json is None:
        row.cached_json = _row_json(row)
    return {**row.cached_json, "reasons": reasons or []}


def _row_json(row: ClaimRow) -> dict[str, Any]:
    personal = row.source_kind in PERSONAL_KINDS
    return {
        "claim": row.id,
        "derived_from": list(row.derived_from),
        "source": {
            **_person(row.source_kind, row.source_name_uk, row.source_name_en),
            "id": row.source_id,
            "party": row.source_party,
            "reliability": row.source_reliability,
        },
        "origin": None
        if row.origin_id == row.source_id
        else {
            **_person(row.origin_kind, row.origin_name_uk, row.origin_name_en),
            "id": row.origin_id,
        },
        "document": {
            "id": row.document_id,
            "title": "" if personal else row.document_title,
            "url": "" if personal else row.document_url,
            "published": row.document_published_at.isoformat()
            if row.document_published_at
            else None,
        },
        "metric": row.metric,
        "party": row.party,
        "area": None
        if row.area_id is None
        else {"code": row.area_code, "name_uk": row.area_name_uk, "name_en": row.area_name_en},
        "incident": row.incident_code,
        "control": row.control,
        "measure": row.measure,
        "period": [
            row.period_start.isoformat() if row.period_start else None,
            row.period_end.isoformat() if row.period_end else None,
        ],
        "as_of": row.as_of.astimezone(datetime.UTC).isoformat(),
        "low": row.low,
        "best": row.best,
        "high": row.high,
        "value": row.value,
        "qualifier": row.qualifier,
        "words": row.words,
        "basis": row.basis,
        "undercount": row.undercount,
        "caveat": row.caveat,
        "assessment": row.assessment,
        "source_status": row.source_status,
    }


def _reasons(
    row: ClaimRow,
    *,
    headline: ClaimRow | None,
    relation: str,
    control: str,
    measure: str,
    cutoff: datetime.datetime,
    stale_after: datetime.timedelta,
) -> list[dict[str, Any]]:
    """Why this figure is not the headline figure, each reason with what a reader needs."""
    reasons: list[dict[str, Any]] = []
    if row.derived:
        reasons.append({"code": "derived"})
    if relation == "larger":
        reasons.append({"code": "larger_area"})
    elif relation in ("part", "other"):
        reasons.append({"code": "subset" if relation == "part" else "other_area"})
    if row.control != control:
        reasons.append({"code": "control", "control": row.control})
    if row.measure != measure:
        reasons.append({"code": "measure", "measure": row.measure})
    if headline is not None and row is not headline:
        # Aware times subtract as instants: the same moment written in Kyiv time and in
        # UTC is no difference at all.
        delta = (row.as_of - headline.as_of).total_seconds()
        if delta:
            reasons.append({"code": "time", "seconds": int(delta)})
        if (row.basis in DOCUMENTED) != (headline.basis in DOCUMENTED):
            reasons.append({"code": "basis", "basis": row.basis})
    if cutoff - row.as_of > stale_after:
        reasons.append({"code": "stale", "days": (cutoff - row.as_of).days})
    if row.cached_flags is None:
        row.cached_flags = _flags(row)
    return reasons + row.cached_flags


def _flags(row: ClaimRow) -> list[dict[str, Any]]:
    """The reasons that belong to the claim itself, whatever it is compared with."""
    flags: list[dict[str, Any]] = []
    if row.undercount:
        flags.append({"code": "undercount"})
    if row.source_party:
        flags.append({"code": "party", "party": row.source_party})
    if row.qualifier in (Qualifier.VAGUE, Qualifier.ABOUT):
        flags.append({"code": "vague"})
    if row.origin_id != row.source_id:
        flags.append({"code": "repeats"})
    return flags


def incident_tally(rows: Iterable[ClaimRow]) -> dict[str, int] | None:
    """Incident by incident: each incident counts once, its range spanning every source's
    latest figure for it; then the incidents are added up (they are disjoint events)."""
    per_incident: dict[int, list[ClaimRow]] = defaultdict(list)
    grades: dict[int, str] = {}
    for row in rows:
        if row.incident_id is not None and row.incident_status == "published":
            per_incident[row.incident_id].append(row)
            grades[row.incident_id] = row.incident_grade or ""
    if not per_incident:
        return None
    low = high = floor = 0
    for incident_id, claims in per_incident.items():
        latest, _older = _latest(claims, lambda r: r.source_id)
        lows = [r.minimum if r.minimum is not None else r.value for r in latest]
        highs = [r.maximum for r in latest]
        incident_low = (
            min(v for v in lows if v is not None) if any(v is not None for v in lows) else 0
        )
        incident_high = (
            max(v for v in highs if v is not None)
            if any(v is not None for v in highs)
            else incident_low
        )
        low += incident_low
        high += max(incident_high, incident_low)
        if grades[incident_id] in GRADED_FOR_FLOOR:
            floor += incident_low
    return {"incidents": len(per_incident), "low": low, "high": high, "graded_low": floor}


def _breakdown_warnings(
    latest: Sequence[ClaimRow], every: Sequence[ClaimRow], metric: str
) -> list[dict[str, Any]]:
    """A part larger than its whole, or components that do not add up to the total."""
    warnings: list[dict[str, Any]] = []
    subsets = [m.code for m in metrics.METRICS.values() if m.parent == metric and m.is_subset]
    components = metrics.COMPONENTS.get(metric, ())
    if not subsets and not components:
        return warnings
    wanted = {metric, *subsets, *components}
    documents = {row.document_id for row in latest}
    by_document: dict[tuple[Any, ...], dict[str, ClaimRow]] = defaultdict(dict)
    for r in every:
        if r.document_id in documents and r.metric in wanted:
            by_document[(r.document_id, r.scope, r.as_of)][r.metric] = r
    for row in latest:
        if row.derived:
            continue
        same_doc = by_document[(row.document_id, row.scope, row.as_of)]
        for code in subsets:
            part = same_doc.get(code)
            if (
                part
                and part.minimum is not None
                and row.maximum is not None
                and part.minimum > row.maximum
            ):
                warnings.append(
                    {"code": "subset_exceeds", "claim": row.id, "part": code,
                     "part_value": part.minimum, "value": row.maximum}
                )  # fmt: skip
        if components and all(c in same_doc for c in components):
            parts = [same_doc[c] for c in components]
            if row.qualifier == Qualifier.EXACT and all(
                p.qualifier == Qualifier.EXACT for p in parts
            ):
                total = sum(p.best or 0 for p in parts)
                if total != row.best:
                    warnings.append(
                        {"code": "components_mismatch", "claim": row.id, "value": row.best,
                         "sum": total}
                    )  # fmt: skip
    return warnings


def reconcile(
    rows: Sequence[ClaimRow],
    *,
    metric: str,
    area: AreaRef | None,
    cutoff: datetime.datetime,
    party: str | None = None,
    control: str = "whole",
    stale_after: datetime.timedelta = datetime.timedelta(days=7),
    detail: bool = True,
) -> dict[str, Any]:
    """The figure for ``metric`` in ``area`` (None: the whole country) at ``cutoff``.

    ``detail=False`` leaves out the lists of claims with their reasons (``rows``,
    ``others``, ``excluded`` are empty; ``counts`` says how many there were): for tables
    of every area, where only the figures themselves are wanted. The figures never depend
    on claims about other areas, so ``rows`` may then leave those out.

    ``rows`` are the claims about the area, the areas above it and the areas and
    incidents within it; any metric (the related ones are used for derived figures).
    """
    info = metrics.get(metric)
    measure = info.measure
    rows = [r for r in rows if r.as_of <= cutoff]
    superseded = {
        r.supersedes_id
        for r in rows
        if r.supersedes_id is not None and r.source_status != "retracted"
    }
    excluded: list[dict[str, Any]] = []
    live: list[ClaimRow] = []
    for row in rows:
        why = (
            "retracted"
            if row.source_status == "retracted"
            else "superseded"
            if row.id in superseded
            else "discounted"
            if row.assessment == "discounted"
            else None
        )
        if why is None:
            live.append(row)
        elif detail and row.metric == metric and (party is None or row.party == party):
            excluded.append({"why": why, "row": row_json(row)})

    wanted = [r for r in live if r.metric == metric and (party is None or r.party == party)]
    tally = incident_tally(wanted)
    area_rows = [r for r in wanted if r.incident_id is None]
    area_rows += [
        d
        for d in derived_rows([r for r in live if r.incident_id is None], metric)
        if party is None or d.party == party
    ]
    comparable, others = [], []
    for row in area_rows:
        relation = _relation(row, area)
        if relation == "same" and row.control == control and row.measure == measure:
            comparable.append(row)
        elif relation != "other":
            others.append(row)
    latest, older = _latest(comparable, lambda r: r.source_id)
    other_latest, other_older = _latest(
        others, lambda r: (r.source_id, r.area_id, r.control, r.measure)
    )
    if detail:
        excluded += [{"why": "older", "row": row_json(r)} for r in older + other_older]

    references = [r for r in latest if _records(r, metric)]
    reference = (
        min(
            references,
            key=lambda r: (RELIABILITY_ORDER.find(r.source_reliability), -r.as_of.timestamp()),
        )
        if references
        else None
    )
    # On a tie, the source that counted beats an outlet that repeats it.
    documented = [r for r in latest if r.basis in DOCUMENTED and r.minimum is not None]
    floor_row = max(
        documented,
        key=lambda r: (r.minimum or 0, r.origin_id == r.source_id, r.sort_key),
        default=None,
    )
    floor_value = floor_row.minimum if floor_row is not None else None
    floor: dict[str, Any] | None = None
    if floor_row is not None:
        floor = {"value": floor_value, "claim": floor_row.id, "incidents": False}
    if tally and tally["graded_low"] and (floor_value is None or tally["graded_low"] > floor_value):
        floor = {"value": tally["graded_low"], "claim": None, "incidents": True}
    highest = max(
        latest, key=lambda r: (r.maximum or 0, r.origin_id == r.source_id, r.sort_key), default=None
    )
    headline_row = reference or floor_row or highest
    headline = (
        reference.value if reference is not None else floor["value"] if floor is not None else None
    )

    def listed(row: ClaimRow, relation: str) -> dict[str, Any]:
        return row_json(
            row,
            _reasons(
                row,
                headline=headline_row,
                relation=relation,
                control=control,
                measure=measure,
                cutoff=cutoff,
                stale_after=stale_after,
            ),
        )

    warnings = _breakdown_warnings(latest, live, metric)
    independent = len({r.origin_group for r in latest})
    origins = [
        {"group": group, "name": name}
        for group, name in sorted(
            {
                (r.origin_group, r.origin_name_en or r.origin_name_uk)
                for r in latest
                if r.origin_kind not in PERSONAL_KINDS
            }
        )
    ]
    counts = {"rows": len(latest), "others": len(other_latest)}
    if detail:
        latest.sort(key=lambda r: (r is not headline_row, -(r.value or 0)))
        other_latest.sort(key=lambda r: (_relation(r, area), -(r.value or 0)))
    else:
        latest, other_latest = [], []
    return {
        "metric": metric,
        "party": party,
        "control": control,
        "measure": measure,
        "headline": headline,
        "headline_kind": "reference" if reference else "floor" if floor else None,
        "reference": listed(reference, "same") if reference else None,
        "floor": floor,
        "highest": listed(highest, "same") if highest else None,
        "independent": independent,
        "origins": origins,
        "rows": [listed(r, "same") for r in latest],
        "others": [listed(r, _relation(r, area)) for r in other_latest],
        "excluded": excluded,
        "counts": counts,
        "tally": tally,
        "warnings": warnings,
    }


def series(
    rows: Sequence[ClaimRow],
    *,
    metric: str,
    area: AreaRef | None,
    cutoff: datetime.datetime,
    since: datetime.datetime,
    party: str | None = None,
    limit: int = 6,
) -> list[dict[str, Any]]:
    """Each source's figures over time for one metric (what the chart draws): comparable,
    eligible claims only, the sources with the most points first."""
    measure = metrics.get(metric).measure
    superseded = {r.supersedes_id for r in rows if r.supersedes_id and r.as_of <= cutoff}
    by_source: dict[int, list[ClaimRow]] = defaultdict(list)
    for row in rows:
        if (
            row.metric == metric
            and (party is None or row.party == party)
            and row.incident_id is None
            and since <= row.as_of <= cutoff
            and row.source_status != "retracted"
            and row.assessment != "discounted"
            and row.id not in superseded
            and row.control == "whole"
            and row.measure == measure
            and _relation(row, area) == "same"
            and row.value is not None
        ):
            by_source[row.source_id].append(row)
    lines: list[dict[str, Any]] = []
    for claims in by_source.values():
        claims.sort(key=lambda r: r.sort_key)
        first = claims[0]
        lines.append(
            {
                "source": _person(first.source_kind, first.source_name_uk, first.source_name_en),
                "points": [[r.as_of.astimezone(datetime.UTC).isoformat(), r.value] for r in claims],
            }
        )
    lines.sort(key=lambda line: (-len(line["points"]), line["source"]["name_en"]))
    return lines[:limit]
