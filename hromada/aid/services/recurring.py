"""Recurring needs: one template, one need per period, and no unmet day silently dropped."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.aid.models import Need, RecurringNeed
from hromada.aid.permissions import may_manage_needs_at
from hromada.core.idempotency import create_once

# Needs appear this many days ahead (tomorrow morning's bread is on the board tonight), and
# after a long stop of the worker, missed days are made up for at most this far back.
LEAD_DAYS = 1
CATCH_UP_DAYS = 31


def create_recurring_need(
    actor: Any, *, idempotency_key: str | None = None, **fields: Any
) -> tuple[RecurringNeed, bool]:
    place = fields["place"]
    if not may_manage_needs_at(actor, place):
        raise PermissionDenied(
            _("Only coordinators of %(org)s may post or change its needs.")
            % {"org": place.organization}
        )

    def create() -> RecurringNeed:
        template = RecurringNeed(created_by=actor, **fields)
        errors: dict[str, list[str]] = {}
        if template.item_id is None and not template.title.strip():
            errors["item"] = [_("Choose an item from the catalogue or describe what is needed.")]
        if template.item_id is not None and not template.unit:
            template.unit = template.item.unit  # type: ignore[union-attr]
        if template.every == RecurringNeed.Every.WEEK and template.weekday is None:
            errors["weekday"] = [_("Choose the day of the week.")]
        if template.weekday is not None and not 0 <= template.weekday <= 6:
            errors["weekday"] = [_("Choose the day of the week.")]
        if template.ends_on and template.ends_on < template.starts_on:
            errors["ends_on"] = [_("The end comes before the start.")]
        try:
            template.full_clean(exclude=["created_by", *errors])
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        template.save()
        spawn_for(template, timezone.localdate())
        return template

    with transaction.atomic():
        return create_once(
            scope="aid.recurring.create",
            key=idempotency_key,
            actor=actor,
            model=RecurringNeed,
            create=create,
        )


def spawn_for(template: RecurringNeed, today: datetime.date) -> int:
    """Post the template's needs up to ``today`` + LEAD_DAYS that do not exist yet."""
    if not template.is_active:
        return 0
    window_start = today - datetime.timedelta(days=CATCH_UP_DAYS)
    have = set(template.instances.values_list("occurrence", flat=True))
    made = 0
    for day in template.occurrences(today + datetime.timedelta(days=LEAD_DAYS)):
        if day < window_start or day in have:
            continue
        try:
            with transaction.atomic():
                Need.objects.create(
                    place=template.place,
                    item=template.item,
                    title=template.title,
                    quantity=template.quantity,
                    unit=template.unit,
                    priority=template.priority,
                    needed_by=day,
                    note=template.note,
                    visibility=template.visibility,
                    created_by=template.created_by,
                    recurrence=template,
                    occurrence=day,
                )
        except IntegrityError:  # another worker posted this day's need first
            continue
        made += 1
    return made


def spawn_recurring_needs(today: datetime.date | None = None) -> int:
    """Post every active template's due needs. Periodic; safe to run any number of times."""
    today = today or timezone.localdate()
    templates = RecurringNeed.objects.filter(
        is_active=True, starts_on__lte=today + datetime.timedelta(days=LEAD_DAYS)
    )
    return sum(spawn_for(t, today) for t in templates.select_related("place", "item"))


@transaction.atomic
def stop_recurring_need(actor: Any, template: RecurringNeed) -> RecurringNeed:
    """Stop posting new needs; the ones already posted stay until met or closed."""
    if not may_manage_needs_at(actor, template.place):
        raise PermissionDenied(
            _("Only coordinators of %(org)s may post or change its needs.")
            % {"org": template.place.organization}
        )
    template.is_active = False
    template.save(update_fields=["is_active"])
    return template
