from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.aid import services
from hromada.aid.forms import BoardFilterForm, CloseNeedForm, NeedForm, RecurringNeedForm
from hromada.aid.models import Need, RecurringNeed
from hromada.aid.permissions import access_need, may_manage_needs_at
from hromada.aid.selectors import board_areas, board_needs
from hromada.aid.services import recurring
from hromada.core import permissions
from hromada.core.models import Area
from hromada.core.services import record_event
from hromada.lib import ratelimit
from hromada.lib.exports import FORMATS, table_response
from hromada.lib.forms import form_error_from
from hromada.lib.http import HtmxHttpRequest
from hromada.lib.pagecache import shared_for_anonymous

PAGE_SIZE = 50


def _board(request: HttpRequest) -> tuple[BoardFilterForm, Any]:
    form = BoardFilterForm(request.GET, areas=board_areas(request.user))
    form.is_valid()  # invalid filters are shown on the form and ignored
    filters = {k: v for k, v in form.cleaned_data.items() if v}
    return form, board_needs(request.user, **filters)


@require_GET
@ratelimit.rate_limited("search", when=ratelimit.searching)
@shared_for_anonymous("needs")
def needs_board(request: HtmxHttpRequest) -> HttpResponse:
    form, needs = _board(request)
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "aid/needs_board.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return TemplateResponse(request, template, context)


CSV_COLUMNS = [
    ("id", "#meta+id"),
    ("priority", "#severity"),
    ("item_code", "#item+code"),
    ("item", "#item+name"),
    ("category", "#item+type"),
    ("quantity", "#item+num+needed"),
    ("covered", "#item+num+covered"),
    ("unit", "#item+unit"),
    ("place", "#loc+name"),
    ("place_kind", "#loc+type"),
    ("organization", "#org+name"),
    ("oblast", "#adm1+name"),
    ("raion", "#adm2+name"),
    ("hromada", "#adm3+name"),
    ("settlement", "#adm4+name"),
    ("area_code", "#loc+code"),
    ("needed_by", "#date+deadline"),
    ("status", "#status"),
    ("updated", "#date+updated"),
]


@require_GET
def needs_export(request: HttpRequest) -> HttpResponse:
    """The board as CSV or XLSX (``?format=xlsx``); ``?hxl=1`` adds the HXL hashtag row."""
    _form, needs = _board(request)
    needs = list(needs)
    codes = {c for n in needs for c in n.place.area.path.strip("/").split("/")}
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}

    def row(need: Need) -> list[Any]:
        path = need.place.area.path.strip("/").split("/")
        levels = {areas[c].level: areas[c].name for c in path if c in areas}
        return [
            need.pk, need.priority, need.item.code if need.item else "", need.label,
            need.item.category if need.item else "", need.quantity, need.quantity_covered, need.unit,
            need.place.name, need.place.kind, need.place.organization.name,
            levels.get(Area.Level.OBLAST, ""), levels.get(Area.Level.RAION, ""),
            levels.get(Area.Level.HROMADA, ""), levels.get(Area.Level.SETTLEMENT, ""),
            need.place.area.code, need.needed_by, need.status, need.updated_at,
        ]  # fmt: skip

    fmt = request.GET.get("format", "csv")
    record_event(
        "aid.needs.exported", request=request, rows=len(needs), query=request.GET.urlencode()
    )
    return table_response(
        filename="hromada-needs",
        header=[name for name, _tag in CSV_COLUMNS],
        hxl=[tag for _name, tag in CSV_COLUMNS] if request.GET.get("hxl") else None,
        rows=(row(n) for n in needs),
        fmt=fmt if fmt in FORMATS else "csv",
    )


@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = access_need(request.user, pk)
    return TemplateResponse(
        request,
        "aid/need_detail.html",
        {
            "need": need,
            "may_manage": may_manage_needs_at(request.user, need.place),
            "close_form": CloseNeedForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest) -> HttpResponse:
    places = permissions.coordinated_places(request.user)
    if not places.exists():
        raise PermissionDenied
    form = NeedForm(
        request.POST or None,
        initial={"place": request.GET.get("place")},
        places=places,
        visible=permissions.visible_places(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key") or None
        try:
            need, created = services.create_need(request.user, idempotency_key=key, **data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            if created:
                messages.success(request, _("The need is posted."))
            return redirect("aid:need-detail", pk=need.pk)
    return TemplateResponse(
        request, "aid/need_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = access_need(request.user, pk, manage=True)
    if not need.is_open:
        messages.error(request, _("This need is closed. Post a new need instead."))
        return redirect("aid:need-detail", pk=need.pk)
    form = NeedForm(
        request.POST or None,
        instance=need,
        places=permissions.coordinated_places(request.user),
        visible=permissions.visible_places(request.user),
    )
    del form.fields["idempotency_key"]
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        fresh = Need.objects.select_related("place__organization").get(pk=need.pk)
        try:
            services.update_need(request.user, fresh, **changes)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The need is updated."))
            return redirect("aid:need-detail", pk=need.pk)
    return TemplateResponse(
        request,
        "aid/need_form.html",
        {"form": form, "need": need},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    need = access_need(request.user, pk, manage=True)
    form = CloseNeedForm(request.POST)
    if form.is_valid():
        try:
            services.close_need(request.user, need, status=form.cleaned_data["status"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The need is closed."))
    else:
        messages.error(request, _("Choose whether the need was covered or cancelled."))
    return redirect("aid:need-detail", pk=need.pk)


@login_required
@require_http_methods(["GET", "POST"])
def recurring_needs(request: HttpRequest) -> HttpResponse:
    """Needs that come back every day or week, for the places this coordinator runs."""
    places = permissions.coordinated_places(request.user)
    if not places.exists():
        raise PermissionDenied
    form = RecurringNeedForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key") or None
        try:
            recurring.create_recurring_need(request.user, idempotency_key=key, **data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("Saved: its needs appear on the board a day ahead."))
            return redirect("aid:recurring-needs")
    templates = RecurringNeed.objects.filter(place__in=places).select_related("place", "item")
    return TemplateResponse(
        request,
        "aid/recurring_needs.html",
        {"form": form, "templates": templates},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def recurring_stop(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(
        RecurringNeed.objects.filter(place__in=permissions.coordinated_places(request.user)), pk=pk
    )
    recurring.stop_recurring_need(request.user, template)
    messages.success(
        request, _("Stopped. The needs already posted stay until they are met or closed.")
    )
    return redirect("aid:recurring-needs")


urlpatterns = [
    path("needs/recurring/", recurring_needs, name="recurring-needs"),
    path("needs/recurring/<int:pk>/stop/", recurring_stop, name="recurring-stop"),
    path("needs/", needs_board, name="needs-board"),
    path("needs/export.csv", needs_export, name="needs-export"),
    path("needs/new/", need_create, name="need-create"),
    path("needs/<int:pk>/", need_detail, name="need-detail"),
    path("needs/<int:pk>/edit/", need_edit, name="need-edit"),
    path("needs/<int:pk>/close/", need_close, name="need-close"),
]
