"""API for dashboards, exports and imports: the same queries, permissions and audit events
as the pages (``views/dashboard.py``, ``views/imports.py``).

Exports answer with the file itself (CSV, XLSX or GeoJSON); the JSON lists are paginated.
An import is checked and, with ``commit=true``, written all or nothing.
"""

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Header, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from hromada.aid import dashboards, imports
from hromada.aid.dashboards import Scope, build_dashboard
from hromada.aid.models import Category, Delivery, DeliveryLine, Priority, StockLevel
from hromada.aid.selectors import board_needs
from hromada.aid.views.needs import CSV_COLUMNS as NEED_COLUMNS
from hromada.core import permissions
from hromada.core.api_auth import anyone
from hromada.core.idempotency import validate_key
from hromada.core.models import Area
from hromada.core.services import record_event
from hromada.lib.exports import table_response
from hromada.lib.pagination import LimitOffsetPagination

router = Router(tags=["aid reports"])


class ScopeFilters(Schema):
    area: str | None = Field(
        None, max_length=32, description="Area code; includes the areas below it."
    )
    place: int | None = Field(None, description="One place, by id (wins over area).")


class ExportFormat(Schema):
    format: str = Field("csv", pattern="^(csv|xlsx)$", description="csv or xlsx")
    hxl: bool = Field(False, description="Add the HXL hashtag row (CSV and XLSX).")


def _scope(user: Any, filters: ScopeFilters) -> Scope:
    if filters.place is not None:
        return Scope(place=permissions.access_place(user, filters.place))
    if filters.area:
        return Scope(area=Area.objects.filter(code=filters.area).first())
    return Scope()


def _details(filters: Schema) -> dict[str, str]:
    """The filters of an export, for its audit event."""
    return {k: str(v) for k, v in filters.dict(exclude_none=True).items()}


def _require_member(user: Any) -> None:
    if not permissions.is_member(user):
        raise PermissionDenied(_("Stock and deliveries are shown to members of organisations."))


# Dashboard ----------------------------------------------------------------------------------


class CategoryOut(Schema):
    category: str = Field(description="Empty for needs described in free text.")
    label: str
    needs: int
    critical: int
    by_priority: dict[str, int]
    missing_share: float = Field(description="Share of what was asked still missing (0 to 1).")


class ShortfallOut(Schema):
    item_code: str
    label: str
    category: str
    unit: str
    needed: Decimal
    shortfall: Decimal
    needs: int
    places: int
    priority: str


class PlaceRowOut(Schema):
    place_id: int
    name: str
    needs: int
    critical: int
    high: int
    short_items: int | None = Field(
        description="Items under 3 days of cover; null: stock not yours to see."
    )
    expiring: int | None


class CoverOut(Schema):
    place_id: int
    place_name: str
    item_code: str
    item: str
    unit: str
    on_hand: Decimal
    used: Decimal = Field(
        description="What left the place over the window (deliveries, distributions, spoilage)."
    )
    daily_use: Decimal
    days_of_cover: Decimal | None = Field(description="Null: no recent use.")
    level: str = Field(description="low, watch or ok")


class ExpiringOut(Schema):
    place_id: int
    place_name: str
    item_code: str
    item: str
    batch: str
    expires_on: datetime.date
    quantity: Decimal
    expired: bool


class StatusCountOut(Schema):
    status: str
    label: str
    count: int


class DeliveryBriefOut(Schema):
    id: int
    status: str
    from_place_id: int
    from_place: str
    to_place_id: int
    to_place: str
    planned_for: datetime.date | None
    lines: int


class DashboardOut(Schema):
    today: datetime.date
    area: str | None
    place_id: int | None
    open_needs: int
    critical_needs: int
    categories: list[CategoryOut]
    shortfalls: list[ShortfallOut]
    places: list[PlaceRowOut]
    sees_stock: bool
    window_days: int
    cover: list[CoverOut]
    expiring: list[ExpiringOut]
    sees_deliveries: bool
    deliveries_by_status: list[StatusCountOut]
    deliveries: list[DeliveryBriefOut]


@router.get(
    "/reports/dashboard",
    response=DashboardOut,
    auth=anyone,
    summary="Dashboard of an area or a place",
    description=(
        "Open needs by category and item (what the caller may see), places, and for members "
        "the stock with days of cover, lots close to expiry and today's deliveries. "
        "Days of cover: on hand / average daily outflow over the last 14 days."
    ),
)
def get_dashboard(request: HttpRequest, filters: Query[ScopeFilters]) -> dict[str, Any]:
    scope = _scope(request.user, filters)
    board = build_dashboard(request.user, scope)
    today = board.today
    return {
        "today": today,
        "area": scope.area.code if scope.area else None,
        "place_id": scope.place.pk if scope.place else None,
        "open_needs": board.open_needs,
        "critical_needs": board.critical_needs,
        "categories": [
            {
                "category": c.category, "label": c.label, "needs": c.needs,
                "critical": c.critical, "by_priority": c.by_priority,
                "missing_share": round(c.missing_share, 4),
            }
            for c in board.categories
        ],
        "shortfalls": [
            {
                "item_code": s.code, "label": s.label, "category": s.category, "unit": s.unit,
                "needed": s.needed, "shortfall": s.shortfall, "needs": s.needs,
                "places": s.places, "priority": s.priority,
            }
            for s in board.shortfalls
        ],
        "places": [p.__dict__ for p in board.places],
        "sees_stock": board.sees_stock,
        "window_days": board.window_days,
        "cover": [
            {
                "place_id": c.place_id, "place_name": c.place_name, "item_code": c.item.code,
                "item": c.item.name, "unit": c.item.unit, "on_hand": c.on_hand, "used": c.used,
                "daily_use": c.daily_use.quantize(Decimal("0.001")), "days_of_cover": c.days,
                "level": c.level,
            }
            for c in board.cover
        ],
        "expiring": [
            {
                "place_id": lot.place_id, "place_name": lot.place.name,
                "item_code": lot.item.code, "item": lot.item.name, "batch": lot.batch,
                "expires_on": lot.expires_on, "quantity": lot.quantity,
                "expired": bool(lot.expires_on and lot.expires_on < today),
            }
            for lot in board.expiring
        ],
        "sees_deliveries": board.sees_deliveries,
        "deliveries_by_status": [s.__dict__ for s in board.deliveries_by_status],
        "deliveries": [
            {
                "id": d.pk, "status": d.status, "from_place_id": d.from_place_id,
                "from_place": d.from_place.name, "to_place_id": d.to_place_id,
                "to_place": d.to_place.name, "planned_for": d.planned_for,
                "lines": getattr(d, "lines_count", 0),
            }
            for d in board.deliveries
        ],
    }  # fmt: skip


# Stock --------------------------------------------------------------------------------------


class StockLotOut(Schema):
    place_id: int
    place: str = Field(alias="place.name")
    item_code: str = Field(alias="item.code")
    item: str = Field(alias="item.name")
    category: str = Field(alias="item.category")
    unit: str = Field(alias="item.unit")
    batch: str
    expires_on: datetime.date | None
    quantity: Decimal
    updated_at: datetime.datetime


@router.get(
    "/reports/stock",
    response=list[StockLotOut],
    summary="Stock per place and lot, with expiry",
    description="The places of the caller's organisations. Each call is written to the audit log.",
)
@paginate(LimitOffsetPagination)
def list_stock_lots(request: HttpRequest, filters: Query[ScopeFilters]) -> Any:
    _require_member(request.user)
    scope = _scope(request.user, filters)
    record_event("aid.stock.exported", request=request, via="api", filters=_details(filters))
    return (
        StockLevel.objects.filter(
            place__in=dashboards._stock_places(request.user, scope).values("pk"), quantity__gt=0
        )
        .select_related("place", "item")
        .order_by("place__name", "place_id", "item__code", "expires_on", "batch", "pk")
    )


@router.get(
    "/reports/stock/export",
    summary="Stock per place and lot as CSV or XLSX (HXL on request)",
    description="The places of the caller's organisations; written to the audit log.",
)
def export_stock(
    request: HttpRequest, filters: Query[ScopeFilters], fmt: Query[ExportFormat]
) -> HttpResponse:
    _require_member(request.user)
    levels = dashboards.stock_levels(request.user, _scope(request.user, filters))
    record_event(
        "aid.stock.exported",
        request=request,
        via="api",
        rows=len(levels),
        filters=_details(filters),
    )
    return table_response(
        filename="hromada-stock",
        header=[name for name, _tag in dashboards.STOCK_COLUMNS],
        hxl=[tag for _name, tag in dashboards.STOCK_COLUMNS] if fmt.hxl else None,
        rows=dashboards.stock_rows(levels),
        fmt=fmt.format,
    )


# Deliveries ---------------------------------------------------------------------------------


class DeliveryFilters(ScopeFilters):
    status: Delivery.Status | None = None
    since: datetime.date | None = Field(None, description="Planned (or created) on or after.")
    until: datetime.date | None = Field(None, description="Planned (or created) on or before.")


class DeliveryLineOut(Schema):
    id: int
    item_code: str = Field(alias="item.code")
    item: str = Field(alias="item.name")
    unit: str = Field(alias="item.unit")
    quantity: Decimal
    quantity_picked: Decimal | None
    quantity_delivered: Decimal | None
    need_id: int | None


class DeliveryReportOut(Schema):
    id: int
    status: str
    planned_for: datetime.date | None
    from_place_id: int
    from_place: str = Field(alias="from_place.name")
    to_place_id: int
    to_place: str = Field(alias="to_place.name")
    created_at: datetime.datetime
    claimed_at: datetime.datetime | None
    picked_up_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None
    lines: list[DeliveryLineOut]


@router.get(
    "/reports/deliveries",
    response=list[DeliveryReportOut],
    summary="Deliveries with their lines",
    description="Deliveries the caller takes part in; written to the audit log.",
)
@paginate(LimitOffsetPagination)
def list_delivery_reports(request: HttpRequest, filters: Query[DeliveryFilters]) -> Any:
    _require_member(request.user)
    deliveries = dashboards.deliveries_for(
        request.user,
        _scope(request.user, filters),
        status=filters.status or "",
        since=filters.since,
        until=filters.until,
    )
    record_event("aid.deliveries.exported", request=request, via="api", filters=_details(filters))
    return (
        deliveries.select_related("from_place", "to_place")
        .prefetch_related(
            Prefetch("lines", queryset=DeliveryLine.objects.select_related("item").order_by("pk"))
        )
        .order_by("-created_at", "-pk")
    )


@router.get(
    "/reports/deliveries/export",
    summary="Deliveries with their lines as CSV or XLSX, one row per line",
)
def export_deliveries(
    request: HttpRequest, filters: Query[DeliveryFilters], fmt: Query[ExportFormat]
) -> HttpResponse:
    _require_member(request.user)
    lines = dashboards.delivery_lines(
        request.user,
        _scope(request.user, filters),
        status=filters.status or "",
        since=filters.since,
        until=filters.until,
    )
    record_event(
        "aid.deliveries.exported",
        request=request,
        via="api",
        rows=len(lines),
        filters=_details(filters),
    )
    return table_response(
        filename="hromada-deliveries",
        header=[name for name, _tag in dashboards.DELIVERY_COLUMNS],
        hxl=[tag for _name, tag in dashboards.DELIVERY_COLUMNS] if fmt.hxl else None,
        rows=dashboards.delivery_rows(lines),
        fmt=fmt.format,
    )


# Needs --------------------------------------------------------------------------------------


class NeedExportFilters(ScopeFilters):
    category: Category | None = None
    priority: Priority | None = None


@router.get(
    "/reports/needs/export",
    auth=anyone,
    summary="Current needs as CSV or XLSX (HXL on request)",
    description="The needs this caller may see, as on the needs board.",
)
def export_needs(
    request: HttpRequest, filters: Query[NeedExportFilters], fmt: Query[ExportFormat]
) -> HttpResponse:
    scope = _scope(request.user, filters)
    needs = list(
        board_needs(
            request.user,
            area=scope.area.code if scope.area else "",
            category=filters.category or "",
            priority=filters.priority or "",
            place=scope.place.pk if scope.place else None,
        )
    )
    record_event(
        "aid.needs.exported",
        request=request,
        via="api",
        rows=len(needs),
        filters=_details(filters),
    )
    return table_response(
        filename="hromada-needs",
        header=[name for name, _tag in NEED_COLUMNS],
        hxl=[tag for _name, tag in NEED_COLUMNS] if fmt.hxl else None,
        rows=dashboards.needs_rows(needs),
        fmt=fmt.format,
    )


@router.get(
    "/reports/needs.geojson",
    auth=anyone,
    summary="Places with open needs, as GeoJSON",
    description=(
        "RFC 7946 (longitude first). Properties: name, url, detail, colour (of the most "
        "urgent priority), priority, needs, critical. Only what the caller may see."
    ),
)
def needs_geojson(request: HttpRequest, filters: Query[ScopeFilters]) -> HttpResponse:
    collection = dashboards.needs_places_geojson(request.user, _scope(request.user, filters))
    record_event(
        "aid.needs_map.exported",
        request=request,
        via="api",
        rows=len(collection["features"]),
        filters=_details(filters),
    )
    response = JsonResponse(collection, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json"
    return response


# Imports ------------------------------------------------------------------------------------


class RowErrorOut(Schema):
    row: int = Field(description="As a spreadsheet shows it; 0 for the file as a whole.")
    column: str
    message: str


class ImportOut(Schema):
    kind: str
    rows: int = Field(description="Data rows in the file.")
    valid: int
    committed: bool
    columns: dict[str, str] = Field(description="Field -> the column of the file it was read from.")
    ignored: list[str]
    errors: list[RowErrorOut]


@router.post(
    "/reports/imports/{kind}",
    response={200: ImportOut, 422: ImportOut},
    summary="Check a CSV or XLSX file of needs, offers or stock counts; commit it on request",
    description=(
        "Without `commit`, nothing is written: the answer lists every bad row. With "
        "`commit=true`, every row is written through the services in one transaction, or none "
        "(422 with the errors). Send `Idempotency-Key` so that a retried commit creates "
        "nothing twice."
    ),
)
def import_file(
    request: HttpRequest,
    kind: imports.Kind,
    file: File[UploadedFile],
    commit: bool = False,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    if not imports.may_import(request.user, kind):
        raise PermissionDenied(_("Coordinators import needs, offers and stock counts."))
    if idempotency_key:
        validate_key(idempotency_key)
    if file.size is not None and file.size > imports.MAX_BYTES:
        content = b""
        checked = imports.Preview(kind=kind)
        checked.errors.append(
            imports.RowError(
                0,
                "",
                _("The file is larger than %(mb)s MB: split it into smaller files.")
                % {"mb": imports.MAX_BYTES // (1024 * 1024)},
            )
        )
    else:
        content = file.read()
        checked = imports.preview(request.user, kind, content)
    body: dict[str, Any] = {
        "kind": kind,
        "rows": checked.total,
        "valid": len(checked.rows),
        "committed": False,
        "columns": checked.headers,
        "ignored": checked.ignored,
        "errors": [e.__dict__ for e in checked.errors],
    }
    if not commit:
        return 200, body
    if not checked.ok:
        return 422, body
    key = idempotency_key or secrets.token_urlsafe(18)
    try:
        imports.commit(request.user, kind, content, key=key, name=file.name or "", request=request)
    except imports.ImportRejected as rejected:
        body["errors"] = [e.__dict__ for e in rejected.errors]
        return 422, body
    body["committed"] = True
    return 200, body
