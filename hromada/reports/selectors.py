"""Queries shared by the pages, the API, exports, sitrep snapshots and the benchmark."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from hromada.core.models import Area
from hromada.reports import metrics
from hromada.reports.models import NATIONAL_CODE, Claim, Incident, Party, Sitrep, Source
from hromada.reports.reconciliation import AreaRef, ClaimRow, latest_per_scope, reconcile

# The claim's own columns, with its document and incident; the source, its origin, the
# party and the area are looked up in small maps read once (see _Lookup), not joined on
# every one of thousands of rows.
_COLUMNS = [
    "id", "document_id", "source_id", "document__origin_id", "metric", "party_id", "incident_id",
    "incident__code", "incident__status", "incident__grade", "area_id", "control", "measure",
    "period_start", "period_end", "as_of", "low", "best", "high", "qualifier", "value_text",
    "basis", "undercount", "caveat", "supersedes_id", "part_of_id", "source_status", "assessment",
    "created_at", "document__title", "document__url", "document__published_at",
]  # fmt: skip
_AREA_INDEX = _COLUMNS.index("area_id")
_SOURCE_INDEXES = (_COLUMNS.index("source_id"), _COLUMNS.index("document__origin_id"))


class _Lookup:
    """Sources, parties and areas by id, for the rows at hand."""

    def __init__(self, raw: list[tuple[Any, ...]], areas: dict[int, Area] | None = None) -> None:
        source_ids = {r[i] for r in raw for i in _SOURCE_INDEXES}
        self.sources = {
            s.pk: s for s in Source.objects.filter(pk__in=source_ids).select_related("party")
        }
        self.parties = dict(Party.objects.values_list("pk", "code"))
        area_ids = {r[_AREA_INDEX] for r in raw if r[_AREA_INDEX] is not None}
        known = areas or {}
        missing = area_ids - set(known)
        self.areas = {**known, **{a.pk: a for a in Area.objects.filter(pk__in=missing)}}

    def row(self, values: tuple[Any, ...]) -> ClaimRow:
        (pk, document_id, source_id, origin_id, metric, party_id, incident_id, incident_code,
         incident_status, incident_grade, area_id, control, measure, period_start, period_end,
         as_of, low, best, high, qualifier, words, basis, undercount, caveat, supersedes_id,
         part_of_id, source_status, assessment, created_at, title, url, published) = values  # fmt: skip
        source, origin = self.sources[source_id], self.sources[origin_id]
        area = self.areas.get(area_id) if area_id is not None else None
        return ClaimRow(
            id=pk, document_id=document_id, source_id=source_id,
            source_name_uk=source.name_uk, source_name_en=source.name_en, source_kind=source.kind,
            source_party=source.party.code if source.party_id else None,  # type: ignore[union-attr]
            source_reliability=source.reliability, source_recorder_for=source.recorder_for or [],
            source_group=source.group_key, origin_id=origin_id, origin_name_uk=origin.name_uk,
            origin_name_en=origin.name_en, origin_kind=origin.kind, origin_group=origin.group_key,
            metric=metric, party=self.parties.get(party_id), incident_id=incident_id,
            incident_code=incident_code, incident_status=incident_status,
            incident_grade=incident_grade, area_id=area_id,
            area_code=area.code if area else None, area_path=area.path if area else "",
            area_name_uk=area.name_uk if area else "", area_name_en=area.name_en if area else "",
            control=control, measure=measure, period_start=period_start, period_end=period_end,
            as_of=as_of, low=low, best=best, high=high, qualifier=qualifier, words=words,
            basis=basis, undercount=undercount, caveat=caveat, supersedes_id=supersedes_id,
            part_of_id=part_of_id, source_status=source_status, assessment=assessment,
            created_at=created_at, document_title=title, document_url=url,
            document_published_at=published,
        )  # fmt: skip


def _rows(
    queries: Iterable[QuerySet[Claim]], areas: dict[int, Area] | None = None
) -> list[ClaimRow]:
    raw = [values for query in queries for values in query.values_list(*_COLUMNS)]
    lookup = _Lookup(raw, areas)
    return [lookup.row(values) for values in raw]


def area_ref(area: Area | None) -> AreaRef | None:
    if area is None:
        return None
    return AreaRef(area.pk, area.code, area.path, area.name_uk, area.name_en)


def _ancestry(area: Area) -> tuple[list[int], list[int]]:
    """(ids of the areas above ``area``, ids of the areas within it, itself excluded)."""
    codes = [code for code in area.path.strip("/").split("/") if code and code != area.code]
    within = Area.objects.filter(path__startswith=area.path).exclude(pk=area.pk)
    return (
        list(Area.objects.filter(code__in=codes).values_list("pk", flat=True)),
        list(within.values_list("pk", flat=True)),
    )


def _latest_per_scope(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Each source's latest eligible claim per scope (see reconciliation.latest_per_scope).

    The window runs over the bare claim rows; only the survivors are then read with their
    document and incident (joining first would join every candidate)."""
    latest = (
        claims.exclude(source_status=Claim.SourceStatus.RETRACTED)
        .exclude(assessment=Claim.Assessment.DISCOUNTED)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("source_id"), F("area_id"), F("metric"), F("party_id"),
                              F("control"), F("measure")],
                order_by=[F("as_of").desc(), F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .values("pk")
    )  # fmt: skip
    return Claim.objects.filter(pk__in=latest)


def claim_rows(
    area: Area | None,
    *,
    cutoff: datetime.datetime,
    metric_codes: Iterable[str] | None = None,
) -> list[ClaimRow]:
    """The claims that bear on ``area`` at the cutoff: every claim about the area itself
    (for the audit), each source's latest claim about an area above or within it, and
    every claim about an incident within it (for the incident-by-incident count).

    Three indexed queries (an OR across nullable columns would scan the table)."""
    claims = Claim.objects.filter(as_of__lte=cutoff)
    if metric_codes is not None:
        claims = claims.filter(metric__in=list(metric_codes))
    area_scoped = claims.filter(incident__isnull=True)
    if area is None:
        same = area_scoped.filter(area__isnull=True)
        others = area_scoped.filter(area__isnull=False)
        incidents = claims.filter(incident__isnull=False)
    else:
        above, within = _ancestry(area)
        same = area_scoped.filter(area_id=area.pk)
        others = area_scoped.filter(Q(area_id__in=above + within) | Q(area__isnull=True))
        incidents = claims.filter(incident__isnull=False, area_id__in=[area.pk, *within])
    return _rows((same, _latest_per_scope(others), incidents))


def related_metrics(metric: str) -> set[str]:
    """The metric and those a derived figure of it may come from."""
    related = {metric, *metrics.COMPONENTS.get(metric, ())}
    parent = metrics.get(metric).parent
    if parent:
        related |= {parent, *metrics.COMPONENTS.get(parent, ())}
    related |= {m.code for m in metrics.METRICS.values() if m.parent == metric}
    return related


def reconcile_area(
    area: Area | None,
    metric: str,
    cutoff: datetime.datetime,
    *,
    party: str | None = None,
    control: str = "whole",
    stale_after: datetime.timedelta = datetime.timedelta(days=7),
) -> dict[str, Any]:
    """One area's figure for one metric at the cutoff (two or three queries)."""
    rows = claim_rows(area, cutoff=cutoff, metric_codes=related_metrics(metric))
    return reconcile(
        rows,
        metric=metric,
        area=area_ref(area),
        cutoff=cutoff,
        party=party,
        control=control,
        stale_after=stale_after,
    )


def figure_keys(rows: list[ClaimRow]) -> list[tuple[str, str | None]]:
    """(metric, party) pairs a sitrep shows: killed and injured always, then every metric
    with a claim, combatant metrics once per party, in the tree's order."""
    present = {(r.metric, r.party if metrics.get(r.metric).about_party else None) for r in rows}
    keys: list[tuple[str, str | None]] = []
    for metric in metrics.METRICS.values():
        if metric.about_party:
            parties = sorted({p for m, p in present if m == metric.code and p})
            keys += [(metric.code, p) for p in parties]
        elif metric.code in (metrics.KILLED, metrics.INJURED) or (metric.code, None) in present:
            keys.append((metric.code, None))
    # Casualties appear when killed and injured do, even if no source gave the total.
    if (metrics.CASUALTIES, None) not in keys and {metrics.KILLED, metrics.INJURED} <= {
        m for m, _p in present
    }:
        keys.insert(0, (metrics.CASUALTIES, None))
    return keys


def all_figures(
    rows: list[ClaimRow],
    *,
    area: AreaRef | None,
    cutoff: datetime.datetime,
    stale_after: datetime.timedelta,
    detail: bool = True,
) -> list[dict[str, Any]]:
    """Every figure of a sitrep, each reconciled on the rows of its related metrics only."""
    by_metric: dict[str, list[ClaimRow]] = defaultdict(list)
    for row in rows:
        by_metric[row.metric].append(row)
    return [
        reconcile(
            [r for code in related_metrics(metric) for r in by_metric.get(code, ())],
            metric=metric,
            party=party,
            area=area,
            cutoff=cutoff,
            stale_after=stale_after,
            detail=detail,
        )
        for metric, party in figure_keys([r for r in rows if r.as_of <= cutoff])
    ]


def figures_for_every_area(
    cutoff: datetime.datetime,
    *,
    stale_after: datetime.timedelta = datetime.timedelta(days=7),
    detail: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """Every area's figures at the cutoff, from one read of the claims: each area is
    reconciled on its own claims and the claims about incidents within it (the whole
    country too, as ``UA``), and, with
    ``detail``, each source's latest about the areas above and within it (worked out once
    per area, shared by all the areas that see it). Keys are area codes."""
    areas = list(Area.objects.order_by("path"))
    own: dict[str, list[ClaimRow]] = defaultdict(list)
    about_incidents: dict[str, list[ClaimRow]] = defaultdict(list)
    for row in _rows([Claim.objects.filter(as_of__lte=cutoff)], {a.pk: a for a in areas}):
        (about_incidents if row.incident_id else own)[row.area_path].append(row)
    latest: dict[str, list[ClaimRow]] = {}

    def latest_of(path: str) -> list[ClaimRow]:
        if path not in latest:
            latest[path] = latest_per_scope(own.get(path, ()), cutoff)
        return latest[path]

    paths = sorted(set(own) | set(about_incidents))
    result: dict[str, list[dict[str, Any]]] = {}
    if paths:  # the whole country: its own claims and every incident's
        national = list(own.get("", ()))
        if detail:
            national += [r for p in paths if p for r in latest_of(p)]
        national += [r for p in paths for r in about_incidents.get(p, ())]
        result[NATIONAL_CODE] = all_figures(
            national, area=None, cutoff=cutoff, stale_after=stale_after, detail=detail
        )
    for area in areas:
        within = [p for p in paths if p.startswith(area.path)]
        if not within:
            continue
        above = [p for p in paths if p != area.path and area.path.startswith(p)]  # "" too
        rows = list(own.get(area.path, ()))
        if detail:
            # Claims about other areas are only ever listed beside the figures, never
            # counted in them: without the lists they need not be looked at.
            rows += [r for p in above for r in latest_of(p)]
            rows += [r for p in within if p != area.path for r in latest_of(p)]
        rows += [r for p in within for r in about_incidents.get(p, ())]
        result[area.code] = all_figures(
            rows, area=area_ref(area), cutoff=cutoff, stale_after=stale_after, detail=detail
        )
    return result


def incidents_for(
    user_incidents: QuerySet[Incident],
    *,
    area: str = "",
    kind: str = "",
    grade: str = "",
    status: str = "",
    q: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[Incident]:
    """The incident list as filtered on the page, the export, the map and the API."""
    incidents = user_incidents.select_related("area")
    if area:
        incidents = incidents.filter(area__path__contains=f"/{area}/")
    if kind:
        incidents = incidents.filter(kind=kind)
    if grade:
        incidents = incidents.filter(grade=grade)
    if status:
        incidents = incidents.filter(status=status)
    if since:
        incidents = incidents.filter(occurred_latest__date__gte=since)
    if until:
        incidents = incidents.filter(occurred_earliest__date__lte=until)
    if q:
        incidents = incidents.filter(Q(code__icontains=q) | Q(description__icontains=q))
    return incidents.order_by("-occurred_latest", "-pk")


def latest_public_sitreps(limit: int = 10) -> QuerySet[Sitrep]:
    return (
        Sitrep.objects.filter(status=Sitrep.Status.PUBLISHED)
        .select_related("area", "organization")
        .order_by("-cutoff", "-pk")[:limit]
    )
