"""Operations on core rows: the audit log, personal API tokens, the user's preferences."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from hromada.core.models import ApiToken, AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: the connection's, or, when that is one of our own proxies
    (``TRUSTED_PROXIES``), the right-most address in X-Forwarded-For that is not one of
    them. Entries further left are the client's to write, so they are never believed."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if hop not in trusted:
            return hop[:45]
    return remote


def record_event(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one event to the audit log. ``actor`` defaults to the request's user."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        ip=client_ip(request),
        details=details,
    )


@transaction.atomic
def issue_token(
    user: User, name: str, *, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and never stored."""
    raw = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], digest=ApiToken.digest_of(raw), hint=raw[:8]
    )
    record_event("token.issued", actor=user, obj=token, request=request)
    return token, raw


@transaction.atomic
def revoke_token(user: User, token: ApiToken, *, request: HttpRequest | None = None) -> None:
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event("token.revoked", actor=user, obj=token, request=request)


def user_for_token(raw: str) -> User | None:
    """The active user behind a raw token, or None. Marks the token used."""
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(digest=ApiToken.digest_of(raw))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write at most once a minute per token: reads must not become a write storm.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def update_preferences(user: User, **fields: Any) -> User:
    allowed = {"name", "phone", "language", "time_zone"}
    for field, value in fields.items():
        if field not in allowed:
            raise ValueError(field)
        setattr(user, field, value)
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=list(fields))
    return user
