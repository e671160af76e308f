"""hromada bot: run the Telegram bot by long polling (TELEGRAM_BOT_TOKEN must be set), or
point Telegram at the webhook instead (behind a proxy)."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run the Telegram bot by long polling (or handle what is waiting, with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="handle the updates waiting now, then exit (for cron and tests)",
        )
        parser.add_argument(
            "--set-webhook",
            metavar="URL",
            help="have Telegram post updates to URL (https://…/bot/webhook/) instead of polling",
        )
        parser.add_argument("--delete-webhook", action="store_true", help="go back to long polling")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it."
            )
        from hromada.bot.services import forget_old_updates
        from hromada.bot.telegram import build_application, serve, set_webhook

        if options["set_webhook"] is not None or options["delete_webhook"]:
            url = "" if options["delete_webhook"] else options["set_webhook"]
            if url and not settings.TELEGRAM_WEBHOOK_SECRET:
                raise CommandError(
                    "TELEGRAM_WEBHOOK_SECRET is not set: the webhook refuses updates without it."
                )
            async_to_sync(set_webhook)(build_application(), url)
            self.stdout.write(f"bot: webhook {'set to ' + url if url else 'deleted'}")
            return
        forget_old_updates()
        if options["once"]:
            # In this thread: the handlers' database work runs here too (sync_to_async).
            handled = async_to_sync(serve)(build_application(), once=True)
        else:
            self.stdout.write(f"bot: polling {settings.TELEGRAM_API_URL} (Ctrl+C stops)")
            # The main thread owns the event loop, so SIGINT and SIGTERM stop it cleanly.
            handled = asyncio.run(serve(build_application()))
        self.stdout.write(f"bot: {handled} updates handled")
