"""Sign-in throttling: guessing passwords costs time, and nobody learns which accounts exist.

Failed sign-ins are counted in the cache per account name (whether or not such an account
exists, so that a lock-out tells nothing) and per client address. After
``LOGIN_FAILURES_PER_ACCOUNT`` failures for one name, or ``LOGIN_FAILURES_PER_ADDRESS`` from
one address, within ``LOGIN_LOCKOUT_SECONDS``, sign-in is refused for the rest of that time,
even with the right password. A successful sign-in clears the name's count. Each lock-out is
written to the audit log once.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from hromada.core.services import client_ip, record_event
from hromada.lib import ratelimit


@dataclass(frozen=True)
class Locked(Exception):
    retry_after: int  # seconds

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def _window() -> int:
    return int(getattr(settings, "LOGIN_LOCKOUT_SECONDS", 15 * 60))


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "LOGIN_FAILURES_PER_ACCOUNT", 5)),
        int(getattr(settings, "LOGIN_FAILURES_PER_ADDRESS", 30)),
    )


def _keys(username: str, ip: str | None) -> tuple[str, str]:
    # Hashed: the cache (Redis, files) need not hold the names people typed.
    name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"signin:fail:name:{name}", f"signin:fail:ip:{ip or '-'}"


def _state(key: str) -> tuple[int, float]:
    """(failures, when the window started) for one key."""
    return int(cache.get(key) or 0), float(cache.get(f"{key}:t") or time.time())


def _count(key: str) -> int:
    """One more failure, atomically (two guesses at once both count)."""
    window = _window()
    cache.add(f"{key}:t", time.time(), window)  # the window runs from the first failure
    cache.add(key, 0, window)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        failures = 1
    return failures


def check_allowed(username: str, request: HttpRequest | None) -> None:
    """Raise ``Locked`` while this name or address is locked out."""
    per_name, per_ip = _limits()
    name_key, ip_key = _keys(username, client_ip(request))
    now = time.time()
    for key, limit in ((name_key, per_name), (ip_key, per_ip)):
        failures, started = _state(key)
        if failures >= limit:
            raise Locked(retry_after=max(1, int(started + _window() - now)))


def record_failure(username: str, request: HttpRequest | None) -> None:
    """Count one failed sign-in for the name and the address; audit a new lock-out."""
    per_name, per_ip = _limits()
    ip = client_ip(request)
    for key, limit, kind in zip(
        _keys(username, ip), (per_name, per_ip), ("name", "address"), strict=True
    ):
        if _count(key) == limit:
            record_event(
                "signin.locked",
                request=request,
                by=kind,
                username=username.strip()[:150] if kind == "name" else "",
                failures=limit,
            )


def record_success(username: str, request: HttpRequest | None) -> None:
    name_key = _keys(username, client_ip(request))[0]
    cache.delete_many([name_key, f"{name_key}:t"])


def allow_reset(email: str, request: HttpRequest | None) -> bool:
    """Whether to send another password-reset mail: at most a few to one address
    (``reset-mail`` in ``hromada.lib.ratelimit``) and ten times that from one client
    (``reset-address``), so that nobody floods an inbox."""
    mail = hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]
    counts = [
        ratelimit.hit("reset-mail", f"mail:{mail}").allowed,
        ratelimit.hit("reset-address", ratelimit.client_key(ip=client_ip(request)) or "-").allowed,
    ]
    return all(counts)
