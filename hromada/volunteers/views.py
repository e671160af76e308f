"""Pages: thin doors onto the services (access helper -> form -> one service call -> page)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.core import permissions as core_permissions
from hromada.core.models import Organization
from hromada.core.services import client_ip, record_event
from hromada.lib import ratelimit
from hromada.lib.exports import FORMATS, table_response
from hromada.lib.forms import form_error_from
from hromada.lib.http import HtmxHttpRequest
from hromada.lib.ratelimit import RateLimited
from hromada.volunteers import choices, exports, permissions, selectors, services
from hromada.volunteers.documents import SizeLimitUploadHandler
from hromada.volunteers.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    ApplicationNoteForm,
    ApplicationStatusForm,
    CheckTimeForm,
    ContactCardForm,
    CustodyFilterForm,
    DirectoryFilterForm,
    EquipmentForm,
    HoursFilterForm,
    InviteForm,
    IssueForm,
    ReturnForm,
    ShiftBoardFilterForm,
    ShiftForm,
    SignUpForm,
    TaskForm,
    TeamForm,
    TeamMemberForm,
    UploadForm,
    VettingForm,
    VolunteerForm,
    VolunteerSearchForm,
    local_areas,
)
from hromada.volunteers.models import (
    APPLY_LANGUAGES,
    Application,
    Assignment,
    EquipmentItem,
    Task,
    Team,
    TeamMember,
    Volunteer,
)

PAGE_SIZE = 50


def _managed_orgs(request: HttpRequest) -> Any:
    user = request.user
    if core_permissions.is_superuser(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=permissions.managed_org_ids(user))


def _require_manager(request: HttpRequest) -> None:
    if not permissions.is_volunteer_manager(request.user):
        raise PermissionDenied(_("This page is for coordinators of volunteers."))


def _org_ids(request: HttpRequest) -> list[int] | None:
    if core_permissions.is_superuser(request.user):
        return None
    return sorted(permissions.managed_org_ids(request.user))


def _page(request: HttpRequest, rows: Any) -> tuple[Any, str]:
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _fragment(request: HtmxHttpRequest, template: str) -> str:
    return template + "#results" if request.htmx and not request.htmx.boosted else template


def _say(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# The section's front page ---------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """For visitors, how to join; for coordinators, what needs attention; for volunteers,
    their shifts."""
    user = request.user
    context: dict[str, Any] = {
        "signup_open": services.open_desks().exists(),
        "apply_open": services.open_desks(applications=True).exists(),
    }
    if permissions.is_volunteer_manager(user):
        orgs = _org_ids(request)
        soon = timezone.now() + datetime.timedelta(hours=48)
        board = selectors.shift_board(user).filter(starts_at__lt=soon)
        context.update(
            {
                "short_shifts": [s for s in board if s.shortfall][:10],
                "not_back": list(selectors.not_counted_back(user)[:20]),
                "counts": {
                    "volunteers": permissions.managed_volunteers(user)
                    .filter(is_active=True)
                    .count(),
                    "unverified": permissions.managed_volunteers(user)
                    .filter(is_active=True, vetting=Volunteer.Vetting.UNVERIFIED)
                    .count(),
                    "applications": permissions.managed_applications(user)
                    .filter(status=Application.Status.SUBMITTED)
                    .count(),
                    **services.overdue_summary(
                        orgs
                        if orgs is not None
                        else Organization.objects.values_list("pk", flat=True)
                    ),
                },
            }
        )
    elif user.is_authenticated and permissions.own_profiles(user).exists():
        return redirect("volunteers:my-shifts")
    return TemplateResponse(request, "volunteers/home.html", context)


# Public sign-up ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    desks = services.open_desks()
    organizations = Organization.objects.filter(pk__in=desks.values("organization"))
    if not organizations:
        return TemplateResponse(request, "volunteers/signup.html", {"closed": True})
    form = SignUpForm(
        request.POST or None,
        organizations=organizations,
        areas=local_areas([o.pk for o in organizations]),
    )
    refused: RateLimited | None = None
    if request.method == "POST" and form.is_valid():
        data, key = form.service_arguments()
        try:
            services.sign_up(idempotency_key=key, actor=request.user, ip=client_ip(request), **data)
        except RateLimited as limited:
            form.add_error(None, str(limited))
            refused = limited
        except ValidationError as e:
            form_error_from(form, e)
        else:
            return redirect("volunteers:signup-thanks")
    response = TemplateResponse(
        request, "volunteers/signup.html", {"form": form}, status=422 if form.errors else 200
    )
    return ratelimit.refuse(response, refused) if refused else response


@require_GET
def signup_thanks(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "volunteers/signup_thanks.html", {})


# The volunteer's own page -----------------------------------------------------------------


@login_required
@require_GET
def my_shifts(request: HttpRequest) -> HttpResponse:
    user = request.user
    profiles = list(permissions.own_profiles(user).select_related("organization"))
    rows = list(selectors.my_assignments(user))
    org_ids = [p.organization_id for p in profiles]
    taken = {a.shift_id for a in rows}
    open_shifts = [
        s
        for s in selectors.shift_board(user).filter(task__organization__in=org_ids)[:30]
        if s.pk not in taken and s.shortfall
    ][:10]
    holding = (
        selectors.CustodyRecord.objects.open().filter(volunteer__in=profiles).select_related("item")
    )
    counted = (
        Assignment.objects.filter(volunteer__in=profiles, checked_out_at__isnull=False)
        .select_related("shift__task")
        .order_by("-checked_in_at")[:10]
    )
    return TemplateResponse(
        request,
        "volunteers/my_shifts.html",
        {
            "profiles": profiles,
            "invitations": [a for a in rows if a.status == Assignment.Status.INVITED],
            "upcoming": [a for a in rows if a.status == Assignment.Status.CONFIRMED],
            "open_shifts": open_shifts,
            "holding": holding,
            "counted": counted,
            "teams": permissions.visible_teams(user)
            .filter(members__volunteer__in=profiles)
            .distinct(),
        },
    )


# The registry -----------------------------------------------------------------------------


def _search(request: HttpRequest) -> tuple[VolunteerSearchForm, Any]:
    teams = permissions.in_managed_orgs(Team.objects.filter(is_active=True), request.user)
    form = VolunteerSearchForm(request.GET, areas=local_areas(_org_ids(request)), teams=teams)
    form.is_valid()  # invalid filters are shown on the form and ignored
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    start, end = form.window()
    data.pop("day", None)
    data.pop("part", None)
    filters = selectors.VolunteerFilters(free_from=start, free_until=end, **data)
    return form, selectors.search_volunteers(request.user, filters)


@login_required
@require_GET
@ratelimit.rate_limited("search", when=ratelimit.searching)
def volunteer_list(request: HtmxHttpRequest) -> HttpResponse:
    _require_manager(request)
    form, people = _search(request)
    page, query = _page(request, people)
    record_event(
        "volunteers.registry.viewed", request=request, rows=page.paginator.count, query=query[:500]
    )
    return TemplateResponse(
        request,
        _fragment(request, "volunteers/volunteer_list.html"),
        {"form": form, "page": page, "query": query},
    )


@login_required
@require_GET
def volunteer_export(request: HttpRequest) -> HttpResponse:
    """The registry as CSV or XLSX, filtered as on the page; ``redact=1`` drops contact data."""
    _require_manager(request)
    _form, people = _search(request)
    redact = bool(request.GET.get("redact"))
    fmt = request.GET.get("format", "csv")
    header, rows = exports.volunteers(list(people.prefetch_related("availability")), redact=redact)
    record_event(
        "volunteers.volunteers.exported",
        request=request,
        rows=len(rows),
        redacted=redact,
        query=request.GET.urlencode()[:500],
    )
    return table_response(
        filename="hromada-volunteers",
        header=header,
        rows=rows,
        fmt=fmt if fmt in FORMATS else "csv",
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    orgs = _managed_orgs(request)
    form = VolunteerForm(
        request.POST or None, organizations=orgs, areas=local_areas(_org_ids(request))
    )
    if request.method == "POST" and form.is_valid():
        data, key = form.service_arguments()
        try:
            volunteer, created = services.register_volunteer(
                request.user, idempotency_key=key, **data
            )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            if created:
                messages.success(
                    request, _("%(name)s is in the registry.") % {"name": volunteer.name}
                )
            return redirect("volunteers:volunteer-detail", pk=volunteer.pk)
    return TemplateResponse(
        request,
        "volunteers/volunteer_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = permissions.access_volunteer(request.user, pk)
    manage = permissions.may_manage(request.user, volunteer.organization_id)
    if volunteer.user_id != request.user.pk:
        record_event("volunteers.volunteer.viewed", request=request, obj=volunteer)
    assignments = volunteer.assignments.select_related("shift__task__place").order_by(
        "-shift__starts_at"
    )[:30]
    hours = volunteer.assignments.filter(checked_out_at__isnull=False)
    total = sum((a.hours or 0) for a in hours)
    return TemplateResponse(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "may_manage": manage,
            "skills": volunteer.skills.all(),
            "slots": volunteer.availability.all(),
            "teams": volunteer.team_memberships.select_related("team"),
            "assignments": assignments,
            "total_hours": round(total, 1),
            "holding": selectors.CustodyRecord.objects.open()
            .filter(volunteer=volunteer)
            .select_related("item"),
            "vetting_form": VettingForm(initial={"status": volunteer.vetting}),
            "languages": [choices.language_name(code) for code in volunteer.languages],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = permissions.access_volunteer(request.user, pk, manage=True)
    form = VolunteerForm(
        request.POST or None,
        organizations=_managed_orgs(request),
        areas=local_areas([volunteer.organization_id]),
        volunteer=volunteer,
    )
    if request.method == "POST" and form.is_valid():
        data, _key = form.service_arguments()
        data.pop("organization")
        data.pop("consent", None)
        try:
            services.update_volunteer(request.user, volunteer, **data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteers:volunteer-detail", pk=volunteer.pk)
    return TemplateResponse(
        request,
        "volunteers/volunteer_form.html",
        {"form": form, "volunteer": volunteer},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def volunteer_vetting(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = permissions.access_volunteer(request.user, pk, manage=True)
    form = VettingForm(request.POST)
    if form.is_valid():
        withdrawn = services.set_vetting(request.user, volunteer, **form.cleaned_data)
        messages.success(
            request, _("Vetting saved: %(status)s.") % {"status": volunteer.get_vetting_display()}
        )
        if withdrawn:
            messages.info(
                request,
                _("Taken off %(n)s shifts that had not started.") % {"n": withdrawn},
            )
    else:
        messages.error(request, _("Choose verified, unverified or suspended."))
    return redirect("volunteers:volunteer-detail", pk=volunteer.pk)


@login_required
@require_POST
def volunteer_remove(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = permissions.access_volunteer(request.user, pk, manage=True)
    try:
        services.remove_volunteer(request.user, volunteer)
    except ValidationError as e:
        _say(request, e)
    else:
        messages.success(
            request, _("The person's contact details are erased and they are off the list.")
        )
    return redirect("volunteers:volunteer-detail", pk=volunteer.pk)


# Teams ------------------------------------------------------------------------------------


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    teams = (
        permissions.visible_teams(request.user)
        .filter(is_active=True)
        .select_related("organization", "area")
        .annotate(size=Count("members", distinct=True))
        .order_by("name")
    )
    leaders = {
        m.team_id: m.volunteer
        for m in TeamMember.objects.filter(
            team__in=teams, role=TeamMember.Role.LEADER
        ).select_related("volunteer")
    }
    return TemplateResponse(
        request,
        "volunteers/team_list.html",
        {
            "teams": [(t, leaders.get(t.pk)) for t in teams],
            "may_create": permissions.is_volunteer_manager(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = TeamForm(
        request.POST or None,
        organizations=_managed_orgs(request),
        areas=local_areas(_org_ids(request)),
    )
    if request.method == "POST" and form.is_valid():
        data, key = form.data_without_key()
        try:
            team, _created = services.create_team(request.user, idempotency_key=key, **data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            return redirect("volunteers:team-detail", pk=team.pk)
    return TemplateResponse(
        request, "volunteers/team_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = permissions.access_team(request.user, pk)
    manage = permissions.may_manage(request.user, team.organization_id)
    members = selectors.team_roster(team.pk, with_contact=manage)
    available = (
        permissions.managed_volunteers(request.user)
        .filter(organization=team.organization_id, is_active=True)
        .exclude(team_memberships__team=team)
    )
    return TemplateResponse(
        request,
        "volunteers/team_detail.html",
        {
            "team": team,
            "members": members,
            "may_manage": manage,
            "member_form": TeamMemberForm(volunteers=available) if manage else None,
            "shifts": selectors.shift_board(request.user).filter(task__team=team)[:10],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = permissions.access_team(request.user, pk, manage=True)
    form = TeamForm(
        request.POST or None,
        organizations=_managed_orgs(request),
        areas=local_areas([team.organization_id]),
        team=team,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("organization")
        try:
            services.update_team(request.user, team, **data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            return redirect("volunteers:team-detail", pk=team.pk)
    return TemplateResponse(
        request,
        "volunteers/team_form.html",
        {"form": form, "team": team},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = permissions.access_team(request.user, pk, manage=True)
    form = TeamMemberForm(
        request.POST,
        volunteers=permissions.managed_volunteers(request.user).filter(
            organization=team.organization_id
        ),
    )
    if form.is_valid():
        try:
            services.add_team_member(
                request.user, team, form.cleaned_data["volunteer"], role=form.cleaned_data["role"]
            )
        except ValidationError as e:
            _say(request, e)
    else:
        messages.error(request, _("Choose a person from the list."))
    return redirect("volunteers:team-detail", pk=team.pk)


@login_required
@require_POST
def team_member_remove(request: HttpRequest, pk: int, volunteer_pk: int) -> HttpResponse:
    team = permissions.access_team(request.user, pk, manage=True)
    volunteer = permissions.access_volunteer(request.user, volunteer_pk, manage=True)
    services.remove_team_member(request.user, team, volunteer)
    return redirect("volunteers:team-detail", pk=team.pk)


# Tasks and shifts -------------------------------------------------------------------------


def _require_member(request: HttpRequest) -> None:
    if not core_permissions.is_member(request.user):
        raise PermissionDenied(_("Shifts are for members of an organisation."))


@login_required
@require_GET
def shift_board(request: HtmxHttpRequest) -> HttpResponse:
    _require_member(request)
    form = ShiftBoardFilterForm(request.GET)
    form.is_valid()
    filters = selectors.ShiftFilters(**{k: v for k, v in form.cleaned_data.items() if v})
    page, query = _page(request, selectors.shift_board(request.user, filters))
    return TemplateResponse(
        request,
        _fragment(request, "volunteers/shift_board.html"),
        {
            "form": form,
            "page": page,
            "query": query,
            "may_create": permissions.is_volunteer_manager(request.user),
        },
    )


def _task_form(request: HttpRequest, task: Task | None = None) -> TaskForm:
    orgs = (
        _managed_orgs(request)
        if task is None
        else Organization.objects.filter(pk=task.organization_id)
    )
    teams = permissions.in_managed_orgs(Team.objects.filter(is_active=True), request.user)
    return TaskForm(
        request.POST or None,
        initial={"place": request.GET.get("place")},
        organizations=orgs,
        places=core_permissions.visible_places(request.user).select_related("organization"),
        teams=teams,
        task=task,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = _task_form(request)
    if request.method == "POST" and form.is_valid():
        first_shift = form.shift_values(required=False)
        if not form.errors:
            data, key = form.data_without_key()
            for name in ("starts_at", "ends_at", "headcount"):
                data.pop(name)
            try:
                task, _created = services.create_task(
                    request.user, idempotency_key=key, first_shift=first_shift, **data
                )
            except ValidationError as e:
                form_error_from(form, e)
            else:
                messages.success(request, _("The task is posted."))
                return redirect("volunteers:task-detail", pk=task.pk)
    return TemplateResponse(
        request, "volunteers/task_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = permissions.access_task(request.user, pk)
    shifts = task.shifts.with_counts().order_by("starts_at")
    return TemplateResponse(
        request,
        "volunteers/task_detail.html",
        {
            "task": task,
            "shifts": shifts,
            "may_manage": permissions.may_manage(request.user, task.organization_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = permissions.access_task(request.user, pk, manage=True)
    form = _task_form(request, task)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("organization")
        try:
            services.update_task(request.user, task, **data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            return redirect("volunteers:task-detail", pk=task.pk)
    return TemplateResponse(
        request,
        "volunteers/task_form.html",
        {"form": form, "task": task},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = permissions.access_task(request.user, pk, manage=True)
    try:
        services.close_task(request.user, task, status=request.POST.get("status", ""))
    except ValidationError as e:
        _say(request, e)
    return redirect("volunteers:task-detail", pk=task.pk)


@login_required
@require_http_methods(["GET", "POST"])
def shift_create(request: HttpRequest, pk: int) -> HttpResponse:
    task = permissions.access_task(request.user, pk, manage=True)
    volunteers = Volunteer.objects.filter(organization=task.organization_id, is_active=True)
    form = ShiftForm(request.POST or None, volunteers=volunteers)
    if request.method == "POST" and form.is_valid():
        data, key = form.data_without_key()
        try:
            shift, _created = services.create_shift(request.user, task, idempotency_key=key, **data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            return redirect("volunteers:shift-detail", pk=shift.pk)
    return TemplateResponse(
        request,
        "volunteers/shift_form.html",
        {"form": form, "task": task},
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = permissions.access_shift(request.user, pk)
    task = shift.task
    manage = permissions.may_manage(request.user, task.organization_id)
    lead = manage or permissions.may_lead(request.user, shift)
    rows = selectors.roster(shift, with_contact=manage)
    mine = next((a for a in rows if a.volunteer.user_id == request.user.pk), None)
    confirmed = [a for a in rows if a.status == Assignment.Status.CONFIRMED]
    context: dict[str, Any] = {
        "shift": shift,
        "task": task,
        "roster": rows if lead else confirmed,
        "confirmed": len(confirmed),
        "checked_in": sum(1 for a in confirmed if a.checked_in_at),
        "still_out": [a for a in confirmed if a.is_on_shift and shift.is_over],
        "may_manage": manage,
        "may_lead": lead,
        "mine": mine,
        "profile": permissions.profile_in(request.user, task.organization_id),
        "led_teams": services.led_teams(request.user, task.organization_id),
        "check_form": CheckTimeForm(),
    }
    if manage:
        record_event("volunteers.shift.roster_viewed", request=request, obj=shift)
        everyone = bool(request.GET.get("everyone"))
        candidates = selectors.candidates_for(shift, request.user, everyone=everyone)
        context.update(
            {
                "everyone": everyone,
                "candidates": candidates,
                "invite_form": InviteForm(
                    volunteers=Volunteer.objects.filter(pk__in=[c.pk for c in candidates]),
                    teams=Team.objects.filter(organization=task.organization_id, is_active=True),
                ),
            }
        )
    return TemplateResponse(request, "volunteers/shift_detail.html", context)


@login_required
@require_POST
def shift_signup(request: HttpRequest, pk: int) -> HttpResponse:
    shift = permissions.access_shift(request.user, pk)
    try:
        services.sign_up_for_shift(request.user, shift)
    except ValidationError as e:
        _say(request, e)
    else:
        messages.success(request, _("You are on this shift. Thank you!"))
    return redirect("volunteers:shift-detail", pk=shift.pk)


@login_required
@require_POST
def shift_invite(request: HttpRequest, pk: int) -> HttpResponse:
    shift = permissions.access_shift(request.user, pk, manage=True)
    form = InviteForm(
        request.POST,
        volunteers=Volunteer.objects.filter(organization=shift.task.organization_id),
        teams=Team.objects.filter(organization=shift.task.organization_id),
    )
    if not form.is_valid():
        messages.error(request, _("Choose people from the list."))
        return redirect("volunteers:shift-detail", pk=shift.pk)
    try:
        result = services.invite(
            request.user,
            shift,
            volunteers=form.cleaned_data["volunteers"],
            team=form.cleaned_data["team"],
            agreed=form.cleaned_data["agreed"],
        )
    except ValidationError as e:
        _say(request, e)
    else:
        if result.assignments:
            message = (
                _("Confirmed: %(n)s.") if form.cleaned_data["agreed"] else _("Invited: %(n)s.")
            )
            messages.success(request, message % {"n": len(result.assignments)})
        for volunteer, reason in result.skipped:
            messages.error(request, f"{volunteer.name}: {reason}")
    return redirect("volunteers:shift-detail", pk=shift.pk)


@login_required
@require_POST
def shift_team_signup(request: HttpRequest, pk: int) -> HttpResponse:
    shift = permissions.access_shift(request.user, pk)
    team = Team.objects.filter(pk=request.POST.get("team") or 0).first()
    if team is None:
        raise Http404
    try:
        result = services.sign_up_team(request.user, shift, team)
    except ValidationError as e:
        _say(request, e)
    else:
        messages.success(
            request,
            _("%(team)s is signed up: %(n)s asked.")
            % {"team": team.name, "n": len(result.assignments)},
        )
        for volunteer, reason in result.skipped:
            messages.error(request, f"{volunteer.short_name}: {reason}")
    return redirect("volunteers:shift-detail", pk=shift.pk)


@login_required
@require_POST
def shift_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    shift = permissions.access_shift(request.user, pk, manage=True)
    try:
        services.cancel_shift(request.user, shift)
    except ValidationError as e:
        _say(request, e)
    return redirect("volunteers:shift-detail", pk=shift.pk)


ACTIONS = {
    "accept": (
        lambda user, a, at: services.respond(user, a, accept=True),
        _("You are on this shift. Thank you!"),
    ),
    "decline": (
        lambda user, a, at: services.respond(user, a, accept=False),
        _("Answer saved: you cannot come."),
    ),
    "withdraw": (lambda user, a, at: services.withdraw(user, a), _("Taken off the shift.")),
    "confirm": (lambda user, a, at: services.confirm_on_behalf(user, a), _("Confirmed.")),
    "check-in": (lambda user, a, at: services.check_in(user, a, at=at), _("Checked in.")),
    "check-out": (
        lambda user, a, at: services.check_out(user, a, at=at),
        _("Checked out and counted back."),
    ),
    "no-show": (lambda user, a, at: services.mark_no_show(user, a), _("Recorded as absent.")),
}


@login_required
@require_POST
def assignment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    assignment = permissions.access_assignment(request.user, pk)
    form = CheckTimeForm(request.POST)
    at = form.cleaned_data.get("at") if form.is_valid() else None
    run, done = ACTIONS[action]
    try:
        run(request.user, assignment, at)
    except ValidationError as e:
        _say(request, e)
    else:
        messages.success(request, str(done))
    back = request.POST.get("next", "")
    if back == "me":
        return redirect("volunteers:my-shifts")
    return redirect("volunteers:shift-detail", pk=assignment.shift_id)


@login_required
@require_GET
def hours(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = HoursFilterForm(
        request.GET
        or {"start": timezone.localdate() - datetime.timedelta(days=6), "end": timezone.localdate()}
    )
    form.is_valid()
    rows = selectors.hours(
        request.user, start=form.cleaned_data.get("start"), end=form.cleaned_data.get("end")
    )
    totals: dict[int, dict[str, Any]] = {}
    for a in rows:
        entry = totals.setdefault(
            a.volunteer_id, {"volunteer": a.volunteer, "shifts": 0, "hours": 0.0}
        )
        entry["shifts"] += 1
        entry["hours"] += a.hours or 0
    people = sorted(totals.values(), key=lambda e: -e["hours"])
    query = form.data.urlencode() if hasattr(form.data, "urlencode") else ""
    return TemplateResponse(
        request,
        "volunteers/hours.html",
        {
            "form": form,
            "people": people,
            "total": round(sum(e["hours"] for e in people), 1),
            "query": query,
        },
    )


@login_required
@require_GET
def hours_export(request: HttpRequest) -> HttpResponse:
    """Shifts and hours: one row per person per shift worked, checked in and out."""
    _require_manager(request)
    form = HoursFilterForm(request.GET)
    form.is_valid()
    rows = list(
        selectors.hours(
            request.user, start=form.cleaned_data.get("start"), end=form.cleaned_data.get("end")
        )
    )
    header, table = exports.hours(rows)
    fmt = request.GET.get("format", "csv")
    record_event(
        "volunteers.hours.exported",
        request=request,
        rows=len(table),
        query=request.GET.urlencode()[:500],
    )
    return table_response(
        filename="hromada-shifts-hours",
        header=header,
        rows=table,
        fmt=fmt if fmt in FORMATS else "csv",
    )


# Equipment --------------------------------------------------------------------------------


@login_required
@require_GET
@ratelimit.rate_limited("search", when=ratelimit.searching)
def custody_register(request: HttpRequest) -> HttpResponse:
    """Who holds what, now or at any moment, and what is overdue."""
    _require_manager(request)
    form = CustodyFilterForm(request.GET)
    form.is_valid()
    records = selectors.custody_register(
        request.user, **{k: v for k, v in form.cleaned_data.items() if v}
    )
    page, query = _page(request, records)
    items = permissions.managed_equipment(request.user)
    return TemplateResponse(
        request,
        "volunteers/custody_register.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "now": timezone.now(),
            "states": dict(items.values_list("state").annotate(n=Count("pk")).order_by()),
        },
    )


@login_required
@require_GET
def custody_export(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = CustodyFilterForm(request.GET)
    form.is_valid()
    records = list(
        selectors.custody_register(
            request.user, **{k: v for k, v in form.cleaned_data.items() if v}
        )
    )
    header, rows = exports.custody(records)
    fmt = request.GET.get("format", "csv")
    record_event(
        "volunteers.custody.exported",
        request=request,
        rows=len(rows),
        query=request.GET.urlencode()[:500],
    )
    return table_response(
        filename="hromada-custody", header=header, rows=rows, fmt=fmt if fmt in FORMATS else "csv"
    )


@login_required
@require_GET
def equipment_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    items = permissions.managed_equipment(request.user).order_by("kind", "tag")
    state = request.GET.get("state", "")
    if state in EquipmentItem.State.values:
        items = items.filter(state=state)
    page, query = _page(request, items)
    return TemplateResponse(
        request,
        "volunteers/equipment_list.html",
        {"page": page, "query": query, "state": state, "states": EquipmentItem.State.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def equipment_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = EquipmentForm(request.POST or None, organizations=_managed_orgs(request))
    if request.method == "POST" and form.is_valid():
        data, key = form.data_without_key()
        try:
            item, _created = services.register_item(request.user, idempotency_key=key, **data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            return redirect("volunteers:equipment-detail", pk=item.pk)
    return TemplateResponse(
        request,
        "volunteers/equipment_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


def _issue_form(request: HttpRequest, item: EquipmentItem, data: Any = None) -> IssueForm:
    return IssueForm(
        data,
        item=item,
        volunteers=Volunteer.objects.filter(
            organization=item.organization_id, is_active=True
        ).exclude(vetting=Volunteer.Vetting.SUSPENDED),
        teams=Team.objects.filter(organization=item.organization_id, is_active=True),
    )


@login_required
@require_GET
def equipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.access_item(request.user, pk)
    history = item.custody.select_related("volunteer", "team", "issued_by", "received_by")
    current = next((r for r in history if r.is_open), None)
    return TemplateResponse(
        request,
        "volunteers/equipment_detail.html",
        {
            "item": item,
            "history": history,
            "current": current,
            "issue_form": _issue_form(request, item)
            if current is None and item.state == EquipmentItem.State.AVAILABLE
            else None,
            "return_form": ReturnForm(initial={"condition": item.condition}) if current else None,
        },
    )


@login_required
@require_POST
def equipment_issue(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.access_item(request.user, pk)
    form = _issue_form(request, item, request.POST)
    if form.is_valid():
        try:
            record = services.issue_item(request.user, item, **form.cleaned_data)
        except ValidationError as e:
            _say(request, e)
        else:
            messages.success(request, _("Issued to %(holder)s.") % {"holder": record.holder})
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("volunteers:equipment-detail", pk=item.pk)


@login_required
@require_POST
def equipment_return(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.access_item(request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_item(request.user, item, **form.cleaned_data)
        except ValidationError as e:
            _say(request, e)
        else:
            messages.success(request, _("The return is recorded."))
    else:
        messages.error(request, _("Choose the condition it is in."))
    return redirect("volunteers:equipment-detail", pk=item.pk)


@login_required
@require_POST
def equipment_retire(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.access_item(request.user, pk)
    try:
        services.retire_item(request.user, item)
    except ValidationError as e:
        _say(request, e)
    return redirect("volunteers:equipment-detail", pk=item.pk)


# Applications from abroad ---------------------------------------------------------------


def _apply_language(lang: str) -> str:
    if lang not in dict(APPLY_LANGUAGES):
        raise Http404
    return lang


@require_GET
def apply_start(request: HttpRequest) -> HttpResponse:
    """Send the visitor to the form in the first of their browser's languages we offer (a
    French browser gets French though the rest of the site speaks only uk and en); else English."""
    offered = dict(APPLY_LANGUAGES)
    accepted = parse_accept_lang_header(request.headers.get("Accept-Language", ""))
    for code, _quality in accepted:
        base = code.split("-")[0].lower()
        if base in offered:
            return redirect("volunteers:apply-form", lang=base)
    return redirect("volunteers:apply-form", lang="en")  # the form is for people abroad


def _render_in(
    request: HttpRequest, lang: str, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render now, in ``lang``: a TemplateResponse would render after the override ends."""
    context = {"apply_languages": APPLY_LANGUAGES, "lang": lang, **context}
    response = render(request, template, context, status=status)
    response["Content-Language"] = lang
    return response


@csrf_exempt
def apply(request: HttpRequest, lang: str) -> HttpResponse:
    """The public application form, in the language of its address."""
    # Before anything reads the body (CSRF reads POST): stop oversized files as they arrive.
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _apply(request, lang)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _apply(request: HttpRequest, lang: str) -> HttpResponse:
    lang = _apply_language(lang)
    with translation.override(lang):
        desks = services.open_desks(applications=True)
        organizations = Organization.objects.filter(pk__in=desks.values("organization"))
        if not organizations:
            return _render_in(request, lang, "volunteers/apply.html", {"closed": True})
        posted = request.method == "POST"  # an empty POST is still a submitted form
        form = ApplicationForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            organizations=organizations,
            too_large=SizeLimitUploadHandler.skipped(request),
        )
        refused: RateLimited | None = None
        if request.method == "POST" and form.is_valid():
            data, key = form.data_without_key()
            data["referrer_code"] = data["referrer_code"] or ""
            try:
                submitted = services.submit_application(
                    language=lang,
                    idempotency_key=key,
                    actor=request.user,
                    ip=client_ip(request),
                    **data,
                )
            except RateLimited as limited:
                form.add_error(None, str(limited))
                refused = limited
            except ValidationError as e:
                form_error_from(form, e)
            else:
                url = reverse(
                    "volunteers:application-status",
                    kwargs={
                        "lang": lang,
                        "reference": submitted.application.reference,
                        "secret": submitted.secret,
                    },
                )
                return redirect(f"{url}?new=1")
        response = _render_in(
            request,
            lang,
            "volunteers/apply.html",
            {"form": form},
            status=422 if form.errors else 200,
        )
        return ratelimit.refuse(response, refused) if refused else response


@csrf_exempt
def application_status(
    request: HttpRequest, lang: str, reference: str, secret: str
) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _application_status(request, lang, reference, secret)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _application_status(
    request: HttpRequest, lang: str, reference: str, secret: str
) -> HttpResponse:
    """What the applicant sees through their secret link: the status and its dates, never
    the reviewers' notes. They may add documents or withdraw."""
    lang = _apply_language(lang)
    application = services.application_by_secret(reference, secret)
    if application is None:
        raise Http404
    with translation.override(lang):
        upload = UploadForm(too_large=SizeLimitUploadHandler.skipped(request))
        if request.method == "POST":
            if request.POST.get("action") == "withdraw":
                try:
                    services.withdraw_application(application)
                except ValidationError as e:
                    messages.error(request, " ".join(e.messages))
                return redirect(request.path)
            upload = UploadForm(
                request.POST, request.FILES, too_large=SizeLimitUploadHandler.skipped(request)
            )
            if upload.is_valid():
                try:
                    added = services.add_documents(application, upload.cleaned_data["documents"])
                except ValidationError as e:
                    form_error_from(upload, e)
                else:
                    return redirect(f"{request.path}?added={added}")
        events = [e for e in application.events.all() if e.is_status_change]
        return _render_in(
            request,
            lang,
            "volunteers/application_status.html",
            {
                "application": application,
                "events": events,
                "documents": application.documents.all(),
                "upload": upload,
                "new": bool(request.GET.get("new")),
                "added": request.GET.get("added"),
                "link": request.build_absolute_uri(request.path),
            },
            status=422 if upload.errors else 200,
        )


@login_required
@require_GET
@ratelimit.rate_limited("search", when=ratelimit.searching)
def application_list(request: HtmxHttpRequest) -> HttpResponse:
    _require_manager(request)
    form = ApplicationFilterForm(request.GET)
    form.is_valid()
    rows = selectors.application_list(
        request.user, **{k: v for k, v in form.cleaned_data.items() if v}
    )
    page, query = _page(request, rows)
    counts = dict(
        permissions.managed_applications(request.user)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return TemplateResponse(
        request,
        _fragment(request, "volunteers/application_list.html"),
        {
            "form": form,
            "page": page,
            "query": query,
            "counts": [(s, label, counts.get(s, 0)) for s, label in Application.Status.choices],
        },
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.access_application(request.user, pk)
    record_event("volunteers.application.viewed", request=request, obj=application)
    return TemplateResponse(
        request,
        "volunteers/application_detail.html",
        {
            "application": application,
            "events": application.events.select_related("actor"),
            "documents": application.documents.all(),
            "status_form": ApplicationStatusForm(application=application)
            if not application.is_final
            else None,
            "note_form": ApplicationNoteForm(),
            "nationality": choices.country_name(application.nationality),
            "residence": choices.country_name(application.residence),
            "languages": [choices.language_name(code) for code in application.languages],
        },
    )


@login_required
@require_POST
def application_move(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.access_application(request.user, pk)
    form = ApplicationStatusForm(request.POST, application=application)
    if form.is_valid():
        try:
            services.change_application_status(request.user, application, **form.cleaned_data)
        except ValidationError as e:
            _say(request, e)
        else:
            messages.success(request, _("Status saved."))
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("volunteers:application-detail", pk=application.pk)


@login_required
@require_POST
def application_note(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.access_application(request.user, pk)
    form = ApplicationNoteForm(request.POST)
    if form.is_valid():
        services.add_application_note(request.user, application, form.cleaned_data["note"])
    else:
        messages.error(request, _("Write the note."))
    return redirect("volunteers:application-detail", pk=application.pk)


@login_required
@require_POST
def application_take(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.access_application(request.user, pk)
    services.take_application(request.user, application)
    return redirect("volunteers:application-detail", pk=application.pk)


@login_required
@require_GET
def application_document(request: HttpRequest, pk: int, document: int) -> FileResponse:
    """A document, to a reviewer only, as a download, and written in the audit log."""
    application = permissions.access_application(request.user, pk)
    doc = application.documents.filter(pk=document).first()
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
        doc.file.open("rb"),
        as_attachment=True,
        filename=f"{application.reference}-{doc.pk}{doc.extension}",
        content_type=doc.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def referrals(request: HttpRequest) -> HttpResponse:
    """A referrer's counts: how many of their referrals reached each status."""
    rows = [
        (
            referrer,
            [
                (Application.Status(s).label, n)
                for s, n in services.referral_counts(referrer).items()
            ],
        )
        for referrer in permissions.own_referrers(request.user)
    ]
    return TemplateResponse(request, "volunteers/referrals.html", {"rows": rows})


# Contact directory ------------------------------------------------------------------------


@require_GET
@ratelimit.rate_limited("directory-search", when=ratelimit.searching)
def directory(request: HtmxHttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET)
    form.is_valid()
    cards = list(selectors.directory(request.user, q=form.cleaned_data.get("q") or ""))
    hidden = sum(1 for c in cards if c.effective_sensitivity != "public")
    if hidden:
        record_event(
            "volunteers.directory.viewed", request=request, cards=len(cards), private=hidden
        )
    groups: dict[str, list[Any]] = {}
    for card in cards:
        groups.setdefault(card.place.name if card.place else card.organization.name, []).append(
            card
        )
    managed = permissions.managed_org_ids(request.user)
    return TemplateResponse(
        request,
        _fragment(request, "volunteers/directory.html"),
        {
            "form": form,
            "groups": list(groups.items()),
            "count": len(cards),
            "managed": managed,
            "superuser": core_permissions.is_superuser(request.user),
            "may_create": permissions.is_volunteer_manager(request.user),
        },
    )


def _card_form(request: HttpRequest, card: Any = None) -> ContactCardForm:
    orgs = (
        _managed_orgs(request)
        if card is None
        else Organization.objects.filter(pk=card.organization_id)
    )
    return ContactCardForm(
        request.POST or None,
        initial={"place": request.GET.get("place")},
        organizations=orgs,
        places=core_permissions.visible_places(request.user),
        card=card,
    )


@login_required
@require_http_methods(["GET", "POST"])
def card_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = _card_form(request)
    if request.method == "POST" and form.is_valid():
        data, key = form.data_without_key()
        try:
            services.create_card(request.user, idempotency_key=key, **data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The contact card is saved."))
            return redirect("volunteers:directory")
    return TemplateResponse(
        request, "volunteers/card_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def card_edit(request: HttpRequest, pk: int) -> HttpResponse:
    card = permissions.access_card(request.user, pk, manage=True)
    form = _card_form(request, card)
    if request.method == "POST":
        if request.POST.get("action") == "archive":
            services.update_card(request.user, card, is_active=False)
            messages.success(request, _("The contact card is removed from the directory."))
            return redirect("volunteers:directory")
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("organization")
            try:
                services.update_card(request.user, card, **data)
            except ValidationError as e:
                form_error_from(form, e)
            else:
                messages.success(request, _("The contact card is saved."))
                return redirect("volunteers:directory")
    return TemplateResponse(
        request,
        "volunteers/card_form.html",
        {"form": form, "card": card},
        status=422 if form.errors else 200,
    )
