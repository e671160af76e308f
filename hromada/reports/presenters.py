"""Reconciled figures as a reader sees them, in the reader's language.

The payload of a sitrep is language-neutral (codes, numbers, both names) so that one frozen
snapshot serves a Ukrainian and an English reader alike; here it becomes labels and
sentences. Used for live drafts and frozen sitreps alike, so both read the same.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from hromada.reports import charts, metrics
from hromada.reports.figures import Qualifier
from hromada.reports.models import Claim, Incident, Party, Source


def number(value: int | None) -> str:
    return "" if value is None else formats.number_format(value, force_grouping=True)


def figure_text(qualifier: str, low: int | None, best: int | None, high: int | None) -> str:
    """28 · ≥ 240 · > 500 000 · ≤ 300 · ~200 · 20–30"""
    if qualifier == Qualifier.RANGE or (qualifier == Qualifier.VAGUE and low is not None):
        return f"{number(low)}–{number(high)}" if high is not None else f"≥ {number(low)}"
    if qualifier == Qualifier.AT_LEAST:
        return f"≥ {number(low if low is not None else best)}"
    if qualifier == Qualifier.MORE_THAN:
        return f"> {number(low if low is not None else best)}"
    if qualifier == Qualifier.AT_MOST:
        return f"≤ {number(high)}"
    if qualifier == Qualifier.ABOUT:
        return f"~{number(best)}"
    value = best if best is not None else low if low is not None else high
    return number(value)


def localized_name(data: dict[str, Any] | None) -> str:
    """``{"name_uk", "name_en"}`` in the reader's language, with the other as fallback."""
    if not data:
        return str(_("All of Ukraine"))
    first, second = (
        (data.get("name_en"), data.get("name_uk"))
        if get_language() == "en"
        else (data.get("name_uk"), data.get("name_en"))
    )
    return first or second or ""


def source_name(source: dict[str, Any]) -> str:
    """People (eyewitnesses, accounts, our own team) by their kind only."""
    name = localized_name(source) if (source.get("name_uk") or source.get("name_en")) else ""
    return name or str(dict(Source.Kind.choices).get(source.get("kind", ""), ""))


def party_names() -> dict[str, str]:
    return {p.code: p.name for p in Party.objects.all()}


def duration(seconds: int) -> str:
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    parts = []
    if days:
        parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": days})
    if hours or not days:
        hours = hours or max(1, rest // 3600)
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    return " ".join(parts)


def reason_text(reason: dict[str, Any], row: dict[str, Any], parties: dict[str, str]) -> str:
    code = reason["code"]
    area = localized_name(row.get("area"))
    if code == "derived":
        return _("Derived from the source's other figures in the same document")
    if code == "larger_area":
        return _("Covers a larger area: %(area)s") % {"area": area}
    if code == "subset":
        return _("Covers only part of the area: %(area)s") % {"area": area}
    if code == "other_area":
        return _("About another area: %(area)s") % {"area": area}
    if code == "control":
        return str(dict(Claim.Control.choices).get(reason["control"], reason["control"]))
    if code == "measure":
        return _("Counted differently: %(measure)s") % {
            "measure": str(dict(metrics.Measure.choices).get(reason["measure"], reason["measure"]))
        }
    if code == "time":
        if reason["seconds"] < 0:
            return _("As of %(time)s earlier") % {"time": duration(reason["seconds"])}
        return _("As of %(time)s later") % {"time": duration(reason["seconds"])}
    if code == "basis":
        return _("Different basis: %(basis)s") % {
            "basis": str(dict(Claim.Basis.choices).get(reason["basis"], reason["basis"]))
        }
    if code == "stale":
        return ngettext(
            "Stale: %(n)s day old at the cutoff",
            "Stale: %(n)s days old at the cutoff",
            reason["days"],
        ) % {"n": reason["days"]}
    if code == "undercount":
        return _("The source says the real figure is higher")
    if code == "party":
        return _("Said by a party to the conflict (%(party)s)") % {
            "party": parties.get(reason["party"], reason["party"])
        }
    if code == "vague":
        return _("Vague or approximate wording")
    if code == "repeats":
        return _("Repeats %(origin)s") % {"origin": source_name(row["origin"] or {})}
    return code


def warning_text(warning: dict[str, Any]) -> str:
    if warning["code"] == "subset_exceeds":
        return _(
            "One source's breakdown does not add up: %(part)s (%(part_value)s) is more than "
            "the total (%(value)s)."
        ) % {
            "part": metrics.get(warning["part"]).label,
            "part_value": number(warning["part_value"]),
            "value": number(warning["value"]),
        }
    if warning["code"] == "components_mismatch":
        return _(
            "One source's breakdown does not add up: killed and injured make %(sum)s, not the "
            "%(value)s casualties it gives."
        ) % {"sum": number(warning["sum"]), "value": number(warning["value"])}
    return str(warning["code"])


def _time(iso: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(iso) if iso else None


def present_row(row: dict[str, Any], parties: dict[str, str]) -> dict[str, Any]:
    return {
        **row,
        "source_name": source_name(row["source"]),
        "origin_name": source_name(row["origin"]) if row.get("origin") else "",
        "figure": figure_text(row["qualifier"], row["low"], row["best"], row["high"]),
        "as_of_time": _time(row["as_of"]),
        "published_time": _time(row["document"]["published"]),
        "basis_label": dict(Claim.Basis.choices).get(row["basis"], row["basis"]),
        "area_name": localized_name(row.get("area")),
        "party_name": parties.get(row["source"].get("party") or "", ""),
        "derived": bool(row["derived_from"]),
        "reason_texts": [reason_text(r, row, parties) for r in row["reasons"]],
    }


def present_figure(figure: dict[str, Any], parties: dict[str, str]) -> dict[str, Any]:
    info = metrics.get(figure["metric"])
    return {
        **figure,
        "label": info.label,
        "info": info,
        "hxl": info.hxl,
        "party_name": parties.get(figure["party"] or "", ""),
        "parent_label": metrics.get(info.parent).label if info.parent else "",
        "headline_text": number(figure["headline"]),
        "reference": present_row(figure["reference"], parties) if figure["reference"] else None,
        "highest": present_row(figure["highest"], parties) if figure["highest"] else None,
        "rows": [present_row(r, parties) for r in figure["rows"]],
        "others": [present_row(r, parties) for r in figure["others"]],
        "excluded": [
            {"why": e["why"], **present_row(e["row"], parties)} for e in figure.get("excluded", [])
        ],
        "floor_text": number(figure["floor"]["value"]) if figure["floor"] else "",
        "warning_texts": [warning_text(w) for w in figure["warnings"]],
    }


# The figures a reader looks for first, in this order when present.
KEY_METRICS = (
    metrics.KILLED, metrics.CHILDREN_KILLED, metrics.INJURED, metrics.REFUGEES_FLED, metrics.IDPS,
    metrics.BUILDINGS_DESTROYED, metrics.BUILDINGS_DAMAGED,
)  # fmt: skip


def present_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The sitrep's figures grouped in blocks, incidents, needs and charts, ready to show."""
    parties = party_names()
    blocks: dict[str, list[dict[str, Any]]] = {b.value: [] for b in metrics.Block}
    for figure in payload["figures"]:
        shown = present_figure(figure, parties)
        blocks[shown["info"].block].append(shown)
    cutoff = datetime.datetime.fromisoformat(payload["cutoff"])
    since = datetime.datetime.fromisoformat(payload["since"])
    drawn = []
    for figure in payload["figures"]:
        key = f"{figure['metric']}:{figure['party'] or ''}"
        lines = payload["series"].get(key) or []
        if not any(len(line["points"]) > 1 for line in lines) and len(lines) < 2:
            continue
        label = str(metrics.get(figure["metric"]).label)
        if figure["party"]:
            label += f" · {parties.get(figure['party'], figure['party'])}"
        chart = charts.draw(lines, since=since, cutoff=cutoff, label=label, source_name=source_name)
        if chart is not None:
            drawn.append({"label": label, "chart": chart})
    kinds = dict(Incident.Kind.choices)
    grades = dict(Incident.Grade.choices)
    incidents = [
        {
            **incident,
            "kind_label": kinds.get(incident["kind"], incident["kind"]),
            "grade_label": grades.get(incident["grade"], incident["grade"]),
            "earliest_time": _time(incident["earliest"]),
            "latest_time": _time(incident["latest"]),
            "area_name": localized_name(incident["area"]),
            "killed_text": _range_text(incident.get("killed")),
            "injured_text": _range_text(incident.get("injured")),
        }
        for incident in payload["incidents"]
    ]
    needs = payload["needs"]
    english = get_language() == "en"
    key_figures: list[dict[str, Any]] = [
        figure
        for block in (metrics.Block.CIVILIAN, metrics.Block.DISPLACEMENT, metrics.Block.DAMAGE)
        for figure in blocks[block]
        if figure["metric"] in KEY_METRICS and (figure["headline"] is not None or figure["highest"])
    ]
    return {
        "key": key_figures,
        "area_name": localized_name(payload["area"]),
        "cutoff": cutoff,
        "blocks": [
            {"code": code, "label": metrics.Block(code).label, "figures": figures}
            for code, figures in blocks.items()
            if figures
        ],
        "charts": drawn,
        "incidents": incidents,
        "needs": {
            **needs,
            "top": [{**n, "item": n["item_en"] if english else n["item_uk"]} for n in needs["top"]],
        },
    }


def _range_text(tally: dict[str, int] | None) -> str:
    if not tally:
        return ""
    if tally["low"] == tally["high"]:
        return number(tally["low"])
    return f"{number(tally['low'])}–{number(tally['high'])}"
