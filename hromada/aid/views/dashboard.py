"""Dashboards per area and per place, the map of places with open needs, and the exports of
stock, deliveries and those places (CSV, XLSX, HXL, GeoJSON).

Each part of a page follows its own permission (see ``hromada.aid.dashboards``): anyone sees
the needs they may see; members see the stock of their organisations' places and the
deliveries they take part in. Every export is written to the audit log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from hromada.aid import dashboards as exports
from hromada.aid.charts import BLUE, GREEN, GREY, ORANGE, RED, Chart, bar_chart
from hromada.aid.dashboards import (
    LOW_COVER_DAYS,
    WATCH_COVER_DAYS,
    Dashboard,
    Scope,
    build_dashboard,
    dashboard_areas,
)
from hromada.aid.models import Delivery, Priority
from hromada.core import permissions
from hromada.core.models import Area, Sensitivity
from hromada.core.services import record_event
from hromada.lib.exports import FORMATS, table_response
from hromada.lib.http import HtmxHttpRequest

PRIORITY_COLOURS: dict[str, str] = {
    Priority.CRITICAL: RED,
    Priority.HIGH: ORANGE,
    Priority.NORMAL: BLUE,
    Priority.LOW: GREY,
}
COVER_COLOURS: dict[str, str] = {"low": RED, "watch": ORANGE, "ok": GREEN}
STATUS_COLOURS: dict[str, str] = {
    Delivery.Status.PLANNED: GREY,
    Delivery.Status.CLAIMED: ORANGE,
    Delivery.Status.PICKED_UP: BLUE,
    Delivery.Status.DELIVERED: GREEN,
    Delivery.Status.CONFIRMED: GREEN,
    Delivery.Status.FAILED: RED,
    Delivery.Status.CANCELLED: GREY,
}
# A bar of days of cover is full at two weeks; longer cover is not the worry of the day.
COVER_SCALE_DAYS = 14
COVER_BARS = 12


def _area(areas: list[Area], code: str | None) -> Area | None:
    return next((a for a in areas if a.code == code), None) if code else None


def _area_choices(areas: list[Area]) -> list[tuple[str, str]]:
    """Codes and names for a select, indented by depth (an em space per level)."""
    top = min((a.depth for a in areas), default=0)
    return [(a.code, "\u2003" * (a.depth - top) + a.name) for a in areas]


def _days(days: Decimal) -> str:
    # A fraction takes the plural of "a few" (1,5 дня, 1.5 days): count it as two.
    count = int(days) if days == days.to_integral_value() else 2
    return ngettext("%(n)s day", "%(n)s days", count) % {"n": number_format(days, 1)}


def _charts(board: Dashboard) -> dict[str, Chart]:
    needs = bar_chart(
        _("Open needs by category, by priority"),
        [
            (
                c.label,
                str(c.needs),
                [(c.by_priority.get(p, 0), PRIORITY_COLOURS[p]) for p in Priority.values],
            )
            for c in board.categories
        ],
    )
    in_use = [c for c in board.cover if c.days is not None][:COVER_BARS]
    place_view = board.scope.place is not None
    cover = bar_chart(
        _("Days of cover, the shortest first"),
        [
            (
                c.item.name if place_view else f"{c.item.name} · {c.place_name}",
                _days(c.days or Decimal(0)),
                [(max(c.days or Decimal(0), Decimal("0.2")), COVER_COLOURS[c.level])],
            )
            for c in in_use
        ],
        scale_max=COVER_SCALE_DAYS,
    )
    deliveries = bar_chart(
        _("Deliveries today by status"),
        [
            (s.label, str(s.count), [(s.count, STATUS_COLOURS[s.status])])
            for s in board.deliveries_by_status
            if s.count
        ],
    )
    return {"needs": needs, "cover": cover, "deliveries": deliveries}


def _render(request: HtmxHttpRequest, board: Dashboard, **context: Any) -> HttpResponse:
    template = "aid/dashboard.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return TemplateResponse(
        request,
        template,
        {
            "board": board,
            "charts": _charts(board),
            "priorities": [(p, PRIORITY_COLOURS[p], label) for p, label in Priority.choices],
            "low_days": LOW_COVER_DAYS,
            "watch_days": WATCH_COVER_DAYS,
            "may_import": permissions.has_any_role(request.user, *permissions.PLACE_MANAGERS),
            **context,
        },
    )


@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The community, or one area (``?area=<code>``) with the areas below it."""
    areas = dashboard_areas(request.user)
    area = _area(areas, request.GET.get("area"))
    board = build_dashboard(request.user, Scope(area=area))
    return _render(request, board, area_choices=_area_choices(areas), area=area)


@require_GET
def place_dashboard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One place: its needs for anyone who may see the place, its stock and deliveries for the
    people of its organisation."""
    place = permissions.access_place(request.user, pk)
    if place.sensitivity != Sensitivity.PUBLIC:
        record_event("aid.dashboard.viewed", obj=place, request=request)
    board = build_dashboard(request.user, Scope(place=place))
    return _render(request, board, place=place)


@require_GET
def needs_map(request: HttpRequest) -> HttpResponse:
    areas = dashboard_areas(request.user)
    area = _area(areas, request.GET.get("area"))
    return TemplateResponse(
        request,
        "aid/dashboard_map.html",
        {
            "area_choices": _area_choices(areas),
            "area": area,
            "priorities": [(p, PRIORITY_COLOURS[p], label) for p, label in Priority.choices],
        },
    )


# Exports ------------------------------------------------------------------------------------


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "csv")
    return fmt if fmt in FORMATS else "csv"


def _export_scope(request: HttpRequest) -> Scope:
    """``?place=<id>`` (a place the user may see) or ``?area=<code>``; else everything. The
    rows themselves are filtered by permission: an area only narrows them."""
    place_id = request.GET.get("place", "")
    if place_id:
        return Scope(place=permissions.access_place(request.user, place_id))
    code = request.GET.get("area", "")
    return Scope(area=Area.objects.filter(code=code).first() if code else None)


def _require_member(request: HttpRequest) -> None:
    if not permissions.is_member(request.user):
        raise PermissionDenied(_("Stock and deliveries are shown to members of organisations."))


def _download(
    request: HttpRequest,
    *,
    action: str,
    filename: str,
    columns: list[tuple[str, str]],
    rows: Iterable[list[Any]],
    count: int,
    hxl: bool = False,
) -> HttpResponse:
    record_event(action, request=request, rows=count, query=request.GET.urlencode())
    return table_response(
        filename=filename,
        header=[name for name, _tag in columns],
        hxl=[tag for _name, tag in columns] if hxl else None,
        rows=rows,
        fmt=_format(request),
    )


@login_required
@require_GET
def stock_export(request: HttpRequest) -> HttpResponse:
    """Stock per place and lot, with expiry: CSV, ``?format=xlsx``, ``?hxl=1`` for HXL."""
    _require_member(request)
    levels = exports.stock_levels(request.user, _export_scope(request))
    return _download(
        request,
        action="aid.stock.exported",
        filename="hromada-stock",
        columns=exports.STOCK_COLUMNS,
        rows=exports.stock_rows(levels),
        count=len(levels),
        hxl=bool(request.GET.get("hxl")),
    )


@login_required
@require_GET
def deliveries_export(request: HttpRequest) -> HttpResponse:
    """Deliveries with their lines, one row per line: CSV or ``?format=xlsx``.

    ``?status=``, ``?since=`` and ``?until=`` (dates, by the day it was created or planned)."""
    _require_member(request)
    lines = exports.delivery_lines(
        request.user,
        _export_scope(request),
        status=request.GET.get("status", ""),
        since=_date(request.GET.get("since")),
        until=_date(request.GET.get("until")),
    )
    return _download(
        request,
        action="aid.deliveries.exported",
        filename="hromada-deliveries",
        columns=exports.DELIVERY_COLUMNS,
        rows=exports.delivery_rows(lines),
        count=len(lines),
    )


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
def needs_geojson(request: HttpRequest) -> JsonResponse:
    """Places with open needs this visitor may see, as GeoJSON (RFC 7946: longitude first)."""
    collection = exports.needs_places_geojson(request.user, _export_scope(request))
    record_event(
        "aid.needs_map.exported",
        request=request,
        rows=len(collection["features"]),
        query=request.GET.urlencode(),
    )
    response = JsonResponse(collection, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json"
    return response


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/places/<int:pk>/", place_dashboard, name="place-dashboard"),
    path("dashboard/map/", needs_map, name="needs-map"),
    path("exports/stock.csv", stock_export, name="stock-export"),
    path("exports/deliveries.csv", deliveries_export, name="deliveries-export"),
    path("exports/needs.geojson", needs_geojson, name="needs-geojson"),
]
