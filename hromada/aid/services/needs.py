"""Every rule about needs. Pages, the API, the bot and tasks change needs only through here."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.aid.models import Item, Need
from hromada.aid.permissions import may_manage_needs_at
from hromada.core.idempotency import create_once
from hromada.core.models import Place, Sensitivity
from hromada.lib import pagecache

EDITABLE = {
    "place",
    "item",
    "title",
    "quantity",
    "quantity_covered",
    "unit",
    "priority",
    "needed_by",
    "note",
    "visibility",
}


def _require_manager(actor: Any, place: Place) -> None:
    if not may_manage_needs_at(actor, place):
        raise PermissionDenied(
            _("Only coordinators of %(org)s may post or change its needs.")
            % {"org": place.organization}
        )


def _validate(need: Need, *, date_changed: bool) -> None:
    """Check a need before it is saved; all problems at once, keyed by field."""
    errors: dict[str, list[str]] = {}
    item = need.item if need.item_id else None
    if item is None and not need.title.strip():
        errors.setdefault("item", []).append(
            _("Choose an item from the catalogue or describe what is needed.")
        )
    if item is not None and not item.is_active:
        errors.setdefault("item", []).append(_("This item is no longer in the catalogue."))
    if not need.unit and item is not None:
        need.unit = item.unit
    if date_changed and need.needed_by is not None and need.needed_by < timezone.localdate():
        errors.setdefault("needed_by", []).append(_("This date is in the past."))
    try:
        need.full_clean(exclude=["created_by", *errors])
    except ValidationError as e:
        for field, messages in e.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_need(
    actor: Any,
    *,
    place: Place,
    quantity: Decimal,
    item: Item | None = None,
    title: str = "",
    unit: str = "",
    priority: str = "normal",
    needed_by: datetime.date | None = None,
    note: str = "",
    visibility: str = Sensitivity.PUBLIC,
    idempotency_key: str | None = None,
) -> tuple[Need, bool]:
    """Post a need at a place the actor coordinates. Returns (need, created).

    With an idempotency key, a replay returns the need the first request made.
    """
    _require_manager(actor, place)

    def create() -> Need:
        need = Need(
            place=place,
            item=item,
            title=title.strip(),
            quantity=quantity,
            unit=unit,
            priority=priority,
            needed_by=needed_by,
            note=note.strip(),
            visibility=visibility,
            created_by=actor if actor.is_authenticated else None,
        )
        _validate(need, date_changed=True)
        need.save()
        return need

    return create_once(
        scope="aid.need.create", key=idempotency_key, actor=actor, model=Need, create=create
    )


@transaction.atomic
def update_need(actor: Any, need: Need, **changes: Any) -> Need:
    """Change an open need. Moving it to another place needs rights there too."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _require_manager(actor, need.place)
    if not need.is_open:
        raise ValidationError(_("This need is closed. Post a new need instead."))
    if "place" in changes and changes["place"] != need.place:
        _require_manager(actor, changes["place"])
    date_changed = "needed_by" in changes and changes["needed_by"] != need.needed_by
    for field, value in changes.items():
        setattr(need, field, value.strip() if isinstance(value, str) else value)
    if "item" in changes and "unit" not in changes and need.item is not None:
        need.unit = need.item.unit
    need.status = need.status_for_coverage()
    if need.status == Need.Status.COVERED:
        need.closed_at = timezone.now()
    _validate(need, date_changed=date_changed)
    need.save()
    return need


@transaction.atomic
def close_need(actor: Any, need: Need, *, status: str) -> Need:
    """Mark a need covered or cancelled. Closing twice is harmless."""
    _require_manager(actor, need.place)
    if status not in Need.CLOSING_STATUSES:
        raise ValidationError({"status": [_("A need is closed as covered or cancelled.")]})
    if need.status == status:
        return need
    if not need.is_open:
        raise ValidationError({"status": [_("This need is already closed.")]})
    need.status = status
    if status == Need.Status.COVERED:
        need.quantity_covered = max(need.quantity_covered, need.quantity)
    need.closed_at = timezone.now()
    need.save()
    return need


def add_coverage(need: Need, quantity: Decimal) -> Need:
    """Goods for this need arrived: count them, and close the need once it is met."""
    Need.objects.filter(pk=need.pk).update(quantity_covered=F("quantity_covered") + quantity)
    pagecache.changed_on_commit("needs")  # update() sends no signal
    need.refresh_from_db(fields=["quantity_covered"])
    if need.is_open:
        need.status = need.status_for_coverage()
        if need.status == Need.Status.COVERED:
            need.closed_at = timezone.now()
        need.save(update_fields=["status", "closed_at", "updated_at"])
    return need


def expire_needs(today: datetime.date | None = None) -> int:
    """Mark open one-off needs whose date has passed as expired (an unmet instance of a
    recurring need stays open, overdue). Safe to run any number of times."""
    today = today or timezone.localdate()
    count = 0
    overdue = Need.objects.filter(
        status__in=Need.OPEN_STATUSES, needed_by__lt=today, recurrence__isnull=True
    )
    for need in overdue.iterator():
        with transaction.atomic():
            need.status = Need.Status.EXPIRED
            need.closed_at = timezone.now()
            need.save(update_fields=["status", "closed_at", "updated_at"])
            count += 1
    return count
