"""Greeting, help, linking a Telegram account to a Hromada user, cancelling a conversation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hromada.bot import services
from hromada.bot.engine import Context, Reply
from hromada.bot.models import TelegramAccount


def help_(context: Context, _argument: str) -> None:
    lines = [_("Hromada bot. What I can do:")]
    if context.linked:
        lines.append(_("Signed in as %(name)s.") % {"name": context.user.display_name})
    else:
        lines.append(
            _(
                "You are not linked to a Hromada account: open the Telegram page of the site "
                "(/bot/link/), make a code and send it here as /link CODE."
            )
        )
    lines += [
        _(
            "/need: post a need of your place (or just type it: “50 packs of insulin for hospital 2 by tomorrow”)"
        ),
        _("/deliveries: deliveries you can drive, claim, pick up and deliver"),
        _("/shifts: your shifts and invitations, check in and out, open shifts to take"),
        _("/alerts: receive the town's alerts for your areas here"),
        _("/give: offer goods; /report: report an incident; /find: ask for a missing person"),
        _("/cancel: stop what we are doing; /unlink: unlink this Telegram account"),
    ]
    context.say("\n".join(lines))


def start(context: Context, argument: str) -> None:
    """/start, or /start CODE from a deep link on the link page."""
    if argument:
        link(context, argument)
        return
    help_(context, "")


def link(context: Context, argument: str) -> None:
    incoming = context.incoming
    if not argument:
        context.say(_("Send the code from the link page: /link CODE"))
        return
    if incoming.telegram_id is None:
        context.say(_("This chat cannot be linked."))
        return
    account = services.link_account(
        argument,
        telegram_id=incoming.telegram_id,
        chat_id=incoming.chat_id,
        username=incoming.username,
    )
    context.user = account.user
    context.finish()
    context.say(
        _("Linked: I act for %(name)s now, with their roles. /help shows what I can do.")
        % {"name": account.user.display_name}
    )


def unlink(context: Context, _argument: str) -> None:
    telegram_id = context.incoming.telegram_id
    account = (
        TelegramAccount.objects.filter(telegram_id=telegram_id).first() if telegram_id else None
    )
    if account is None:
        context.say(_("This Telegram account is not linked."))
        return
    services.unlink_account(account)
    context.finish()
    context.say(_("Unlinked. Link again any time from the site."))


def cancel(context: Context, _argument: str) -> None:
    had = bool(context.state.flow)
    context.finish()
    context.say(_("Cancelled: nothing was saved.") if had else _("There is nothing to cancel."))


def on_cancel_button(context: Context, _rest: str) -> None:
    had = bool(context.state.flow)
    context.finish()
    context.replies.append(
        Reply("answer", _("Cancelled"), callback_id=context.incoming.callback_id)
    )
    context.say(_("Cancelled: nothing was saved.") if had else _("There is nothing to cancel."))
