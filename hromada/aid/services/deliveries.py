"""Deliveries: planned at a hub, claimed by a driver, picked up, delivered, confirmed.

Stock leaves the hub when the driver picks up, and reaches the place when they deliver;
whatever does not arrive (a failed run, a short delivery) goes back to the hub. Claims do not
rot: a claim not picked up in time is released for another driver, and nobody may hold more
than a few claims they have not moved.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

from hromada.aid.models import Delivery, DeliveryLine, Item, Need, StockMove
from hromada.aid.permissions import may_dispatch, may_drive, may_manage_stock_at, may_receive
from hromada.aid.services import stock
from hromada.aid.services.needs import add_coverage
from hromada.core.idempotency import create_once
from hromada.core.models import Place
from hromada.core.notifications import notify
from hromada.lib.crashpoints import crashpoint
from hromada.lib.errors import Conflict

# How long a claim may sit before the delivery goes back to the pool, and how many claimed
# but unmoved deliveries one driver may hold.
CLAIM_MINUTES = getattr(settings, "DELIVERY_CLAIM_MINUTES", 120)
MAX_OPEN_CLAIMS = getattr(settings, "DELIVERY_MAX_OPEN_CLAIMS", 3)
PHOTO_MAX_PIXELS = 1600


@dataclass(frozen=True)
class LineIn:
    item: Item
    quantity: Decimal
    need: Need | None = None
    reason: dict[str, Any] | None = None


def reserved(hub: Place, item: Item, *, excluding: Delivery | None = None) -> Decimal:
    """Stock at ``hub`` promised to deliveries that have not left yet."""
    lines = DeliveryLine.objects.filter(
        delivery__from_place=hub,
        item=item,
        delivery__status__in=(Delivery.Status.PLANNED, Delivery.Status.CLAIMED),
    )
    if excluding is not None:
        lines = lines.exclude(delivery=excluding)
    return lines.aggregate(total=Sum("quantity"))["total"] or Decimal(0)


def free_stock(hub: Place, item: Item) -> Decimal:
    return stock.on_hand(hub, item) - reserved(hub, item)


def plan_delivery(
    actor: Any,
    *,
    from_place: Place,
    to_place: Place,
    lines: list[LineIn],
    planned_for: datetime.date | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> tuple[Delivery, bool]:
    """A hub's coordinator plans a run; each line must fit the hub's free stock."""
    if not may_manage_stock_at(actor, from_place):
        raise PermissionDenied(
            _("Only coordinators of %(org)s may plan deliveries from %(place)s.")
            % {"org": from_place.organization, "place": from_place.name}
        )
    if from_place.pk == to_place.pk:
        raise ValidationError({"to_place": [_("A delivery goes to another place.")]})
    if not lines:
        raise ValidationError({"lines": [_("Add at least one line.")]})

    def create() -> Delivery:
        errors = []
        wanted: dict[int, Decimal] = {}
        for line in lines:
            if line.quantity is None or line.quantity <= 0:
                errors.append(
                    _("%(item)s: the quantity must be more than zero.") % {"item": line.item.name}
                )
            if line.need is not None and (
                line.need.place_id != to_place.pk or not line.need.is_open
            ):
                errors.append(
                    _("%(item)s: the need is not an open need of %(place)s.")
                    % {"item": line.item.name, "place": to_place.name}
                )
            wanted[line.item.pk] = wanted.get(line.item.pk, Decimal(0)) + (line.quantity or 0)
        for line in {ln.item.pk: ln for ln in lines}.values():
            free = free_stock(from_place, line.item)
            if wanted[line.item.pk] > free:
                errors.append(
                    _("%(item)s: only %(free)s %(unit)s free at %(place)s.")
                    % {
                        "item": line.item.name,
                        "free": f"{max(free, Decimal(0)):f}".rstrip("0").rstrip(".") or "0",
                        "unit": line.item.get_unit_display(),
                        "place": from_place.name,
                    }
                )
        if errors:
            raise ValidationError({"lines": errors})
        delivery = Delivery.objects.create(
            from_place=from_place,
            to_place=to_place,
            planned_for=planned_for,
            note=note.strip()[:500],
            created_by=actor,
        )
        DeliveryLine.objects.bulk_create(
            DeliveryLine(
                delivery=delivery,
                item=ln.item,
                quantity=ln.quantity,
                need=ln.need,
                reason=ln.reason or {},
            )
            for ln in lines
        )
        return delivery

    with transaction.atomic():
        return create_once(
            scope="aid.delivery.plan",
            key=idempotency_key,
            actor=actor,
            model=Delivery,
            create=create,
        )


def _stale_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(minutes=CLAIM_MINUTES)


def _tell_driver(driver: Any, delivery: Delivery, event: str, subject: str, body: str) -> None:
    with translation.override(getattr(driver, "language", "") or "uk"):
        notify(
            subject=_(subject),
            body=_(body) % {"id": delivery.pk, "to": delivery.to_place.name},
            recipient=driver,
            dedupe_key=f"delivery:{delivery.pk}:{event}:{driver.pk}:{delivery.claimed_at}",
        )


@transaction.atomic
def claim_delivery(driver: Any, delivery: Delivery) -> Delivery:
    """A driver takes a delivery. Of two drivers pressing at the same moment, exactly one wins."""
    if not may_drive(driver, delivery):
        raise PermissionDenied(
            _("Only volunteers of %(org)s drive its deliveries.")
            % {"org": delivery.from_place.organization}
        )
    now = timezone.now()
    holding = Delivery.objects.filter(
        driver=driver, status=Delivery.Status.CLAIMED, claimed_at__gte=_stale_before(now)
    ).exclude(pk=delivery.pk)
    if holding.count() >= MAX_OPEN_CLAIMS:
        raise ValidationError(
            _(
                "You hold %(n)s deliveries you have not picked up yet: move them before you claim more."
            )
            % {"n": holding.count()}
        )
    previous = Delivery.objects.filter(pk=delivery.pk).values_list("driver_id", flat=True).first()
    # The conditional update is the lock: only one claimant's UPDATE matches the row.
    claimable = Q(status=Delivery.Status.PLANNED) | Q(
        status=Delivery.Status.CLAIMED, claimed_at__lt=_stale_before(now)
    )
    won = Delivery.objects.filter(claimable, pk=delivery.pk).update(
        status=Delivery.Status.CLAIMED, driver=driver, claimed_at=now, updated_at=now
    )
    if not won:
        delivery.refresh_from_db()
        if delivery.driver_id == driver.pk and delivery.status == Delivery.Status.CLAIMED:
            return delivery  # a double tap: it is already theirs
        raise Conflict(_("Someone else has just claimed this delivery. Choose another one."))
    if previous and previous != driver.pk:
        _release_notice(delivery, previous)
    delivery.refresh_from_db()
    return delivery


def _release_notice(delivery: Delivery, driver_id: int) -> None:
    from django.contrib.auth import get_user_model

    driver = get_user_model().objects.filter(pk=driver_id).first()
    if driver is not None:
        _tell_driver(
            driver,
            delivery,
            "released",
            gettext_noop("Delivery released"),
            gettext_noop(
                "Delivery #%(id)s to %(to)s went back to the pool: it was not picked up in time."
            ),
        )


def release_stale_claims(now: datetime.datetime | None = None) -> int:
    """Return claims that sat too long to the pool and tell their drivers. Periodic."""
    now = now or timezone.now()
    released = 0
    stale = Delivery.objects.filter(
        status=Delivery.Status.CLAIMED, claimed_at__lt=_stale_before(now)
    )
    for delivery in stale.select_related("to_place"):
        with transaction.atomic():
            if Delivery.objects.filter(
                pk=delivery.pk, status=Delivery.Status.CLAIMED, claimed_at=delivery.claimed_at
            ).update(status=Delivery.Status.PLANNED, driver=None, claimed_at=None, updated_at=now):
                _release_notice(delivery, delivery.driver_id)  # type: ignore[arg-type]
                released += 1
    return released


@transaction.atomic
def unclaim_delivery(driver: Any, delivery: Delivery) -> Delivery:
    """The driver cannot go after all: the delivery goes back to the pool."""
    if delivery.driver_id != driver.pk or delivery.status != Delivery.Status.CLAIMED:
        raise ValidationError(
            _("Only a delivery you have claimed and not picked up can be given back.")
        )
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.CLAIMED, driver=driver).update(
        status=Delivery.Status.PLANNED, driver=None, claimed_at=None, updated_at=timezone.now()
    )
    delivery.refresh_from_db()
    return delivery


def _lock(delivery: Delivery, *allowed: str) -> Delivery:
    """Reload the delivery inside the transaction, and refuse a step out of order."""
    fresh = (
        Delivery.objects.select_for_update()
        .select_related("from_place__organization", "to_place")
        .get(pk=delivery.pk)
    )
    if fresh.status not in allowed:
        raise ValidationError(
            _("This delivery is %(status)s: this step does not apply.")
            % {"status": fresh.get_status_display().lower()}
        )
    return fresh


@transaction.atomic
def pick_up(driver: Any, delivery: Delivery) -> Delivery:
    """The driver loads the goods: they leave the hub's stock now."""
    delivery = _lock(delivery, Delivery.Status.CLAIMED)
    if delivery.driver_id != driver.pk:
        raise PermissionDenied(_("This delivery is claimed by another driver."))
    for line in delivery.lines.select_related("item"):
        stock.move(
            driver,
            item=line.item,
            quantity=line.quantity,
            reason=StockMove.Reason.DELIVERY,
            from_place=delivery.from_place,
            delivery=delivery,
        )
        line.quantity_picked = line.quantity
        line.save(update_fields=["quantity_picked"])
    delivery.status = Delivery.Status.PICKED_UP
    delivery.picked_up_at = timezone.now()
    delivery.save()
    return delivery


def _return_to_hub(
    actor: Any, delivery: Delivery, line: DeliveryLine, quantity: Decimal, note: str
) -> None:
    """Put goods that did not arrive back on the hub's shelf, lot by lot as they left."""
    remaining = quantity
    for out in delivery.moves.filter(item=line.item, from_place=delivery.from_place).order_by("pk"):
        if remaining <= 0:
            break
        portion = min(out.quantity, remaining)
        stock.move(
            actor,
            item=line.item,
            quantity=portion,
            reason=StockMove.Reason.DELIVERY,
            to_place=delivery.from_place,
            batch=out.batch,
            expires_on=out.expires_on,
            delivery=delivery,
            note=note,
        )
        remaining -= portion


def _arrive(actor: Any, delivery: Delivery, line: DeliveryLine, quantity: Decimal) -> None:
    """Goods reach the place, lot by lot as they left the hub."""
    remaining = quantity
    for out in delivery.moves.filter(item=line.item, from_place=delivery.from_place).order_by("pk"):
        if remaining <= 0:
            break
        portion = min(out.quantity, remaining)
        stock.move(
            actor,
            item=line.item,
            quantity=portion,
            reason=StockMove.Reason.DELIVERY,
            to_place=delivery.to_place,
            batch=out.batch,
            expires_on=out.expires_on,
            delivery=delivery,
        )
        remaining -= portion


def _shrunk_photo(upload: Any) -> ContentFile:
    """A phone photo made small (and stripped of its GPS and other metadata) before it is kept."""
    if upload.size > 15 * 1024 * 1024:
        raise ValidationError({"photo": [_("The photo is larger than 15 MB.")]})
    try:
        Image.open(upload).verify()
        upload.seek(0)
        image: Image.Image = ImageOps.exif_transpose(Image.open(upload))
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError({"photo": [_("This file is not a photo we can read.")]}) from None
    image = image.convert("RGB")
    image.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
    out = io.BytesIO()
    image.save(
        out, format="JPEG", quality=80, optimize=True
    )  # no exif= argument: metadata is dropped
    return ContentFile(out.getvalue(), name="delivery.jpg")


@transaction.atomic
def mark_delivered(
    driver: Any,
    delivery: Delivery,
    *,
    recipient_name: str,
    received: dict[int, Decimal] | None = None,
    photo: Any = None,
) -> Delivery:
    """The goods are handed over. ``received`` (line id -> quantity) defaults to all that left
    the hub; what did not arrive goes back to the hub, and what arrived counts towards the needs."""
    delivery = _lock(delivery, Delivery.Status.PICKED_UP)
    if delivery.driver_id != driver.pk:
        raise PermissionDenied(_("This delivery is claimed by another driver."))
    if not recipient_name.strip():
        raise ValidationError(
            {"recipient_name": [_("Write the name of the person who took the goods.")]}
        )
    received = received or {}
    lines = list(delivery.lines.select_related("item", "need"))
    errors = []
    for line in lines:
        got = received.get(line.pk, line.quantity_picked or line.quantity)
        if got is None or got < 0 or got > (line.quantity_picked or 0):
            errors.append(
                _("%(item)s: between 0 and %(max)s.")
                % {"item": line.item.name, "max": line.quantity_picked}
            )
    if errors:
        raise ValidationError({"received": errors})
    if photo:
        delivery.photo.save(f"delivery-{delivery.pk}.jpg", _shrunk_photo(photo), save=False)
    for line in lines:
        got = received.get(line.pk, line.quantity_picked or line.quantity)
        if got:
            _arrive(driver, delivery, line, got)
        short = (line.quantity_picked or Decimal(0)) - got
        if short > 0:
            _return_to_hub(driver, delivery, line, short, _("Not delivered: back to the hub"))
        line.quantity_delivered = got
        line.save(update_fields=["quantity_delivered"])
        if line.need is not None and got:
            add_coverage(line.need, got)
    crashpoint("aid.delivery.delivered")  # goods arrived and needs covered; status not yet
    delivery.status = Delivery.Status.DELIVERED
    delivery.delivered_at = timezone.now()
    delivery.recipient_name = recipient_name.strip()[:200]
    delivery.save()
    return delivery


@transaction.atomic
def confirm_delivery(actor: Any, delivery: Delivery) -> Delivery:
    """The receiving site confirms what arrived."""
    delivery = _lock(delivery, Delivery.Status.DELIVERED)
    if not may_receive(actor, delivery):
        raise PermissionDenied(
            _("Only coordinators of %(place)s confirm what it received.")
            % {"place": delivery.to_place.name}
        )
    delivery.status = Delivery.Status.CONFIRMED
    delivery.confirmed_by, delivery.confirmed_at = actor, timezone.now()
    delivery.save()
    return delivery


@transaction.atomic
def fail_delivery(actor: Any, delivery: Delivery, *, reason: str) -> Delivery:
    """The run did not reach the place: whatever was loaded goes back to the hub."""
    delivery = _lock(delivery, Delivery.Status.CLAIMED, Delivery.Status.PICKED_UP)
    if delivery.driver_id != getattr(actor, "pk", None) and not may_dispatch(actor, delivery):
        raise PermissionDenied(
            _("Only the driver or the hub's coordinators may report a failed run.")
        )
    if not reason.strip():
        raise ValidationError({"failure_reason": [_("Say what went wrong.")]})
    _unload(actor, delivery, _("Failed run: back to the hub"))
    delivery.status = Delivery.Status.FAILED
    delivery.failure_reason = reason.strip()[:300]
    delivery.save()
    return delivery


@transaction.atomic
def cancel_delivery(actor: Any, delivery: Delivery, *, reason: str = "") -> Delivery:
    """The hub calls a run off; loaded goods go back to the hub."""
    delivery = _lock(delivery, *Delivery.ACTIVE_STATUSES)
    if not may_dispatch(actor, delivery):
        raise PermissionDenied(_("Only the hub's coordinators may cancel a delivery."))
    _unload(actor, delivery, _("Cancelled: back to the hub"))
    delivery.status = Delivery.Status.CANCELLED
    delivery.failure_reason = reason.strip()[:300]
    delivery.save()
    return delivery


STEPS = ("claim", "unclaim", "pick_up", "deliver", "confirm", "fail", "cancel")


def take_step(
    actor: Any,
    delivery: Delivery,
    step: str,
    *,
    recipient_name: str = "",
    received: dict[int, Decimal] | None = None,
    photo: Any = None,
    reason: str = "",
) -> Delivery:
    """One of ``STEPS`` by its name, as the pages' buttons and the API's paths give it."""
    if step == "claim":
        return claim_delivery(actor, delivery)
    if step == "unclaim":
        return unclaim_delivery(actor, delivery)
    if step == "pick_up":
        return pick_up(actor, delivery)
    if step == "deliver":
        return mark_delivered(
            actor, delivery, recipient_name=recipient_name, received=received, photo=photo
        )
    if step == "confirm":
        return confirm_delivery(actor, delivery)
    if step == "fail":
        return fail_delivery(actor, delivery, reason=reason)
    if step == "cancel":
        return cancel_delivery(actor, delivery, reason=reason)
    raise ValueError(f"unknown delivery step {step!r}")


def _unload(actor: Any, delivery: Delivery, note: str) -> None:
    if delivery.status != Delivery.Status.PICKED_UP:
        return
    for line in delivery.lines.select_related("item"):
        if line.quantity_picked:
            _return_to_hub(actor, delivery, line, line.quantity_picked, note)


def in_transit(delivery: Delivery) -> dict[int, Decimal]:
    """Per item, what left the hub for this delivery and has not arrived or come back."""
    totals: dict[int, Decimal] = {}
    for move in delivery.moves.all():
        sign = -1 if move.to_place_id is not None else 1
        totals[move.item_id] = totals.get(move.item_id, Decimal(0)) + sign * move.quantity
    return {item: qty for item, qty in totals.items() if qty}
