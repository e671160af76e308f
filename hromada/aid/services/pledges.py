"""Pledges: anyone offers goods; a coordinator accepts, declines, links or receives them.

The donor needs no account: their private link is a signature of the pledge's id (nothing
secret is stored), shown once and sent by e-mail when they give an address.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hromada.aid.models import Item, Need, Pledge, StockMove
from hromada.aid.permissions import may_handle_pledge, may_manage_stock_at, may_view_need
from hromada.aid.services import stock
from hromada.core import permissions, privacy
from hromada.core.idempotency import create_once
from hromada.core.models import Place
from hromada.core.notifications import notify
from hromada.lib import ratelimit

SALT = "hromada.aid.pledge.follow"


def follow_token(pledge: Pledge) -> str:
    return signing.Signer(salt=SALT).sign(str(pledge.pk))


def pledge_for_token(token: str) -> Pledge | None:
    try:
        pk = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Pledge.objects.select_related("item", "need__place", "hub").filter(pk=pk).first()


def follow_url(pledge: Pledge) -> str:
    return reverse("aid:pledge-follow", args=[follow_token(pledge)])


def _tell_donor(pledge: Pledge, event: str, subject: str, body: str, **params: Any) -> None:
    """E-mail the donor once per event, in the language they offered in (not the
    coordinator's). ``subject`` and ``body`` are msgids, translated here."""
    with translation.override(pledge.language or "uk"):
        notify(
            subject=_(subject),
            body=_(body) % {"what": pledge.label, "link": follow_url(pledge), **params},
            email=pledge.contact_email,
            recipient=pledge.donor,
            dedupe_key=f"pledge:{pledge.pk}:{event}",
        )


def _validate(pledge: Pledge) -> None:
    errors: dict[str, list[str]] = {}
    item = pledge.item if pledge.item_id else None
    if item is None and not pledge.title.strip():
        errors.setdefault("item", []).append(
            _("Choose an item from the catalogue or describe what you offer.")
        )
    if item is not None and not pledge.unit:
        pledge.unit = item.unit
    if not pledge.contact_phone.strip() and not pledge.contact_email.strip():
        errors.setdefault("contact_phone", []).append(
            _("Give a phone number or an e-mail, so a coordinator can reach you.")
        )
    if pledge.handover == Pledge.Handover.PICK_UP and not pledge.location.strip():
        errors.setdefault("location", []).append(_("Say where it can be collected."))
    today = timezone.localdate()
    if pledge.available_until and pledge.available_until < today:
        errors.setdefault("available_until", []).append(_("This date is in the past."))
    if (
        pledge.available_from
        and pledge.available_until
        and pledge.available_until < pledge.available_from
    ):
        errors.setdefault("available_until", []).append(_("The end comes before the start."))
    if item is not None and item.perishable and pledge.expires_on is None:
        errors.setdefault("expires_on", []).append(
            _("%(item)s spoils: give its best-before date.") % {"item": item.name}
        )
    if pledge.expires_on and pledge.expires_on < today:
        errors.setdefault("expires_on", []).append(_("This has already expired."))
    try:
        pledge.full_clean(exclude=["donor", "decided_by", *errors])
    except ValidationError as e:
        for field, messages in e.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def offer_pledge(
    actor: Any,
    *,
    quantity: Decimal,
    contact_name: str,
    item: Item | None = None,
    title: str = "",
    unit: str = "",
    need: Need | None = None,
    handover: str = Pledge.Handover.DROP_OFF,
    location: str = "",
    available_from: datetime.date | None = None,
    available_until: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    contact_phone: str = "",
    contact_email: str = "",
    note: str = "",
    idempotency_key: str | None = None,
    consent: bool = False,
    ip: str | None = None,
) -> tuple[Pledge, bool]:
    """Anyone offers goods, for a need they can see or in general. ``consent``: the donor agreed
    that their contact is kept (the form asks; see core.privacy.CONSENTS). A generous number
    an hour from one connection (``ip``; see ``hromada.lib.ratelimit``)."""
    ratelimit.check("pledge", actor=actor, ip=ip)
    if need is not None and not (may_view_need(actor, need) and need.is_open):
        raise ValidationError({"need": [_("This need is not open any more.")]})

    def create() -> Pledge:
        pledge = Pledge(
            item=item if item is not None else (need.item if need is not None else None),
            title=title.strip(),
            quantity=quantity,
            unit=unit,
            need=need,
            organization=need.place.organization if need is not None else None,
            handover=handover,
            location=location.strip(),
            available_from=available_from,
            available_until=available_until,
            expires_on=expires_on,
            donor=actor if actor.is_authenticated else None,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            contact_email=contact_email.strip(),
            note=note.strip(),
            language=translation.get_language() or "uk",
            **privacy.consent_fields("pledge_contact", consent),
        )
        _validate(pledge)
        pledge.save()
        _tell_donor(
            pledge,
            "offered",
            gettext_noop("Thank you: your offer is registered"),
            gettext_noop(
                "Thank you for offering %(what)s. A coordinator will contact you.\n"
                "Follow your offer here: %(link)s"
            ),
        )
        return pledge

    return create_once(
        scope="aid.pledge.offer", key=idempotency_key, actor=actor, model=Pledge, create=create
    )


def _require_open(pledge: Pledge) -> None:
    if not pledge.is_open:
        raise ValidationError(
            _("This offer is %(status)s: it cannot change any more.")
            % {"status": pledge.get_status_display().lower()}
        )


def _require_handler(actor: Any, pledge: Pledge) -> None:
    if not may_handle_pledge(actor, pledge):
        raise PermissionDenied(_("This offer is handled by another organisation."))


@transaction.atomic
def accept_pledge(
    actor: Any, pledge: Pledge, *, hub: Place | None = None, need: Need | None = None
) -> Pledge:
    """Take the offer on: it will be received at ``hub`` (a place the actor runs)."""
    _require_handler(actor, pledge)
    _require_open(pledge)
    if hub is not None and not may_manage_stock_at(actor, hub):
        raise ValidationError({"hub": [_("Choose a place your organisation runs.")]})
    if need is not None:
        pledge.need = need
    pledge.hub = hub or pledge.hub
    if pledge.organization_id is None:
        orgs = permissions.orgs_with_role(actor, *permissions.PLACE_MANAGERS)
        pledge.organization_id = hub.organization_id if hub else (min(orgs) if orgs else None)
    pledge.status = Pledge.Status.ACCEPTED
    pledge.decided_by, pledge.decided_at = actor, timezone.now()
    pledge.save()
    if pledge.hub and pledge.hub.sensitivity == "public":
        _tell_donor(
            pledge,
            "accepted",
            gettext_noop("Your offer is accepted"),
            gettext_noop(
                "Your offer of %(what)s is accepted. Please bring it to %(where)s, %(address)s.\n%(link)s"
            ),
            where=pledge.hub.name,
            address=pledge.hub.address,
        )
    else:  # a members-only hub's address is not written to a donor: a coordinator calls
        _tell_donor(
            pledge,
            "accepted",
            gettext_noop("Your offer is accepted"),
            gettext_noop(
                "Your offer of %(what)s is accepted. A coordinator will call you about the handover.\n%(link)s"
            ),
        )
    return pledge


@transaction.atomic
def decline_pledge(actor: Any, pledge: Pledge, *, reason: str) -> Pledge:
    _require_handler(actor, pledge)
    _require_open(pledge)
    if not reason.strip():
        raise ValidationError({"decline_reason": [_("Tell the donor why, in a few words.")]})
    pledge.status = Pledge.Status.DECLINED
    pledge.decline_reason = reason.strip()[:300]
    pledge.decided_by, pledge.decided_at = actor, timezone.now()
    pledge.save()
    _tell_donor(
        pledge,
        "declined",
        gettext_noop("About your offer"),
        gettext_noop("Thank you for offering %(what)s. We cannot take it: %(reason)s\n%(link)s"),
        reason=pledge.decline_reason,
    )
    return pledge


@transaction.atomic
def link_pledge(actor: Any, pledge: Pledge, need: Need) -> Pledge:
    """Point an offer at the need it will meet."""
    _require_handler(actor, pledge)
    _require_open(pledge)
    if not need.is_open:
        raise ValidationError({"need": [_("This need is not open any more.")]})
    if pledge.item_id and need.item_id and pledge.item_id != need.item_id:
        raise ValidationError({"need": [_("This need is for another item.")]})
    pledge.need = need
    pledge.save(update_fields=["need"])
    return pledge


@transaction.atomic
def receive_pledge(
    actor: Any,
    pledge: Pledge,
    *,
    hub: Place,
    quantity: Decimal | None = None,
    batch: str = "",
    expires_on: datetime.date | None = None,
) -> Pledge:
    """The goods arrived at ``hub``: they enter its stock as a donation, and the donor is thanked.

    Received at the very place whose need it was, it covers that need at once.
    """
    _require_handler(actor, pledge)
    _require_open(pledge)
    if not may_manage_stock_at(actor, hub):
        raise PermissionDenied(
            _("Only coordinators of %(org)s may change the stock at %(place)s.")
            % {"org": hub.organization, "place": hub.name}
        )
    if pledge.item is None:
        raise ValidationError(
            {"item": [_("Choose the catalogue item this offer is, before it enters the stock.")]}
        )
    received = quantity if quantity is not None else pledge.quantity
    stock.move(
        actor,
        item=pledge.item,
        quantity=received,
        reason=StockMove.Reason.DONATION,
        to_place=hub,
        batch=batch,
        expires_on=expires_on or pledge.expires_on,
        pledge=pledge,
        note=_("Offer from %(name)s") % {"name": pledge.contact_name},
    )
    pledge.status = Pledge.Status.RECEIVED
    pledge.hub = hub
    pledge.received_at = timezone.now()
    pledge.organization_id = pledge.organization_id or hub.organization_id
    pledge.save()
    if pledge.need is not None and pledge.need.place_id == hub.pk and pledge.need.is_open:
        from hromada.aid.services.needs import add_coverage

        add_coverage(pledge.need, received)
    _tell_donor(
        pledge,
        "received",
        gettext_noop("Your gift has arrived"),
        gettext_noop("%(what)s arrived at %(where)s. Thank you!\n%(link)s"),
        where=hub.name if hub.sensitivity == "public" else hub.organization.name,
    )
    return pledge


def expire_pledges(today: datetime.date | None = None) -> int:
    """Offers whose availability ended before anyone took them up. Safe to run any number of times."""
    today = today or timezone.localdate()
    count = 0
    for pledge in Pledge.objects.filter(
        status__in=Pledge.OPEN_STATUSES, available_until__lt=today
    ).iterator():
        with transaction.atomic():
            pledge.status = Pledge.Status.EXPIRED
            pledge.save(update_fields=["status"])
            count += 1
    return count
