"""make_<thing>(**overrides): the smallest valid row, with anything changed that a test names."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from hromada.alerts import services
from hromada.alerts.models import Alert, Display, Subscription
from hromada.core.models import Area, Organization

_seq = itertools.count(1)


def content(**overrides: Any) -> dict[str, Any]:
    """A complete, valid draft: an air raid alert for the whole community, for three hours."""
    data: dict[str, Any] = {
        "status": "Actual",
        "scope": "Public",
        "category": "Security",
        "response_type": "Shelter",
        "urgency": "Immediate",
        "severity": "Extreme",
        "certainty": "Observed",
        "expires": timezone.now() + datetime.timedelta(hours=3),
        "area_description": "Охтирська громада",
        "event_uk": "Повітряна тривога",
        "headline_uk": "Повітряна тривога! Пройдіть в укриття",
        "instruction_uk": "Негайно пройдіть до найближчого укриття.",
        "event_en": "Air raid alert",
        "headline_en": "Air raid alert! Go to a shelter",
        "instruction_en": "Go to the nearest shelter now.",
    }
    data.update(overrides)
    return data


def make_draft(*, author: Any, organization: Organization, **overrides: Any) -> Alert:
    alert, _created = services.draft_alert(
        author, organization=organization, content=content(**overrides)
    )
    return alert


def make_alert(
    *,
    author: Any,
    approver: Any,
    organization: Organization,
    areas: list[Area] | None = None,
    **overrides: Any,
) -> Alert:
    """A published alert, through the real workflow (drafted, submitted, approved)."""
    if areas is not None:
        overrides.setdefault("area_codes", [a.code for a in areas])
        overrides.setdefault("area_description", "")
    alert = make_draft(author=author, organization=organization, **overrides)
    services.submit_alert(author, alert)
    return services.approve_alert(approver, alert)


def published(c: Any, **overrides: Any) -> Alert:
    """A published alert of the community's council, written by its author."""
    return make_alert(
        author=c.alert_author, approver=c.alert_approver, organization=c.council, **overrides
    )


def make_display(*, organization: Organization, **overrides: Any) -> Display:
    fields: dict[str, Any] = {
        "name": f"Екран {next(_seq)}",
        "organization": organization,
        "languages": ["uk", "en"],
    }
    fields.update(overrides)
    return Display.objects.create(**fields)


def make_subscription(*, areas: list[Area] | None = None, **overrides: Any) -> Subscription:
    fields: dict[str, Any] = {
        "channel": "email",
        "address": f"resident{next(_seq)}@example.org",
        "language": "uk",
        "confirmed_at": timezone.now(),
    }
    fields.update(overrides)
    subscription = Subscription.objects.create(**fields)
    subscription.areas.set(areas or [])
    return subscription
