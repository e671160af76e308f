"""Plan deliveries: give the optimiser the free stock at your hubs and the open needs you see,
show its proposal with a reason for every line, and turn the confirmed lines into deliveries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.aid import allocation
from hromada.aid.models import Delivery, DeliveryLine, DeliveryPlan, Item, Need, StockLevel
from hromada.aid.permissions import visible_needs
from hromada.aid.services import deliveries, stock
from hromada.core import permissions
from hromada.core.models import Place

# Places that send goods out: a hospital's own shelf is not a hub for others.
SENDING_KINDS = (Place.Kind.HUB, Place.Kind.DISTRIBUTION, Place.Kind.KITCHEN)
QUANTUM = Decimal("0.001")


def sending_places(actor: Any) -> list[Place]:
    places = Place.objects.filter(is_active=True, kind__in=SENDING_KINDS, latitude__isnull=False)
    if not permissions.is_superuser(actor):
        places = places.filter(
            organization__in=permissions.orgs_with_role(actor, *permissions.PLACE_MANAGERS)
        )
    return list(places)


def _supplies(hubs: list[Place]) -> list[allocation.Supply]:
    """Lots on the hubs' shelves, less what planned deliveries already promised (taken from
    the earliest-expiring lots, as pick-up will)."""
    promised: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for row in (
        DeliveryLine.objects.filter(
            delivery__from_place__in=hubs,
            delivery__status__in=(Delivery.Status.PLANNED, Delivery.Status.CLAIMED),
        )
        .values("delivery__from_place", "item")
        .annotate(total=Sum("quantity"))
    ):
        promised[(row["delivery__from_place"], row["item"])] = row["total"]
    by_hub = {h.pk: h for h in hubs}
    levels = StockLevel.objects.filter(place__in=hubs, quantity__gt=0).select_related("item")
    supplies = []
    for level in sorted(levels, key=lambda lv: (lv.place_id, lv.item_id, stock.fefo_key(lv))):
        key = (level.place_id, level.item_id)
        free = level.quantity - promised[key]
        promised[key] = max(Decimal(0), promised[key] - level.quantity)
        if free <= 0:
            continue
        hub = by_hub[level.place_id]
        supplies.append(
            allocation.Supply(
                key=(level.place_id, level.item_id, level.batch, level.expires_on),
                hub=level.place_id,
                item=level.item_id,
                quantity=float(free),
                lat=float(hub.latitude or 0),
                lon=float(hub.longitude or 0),
                expires=level.expires_on,
            )
        )
    return supplies


def _demands(actor: Any, hubs: list[Place]) -> list[allocation.Demand]:
    """Shortfalls of the current needs the actor sees, less what active deliveries carry."""
    needs = (
        visible_needs(actor)
        .current()
        .filter(item__isnull=False, place__latitude__isnull=False)
        .exclude(place__in=hubs)
        .select_related("place", "item")
        .by_urgency()
    )
    carried = dict(
        DeliveryLine.objects.filter(need__in=needs, delivery__status__in=Delivery.ACTIVE_STATUSES)
        .values("need")
        .annotate(total=Sum("quantity"))
        .values_list("need", "total")
    )
    demands = []
    for need in needs:
        short = need.shortfall - carried.get(need.pk, Decimal(0))
        if short <= 0:
            continue
        demands.append(
            allocation.Demand(
                key=need.pk,
                place=need.place_id,
                item=need.item_id,
                quantity=float(short),
                weight=allocation.PRIORITY_WEIGHTS[need.priority],
                lat=float(need.place.latitude or 0),
                lon=float(need.place.longitude or 0),
                needed_by=need.needed_by,
                perishable=bool(need.item and need.item.perishable),
            )
        )
    return demands


def _decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(QUANTUM, rounding=ROUND_DOWN)


@transaction.atomic
def propose_plan(
    actor: Any, *, capacity: Decimal | None = None, max_distance_km: Decimal | None = None
) -> DeliveryPlan:
    """Ask the optimiser for a plan over the actor's hubs and the needs they can see."""
    hubs = sending_places(actor)
    if not hubs:
        raise PermissionDenied(_("You run no hub to send deliveries from."))
    if capacity is not None and capacity <= 0:
        raise ValidationError({"capacity": [_("The capacity must be more than zero.")]})
    if max_distance_km is not None and max_distance_km <= 0:
        raise ValidationError({"max_distance_km": [_("The distance must be more than zero.")]})
    result = allocation.allocate(
        _supplies(hubs),
        _demands(actor, hubs),
        today=timezone.localdate(),
        capacity=float(capacity) if capacity else None,
        max_distance_km=float(max_distance_km) if max_distance_km else None,
    )
    trips = [
        {
            "hub": trip.hub,
            "place": trip.place,
            "distance_km": round(trip.distance_km, 2),
            "lines": [
                {
                    "item": line.item,
                    "need": line.demand_key,
                    "quantity": str(_decimal(line.quantity)),
                    "reason": line.reason,
                }
                for line in trip.lines
                if _decimal(line.quantity) > 0
            ],
        }
        for trip in result.trips
    ]
    unmet = [
        {"need": key, "short": str(_decimal(short)), "reason": result.unmet_reasons.get(key, {})}
        for key, short in result.unmet.items()
        if _decimal(short) > 0
    ]
    return DeliveryPlan.objects.create(
        created_by=actor,
        capacity=capacity,
        max_distance_km=max_distance_km,
        trips=[t for t in trips if t["lines"]],
        unmet=unmet,
        stats={
            "weighted_fulfilment": round(result.weighted_fulfilment, 4),
            "distance_km": round(result.distance_km, 2),
            "method": result.method,
            "solve_seconds": round(result.solve_seconds, 3),
            "status": result.status,
        },
    )


def access_plan(actor: Any, pk: Any) -> DeliveryPlan:
    plan = DeliveryPlan.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if plan is None or (
        plan.created_by_id != getattr(actor, "pk", None) and not permissions.is_superuser(actor)
    ):
        raise ValidationError(_("This plan is not yours."))
    return plan


@transaction.atomic
def confirm_plan(
    actor: Any, plan: DeliveryPlan, *, quantities: dict[tuple[int, int], Decimal] | None = None
) -> list[Delivery]:
    """Turn the plan into deliveries, with the quantities the coordinator kept (trip, line) ->
    quantity; a line set to zero is dropped. All or nothing: if the stock moved since the
    proposal, nothing is created and the coordinator is told which line no longer fits."""
    if plan.created_by_id != actor.pk and not permissions.is_superuser(actor):
        raise PermissionDenied
    if plan.status != DeliveryPlan.Status.DRAFT:
        raise ValidationError(_("This plan was confirmed already."))
    quantities = quantities or {}
    hubs = {p.pk: p for p in Place.objects.filter(pk__in={t["hub"] for t in plan.trips})}
    places = {p.pk: p for p in Place.objects.filter(pk__in={t["place"] for t in plan.trips})}
    items = {
        i.pk: i
        for i in Item.objects.filter(pk__in={ln["item"] for t in plan.trips for ln in t["lines"]})
    }
    needs = {
        n.pk: n
        for n in Need.objects.filter(pk__in={ln["need"] for t in plan.trips for ln in t["lines"]})
    }
    made = []
    today = timezone.localdate()
    for t_index, trip in enumerate(plan.trips):
        lines = []
        for l_index, line in enumerate(trip["lines"]):
            quantity = quantities.get((t_index, l_index), Decimal(line["quantity"]))
            if quantity is None or quantity < 0:
                raise ValidationError({"quantities": [_("A quantity cannot be negative.")]})
            if quantity == 0:
                continue
            need = needs.get(line["need"])
            lines.append(
                deliveries.LineIn(
                    items[line["item"]],
                    quantity,
                    need if need and need.is_open else None,
                    line.get("reason"),
                )
            )
        if not lines:
            continue
        delivery, _created = deliveries.plan_delivery(
            actor,
            from_place=hubs[trip["hub"]],
            to_place=places[trip["place"]],
            lines=lines,
            planned_for=today,
        )
        made.append(delivery)
    if not made:
        raise ValidationError(_("Nothing left to deliver in this plan."))
    plan.status = DeliveryPlan.Status.CONFIRMED
    plan.confirmed_at = timezone.now()
    plan.save(update_fields=["status", "confirmed_at"])
    plan.deliveries.set(made)
    return made


def explain(reason: dict[str, Any]) -> str:
    """A line's reason, in words, in the reader's language."""
    if not reason:
        return ""
    km = reason.get("distance_km")
    why = {
        "nearest_with_stock": _("The nearest hub that has it (%(km)s km).") % {"km": km},
        "fewer_trips": _("A little farther (%(km)s km), so the goods go in fewer trips.")
        % {"km": km},
        "nearer_hub_exhausted_by_more_urgent": _(
            "Nearer hubs' stock went to more urgent needs (%(km)s km)."
        )
        % {"km": km},
        "nearer_hub_short": _("Nearer hubs have not enough (%(km)s km).") % {"km": km},
        "nearer_hub_exhausted": _("Nearer hubs' stock went to other needs (%(km)s km).")
        % {"km": km},
    }.get(reason.get("code", ""), "")
    how_much = {
        "fills_need": _("Covers what is missing."),
        "shares_need": _("Part of it; the rest comes from another hub."),
        "partial_stock": _("All that is free: still short by %(short)s.")
        % {"short": reason.get("short_by")},
    }.get(reason.get("quantity", ""), "")
    batch = {
        "earliest_expiry": _("The batch that expires first."),
        "earlier_batches_used": _("Earlier batches are already used."),
        "earlier_batches_expire_too_soon": _("Earlier batches expire before it is needed."),
    }.get(reason.get("batch", ""), "")
    return " ".join(part for part in (why, how_much, batch) if part)


def explain_unmet(reason: dict[str, Any]) -> str:
    return {
        "no_stock": _("None of your hubs has it."),
        "not_enough_stock": _("It gets all the stock within reach; there is no more."),
        "no_usable_stock": _("What your hubs have expires too soon."),
        "beyond_max_distance": _("The nearest stock is %(km)s km away, farther than allowed.")
        % {"km": reason.get("nearest_km")},
        "taken_by_more_urgent": _("Your hubs' stock went to more urgent needs."),
        "taken_by_less_urgent": _("Nearer needs took the stock that could reach it."),
        "shared_with_equal_priority": _("Shared with needs just as urgent."),
    }.get(reason.get("code", ""), "")


def stale(plan: DeliveryPlan, now: datetime.datetime | None = None) -> bool:
    """A proposal older than an hour was made on stock that has likely moved."""
    now = now or timezone.now()
    return now - plan.created_at > datetime.timedelta(hours=1)


def needs_of(plan: DeliveryPlan) -> dict[int, Need]:
    ids = {ln["need"] for t in plan.trips for ln in t["lines"]} | {u["need"] for u in plan.unmet}
    return {n.pk: n for n in Need.objects.filter(Q(pk__in=ids)).select_related("place", "item")}
