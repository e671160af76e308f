"""make_<thing>(**overrides): the smallest valid row, with anything changed that a test names."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from hromada.core.models import Organization, Place
from hromada.volunteers.models import (
    Application,
    ApplicationEvent,
    Assignment,
    AvailabilitySlot,
    ContactCard,
    Desk,
    EquipmentItem,
    Referrer,
    Shift,
    Skill,
    Task,
    Team,
    TeamMember,
    Volunteer,
    VolunteerSkill,
)

_seq = itertools.count(1)
ALWAYS = [(day, 0, 1440) for day in range(7)]


def make_desk(organization: Organization, **overrides: Any) -> Desk:
    fields: dict[str, Any] = {"signups_open": True, "applications_open": True}
    fields.update(overrides)
    desk, _created = Desk.objects.update_or_create(organization=organization, defaults=fields)
    return desk


def make_volunteer(
    *,
    organization: Organization,
    skills: list[Any] = (),  # type: ignore[assignment]
    availability: list[tuple[int, int, int]] | None = None,
    **overrides: Any,
) -> Volunteer:
    """A verified volunteer, free at any hour unless ``availability`` says otherwise.
    ``skills``: codes, or (code, level, [licence]) tuples."""
    n = next(_seq)
    fields: dict[str, Any] = {
        "organization": organization,
        "name": f"Волонтер{n} Тестовий",
        "phone": f"+38050{n:07d}",
        "vetting": Volunteer.Vetting.VERIFIED,
        "source": Volunteer.Source.COORDINATOR,
        "consent_at": timezone.now(),
        "languages": ["uk"],
    }
    fields.update(overrides)
    volunteer = Volunteer.objects.create(**fields)
    for entry in skills:
        code, level, licence = (entry, 1, []) if isinstance(entry, str) else (*entry, [])[:3]
        VolunteerSkill.objects.create(volunteer=volunteer, skill=code, level=level, licence=licence)
    for day, start, end in ALWAYS if availability is None else availability:
        AvailabilitySlot.objects.create(
            volunteer=volunteer, weekday=day, start_minute=start, end_minute=end
        )
    return volunteer


def make_team(
    *,
    organization: Organization,
    members: list[Volunteer] = (),
    leader: Volunteer | None = None,
    **overrides: Any,
) -> Team:  # type: ignore[assignment]
    fields: dict[str, Any] = {
        "organization": organization,
        "name": f"Бригада {next(_seq)}",
        "kind": Team.Kind.FORTIFICATION,
    }
    fields.update(overrides)
    team = Team.objects.create(**fields)
    if leader is not None:
        TeamMember.objects.create(team=team, volunteer=leader, role=TeamMember.Role.LEADER)
    for volunteer in members:
        TeamMember.objects.create(team=team, volunteer=volunteer)
    return team


def make_task(*, organization: Organization, place: Place | None = None, **overrides: Any) -> Task:
    fields: dict[str, Any] = {
        "organization": organization,
        "place": place,
        "title": f"Мішки з піском {next(_seq)}",
        "kind": Task.Kind.FORTIFICATION,
        "verified_only": True,
    }
    fields.update(overrides)
    return Task.objects.create(**fields)


def tomorrow_at(hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def make_shift(*, task: Task, **overrides: Any) -> Shift:
    start = overrides.pop("starts_at", None) or tomorrow_at(8)
    fields: dict[str, Any] = {
        "task": task,
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=4),
        "headcount": 3,
    }
    fields.update(overrides)
    return Shift.objects.create(**fields)


def make_assignment(*, shift: Shift, volunteer: Volunteer, **overrides: Any) -> Assignment:
    fields: dict[str, Any] = {"status": Assignment.Status.CONFIRMED}
    fields.update(overrides)
    return Assignment.objects.create(shift=shift, volunteer=volunteer, **fields)


def make_item(*, organization: Organization, **overrides: Any) -> EquipmentItem:
    n = next(_seq)
    fields: dict[str, Any] = {
        "organization": organization,
        "kind": EquipmentItem.Kind.RADIO,
        "name": "Рація",
        "tag": f"R-{n:04d}",
    }
    fields.update(overrides)
    return EquipmentItem.objects.create(**fields)


def make_referrer(*, organization: Organization, **overrides: Any) -> Referrer:
    fields: dict[str, Any] = {
        "organization": organization,
        "name": "Pierre Lambert",
        "code": f"REF-{next(_seq)}",
    }
    fields.update(overrides)
    return Referrer.objects.create(**fields)


def make_application(
    *,
    organization: Organization,
    secret: str = "secret-for-tests",  # noqa: S107
    **overrides: Any,
) -> Application:
    fields: dict[str, Any] = {
        "organization": organization,
        "language": "fr",
        "name": "Camille Durand",
        "email": "camille@example.org",
        "nationality": "FR",
        "residence": "FR",
        "languages": ["fr", "en"],
        "skills": [Skill.NURSE],
        "experience": "Infirmière.",
        "available_from": timezone.localdate() + datetime.timedelta(days=10),
        "how_heard": Application.HowHeard.EMBASSY,
        "consent_at": timezone.now(),
    }
    fields.update(overrides)
    application = Application(**fields)
    application.secret_digest = Application.digest_of(secret)
    application.save()
    ApplicationEvent.objects.create(application=application, status_to=application.status)
    return application


def make_card(*, organization: Organization, **overrides: Any) -> ContactCard:
    fields: dict[str, Any] = {
        "organization": organization,
        "title": "Черговий лікар",
        "phone": "+380500001111",
    }
    fields.update(overrides)
    return ContactCard.objects.create(**fields)
