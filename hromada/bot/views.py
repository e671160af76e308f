"""The webhook Telegram posts updates to, and the page where a user links their Telegram."""

from __future__ import annotations

import hmac
import json
from typing import cast

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from hromada.bot import services
from hromada.bot.models import TelegramAccount
from hromada.core.models import User

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 -- a header name


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Telegram's updates, when the bot runs behind a proxy (setWebhook with a secret_token).
    Without a secret configured the endpoint does not exist; a wrong secret is refused."""
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    if not secret or not settings.TELEGRAM_BOT_TOKEN:
        return HttpResponse(status=404)
    if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
        return HttpResponse(status=403)
    try:
        data = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return HttpResponse(status=400)
    from hromada.bot.telegram import feed

    async_to_sync(feed)(data)
    # 200 even when handling failed: the user was told, and the update is not marked done,
    # so a resent copy would be handled; Telegram retrying forever would not help.
    return HttpResponse(status=200)


@login_required
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest) -> HttpResponse:
    """Make a one-time code to send to the bot, or unlink the Telegram account."""
    user = cast(User, request.user)
    account = TelegramAccount.objects.filter(user=user).first()
    code = ""
    if request.method == "POST":
        if request.POST.get("action") == "unlink":
            if account is not None:
                services.unlink_account(account)
                messages.success(request, _("Your Telegram account is unlinked."))
            return redirect("bot:link")
        code, _row = services.issue_link_code(user)
    username = getattr(settings, "TELEGRAM_BOT_USERNAME", "")
    return TemplateResponse(
        request,
        "bot/link.html",
        {
            "account": account,
            "code": code,
            "minutes": services.LINK_CODE_MINUTES,
            "deep_link": f"https://t.me/{username}?start={code}" if code and username else "",
        },
    )
