"""/report: anyone reports an incident: what happened, where (a Telegram location or the
name of the place), when, a few words; ``reports.services.report_incident`` records it
unreviewed, public only once an analyst publishes it."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.bot.engine import Context, Keyboard
from hromada.bot.flows.alerts import search_areas
from hromada.core.models import Area
from hromada.reports.models import Incident
from hromada.reports.services import report_incident

WHEN = {
    "now": (datetime.timedelta(minutes=15), Incident.TimePrecision.EXACT),
    "hour": (datetime.timedelta(hours=1), Incident.TimePrecision.EXACT),
    "today": (datetime.timedelta(hours=24), Incident.TimePrecision.DAY),
}


def _cancel() -> Keyboard:
    return [[("✖ " + _("Cancel"), "x:")]]


def begin(context: Context, _argument: str) -> None:
    context.start("report", "kind", key=str(uuid.uuid4()))
    context.say(
        _("What happened?"),
        [[(str(label), f"rp:kind:{value}")] for value, label in Incident.Kind.choices] + _cancel(),
    )


def on_text(context: Context, text: str) -> None:
    data = context.state.data
    step = context.state.step
    if step == "where":
        if context.incoming.location is not None:
            latitude, longitude = context.incoming.location
            data["latitude"], data["longitude"] = f"{latitude:.6f}", f"{longitude:.6f}"
            context.state.step = "area"
            context.say(
                _("Got the location. Which town or village is it in? Type its name."), _cancel()
            )
            return
        if text.strip():
            data["place_text"] = text.strip()[:200]
            context.state.step = "area"
            context.say(_("Which town or village is it in? Type its name."), _cancel())
            return
    if step == "area":
        found = search_areas(text)
        if not found:
            context.say(
                _("I do not know an area called “%(name)s”. Try another spelling.")
                % {"name": text.strip()[:100]},
                _cancel(),
            )
            return
        context.say(_("Which one?"), [[(a.name, f"rp:area:{a.pk}")] for a in found] + _cancel())
        return
    if step == "description" and text.strip():
        data["description"] = text.strip()[:4000]
        _confirm(context)
        return
    context.say(_("Choose with the buttons, or /cancel."))


def _confirm(context: Context) -> None:
    data = context.state.data
    context.state.step = "confirm"
    area = Area.objects.filter(pk=data.get("area")).first() if data.get("area") else None
    where = _("a location you sent") if data.get("latitude") else data.get("place_text", "")
    context.say(
        _("Report: %(kind)s in %(area)s (%(where)s). “%(description)s” Send it?")
        % {
            "kind": Incident.Kind(data["kind"]).label,
            "area": area.name if area else "—",
            "where": where,
            "description": data.get("description", ""),
        },
        [[("✅ " + _("Send the report"), "rp:ok")], *_cancel()],
    )


def on_button(context: Context, rest: str) -> None:
    if context.state.flow != "report":
        context.say(_("This report is closed. /report starts a new one."))
        return
    data = context.state.data
    action, _sep, value = rest.partition(":")
    if action in ("place", "item", "area") and not value.isdigit():
        raise ValidationError(_("This button is out of date."))  # a forged or garbled button
    if action == "kind" and value in Incident.Kind.values:
        data["kind"] = value
        context.state.step = "where"
        context.say(
            _("Where? Send a location (📎 → Location), or type the street or landmark."), _cancel()
        )
    elif action == "area":
        data["area"] = int(value)
        context.state.step = "when"
        context.say(
            _("When?"),
            [
                [(_("Just now"), "rp:when:now"), (_("Within the last hour"), "rp:when:hour")],
                [(_("Today"), "rp:when:today")],
                *_cancel(),
            ],
        )
    elif action == "when" and value in WHEN:
        data["when"] = value
        context.state.step = "description"
        context.say(_("Describe in a few words what you saw."), _cancel())
    elif action == "ok":
        _send(context)


def _send(context: Context) -> None:
    data = context.state.data
    now = timezone.now()
    span, precision = WHEN[data.get("when", "today")]
    fields = {
        "kind": data["kind"],
        "area": Area.objects.filter(pk=data.get("area")).first(),
        "occurred_earliest": now - span,
        "occurred_latest": now,
        "time_precision": precision,
        "description": data.get("description", ""),
        "place_text": data.get("place_text", ""),
    }
    if data.get("latitude"):
        fields |= {
            "latitude": Decimal(data["latitude"]),
            "longitude": Decimal(data["longitude"]),
            "location_precision": Incident.LocationPrecision.STREET,
        }
    incident, _created = report_incident(
        context.user, idempotency_key=f"bot-incident-{data['key']}", **fields
    )
    context.finish()
    context.say(
        _("Thank you. Report %(code)s is recorded; analysts will check it.")
        % {"code": incident.code}
    )
