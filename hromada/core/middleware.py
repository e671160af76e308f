"""Request-wide behaviour: the content security policy and the user's own language and zone."""

from __future__ import annotations

import secrets
import time
import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hromada.core import two_factor
from hromada.core.services import record_event

Handler = Callable[[HttpRequest], HttpResponse]


def _policy(*, tiles: str, inline_styles: bool, nonce: str) -> str:
    img = "'self' data:"
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "a"))
        img += f" {parts.scheme}://{parts.netloc.split('{')[0]}" if parts.netloc else ""
    style = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src {style}; "
        f"img-src {img}; "
        "connect-src 'self'; "
        "font-src 'self'; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


def content_security_policy(get_response: Handler) -> Handler:
    """Forbid every third-party request: scripts, styles, fonts and images come from us.

    An inline script runs only with this response's nonce (``{{ csp_nonce }}`` in templates;
    django-leaflet's map tag uses it). The API docs page (Swagger UI) sets inline style
    attributes, so it alone may.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = get_response(request)
        if "Content-Security-Policy" not in response:
            docs = request.path == "/api/docs"
            response["Content-Security-Policy"] = _policy(
                tiles="" if docs else settings.TILE_URL, inline_styles=docs, nonce=nonce
            )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response

    return middleware


def user_preferences(get_response: Handler) -> Handler:
    """Show a signed-in user the pages in their own language and time zone."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            if user.time_zone:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        try:
            return get_response(request)
        finally:
            timezone.deactivate()

    return middleware


class _Untouched:
    """The messages of a warm-up fetch: none shown, none used up."""

    used = False

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0

    def add(self, *args: Any, **kwargs: Any) -> None:
        pass

    def update(self, response: HttpResponse) -> None:
        return None


def keep_messages_from_warm_fetches(get_response: Handler) -> Handler:
    """The service worker fetches a volunteer's pages ahead (``X-Hromada-Warm``); such a
    fetch must neither show nor use up the messages waiting for the page the person opens
    next ("The offer is accepted" after a form). After MessageMiddleware."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.headers.get("X-Hromada-Warm"):
            request._messages = _Untouched()  # type: ignore[attr-defined]
        return get_response(request)

    return middleware


# Where a signed-in user who still owes the second factor may go: the two-factor pages,
# signing out, the language switch, and the web app's own files.
_OPEN_BEFORE_SECOND_FACTOR = ("core:two-factor", "core:two-factor-setup", "core:logout")
_OPEN_PATHS_BEFORE_SECOND_FACTOR = ("core:set-language", "core:manifest", "core:service-worker")


LAST_SEEN = "hromada_last_seen"  # in the session: when this session last made a request
SEEN_GRANULARITY = 300  # written at most every 5 minutes, not on every request


def _idle_message(seconds: int) -> str:
    """Why the person was signed out, in whole hours, or in minutes under two hours."""
    if seconds >= 2 * 3600:
        hours = seconds // 3600
        return ngettext(
            "You were signed out after %(hours)d hour without activity. Sign in again.",
            "You were signed out after %(hours)d hours without activity. Sign in again.",
            hours,
        ) % {"hours": hours}
    minutes = max(1, seconds // 60)
    return ngettext(
        "You were signed out after %(minutes)d minute without activity. Sign in again.",
        "You were signed out after %(minutes)d minutes without activity. Sign in again.",
        minutes,
    ) % {"minutes": minutes}


def end_idle_privileged_sessions(get_response: Handler) -> Handler:
    """Sign out a session of a role that must give a second factor after
    ``PRIVILEGED_SESSION_IDLE_SECONDS`` without a request: the next request meets the
    sign-in page (the API a 401), with a message saying why; audited. Other users keep
    their session for ``SESSION_COOKIE_AGE``. Personal tokens are not sessions."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not two_factor.required(user):
            return get_response(request)
        now = int(time.time())
        seen = request.session.get(LAST_SEEN)
        if seen is not None and now - int(seen) > settings.PRIVILEGED_SESSION_IDLE_SECONDS:
            record_event("auth.session_idle_ended", actor=user, request=request, idle=now - seen)
            logout(request)
            message = _idle_message(settings.PRIVILEGED_SESSION_IDLE_SECONDS)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=401)
            messages.info(request, message)
            return redirect_to_login(request.get_full_path())
        if seen is None or now - int(seen) >= SEEN_GRANULARITY:
            request.session[LAST_SEEN] = now
        return get_response(request)

    return middleware


def require_second_factor(get_response: Handler) -> Handler:
    """Send a session that owes its second factor (``core.two_factor.required``) to the
    code page, and nowhere else. The API answers such a session 403; a personal token
    (``Authorization: Bearer``) was issued from a verified session and passes. After
    django-otp's OTPMiddleware."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or two_factor.is_verified(user)
            or not two_factor.required(user)
        ):
            return get_response(request)
        path = request.path
        if path.startswith(settings.STATIC_URL) or path in {
            reverse(name) for name in _OPEN_BEFORE_SECOND_FACTOR + _OPEN_PATHS_BEFORE_SECOND_FACTOR
        }:
            # The page is not yet this user's to keep or fetch ahead for (base.html): giving
            # the code renews the session, and a fetch-ahead still carrying the old session
            # would answer by deleting the new session's cookie.
            request.second_factor_owed = True  # type: ignore[attr-defined]
            return get_response(request)
        if path.startswith("/api/"):
            if request.headers.get("Authorization"):
                return get_response(request)
            message = _("Confirm your sign-in with the code from your authenticator app first.")
            return JsonResponse({"detail": message}, status=403)
        target = reverse(
            "core:two-factor" if two_factor.has_device(user) else "core:two-factor-setup"
        )
        if request.method == "GET" and url_has_allowed_host_and_scheme(
            request.get_full_path(), allowed_hosts={request.get_host()}
        ):
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)

    return middleware
