"""Queries and wording shared by the pages, the API and the exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hromada.tracing.models import Inquiry, Match, PersonRecord
from hromada.tracing.names.index import Hit
from hromada.tracing.permissions import visible_inquiries, visible_matches, visible_records

FIELD_LABELS = {
    "given": gettext_lazy("given name"),
    "family": gettext_lazy("family name"),
    "patronymic": gettext_lazy("patronymic"),
    "other": gettext_lazy("other name"),
}


def explain(reason: dict[str, Any]) -> str:
    """One reason of the engine, in the reader's language."""
    kind = reason.get("kind")
    if kind == "name":
        return _("%(field)s “%(record)s” ≈ “%(query)s” (%(score)d%%)") % {
            "field": str(FIELD_LABELS.get(reason.get("field", ""), "")).capitalize(),
            "record": reason.get("record", ""),
            "query": reason.get("query", ""),
            "score": round(100 * float(reason.get("score", 0))),
        }
    if kind == "birth":
        if reason.get("diff") == 0:
            return _("Born the same year (%(year)s)") % {"year": reason.get("record")}
        return _("Born %(year)s, %(diff)s years apart") % {
            "year": reason.get("record"),
            "diff": reason.get("diff"),
        }
    if kind == "sex":
        return _("Same sex") if reason.get("same") else _("Different sex")
    if kind == "place":
        return _("Same place: %(place)s") % {"place": reason.get("record", "")}
    return ""


def explain_all(reasons: list[dict[str, Any]]) -> list[str]:
    return [text for text in (explain(r) for r in reasons) if text]


@dataclass
class Row:
    record: PersonRecord
    score: float
    reasons: list[str]

    @property
    def percent(self) -> int:
        return round(100 * self.score)


def hit_rows(user: Any, hits: list[Hit]) -> list[Row]:
    """Search hits with their records, in the hits' order (one query)."""
    records = visible_records(user).in_bulk([h.record_id for h in hits])
    return [
        Row(records[h.record_id], h.score, explain_all(h.reasons))
        for h in hits
        if h.record_id in records
    ]


def queue(user: Any) -> QuerySet[Match]:
    return (
        visible_matches(user)
        .filter(status=Match.Status.PROPOSED)
        .select_related("left", "right", "inquiry")
        .order_by("-score", "pk")
    )


def matches(user: Any, *, status: str) -> QuerySet[Match]:
    return visible_matches(user).filter(status=status).order_by("-score", "pk")


def inquiries(user: Any, *, status: str = "") -> QuerySet[Inquiry]:
    qs = visible_inquiries(user).select_related("sought")
    if status:
        return qs.filter(status=status)
    return qs.exclude(status=Inquiry.Status.CLOSED)


def counts(user: Any) -> dict[str, int]:
    return {
        "proposed": visible_matches(user).filter(status=Match.Status.PROPOSED).count(),
        "open": visible_inquiries(user).exclude(status=Inquiry.Status.CLOSED).count(),
    }


COMPARED = [
    "family_name", "given_name", "patronymic", "other_names", "sex", "birth_year", "birth_date",
    "status", "last_seen_place", "last_seen_at", "source", "source_ref",
]  # fmt: skip


def compare(left: PersonRecord, right: PersonRecord) -> list[tuple[str, str, str, bool]]:
    """(label, left value, right value, same?) for the side-by-side view."""
    rows = []
    for name in COMPARED:
        label = getattr(PersonRecord._meta.get_field(name), "verbose_name", name)
        a = _display(left, name)
        b = _display(right, name)
        rows.append((str(label).capitalize(), a, b, a == b and a != ""))
    return rows


def _display(record: PersonRecord, name: str) -> str:
    getter = getattr(record, f"get_{name}_display", None)
    value = getter() if getter and getattr(record, name) else getattr(record, name)
    return "" if value in (None, "") else str(value)
