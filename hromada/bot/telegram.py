"""python-telegram-bot's side: one Application for long polling and for the webhook.

The Application has a single handler: it turns the update into an ``engine.Incoming``, runs
``engine.handle`` (Django, synchronous) through ``sync_to_async`` and makes the Bot API calls
the engine asks for. Conversation state is in the database, not in the Application, so the
webhook can build a fresh Application per request in any web process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import translation
from django.utils.translation import gettext as _
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from hromada.bot import engine
from hromada.bot.engine import Incoming, Reply

logger = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
# Telegram keeps photos in several sizes; the largest at most this wide is plenty for a proof
# of delivery (aid shrinks it to 1600 px anyway).
PHOTO_WIDTH = 1600
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def build_application(*, token: str = "", api_url: str = "") -> Application:  # type: ignore[type-arg]
    token = token or settings.TELEGRAM_BOT_TOKEN
    api = (api_url or settings.TELEGRAM_API_URL).rstrip("/")
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .updater(None)
        .build()
    )
    application.add_handler(TypeHandler(Update, on_update))
    return application


def incoming_from(update: Update) -> Incoming | None:
    """The parts of an update the engine reads; None for updates the bot does not serve."""
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        if message is None:
            return None
        return Incoming(
            update_id=update.update_id,
            chat_id=message.chat.id,
            telegram_id=query.from_user.id,
            username=query.from_user.username or "",
            language_code=query.from_user.language_code or "",
            chat_type=message.chat.type,
            callback_id=query.id,
            callback_data=query.data or "",
            message_id=message.message_id,
        )
    message = update.message
    if message is None:
        return None
    sender = message.from_user
    location = (message.location.latitude, message.location.longitude) if message.location else None
    return Incoming(
        update_id=update.update_id,
        chat_id=message.chat.id,
        telegram_id=sender.id if sender else None,
        username=(sender.username or "") if sender else "",
        language_code=(sender.language_code or "") if sender else "",
        chat_type=message.chat.type,
        text=message.text or message.caption or "",
        location=location,
    )


async def _photo_of(update: Update) -> bytes | None:
    message = update.message
    if message is None or not message.photo or message.chat.type != "private":
        return None
    fitting = [p for p in message.photo if p.width <= PHOTO_WIDTH] or list(message.photo[:1])
    size = fitting[-1]
    if size.file_size and size.file_size > PHOTO_MAX_BYTES:
        return b"\0" * (PHOTO_MAX_BYTES + 1)  # the engine answers "too large"
    file = await size.get_file()
    return bytes(await file.download_as_bytearray())


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    incoming = incoming_from(update)
    if incoming is None:
        return
    try:
        incoming.photo = await _photo_of(update)
        replies = await sync_to_async(engine.handle)(incoming)
    except Exception:  # the user must hear about it; the update stays unclaimed for a retry
        logger.exception("bot: update %s failed", update.update_id)
        with translation.override(engine.language_for(None, incoming.language_code)):
            text = _(
                "Something went wrong on our side. What you typed before is kept: try again "
                "in a minute."
            )
        replies = [Reply("send", text, chat_id=incoming.chat_id)]
        if incoming.callback_id:
            replies.insert(0, Reply("answer", callback_id=incoming.callback_id))
    await perform(context.bot, replies)


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in reply.keyboard
        ]
    )


async def perform(bot: Bot, replies: list[Reply]) -> None:
    """Make the Bot API calls. A failed call is logged and does not stop the others."""
    for reply in replies:
        try:
            if reply.method == "answer":
                await bot.answer_callback_query(reply.callback_id, text=reply.text or None)
            elif reply.method == "edit" and reply.message_id is not None:
                try:
                    await bot.edit_message_text(
                        reply.text,
                        chat_id=reply.chat_id,
                        message_id=reply.message_id,
                        reply_markup=_markup(reply),
                    )
                except BadRequest as error:
                    if "not modified" in str(error).lower():
                        continue
                    # Too old to edit, or deleted: say it in a new message instead.
                    await bot.send_message(reply.chat_id, reply.text, reply_markup=_markup(reply))  # type: ignore[arg-type]
            else:
                await bot.send_message(reply.chat_id, reply.text, reply_markup=_markup(reply))  # type: ignore[arg-type]
        except TelegramError as error:
            logger.warning("bot: %s to %s failed: %s", reply.method, reply.chat_id, error)


async def serve(application: Any, *, once: bool = False, poll_seconds: int = 50) -> int:
    """Long polling: fetch updates, handle each, confirm them, until SIGINT or SIGTERM. With
    ``once``, stop when Telegram has nothing more (for cron, and for tests). Returns the
    number of updates handled."""
    stop = asyncio.Event()
    if not once:
        _stop_on_signals(stop)
    handled = 0
    offset: int | None = None
    pause = 1.0
    async with application:
        while not stop.is_set():
            poll = asyncio.ensure_future(
                application.bot.get_updates(
                    offset=offset,
                    timeout=0 if once else poll_seconds,
                    allowed_updates=ALLOWED_UPDATES,
                )
            )
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not poll.done():  # asked to stop while waiting for Telegram
                poll.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await poll
                break
            try:
                updates = poll.result()
            except (NetworkError, RetryAfter) as error:
                if once:
                    raise
                # The network or Telegram hiccuped: wait (longer each time) and ask again.
                logger.warning("bot: getUpdates failed, again in %ss: %s", pause, error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                pause = min(pause * 2, 60.0)
                continue
            pause = 1.0
            if updates and not once:
                # Outside Django's request cycle nobody else drops a connection the database
                # closed (a restart) or one past CONN_MAX_AGE: do it before each batch.
                await sync_to_async(close_old_connections)()
            for update in updates:
                await application.process_update(update)
                offset = update.update_id + 1
                handled += 1
            if once and not updates:
                break
    return handled


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Outside the main thread (or on Windows) there are no loop signal handlers.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)


async def set_webhook(application: Any, url: str) -> None:
    """Point Telegram at ``url`` (with the secret it must send back), or back to polling."""
    async with application:
        if url:
            await application.bot.set_webhook(
                url,
                secret_token=settings.TELEGRAM_WEBHOOK_SECRET,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            await application.bot.delete_webhook()


async def feed(data: dict[str, Any]) -> None:
    """One update from the webhook, through the same Application as long polling."""
    application = build_application()
    async with application:
        await application.process_update(Update.de_json(data, application.bot))
