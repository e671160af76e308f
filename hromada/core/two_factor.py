"""Two-factor sign-in: a code from an authenticator app for everyone who can do harm.

Who must give a second factor: superusers and staff, and anyone holding a role that reaches
people's whereabouts or speaks for the town — coordinators (shelters, restricted places),
caseworkers (tracing records), alert approvers (what every screen shows), organisation
admins (who grant all of these). Volunteers, analysts and alert authors sign in with a
password alone (no extra query on their pages); a role granted later asks for the second
factor on the next page.

The factor is TOTP (RFC 6238) through django-otp: a key shown once as a QR code and as
text, confirmed by a first code; ten one-time recovery codes for a lost phone. A session is
"verified" once a code was accepted in it (django-otp keeps the device in the session); the
middleware ``core.middleware.require_second_factor`` sends an unverified session of such a
user to these pages and nowhere else. Wrong codes slow down (django-otp's throttling doubles
the wait after each failure) and are written to the audit log, as are enrolments, recovery
codes used and resets.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote

import segno
from django.contrib.auth import user_logged_in
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from hromada.core import permissions
from hromada.core.models import Role, User
from hromada.core.services import record_event

ROLES_REQUIRING_2FA = (Role.COORDINATOR, Role.CASEWORKER, Role.ALERT_APPROVER, Role.ORG_ADMIN)
RECOVERY_CODES = 10
ISSUER = "Hromada"


def required(user: Any) -> bool:
    """Must this user give a second factor before anything else?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return permissions.has_any_role(user, *ROLES_REQUIRING_2FA)


def is_verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


PENDING_KEY = "two_factor_pending_key"


def pending_device(request: HttpRequest) -> TOTPDevice:
    """The key being set up, kept in the session (not the database) until its first code is
    right: a reload shows the same QR code, and an abandoned set-up leaves nothing behind."""
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = default_key()
    return TOTPDevice(user=request.user, name="authenticator", key=key, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it by hand: base32 in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def provisioning_uri(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    return (
        f"otpauth://totp/{label}?secret={secret}&issuer={ISSUER}"
        f"&digits={device.digits}&period={device.step}"
    )


def qr_data_uri(device: TOTPDevice) -> str:
    """The key as a QR code in an SVG data: URI (drawn here: no request leaves the page)."""
    qr = segno.make(provisioning_uri(device), error="m")
    return str(qr.svg_data_uri(scale=4, border=2, dark="#000", light="#fff"))


def _clean(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def _mark_verified(request: HttpRequest, device: Any) -> None:
    # A new session key once the second factor is in: a key seen before it is worth nothing.
    request.session.cycle_key()
    otp_login(request, device)


@transaction.atomic
def confirm_enrolment(request: HttpRequest, code: str) -> list[str] | None:
    """Confirm the key being set up with its first code. Returns the recovery codes, or None
    when the code is wrong."""
    user = request.user
    pending = pending_device(request)
    totp = TOTP(pending.bin_key, pending.step, pending.t0, pending.digits, pending.drift)
    token = _clean(code)
    if not (token.isdigit() and totp.verify(int(token), pending.tolerance)):
        record_event("2fa.failed", request=request, stage="enrolment")
        return None
    # One authenticator at a time: an older key (a lost phone) stops working.
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name="authenticator", key=pending.key, confirmed=True, last_t=totp.t()
    )
    del request.session[PENDING_KEY]
    codes = _new_recovery_codes(device.user)
    _mark_verified(request, device)
    record_event("2fa.enrolled", request=request)
    return codes


def verify(request: HttpRequest, code: str) -> bool:
    """Accept a code from the authenticator, or one recovery code (used up)."""
    user = request.user
    token = _clean(code)
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        with transaction.atomic():
            locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            if token.isdigit() and locked.verify_token(token):
                _mark_verified(request, locked)
                record_event("2fa.verified", request=request)
                return True
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        with transaction.atomic():
            locked_static = StaticDevice.objects.select_for_update().get(pk=static.pk)
            if locked_static.verify_token(token):
                _mark_verified(request, locked_static)
                left = locked_static.token_set.count()
                record_event("2fa.recovery_code_used", request=request, left=left)
                return True
    record_event("2fa.failed", request=request, stage="sign-in")
    return False


def wait_seconds(user: User) -> int:
    """Seconds before another code is tried (django-otp's throttling after wrong codes)."""
    waits = [0]
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return max(waits)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def regenerate_recovery_codes(request: HttpRequest) -> list[str]:
    """New recovery codes replace the old ones (only from a verified session)."""
    codes = _new_recovery_codes(request.user)  # type: ignore[arg-type]
    record_event("2fa.recovery_codes_renewed", request=request)
    return codes


@transaction.atomic
def reset(user: User, *, actor: Any = None, reason: str = "") -> int:
    """Forget a user's second factor (a lost phone): they set up a new one at next sign-in."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    record_event("2fa.reset", actor=actor, obj=user, reason=reason)
    return removed


def install_device(user: User, *, key: str, name: str) -> TOTPDevice:
    """A confirmed key given from outside (the demo's published key)."""
    try:
        binascii.unhexlify(key)
    except binascii.Error as error:
        raise ValueError("the key must be hexadecimal") from error
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=name, key=key, confirmed=True)


def _forget_device_on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """A new password sign-in starts unverified, even in a session that was verified before."""
    if request is not None and hasattr(request, "session") and not hasattr(user, "otp_device"):
        request.session.pop(DEVICE_ID_SESSION_KEY, None)


user_logged_in.connect(_forget_device_on_login, dispatch_uid="hromada-2fa-login")
