"""make_<thing>(**overrides): the smallest valid row, with anything changed that a test names."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from hromada.core.models import Area, Membership, Organization, Place, Role, Sensitivity, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_user(*, roles: dict[Organization, list[str]] | None = None, **overrides: Any) -> User:
    n = next(_seq)
    fields: dict[str, Any] = {"username": f"user{n}", "name": f"Користувач {n}"}
    fields.update(overrides)
    user = User(**fields)
    user.set_password(PASSWORD)
    user.save()
    for org, org_roles in (roles or {}).items():
        Membership.objects.create(user=user, organization=org, roles=[str(r) for r in org_roles])
    return user


def make_organization(**overrides: Any) -> Organization:
    fields: dict[str, Any] = {"name": f"Організація {next(_seq)}", "kind": Organization.Kind.NGO}
    fields.update(overrides)
    return Organization.objects.create(**fields)


def make_area(*, parent: Area | None = None, **overrides: Any) -> Area:
    n = next(_seq)
    fields: dict[str, Any] = {
        "code": f"UA{n:017d}",
        "name_uk": f"Місто {n}",
        "name_en": f"Town {n}",
        "level": Area.Level.SETTLEMENT,
        "parent": parent,
    }
    fields.update(overrides)
    return Area.objects.create(**fields)


def make_place(
    *, organization: Organization | None = None, area: Area | None = None, **overrides: Any
) -> Place:
    fields: dict[str, Any] = {
        "name": f"Місце {next(_seq)}",
        "kind": Place.Kind.HUB,
        "organization": organization or make_organization(),
        "area": area or make_area(),
        "sensitivity": Sensitivity.PUBLIC,
        "latitude": Decimal("50.31"),
        "longitude": Decimal("34.89"),
    }
    fields.update(overrides)
    return Place.objects.create(**fields)


def make_membership(user: User, organization: Organization, *roles: str) -> Membership:
    return Membership.objects.create(
        user=user, organization=organization, roles=list(roles or [Role.VOLUNTEER])
    )


def sign_in(client: Any, user: User) -> Any:
    """Sign ``client`` in as ``user`` as the pages do: the password, then (where the user's
    roles ask for it) the code from a confirmed authenticator."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hromada.core import two_factor

    client.force_login(user)
    if two_factor.required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
