import datetime
from enum import Enum, StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from hromada.core.api_auth import anyone
from hromada.core.models import Area, Organization, Sensitivity
from hromada.core.services import client_ip, record_event
from hromada.lib import ratelimit
from hromada.lib.pagination import LimitOffsetPagination
from hromada.volunteers import permissions, selectors, services
from hromada.volunteers.models import (
    APPLY_LANGUAGES,
    LANGUAGE_CODES,
    Application,
    Assignment,
    Condition,
    ContactCard,
    CustodyRecord,
    EquipmentItem,
    PartOfDay,
    Shift,
    Skill,
    SkillLevel,
    Task,
    Team,
    TeamMember,
    Volunteer,
)

router = Router(tags=["volunteers"])

# Schemas ----------------------------------------------------------------------------------


class OrganizationRef(Schema):
    id: int
    name: str


class AreaRef(Schema):
    code: str
    name: str


class SkillIn(Schema):
    skill: Skill
    level: SkillLevel = SkillLevel.BASIC
    licence: list[str] = Field(default_factory=list, max_length=14)


class SkillOut(Schema):
    skill: str
    level: int
    licence: list[str]


class SlotIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 is Monday")
    start_minute: int = Field(ge=0, le=1439, description="Local time, minutes from midnight")
    end_minute: int = Field(ge=1, le=1440)


class SlotOut(Schema):
    weekday: int
    start_minute: int
    end_minute: int


def _contact(obj: Volunteer, context: Any, value: str) -> str:
    """Contact data only for coordinators of the volunteer's organisation and the person."""
    request = (context or {}).get("request")
    if request is None or not permissions.may_see_contact(request.user, obj):
        return ""
    return value


class VolunteerOut(Schema):
    id: int
    organization: OrganizationRef
    name: str
    phone: str
    email: str
    emergency_name: str
    emergency_phone: str
    languages: list[str]
    home_area: AreaRef | None
    vehicle: str
    vehicle_seats: int | None
    vehicle_load_kg: int | None
    vetting: str
    vetted_at: datetime.datetime | None
    skills: list[SkillOut]
    availability: list[SlotOut]
    source: str
    is_active: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_phone(obj: Volunteer, context: Any) -> str:
        return _contact(obj, context, obj.phone)

    @staticmethod
    def resolve_email(obj: Volunteer, context: Any) -> str:
        return _contact(obj, context, obj.email)

    @staticmethod
    def resolve_emergency_name(obj: Volunteer, context: Any) -> str:
        return _contact(obj, context, obj.emergency_name)

    @staticmethod
    def resolve_emergency_phone(obj: Volunteer, context: Any) -> str:
        return _contact(obj, context, obj.emergency_phone)

    @staticmethod
    def resolve_skills(obj: Volunteer) -> list[Any]:
        return list(obj.skills.all())

    @staticmethod
    def resolve_availability(obj: Volunteer) -> list[Any]:
        return list(obj.availability.all())


class VolunteerIn(Schema):
    organization_id: int
    name: str = Field(max_length=200)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    languages: list[str] = Field(default_factory=list, max_length=len(LANGUAGE_CODES))
    home_area: str | None = Field(None, description="Area code")
    vehicle: Volunteer.Vehicle = Volunteer.Vehicle.NONE
    vehicle_seats: int | None = Field(None, ge=1, le=60)
    vehicle_load_kg: int | None = Field(None, ge=1, le=40000)
    emergency_name: str = Field("", max_length=200)
    emergency_phone: str = Field("", max_length=32)
    note: str = Field("", max_length=2000)
    skills: list[SkillIn] = Field(default_factory=list, max_length=len(Skill.values))
    availability: list[SlotIn] = Field(default_factory=list, max_length=100)
    consent: bool = Field(description="The person agreed that we keep their data.")

    model_config = {"extra": "forbid"}


class VolunteerPatch(Schema):
    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    languages: list[str] | None = None
    home_area: str | None = None
    vehicle: Volunteer.Vehicle | None = None
    vehicle_seats: int | None = Field(None, ge=1, le=60)
    vehicle_load_kg: int | None = Field(None, ge=1, le=40000)
    emergency_name: str | None = Field(None, max_length=200)
    emergency_phone: str | None = Field(None, max_length=32)
    note: str | None = Field(None, max_length=2000)
    skills: list[SkillIn] | None = None
    availability: list[SlotIn] | None = None

    model_config = {"extra": "forbid"}


class SignUpIn(Schema):
    organization_id: int
    name: str = Field(max_length=200)
    phone: str = Field(max_length=32)
    languages: list[str] = Field(default_factory=list, max_length=len(LANGUAGE_CODES))
    home_area: str | None = None
    vehicle: Volunteer.Vehicle = Volunteer.Vehicle.NONE
    vehicle_seats: int | None = Field(None, ge=1, le=60)
    emergency_name: str = Field("", max_length=200)
    emergency_phone: str = Field("", max_length=32)
    skills: list[SkillIn] = Field(default_factory=list, max_length=len(Skill.values))
    availability: list[SlotIn] = Field(default_factory=list, max_length=100)
    consent: bool

    model_config = {"extra": "forbid"}


class Received(Schema):
    detail: str


class VettingIn(Schema):
    status: Volunteer.Vetting
    note: str = Field("", max_length=500)


class VolunteerFilters(Schema):
    q: str | None = Field(None, max_length=100, description="Name, e-mail or phone digits")
    skill: Skill | None = None
    level: SkillLevel | None = Field(None, description="At least this level of the skill")
    licence: str | None = Field(None, max_length=4, description="Driving licence category")
    vehicle: str | None = Field(None, description="A vehicle kind, or 'any'")
    seats: int | None = Field(None, ge=1, le=60)
    area: str | None = Field(None, description="Area code; includes the areas below it")
    vetting: Volunteer.Vetting | None = None
    language: str | None = Field(None, max_length=3)
    team: int | None = None
    free_from: datetime.datetime | None = Field(
        None, description="With free_until: available then by their week and on no other shift"
    )
    free_until: datetime.datetime | None = None
    day: datetime.date | None = Field(None, description="Instead of free_from/until: a day…")
    part: PartOfDay | None = Field(None, description="…and a part of it (morning, …)")


# Volunteers -------------------------------------------------------------------------------


def _area(code: str | None) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationError({"home_area": [_("Unknown area.")]})
    return area


def _managed_org(user: Any, organization_id: int) -> Organization:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise ValidationError({"organization_id": [_("Unknown organisation.")]})
    if not permissions.may_manage(user, organization.pk):
        raise PermissionDenied(_("Only coordinators of this organisation may do this."))
    return organization


def _require_manager(request: HttpRequest) -> None:
    if not permissions.is_volunteer_manager(request.user):
        raise PermissionDenied(_("This is for coordinators of volunteers."))


VOLUNTEER_RELATIONS = ("organization", "home_area")


def _volunteer_out(user: Any, pk: int) -> Volunteer:
    return permissions.access_volunteer(user, pk)


@router.get(
    "/volunteers",
    response=list[VolunteerOut],
    summary="Search the volunteers you coordinate",
    description=(
        "E.g. verified drivers with a van free tomorrow morning in one district: "
        "`?skill=driver&vehicle=van&vetting=verified&day=…&part=morning&area=…`."
    ),
)
@paginate(LimitOffsetPagination)
def list_volunteers(request: HttpRequest, filters: Query[VolunteerFilters]):  # type: ignore[no-untyped-def]
    _require_manager(request)
    ratelimit.check_search(request, filters.q)
    data = filters.dict(exclude_none=True)
    day, part = data.pop("day", None), data.pop("part", None)
    if day:
        if part:
            data["free_from"], data["free_until"] = selectors.window_for(day, part)
        else:
            start, _end = selectors.window_for(day, PartOfDay.NIGHT)
            data["free_from"], data["free_until"] = start, start + datetime.timedelta(days=1)
    people = selectors.search_volunteers(
        request.user, selectors.VolunteerFilters(**data)
    ).prefetch_related("availability")
    record_event("volunteers.registry.viewed", request=request, query=request.GET.urlencode()[:500])
    return people


@router.post("/volunteers", response={201: VolunteerOut}, summary="Register a volunteer")
def create_volunteer(
    request: HttpRequest,
    response: HttpResponse,
    payload: VolunteerIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Volunteer]:
    data = payload.dict()
    organization = _managed_org(request.user, data.pop("organization_id"))
    data["home_area"] = _area(data["home_area"])
    volunteer, created = services.register_volunteer(
        request.user, organization=organization, idempotency_key=idempotency_key, **data
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, _volunteer_out(request.user, volunteer.pk))


@router.post(
    "/volunteers/signup",
    response={202: Received},
    auth=anyone,
    summary="Sign yourself up (the public form)",
    description=(
        "The same phone in the same organisation is the same person: a second sign-up adds "
        "what is new. The answer is the same either way and carries no data."
    ),
)
def sign_up(
    request: HttpRequest,
    payload: SignUpIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, str]]:
    data = payload.dict()
    organization = Organization.objects.filter(pk=data.pop("organization_id")).first()
    if organization is None:
        raise ValidationError({"organization_id": [_("This organisation does not take sign-ups.")]})
    data["home_area"] = _area(data["home_area"])
    services.sign_up(
        organization=organization,
        idempotency_key=idempotency_key,
        actor=request.user,
        ip=client_ip(request),
        **data,
    )
    return Status(202, {"detail": _("Thank you. A coordinator will call you.")})


@router.get("/volunteers/{volunteer_id}", response=VolunteerOut, summary="One volunteer")
def get_volunteer(request: HttpRequest, volunteer_id: int) -> Volunteer:
    volunteer = _volunteer_out(request.user, volunteer_id)
    if volunteer.user_id != request.user.pk:
        record_event("volunteers.volunteer.viewed", request=request, obj=volunteer)
    return volunteer


@router.patch("/volunteers/{volunteer_id}", response=VolunteerOut, summary="Change a volunteer")
def update_volunteer(request: HttpRequest, volunteer_id: int, payload: VolunteerPatch) -> Volunteer:
    volunteer = permissions.access_volunteer(request.user, volunteer_id, manage=True)
    changes = payload.dict(exclude_unset=True)
    if "home_area" in changes:
        changes["home_area"] = _area(changes["home_area"])
    for name in ("name", "phone", "email", "emergency_name", "emergency_phone", "note", "vehicle"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    if changes.get("languages", []) is None:
        changes["languages"] = []
    services.update_volunteer(request.user, volunteer, **changes)
    return _volunteer_out(request.user, volunteer_id)


@router.post(
    "/volunteers/{volunteer_id}/vetting",
    response=VolunteerOut,
    summary="Verify or suspend (suspending takes them off shifts not yet started)",
)
def set_vetting(request: HttpRequest, volunteer_id: int, payload: VettingIn) -> Volunteer:
    volunteer = permissions.access_volunteer(request.user, volunteer_id, manage=True)
    services.set_vetting(request.user, volunteer, status=payload.status, note=payload.note)
    return _volunteer_out(request.user, volunteer_id)


@router.post(
    "/volunteers/{volunteer_id}/remove",
    response=VolunteerOut,
    summary="Erase contact data and take off the list (consent withdrawn, or left)",
)
def remove_volunteer(request: HttpRequest, volunteer_id: int) -> Volunteer:
    volunteer = permissions.access_volunteer(request.user, volunteer_id, manage=True)
    services.remove_volunteer(request.user, volunteer)
    return _volunteer_out(request.user, volunteer_id)


# Teams ------------------------------------------------------------------------------------


class MemberOut(Schema):
    volunteer_id: int
    name: str
    phone: str = Field(description="Empty unless you coordinate the team's organisation")
    role: str


class TeamOut(Schema):
    id: int
    organization: OrganizationRef
    name: str
    kind: str
    area: AreaRef | None
    note: str
    members: list[MemberOut]


class TeamIn(Schema):
    organization_id: int
    name: str = Field(max_length=200)
    kind: Team.Kind
    area: str | None = None
    note: str = Field("", max_length=2000)

    model_config = {"extra": "forbid"}


class MemberIn(Schema):
    volunteer_id: int
    role: TeamMember.Role = TeamMember.Role.MEMBER


def _team_out(user: Any, team: Team) -> dict[str, Any]:
    manage = permissions.may_manage(user, team.organization_id)
    members = selectors.team_roster(team.pk, with_contact=manage)
    return {
        "id": team.pk,
        "organization": team.organization,
        "name": team.name,
        "kind": team.kind,
        "area": team.area,
        "note": team.note,
        "members": [
            {
                "volunteer_id": m.volunteer_id,
                "name": m.volunteer.name,
                "phone": m.volunteer.phone,
                "role": m.role,
            }
            for m in members
        ],
    }


@router.get("/teams", response=list[TeamOut], tags=["teams"], summary="Teams you run or belong to")
def list_teams(request: HttpRequest) -> list[dict[str, Any]]:
    teams = (
        permissions.visible_teams(request.user)
        .filter(is_active=True)
        .select_related("organization", "area")
    )
    return [_team_out(request.user, t) for t in teams.order_by("name")]


@router.post("/teams", response={201: TeamOut}, tags=["teams"])
def create_team(
    request: HttpRequest,
    payload: TeamIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    data = payload.dict()
    organization = _managed_org(request.user, data.pop("organization_id"))
    data["area"] = _area(data["area"])
    team, _created = services.create_team(
        request.user, organization=organization, idempotency_key=idempotency_key, **data
    )
    return Status(201, _team_out(request.user, permissions.access_team(request.user, team.pk)))


@router.get("/teams/{team_id}", response=TeamOut, tags=["teams"])
def get_team(request: HttpRequest, team_id: int) -> dict[str, Any]:
    return _team_out(request.user, permissions.access_team(request.user, team_id))


@router.post(
    "/teams/{team_id}/members", response=TeamOut, tags=["teams"], summary="Add or change a member"
)
def add_member(request: HttpRequest, team_id: int, payload: MemberIn) -> dict[str, Any]:
    team = permissions.access_team(request.user, team_id, manage=True)
    volunteer = permissions.managed_volunteers(request.user).filter(pk=payload.volunteer_id).first()
    if volunteer is None:
        raise ValidationError({"volunteer_id": [_("Unknown volunteer.")]})
    services.add_team_member(request.user, team, volunteer, role=payload.role)
    return _team_out(request.user, team)


@router.delete("/teams/{team_id}/members/{volunteer_id}", response=TeamOut, tags=["teams"])
def remove_member(request: HttpRequest, team_id: int, volunteer_id: int) -> dict[str, Any]:
    team = permissions.access_team(request.user, team_id, manage=True)
    volunteer = permissions.access_volunteer(request.user, volunteer_id, manage=True)
    services.remove_team_member(request.user, team, volunteer)
    return _team_out(request.user, team)


# Tasks and shifts -------------------------------------------------------------------------


class PlaceRef(Schema):
    id: int
    name: str
    address: str


class TaskOut(Schema):
    id: int
    organization: OrganizationRef
    title: str
    kind: str
    description: str
    place: PlaceRef | None
    team_id: int | None
    skills: list[str]
    skills_for_all: bool
    verified_only: bool
    status: str


class FirstShiftIn(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    headcount: int = Field(ge=1, le=500)


class TaskIn(Schema):
    organization_id: int
    title: str = Field(max_length=200)
    kind: Task.Kind
    description: str = Field("", max_length=2000)
    place_id: int | None = None
    team_id: int | None = None
    skills: list[Skill] = Field(default_factory=list)
    skills_for_all: bool = False
    verified_only: bool = True
    first_shift: FirstShiftIn | None = None

    model_config = {"extra": "forbid"}


class TaskPatch(Schema):
    title: str | None = Field(None, max_length=200)
    kind: Task.Kind | None = None
    description: str | None = Field(None, max_length=2000)
    place_id: int | None = None
    team_id: int | None = None
    skills: list[Skill] | None = None
    skills_for_all: bool | None = None
    verified_only: bool | None = None

    model_config = {"extra": "forbid"}


class CloseTaskIn(Schema):
    status: Task.Status = Field(description="done or cancelled")


class ShiftIn(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    headcount: int = Field(ge=1, le=500)
    lead_id: int | None = None
    note: str = Field("", max_length=500)

    model_config = {"extra": "forbid"}


class ShiftOut(Schema):
    id: int
    task: TaskOut
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    headcount: int
    confirmed: int = Field(alias="confirmed_count")
    invited: int = Field(alias="invited_count")
    checked_in: int = Field(alias="checked_in_count")
    still_out: int = Field(alias="still_out_count")
    short: bool
    status: str
    note: str

    @staticmethod
    def resolve_short(obj: Shift) -> bool:
        return bool(obj.shortfall)


class RosterOut(Schema):
    assignment_id: int
    volunteer_id: int
    name: str
    phone: str = Field(description="Empty unless you coordinate the task's organisation")
    status: str
    agreed_by_phone: bool
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None
    hours: float | None
    not_counted_back: bool


class ShiftDetailOut(ShiftOut):
    roster: list[RosterOut]


class ShiftFilters(Schema):
    day: datetime.date | None = None
    kind: Task.Kind | None = None
    place: int | None = None
    short: bool = Field(False, description="Only shifts with fewer people confirmed than needed")
    include_past: bool = False


class AssignmentOut(Schema):
    id: int
    shift_id: int
    volunteer_id: int
    status: str
    agreed_by_phone: bool
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None
    hours: float | None


class InviteIn(Schema):
    volunteer_ids: list[int] = Field(default_factory=list, max_length=500)
    team_id: int | None = None
    agreed: bool = Field(
        False, description="You asked each of them and they said yes: confirm them now"
    )


class SkippedOut(Schema):
    volunteer_id: int
    reason: str


class InviteOut(Schema):
    assignments: list[AssignmentOut]
    skipped: list[SkippedOut]


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    CONFIRM = "confirm"
    CHECK_IN = "check-in"
    CHECK_OUT = "check-out"
    NO_SHOW = "no-show"


class ActionIn(Schema):
    at: datetime.datetime | None = Field(
        None, description="For check-in and check-out: a time noted on paper (default now)"
    )

    model_config = {"extra": "forbid"}


def _place_id(user: Any, place_id: int | None) -> Any:
    return services.place_for(user, place_id)


def _team_for(user: Any, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = permissions.in_managed_orgs(Team.objects.all(), user).filter(pk=team_id).first()
    if team is None:
        raise ValidationError({"team_id": [_("Unknown team.")]})
    return team


def _task(user: Any, pk: int) -> Task:
    return permissions.access_task(user, pk)


SHIFT_RELATIONS = ("task__organization", "task__place", "task__team")


def _shift(user: Any, pk: int) -> Shift:
    """The shift with its counts, as the board shows it."""
    shift = (
        permissions.visible_shifts(user)
        .with_counts()
        .select_related(*SHIFT_RELATIONS)
        .filter(pk=pk)
        .first()
    )
    if shift is None:
        raise Http404
    return shift


def _roster(user: Any, shift: Shift) -> list[dict[str, Any]]:
    manage = permissions.may_manage(user, shift.task.organization_id)
    lead = manage or permissions.may_lead(user, shift)
    rows = selectors.roster(shift, with_contact=manage)
    if not lead:
        rows = [a for a in rows if a.status == Assignment.Status.CONFIRMED]
    return [
        {
            "assignment_id": a.pk, "volunteer_id": a.volunteer_id, "name": a.volunteer.name,
            "phone": a.volunteer.phone, "status": a.status, "agreed_by_phone": a.agreed_by_phone,
            "checked_in_at": a.checked_in_at if lead else None,
            "checked_out_at": a.checked_out_at if lead else None,
            "hours": a.hours if lead else None,
            "not_counted_back": bool(lead and a.is_on_shift and shift.is_over),
        }
        for a in rows
    ]  # fmt: skip


@router.get("/tasks", response=list[TaskOut], tags=["shifts"], summary="Open tasks you may see")
@paginate(LimitOffsetPagination)
def list_tasks(request: HttpRequest):  # type: ignore[no-untyped-def]
    return (
        permissions.visible_tasks(request.user)
        .filter(status=Task.Status.OPEN)
        .select_related("organization", "place")
        .order_by("-created_at", "-pk")
    )


@router.post(
    "/tasks", response={201: TaskOut}, tags=["shifts"], summary="Post a task (and its first shift)"
)
def create_task(
    request: HttpRequest,
    payload: TaskIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Task]:
    data = payload.dict()
    organization = _managed_org(request.user, data.pop("organization_id"))
    data["place"] = _place_id(request.user, data.pop("place_id"))
    data["team"] = _team_for(request.user, data.pop("team_id"))
    task, _created = services.create_task(
        request.user, organization=organization, idempotency_key=idempotency_key, **data
    )
    return Status(201, _task(request.user, task.pk))


@router.get("/tasks/{task_id}", response=TaskOut, tags=["shifts"])
def get_task(request: HttpRequest, task_id: int) -> Task:
    return _task(request.user, task_id)


@router.patch("/tasks/{task_id}", response=TaskOut, tags=["shifts"])
def update_task(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    task = permissions.access_task(request.user, task_id, manage=True)
    changes = payload.dict(exclude_unset=True)
    if "place_id" in changes:
        changes["place"] = _place_id(request.user, changes.pop("place_id"))
    if "team_id" in changes:
        changes["team"] = _team_for(request.user, changes.pop("team_id"))
    for name in ("title", "kind", "skills_for_all", "verified_only"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: [_("This field may not be empty.")]})
    if "skills" in changes and changes["skills"] is None:
        changes["skills"] = []
    if "description" in changes and changes["description"] is None:
        changes["description"] = ""
    services.update_task(request.user, task, **changes)
    return _task(request.user, task_id)


@router.post(
    "/tasks/{task_id}/close", response=TaskOut, tags=["shifts"], summary="Mark done or cancelled"
)
def close_task(request: HttpRequest, task_id: int, payload: CloseTaskIn) -> Task:
    task = permissions.access_task(request.user, task_id, manage=True)
    services.close_task(request.user, task, status=payload.status)
    return _task(request.user, task_id)


@router.post("/tasks/{task_id}/shifts", response={201: ShiftOut}, tags=["shifts"])
def create_shift(
    request: HttpRequest,
    task_id: int,
    payload: ShiftIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Shift]:
    task = permissions.access_task(request.user, task_id, manage=True)
    data = payload.dict()
    lead_id = data.pop("lead_id")
    data["lead"] = None
    if lead_id is not None:
        data["lead"] = permissions.managed_volunteers(request.user).filter(pk=lead_id).first()
        if data["lead"] is None:
            raise ValidationError({"lead_id": [_("Unknown volunteer.")]})
    shift, _created = services.create_shift(
        request.user, task, idempotency_key=idempotency_key, **data
    )
    return Status(201, _shift(request.user, shift.pk))


@router.get(
    "/shifts", response=list[ShiftOut], tags=["shifts"], summary="Shifts you may see, soonest first"
)
@paginate(LimitOffsetPagination)
def list_shifts(request: HttpRequest, filters: Query[ShiftFilters]):  # type: ignore[no-untyped-def]
    return selectors.shift_board(
        request.user, selectors.ShiftFilters(**filters.dict(exclude_none=True))
    )


@router.get(
    "/shifts/{shift_id}",
    response=ShiftDetailOut,
    tags=["shifts"],
    summary="A shift and its roster (leaders see check-ins; coordinators see phones)",
)
def get_shift(request: HttpRequest, shift_id: int) -> Any:
    shift = _shift(request.user, shift_id)
    if permissions.may_manage(request.user, shift.task.organization_id):
        record_event("volunteers.shift.roster_viewed", request=request, obj=shift)
    shift.roster = _roster(request.user, shift)  # type: ignore[attr-defined]
    return shift


@router.get(
    "/shifts/{shift_id}/candidates",
    response=list[VolunteerOut],
    tags=["shifts"],
    summary="Who could fill the shift (eligible, free, usually available unless everyone=true)",
)
def shift_candidates(
    request: HttpRequest, shift_id: int, everyone: bool = False
) -> list[Volunteer]:
    shift = permissions.access_shift(request.user, shift_id, manage=True)
    return selectors.candidates_for(shift, request.user, everyone=everyone)


@router.post(
    "/shifts/{shift_id}/signup",
    response=AssignmentOut,
    tags=["shifts"],
    summary="Take a place on a shift",
)
def shift_signup(request: HttpRequest, shift_id: int) -> Assignment:
    shift = permissions.access_shift(request.user, shift_id)
    return services.sign_up_for_shift(request.user, shift)


@router.post(
    "/shifts/{shift_id}/invite",
    response=InviteOut,
    tags=["shifts"],
    summary="Invite people or a team",
)
def shift_invite(request: HttpRequest, shift_id: int, payload: InviteIn) -> dict[str, Any]:
    shift = permissions.access_shift(request.user, shift_id, manage=True)
    people = list(
        Volunteer.objects.filter(
            pk__in=payload.volunteer_ids, organization=shift.task.organization_id
        )
    )
    unknown = set(payload.volunteer_ids) - {v.pk for v in people}
    if unknown:
        raise ValidationError({"volunteer_ids": [_("Unknown volunteer.")]})
    team = _team_for(request.user, payload.team_id)
    result = services.invite(
        request.user, shift, volunteers=people, team=team, agreed=payload.agreed
    )
    return {
        "assignments": result.assignments,
        "skipped": [{"volunteer_id": v.pk, "reason": reason} for v, reason in result.skipped],
    }


class TeamSignUpIn(Schema):
    team_id: int


@router.post(
    "/shifts/{shift_id}/team-signup",
    response=InviteOut,
    tags=["shifts"],
    summary="A team's leader signs the team up (members are invited and answer themselves)",
)
def shift_team_signup(request: HttpRequest, shift_id: int, payload: TeamSignUpIn) -> dict[str, Any]:
    shift = permissions.access_shift(request.user, shift_id)
    team = Team.objects.filter(pk=payload.team_id).first()
    if team is None:
        raise ValidationError({"team_id": [_("Unknown team.")]})
    result = services.sign_up_team(request.user, shift, team)
    return {
        "assignments": result.assignments,
        "skipped": [{"volunteer_id": v.pk, "reason": reason} for v, reason in result.skipped],
    }


@router.post("/shifts/{shift_id}/cancel", response=ShiftOut, tags=["shifts"])
def shift_cancel(request: HttpRequest, shift_id: int) -> Shift:
    shift = permissions.access_shift(request.user, shift_id, manage=True)
    services.cancel_shift(request.user, shift)
    return _shift(request.user, shift_id)


@router.post(
    "/assignments/{assignment_id}/{action}",
    response=AssignmentOut,
    tags=["shifts"],
    summary="Answer, withdraw, confirm by phone, check in, check out, record a no-show",
    description=(
        "accept/decline: the invited person. confirm: a coordinator records a yes given by "
        "phone. check-in/check-out: the person, the shift's leader or a coordinator (body "
        '`{"at": …}` for a time noted on paper). no-show: the leader or a coordinator.'
    ),
)
def assignment_action(
    request: HttpRequest, assignment_id: int, action: Action, payload: ActionIn | None = None
) -> Assignment:
    assignment = permissions.access_assignment(request.user, assignment_id)
    at = payload.at if payload else None
    user = request.user
    if action == Action.ACCEPT:
        return services.respond(user, assignment, accept=True)
    if action == Action.DECLINE:
        return services.respond(user, assignment, accept=False)
    if action == Action.WITHDRAW:
        return services.withdraw(user, assignment)
    if action == Action.CONFIRM:
        return services.confirm_on_behalf(user, assignment)
    if action == Action.CHECK_IN:
        return services.check_in(user, assignment, at=at)
    if action == Action.CHECK_OUT:
        return services.check_out(user, assignment, at=at)
    return services.mark_no_show(user, assignment)


class MyShiftOut(Schema):
    assignment: AssignmentOut
    shift: ShiftOut


@router.get(
    "/me/shifts", response=list[MyShiftOut], tags=["shifts"], summary="Your shifts and invitations"
)
def my_shifts(request: HttpRequest) -> list[dict[str, Any]]:
    rows = list(selectors.my_assignments(request.user))
    shifts = {
        s.pk: s
        for s in Shift.objects.filter(pk__in=[a.shift_id for a in rows])
        .with_counts()
        .select_related(*SHIFT_RELATIONS)
    }
    return [{"assignment": a, "shift": shifts[a.shift_id]} for a in rows]


@router.get(
    "/shifts-not-counted-back",
    response=list[RosterOut],
    tags=["shifts"],
    summary="Checked in to a shift that is over and not checked out",
)
def not_counted_back(request: HttpRequest) -> list[dict[str, Any]]:
    rows = [
        a
        for a in selectors.not_counted_back(request.user)
        if permissions.may_lead(request.user, a.shift)
    ]
    for a in rows:
        if not permissions.may_see_contact(request.user, a.volunteer):
            a.volunteer.redact()
    return [
        {
            "assignment_id": a.pk, "volunteer_id": a.volunteer_id,
            "name": a.volunteer.name, "phone": a.volunteer.phone,
            "status": a.status, "agreed_by_phone": a.agreed_by_phone, "checked_in_at": a.checked_in_at,
            "checked_out_at": None, "hours": None, "not_counted_back": True,
        }
        for a in rows
    ]  # fmt: skip


class HoursOut(Schema):
    volunteer_id: int
    volunteer: str
    shift_id: int
    task: str
    checked_in_at: datetime.datetime
    checked_out_at: datetime.datetime
    hours: float


@router.get(
    "/hours",
    response=list[HoursOut],
    tags=["shifts"],
    summary="Hours counted, per person and shift",
)
@paginate(LimitOffsetPagination)
def list_hours(  # type: ignore[no-untyped-def]
    request: HttpRequest, start: datetime.date | None = None, end: datetime.date | None = None
):
    _require_manager(request)
    return [
        {
            "volunteer_id": a.volunteer_id, "volunteer": a.volunteer.name, "shift_id": a.shift_id,
            "task": a.shift.task.title, "checked_in_at": a.checked_in_at,
            "checked_out_at": a.checked_out_at, "hours": a.hours,
        }
        for a in selectors.hours(request.user, start=start, end=end)
    ]  # fmt: skip


# Equipment --------------------------------------------------------------------------------


class HolderOut(Schema):
    kind: str
    id: int
    name: str


class CustodyOut(Schema):
    id: int
    item_id: int
    item_tag: str = Field(alias="item.tag")
    item_name: str = Field(alias="item.name")
    holder: HolderOut
    issued_at: datetime.datetime
    condition_out: str
    due_back: datetime.datetime | None
    overdue: bool
    returned_at: datetime.datetime | None
    condition_in: str
    note: str

    @staticmethod
    def resolve_holder(obj: CustodyRecord) -> dict[str, Any]:
        if obj.volunteer_id:
            assert obj.volunteer is not None
            return {"kind": "volunteer", "id": obj.volunteer_id, "name": obj.volunteer.name}
        assert obj.team is not None
        return {"kind": "team", "id": obj.team_id, "name": obj.team.name}

    @staticmethod
    def resolve_overdue(obj: CustodyRecord) -> bool:
        return obj.is_overdue


class ItemOut(Schema):
    id: int
    organization: OrganizationRef
    kind: str
    name: str
    tag: str
    condition: str
    state: str
    note: str


class ItemDetailOut(ItemOut):
    history: list[CustodyOut]


class ItemIn(Schema):
    organization_id: int
    kind: EquipmentItem.Kind
    name: str = Field(max_length=200)
    tag: str = Field(max_length=64)
    condition: Condition = Condition.GOOD
    note: str = Field("", max_length=500)

    model_config = {"extra": "forbid"}


class IssueIn(Schema):
    volunteer_id: int | None = None
    team_id: int | None = None
    condition: Condition | None = None
    due_back: datetime.datetime | None = None
    note: str = Field("", max_length=500)

    model_config = {"extra": "forbid"}


class ReturnIn(Schema):
    condition: Condition
    note: str = Field("", max_length=500)


class CustodyFilters(Schema):
    at: datetime.datetime | None = Field(None, description="Who held what at this moment")
    overdue: bool = False
    q: str | None = Field(None, max_length=100)


@router.get("/equipment", response=list[ItemOut], tags=["equipment"])
@paginate(LimitOffsetPagination)
def list_equipment(request: HttpRequest, state: EquipmentItem.State | None = None):  # type: ignore[no-untyped-def]
    _require_manager(request)
    items = permissions.managed_equipment(request.user).select_related("organization")
    return items.filter(state=state) if state else items.order_by("kind", "tag")


@router.post("/equipment", response={201: ItemOut}, tags=["equipment"])
def create_item(
    request: HttpRequest,
    payload: ItemIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[EquipmentItem]:
    data = payload.dict()
    organization = _managed_org(request.user, data.pop("organization_id"))
    item, _created = services.register_item(
        request.user, organization=organization, idempotency_key=idempotency_key, **data
    )
    return Status(201, item)


def _item_detail(user: Any, pk: int) -> EquipmentItem:
    item = permissions.access_item(user, pk)
    item.history = list(item.custody.select_related("item", "volunteer", "team"))  # type: ignore[attr-defined]
    return item


@router.get(
    "/equipment/{item_id}",
    response=ItemDetailOut,
    tags=["equipment"],
    summary="An item and its full history",
)
def get_item(request: HttpRequest, item_id: int) -> EquipmentItem:
    return _item_detail(request.user, item_id)


@router.post("/equipment/{item_id}/issue", response={201: CustodyOut}, tags=["equipment"])
def issue_item(request: HttpRequest, item_id: int, payload: IssueIn) -> Status[CustodyRecord]:
    item = permissions.access_item(request.user, item_id)
    volunteer = team = None
    if payload.volunteer_id is not None:
        volunteer = (
            permissions.managed_volunteers(request.user).filter(pk=payload.volunteer_id).first()
        )
        if volunteer is None:
            raise ValidationError({"volunteer_id": [_("Unknown volunteer.")]})
    team = _team_for(request.user, payload.team_id)
    record = services.issue_item(
        request.user, item, volunteer=volunteer, team=team, condition=payload.condition or "",
        due_back=payload.due_back, note=payload.note,
    )  # fmt: skip
    return Status(201, record)


@router.post("/equipment/{item_id}/return", response=CustodyOut, tags=["equipment"])
def return_item(request: HttpRequest, item_id: int, payload: ReturnIn) -> CustodyRecord:
    item = permissions.access_item(request.user, item_id)
    return services.return_item(request.user, item, condition=payload.condition, note=payload.note)


@router.get(
    "/custody",
    response=list[CustodyOut],
    tags=["equipment"],
    summary="Who holds what, now or at a moment",
)
@paginate(LimitOffsetPagination)
def custody_register(request: HttpRequest, filters: Query[CustodyFilters]):  # type: ignore[no-untyped-def]
    _require_manager(request)
    ratelimit.check_search(request, filters.q)
    return selectors.custody_register(
        request.user, **{k: v for k, v in filters.dict().items() if v}
    )


# Applications from abroad ---------------------------------------------------------------

Language = Enum("Language", {code: code for code, _name in APPLY_LANGUAGES}, type=str)  # type: ignore[misc]


class ApplicationIn(Schema):
    organization_id: int | None = Field(
        None, description="Needed when several desks take applications"
    )
    language: Language  # type: ignore[valid-type]
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str = Field("", max_length=32)
    nationality: str = Field(max_length=2, description="ISO 3166 code")
    residence: str = Field(max_length=2, description="ISO 3166 code")
    languages: list[str] = Field(default_factory=list, max_length=len(LANGUAGE_CODES))
    skills: list[Skill] = Field(default_factory=list)
    experience: str = Field(max_length=4000)
    available_from: datetime.date
    available_until: datetime.date | None = None
    how_heard: Application.HowHeard
    referrer_code: str = Field("", max_length=32)
    consent: bool

    model_config = {"extra": "forbid"}


class SubmittedOut(Schema):
    reference: str
    secret: str = Field(description="Shown once: with the reference, it opens the status")
    status_url: str


class SecretIn(Schema):
    reference: str = Field(max_length=12)
    secret: str = Field(max_length=64)


class StatusEventOut(Schema):
    status: str
    at: datetime.datetime


class ApplicantStatusOut(Schema):
    reference: str
    status: str
    submitted_at: datetime.datetime
    documents: int
    events: list[StatusEventOut]


class EventOut(Schema):
    at: datetime.datetime
    actor: str | None
    status_from: str
    status_to: str
    note: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.display_name if obj.actor_id else None


class DocumentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime.datetime


class ApplicationOut(Schema):
    id: int
    reference: str
    organization: OrganizationRef
    language: str
    name: str
    email: str
    phone: str
    nationality: str
    residence: str
    languages: list[str]
    skills: list[str]
    experience: str
    available_from: datetime.date
    available_until: datetime.date | None
    how_heard: str
    referrer: str | None = Field(None, alias="referrer.name")
    status: str
    reviewer: str | None
    volunteer_id: int | None
    submitted_at: datetime.datetime

    @staticmethod
    def resolve_reviewer(obj: Application) -> str | None:
        return obj.reviewer.display_name if obj.reviewer else None


class ApplicationDetailOut(ApplicationOut):
    events: list[EventOut] = Field(alias="events_list")
    documents: list[DocumentOut]

    @staticmethod
    def resolve_documents(obj: Application) -> list[Any]:
        return list(obj.documents.all())


class MoveIn(Schema):
    status: Application.Status
    note: str = Field("", max_length=2000)


class NoteIn(Schema):
    note: str = Field(max_length=2000)


class ApplicationFilters(Schema):
    status: Application.Status | None = None
    q: str | None = Field(None, max_length=100)


def _status_for(reference: str, secret: str) -> Application:
    application = services.application_by_secret(reference, secret)
    if application is None:
        raise Http404
    return application


def _applicant_view(application: Application) -> dict[str, Any]:
    return {
        "reference": application.reference,
        "status": application.status,
        "submitted_at": application.submitted_at,
        "documents": application.documents.count(),
        "events": [
            {"status": e.status_to, "at": e.at}
            for e in application.events.all()
            if e.is_status_change
        ],
    }


@router.post(
    "/applications",
    response={201: SubmittedOut},
    auth=anyone,
    tags=["applications"],
    summary="Apply from abroad (documents: POST /applications/documents)",
)
def submit_application(
    request: HttpRequest,
    payload: ApplicationIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, str]]:
    data = payload.dict()
    organization = None
    if data.get("organization_id") is not None:
        organization = Organization.objects.filter(pk=data["organization_id"]).first()
        if organization is None:
            raise ValidationError(
                {"organization_id": [_("This organisation does not take applications.")]}
            )
    data.pop("organization_id")
    data["language"] = str(data["language"].value)
    submitted = services.submit_application(
        organization=organization,
        idempotency_key=idempotency_key,
        actor=request.user,
        ip=client_ip(request),
        **data,
    )
    url = reverse(
        "volunteers:application-status",
        kwargs={
            "lang": submitted.application.language,
            "reference": submitted.application.reference,
            "secret": submitted.secret,
        },
    )
    return Status(
        201,
        {
            "reference": submitted.application.reference,
            "secret": submitted.secret,
            "status_url": request.build_absolute_uri(url),
        },
    )


@router.post(
    "/applications/status",
    response=ApplicantStatusOut,
    auth=anyone,
    tags=["applications"],
    summary="An applicant's own status",
)
def applicant_status(request: HttpRequest, payload: SecretIn) -> dict[str, Any]:
    return _applicant_view(_status_for(payload.reference, payload.secret))


@router.post(
    "/applications/withdraw", response=ApplicantStatusOut, auth=anyone, tags=["applications"]
)
def applicant_withdraw(request: HttpRequest, payload: SecretIn) -> dict[str, Any]:
    application = _status_for(payload.reference, payload.secret)
    return _applicant_view(services.withdraw_application(application))


@router.post(
    "/applications/documents",
    response=ApplicantStatusOut,
    auth=anyone,
    tags=["applications"],
    summary="Add documents (PDF or JPEG/PNG/WebP, at most 10 MB each, 5 in all)",
)
def applicant_documents(
    request: HttpRequest, secret: Form[SecretIn], files: File[list[UploadedFile]]
) -> dict[str, Any]:
    application = _status_for(secret.reference, secret.secret)
    services.add_documents(application, files)
    return _applicant_view(application)


@router.get(
    "/applications",
    response=list[ApplicationOut],
    tags=["applications"],
    summary="Applications you review",
)
@paginate(LimitOffsetPagination)
def list_applications(request: HttpRequest, filters: Query[ApplicationFilters]):  # type: ignore[no-untyped-def]
    _require_manager(request)
    ratelimit.check_search(request, filters.q)
    record_event(
        "volunteers.applications.listed", request=request, query=request.GET.urlencode()[:500]
    )
    return selectors.application_list(
        request.user, **filters.dict(exclude_none=True)
    ).select_related("organization")


def _application(user: Any, pk: int) -> Application:
    application = permissions.access_application(user, pk)
    application.events_list = list(application.events.select_related("actor"))  # type: ignore[attr-defined]
    return application


@router.get("/applications/{application_id}", response=ApplicationDetailOut, tags=["applications"])
def get_application(request: HttpRequest, application_id: int) -> Application:
    application = _application(request.user, application_id)
    record_event("volunteers.application.viewed", request=request, obj=application)
    return application


@router.post(
    "/applications/{application_id}/status",
    response=ApplicationDetailOut,
    tags=["applications"],
    summary="Move the application on",
)
def move_application(request: HttpRequest, application_id: int, payload: MoveIn) -> Application:
    application = permissions.access_application(request.user, application_id)
    services.change_application_status(
        request.user, application, status=payload.status, note=payload.note
    )
    return _application(request.user, application_id)


@router.post(
    "/applications/{application_id}/notes", response=ApplicationDetailOut, tags=["applications"]
)
def note_application(request: HttpRequest, application_id: int, payload: NoteIn) -> Application:
    application = permissions.access_application(request.user, application_id)
    services.add_application_note(request.user, application, payload.note)
    return _application(request.user, application_id)


@router.get(
    "/applications/{application_id}/documents/{document_id}",
    tags=["applications"],
    summary="Download a document (written in the audit log)",
    response={200: None},
)
def application_document(
    request: HttpRequest, application_id: int, document_id: int
) -> FileResponse:
    application = permissions.access_application(request.user, application_id)
    doc = application.documents.filter(pk=document_id).first()
    if doc is None:
        raise Http404
    record_event(
        "volunteers.document.downloaded",
        request=request,
        obj=application,
        document=doc.pk,
        name=doc.original_name,
    )
    response = FileResponse(
        doc.file.open("rb"), as_attachment=True, filename=f"{application.reference}-{doc.pk}{doc.extension}",
        content_type=doc.content_type,
    )  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response


class ReferralOut(Schema):
    name: str
    code: str
    counts: dict[str, int]


@router.get(
    "/referrals",
    response=list[ReferralOut],
    tags=["applications"],
    summary="Your referrals, counted by status",
)
def referrals(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"name": r.name, "code": r.code, "counts": services.referral_counts(r)}
        for r in permissions.own_referrers(request.user)
    ]


# Contact directory ------------------------------------------------------------------------


class CardOut(Schema):
    id: int
    organization: OrganizationRef
    place: PlaceRef | None
    title: str
    name: str
    phone: str
    phone_alt: str
    hours: str
    note: str
    sensitivity: str
    audience: str


class CardIn(Schema):
    organization_id: int
    place_id: int | None = None
    title: str = Field(max_length=200)
    name: str = Field("", max_length=200)
    phone: str = Field(max_length=32)
    phone_alt: str = Field("", max_length=32)
    hours: str = Field("", max_length=200)
    note: str = Field("", max_length=500)
    sensitivity: Sensitivity = Sensitivity.MEMBERS
    audience: ContactCard.Audience = ContactCard.Audience.EVERYONE
    sort_order: int = Field(100, ge=0, le=1000)

    model_config = {"extra": "forbid"}


class CardPatch(Schema):
    place_id: int | None = None
    title: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=32)
    phone_alt: str | None = Field(None, max_length=32)
    hours: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=500)
    sensitivity: Sensitivity | None = None
    audience: ContactCard.Audience | None = None
    sort_order: int | None = Field(None, ge=0, le=1000)
    is_active: bool | None = None

    model_config = {"extra": "forbid"}


@router.get(
    "/directory",
    response=list[CardOut],
    auth=anyone,
    tags=["directory"],
    summary="Who to call, as far as you may see",
)
@paginate(LimitOffsetPagination)
def list_cards(request: HttpRequest, q: str | None = None, place: int | None = None):  # type: ignore[no-untyped-def]
    ratelimit.check_search(request, q, scope="directory-search")
    cards = selectors.directory(request.user, q=(q or "")[:100], place=place)
    if cards.exclude(sensitivity=Sensitivity.PUBLIC).exists():
        record_event(
            "volunteers.directory.viewed", request=request, query=request.GET.urlencode()[:500]
        )
    return cards


@router.post("/directory", response={201: CardOut}, tags=["directory"])
def create_card(
    request: HttpRequest,
    payload: CardIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[ContactCard]:
    data = payload.dict()
    organization = _managed_org(request.user, data.pop("organization_id"))
    data["place"] = services.place_for(request.user, data.pop("place_id"))
    card, _created = services.create_card(
        request.user, organization=organization, idempotency_key=idempotency_key, **data
    )
    return Status(201, permissions.access_card(request.user, card.pk))


@router.patch(
    "/directory/{card_id}",
    response=CardOut,
    tags=["directory"],
    summary="Change a card (is_active=false removes it)",
)
def update_card(request: HttpRequest, card_id: int, payload: CardPatch) -> ContactCard:
    card = permissions.access_card(request.user, card_id, manage=True)
    changes = payload.dict(exclude_unset=True)
    if "place_id" in changes:
        changes["place"] = services.place_for(request.user, changes.pop("place_id"))
    for name in ("title", "phone", "sensitivity", "audience", "sort_order", "is_active"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: [_("This field may not be empty.")]})
    for name in ("name", "phone_alt", "hours", "note"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    services.update_card(request.user, card, **changes)
    card.refresh_from_db()
    return card
