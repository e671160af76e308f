"""/give: anyone offers goods. What and how many from one typed line (the need parser),
then a phone number, then one tap; the offer is made by ``aid.services.pledges.offer_pledge``
and a coordinator takes it from there. Only the donor's own details are ever shown here."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.aid.models import Item, Unit
from hromada.aid.services.pledges import offer_pledge
from hromada.bot.engine import Context, amount, number
from hromada.bot.flows.needs import catalogue_refs, item_buttons
from hromada.bot.parser import NeedParser


def _cancel() -> list[list[tuple[str, str]]]:
    return [[("✖ " + _("Cancel"), "x:")]]


def begin(context: Context, argument: str) -> None:
    context.start("give", "what", key=str(uuid.uuid4()))
    if argument:
        on_text(context, argument)
        return
    context.say(_("What do you offer? Type it with the quantity, e.g. “20 blankets”."), _cancel())


def on_text(context: Context, text: str) -> None:
    data = context.state.data
    step = context.state.step
    if step == "what":
        proposal = NeedParser(catalogue_refs()).parse(text, today=timezone.localdate())
        data["typed"] = text.strip()[:200]
        if proposal.item is not None:
            data["item"] = proposal.item.id
        if proposal.quantity is not None:
            data["quantity"] = str(proposal.quantity)
        if proposal.unit:
            data["unit"] = proposal.unit
        if proposal.item is None:
            context.state.step = "item"
            context.say(_("Which item?"), item_buttons(text, prefix="give"))
            return
    elif step == "quantity":
        value = number(text)
        if value is None:
            context.say(_("Type the quantity as a number, e.g. 50."), _cancel())
            return
        data["quantity"] = str(value)
    elif step == "expires":
        day = NeedParser([]).parse(f"до {text}", today=timezone.localdate()).needed_by
        if day is None:
            context.say(_("Type the date as day.month, e.g. 15.03."), _cancel())
            return
        data["expires"] = day.isoformat()
    elif step == "name":
        data["name"] = text.strip()[:200]
    elif step == "phone":
        data["phone"] = text.strip()[:32]
    _ask_next(context)


def _ask_next(context: Context) -> None:
    data = context.state.data
    item = Item.objects.filter(pk=data["item"]).first() if data.get("item") else None
    if item is None and not data.get("title"):
        context.state.step = "what"
        context.say(
            _("What do you offer? Type it with the quantity, e.g. “20 blankets”."), _cancel()
        )
    elif not data.get("quantity"):
        context.state.step = "quantity"
        context.say(_("How many? Type a number."), _cancel())
    elif item is not None and item.perishable and not data.get("expires"):
        context.state.step = "expires"
        context.say(
            _("%(item)s spoils: until when is it good? (day.month)") % {"item": item.name},
            _cancel(),
        )
    elif not data.get("name"):
        if context.linked and context.user.display_name:
            data["name"] = context.user.display_name
            _ask_next(context)
            return
        context.state.step = "name"
        context.say(_("Your name, for the coordinator?"), _cancel())
    elif not data.get("phone"):
        if context.linked and context.user.phone:
            data["phone"] = context.user.phone
            _ask_next(context)
            return
        context.state.step = "phone"
        context.say(_("A phone number where a coordinator can reach you?"), _cancel())
    else:
        context.state.step = "confirm"
        what = item.name if item is not None else data.get("title", "")
        unit = data.get("unit") or (item.unit if item else Unit.PIECE)
        context.say(
            _(
                "You offer %(what)s × %(quantity)s %(unit)s; contact: %(name)s, %(phone)s. Send the offer?"
            )
            % {
                "what": what,
                "quantity": amount(Decimal(data["quantity"])),
                "unit": Unit(unit).label if unit in Unit.values else "",
                "name": data["name"],
                "phone": data["phone"],
            },
            [
                [("✅ " + _("Send the offer"), "give:ok")],
                [(_("Start again"), "give:redo")],
                *_cancel(),
            ],
        )


def on_button(context: Context, rest: str) -> None:
    if context.state.flow != "give":
        context.say(_("This offer is closed. /give starts a new one."))
        return
    data = context.state.data
    action, _sep, value = rest.partition(":")
    if action in ("place", "item", "area") and not value.isdigit():
        raise ValidationError(_("This button is out of date."))  # a forged or garbled button
    if action == "item":
        data["item"], data["title"] = int(value), ""
    elif action == "title":
        data["title"], data["item"] = data.get("typed", "")[:200], None
    elif action == "redo":
        begin(context, "")
        return
    elif action == "ok":
        _offer(context)
        return
    _ask_next(context)


def _offer(context: Context) -> None:
    data = context.state.data
    item = (
        Item.objects.filter(pk=data["item"], is_active=True).first() if data.get("item") else None
    )
    pledge, _created = offer_pledge(
        context.user,
        quantity=Decimal(data["quantity"]),
        contact_name=data.get("name", ""),
        contact_phone=data.get("phone", ""),
        item=item,
        title=data.get("title") or "",
        unit=data.get("unit") or "",
        expires_on=datetime.date.fromisoformat(data["expires"]) if data.get("expires") else None,
        idempotency_key=f"bot-pledge-{data['key']}",
    )
    context.finish()
    context.say(
        _("Thank you! Offer #%(id)s is registered; a coordinator will contact you.")
        % {"id": pledge.pk}
    )
