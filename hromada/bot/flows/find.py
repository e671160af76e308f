"""/find: anyone files a tracing inquiry for a missing person through
``tracing.services.file_inquiry``. The bot never searches the records and never says
whether anyone was found: caseworkers answer through the protected disclosure process."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from hromada.bot.engine import Context, Keyboard
from hromada.tracing.services import file_inquiry

FIELDS = [
    "family_name",
    "given_name",
    "birth_year",
    "last_seen_place",
    "inquirer_name",
    "inquirer_contact",
]


def _question(field: str) -> str:
    questions = {
        "family_name": _("Family name of the person you are looking for?"),
        "given_name": _("Their given name?"),
        "birth_year": _("Year of birth (or “-” if you do not know)?"),
        "last_seen_place": _("Where were they last seen?"),
        "inquirer_name": _("Your name?"),
        "inquirer_contact": _("How can a caseworker reach you (phone or e-mail)?"),
    }
    return questions[field]


def _cancel() -> Keyboard:
    return [[("✖ " + _("Cancel"), "x:")]]


def begin(context: Context, _argument: str) -> None:
    context.start("find", FIELDS[0], key=str(uuid.uuid4()))
    context.say(
        _(
            "Tracing: I take your request to the caseworkers. I do not search the records "
            "here; they will contact you."
        )
        + "\n"
        + _question(FIELDS[0]),
        _cancel(),
    )


def on_text(context: Context, text: str) -> None:
    step = context.state.step
    fields = FIELDS
    if step not in fields or not text.strip():
        context.say(_("Type the answer, or /cancel."))
        return
    value = text.strip()[:200]
    if step == "birth_year":
        value = value if value.isdigit() and len(value) == 4 else ""
    context.state.data[step] = value
    following = fields.index(step) + 1
    if following < len(fields):
        context.state.step = fields[following]
        context.say(_question(fields[following]), _cancel())
        return
    context.state.step = "confirm"
    data = context.state.data
    context.say(
        _(
            "Looking for %(name)s%(year)s, last seen: %(place)s. We answer %(you)s at %(contact)s. Send?"
        )
        % {
            "name": f"{data.get('given_name', '')} {data.get('family_name', '')}".strip(),
            "year": f" ({data['birth_year']})" if data.get("birth_year") else "",
            "place": data.get("last_seen_place", ""),
            "you": data.get("inquirer_name", ""),
            "contact": data.get("inquirer_contact", ""),
        },
        [[("✅ " + _("Send the request"), "fd:ok")], *_cancel()],
    )


def on_button(context: Context, rest: str) -> None:
    if context.state.flow != "find" or rest != "ok" or context.state.step != "confirm":
        context.say(_("This request is closed. /find starts a new one."))
        return
    data = context.state.data
    inquiry, _created = file_inquiry(
        context.user,
        idempotency_key=f"bot-inquiry-{data['key']}",
        family_name=data.get("family_name", ""),
        given_name=data.get("given_name", ""),
        birth_year=int(data["birth_year"]) if data.get("birth_year") else None,
        last_seen_place=data.get("last_seen_place", ""),
        inquirer_name=data.get("inquirer_name", ""),
        inquirer_contact=data.get("inquirer_contact", ""),
        language=context.language,
    )
    context.finish()
    context.say(
        _("Your request %(reference)s is with the caseworkers. Keep this reference.")
        % {"reference": inquiry.reference}
    )
