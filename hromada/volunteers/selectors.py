"""Queries shared by the pages, the exports and the API: the volunteer search, the shift
board, a shift's candidates, the custody register, hours and the directory."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from hromada.volunteers.models import (
    Application,
    Assignment,
    AvailabilitySlot,
    ContactCard,
    CustodyRecord,
    PartOfDay,
    Shift,
    Skill,
    Task,
    TeamMember,
    Volunteer,
    VolunteerSkill,
    has_code,
)
from hromada.volunteers.permissions import (
    in_managed_orgs,
    managed_applications,
    managed_custody,
    managed_volunteers,
    visible_cards,
    visible_shifts,
)

# Availability -----------------------------------------------------------------------------


def window_for(day: datetime.date, part: str) -> tuple[datetime.datetime, datetime.datetime]:
    """A part of a local day ("tomorrow morning") as an aware time window."""
    start, end = PartOfDay(part).minutes
    zone = timezone.get_current_timezone()
    midnight = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    return midnight + datetime.timedelta(minutes=start), midnight + datetime.timedelta(minutes=end)


def local_segments(start: datetime.datetime, end: datetime.datetime) -> list[tuple[int, int, int]]:
    """The window as (weekday, start minute, end minute) pieces of local days.

    A night watch from 22:00 to 06:00 is two pieces: the evening of one day and the early
    morning of the next. Wall-clock minutes, so a DST change does not shift them.
    """
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    pieces: list[tuple[int, int, int]] = []
    day = local_start.date()
    while True:
        first = local_start if day == local_start.date() else None
        begin = first.hour * 60 + first.minute if first else 0
        if day == local_end.date():
            finish = local_end.hour * 60 + local_end.minute
            if finish > begin:
                pieces.append((day.weekday(), begin, finish))
            return pieces
        pieces.append((day.weekday(), begin, 1440))
        day += datetime.timedelta(days=1)
        if len(pieces) > 8:  # a week and more: nobody is "free" for that by their schedule
            return pieces


def available_q(start: datetime.datetime, end: datetime.datetime) -> Q:
    """Volunteers whose weekly availability covers the whole window."""
    condition = Q()
    for weekday, begin, finish in local_segments(start, end):
        condition &= Q(
            Exists(
                AvailabilitySlot.objects.filter(
                    volunteer=OuterRef("pk"),
                    weekday=weekday,
                    start_minute__lte=begin,
                    end_minute__gte=finish,
                )
            )
        )
    return condition


def busy_q(start: datetime.datetime, end: datetime.datetime, *, exclude_shift: Any = None) -> Q:
    """Volunteers already confirmed or invited on a shift that overlaps the window."""
    overlapping = Assignment.objects.filter(
        volunteer=OuterRef("pk"),
        status__in=Assignment.ACTIVE,
        shift__status=Shift.Status.OPEN,
        shift__starts_at__lt=end,
        shift__ends_at__gt=start,
    )
    if exclude_shift is not None:
        overlapping = overlapping.exclude(shift=exclude_shift)
    return Q(Exists(overlapping))


# The volunteer search -------------------------------------------------------------------


@dataclass
class VolunteerFilters:
    q: str = ""
    skill: str = ""
    level: int | None = None
    licence: str = ""
    vehicle: str = ""  # a kind, or "any"
    seats: int | None = None
    area: str = ""  # area code; includes the areas below it
    vetting: str = ""
    language: str = ""
    team: int | None = None
    free_from: datetime.datetime | None = None
    free_until: datetime.datetime | None = None
    include_inactive: bool = False


def _skill_q(skill: str, level: int | None, licence: str) -> Q:
    rows = VolunteerSkill.objects.filter(volunteer=OuterRef("pk"))
    if skill:
        rows = rows.filter(skill=skill)
    if licence:
        rows = rows.filter(has_code("licence", licence.upper()), skill=Skill.DRIVER)
    if level:
        rows = rows.filter(level__gte=level)
    return Q(Exists(rows))


def search_volunteers(user: Any, filters: VolunteerFilters) -> QuerySet[Volunteer]:
    """ "Verified drivers with a van, free tomorrow morning, in the north district": the
    volunteers this coordinator runs that match every filter given, by name.

    Three queries whatever the page size: the volunteers, their skills, and the count."""
    people = managed_volunteers(user)
    if not filters.include_inactive:
        people = people.filter(is_active=True)
    if filters.skill or filters.licence or filters.level:
        people = people.filter(_skill_q(filters.skill, filters.level, filters.licence))
    if filters.vehicle == "any":
        people = people.exclude(vehicle="")
    elif filters.vehicle:
        people = people.filter(vehicle=filters.vehicle)
    if filters.seats:
        people = people.filter(vehicle_seats__gte=filters.seats)
    if filters.area:
        people = people.filter(home_area__path__contains=f"/{filters.area}/")
    if filters.vetting:
        people = people.filter(vetting=filters.vetting)
    if filters.language:
        people = people.filter(has_code("languages", filters.language))
    if filters.team:
        people = people.filter(team_memberships__team_id=filters.team)
    if filters.q:
        text = filters.q.strip()
        digits = re.sub(r"\D", "", text)
        match = Q(name__icontains=text) | Q(email__icontains=text)
        if len(digits) >= 3:
            match |= Q(phone__contains=digits)
        people = people.filter(match)
    if filters.free_from and filters.free_until and filters.free_until > filters.free_from:
        people = people.filter(available_q(filters.free_from, filters.free_until)).exclude(
            busy_q(filters.free_from, filters.free_until)
        )
    return (
        people.select_related("home_area", "organization")
        .prefetch_related("skills")
        .order_by("name", "pk")
    )


def candidates_for(
    shift: Shift, user: Any, *, everyone: bool = False, limit: int = 40
) -> list[Volunteer]:
    """Who could fill this shift: active volunteers of the task's organisation who meet its
    rules (vetting, skills everyone needs), are not on it yet and are not busy then, and -
    unless ``everyone`` - whose weekly availability covers it. People with the task's
    skills come first, then those who live in the place's area."""
    task = shift.task
    people = managed_volunteers(user).filter(organization=task.organization_id, is_active=True)
    people = people.exclude(vetting=Volunteer.Vetting.SUSPENDED)
    if task.verified_only:
        people = people.filter(vetting=Volunteer.Vetting.VERIFIED)
    if task.skills_for_all:
        for code in task.skills:
            people = people.filter(_skill_q(code, None, ""))
    on_shift = Assignment.objects.filter(
        shift=shift, volunteer=OuterRef("pk"), status__in=Assignment.ACTIVE
    )
    people = people.exclude(Exists(on_shift)).exclude(busy_q(shift.starts_at, shift.ends_at))
    if not everyone:
        people = people.filter(available_q(shift.starts_at, shift.ends_at))
    matching = Count("skills", filter=Q(skills__skill__in=task.skills), distinct=True)
    local: Any = Value(0)
    if task.place is not None:
        local = Case(
            When(home_area__path__startswith=task.place.area.path, then=Value(1)), default=Value(0)
        )
    people = people.annotate(matching=matching, is_local=local)
    return list(
        people.select_related("home_area")
        .prefetch_related("skills")
        .order_by("-matching", "-is_local", "name", "pk")[:limit]
    )


# Shifts -----------------------------------------------------------------------------------


@dataclass
class ShiftFilters:
    day: datetime.date | None = None
    kind: str = ""
    place: int | None = None
    short: bool = False
    include_past: bool = False


def shift_board(user: Any, filters: ShiftFilters | None = None) -> QuerySet[Shift]:
    """Shifts this user may see, soonest first, each with its counts (one query)."""
    filters = filters or ShiftFilters()
    shifts = visible_shifts(user).filter(task__status=Task.Status.OPEN)
    if not filters.include_past:
        shifts = shifts.upcoming()
    if filters.day:
        start = datetime.datetime.combine(
            filters.day, datetime.time(0), tzinfo=timezone.get_current_timezone()
        )
        shifts = shifts.filter(starts_at__lt=start + datetime.timedelta(days=1), ends_at__gt=start)
    if filters.kind:
        shifts = shifts.filter(task__kind=filters.kind)
    if filters.place:
        shifts = shifts.filter(task__place_id=filters.place)
    shifts = shifts.with_counts()
    if filters.short:
        shifts = shifts.short()
    return shifts.select_related("task__place__area", "task__organization", "task__team").order_by(
        "starts_at", "pk"
    )


def roster(shift: Shift, *, with_contact: bool) -> list[Assignment]:
    """Everyone asked for this shift: confirmed first, then invited, then the rest.
    Without ``with_contact`` the volunteers come redacted (short names, no contact data)."""
    order = {s: i for i, s in enumerate(
        [Assignment.Status.CONFIRMED, Assignment.Status.INVITED, Assignment.Status.NO_SHOW,
         Assignment.Status.DECLINED, Assignment.Status.WITHDRAWN]
    )}  # fmt: skip
    rows = list(
        shift.assignments.select_related("volunteer").prefetch_related(
            Prefetch("volunteer__skills", queryset=VolunteerSkill.objects.order_by("skill"))
        )
    )
    rows.sort(key=lambda a: (order[Assignment.Status(a.status)], a.volunteer.name))
    if not with_contact:
        for row in rows:
            row.volunteer.redact()
    return rows


def not_counted_back(user: Any, *, now: datetime.datetime | None = None) -> QuerySet[Assignment]:
    """People who checked in to a shift that is over and have not checked out, on the
    shifts this user runs."""
    return (
        Assignment.objects.filter(
            shift__in=visible_shifts(user),
            status=Assignment.Status.CONFIRMED,
            checked_in_at__isnull=False,
            checked_out_at__isnull=True,
            shift__ends_at__lte=now or timezone.now(),
        )
        .select_related("volunteer", "shift__task__place")
        .order_by("shift__ends_at")
    )


def my_assignments(user: Any) -> QuerySet[Assignment]:
    """The signed-in volunteer's shifts not yet over, and invitations waiting for an answer."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(
            volunteer__user=user,
            volunteer__is_active=True,
            status__in=Assignment.ACTIVE,
            shift__status=Shift.Status.OPEN,
        )
        .filter(
            Q(shift__ends_at__gt=timezone.now())
            | Q(checked_in_at__isnull=False, checked_out_at__isnull=True)
        )
        .select_related("shift__task__place__area", "shift__task__organization")
        .order_by("shift__starts_at")
    )


def hours(
    user: Any, *, start: datetime.date | None = None, end: datetime.date | None = None
) -> QuerySet[Assignment]:
    """Counted hours (checked in and out) on shifts of the organisations this user runs."""
    rows = in_managed_orgs(
        Assignment.objects.filter(checked_out_at__isnull=False), user, "shift__task__organization"
    )
    zone = timezone.get_current_timezone()
    if start:
        rows = rows.filter(
            checked_in_at__gte=datetime.datetime.combine(start, datetime.time(0), tzinfo=zone)
        )
    if end:
        rows = rows.filter(
            checked_in_at__lt=datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
            )
        )
    return rows.select_related("volunteer", "shift__task__place").order_by("checked_in_at", "pk")


# Custody ----------------------------------------------------------------------------------


def custody_register(
    user: Any, *, at: datetime.datetime | None = None, overdue: bool = False, q: str = ""
) -> QuerySet[CustodyRecord]:
    """Who holds what now (or at ``at``): the open hand-overs, oldest first."""
    records = managed_custody(user)
    records = records.held_at(at) if at else records.open()
    if overdue:
        records = records.filter(due_back__lt=at or timezone.now())
    if q:
        records = records.filter(
            Q(item__tag__icontains=q)
            | Q(item__name__icontains=q)
            | Q(volunteer__name__icontains=q)
            | Q(team__name__icontains=q)
        )
    return records.select_related("item", "volunteer", "team", "issued_by").order_by(
        "issued_at", "pk"
    )


# Applications and the directory -------------------------------------------------------------


def application_list(user: Any, *, status: str = "", q: str = "") -> QuerySet[Application]:
    rows = managed_applications(user)
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(reference__icontains=q) | Q(email__icontains=q))
    return (
        rows.select_related("referrer", "reviewer")
        .annotate(document_count=Count("documents"))
        .order_by("-submitted_at", "-pk")
    )


def directory(user: Any, *, q: str = "", place: int | None = None) -> QuerySet[ContactCard]:
    cards = visible_cards(user)
    if place:
        cards = cards.filter(place_id=place)
    if q:
        cards = cards.filter(
            Q(title__icontains=q)
            | Q(name__icontains=q)
            | Q(place__name__icontains=q)
            | Q(organization__name__icontains=q)
        )
    return cards.select_related("organization", "place").order_by(
        F("place__name").asc(nulls_last=True), "organization__name", "sort_order", "title", "pk"
    )


ROLE_RANK = Case(
    *(When(role=role, then=Value(i)) for i, role in enumerate(TeamMember.Role.values)),
    default=Value(9),
)


def team_roster(team_id: int, *, with_contact: bool) -> list[TeamMember]:
    """The team's members, leader first; redacted unless ``with_contact``."""
    members = list(
        TeamMember.objects.filter(team_id=team_id)
        .select_related("volunteer")
        .prefetch_related("volunteer__skills")
        .order_by(ROLE_RANK, "volunteer__name")
    )
    if not with_contact:
        for member in members:
            member.volunteer.redact()
    return members
