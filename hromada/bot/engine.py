"""One update in, the replies out: the bot's conversations as plain synchronous Django code.

The Telegram side (``hromada.bot.telegram``) turns an update into an ``Incoming``, calls
``handle`` (in a thread, through ``sync_to_async``) and sends the ``Reply`` list back. Here:

- each update is handled once: its id is recorded in the same transaction as its work;
- the user is the linked Hromada user (or an anonymous visitor) and every change goes
  through the apps' services with that user, so the bot has the same rights as the pages;
- where a chat is in a conversation is a ``ChatState`` row, saved with the work, so a failed
  step keeps what the user typed and any web process can take the next message;
- only private chats are served: a group would show one member's data to all the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from hromada.bot import services
from hromada.bot.models import ChatState
from hromada.core.idempotency import KeyReused

logger = logging.getLogger(__name__)

Keyboard = list[list[tuple[str, str]]]  # rows of (label, callback data)


@dataclass
class Incoming:
    """What the bot needs from a Telegram update, as plain data."""

    update_id: int
    chat_id: int
    telegram_id: int | None = None
    username: str = ""
    language_code: str = ""
    chat_type: str = "private"
    text: str = ""
    callback_id: str = ""
    callback_data: str = ""
    message_id: int | None = None  # the bot's message whose button was pressed
    photo: bytes | None = None
    location: tuple[float, float] | None = None


@dataclass
class Reply:
    """One Bot API call: ``send`` a message, ``edit`` the one a button was on, or ``answer``
    a button press (the small notice Telegram shows)."""

    method: str
    text: str = ""
    keyboard: Keyboard | None = None
    chat_id: int | None = None
    message_id: int | None = None
    callback_id: str = ""


@dataclass
class Context:
    incoming: Incoming
    user: Any
    state: ChatState
    language: str
    replies: list[Reply] = field(default_factory=list)

    @property
    def chat_id(self) -> int:
        return self.incoming.chat_id

    @property
    def linked(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    def say(self, text: str, keyboard: Keyboard | None = None) -> None:
        """Answer in place when a button was pressed, otherwise with a new message."""
        if self.incoming.callback_id and self.incoming.message_id is not None:
            self.replies.append(
                Reply("edit", text, keyboard, self.chat_id, message_id=self.incoming.message_id)
            )
        else:
            self.replies.append(Reply("send", text, keyboard, self.chat_id))

    def send(self, text: str, keyboard: Keyboard | None = None) -> None:
        self.replies.append(Reply("send", text, keyboard, self.chat_id))

    def start(self, flow: str, step: str, **data: Any) -> None:
        self.state.flow, self.state.step, self.state.data = flow, step, data

    def finish(self) -> None:
        self.state.reset()


Handler = Callable[[Context, str], None]


def language_for(user: Any, language_code: str) -> str:
    """The linked user's language; for others Ukrainian unless Telegram says English."""
    chosen = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
    if chosen in ("uk", "en"):
        return chosen
    return "en" if (language_code or "").lower().startswith("en") else "uk"


def handle(incoming: Incoming) -> list[Reply]:
    """Handle one update, once. Returns the Bot API calls to make."""
    with transaction.atomic():
        if not services.claim_update(incoming.update_id):
            return []  # Telegram retried, or the same update arrived twice
        user = services.user_for(incoming.telegram_id)
        language = language_for(user, incoming.language_code)
        with translation.override(language):
            if incoming.telegram_id is not None and not services.within_rate_limit(
                incoming.telegram_id
            ):
                return []
            if incoming.chat_type != "private":
                if not incoming.text.startswith("/"):
                    return []  # the town's chatter is not for the bot
                return [
                    Reply(
                        "send",
                        _("I work in a private chat only: write to me directly."),
                        chat_id=incoming.chat_id,
                    )
                ]
            state = services.state_for(incoming.chat_id)
            context = Context(incoming, user, state, language)
            saved = (state.flow, state.step, dict(state.data))
            try:
                with transaction.atomic():
                    dispatch(context)
            except (ValidationError, PermissionDenied, Http404, KeyReused) as error:
                # The service said no: tell the user why and keep what they typed.
                state.flow, state.step, state.data = saved
                context.replies = [r for r in context.replies if r.method == "answer"]
                context.send(error_text(error))
            state.save()
            if incoming.callback_id and not any(r.method == "answer" for r in context.replies):
                context.replies.insert(0, Reply("answer", callback_id=incoming.callback_id))
            return context.replies


def error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        messages = [str(m) for m in error.messages]
        return "\n".join(messages) or _("That did not work.")
    if isinstance(error, Http404):
        return _("This is not there any more, or not yours to see.")
    if isinstance(error, KeyReused):
        return _("This was already done.")
    text = str(error)
    return text if text and text != "None" else _("You may not do this.")


def dispatch(context: Context) -> None:
    from hromada.bot.flows import account, alerts, deliveries, find, give, needs, report, shifts

    incoming = context.incoming
    commands: dict[str, Handler] = {
        "start": account.start,
        "help": account.help_,
        "link": account.link,
        "unlink": account.unlink,
        "cancel": account.cancel,
        "need": needs.begin,
        "deliveries": deliveries.show,
        "alerts": alerts.begin,
        "give": give.begin,
        "report": report.begin,
        "find": find.begin,
        "shifts": shifts.show,
    }
    callbacks: dict[str, Handler] = {
        "need": needs.on_button,
        "dl": deliveries.on_button,
        "al": alerts.on_button,
        "give": give.on_button,
        "rp": report.on_button,
        "fd": find.on_button,
        "sh": shifts.on_button,
        "x": account.on_cancel_button,
    }
    flows: dict[str, Handler] = {
        "need": needs.on_text,
        "deliver": deliveries.on_text,
        "alerts": alerts.on_text,
        "give": give.on_text,
        "report": report.on_text,
        "find": find.on_text,
    }
    if incoming.callback_data:
        prefix, _sep, rest = incoming.callback_data.partition(":")
        handler = callbacks.get(prefix)
        if handler is None:
            context.replies.append(
                Reply("answer", _("This button is out of date."), callback_id=incoming.callback_id)
            )
            return
        handler(context, rest)
        return
    text = incoming.text.strip()
    if text.startswith("/"):
        word, _sep, argument = text[1:].partition(" ")
        name = word.split("@", 1)[0].lower()
        command = commands.get(name)
        if command is None:
            account.help_(context, "")
            return
        command(context, argument.strip())
        return
    if incoming.photo is not None or incoming.location is not None or text:
        flow = flows.get(context.state.flow)
        if flow is not None:
            flow(context, text)
            return
        if incoming.location is not None:
            deliveries.show(context, "")
            return
        if text:
            needs.from_sentence(context, text)
            return
    account.help_(context, "")


def number(text: str) -> Decimal | None:
    """A positive number typed by the user ("50", "1,5"), or None."""
    from hromada.bot.parser import NeedParser, tokenize

    tokens = tokenize(text)
    if not tokens:
        return None
    proposal = NeedParser([]).parse(text)
    return proposal.quantity if proposal.quantity and proposal.quantity > 0 else None


def amount(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
