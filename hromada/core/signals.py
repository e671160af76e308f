"""Logins, logouts and failed logins go to the audit log."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from hromada.core.middleware import LAST_SEEN
from hromada.core.services import record_event


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event("auth.login", actor=user, request=request)
    session = getattr(request, "session", None)
    if session is not None:  # signing in is activity (core.middleware.end_idle_privileged_sessions)
        session[LAST_SEEN] = int(time.time())


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event("auth.logout", actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    record_event(
        "auth.login_failed", request=request, username=str(credentials.get("username", ""))[:150]
    )
