"""Tables for the CSV/XLSX downloads: the registry (with or without contact data), shifts
and hours, and the custody register. Each returns (header, rows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from hromada.volunteers.models import Assignment, CustodyRecord, Volunteer, Weekday

Table = tuple[list[str], list[list[Any]]]

CONTACT_COLUMNS = {"phone", "email", "emergency_name", "emergency_phone"}


def _phone(phone: str) -> str:
    """Ukrainian numbers as dialled at home ("0501234567"): a cell that starts with "+" would
    reach the spreadsheet guarded against formulas, as "'+380…"."""
    return "0" + phone[4:] if phone.startswith("+380") else phone


def _skills(volunteer: Volunteer) -> str:
    parts = []
    for row in volunteer.skills.all():
        text = f"{row.skill}:{row.level}"
        if row.licence:
            text += f" ({','.join(row.licence)})"
        parts.append(text)
    return "; ".join(parts)


def _availability(volunteer: Volunteer) -> str:
    return "; ".join(
        f"{Weekday(s.weekday).name[:3].title()} {s.hours}" for s in volunteer.availability.all()
    )


def volunteers(people: Sequence[Volunteer], *, redact: bool = False) -> Table:
    """One row per volunteer. ``redact`` drops phone, e-mail and emergency contact and
    shortens the name to a first name and initial: a list to share, not to call from."""
    header = [
        "id", "name", "phone", "email", "organization", "home_area", "languages", "skills",
        "vehicle", "vehicle_seats", "vehicle_load_kg", "vetting", "vetted_at", "availability",
        "emergency_name", "emergency_phone", "source", "active", "registered",
    ]  # fmt: skip
    rows = []
    for v in people:
        row = {
            "id": v.pk,
            "name": v.short_name if redact else v.name,
            "phone": _phone(v.phone),
            "email": v.email,
            "organization": v.organization.name,
            "home_area": v.home_area.name if v.home_area else "",
            "languages": ",".join(v.languages),
            "skills": _skills(v),
            "vehicle": v.vehicle,
            "vehicle_seats": v.vehicle_seats,
            "vehicle_load_kg": v.vehicle_load_kg,
            "vetting": v.vetting,
            "vetted_at": v.vetted_at,
            "availability": _availability(v),
            "emergency_name": v.emergency_name,
            "emergency_phone": _phone(v.emergency_phone),
            "source": v.source,
            "active": v.is_active,
            "registered": v.created_at,
        }
        rows.append([row[c] for c in header if not (redact and c in CONTACT_COLUMNS)])
    return [c for c in header if not (redact and c in CONTACT_COLUMNS)], rows


def hours(assignments: Sequence[Assignment]) -> Table:
    header = [
        "date", "volunteer_id", "volunteer", "task", "place", "shift_start", "shift_end",
        "checked_in", "checked_out", "hours",
    ]  # fmt: skip
    rows = [
        [
            timezone.localtime(a.checked_in_at).date() if a.checked_in_at else "",
            a.volunteer_id,
            a.volunteer.name,
            a.shift.task.title,
            a.shift.task.place.name if a.shift.task.place else "",
            a.shift.starts_at,
            a.shift.ends_at,
            a.checked_in_at,
            a.checked_out_at,
            a.hours,
        ]
        for a in assignments
    ]
    return header, rows


def custody(records: Sequence[CustodyRecord]) -> Table:
    now = timezone.now()
    header = [
        "tag", "item", "kind", "holder_type", "holder", "issued", "issued_by", "condition_out",
        "due_back", "overdue", "returned", "condition_in", "note",
    ]  # fmt: skip
    rows = [
        [
            r.item.tag,
            r.item.name,
            r.item.kind,
            "volunteer" if r.volunteer_id else "team",
            str(r.holder),
            r.issued_at,
            r.issued_by.display_name if r.issued_by else "",
            r.condition_out,
            r.due_back,
            bool(r.returned_at is None and r.due_back and r.due_back < now),
            r.returned_at,
            r.condition_in,
            r.note,
        ]
        for r in records
    ]
    return header, rows
