"""/deliveries for drivers: the runs they may claim (nearest first once they share their
location), then picked up and delivered with a photo and the recipient's name, all through
``hromada.aid.services.deliveries``. A place's address is shown only to the driver who holds
the delivery, as on the delivery page."""

from __future__ import annotations

import base64
import math
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from hromada.aid.models import Delivery
from hromada.aid.permissions import DRIVER_ROLES, access_delivery, visible_deliveries
from hromada.aid.services import deliveries
from hromada.bot.engine import Context, Keyboard, Reply, amount
from hromada.core import permissions
from hromada.core.models import Sensitivity
from hromada.core.services import record_event

LISTED = 8
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def _require_linked(context: Context) -> bool:
    if context.linked:
        return True
    context.say(
        _("Deliveries are for linked drivers. Link your account from the site first (/help).")
    )
    return False


def _lines(delivery: Delivery) -> str:
    return ", ".join(
        f"{line.item.name} × {amount(line.quantity)} {line.item.get_unit_display()}"
        for line in delivery.lines.all()
    )


def _distance_km(delivery: Delivery, near: list[float] | None) -> float:
    place = delivery.from_place
    if not near or place.latitude is None or place.longitude is None:
        return math.inf
    lat1, lon1 = math.radians(near[0]), math.radians(near[1])
    lat2, lon2 = math.radians(float(place.latitude)), math.radians(float(place.longitude))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371 * 2 * math.asin(math.sqrt(a))


def show(context: Context, _argument: str) -> None:
    if not _require_linked(context):
        return
    user = context.user
    if context.incoming.location is not None:
        context.state.data = {**context.state.data, "near": list(context.incoming.location)}
    near = context.state.data.get("near")
    deliveries.release_stale_claims()  # a rotten claim is back in the pool before anyone looks
    visible = (
        visible_deliveries(user)
        .select_related("from_place", "to_place__area")
        .prefetch_related("lines__item")
    )
    mine = list(visible.filter(driver=user, status__in=Delivery.ACTIVE_STATUSES)[:LISTED])
    driving_for = permissions.orgs_with_role(user, *DRIVER_ROLES)
    open_ = list(
        visible.filter(status=Delivery.Status.PLANNED, from_place__organization__in=driving_for)[
            :100
        ]
    )
    open_.sort(key=lambda d: (_distance_km(d, near), d.planned_for or d.created_at.date(), d.pk))
    open_ = open_[:LISTED]
    if not mine and not open_:
        context.say(_("No deliveries for you right now."))
        return
    lines: list[str] = []
    keyboard: Keyboard = []
    if mine:
        lines.append(_("Yours:"))
        for delivery in mine:
            lines.append(_card(delivery, near))
            keyboard.append(_next_buttons(delivery))
    if open_:
        lines.append(_("Open to claim:"))
        for delivery in open_:
            lines.append(_card(delivery, near))
            keyboard.append([(_("Claim #%(id)s") % {"id": delivery.pk}, f"dl:claim:{delivery.pk}")])
    if not near:
        lines.append(_("Send your location (📎 → Location) to see the nearest first."))
    context.say("\n\n".join(lines), keyboard)


def _card(delivery: Delivery, near: list[float] | None = None) -> str:
    distance = _distance_km(delivery, near)
    text = _("#%(id)s %(from)s → %(to)s (%(area)s): %(lines)s") % {
        "id": delivery.pk,
        "from": delivery.from_place.name,
        "to": delivery.to_place.name,
        "area": delivery.to_place.area.name,
        "lines": _lines(delivery),
    }
    if distance != math.inf:
        text += " " + _("(hub %(km)s km away)") % {"km": f"{distance:.1f}"}
    return text


def _next_buttons(delivery: Delivery) -> list[tuple[str, str]]:
    if delivery.status == Delivery.Status.CLAIMED:
        return [
            (_("Picked up #%(id)s") % {"id": delivery.pk}, f"dl:pick:{delivery.pk}"),
            (_("Give back #%(id)s") % {"id": delivery.pk}, f"dl:back:{delivery.pk}"),
        ]
    return [(_("Delivered #%(id)s") % {"id": delivery.pk}, f"dl:done:{delivery.pk}")]


def _held(context: Context, delivery: Delivery, headline: str) -> None:
    """The delivery as its driver sees it: with where to go."""
    to = delivery.to_place
    where = ", ".join(x for x in (to.name, to.address, to.opening_notes) if x)
    if to.sensitivity != Sensitivity.PUBLIC:
        record_event("delivery.viewed", actor=context.user, obj=delivery, via="telegram")
    text = "\n".join(
        [
            headline,
            _card(delivery),
            _("Pick up at: %(place)s, %(address)s")
            % {"place": delivery.from_place.name, "address": delivery.from_place.address or "—"},
            _("Deliver to: %(where)s") % {"where": where},
        ]
    )
    context.say(text, [_next_buttons(delivery)])


def on_button(context: Context, rest: str) -> None:
    if not _require_linked(context):
        return
    action, _sep, pk = rest.partition(":")
    delivery = access_delivery(context.user, pk)
    if action == "claim":
        delivery = deliveries.claim_delivery(context.user, delivery)
        _held(context, delivery, _("Claimed. It is yours to drive."))
    elif action == "back":
        deliveries.unclaim_delivery(context.user, delivery)
        context.say(_("Given back: #%(id)s is open to other drivers again.") % {"id": delivery.pk})
    elif action == "pick":
        delivery = deliveries.pick_up(context.user, delivery)
        _held(context, delivery, _("Picked up: the goods left the hub's stock."))
    elif action == "done":
        if delivery.driver_id != context.user.pk or delivery.status != Delivery.Status.PICKED_UP:
            context.say(_("Only the driver who picked it up can mark it delivered."))
            return
        context.start("deliver", "photo", delivery=delivery.pk)
        context.say(
            _("Send a photo of the handover, or skip it."),
            [[(_("No photo"), f"dl:nophoto:{delivery.pk}")], [("✖ " + _("Cancel"), "x:")]],
        )
    elif action == "nophoto" and context.state.flow == "deliver":
        context.state.step = "name"
        context.say(_("Who took the goods? Type their name."), [[("✖ " + _("Cancel"), "x:")]])
    elif action == "ok" and context.state.flow == "deliver":
        _deliver(context, delivery)
    elif action == "redo" and context.state.flow == "deliver":
        context.state.step = "photo"
        context.state.data.pop("photo", None)
        context.state.data.pop("recipient", None)
        context.say(
            _("Send a photo of the handover, or skip it."),
            [[(_("No photo"), f"dl:nophoto:{delivery.pk}")], [("✖ " + _("Cancel"), "x:")]],
        )
    else:
        context.replies.append(
            Reply(
                "answer", _("This button is out of date."), callback_id=context.incoming.callback_id
            )
        )


def on_text(context: Context, text: str) -> None:
    state = context.state
    data: dict[str, Any] = state.data
    if state.step == "photo":
        if context.incoming.photo is None:
            context.say(
                _("Send a photo, or tap “No photo”."),
                [[(_("No photo"), f"dl:nophoto:{data['delivery']}")], [("✖ " + _("Cancel"), "x:")]],
            )
            return
        if len(context.incoming.photo) > PHOTO_MAX_BYTES:
            context.say(_("This photo is too large; send a smaller one."))
            return
        data["photo"] = base64.b64encode(context.incoming.photo).decode()
        state.step = "name"
        context.say(_("Who took the goods? Type their name."), [[("✖ " + _("Cancel"), "x:")]])
        return
    if state.step == "name":
        if not text.strip():
            context.say(_("Type the name of the person who took the goods."))
            return
        data["recipient"] = text.strip()[:200]
        state.step = "confirm"
        pk = data["delivery"]
        context.say(
            _("Delivery #%(id)s handed to %(name)s, %(photo)s. Confirm?")
            % {
                "id": pk,
                "name": data["recipient"],
                "photo": _("with a photo") if data.get("photo") else _("without a photo"),
            },
            [
                [("✅ " + _("Confirm delivery"), f"dl:ok:{pk}")],
                [(_("Start again"), f"dl:redo:{pk}"), ("✖ " + _("Cancel"), "x:")],
            ],
        )
        return
    context.say(_("Tap “Confirm delivery”, or /cancel."))


def _deliver(context: Context, delivery: Delivery) -> None:
    data = context.state.data
    if data.get("delivery") != delivery.pk or not data.get("recipient"):
        context.say(_("Start again from /deliveries."))
        context.finish()
        return
    photo = None
    if data.get("photo"):
        photo = SimpleUploadedFile(
            "handover.jpg", base64.b64decode(data["photo"]), content_type="image/jpeg"
        )
    delivery = deliveries.mark_delivered(
        context.user, delivery, recipient_name=data["recipient"], photo=photo
    )
    context.finish()
    context.say(
        _("Delivered: #%(id)s to %(to)s, received by %(name)s. Thank you!")
        % {"id": delivery.pk, "to": delivery.to_place.name, "name": delivery.recipient_name}
    )
