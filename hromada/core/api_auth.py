"""How API callers prove who they are."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from hromada.core.services import user_for_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenOrSession(HttpBearer):
    """``Authorization: Bearer hmd_…`` for scripts and the bot; the session for the browser.

    A session write must carry the CSRF token. A wrong token is refused (401) even where
    anonymous visitors are welcome, so a script never silently acts as nobody.
    """

    def __init__(self, *, anonymous: bool = False) -> None:
        self.anonymous = anonymous

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header:
            scheme, _sep, raw = header.partition(" ")
            user = self.authenticate(request, raw.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                raise AuthenticationError(401, _("This token is not valid or was revoked."))
            request.user = user
            return user
        user = request.user
        if user.is_authenticated:
            if request.method not in SAFE_METHODS and check_csrf(request) is not None:
                raise PermissionDenied(_("The CSRF token is missing or wrong. Reload the page."))
            return user
        return user if self.anonymous else None

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return user_for_token(token)


signed_in = TokenOrSession()
anyone = TokenOrSession(anonymous=True)
