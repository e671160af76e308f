"""Rate limits: how often one client may use a public form or a search.

One counter per scope and client in the shared cache (Redis in production, so it holds across
web processes), in fixed windows aligned to the clock: at most ``count`` calls from 12:00:00 to
12:59:59, then a fresh count. ``cache.add`` then ``cache.incr`` is atomic on Redis and in
memory, so two submissions at the same moment both count. A fixed window lets a client make up
to twice the count around the turn of the window; that is the price of one cache round trip per
call, and these limits are about floods, not about exact fairness.

The client is the signed-in user (by id), otherwise the client's address, hashed (the cache
need not hold who visited). A signed-in user is known and answerable, and may be a caseworker
or a coordinator typing in what callers say on the phone: an account gets ten times an
address's count (``SIGNED_IN_FACTOR``), except in the scopes already counted per account
(``PER_ACCOUNT``). A call made by code (a service called without an address and without a
signed-in user: the bot, the demo, tests) is never limited.

The numbers below are generous on purpose. After a strike a whole shelter may sit behind one
address (the shelter's wifi, or a phone operator's carrier-grade NAT): fifty people offering
help, asking after relatives and reporting damage from one connection must all get through;
what the limits stop is a script filing hundreds of offers or inquiries, flooding reviewers and
the inboxes confirmations go to, or walking the contact directory.

=================== ======== ========== =====================================================
scope               count    window     why this number
=================== ======== ========== =====================================================
pledge              20       1 hour     a collection drive at a school offers many lots
inquiry             10       1 hour     a family asks after several relatives; each one is
                                        read by a caseworker
volunteer-signup    10       1 hour     a shelter signs up its residents one by one
volunteer-apply     10       1 hour     applications from abroad: each goes to a reviewer
incident-report     10       1 hour     anonymous only (signed-in reporters are known);
                                        each waits for an analyst
alert-subscribe     10       1 hour     every subscription sends a confirmation message
reset-mail          3        1 hour     password-reset mails to one address (an inbox
                                        flood otherwise); ``PASSWORD_RESETS_PER_HOUR``
reset-address       30       1 hour     password-reset requests from one client
search              120      1 minute   a text search (needs, incidents, registries): two
                                        a second, typing included, for a shared address
directory-search    60       1 minute   the contact directory, the easiest to scrape
tracing-search      30       1 minute   a caseworker's search for a person, per user;
                                        ``TRACING_SEARCHES_PER_MINUTE``
bot-update          30       1 minute   Telegram updates from one Telegram user
=================== ======== ========== =====================================================

The address is the visitor's (``hromada.core.services.client_ip``): the connection's, or behind
our reverse proxy (``TRUSTED_PROXIES``) the right-most X-Forwarded-For address that is not a
proxy. Without that setting behind a proxy, every anonymous visitor shares one count.

Override any of them in settings: ``RATE_LIMITS = {"pledge": (40, 3600)}`` (count, seconds).
A scope's count of 0 refuses every call; to lift a limit give a large count.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from hromada.core.services import client_ip

HOUR = 3600
MINUTE = 60

DEFAULTS: dict[str, tuple[int, int]] = {
    "pledge": (20, HOUR),
    "inquiry": (10, HOUR),
    "volunteer-signup": (10, HOUR),
    "volunteer-apply": (10, HOUR),
    "incident-report": (10, HOUR),
    "alert-subscribe": (10, HOUR),
    "reset-mail": (3, HOUR),
    "reset-address": (30, HOUR),
    "search": (120, MINUTE),
    "directory-search": (60, MINUTE),
    "tracing-search": (30, MINUTE),
    "bot-update": (30, MINUTE),
}

# Settings that set one count before RATE_LIMITS existed; still honoured (RATE_LIMITS wins).
LEGACY_SETTINGS = {
    "tracing-search": "TRACING_SEARCHES_PER_MINUTE",
    "reset-mail": "PASSWORD_RESETS_PER_HOUR",
}

SEARCHES = {"search", "directory-search", "tracing-search"}
PER_ACCOUNT = {"tracing-search", "bot-update"}
SIGNED_IN_FACTOR = 10


def rule(scope: str) -> tuple[int, int]:
    """(count, window in seconds) for a scope, settings first."""
    override = getattr(settings, "RATE_LIMITS", {}).get(scope)
    if override is not None:
        count, seconds = override
        return int(count), int(seconds)
    count, seconds = DEFAULTS[scope]
    legacy = LEGACY_SETTINGS.get(scope)
    if legacy is not None and hasattr(settings, legacy):
        count = int(getattr(settings, legacy))
    return count, seconds


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until a call is allowed again; 0 when this one was


class RateLimited(PermissionDenied):
    """Too many calls: wait ``retry_after`` seconds. Pages answer 429 with the form as it was
    typed; the API answers 429 ``{"detail": ...}`` with a Retry-After header. A refusal nobody
    catches is at least a 403, never a crash."""

    def __init__(self, scope: str, retry_after: int) -> None:
        self.scope = scope
        self.retry_after = retry_after
        super().__init__(scope, retry_after)

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))

    @property
    def message(self) -> str:
        minutes = self.minutes
        if self.scope in SEARCHES:
            text = ngettext(
                "Too many searches. Try again in %(minutes)s minute.",
                "Too many searches. Try again in %(minutes)s minutes.",
                minutes,
            )
        else:
            text = ngettext(
                "Too many attempts from this connection. Try again in %(minutes)s minute.",
                "Too many attempts from this connection. Try again in %(minutes)s minutes.",
                minutes,
            )
        return text % {"minutes": minutes}

    def __str__(self) -> str:
        return self.message


def client_key(actor: Any = None, ip: str | None = None) -> str | None:
    """Who is counted: the signed-in user, else the address (hashed); None for code."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return f"user:{actor.pk}"
    if ip:
        return "ip:" + hashlib.sha256(ip.encode()).hexdigest()[:24]
    return None


def clock() -> float:
    """The time windows are counted in (tests pin it to the middle of a window)."""
    return time.time()


def hit(scope: str, who: str, *, now: float | None = None) -> Decision:
    """Count one call of ``who`` in ``scope``; whether it is within the limit."""
    count, window = rule(scope)
    if who.startswith("user:") and scope not in PER_ACCOUNT:
        count *= SIGNED_IN_FACTOR
    now = clock() if now is None else now
    start = int(now // window) * window
    left = start + window - now  # seconds until the window turns
    key = f"ratelimit:{scope}:{who}:{start}"
    timeout = math.ceil(left) + 1
    cache.add(key, 0, timeout)
    try:
        calls = int(cache.incr(key))
    except ValueError:  # the entry expired (or was evicted) between add and incr
        cache.set(key, 1, timeout)
        calls = 1
    if calls <= count:
        return Decision(True, 0)
    return Decision(False, max(1, math.ceil(left)))


def check(
    scope: str,
    *,
    actor: Any = None,
    ip: str | None = None,
    request: HttpRequest | None = None,
    now: float | None = None,
) -> None:
    """Count one call and raise ``RateLimited`` past the scope's limit. The client is the
    signed-in ``actor`` (or the request's user), else ``ip`` (or the request's address)."""
    if request is not None:
        actor = actor if actor is not None else getattr(request, "user", None)
        ip = ip or client_ip(request)
    who = client_key(actor, ip)
    if who is None:
        return
    decision = hit(scope, who, now=now)
    if not decision.allowed:
        raise RateLimited(scope, decision.retry_after)


def refuse(response: HttpResponse, limited: RateLimited) -> HttpResponse:
    """Mark a page's answer as a refusal: 429 with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(limited.retry_after)
    return response


def too_many_page(request: HttpRequest, limited: RateLimited) -> HttpResponse:
    """The page shown when a limited call has no form to show again."""
    return refuse(TemplateResponse(request, "429.html", {"message": limited.message}), limited)


def rate_limited(
    scope: str, *, when: Callable[[HttpRequest], bool] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view counted in ``scope`` (only the requests for which ``when`` is true), answering
    the 429 page past the limit. Also catches a ``RateLimited`` raised by the view's service."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if when is None or when(request):
                    check(scope, request=request)
                return view(request, *args, **kwargs)
            except RateLimited as limited:
                return too_many_page(request, limited)

        return wrapped

    return decorate


def check_search(request: HttpRequest, q: str | None, *, scope: str = "search") -> None:
    """Count an API search by text (a non-empty ``q``) like the page's: same scope, same bucket."""
    if q and q.strip():
        check(scope, request=request)


def searching(request: HttpRequest) -> bool:
    """A request that searches by text (``?q=``), not one that only lists or filters."""
    return bool(request.GET.get("q", "").strip())
