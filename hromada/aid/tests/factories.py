from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from hromada.aid.models import Item, Need, Priority
from hromada.core.models import Place, Sensitivity
from hromada.core.tests.factories import make_place


def item(code: str = "bread") -> Item:
    """An item from the seeded catalogue."""
    return Item.objects.get(code=code)


def make_need(*, place: Place | None = None, **overrides: Any) -> Need:
    chosen = overrides.pop("item", None) or (None if "title" in overrides else item())
    fields: dict[str, Any] = {
        "place": place or make_place(),
        "item": chosen,
        "quantity": Decimal(100),
        "unit": chosen.unit if chosen else "piece",
        "priority": Priority.NORMAL,
        "needed_by": timezone.localdate() + datetime.timedelta(days=3),
        "visibility": Sensitivity.PUBLIC,
    }
    fields.update(overrides)
    return Need.objects.create(**fields)


def stock_up(
    place: Place,
    code: str,
    quantity: int | str,
    *,
    expires_on: datetime.date | None = None,
    batch: str = "",
) -> None:
    """Put goods on a place's shelf directly (a donation), for tests that need stock."""
    from hromada.aid.models import StockMove
    from hromada.aid.services import stock

    chosen = item(code)
    if chosen.perishable and expires_on is None:
        expires_on = timezone.localdate() + datetime.timedelta(days=30)
    stock.move(
        None,
        item=chosen,
        quantity=Decimal(quantity),
        reason=StockMove.Reason.DONATION,
        to_place=place,
        batch=batch,
        expires_on=expires_on,
    )
