"""/alerts: anyone subscribes this chat to the areas and categories they care about; the
alerts app's delivery then sends each published alert here (``Channel.TELEGRAM`` with the
chat id as the address). The chat wrote to the bot, so it is confirmed at once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from hromada.alerts import services as alert_services
from hromada.alerts.models import Category, Channel, Subscription
from hromada.bot.engine import Context, Keyboard, Reply
from hromada.core.models import Area

MAX_AREAS = 8


def _subscription(context: Context) -> Subscription | None:
    return (
        Subscription.objects.active()
        .filter(channel=Channel.TELEGRAM, address=str(context.chat_id))
        .prefetch_related("areas")
        .first()
    )


def begin(context: Context, _argument: str) -> None:
    subscription = _subscription(context)
    if subscription is not None:
        context.say(
            _describe(subscription),
            [
                [(_("Change"), "al:change"), (_("Stop alerts"), "al:stop")],
            ],
        )
        return
    _ask_area(context)


def _describe(subscription: Subscription) -> str:
    areas = ", ".join(a.name for a in subscription.areas.all()) or _("all areas")
    categories = ", ".join(str(Category(c).label) for c in subscription.categories) or _(
        "all kinds"
    )
    return _("You receive alerts here for %(areas)s: %(categories)s.") % {
        "areas": areas,
        "categories": categories,
    }


def _ask_area(context: Context) -> None:
    context.start("alerts", "area", areas=[], categories=[])
    context.say(
        _("Type the name of your town, village or hromada, or choose all areas."),
        [[(_("All areas"), "al:all")], [("✖ " + _("Cancel"), "x:")]],
    )


def on_text(context: Context, text: str) -> None:
    if context.state.step != "area" or not text.strip():
        context.say(_("Choose with the buttons, or /cancel."))
        return
    typed = text.strip()[:100]
    found = search_areas(typed)
    if not found:
        context.say(
            _("I do not know an area called “%(name)s”. Try another spelling.") % {"name": typed},
            [[(_("All areas"), "al:all")], [("✖ " + _("Cancel"), "x:")]],
        )
        return
    context.say(
        _("Which one?"),
        [[(a.name, f"al:area:{a.pk}")] for a in found] + [[("✖ " + _("Cancel"), "x:")]],
    )


def search_areas(typed: str) -> list[Area]:
    """Areas whose name contains what was typed. SQLite compares only ASCII letters without
    regard to case: the name is also tried capitalised ("охтирка" finds "Охтирка")."""
    typed = typed.strip()[:100]
    if len(typed) < 2:
        return []
    return list(
        Area.objects.filter(
            Q(name_uk__icontains=typed)
            | Q(name_uk__contains=typed.capitalize())
            | Q(name_en__icontains=typed)
        ).order_by("path")[:MAX_AREAS]
    )


def _category_keyboard(chosen: list[str]) -> Keyboard:
    buttons = [
        (("✓ " if value in chosen else "") + str(label), f"al:cat:{value}")
        for value, label in Category.choices
    ]
    rows: Keyboard = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([("✅ " + _("Subscribe"), "al:ok")])
    rows.append([("✖ " + _("Cancel"), "x:")])
    return rows


def _ask_categories(context: Context) -> None:
    context.state.step = "categories"
    area_ids = context.state.data.get("areas", [])
    names = ", ".join(a.name for a in Area.objects.filter(pk__in=area_ids)) or _("all areas")
    context.say(
        _("Alerts for %(areas)s. Which kinds? None chosen means all.") % {"areas": names},
        _category_keyboard(context.state.data.get("categories", [])),
    )


def on_button(context: Context, rest: str) -> None:
    action, _sep, value = rest.partition(":")
    if action == "stop":
        subscription = _subscription(context)
        if subscription is not None:
            alert_services.unsubscribe(subscription)
        context.finish()
        context.say(_("Alerts stopped. /alerts subscribes again."))
        return
    if action == "change":
        _ask_area(context)
        return
    if context.state.flow != "alerts":
        context.replies.append(
            Reply(
                "answer", _("This button is out of date."), callback_id=context.incoming.callback_id
            )
        )
        return
    if action in ("place", "item", "area") and not value.isdigit():
        raise ValidationError(_("This button is out of date."))  # a forged or garbled button
    data = context.state.data
    if action == "all":
        data["areas"] = []
        _ask_categories(context)
    elif action == "area":
        area = Area.objects.filter(pk=value).first()
        if area is not None:
            data["areas"] = [area.pk]
        _ask_categories(context)
    elif action == "cat" and value in Category.values:
        chosen = data.get("categories", [])
        data["categories"] = (
            [c for c in chosen if c != value] if value in chosen else [*chosen, value]
        )
        _ask_categories(context)
    elif action == "ok":
        subscription = alert_services.subscribe(
            channel=Channel.TELEGRAM,
            address=str(context.chat_id),
            areas=list(Area.objects.filter(pk__in=data.get("areas", []))),
            categories=data.get("categories", []),
            language=context.language,
            user=context.user,
            confirmed=True,
        )
        context.finish()
        context.say(_("Subscribed. %(what)s") % {"what": _describe(subscription)})
