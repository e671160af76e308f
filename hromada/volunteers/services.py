"""Every rule about volunteers, teams, shifts, custody, applications and contact cards.

Pages, the API, the bot and tasks change this app's rows only through here. Problems come
back as ``ValidationError({"field": [message]})`` (422 in the API) or ``PermissionDenied``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.core import permissions as core_permissions
from hromada.core.idempotency import create_once
from hromada.core.models import Area, Organization, Place, Sensitivity
from hromada.core.privacy import CONSENTS
from hromada.lib import ratelimit
from hromada.volunteers import choices
from hromada.volunteers.documents import MAX_FILES, CheckedDocument, check_document
from hromada.volunteers.models import (
    APPLY_LANGUAGES,
    LANGUAGE_CODES,
    LICENCE_CATEGORIES,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Assignment,
    AvailabilitySlot,
    Condition,
    ContactCard,
    CustodyRecord,
    Desk,
    EquipmentItem,
    PartOfDay,
    Referrer,
    Shift,
    Skill,
    SkillLevel,
    Task,
    Team,
    TeamMember,
    Volunteer,
    VolunteerSkill,
)
from hromada.volunteers.permissions import may_lead, may_manage, profile_in
from hromada.volunteers.phones import normalize_phone

Errors = dict[str, list[str]]


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _require_manager(actor: Any, organization_id: int | None) -> None:
    if not may_manage(actor, organization_id):
        raise PermissionDenied(_("Only coordinators of this organisation may do this."))


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _model_errors(
    obj: Any, errors: Errors, *, exclude: Sequence[str] = (), constraints: bool = True
) -> None:
    try:
        obj.full_clean(exclude=[*exclude, *errors], validate_constraints=constraints)
    except ValidationError as e:
        for name, messages in e.message_dict.items():
            errors.setdefault(name, []).extend(messages)


# Skills and availability ------------------------------------------------------------------


@dataclass(frozen=True)
class SkillEntry:
    skill: str
    level: int = SkillLevel.BASIC
    licence: tuple[str, ...] = ()


def clean_skills(entries: Iterable[Any], errors: Errors) -> list[SkillEntry]:
    """Skills from a form or the API (``SkillEntry``, dicts or codes), checked, one per skill."""
    cleaned: dict[str, SkillEntry] = {}
    for raw in entries:
        if isinstance(raw, str):
            entry = SkillEntry(raw)
        elif isinstance(raw, dict):
            entry = SkillEntry(
                str(raw.get("skill", "")),
                int(raw.get("level") or SkillLevel.BASIC),
                tuple(raw.get("licence") or ()),
            )
        else:
            entry = raw
        if entry.skill not in Skill.values:
            _add(errors, "skills", _("Unknown skill: %(skill)s.") % {"skill": entry.skill})
            continue
        if entry.level not in SkillLevel.values:
            _add(errors, "skills", _("The level is 1, 2 or 3."))
            continue
        licence = tuple(
            dict.fromkeys(code.strip().upper() for code in entry.licence if code.strip())
        )
        unknown = [code for code in licence if code not in LICENCE_CATEGORIES]
        if unknown:
            _add(
                errors,
                "skills",
                _("Unknown licence category: %(codes)s.") % {"codes": ", ".join(unknown)},
            )
            continue
        if licence and entry.skill != Skill.DRIVER:
            _add(errors, "skills", _("Licence categories belong to the driver skill."))
            continue
        cleaned[entry.skill] = SkillEntry(entry.skill, entry.level, licence)
    return list(cleaned.values())


Slot = tuple[int, int, int]  # weekday, start minute, end minute


def merge_slots(slots: Iterable[Slot]) -> list[Slot]:
    """Weekly windows sorted, with overlapping and touching ones joined per day.

    >>> merge_slots([(0, 360, 720), (0, 720, 1080), (2, 0, 60)])
    [(0, 360, 1080), (2, 0, 60)]
    """
    merged: list[list[int]] = []
    for day, start, end in sorted(slots):
        if merged and merged[-1][0] == day and start <= merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], end)
        else:
            merged.append([day, start, end])
    return [(d, s, e) for d, s, e in merged]


def slots_from_parts(days: Iterable[int], parts: Iterable[str]) -> list[Slot]:
    """The sign-up form's answer ("weekends, mornings and evenings") as weekly windows."""
    return merge_slots((int(day), *PartOfDay(part).minutes) for day in days for part in parts)


def clean_slots(slots: Iterable[Any], errors: Errors) -> list[Slot]:
    cleaned: list[Slot] = []
    for raw in slots:
        if isinstance(raw, dict):
            raw = (raw.get("weekday"), raw.get("start_minute"), raw.get("end_minute"))
        try:
            day, start, end = (int(v) for v in raw)
        except (TypeError, ValueError):
            _add(errors, "availability", _("Give each window as a day, a start and an end."))
            continue
        if not (0 <= day <= 6 and 0 <= start < end <= 1440):
            _add(
                errors,
                "availability",
                _(
                    "A window is a day from 0 (Monday) to 6 and minutes 0–1440, ending after it starts."
                ),
            )
            continue
        cleaned.append((day, start, end))
    return merge_slots(cleaned)


def _save_skills(volunteer: Volunteer, skills: list[SkillEntry], *, replace: bool) -> None:
    existing = {s.skill: s for s in volunteer.skills.all()}
    wanted = {entry.skill for entry in skills}
    if replace:
        volunteer.skills.exclude(skill__in=wanted).delete()
    for entry in skills:
        row = existing.get(entry.skill)
        if row is None:
            VolunteerSkill.objects.create(
                volunteer=volunteer,
                skill=entry.skill,
                level=entry.level,
                licence=list(entry.licence),
            )
        elif replace:
            row.level, row.licence = entry.level, list(entry.licence)
            row.save()
        else:
            # A merge never lowers what a coordinator recorded; it adds licence categories.
            licence = list(dict.fromkeys([*row.licence, *entry.licence]))
            if licence != row.licence or entry.level > row.level:
                row.level, row.licence = max(row.level, entry.level), licence
                row.save()


def _save_slots(volunteer: Volunteer, slots: list[Slot], *, replace: bool) -> None:
    if not replace:
        current = volunteer.availability.values_list("weekday", "start_minute", "end_minute")
        slots = merge_slots([*current, *slots])
    volunteer.availability.all().delete()
    AvailabilitySlot.objects.bulk_create(
        AvailabilitySlot(volunteer=volunteer, weekday=d, start_minute=s, end_minute=e)
        for d, s, e in slots
    )


# Volunteers -------------------------------------------------------------------------------

VOLUNTEER_FIELDS = {
    "name", "phone", "email", "languages", "home_area", "vehicle", "vehicle_seats",
    "vehicle_load_kg", "emergency_name", "emergency_phone", "note",
}  # fmt: skip


def _clean_volunteer(volunteer: Volunteer, errors: Errors, *, phone_unique: bool = True) -> None:
    """Normalise and check a volunteer's own fields (not skills or availability).

    ``phone_unique``: refuse a phone another volunteer of the organisation has (the public
    sign-up merges instead)."""
    volunteer.name = " ".join(volunteer.name.split())
    if not volunteer.name:
        _add(errors, "name", _("Give the person's name."))
    for name in ("phone", "emergency_phone"):
        try:
            setattr(volunteer, name, normalize_phone(getattr(volunteer, name)))
        except ValidationError as e:
            errors.setdefault(name, []).extend(e.messages)
    volunteer.email = volunteer.email.strip().lower()
    volunteer.emergency_name = volunteer.emergency_name.strip()
    volunteer.note = volunteer.note.strip()
    unknown = [code for code in volunteer.languages if code not in LANGUAGE_CODES]
    if unknown:
        _add(errors, "languages", _("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown)})
    volunteer.languages = list(dict.fromkeys(volunteer.languages))
    if not volunteer.vehicle:
        volunteer.vehicle_seats = volunteer.vehicle_load_kg = None
    if phone_unique and volunteer.phone and "phone" not in errors:
        twin = Volunteer.objects.filter(
            organization_id=volunteer.organization_id, phone=volunteer.phone
        ).exclude(pk=volunteer.pk)
        if twin.exists():
            _add(errors, "phone", _("Another volunteer in this registry has this phone."))
    _model_errors(
        volunteer,
        errors,
        exclude=["user", "vetted_by", "consent_recorded_by"],
        constraints=False,
    )


def _require_consent(consent: bool, errors: Errors, message: str) -> None:
    if not consent:
        _add(errors, "consent", message)


@transaction.atomic
def register_volunteer(
    actor: Any,
    *,
    organization: Organization,
    name: str,
    consent: bool,
    skills: Iterable[Any] = (),
    availability: Iterable[Any] = (),
    idempotency_key: str | None = None,
    **fields: Any,
) -> tuple[Volunteer, bool]:
    """A coordinator registers a person who agreed (by phone, in person) to be on the list."""
    _require_manager(actor, organization.pk)
    unknown = set(fields) - VOLUNTEER_FIELDS
    if unknown:
        raise ValueError(f"not a volunteer field: {sorted(unknown)}")

    def create() -> Volunteer:
        errors: Errors = {}
        _require_consent(
            consent,
            errors,
            _("Ask the person whether they agree that we keep their data, then tick the box."),
        )
        volunteer = Volunteer(
            organization=organization,
            name=name,
            source=Volunteer.Source.COORDINATOR,
            consent_at=timezone.now(),
            consent_version=CONSENTS["volunteer_recorded"].version,
            consent_recorded_by=actor,
            **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()},
        )
        volunteer.languages = list(fields.get("languages") or [])
        cleaned_skills = clean_skills(skills, errors)
        slots = clean_slots(availability, errors)
        _clean_volunteer(volunteer, errors)
        _raise(errors)
        volunteer.save()
        _save_skills(volunteer, cleaned_skills, replace=True)
        _save_slots(volunteer, slots, replace=True)
        return volunteer

    return create_once(
        scope="volunteers.volunteer.create",
        key=idempotency_key,
        actor=actor,
        model=Volunteer,
        create=create,
    )


def open_desks(*, applications: bool = False) -> Any:
    desks = Desk.objects.select_related("organization")
    return desks.filter(applications_open=True) if applications else desks.filter(signups_open=True)


@dataclass
class SignUp:
    volunteer: Volunteer
    merged: bool


def sign_up(
    *,
    organization: Organization,
    name: str,
    phone: str,
    consent: bool,
    skills: Iterable[Any] = (),
    availability: Iterable[Any] = (),
    idempotency_key: str | None = None,
    actor: Any = None,
    ip: str | None = None,
    **fields: Any,
) -> SignUp:
    """A person signs themselves up from the public form (a few an hour from one connection,
    ``ip``; see ``hromada.lib.ratelimit``).

    The same phone in the same organisation is the same person: a second sign-up adds what
    is new (skills, languages, hours, blank fields) to the first and never overwrites what a
    coordinator recorded, nor the name, nor the vetting. The answer page is the same either
    way, so the form does not tell a stranger whether a number is registered.
    """
    unknown = set(fields) - (VOLUNTEER_FIELDS - {"note"})
    if unknown:
        raise ValueError(f"not a sign-up field: {sorted(unknown)}")
    ratelimit.check("volunteer-signup", actor=actor, ip=ip)
    errors: Errors = {}
    if not open_desks().filter(organization=organization).exists():
        _add(errors, "organization", _("This organisation does not take sign-ups."))
    if not (phone or "").strip():
        _add(errors, "phone", _("Give a phone number so that a coordinator can call you."))
    _require_consent(consent, errors, _("Tick the box to agree that we keep your data."))
    cleaned_skills = clean_skills(skills, errors)
    slots = clean_slots(availability, errors)
    candidate = Volunteer(
        organization=organization,
        name=name,
        phone=phone or "",
        source=Volunteer.Source.SIGNUP,
        consent_at=timezone.now(),
        consent_version=CONSENTS["volunteer_signup"].version,
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()},
    )
    candidate.languages = list(fields.get("languages") or [])
    # The phone may belong to a registered volunteer: that is a merge, not an error.
    _clean_volunteer(candidate, errors, phone_unique=False)
    _raise(errors)
    merged = False

    def create() -> Volunteer:
        nonlocal merged
        existing = (
            Volunteer.objects.select_for_update()
            .filter(organization=organization, phone=candidate.phone)
            .first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    candidate.save()
                    _save_skills(candidate, cleaned_skills, replace=True)
                    _save_slots(candidate, slots, replace=True)
                    return candidate
            except IntegrityError:
                # The same person pressed "send" on two phones at once: merge into the first.
                existing = Volunteer.objects.get(organization=organization, phone=candidate.phone)
        merged = True
        _merge_into(existing, candidate, cleaned_skills, slots)
        return existing

    with transaction.atomic():
        volunteer, _created = create_once(
            scope="volunteers.signup",
            key=idempotency_key,
            actor=None,
            model=Volunteer,
            create=create,
        )
    return SignUp(volunteer, merged)


def _merge_into(
    existing: Volunteer, new: Volunteer, skills: list[SkillEntry], slots: list[Slot]
) -> None:
    changed = ["languages", "consent_at", "consent_version", "is_active", "updated_at"]
    existing.languages = list(dict.fromkeys([*existing.languages, *new.languages]))
    existing.consent_at, existing.consent_version = new.consent_at, new.consent_version
    existing.is_active = True
    for name in ("email", "home_area", "emergency_name", "emergency_phone"):
        if not getattr(existing, name) and getattr(new, name):
            setattr(existing, name, getattr(new, name))
            changed.append(name)
    if not existing.vehicle and new.vehicle:
        existing.vehicle = new.vehicle
        existing.vehicle_seats, existing.vehicle_load_kg = new.vehicle_seats, new.vehicle_load_kg
        changed += ["vehicle", "vehicle_seats", "vehicle_load_kg"]
    existing.save(update_fields=changed)
    _save_skills(existing, skills, replace=False)
    _save_slots(existing, slots, replace=False)


@transaction.atomic
def update_volunteer(
    actor: Any,
    volunteer: Volunteer,
    *,
    skills: Iterable[Any] | None = None,
    availability: Iterable[Any] | None = None,
    **changes: Any,
) -> Volunteer:
    """A coordinator changes a volunteer; ``skills`` and ``availability``, when given,
    replace the old ones."""
    unknown = set(changes) - VOLUNTEER_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _require_manager(actor, volunteer.organization_id)
    errors: Errors = {}
    for name, value in changes.items():
        setattr(volunteer, name, value.strip() if isinstance(value, str) else value)
    cleaned_skills = clean_skills(skills, errors) if skills is not None else None
    slots = clean_slots(availability, errors) if availability is not None else None
    _clean_volunteer(volunteer, errors)
    _raise(errors)
    volunteer.save()
    if cleaned_skills is not None:
        _save_skills(volunteer, cleaned_skills, replace=True)
    if slots is not None:
        _save_slots(volunteer, slots, replace=True)
    return volunteer


def _withdraw_upcoming(volunteer: Volunteer) -> int:
    return Assignment.objects.filter(
        volunteer=volunteer,
        status__in=Assignment.ACTIVE,
        checked_in_at__isnull=True,
        shift__starts_at__gt=timezone.now(),
    ).update(status=Assignment.Status.WITHDRAWN, updated_at=timezone.now())


@transaction.atomic
def set_vetting(actor: Any, volunteer: Volunteer, *, status: str, note: str = "") -> int:
    """Verify or suspend a volunteer. Suspending takes them off every shift that has not
    started; returns how many."""
    _require_manager(actor, volunteer.organization_id)
    if status not in Volunteer.Vetting.values:
        raise ValidationError({"status": [_("Choose verified, unverified or suspended.")]})
    if status != Volunteer.Vetting.SUSPENDED and not note.strip() and status == volunteer.vetting:
        return 0
    volunteer.vetting = status
    volunteer.vetted_by = actor
    volunteer.vetted_at = timezone.now()
    volunteer.vetting_note = note.strip()[:500]
    volunteer.save(
        update_fields=["vetting", "vetted_by", "vetted_at", "vetting_note", "updated_at"]
    )
    return _withdraw_upcoming(volunteer) if status == Volunteer.Vetting.SUSPENDED else 0


@transaction.atomic
def remove_volunteer(actor: Any, volunteer: Volunteer) -> None:
    """The person leaves or withdraws their consent: their contact data is erased, they
    leave every shift that has not started, and the row stays for the hours it counted."""
    _require_manager(actor, volunteer.organization_id)
    if CustodyRecord.objects.open().filter(volunteer=volunteer).exists():
        raise ValidationError(
            {"__all__": [_("This person still holds equipment. Record its return first.")]}
        )
    volunteer.phone = volunteer.email = volunteer.emergency_name = volunteer.emergency_phone = ""
    volunteer.is_active = False
    volunteer.consent_at = None
    volunteer.save()
    volunteer.availability.all().delete()
    TeamMember.objects.filter(volunteer=volunteer).delete()
    _withdraw_upcoming(volunteer)


# Teams ------------------------------------------------------------------------------------

TEAM_FIELDS = {"name", "kind", "area", "note", "is_active"}


def _clean_team(team: Team, errors: Errors) -> None:
    team.name = " ".join(team.name.split())
    _model_errors(team, errors)


@transaction.atomic
def create_team(
    actor: Any,
    *,
    organization: Organization,
    name: str,
    kind: str,
    area: Area | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> tuple[Team, bool]:
    _require_manager(actor, organization.pk)

    def create() -> Team:
        team = Team(organization=organization, name=name, kind=kind, area=area, note=note.strip())
        errors: Errors = {}
        _clean_team(team, errors)
        _raise(errors)
        team.save()
        return team

    return create_once(
        scope="volunteers.team.create", key=idempotency_key, actor=actor, model=Team, create=create
    )


@transaction.atomic
def update_team(actor: Any, team: Team, **changes: Any) -> Team:
    unknown = set(changes) - TEAM_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _require_manager(actor, team.organization_id)
    for name, value in changes.items():
        setattr(team, name, value)
    errors: Errors = {}
    _clean_team(team, errors)
    _raise(errors)
    team.save()
    return team


@transaction.atomic
def add_team_member(
    actor: Any, team: Team, volunteer: Volunteer, *, role: str = TeamMember.Role.MEMBER
) -> TeamMember:
    """Add a volunteer to a team, or change their role. A new leader replaces the old one,
    who stays on as a member."""
    _require_manager(actor, team.organization_id)
    errors: Errors = {}
    if volunteer.organization_id != team.organization_id:
        _add(errors, "volunteer", _("This person is not in the organisation's registry."))
    elif not volunteer.is_active:
        _add(errors, "volunteer", _("This person is no longer active."))
    if role not in TeamMember.Role.values:
        _add(errors, "role", _("Choose leader, deputy or member."))
    _raise(errors)
    if role == TeamMember.Role.LEADER:
        team.members.filter(role=TeamMember.Role.LEADER).exclude(volunteer=volunteer).update(
            role=TeamMember.Role.MEMBER
        )
    member, created = TeamMember.objects.get_or_create(
        team=team, volunteer=volunteer, defaults={"role": role}
    )
    if not created and member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    return member


@transaction.atomic
def remove_team_member(actor: Any, team: Team, volunteer: Volunteer) -> None:
    _require_manager(actor, team.organization_id)
    team.members.filter(volunteer=volunteer).delete()


# Tasks and shifts -------------------------------------------------------------------------

TASK_FIELDS = {
    "title", "kind", "description", "place", "team", "skills", "skills_for_all", "verified_only",
}  # fmt: skip


def _clean_task(actor: Any, task: Task, errors: Errors) -> None:
    task.title = " ".join(task.title.split())
    task.description = task.description.strip()
    bad = [code for code in task.skills if code not in Skill.values]
    if bad:
        _add(errors, "skills", _("Unknown skill: %(skill)s.") % {"skill": ", ".join(bad)})
    task.skills = list(dict.fromkeys(task.skills))
    if task.skills_for_all and not task.skills:
        task.skills_for_all = False
    if task.place is not None and not core_permissions.may_view_place(actor, task.place):
        _add(errors, "place", _("Unknown place."))
    if task.team is not None and task.team.organization_id != task.organization_id:
        _add(errors, "team", _("The team belongs to another organisation."))
    _model_errors(task, errors, exclude=["created_by"])


@transaction.atomic
def create_task(
    actor: Any,
    *,
    organization: Organization,
    title: str,
    kind: str,
    first_shift: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    **fields: Any,
) -> tuple[Task, bool]:
    """Post a task; with ``first_shift`` (starts_at, ends_at, headcount) its first shift too,
    both or neither."""
    unknown = set(fields) - TASK_FIELDS
    if unknown:
        raise ValueError(f"not a task field: {sorted(unknown)}")
    _require_manager(actor, organization.pk)

    def create() -> Task:
        task = Task(organization=organization, title=title, kind=kind, created_by=actor, **fields)
        task.skills = list(fields.get("skills") or [])
        errors: Errors = {}
        _clean_task(actor, task, errors)
        shift = None
        if first_shift is not None:
            shift = Shift(task=task, **first_shift)
            _clean_shift(shift, errors, new=True, exclude=["task"])
        _raise(errors)
        task.save()
        if shift is not None:
            shift.task = task
            shift.save()
        return task

    return create_once(
        scope="volunteers.task.create", key=idempotency_key, actor=actor, model=Task, create=create
    )


@transaction.atomic
def update_task(actor: Any, task: Task, **changes: Any) -> Task:
    unknown = set(changes) - TASK_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _require_manager(actor, task.organization_id)
    if task.status != Task.Status.OPEN:
        raise ValidationError({"__all__": [_("This task is closed.")]})
    for name, value in changes.items():
        setattr(task, name, value)
    errors: Errors = {}
    _clean_task(actor, task, errors)
    _raise(errors)
    task.save()
    return task


@transaction.atomic
def close_task(actor: Any, task: Task, *, status: str) -> Task:
    """Mark a task done or cancelled; cancelling also cancels its shifts still to come."""
    _require_manager(actor, task.organization_id)
    if status not in (Task.Status.DONE, Task.Status.CANCELLED):
        raise ValidationError({"status": [_("A task is closed as done or cancelled.")]})
    if task.status == status:
        return task
    task.status = status
    task.save(update_fields=["status"])
    if status == Task.Status.CANCELLED:
        task.shifts.filter(starts_at__gt=timezone.now()).update(status=Shift.Status.CANCELLED)
    return task


def _clean_shift(shift: Shift, errors: Errors, *, new: bool, exclude: Sequence[str] = ()) -> None:
    if shift.lead is not None and shift.lead.organization_id != shift.task.organization_id:
        _add(errors, "lead", _("The leader must be in the organisation's registry."))
    if new and shift.ends_at is not None and shift.ends_at <= timezone.now():
        _add(errors, "ends_at", _("This shift would already be over."))
    _model_errors(shift, errors, exclude=exclude)


@transaction.atomic
def create_shift(
    actor: Any,
    task: Task,
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    headcount: int,
    lead: Volunteer | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> tuple[Shift, bool]:
    _require_manager(actor, task.organization_id)
    if task.status != Task.Status.OPEN:
        raise ValidationError({"__all__": [_("This task is closed.")]})

    def create() -> Shift:
        shift = Shift(
            task=task, starts_at=starts_at, ends_at=ends_at, headcount=headcount, lead=lead,
            note=note.strip(),
        )  # fmt: skip
        errors: Errors = {}
        _clean_shift(shift, errors, new=True)
        _raise(errors)
        shift.save()
        return shift

    return create_once(
        scope="volunteers.shift.create",
        key=idempotency_key,
        actor=actor,
        model=Shift,
        create=create,
    )


@transaction.atomic
def update_shift(actor: Any, shift: Shift, **changes: Any) -> Shift:
    unknown = set(changes) - {"starts_at", "ends_at", "headcount", "lead", "note"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _require_manager(actor, shift.task.organization_id)
    if shift.status != Shift.Status.OPEN:
        raise ValidationError({"__all__": [_("This shift is cancelled.")]})
    for name, value in changes.items():
        setattr(shift, name, value)
    errors: Errors = {}
    _clean_shift(shift, errors, new=False)
    _raise(errors)
    shift.save()
    return shift


@transaction.atomic
def cancel_shift(actor: Any, shift: Shift) -> Shift:
    _require_manager(actor, shift.task.organization_id)
    if shift.assignments.filter(checked_in_at__isnull=False).exists():
        raise ValidationError(
            {"__all__": [_("People have checked in on this shift: it cannot be cancelled.")]}
        )
    shift.status = Shift.Status.CANCELLED
    shift.save(update_fields=["status"])
    return shift


def confirmed_count(shift: Shift) -> int:
    return shift.assignments.filter(status=Assignment.Status.CONFIRMED).count()


def _overlapping(volunteer: Volunteer, shift: Shift) -> Assignment | None:
    return (
        Assignment.objects.filter(
            volunteer=volunteer,
            status=Assignment.Status.CONFIRMED,
            shift__status=Shift.Status.OPEN,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift=shift)
        .select_related("shift__task")
        .first()
    )


def assignment_problems(volunteer: Volunteer, shift: Shift) -> list[str]:
    """Why this person may not be put on this shift (empty when they may)."""
    task = shift.task
    problems: list[str] = []
    if shift.status != Shift.Status.OPEN or task.status != Task.Status.OPEN:
        return [_("This shift is cancelled or its task is closed.")]
    if shift.is_over:
        return [_("This shift is over.")]
    if volunteer.organization_id != task.organization_id:
        return [_("%(name)s is not in the organisation's registry.") % {"name": volunteer.name}]
    if not volunteer.is_active:
        problems.append(_("%(name)s is no longer active.") % {"name": volunteer.name})
    elif volunteer.vetting == Volunteer.Vetting.SUSPENDED:
        problems.append(_("%(name)s is suspended.") % {"name": volunteer.name})
    elif task.verified_only and not volunteer.is_verified:
        problems.append(
            _("%(name)s is not verified yet, and this task takes verified volunteers only.")
            % {"name": volunteer.name}
        )
    if task.skills_for_all:
        held = {s.skill for s in volunteer.skills.all()}
        missing = [str(Skill(s).label) for s in task.skills if s not in held]
        if missing:
            problems.append(
                _("%(name)s lacks a skill everyone on this task needs: %(skills)s.")
                % {"name": volunteer.name, "skills": ", ".join(missing)}
            )
    clash = _overlapping(volunteer, shift)
    if clash is not None:
        problems.append(
            _("%(name)s is already on another shift at that time: %(shift)s.")
            % {"name": volunteer.name, "shift": clash.shift}
        )
    return problems


def _lock_shift(shift: Shift) -> Shift:
    """Take the shift's row lock, so that two people taking the last place queue up."""
    return Shift.objects.select_for_update().select_related("task").get(pk=shift.pk)


@transaction.atomic
def sign_up_for_shift(actor: Any, shift: Shift) -> Assignment:
    """A volunteer with a login takes a place on a shift (or accepts their invitation)."""
    shift = _lock_shift(shift)
    volunteer = profile_in(actor, shift.task.organization_id)
    if volunteer is None:
        raise PermissionDenied(_("You are not in this organisation's volunteer registry."))
    problems = assignment_problems(volunteer, shift)
    if problems:
        raise ValidationError({"__all__": problems})
    if confirmed_count(shift) >= shift.headcount:
        raise ValidationError({"__all__": [_("This shift is full. Thank you all the same!")]})
    assignment, _created = Assignment.objects.get_or_create(
        shift=shift, volunteer=volunteer, defaults={"status": Assignment.Status.CONFIRMED}
    )
    if assignment.status != Assignment.Status.CONFIRMED:
        assignment.status = Assignment.Status.CONFIRMED
        assignment.agreed_by_phone = False
    assignment.responded_at = timezone.now()
    assignment.save()
    return assignment


@dataclass
class InviteResult:
    assignments: list[Assignment] = field(default_factory=list)
    skipped: list[tuple[Volunteer, str]] = field(default_factory=list)


@transaction.atomic
def invite(
    actor: Any,
    shift: Shift,
    *,
    volunteers: Iterable[Volunteer] = (),
    team: Team | None = None,
    agreed: bool = False,
) -> InviteResult:
    """Ask people (or a whole team) to come. With ``agreed`` the coordinator says they asked
    each person already (by phone) and they said yes: they are confirmed at once.

    Nobody is refused silently: each person left out comes back with the reason.
    """
    shift = _lock_shift(shift)
    _require_manager(actor, shift.task.organization_id)
    people = list(volunteers)
    if team is not None:
        if team.organization_id != shift.task.organization_id:
            raise ValidationError({"team": [_("The team belongs to another organisation.")]})
        people += [m.volunteer for m in team.members.select_related("volunteer")]
    if not people:
        raise ValidationError({"volunteers": [_("Choose at least one person or a team.")]})
    if agreed:
        return _ask(
            actor, shift, people, team=team, status=Assignment.Status.CONFIRMED, by_phone=True
        )
    return _ask(actor, shift, people, team=team, status=Assignment.Status.INVITED, by_phone=False)


def _ask(
    actor: Any,
    shift: Shift,
    people: list[Volunteer],
    *,
    team: Team | None,
    status: str,
    by_phone: bool,
) -> InviteResult:
    """Put each person on the shift as invited or confirmed, or say why not."""
    result = InviteResult()
    now = timezone.now()
    seen: set[int] = set()
    for volunteer in people:
        if volunteer.pk in seen:
            continue
        seen.add(volunteer.pk)
        existing = Assignment.objects.filter(shift=shift, volunteer=volunteer).first()
        if existing is not None and existing.status == Assignment.Status.CONFIRMED:
            result.skipped.append((volunteer, _("already confirmed on this shift")))
            continue
        if (
            existing is not None
            and existing.status == Assignment.Status.INVITED
            and status == Assignment.Status.INVITED
        ):
            result.skipped.append((volunteer, _("already invited")))
            continue
        problems = assignment_problems(volunteer, shift)
        if problems:
            result.skipped.append((volunteer, " ".join(problems)))
            continue
        assignment = existing or Assignment(shift=shift, volunteer=volunteer)
        assignment.status = status
        assignment.agreed_by_phone = by_phone
        assignment.responded_at = now if status == Assignment.Status.CONFIRMED else None
        assignment.invited_by = actor
        assignment.via_team = team
        assignment.save()
        result.assignments.append(assignment)
    return result


def led_teams(actor: Any, organization_id: int) -> list[Team]:
    """The active teams of this organisation that the actor leads."""
    if not getattr(actor, "is_authenticated", False):
        return []
    return list(
        Team.objects.filter(
            organization_id=organization_id,
            is_active=True,
            members__role=TeamMember.Role.LEADER,
            members__volunteer__user=actor,
            members__volunteer__is_active=True,
        )
    )


@transaction.atomic
def sign_up_team(actor: Any, shift: Shift, team: Team) -> InviteResult:
    """A team's leader puts the team forward for a shift: the leader is confirmed, and each
    member is invited and answers for themselves."""
    shift = _lock_shift(shift)
    if team not in led_teams(actor, shift.task.organization_id):
        raise PermissionDenied(_("Only the team's leader may sign the team up."))
    members = list(team.members.select_related("volunteer"))
    leader = [m.volunteer for m in members if m.role == TeamMember.Role.LEADER]
    others = [m.volunteer for m in members if m.role != TeamMember.Role.LEADER]
    result = _ask(
        actor, shift, leader, team=team, status=Assignment.Status.CONFIRMED, by_phone=False
    )
    more = _ask(actor, shift, others, team=team, status=Assignment.Status.INVITED, by_phone=False)
    result.assignments += more.assignments
    result.skipped += more.skipped
    return result


def _require_own(actor: Any, assignment: Assignment) -> None:
    if not (getattr(actor, "is_authenticated", False) and assignment.volunteer.user_id == actor.pk):
        raise PermissionDenied(_("Only the person invited may answer."))


@transaction.atomic
def respond(actor: Any, assignment: Assignment, *, accept: bool) -> Assignment:
    """The invited person says yes or no."""
    _require_own(actor, assignment)
    shift = _lock_shift(assignment.shift)
    assignment.refresh_from_db()
    if assignment.status not in (Assignment.Status.INVITED, Assignment.Status.DECLINED):
        if assignment.status == Assignment.Status.CONFIRMED and accept:
            return assignment
        raise ValidationError({"__all__": [_("There is no invitation to answer.")]})
    if accept:
        problems = assignment_problems(assignment.volunteer, shift)
        if problems:
            raise ValidationError({"__all__": problems})
        if confirmed_count(shift) >= shift.headcount:
            raise ValidationError(
                {"__all__": [_("The shift has filled up meanwhile. Thank you all the same!")]}
            )
    assignment.status = Assignment.Status.CONFIRMED if accept else Assignment.Status.DECLINED
    assignment.responded_at = timezone.now()
    assignment.save()
    return assignment


@transaction.atomic
def confirm_on_behalf(actor: Any, assignment: Assignment) -> Assignment:
    """A coordinator records the answer an invited person gave by phone: yes."""
    _require_manager(actor, assignment.shift.task.organization_id)
    if assignment.status == Assignment.Status.CONFIRMED:
        return assignment
    if assignment.status != Assignment.Status.INVITED:
        raise ValidationError({"__all__": [_("There is no invitation to answer.")]})
    problems = assignment_problems(assignment.volunteer, assignment.shift)
    if problems:
        raise ValidationError({"__all__": problems})
    assignment.status = Assignment.Status.CONFIRMED
    assignment.agreed_by_phone = True
    assignment.responded_at = timezone.now()
    assignment.save()
    return assignment


@transaction.atomic
def withdraw(actor: Any, assignment: Assignment) -> Assignment:
    """The person cannot come after all (or a coordinator takes them off)."""
    own = getattr(actor, "is_authenticated", False) and assignment.volunteer.user_id == actor.pk
    if not own:
        _require_manager(actor, assignment.shift.task.organization_id)
    if assignment.checked_in_at is not None:
        raise ValidationError({"__all__": [_("Already checked in: check out instead.")]})
    if assignment.status not in Assignment.ACTIVE:
        return assignment
    assignment.status = Assignment.Status.WITHDRAWN
    assignment.responded_at = timezone.now()
    assignment.save()
    return assignment


CHECK_IN_OPENS = datetime.timedelta(hours=2)  # Shift.check_in_open says the same to pages


def _may_check(actor: Any, assignment: Assignment) -> None:
    own = getattr(actor, "is_authenticated", False) and assignment.volunteer.user_id == actor.pk
    if not own and not may_lead(actor, assignment.shift):
        raise PermissionDenied(
            _("Only the person, the shift's leader or a coordinator may do this.")
        )


def _moment(at: datetime.datetime | None, now: datetime.datetime) -> datetime.datetime:
    if at is None:
        return now
    if at > now + datetime.timedelta(minutes=1):
        raise ValidationError({"at": [_("This time is in the future.")]})
    return at


@transaction.atomic
def check_in(
    actor: Any, assignment: Assignment, *, at: datetime.datetime | None = None
) -> Assignment:
    """The person arrived. ``at`` lets a leader record a time they noted on paper."""
    _may_check(actor, assignment)
    assignment = (
        Assignment.objects.select_for_update().select_related("shift__task").get(pk=assignment.pk)
    )
    shift, now = assignment.shift, timezone.now()
    moment = _moment(at, now)
    if assignment.status != Assignment.Status.CONFIRMED:
        raise ValidationError({"__all__": [_("Only confirmed people check in.")]})
    if assignment.checked_in_at is not None:
        raise ValidationError({"__all__": [_("Already checked in.")]})
    if moment < shift.starts_at - CHECK_IN_OPENS:
        raise ValidationError({"__all__": [_("Check-in opens two hours before the shift.")]})
    if moment > shift.ends_at:
        raise ValidationError(
            {"__all__": [_("This shift is over: give the time of arrival you noted.")]}
        )
    assignment.checked_in_at = moment
    assignment.checked_in_by = actor
    assignment.save()
    return assignment


@transaction.atomic
def check_out(
    actor: Any, assignment: Assignment, *, at: datetime.datetime | None = None
) -> Assignment:
    """The person left, and is counted back. Hours are counted from check-in to check-out."""
    _may_check(actor, assignment)
    assignment = (
        Assignment.objects.select_for_update().select_related("shift__task").get(pk=assignment.pk)
    )
    moment = _moment(at, timezone.now())
    if assignment.checked_in_at is None:
        raise ValidationError(
            {"__all__": [_("Check in first: nobody checks out before checking in.")]}
        )
    if assignment.checked_out_at is not None:
        raise ValidationError({"__all__": [_("Already checked out.")]})
    if moment < assignment.checked_in_at:
        raise ValidationError({"at": [_("Check-out cannot be before check-in.")]})
    assignment.checked_out_at = moment
    assignment.checked_out_by = actor
    assignment.save()
    return assignment


@transaction.atomic
def mark_no_show(actor: Any, assignment: Assignment) -> Assignment:
    if not may_lead(actor, assignment.shift):
        raise PermissionDenied(_("Only the shift's leader or a coordinator may do this."))
    if assignment.status != Assignment.Status.CONFIRMED or assignment.checked_in_at is not None:
        raise ValidationError(
            {"__all__": [_("Only a confirmed person who has not checked in can be marked absent.")]}
        )
    if not assignment.shift.has_started:
        raise ValidationError({"__all__": [_("The shift has not started yet.")]})
    assignment.status = Assignment.Status.NO_SHOW
    assignment.save()
    return assignment


def record_no_shows(now: datetime.datetime | None = None) -> int:
    """Confirmed people who never checked in to a shift that is over did not come.
    Safe to run any number of times."""
    now = now or timezone.now()
    return Assignment.objects.filter(
        status=Assignment.Status.CONFIRMED,
        checked_in_at__isnull=True,
        shift__ends_at__lte=now,
        shift__status=Shift.Status.OPEN,
    ).update(status=Assignment.Status.NO_SHOW, updated_at=now)


# Equipment custody ------------------------------------------------------------------------


@transaction.atomic
def register_item(
    actor: Any,
    *,
    organization: Organization,
    kind: str,
    name: str,
    tag: str,
    condition: str = Condition.GOOD,
    note: str = "",
    idempotency_key: str | None = None,
) -> tuple[EquipmentItem, bool]:
    _require_manager(actor, organization.pk)

    def create() -> EquipmentItem:
        item = EquipmentItem(
            organization=organization, kind=kind, name=" ".join(name.split()),
            tag=tag.strip().upper(), condition=condition, note=note.strip(),
        )  # fmt: skip
        errors: Errors = {}
        if condition == Condition.LOST:
            _add(errors, "condition", _("Register an item you have."))
        _model_errors(item, errors)
        _raise(errors)
        item.save()
        return item

    return create_once(
        scope="volunteers.equipment.create",
        key=idempotency_key,
        actor=actor,
        model=EquipmentItem,
        create=create,
    )


def _lock_item(item: EquipmentItem) -> EquipmentItem:
    return EquipmentItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def issue_item(
    actor: Any,
    item: EquipmentItem,
    *,
    volunteer: Volunteer | None = None,
    team: Team | None = None,
    condition: str = "",
    due_back: datetime.datetime | None = None,
    note: str = "",
) -> CustodyRecord:
    """Hand an item to a volunteer or a team. An item that is out is refused until it is
    returned (and the database refuses it too, should two hand-overs race)."""
    _require_manager(actor, item.organization_id)
    item = _lock_item(item)
    errors: Errors = {}
    holder = (
        CustodyRecord.objects.open().filter(item=item).select_related("volunteer", "team").first()
    )
    if holder is not None:
        raise ValidationError(
            {"item": [_("This item is already issued to %(holder)s.") % {"holder": holder.holder}]}
        )
    if item.state in (EquipmentItem.State.LOST, EquipmentItem.State.RETIRED):
        raise ValidationError({"item": [_("This item is lost or retired.")]})
    if (volunteer is None) == (team is None):
        _add(errors, "holder", _("Give the item to one volunteer or one team."))
    elif volunteer is not None:
        if volunteer.organization_id != item.organization_id:
            _add(errors, "volunteer", _("This person is not in the organisation's registry."))
        elif not volunteer.may_be_assigned:
            _add(errors, "volunteer", _("This person is suspended or no longer active."))
    elif team is not None and team.organization_id != item.organization_id:
        _add(errors, "team", _("The team belongs to another organisation."))
    now = timezone.now()
    if due_back is not None and due_back <= now:
        _add(errors, "due_back", _("This time is in the past."))
    condition = condition or item.condition
    if condition not in Condition.values or condition == Condition.LOST:
        _add(errors, "condition", _("Choose the condition it is in."))
    _raise(errors)
    try:
        with transaction.atomic():
            record = CustodyRecord.objects.create(
                item=item, volunteer=volunteer, team=team, issued_at=now, issued_by=actor,
                condition_out=condition, due_back=due_back, note=note.strip()[:500],
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError({"item": [_("This item is already issued.")]}) from None
    item.state, item.condition = EquipmentItem.State.ISSUED, condition
    item.save(update_fields=["state", "condition"])
    return record


@transaction.atomic
def return_item(
    actor: Any, item: EquipmentItem, *, condition: str, note: str = ""
) -> CustodyRecord:
    """The item comes back (or is reported lost) in the condition given."""
    _require_manager(actor, item.organization_id)
    item = _lock_item(item)
    record = CustodyRecord.objects.open().filter(item=item).first()
    if record is None:
        raise ValidationError({"item": [_("This item is not issued.")]})
    if condition not in Condition.values:
        raise ValidationError({"condition": [_("Choose the condition it is in.")]})
    record.returned_at = timezone.now()
    record.received_by = actor
    record.condition_in = condition
    if note.strip():
        record.note = (f"{record.note} / {note.strip()}" if record.note else note.strip())[:500]
    record.save()
    if condition == Condition.LOST:
        item.state = EquipmentItem.State.LOST
    else:
        item.state, item.condition = EquipmentItem.State.AVAILABLE, condition
    item.save(update_fields=["state", "condition"])
    return record


@transaction.atomic
def retire_item(actor: Any, item: EquipmentItem) -> EquipmentItem:
    _require_manager(actor, item.organization_id)
    item = _lock_item(item)
    if item.state == EquipmentItem.State.ISSUED:
        raise ValidationError({"item": [_("This item is issued: record its return first.")]})
    item.state = EquipmentItem.State.RETIRED
    item.save(update_fields=["state"])
    return item


# Applications from abroad ---------------------------------------------------------------


def _checked_documents(
    files: Iterable[Any], errors: Errors, *, already: int = 0
) -> list[CheckedDocument]:
    checked: list[CheckedDocument] = []
    files = list(files)
    if already + len(files) > MAX_FILES:
        _add(errors, "documents", _("Send at most %(n)s files.") % {"n": MAX_FILES})
        return []
    for upload in files:
        try:
            checked.append(check_document(upload))
        except ValidationError as e:
            errors.setdefault("documents", []).extend(e.messages)
    return checked


def _store_documents(application: Application, documents: list[CheckedDocument]) -> None:
    for doc in documents:
        row = ApplicationDocument(
            application=application, original_name=doc.name, content_type=doc.content_type,
            size=len(doc.data), sha256=doc.sha256,
        )  # fmt: skip
        # Saved in private storage (MEDIA_ROOT, never served); a failed transaction leaves
        # the file as an orphan but no row points at it.
        row.file.save("document", ContentFile(doc.data), save=False)
        row.save()


@dataclass
class Submitted:
    application: Application
    secret: str
    created: bool


def submit_application(
    *,
    language: str,
    name: str,
    email: str,
    nationality: str,
    residence: str,
    experience: str,
    available_from: datetime.date,
    how_heard: str,
    consent: bool,
    organization: Organization | None = None,
    phone: str = "",
    languages: Sequence[str] = (),
    skills: Sequence[str] = (),
    available_until: datetime.date | None = None,
    referrer_code: str = "",
    documents: Iterable[Any] = (),
    idempotency_key: str | None = None,
    actor: Any = None,
    ip: str | None = None,
) -> Submitted:
    """A volunteer abroad applies. Returns the application and the secret for the status
    link (shown once; a replay of the same submission gets a fresh secret). A few an hour
    from one connection (``ip``; see ``hromada.lib.ratelimit``)."""
    ratelimit.check("volunteer-apply", actor=actor, ip=ip)
    errors: Errors = {}
    desks = open_desks(applications=True)
    if organization is None:
        only = list(desks[:2])
        organization = only[0].organization if len(only) == 1 else None
        if organization is None:
            _add(errors, "organization", _("Choose who you are applying to."))
    elif not desks.filter(organization=organization).exists():
        _add(errors, "organization", _("This organisation does not take applications."))
    if language not in dict(APPLY_LANGUAGES):
        _add(errors, "language", _("Unknown language."))
    codes = choices.country_codes()
    nationality, residence = nationality.strip().upper(), residence.strip().upper()
    for name_, value in (("nationality", nationality), ("residence", residence)):
        if value not in codes:
            _add(errors, name_, _("Choose a country from the list."))
    bad = [code for code in languages if code not in LANGUAGE_CODES]
    if bad:
        _add(errors, "languages", _("Unknown language: %(codes)s.") % {"codes": ", ".join(bad)})
    bad = [code for code in skills if code not in Skill.values]
    if bad:
        _add(errors, "skills", _("Unknown skill: %(skill)s.") % {"skill": ", ".join(bad)})
    today = timezone.localdate()
    if available_from < today:
        _add(errors, "available_from", _("This date is in the past."))
    if available_until is not None and available_until < available_from:
        _add(errors, "available_until", _("The end comes before the start."))
    try:
        phone = normalize_phone(phone)
    except ValidationError as e:
        errors.setdefault("phone", []).extend(e.messages)
    referrer = None
    if referrer_code.strip():
        referrer = Referrer.objects.filter(code=referrer_code.strip().upper()).first()
        if referrer is None:
            _add(
                errors,
                "referrer_code",
                _("Unknown referral code. Check it with the person who referred you."),
            )
    _require_consent(consent, errors, _("Tick the box to agree that we keep your data."))
    checked = _checked_documents(documents, errors)
    application = Application(
        organization=organization, language=language, name=" ".join(name.split()),
        email=email.strip().lower(), phone=phone, nationality=nationality, residence=residence,
        languages=list(dict.fromkeys(languages)), skills=list(dict.fromkeys(skills)),
        experience=experience.strip(), available_from=available_from,
        available_until=available_until, how_heard=how_heard, referrer=referrer,
        consent_at=timezone.now(), consent_version=CONSENTS["volunteer_application"].version,
    )  # fmt: skip
    _model_errors(
        application, errors, exclude=["reference", "secret_digest", "reviewer", "volunteer"]
    )
    _raise(errors)
    secret = application.set_secret()

    def create() -> Application:
        application.save()
        ApplicationEvent.objects.create(
            application=application, status_to=Application.Status.SUBMITTED
        )
        _store_documents(application, checked)
        return application

    with transaction.atomic():
        saved, created = create_once(
            scope="volunteers.application.create",
            key=idempotency_key,
            actor=None,
            model=Application,
            create=create,
        )
        if not created:
            secret = saved.set_secret()
            saved.save(update_fields=["secret_digest"])
    return Submitted(saved, secret, created)


def application_by_secret(reference: str, secret: str) -> Application | None:
    """The application behind a status link, or None (wrong reference or secret alike)."""
    application = Application.objects.filter(reference=reference.strip().upper()).first()
    if application is None or not application.check_secret(secret):
        return None
    return application


@transaction.atomic
def add_documents(application: Application, files: Iterable[Any]) -> int:
    """The applicant sends more documents through their status link."""
    if application.is_final:
        raise ValidationError({"documents": [_("This application is closed.")]})
    errors: Errors = {}
    checked = _checked_documents(files, errors, already=application.documents.count())
    _raise(errors)
    _store_documents(application, checked)
    return len(checked)


def _move(actor: Any, application: Application, status: str, note: str = "") -> None:
    if status not in application.TRANSITIONS[application.status]:
        raise ValidationError(
            {
                "status": [
                    _("An application that is %(now)s cannot become %(next)s.")
                    % {
                        "now": Application.Status(application.status).label,
                        "next": Application.Status(status).label
                        if status in Application.Status.values
                        else status,
                    }
                ]
            }
        )
    ApplicationEvent.objects.create(
        application=application, actor=_user_or_none(actor), status_from=application.status,
        status_to=status, note=note.strip(),
    )  # fmt: skip
    application.status = status


@transaction.atomic
def change_application_status(
    actor: Any, application: Application, *, status: str, note: str = ""
) -> Application:
    """A reviewer moves the application on. On arrival the person joins the registry."""
    _require_manager(actor, application.organization_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    _move(actor, application, status, note)
    if application.reviewer_id is None:
        application.reviewer = actor
    if status == Application.Status.ARRIVED and application.volunteer_id is None:
        volunteer = Volunteer.objects.create(
            organization=application.organization, name=application.name,
            email=application.email, languages=application.languages,
            source=Volunteer.Source.APPLICATION, consent_at=application.consent_at,
            consent_version=application.consent_version,
            note=_("Arrived from abroad, application %(ref)s.") % {"ref": application.reference},
        )  # fmt: skip
        taken = Volunteer.objects.filter(
            organization=application.organization, phone=application.phone
        ).exclude(pk=volunteer.pk)
        # A phone already in the registry stays with its owner; the e-mail still reaches them.
        if application.phone and not taken.exists():
            volunteer.phone = application.phone
            volunteer.save(update_fields=["phone"])
        for code in application.skills:
            VolunteerSkill.objects.create(volunteer=volunteer, skill=code)
        application.volunteer = volunteer
    application.save()
    return application


@transaction.atomic
def add_application_note(actor: Any, application: Application, note: str) -> ApplicationEvent:
    _require_manager(actor, application.organization_id)
    if not note.strip():
        raise ValidationError({"note": [_("Write the note.")]})
    event = ApplicationEvent(
        application=application, actor=actor, status_from=application.status,
        status_to=application.status, note=note.strip(),
    )  # fmt: skip
    errors: Errors = {}
    _model_errors(event, errors, exclude=["actor"])
    _raise(errors)
    event.save()
    return event


@transaction.atomic
def take_application(actor: Any, application: Application) -> Application:
    """The reviewer takes the application on."""
    _require_manager(actor, application.organization_id)
    application.reviewer = actor
    application.save(update_fields=["reviewer", "updated_at"])
    return application


@transaction.atomic
def withdraw_application(application: Application) -> Application:
    """The applicant withdraws, through their status link."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status == Application.Status.WITHDRAWN:
        return application
    _move(None, application, Application.Status.WITHDRAWN)
    application.save()
    return application


def referral_counts(referrer: Referrer) -> dict[str, int]:
    """How many of this referrer's applicants are at each status: counts only."""
    counts = dict(referrer.applications.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Application.Status.values}


# Contact directory ------------------------------------------------------------------------

CARD_FIELDS = {
    "place", "title", "name", "phone", "phone_alt", "hours", "note", "sensitivity", "audience",
    "sort_order", "is_active",
}  # fmt: skip


def _clean_card(actor: Any, card: ContactCard, errors: Errors) -> None:
    for name in ("title", "name", "hours", "note"):
        setattr(card, name, " ".join(str(getattr(card, name)).split()))
    for name in ("phone", "phone_alt"):
        try:
            setattr(card, name, normalize_phone(getattr(card, name)))
        except ValidationError as e:
            errors.setdefault(name, []).extend(e.messages)
    if not card.phone and "phone" not in errors:
        _add(errors, "phone", _("Give the number to call."))
    if card.place is not None and not core_permissions.may_view_place(actor, card.place):
        _add(errors, "place", _("Unknown place."))
    if card.sensitivity not in Sensitivity.values:
        _add(errors, "sensitivity", _("Choose who may see it."))
    _model_errors(card, errors)


@transaction.atomic
def create_card(
    actor: Any,
    *,
    organization: Organization,
    title: str,
    phone: str,
    idempotency_key: str | None = None,
    **fields: Any,
) -> tuple[ContactCard, bool]:
    unknown = set(fields) - CARD_FIELDS
    if unknown:
        raise ValueError(f"not a card field: {sorted(unknown)}")
    _require_manager(actor, organization.pk)

    def create() -> ContactCard:
        card = ContactCard(organization=organization, title=title, phone=phone, **fields)
        errors: Errors = {}
        _clean_card(actor, card, errors)
        _raise(errors)
        card.save()
        return card

    return create_once(
        scope="volunteers.card.create", key=idempotency_key, actor=actor, model=ContactCard,
        create=create,
    )  # fmt: skip


@transaction.atomic
def update_card(actor: Any, card: ContactCard, **changes: Any) -> ContactCard:
    unknown = set(changes) - CARD_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _require_manager(actor, card.organization_id)
    for name, value in changes.items():
        setattr(card, name, value)
    errors: Errors = {}
    _clean_card(actor, card, errors)
    _raise(errors)
    card.save()
    return card


def place_for(actor: Any, place_id: int | None) -> Place | None:
    """A place the actor may see, or a field error that says nothing about the others."""
    if place_id is None:
        return None
    place = core_permissions.visible_places(actor).filter(pk=place_id).first()
    if place is None:
        raise ValidationError({"place_id": [_("Unknown place.")]})
    return place


def overdue_summary(organization_ids: Iterable[int]) -> dict[str, int]:
    now = timezone.now()
    open_records = CustodyRecord.objects.open().filter(
        item__organization__in=list(organization_ids)
    )
    return open_records.aggregate(out=Count("pk"), overdue=Count("pk", filter=Q(due_back__lt=now)))
