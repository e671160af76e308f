"""Posting a need: from one typed sentence (parsed, then confirmed with one tap) or step by
step with /need. Every field can be changed until the coordinator confirms; the need is
created by ``hromada.aid.services.needs.create_need`` with the coordinator's own rights."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hromada.aid.models import Item, Priority, Unit
from hromada.aid.services.needs import create_need
from hromada.bot.engine import Context, Keyboard, Reply, amount, number
from hromada.bot.parser import ItemRef, NeedParser, PlaceRef, Proposal, tokenize
from hromada.core.models import Place
from hromada.core.permissions import coordinated_places

MAX_BUTTONS = 8


def _places(context: Context) -> list[Place]:
    return list(coordinated_places(context.user).order_by("name")[:50])


def catalogue_refs() -> list[ItemRef]:
    return [
        ItemRef(i.pk, i.code, i.name_uk, i.name_en, i.unit)
        for i in Item.objects.filter(is_active=True)
    ]


def _place_refs(places: list[Place]) -> list[PlaceRef]:
    return [PlaceRef(p.pk, p.name, p.kind) for p in places]


def _may_post(context: Context) -> list[Place] | None:
    """The places the user coordinates, or None after telling them why they cannot post."""
    if not context.linked:
        context.say(
            _(
                "Only a linked coordinator can post needs. Link your account from the site's "
                "Telegram page first (/help)."
            )
        )
        return None
    places = _places(context)
    if not places:
        context.say(_("Only coordinators of a place can post its needs."))
        return None
    return places


def begin(context: Context, argument: str) -> None:
    """/need, or /need followed by the whole sentence."""
    if argument:
        from_sentence(context, argument)
        return
    places = _may_post(context)
    if places is None:
        return
    context.start("need", "", key=str(uuid.uuid4()), stepwise=True, place_choices=[])
    _ask_next(context, places)


def from_sentence(context: Context, text: str) -> None:
    places = _may_post(context)
    if places is None:
        return
    proposal = NeedParser(catalogue_refs()).parse(
        text, places=_place_refs(places), today=timezone.localdate()
    )
    if proposal.item is None and proposal.quantity is None:
        context.say(
            _(
                "I did not find an item or a quantity in this. Write it like “50 packs of "
                "insulin for hospital 2 by tomorrow”, or use /need to go step by step."
            )
        )
        return
    context.start("need", "", key=str(uuid.uuid4()), stepwise=False, place_choices=[])
    _merge(context.state.data, proposal)
    _ask_next(context, places)


def _merge(data: dict[str, Any], proposal: Proposal) -> None:
    """Put what the parser found into the draft; what it did not find stays as it was."""
    if proposal.place is not None:
        data["place"] = proposal.place.id
        data["place_choices"] = []
    elif proposal.place_choices:
        data["place_choices"] = [p.id for p in proposal.place_choices]
    if proposal.item is not None:
        data["item"] = proposal.item.id
        data["title"] = ""
    if proposal.quantity is not None:
        data["quantity"] = str(proposal.quantity)
    if proposal.unit:
        data["unit"] = proposal.unit
    if proposal.needed_by is not None:
        data["needed_by"] = proposal.needed_by.isoformat()
    if proposal.priority:
        data["priority"] = proposal.priority
    data["unparsed"] = proposal.unparsed
    data["others"] = [o.name_uk if _uk() else o.name_en for o in proposal.other_items]


def _uk() -> bool:
    from django.utils.translation import get_language

    return get_language() != "en"


def _ask_next(context: Context, places: list[Place] | None = None) -> None:
    data = context.state.data
    places = places if places is not None else _places(context)
    if not data.get("place"):
        if len(places) == 1:
            data["place"] = places[0].pk
        else:
            choices = [p for p in places if p.pk in data.get("place_choices", [])] or places
            context.state.step = "place"
            context.say(
                _("Which place is it for?"),
                _rows([(p.name, f"need:place:{p.pk}") for p in choices[:MAX_BUTTONS]]),
            )
            return
    if not data.get("item") and not data.get("title"):
        context.state.step = "item"
        context.say(
            _("What is needed? Type the item, e.g. “insulin” or “blankets”."), _cancel_row()
        )
        return
    if not data.get("quantity"):
        context.state.step = "quantity"
        context.say(_("How many? Type a number."), _cancel_row())
        return
    if data.get("stepwise") and not data.get("priority"):
        context.state.step = "priority"
        context.say(
            _("How urgent is it?"),
            _rows([(str(label), f"need:prio:{value}") for value, label in Priority.choices], 2),
        )
        return
    context.state.step = "confirm"
    context.say(_summary(data), _confirm_keyboard())


def _rows(buttons: list[tuple[str, str]], per_row: int = 1) -> Keyboard:
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return [*rows, *_cancel_row()]


def _cancel_row() -> Keyboard:
    return [[("✖ " + _("Cancel"), "x:")]]


def _confirm_keyboard() -> Keyboard:
    return [
        [("✅ " + _("Post the need"), "need:ok")],
        [(_("Place"), "need:edit:place"), (_("Item"), "need:edit:item")],
        [(_("Quantity"), "need:edit:quantity"), (_("Urgency"), "need:edit:priority")],
        *_cancel_row(),
    ]


def _summary(data: dict[str, Any]) -> str:
    place = Place.objects.filter(pk=data["place"]).first() if data.get("place") else None
    item = Item.objects.filter(pk=data["item"]).first() if data.get("item") else None
    unit = data.get("unit") or (item.unit if item else "")
    lines = [
        _("New need — check and confirm:"),
        _("Place: %(place)s") % {"place": place.name if place else "—"},
        _("Item: %(item)s") % {"item": item.name if item else data.get("title") or "—"},
        _("Quantity: %(quantity)s %(unit)s")
        % {
            "quantity": amount(Decimal(data["quantity"])) if data.get("quantity") else "—",
            "unit": Unit(unit).label if unit in Unit.values else "",
        },
        _("Needed by: %(date)s")
        % {
            "date": formats.date_format(datetime.date.fromisoformat(data["needed_by"]), "j E Y")
            if data.get("needed_by")
            else _("no date")
        },
        _("Urgency: %(priority)s") % {"priority": Priority(data.get("priority") or "normal").label},
    ]
    if data.get("unparsed"):
        lines.append(
            _("Not understood (not used): %(words)s")
            % {"words": ", ".join(f"«{w}»" for w in data["unparsed"])}
        )
    if data.get("others"):
        lines.append(
            _("Also mentioned: %(items)s. Send each as its own need.")
            % {"items": ", ".join(data["others"])}
        )
    return "\n".join(lines)


def on_text(context: Context, text: str) -> None:
    step = context.state.step
    data = context.state.data
    if step == "item":
        _offer_items(context, text)
        return
    if step == "quantity":
        value = number(text)
        if value is None:
            context.say(_("Type the quantity as a number, e.g. 50."), _cancel_row())
            return
        data["quantity"] = str(value)
        _ask_next(context)
        return
    if step in ("confirm", "place", "priority"):
        # A correction typed while confirming: whatever it names replaces the draft's field.
        places = _places(context)
        proposal = NeedParser(catalogue_refs()).parse(
            text, places=_place_refs(places), today=timezone.localdate()
        )
        _merge(data, proposal)
        _ask_next(context, places)
        return
    context.say(_summary(data), _confirm_keyboard())


def item_buttons(text: str, *, prefix: str) -> Keyboard:
    """Catalogue items that fit what was typed, and "as written" for one that is not there."""
    catalogue = catalogue_refs()
    proposal = NeedParser(catalogue).parse(text)
    found: list[ItemRef] = []
    if proposal.item is not None:
        found.append(proposal.item)
        found += proposal.other_items
    words = [t.text for t in tokenize(text) if t.kind == "word" and len(t.text) >= 3]
    for ref in catalogue:
        names = f"{ref.name_uk} {ref.name_en}".lower()
        if ref not in found and any(w in names for w in words):
            found.append(ref)
    buttons = [
        (ref.name_uk if _uk() else ref.name_en, f"{prefix}:item:{ref.id}")
        for ref in found[:MAX_BUTTONS]
    ]
    buttons.append(
        (
            _("Not in the list: “%(text)s” as written") % {"text": text.strip()[:40]},
            f"{prefix}:title",
        )
    )
    return _rows(buttons)


def _offer_items(context: Context, text: str) -> None:
    context.state.data["typed"] = text.strip()[:200]
    context.say(_("Which item?"), item_buttons(text, prefix="need"))


def on_button(context: Context, rest: str) -> None:
    state = context.state
    if state.flow != "need":
        context.replies.append(
            Reply("answer", _("This proposal is closed."), callback_id=context.incoming.callback_id)
        )
        context.say(_("This proposal is closed. Type the need again to start over."))
        return
    action, _sep, value = rest.partition(":")
    data = state.data
    if action in ("place", "item", "area") and not value.isdigit():
        raise ValidationError(_("This button is out of date."))  # a forged or garbled button
    if action == "place":
        if not coordinated_places(context.user).filter(pk=value).exists():
            raise PermissionDenied(_("You do not coordinate this place."))
        data["place"] = int(value)
    elif action == "item":
        data["item"], data["title"] = int(value), ""
        item = Item.objects.filter(pk=value).first()
        if item is not None and data.get("unit") not in Unit.values:
            data["unit"] = item.unit
    elif action == "title":
        data["title"], data["item"] = data.get("typed", "")[:200], None
        data.setdefault("unit", Unit.PIECE)
    elif action == "prio" and value in Priority.values:
        data["priority"] = value
    elif action == "edit":
        field = {"place": "place", "item": "item", "quantity": "quantity", "priority": "priority"}
        if value in field:
            data[field[value]] = None
            if value == "item":
                data["title"] = ""
            if value == "priority":
                data["stepwise"] = True
    elif action == "ok":
        _post(context)
        return
    _ask_next(context)


def _post(context: Context) -> None:
    data = context.state.data
    place = coordinated_places(context.user).filter(pk=data.get("place")).first()
    if place is None:
        raise PermissionDenied(_("You do not coordinate this place."))
    item = (
        Item.objects.filter(pk=data.get("item"), is_active=True).first()
        if data.get("item")
        else None
    )
    need, created = create_need(
        context.user,
        place=place,
        item=item,
        title=data.get("title") or "",
        quantity=Decimal(data["quantity"]),
        unit=data.get("unit") or (item.unit if item else Unit.PIECE),
        priority=data.get("priority") or Priority.NORMAL,
        needed_by=datetime.date.fromisoformat(data["needed_by"]) if data.get("needed_by") else None,
        idempotency_key=f"bot-need-{data['key']}",
    )
    context.finish()
    text = (
        _("Posted: need #%(id)s, %(what)s × %(quantity)s at %(place)s.")
        if created
        else _("Already posted: need #%(id)s, %(what)s × %(quantity)s at %(place)s.")
    ) % {"id": need.pk, "what": need.label, "quantity": amount(need.quantity), "place": place.name}
    context.say(text)
