"""The stock ledger. Moves are appended, levels follow in the same transaction.

A level never goes below zero: taking more than a place holds is refused with a message
that says how much is there. Taking without naming a lot takes the earliest expiry first
(FEFO), so nothing spoils on the shelf while fresher stock is handed out.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.aid.models import Delivery, Item, Pledge, StockLevel, StockMove, lot_key
from hromada.aid.permissions import may_manage_stock_at
from hromada.core.models import Place
from hromada.lib.crashpoints import crashpoint

# Levels within this many days of their expiry are flagged and used first.
EXPIRY_WARNING_DAYS = 7


def timedelta_warning() -> datetime.timedelta:
    return datetime.timedelta(days=EXPIRY_WARNING_DAYS)


def fefo_key(level: StockLevel) -> tuple[bool, datetime.date, str, int]:
    """The order lots are used in: earliest expiry first, lots that never expire last."""
    return (level.expires_on is None, level.expires_on or datetime.date.max, level.batch, level.pk)


def _locked_levels(place: Place, item: Item) -> list[StockLevel]:
    levels = StockLevel.objects.filter(place=place, item=item, quantity__gt=0)
    if connection.features.has_select_for_update:
        # PostgreSQL: two takers of the same stock queue here; SQLite's IMMEDIATE
        # transactions already serialise writers.
        levels = levels.select_for_update()
    return sorted(levels, key=fefo_key)


def on_hand(place: Place, item: Item) -> Decimal:
    levels = StockLevel.objects.filter(place=place, item=item)
    return sum((level.quantity for level in levels), Decimal(0))


def _add(
    place: Place, item: Item, batch: str, expires_on: datetime.date | None, quantity: Decimal
) -> None:
    level, _created = StockLevel.objects.get_or_create(
        place=place,
        item=item,
        lot=lot_key(batch, expires_on),
        defaults={"batch": batch, "expires_on": expires_on},
    )
    StockLevel.objects.filter(pk=level.pk).update(quantity=F("quantity") + quantity)


def _take(
    place: Place,
    item: Item,
    quantity: Decimal,
    *,
    batch: str | None,
    expires_on: datetime.date | None,
) -> list[tuple[str, datetime.date | None, Decimal]]:
    """Take ``quantity`` from ``place``: from the named lot, or earliest expiry first."""
    levels = _locked_levels(place, item)
    if batch is not None or expires_on is not None:
        key = lot_key(batch or "", expires_on)
        levels = [level for level in levels if level.lot == key]
    held = sum((level.quantity for level in levels), Decimal(0))
    if held < quantity:
        raise ValidationError(
            {
                "quantity": [
                    _(
                        "Only %(held)s %(unit)s of %(item)s at %(place)s: the stock cannot go below zero."
                    )
                    % {
                        "held": f"{held:f}".rstrip("0").rstrip(".") or "0",
                        "unit": item.get_unit_display(),
                        "item": item.name,
                        "place": place.name,
                    }
                ]
            }
        )
    taken = []
    remaining = quantity
    for level in levels:
        if remaining <= 0:
            break
        portion = min(level.quantity, remaining)
        StockLevel.objects.filter(pk=level.pk).update(quantity=F("quantity") - portion)
        taken.append((level.batch, level.expires_on, portion))
        remaining -= portion
    return taken


def move(
    actor: Any,
    *,
    item: Item,
    quantity: Decimal,
    reason: str,
    from_place: Place | None = None,
    to_place: Place | None = None,
    batch: str | None = None,
    expires_on: datetime.date | None = None,
    note: str = "",
    pledge: Pledge | None = None,
    delivery: Delivery | None = None,
    corrects: StockMove | None = None,
) -> list[StockMove]:
    """Append the moves for one movement of goods and update the levels. Checks no permission:
    the public services below do, and deliveries check their own."""
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": [_("The quantity must be more than zero.")]})
    if from_place is None and to_place is None:
        raise ValidationError(_("A move needs a place it leaves or a place it reaches."))
    if from_place is not None and to_place is not None and from_place.pk == to_place.pk:
        raise ValidationError(
            {"to_place": [_("Goods cannot move to the place they are already at.")]}
        )
    if reason not in StockMove.Reason.values:
        raise ValidationError({"reason": [_("Unknown reason.")]})
    with transaction.atomic():
        if from_place is not None:
            lots = _take(from_place, item, quantity, batch=batch, expires_on=expires_on)
        else:
            if item.perishable and expires_on is None:
                raise ValidationError(
                    {
                        "expires_on": [
                            _("%(item)s spoils: give its expiry date.") % {"item": item.name}
                        ]
                    }
                )
            lots = [(batch or "", expires_on, quantity)]
        moves = []
        now = timezone.now()
        for lot_batch, lot_expiry, portion in lots:
            if to_place is not None:
                _add(to_place, item, lot_batch, lot_expiry, portion)
            crashpoint("aid.stock.move")  # levels changed, the ledger's move not yet written
            moves.append(
                StockMove.objects.create(
                    item=item,
                    quantity=portion,
                    from_place=from_place,
                    to_place=to_place,
                    reason=reason,
                    batch=lot_batch,
                    expires_on=lot_expiry,
                    actor=actor if getattr(actor, "pk", None) else None,
                    at=now,
                    note=note[:300],
                    pledge=pledge,
                    delivery=delivery,
                    corrects=corrects,
                )
            )
        return moves


def _require(actor: Any, place: Place) -> None:
    if not may_manage_stock_at(actor, place):
        raise PermissionDenied(
            _("Only coordinators of %(org)s may change the stock at %(place)s.")
            % {"org": place.organization, "place": place.name}
        )


def receive_stock(
    actor: Any,
    *,
    place: Place,
    item: Item,
    quantity: Decimal,
    reason: str = StockMove.Reason.DONATION,
    batch: str = "",
    expires_on: datetime.date | None = None,
    note: str = "",
) -> list[StockMove]:
    """Goods arrive at a place from outside: a donation or a purchase."""
    _require(actor, place)
    if reason not in (StockMove.Reason.DONATION, StockMove.Reason.PURCHASE):
        raise ValidationError({"reason": [_("Goods arrive as a donation or a purchase.")]})
    return move(
        actor,
        item=item,
        quantity=quantity,
        reason=reason,
        to_place=place,
        batch=batch,
        expires_on=expires_on,
        note=note,
    )


def transfer_stock(
    actor: Any,
    *,
    from_place: Place,
    to_place: Place,
    item: Item,
    quantity: Decimal,
    batch: str | None = None,
    expires_on: datetime.date | None = None,
    note: str = "",
) -> list[StockMove]:
    """Move goods between two places, without a driver's run (both sides at once)."""
    _require(actor, from_place)
    return move(
        actor,
        item=item,
        quantity=quantity,
        reason=StockMove.Reason.TRANSFER,
        from_place=from_place,
        to_place=to_place,
        batch=batch,
        expires_on=expires_on,
        note=note,
    )


def issue_stock(
    actor: Any,
    *,
    place: Place,
    item: Item,
    quantity: Decimal,
    reason: str = StockMove.Reason.DISTRIBUTION,
    batch: str | None = None,
    expires_on: datetime.date | None = None,
    note: str = "",
) -> list[StockMove]:
    """Goods leave a place for good: handed out to people, or spoiled."""
    _require(actor, place)
    if reason not in (StockMove.Reason.DISTRIBUTION, StockMove.Reason.SPOILAGE):
        raise ValidationError({"reason": [_("Goods leave as a distribution or as spoilage.")]})
    if reason == StockMove.Reason.SPOILAGE and not note.strip():
        raise ValidationError({"note": [_("Say what spoiled and why.")]})
    return move(
        actor,
        item=item,
        quantity=quantity,
        reason=reason,
        from_place=place,
        batch=batch,
        expires_on=expires_on,
        note=note,
    )


def count_stock(
    actor: Any,
    *,
    place: Place,
    item: Item,
    counted: Decimal,
    batch: str = "",
    expires_on: datetime.date | None = None,
    note: str = "",
) -> list[StockMove]:
    """A stock count found ``counted`` of one lot: record the difference as a correction."""
    _require(actor, place)
    if counted is None or counted < 0:
        raise ValidationError({"counted": [_("A count cannot be negative.")]})
    with transaction.atomic():
        level = StockLevel.objects.filter(
            place=place, item=item, lot=lot_key(batch, expires_on)
        ).first()
        held = level.quantity if level else Decimal(0)
        note = note or _("Stock count: %(counted)s") % {"counted": counted}
        if counted > held:
            return move(
                actor,
                item=item,
                quantity=counted - held,
                reason=StockMove.Reason.CORRECTION,
                to_place=place,
                batch=batch,
                expires_on=expires_on,
                note=note,
            )
        if counted < held:
            return move(
                actor,
                item=item,
                quantity=held - counted,
                reason=StockMove.Reason.CORRECTION,
                from_place=place,
                batch=batch,
                expires_on=expires_on,
                note=note,
            )
        return []


def reverse_move(actor: Any, original: StockMove, *, note: str) -> list[StockMove]:
    """Undo a mistaken move with its mirror image (the original stays in the ledger)."""
    for place in (original.from_place, original.to_place):
        if place is not None:
            _require(actor, place)
    if not note.strip():
        raise ValidationError({"note": [_("Say why the move is corrected.")]})
    return move(
        actor,
        item=original.item,
        quantity=original.quantity,
        reason=StockMove.Reason.CORRECTION,
        from_place=original.to_place,
        to_place=original.from_place,
        batch=original.batch,
        expires_on=original.expires_on,
        note=note,
        corrects=original,
    )


def expiring(
    levels: QuerySet[StockLevel], today: datetime.date | None = None
) -> QuerySet[StockLevel]:
    today = today or timezone.localdate()
    return levels.filter(
        quantity__gt=0, expires_on__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    )


@dataclass(frozen=True)
class Drift:
    place_id: int
    item_id: int
    lot: str
    cached: Decimal
    derived: Decimal


def derived_levels() -> dict[tuple[int, int, str], Decimal]:
    """Levels computed from the moves alone."""
    totals: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    rows = StockMove.objects.values_list(
        "item_id", "from_place_id", "to_place_id", "batch", "expires_on", "quantity"
    )
    for item_id, from_id, to_id, batch, expires_on, quantity in rows.iterator():
        lot = lot_key(batch, expires_on)
        if from_id is not None:
            totals[(from_id, item_id, lot)] -= quantity
        if to_id is not None:
            totals[(to_id, item_id, lot)] += quantity
    return totals


@transaction.atomic
def check_levels(*, repair: bool = False) -> list[Drift]:
    """Compare the cached levels with the moves; with ``repair``, set the cache from the moves."""
    derived = derived_levels()
    cached = {(lv.place_id, lv.item_id, lv.lot): lv for lv in StockLevel.objects.all()}
    drifts = []
    for key in set(derived) | set(cached):
        want = derived.get(key, Decimal(0))
        level = cached.get(key)
        have = level.quantity if level else Decimal(0)
        if want != have:
            drifts.append(Drift(key[0], key[1], key[2], have, want))
            if repair:
                batch, _sep, expiry = key[2].partition("|")
                StockLevel.objects.update_or_create(
                    place_id=key[0],
                    item_id=key[1],
                    lot=key[2],
                    defaults={
                        "quantity": want,
                        "batch": batch,
                        "expires_on": datetime.date.fromisoformat(expiry) if expiry else None,
                    },
                )
    return drifts
