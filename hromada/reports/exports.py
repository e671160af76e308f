"""HXL-tagged tables of claims, incidents, sitrep figures and verifications.

CSV and XLSX go through ``hromada.lib.exports.table_response`` (which also defuses
spreadsheet formulas); JSON is HXL's object form: one object per row, keyed by hashtag,
which libhxl reads back. The hashtags and custom attributes are documented in
``hromada/reports/metrics.py`` and the README.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.urls import reverse

from hromada.core.models import Area
from hromada.lib.exports import FORMATS, table_response
from hromada.reports import metrics, services
from hromada.reports.models import NATIONAL_CODE, Claim, Incident, Sitrep, Verification

Column = tuple[str, str, Callable[[Any], Any]]
LEVELS = [
    (Area.Level.OBLAST, "oblast", "#adm1"),
    (Area.Level.RAION, "raion", "#adm2"),
    (Area.Level.HROMADA, "hromada", "#adm3"),
    (Area.Level.SETTLEMENT, "settlement", "#adm4"),
]


def _iso(value: datetime.datetime | datetime.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value.isoformat()


class AreaNames:
    """Oblast, raion, hromada and settlement names for areas, read in one query."""

    def __init__(self, areas: Iterable[Area | None]) -> None:
        codes = {c for a in areas if a is not None for c in a.path.strip("/").split("/")}
        self.by_code = {a.code: a for a in Area.objects.filter(code__in=codes)}

    def levels(self, area: Area | None) -> dict[str, str]:
        if area is None:
            return {}
        found = {}
        for code in area.path.strip("/").split("/"):
            node = self.by_code.get(code)
            if node is not None:
                found[node.level] = node.name
        return found

    def columns(self, area: Area | None) -> list[str]:
        levels = self.levels(area)
        return [levels.get(level, "") for level, _name, _tag in LEVELS]


def area_columns() -> list[tuple[str, str]]:
    return [(name, f"{tag}+name") for _level, name, tag in LEVELS]


def respond(
    *,
    filename: str,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    hxl: bool,
) -> HttpResponse:
    """CSV or XLSX (``hxl`` adds the hashtag row), or HXL JSON (always tagged)."""
    if fmt == "json":
        tags = [tag for _name, tag in columns]
        data = [
            {tag: (_iso(v) if isinstance(v, (datetime.date, datetime.datetime)) else v)
             for tag, v in zip(tags, row, strict=True)}
            for row in rows
        ]  # fmt: skip
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, default=str),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return response
    return table_response(
        filename=filename,
        header=[name for name, _tag in columns],
        hxl=[tag for _name, tag in columns] if hxl else None,
        rows=([_iso(v) if isinstance(v, datetime.datetime) else v for v in row] for row in rows),
        fmt=fmt if fmt in FORMATS else "csv",
    )


# Claims: one row per figure, the metric named by code and by its hashtag -----------------

CLAIM_COLUMNS = [
    ("id", "#meta+id"),
    ("source", "#meta+source"),
    ("source_type", "#meta+source+type"),
    ("source_party", "#meta+source+party"),
    ("origin", "#meta+source+origin"),
    ("url", "#meta+url"),
    ("published", "#date+reported"),
    ("as_of", "#date"),
    ("metric", "#indicator+code"),
    ("metric_hxl", "#indicator+hxl"),
    ("party", "#meta+party"),
    ("incident", "#event+code"),
    ("country", "#country+code"),
    *area_columns(),
    ("area_code", "#loc+code"),
    ("territory", "#meta+control"),
    ("measure", "#meta+measure"),
    ("period_start", "#date+start"),
    ("period_end", "#date+end"),
    ("best", "#indicator+value+num"),
    ("low", "#indicator+value+min"),
    ("high", "#indicator+value+max"),
    ("qualifier", "#indicator+qualifier"),
    ("words", "#indicator+text"),
    ("basis", "#meta+basis"),
    ("undercount", "#meta+undercount"),
    ("caveat", "#description"),
    ("part_of", "#meta+part_of"),
    ("replaces", "#meta+supersedes"),
    ("source_status", "#status+source"),
    ("assessment", "#status+assessment"),
]


def claim_rows(claims: Sequence[Claim]) -> Iterable[list[Any]]:
    names = AreaNames(c.area for c in claims)
    for c in claims:
        yield [
            c.pk, c.source.name, c.source.kind, c.source.party.code if c.source.party else "",
            c.document.origin.name if c.document.origin_id != c.source_id else "",
            c.document.url, c.document.published_at, c.as_of, c.metric, metrics.get(c.metric).hxl,
            c.party.code if c.party else "", c.incident.code if c.incident else "", "UKR",
            *names.columns(c.area), c.area.code if c.area else NATIONAL_CODE, c.control, c.measure,
            c.period_start, c.period_end, c.best, c.low, c.high, c.qualifier, c.value_text,
            c.basis, "yes" if c.undercount else "", c.caveat, c.part_of_id or "",
            c.supersedes_id or "", c.source_status, c.assessment,
        ]  # fmt: skip


# Incidents: one row per incident, public coordinates unless the reader is an analyst ------

INCIDENT_COLUMNS = [
    ("code", "#event+code"),
    ("type", "#event+type"),
    ("earliest", "#date+occurred+start"),
    ("latest", "#date+occurred+end"),
    ("time_precision", "#meta+precision+time"),
    ("country", "#country+code"),
    *area_columns(),
    ("area_code", "#loc+code"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("coordinates_within_m", "#geo+precision"),
    ("infrastructure", "#impact+type"),
    ("buildings_destroyed", metrics.get(metrics.BUILDINGS_DESTROYED).hxl),
    ("buildings_damaged", metrics.get(metrics.BUILDINGS_DAMAGED).hxl),
    ("killed_min", "#affected+killed+min"),
    ("killed_max", "#affected+killed+max"),
    ("injured_min", "#affected+injured+min"),
    ("injured_max", "#affected+injured+max"),
    ("grade", "#status+grade"),
    ("status", "#status"),
    ("description", "#description"),
    ("url", "#meta+url"),
]


def incident_rows(incidents: Sequence[Incident], *, exact: bool) -> Iterable[list[Any]]:
    ids = [i.pk for i in incidents]
    # Each source's latest figure per incident; the range spans the sources.
    latest: dict[tuple[int, str, int], Claim] = {}
    for claim in (
        Claim.objects.filter(incident_id__in=ids, metric__in=(metrics.KILLED, metrics.INJURED))
        .exclude(source_status=Claim.SourceStatus.RETRACTED)
        .exclude(assessment=Claim.Assessment.DISCOUNTED)
        .filter(superseded_by__isnull=True)
        .order_by("as_of", "pk")
    ):
        latest[(claim.incident_id, claim.metric, claim.source_id)] = claim  # type: ignore[index]
    figures: dict[tuple[int, str], list[Claim]] = {}
    for (incident_id, metric, _source), claim in latest.items():
        figures.setdefault((incident_id, metric), []).append(claim)
    names = AreaNames(i.area for i in incidents)
    for i in incidents:
        if exact and i.has_location:
            lat: float | None = float(i.latitude)  # type: ignore[arg-type]
            lon: float | None = float(i.longitude)  # type: ignore[arg-type]
            within: int | None = i.uncertainty_m
        else:
            location = services.public_location(i)
            lat, lon = location if location else (None, None)
            within = max(i.public_blur_m, i.uncertainty_m) if location else None
        ranges = []
        for metric in (metrics.KILLED, metrics.INJURED):
            claims = figures.get((i.pk, metric), [])
            low = (
                min((c.minimum if c.minimum is not None else c.value or 0) for c in claims)
                if claims
                else None
            )
            high = max((c.maximum or 0) for c in claims) if claims else None
            ranges += [low, high]
        yield [
            i.code, i.kind, i.occurred_earliest, i.occurred_latest, i.time_precision, "UKR",
            *names.columns(i.area), i.area.code, lat, lon, within, " ".join(i.infrastructure),
            i.buildings_destroyed, i.buildings_damaged, *ranges, i.grade, i.status, i.description,
            reverse("reports:incident-detail", args=[i.code]),
        ]  # fmt: skip


# Sitrep figures: one row per sitrep, a column per metric (headline, +min, +max) ---------

SITREP_METRICS = [m for m in metrics.METRICS.values() if not m.about_party]


def figure_columns() -> list[tuple[str, str]]:
    """A column per metric for the headline, ``+min`` (the documented floor) and ``+max``
    (the highest claim), then ``+sources`` (independent sources) per metric."""
    columns: list[tuple[str, str]] = []
    for m in SITREP_METRICS:
        columns += [
            (m.code, m.hxl),
            (f"{m.code}_min", f"{m.hxl}+min"),
            (f"{m.code}_max", f"{m.hxl}+max"),
        ]
    return columns + [(f"{m.code}_sources", f"{m.hxl}+sources") for m in SITREP_METRICS]


def figure_values(figures: list[dict[str, Any]]) -> list[Any]:
    """The headline (reference, else the documented floor), the documented floor as the
    minimum and the highest claim as the maximum, for each metric; then its sources."""
    by_metric = {f["metric"]: f for f in figures if not f["party"]}
    values: list[Any] = []
    for m in SITREP_METRICS:
        figure = by_metric.get(m.code)
        highest = figure["highest"] if figure else None
        values += [
            figure["headline"] if figure else None,
            figure["floor"]["value"] if figure and figure["floor"] else None,
            (highest["high"] if highest["high"] is not None else highest["value"])
            if highest
            else None,
        ]
    return values + [
        by_metric[m.code]["independent"] if m.code in by_metric else None for m in SITREP_METRICS
    ]


def sitrep_columns() -> list[tuple[str, str]]:
    return [
        ("sitrep", "#meta+id"),
        ("url", "#meta+url"),
        ("as_of", "#date+reported"),
        ("country", "#country+code"),
        ("area_code", "#loc+code"),
        ("area", "#loc+name"),
        ("organization", "#org+name"),
        ("status", "#status"),
        *figure_columns(),
    ]


def sitrep_row(sitrep: Sitrep, payload: dict[str, Any]) -> list[Any]:
    area = payload["area"]
    return [
        sitrep.pk,
        reverse("reports:sitrep-detail", args=[sitrep.pk]),
        payload["cutoff"],
        "UKR",
        area["code"] if area else NATIONAL_CODE,
        (area["name_en"] or area["name_uk"]) if area else "Ukraine",
        sitrep.organization.name,
        sitrep.status,
        *figure_values(payload["figures"]),
    ]


AREA_COLUMNS = [
    ("as_of", "#date+reported"),
    ("country", "#country+code"),
    ("area_code", "#loc+code"),
    *area_columns(),
]


def area_rows(
    cutoff: datetime.datetime, every: dict[str, list[dict[str, Any]]]
) -> Iterable[list[Any]]:
    """One row per area: the table of every area's figures at the cutoff."""
    areas = {a.code: a for a in Area.objects.filter(code__in=every)}
    names = AreaNames(areas.values())
    for code in sorted(every, key=lambda c: areas[c].path if c in areas else ""):
        area = areas.get(code)  # None: the whole country
        yield [_iso(cutoff), "UKR", code, *names.columns(area), *figure_values(every[code])]


def party_rows(sitrep: Sitrep, payload: dict[str, Any]) -> list[list[Any]]:
    """Claims about combatants, kept out of the civilian table: one row per party."""
    return [
        [sitrep.pk, payload["cutoff"], f["metric"], f["party"],
         f["highest"]["value"] if f["highest"] else None, f["independent"]]
        for f in payload["figures"] if f["party"]
    ]  # fmt: skip


# Verifications -----------------------------------------------------------------------------

VERIFICATION_COLUMNS = [
    ("id", "#meta+id"),
    ("media", "#meta+media"),
    ("platform", "#meta+platform"),
    ("first_seen", "#date+reported"),
    ("sha256", "#meta+sha256"),
    ("phash", "#meta+phash"),
    ("recycled", "#meta+recycled"),
    ("claimed", "#description"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("geolocation_confidence", "#meta+confidence"),
    ("taken_earliest", "#date+start"),
    ("taken_latest", "#date+end"),
    ("status", "#status"),
    ("proposed", "#status+proposed"),
    ("confirmed_at", "#date+confirmed"),
    ("incidents_supported", "#event+code+supports"),
    ("incidents_contradicted", "#event+code+contradicts"),
]


def verification_rows(verifications: Sequence[Verification]) -> Iterable[list[Any]]:
    for v in verifications:
        links = list(v.media.links.all())
        yield [
            v.pk, v.media_id, v.media.platform, v.media.first_seen_at, v.media.sha256, v.media.phash,
            "yes" if v.media.recycled_found_at else "", v.claimed, v.latitude, v.longitude,
            v.geolocation_confidence, v.time_earliest, v.time_latest, v.status, v.proposed_status,
            v.confirmed_at,
            " ".join(link.incident.code for link in links if link.relation == "supports"),
            " ".join(link.incident.code for link in links if link.relation == "contradicts"),
        ]  # fmt: skip
