import datetime
import functools
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from hromada.aid import services
from hromada.aid.api_reports import router as reports_router
from hromada.aid.models import (
    Category,
    Delivery,
    Item,
    Need,
    Pledge,
    Priority,
    RecurringNeed,
    StockLevel,
    StockMove,
    Unit,
)
from hromada.aid.permissions import (
    access_delivery,
    access_need,
    access_pledge,
    access_stock_place,
    stock_places,
    visible_deliveries,
    visible_needs,
    visible_pledges,
)
from hromada.aid.selectors import active_items, board_needs, most_needed
from hromada.aid.services import deliveries as delivery_services
from hromada.aid.services import pledges as pledge_services
from hromada.aid.services import recurring as recurring_services
from hromada.aid.services import stock
from hromada.core import permissions
from hromada.core.api import AreaOut
from hromada.core.api_auth import anyone
from hromada.core.idempotency import run_once
from hromada.core.models import Place, Sensitivity, User
from hromada.core.services import client_ip
from hromada.lib import ratelimit
from hromada.lib.pagination import LimitOffsetPagination

router = Router(tags=["needs"])
router.add_router("", reports_router)


class ItemOut(Schema):
    id: int
    code: str
    name: str
    name_uk: str
    name_en: str
    category: str
    unit: str
    perishable: bool


class PlaceRef(Schema):
    id: int
    name: str
    kind: str
    area: AreaOut


class NeedOut(Schema):
    id: int
    place: PlaceRef
    item: ItemOut | None
    title: str
    label: str
    quantity: Decimal
    quantity_covered: Decimal
    shortfall: Decimal
    unit: str
    priority: str
    needed_by: datetime.date | None
    status: str
    visibility: str
    note: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class NeedIn(Schema):
    place_id: int
    item_id: int | None = None
    title: str = Field("", max_length=200)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit: Unit | None = None
    priority: Priority = Priority.NORMAL
    needed_by: datetime.date | None = None
    note: str = Field("", max_length=2000)
    visibility: Sensitivity = Sensitivity.PUBLIC

    model_config = {"extra": "forbid"}


class NeedPatch(Schema):
    place_id: int | None = None
    item_id: int | None = None
    title: str | None = Field(None, max_length=200)
    quantity: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=3)
    quantity_covered: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=3)
    unit: Unit | None = None
    priority: Priority | None = None
    needed_by: datetime.date | None = None
    note: str | None = Field(None, max_length=2000)
    visibility: Sensitivity | None = None

    model_config = {"extra": "forbid"}


class CloseIn(Schema):
    status: Need.Status = Field(description="covered or cancelled")


class NeedFilters(Schema):
    area: str | None = Field(None, description="Area code; includes the areas below it.")
    category: Category | None = None
    priority: Priority | None = None
    place: int | None = None
    q: str | None = Field(
        None, max_length=100, description="Text in the item, description or place name."
    )
    status: Need.Status | None = Field(
        None,
        description="Without it, only current needs (open or partly covered, not past their date).",
    )


class ItemFilters(Schema):
    category: Category | None = None


def _place_for(user: Any, place_id: int) -> Place:
    """A place the caller may see, or a field error that says nothing about the others."""
    place = (
        permissions.visible_places(user).select_related("organization").filter(pk=place_id).first()
    )
    if place is None:
        raise ValidationError({"place_id": [_("Unknown place.")]})
    return place


def _item_for(item_id: int | None) -> Item | None:
    if item_id is None:
        return None
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise ValidationError({"item_id": [_("Unknown item.")]})
    return item


NEED_RELATIONS = ("item", "place__area__parent", "place__organization")


@router.get("/needs", response=list[NeedOut], auth=anyone, summary="Needs this caller may see")
@paginate(LimitOffsetPagination)
def list_needs(request: HttpRequest, filters: Query[NeedFilters]):  # type: ignore[no-untyped-def]
    ratelimit.check_search(request, filters.q)
    if filters.status:
        needs = visible_needs(request.user).filter(status=filters.status)
        if filters.place:
            needs = needs.filter(place_id=filters.place)
        return needs.select_related(*NEED_RELATIONS).by_urgency()
    return board_needs(
        request.user,
        area=filters.area or "",
        category=filters.category or "",
        priority=filters.priority or "",
        q=filters.q or "",
        place=filters.place,
    ).select_related(*NEED_RELATIONS)


@router.post(
    "/needs",
    response={201: NeedOut},
    summary="Post a need at a place you coordinate",
    description=(
        "Send `Idempotency-Key` (a UUID) so that a retry returns the first need "
        "instead of a second one."
    ),
)
def create_need(
    request: HttpRequest,
    response: HttpResponse,
    payload: NeedIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Need]:
    data = payload.dict()
    place = _place_for(request.user, data.pop("place_id"))
    item = _item_for(data.pop("item_id"))
    need, created = services.create_need(
        request.user,
        place=place,
        item=item,
        idempotency_key=idempotency_key,
        **{k: v for k, v in data.items() if v is not None},
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, access_need(request.user, need.pk))


@router.get("/needs/{need_id}", response=NeedOut, auth=anyone)
def get_need(request: HttpRequest, need_id: int) -> Need:
    return access_need(request.user, need_id)


@router.patch("/needs/{need_id}", response=NeedOut, summary="Change an open need")
def update_need(request: HttpRequest, need_id: int, payload: NeedPatch) -> Need:
    need = access_need(request.user, need_id, manage=True)
    changes = payload.dict(exclude_unset=True)
    if "place_id" in changes:
        changes["place"] = _place_for(request.user, changes.pop("place_id"))
    if "item_id" in changes:
        changes["item"] = _item_for(changes.pop("item_id"))
    for field in ("quantity", "priority", "visibility", "title", "note"):
        if field in changes and changes[field] is None:
            raise ValidationError({field: [_("This field may not be empty.")]})
    services.update_need(request.user, need, **changes)
    return access_need(request.user, need_id)


@router.post(
    "/needs/{need_id}/close", response=NeedOut, summary="Close a need as covered or cancelled"
)
def close_need(request: HttpRequest, need_id: int, payload: CloseIn) -> Need:
    need = access_need(request.user, need_id, manage=True)
    services.close_need(request.user, need, status=payload.status)
    return access_need(request.user, need_id)


@router.get(
    "/items", response=list[ItemOut], auth=anyone, tags=["items"], summary="The item catalogue"
)
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> list[Item]:
    items = active_items()
    if filters.category:
        items = items.filter(category=filters.category)
    return list(items)


# Giving ------------------------------------------------------------------------------------


class ItemRef(Schema):
    id: int
    code: str
    name: str
    unit: str


class MostNeededOut(Schema):
    item: ItemRef | None
    label: str
    shortfall: Decimal
    unit: str
    priority: str
    places: int


class PledgeIn(Schema):
    item_id: int | None = None
    title: str = Field("", max_length=200)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit: Unit | None = None
    need_id: int | None = None
    handover: Pledge.Handover = Pledge.Handover.DROP_OFF
    location: str = Field("", max_length=300)
    available_from: datetime.date | None = None
    available_until: datetime.date | None = None
    expires_on: datetime.date | None = None
    contact_name: str = Field(max_length=200, min_length=1)
    contact_phone: str = Field("", max_length=32)
    contact_email: str = Field("", max_length=254)
    note: str = Field("", max_length=2000)
    consent: bool = Field(
        False,
        description="The person agreed to the consent text of the web form; recorded with its version.",
    )

    model_config = {"extra": "forbid"}


class PledgeStatusOut(Schema):
    """What the donor sees by their private link."""

    id: int
    label: str
    quantity: Decimal
    unit: str
    status: str
    created_at: datetime.datetime
    received_at: datetime.datetime | None
    decline_reason: str


class PledgeCreatedOut(PledgeStatusOut):
    follow_url: str


class PledgeOut(PledgeStatusOut):
    item: ItemRef | None
    title: str
    need_id: int | None
    organization_id: int | None
    hub_id: int | None
    handover: str
    location: str
    available_from: datetime.date | None
    available_until: datetime.date | None
    expires_on: datetime.date | None
    contact_name: str
    contact_phone: str
    contact_email: str
    note: str


class AcceptIn(Schema):
    hub_id: int | None = None
    need_id: int | None = None


class DeclineIn(Schema):
    reason: str = Field(max_length=300)


class ReceiveIn(Schema):
    hub_id: int
    quantity: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=3)
    batch: str = Field("", max_length=64)
    expires_on: datetime.date | None = None


def _hub_for(user: Any, hub_id: int | None) -> Place | None:
    if hub_id is None:
        return None
    hub = stock_places(user).filter(pk=hub_id).first()
    if hub is None:
        raise ValidationError({"hub_id": [_("Unknown place.")]})
    return hub


def _open_need_for_api(user: Any, need_id: int | None) -> Need | None:
    if need_id is None:
        return None
    need = (
        visible_needs(user).select_related("place__organization", "item").filter(pk=need_id).first()
    )
    if need is None:
        raise ValidationError({"need_id": [_("Unknown need.")]})
    return need


@router.get(
    "/needed-most",
    response=list[MostNeededOut],
    auth=anyone,
    tags=["giving"],
    summary="What is needed most: the most urgent first, then the largest shortfall",
)
def needed_most_api(request: HttpRequest) -> list[Any]:
    return most_needed(request.user)


@router.post(
    "/pledges",
    response={201: PledgeCreatedOut},
    auth=anyone,
    tags=["giving"],
    summary="Offer goods (no account needed); keep the follow_url to see what happens",
)
def offer_pledge(
    request: HttpRequest,
    response: HttpResponse,
    payload: PledgeIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    data = payload.dict()
    item = _item_for(data.pop("item_id"))
    need = _open_need_for_api(request.user, data.pop("need_id"))
    data["unit"] = data["unit"] or ""
    pledge, created = pledge_services.offer_pledge(
        request.user,
        item=item,
        need=need,
        idempotency_key=idempotency_key,
        ip=client_ip(request),
        **data,
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(
        201,
        {
            **PledgeStatusOut.from_orm(pledge).dict(),
            "follow_url": pledge_services.follow_url(pledge),
        },
    )


@router.get("/pledges/follow/{token}", response=PledgeStatusOut, auth=anyone, tags=["giving"])
def follow_pledge(request: HttpRequest, token: str) -> Pledge:
    pledge = pledge_services.pledge_for_token(token)
    if pledge is None:
        raise Http404
    return pledge


@router.get(
    "/pledges", response=list[PledgeOut], tags=["giving"], summary="Offers you handle, or made"
)
@paginate(LimitOffsetPagination)
def list_pledges(request: HttpRequest, status: Pledge.Status | None = None):  # type: ignore[no-untyped-def]
    pledges = visible_pledges(request.user).select_related("item")
    return pledges.filter(status=status) if status else pledges


@router.get("/pledges/{pledge_id}", response=PledgeOut, tags=["giving"])
def get_pledge(request: HttpRequest, pledge_id: int) -> Pledge:
    return access_pledge(request.user, pledge_id)


@router.post("/pledges/{pledge_id}/accept", response=PledgeOut, tags=["giving"])
def accept_pledge(request: HttpRequest, pledge_id: int, payload: AcceptIn) -> Pledge:
    pledge = access_pledge(request.user, pledge_id, manage=True)
    return pledge_services.accept_pledge(
        request.user,
        pledge,
        hub=_hub_for(request.user, payload.hub_id),
        need=_open_need_for_api(request.user, payload.need_id),
    )


@router.post("/pledges/{pledge_id}/decline", response=PledgeOut, tags=["giving"])
def decline_pledge(request: HttpRequest, pledge_id: int, payload: DeclineIn) -> Pledge:
    pledge = access_pledge(request.user, pledge_id, manage=True)
    return pledge_services.decline_pledge(request.user, pledge, reason=payload.reason)


@router.post("/pledges/{pledge_id}/receive", response=PledgeOut, tags=["giving"])
def receive_pledge(request: HttpRequest, pledge_id: int, payload: ReceiveIn) -> Pledge:
    pledge = access_pledge(request.user, pledge_id, manage=True)
    hub = _hub_for(request.user, payload.hub_id)
    assert hub is not None
    return pledge_services.receive_pledge(
        request.user,
        pledge,
        hub=hub,
        quantity=payload.quantity,
        batch=payload.batch,
        expires_on=payload.expires_on,
    )


# Stock -------------------------------------------------------------------------------------


class LevelOut(Schema):
    item: ItemRef
    batch: str
    expires_on: datetime.date | None
    quantity: Decimal


class StockPlaceOut(Schema):
    id: int
    name: str
    kind: str
    levels: list[LevelOut]


class MoveOut(Schema):
    id: int
    item: ItemRef
    quantity: Decimal
    from_place_id: int | None
    to_place_id: int | None
    reason: str
    batch: str
    expires_on: datetime.date | None
    at: datetime.datetime
    note: str
    delivery_id: int | None
    pledge_id: int | None
    corrects_id: int | None


class StockChangeIn(Schema):
    item_id: int
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    reason: StockMove.Reason | None = None
    batch: str = Field("", max_length=64)
    expires_on: datetime.date | None = None
    note: str = Field("", max_length=300)

    model_config = {"extra": "forbid"}


class TransferIn(StockChangeIn):
    to_place_id: int


class CountIn(Schema):
    item_id: int
    counted: Decimal = Field(ge=0, max_digits=12, decimal_places=3)
    batch: str = Field("", max_length=64)
    expires_on: datetime.date | None = None
    note: str = Field("", max_length=300)


class ReverseIn(Schema):
    note: str = Field(max_length=300)


def _required_item(item_id: int) -> Item:
    item = _item_for(item_id)
    assert item is not None
    return item


@router.get(
    "/stock",
    response=list[StockPlaceOut],
    tags=["stock"],
    summary="Stock of your organisations' places",
)
def list_stock(request: HttpRequest) -> list[dict[str, Any]]:
    places = list(stock_places(request.user))
    levels = StockLevel.objects.filter(place__in=places, quantity__gt=0).select_related("item")
    by_place: dict[int, list[StockLevel]] = {}
    for level in levels:
        by_place.setdefault(level.place_id, []).append(level)
    return [
        {"id": p.pk, "name": p.name, "kind": p.kind, "levels": by_place.get(p.pk, [])}
        for p in places
    ]


@router.get("/stock/{place_id}", response=StockPlaceOut, tags=["stock"])
def get_stock(request: HttpRequest, place_id: int) -> dict[str, Any]:
    place = access_stock_place(request.user, place_id)
    levels = StockLevel.objects.filter(place=place, quantity__gt=0).select_related("item")
    return {"id": place.pk, "name": place.name, "kind": place.kind, "levels": list(levels)}


@router.get("/stock/{place_id}/moves", response=list[MoveOut], tags=["stock"])
@paginate(LimitOffsetPagination)
def list_moves(request: HttpRequest, place_id: int):  # type: ignore[no-untyped-def]
    place = access_stock_place(request.user, place_id)
    return (
        StockMove.objects.filter(Q(from_place=place) | Q(to_place=place))
        .select_related("item")
        .order_by("-at", "-pk")
    )


RETRY_SAFE = (
    "Send `Idempotency-Key` (a UUID): a retry whose first answer was lost does nothing again "
    "and gets the first answer (with `Idempotent-Replayed: true`)."
)


def _once(
    request: HttpRequest,
    response: HttpResponse,
    scope: str,
    key: str | None,
    model: type[Any],
    run: Any,
) -> list[Any]:
    """Run a stock or delivery action once per ``Idempotency-Key`` (see run_once)."""
    objects, ran = run_once(scope=scope, key=key, actor=request.user, model=model, run=run)
    if not ran:
        response["Idempotent-Replayed"] = "true"
    # As stored (quantities to the gram), so that the first answer and a replay are the same.
    stored = model._default_manager.in_bulk([obj.pk for obj in objects])
    return [stored[obj.pk] for obj in objects]


@router.post(
    "/stock/{place_id}/receive",
    response={201: list[MoveOut]},
    tags=["stock"],
    description=RETRY_SAFE,
)
def receive_stock(
    request: HttpRequest,
    response: HttpResponse,
    place_id: int,
    payload: StockChangeIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[list[StockMove]]:
    place = access_stock_place(request.user, place_id, manage=True)
    run = functools.partial(
        stock.receive_stock,
        request.user,
        place=place,
        item=_required_item(payload.item_id),
        quantity=payload.quantity,
        reason=payload.reason or StockMove.Reason.DONATION,
        batch=payload.batch,
        expires_on=payload.expires_on,
        note=payload.note,
    )
    return Status(
        201, _once(request, response, "aid.stock.receive", idempotency_key, StockMove, run)
    )


@router.post(
    "/stock/{place_id}/issue", response={201: list[MoveOut]}, tags=["stock"], description=RETRY_SAFE
)
def issue_stock(
    request: HttpRequest,
    response: HttpResponse,
    place_id: int,
    payload: StockChangeIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[list[StockMove]]:
    place = access_stock_place(request.user, place_id, manage=True)
    run = functools.partial(
        stock.issue_stock,
        request.user,
        place=place,
        item=_required_item(payload.item_id),
        quantity=payload.quantity,
        reason=payload.reason or StockMove.Reason.DISTRIBUTION,
        batch=payload.batch or None,
        expires_on=payload.expires_on,
        note=payload.note,
    )
    return Status(201, _once(request, response, "aid.stock.issue", idempotency_key, StockMove, run))


@router.post(
    "/stock/{place_id}/transfer",
    response={201: list[MoveOut]},
    tags=["stock"],
    description=RETRY_SAFE,
)
def transfer_stock(
    request: HttpRequest,
    response: HttpResponse,
    place_id: int,
    payload: TransferIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[list[StockMove]]:
    place = access_stock_place(request.user, place_id, manage=True)
    destination = permissions.visible_places(request.user).filter(pk=payload.to_place_id).first()
    if destination is None:
        raise ValidationError({"to_place_id": [_("Unknown place.")]})
    run = functools.partial(
        stock.transfer_stock,
        request.user,
        from_place=place,
        to_place=destination,
        item=_required_item(payload.item_id),
        quantity=payload.quantity,
        batch=payload.batch or None,
        expires_on=payload.expires_on,
        note=payload.note,
    )
    return Status(
        201, _once(request, response, "aid.stock.transfer", idempotency_key, StockMove, run)
    )


@router.post(
    "/stock/{place_id}/count", response=list[MoveOut], tags=["stock"], description=RETRY_SAFE
)
def count_stock(
    request: HttpRequest,
    response: HttpResponse,
    place_id: int,
    payload: CountIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> list[StockMove]:
    place = access_stock_place(request.user, place_id, manage=True)
    item = _required_item(payload.item_id)
    return _once(
        request,
        response,
        "aid.stock.count",
        idempotency_key,
        StockMove,
        lambda: stock.count_stock(
            request.user,
            place=place,
            item=item,
            counted=payload.counted,
            batch=payload.batch,
            expires_on=payload.expires_on,
            note=payload.note,
        ),
    )


@router.post(
    "/stock/moves/{move_id}/reverse",
    response={201: list[MoveOut]},
    tags=["stock"],
    description=RETRY_SAFE,
)
def reverse_move(
    request: HttpRequest,
    response: HttpResponse,
    move_id: int,
    payload: ReverseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[list[StockMove]]:
    places = stock_places(request.user)
    original = StockMove.objects.filter(
        Q(from_place__in=places) | Q(to_place__in=places), pk=move_id
    ).first()
    if original is None:
        raise Http404
    return Status(
        201,
        _once(
            request,
            response,
            "aid.stock.reverse",
            idempotency_key,
            StockMove,
            lambda: stock.reverse_move(request.user, original, note=payload.note),
        ),
    )


# Deliveries --------------------------------------------------------------------------------


class PlaceBrief(Schema):
    id: int
    name: str
    address: str


class LineOut(Schema):
    id: int
    item: ItemRef
    quantity: Decimal
    need_id: int | None
    quantity_picked: Decimal | None
    quantity_delivered: Decimal | None
    reason: dict[str, Any]


class DeliveryOut(Schema):
    id: int
    status: str
    from_place: PlaceBrief
    to_place: PlaceBrief
    planned_for: datetime.date | None
    driver_id: int | None
    claimed_at: datetime.datetime | None
    picked_up_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    recipient_name: str
    confirmed_at: datetime.datetime | None
    note: str
    failure_reason: str
    lines: list[LineOut]


class LineIn(Schema):
    item_id: int
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    need_id: int | None = None


class DeliveryIn(Schema):
    from_place_id: int
    to_place_id: int
    lines: list[LineIn] = Field(min_length=1, max_length=30)
    planned_for: datetime.date | None = None
    note: str = Field("", max_length=500)

    model_config = {"extra": "forbid"}


class DeliveredIn(Schema):
    recipient_name: str = Field(min_length=1, max_length=200)
    received: dict[int, Decimal] = Field(
        default_factory=dict, description="line id -> quantity received"
    )


class ReasonIn(Schema):
    reason: str = Field(max_length=300)


DELIVERY_RELATIONS = ("from_place", "to_place")


def _delivery_out(user: Any, pk: int) -> Delivery:
    return (
        visible_deliveries(user)
        .select_related(*DELIVERY_RELATIONS)
        .prefetch_related("lines__item")
        .get(pk=pk)
    )


@router.get(
    "/deliveries",
    response=list[DeliveryOut],
    tags=["deliveries"],
    summary="Deliveries you drive, send or receive",
)
@paginate(LimitOffsetPagination)
def list_deliveries(
    request: HttpRequest, status: Delivery.Status | None = None, mine: bool = False
):  # type: ignore[no-untyped-def]
    deliveries = (
        visible_deliveries(request.user)
        .select_related(*DELIVERY_RELATIONS)
        .prefetch_related("lines__item")
    )
    if status:
        deliveries = deliveries.filter(status=status)
    if mine:
        deliveries = deliveries.filter(driver=cast(User, request.user))
    return deliveries


@router.post(
    "/deliveries",
    response={201: DeliveryOut},
    tags=["deliveries"],
    summary="Plan a delivery from your hub",
)
def plan_delivery(
    request: HttpRequest,
    response: HttpResponse,
    payload: DeliveryIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Delivery]:
    hub = stock_places(request.user).filter(pk=payload.from_place_id).first()
    if hub is None:
        raise ValidationError({"from_place_id": [_("Unknown place.")]})
    destination = permissions.visible_places(request.user).filter(pk=payload.to_place_id).first()
    if destination is None:
        raise ValidationError({"to_place_id": [_("Unknown place.")]})
    lines = [
        delivery_services.LineIn(
            _required_item(ln.item_id), ln.quantity, _open_need_for_api(request.user, ln.need_id)
        )
        for ln in payload.lines
    ]
    delivery, created = delivery_services.plan_delivery(
        request.user,
        from_place=hub,
        to_place=destination,
        lines=lines,
        planned_for=payload.planned_for,
        note=payload.note,
        idempotency_key=idempotency_key,
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, _delivery_out(request.user, delivery.pk))


@router.get("/deliveries/{delivery_id}", response=DeliveryOut, tags=["deliveries"])
def get_delivery(request: HttpRequest, delivery_id: int) -> Delivery:
    access_delivery(request.user, delivery_id)
    return _delivery_out(request.user, delivery_id)


def _step(
    request: HttpRequest,
    response: HttpResponse,
    delivery_id: int,
    step: str,
    key: str | None,
    payload: Any = None,
) -> Delivery:
    delivery = access_delivery(request.user, delivery_id)
    user = request.user

    def run() -> list[Delivery]:
        data = payload.dict() if payload is not None else {}
        delivery_services.take_step(user, delivery, step, **data)
        return [delivery]

    _once(request, response, f"aid.delivery.{step}", key, Delivery, run)
    return _delivery_out(user, delivery_id)


@router.post(
    "/deliveries/{delivery_id}/claim",
    response=DeliveryOut,
    tags=["deliveries"],
    summary="Take a delivery (409 when another driver was first)",
    description=RETRY_SAFE,
)
def claim_delivery(
    request: HttpRequest,
    response: HttpResponse,
    delivery_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Delivery:
    return _step(request, response, delivery_id, "claim", idempotency_key)


@router.post(
    "/deliveries/{delivery_id}/unclaim",
    response=DeliveryOut,
    tags=["deliveries"],
    description=RETRY_SAFE,
)
def unclaim_delivery(
    request: HttpRequest,
    response: HttpResponse,
    delivery_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Delivery:
    return _step(request, response, delivery_id, "unclaim", idempotency_key)


@router.post(
    "/deliveries/{delivery_id}/pickup",
    response=DeliveryOut,
    tags=["deliveries"],
    description=RETRY_SAFE,
)
def pick_up_delivery(
    request: HttpRequest,
    response: HttpResponse,
    delivery_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Delivery:
    return _step(request, response, delivery_id, "pick_up", idempotency_key)


@router.post(
    "/deliveries/{delivery_id}/deliver",
    response=DeliveryOut,
    tags=["deliveries"],
    description=RETRY_SAFE,
)
def deliver_delivery(
    request: HttpRequest,
    response: HttpResponse,
    delivery_id: int,
    payload: DeliveredIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Delivery:
    return _step(request, response, delivery_id, "deliver", idempotency_key, payload)


@router.post(
    "/deliveries/{delivery_id}/confirm",
    response=DeliveryOut,
    tags=["deliveries"],
    description=RETRY_SAFE,
)
def confirm_delivery(
    request: HttpRequest,
    response: HttpResponse,
    delivery_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Delivery:
    return _step(request, response, delivery_id, "confirm", idempotency_key)


@router.post(
    "/deliveries/{delivery_id}/fail",
    response=DeliveryOut,
    tags=["deliveries"],
    description=RETRY_SAFE,
)
def fail_delivery(
    request: HttpRequest,
    response: HttpResponse,
    delivery_id: int,
    payload: ReasonIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Delivery:
    return _step(request, response, delivery_id, "fail", idempotency_key, payload)


@router.post(
    "/deliveries/{delivery_id}/cancel",
    response=DeliveryOut,
    tags=["deliveries"],
    description=RETRY_SAFE,
)
def cancel_delivery(
    request: HttpRequest,
    response: HttpResponse,
    delivery_id: int,
    payload: ReasonIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Delivery:
    return _step(request, response, delivery_id, "cancel", idempotency_key, payload)


# Recurring needs ---------------------------------------------------------------------------


class RecurringOut(Schema):
    id: int
    place_id: int
    item: ItemRef | None
    title: str
    quantity: Decimal
    unit: str
    priority: str
    every: str
    weekday: int | None
    # The town's wall-clock time, with no offset: JSON Schema's "time" demands one.
    at: datetime.time = Field(json_schema_extra={"format": "partial-time"})
    starts_on: datetime.date
    ends_on: datetime.date | None
    is_active: bool


class RecurringIn(Schema):
    place_id: int
    item_id: int | None = None
    title: str = Field("", max_length=200)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit: Unit | None = None
    priority: Priority = Priority.HIGH
    every: RecurringNeed.Every = RecurringNeed.Every.DAY
    weekday: int | None = Field(None, ge=0, le=6)
    at: datetime.time = datetime.time(8, 0)
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    visibility: Sensitivity = Sensitivity.PUBLIC
    note: str = Field("", max_length=2000)

    model_config = {"extra": "forbid"}


@router.get("/recurring-needs", response=list[RecurringOut], tags=["needs"])
def list_recurring(request: HttpRequest) -> list[RecurringNeed]:
    places = permissions.coordinated_places(request.user)
    return list(RecurringNeed.objects.filter(place__in=places).select_related("item"))


@router.post("/recurring-needs", response={201: RecurringOut}, tags=["needs"])
def create_recurring(
    request: HttpRequest,
    payload: RecurringIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[RecurringNeed]:
    data = payload.dict()
    data["place"] = _place_for(request.user, data.pop("place_id"))
    data["item"] = _item_for(data.pop("item_id"))
    data["unit"] = data["unit"] or ""
    template, _created = recurring_services.create_recurring_need(
        request.user, idempotency_key=idempotency_key, **data
    )
    return Status(201, template)


@router.post("/recurring-needs/{template_id}/stop", response=RecurringOut, tags=["needs"])
def stop_recurring(request: HttpRequest, template_id: int) -> RecurringNeed:
    template = RecurringNeed.objects.filter(
        place__in=permissions.coordinated_places(request.user), pk=template_id
    ).first()
    if template is None:
        raise Http404
    return recurring_services.stop_recurring_need(request.user, template)
