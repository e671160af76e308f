"""Shared fixtures: test settings, and the personas every permission test walks through.

The community: a council (municipality) with a public office, a members-only school and a
restricted shelter; a hospital; a volunteer group with a public hub; another NGO.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client, override_settings

from hromada.core.models import Area, Organization, Place, Role, Sensitivity
from hromada.core.tests.factories import (
    PASSWORD,
    make_area,
    make_organization,
    make_place,
    make_user,
    sign_in,
)


@pytest.fixture(autouse=True, scope="session")
def _test_settings():
    # WhiteNoise warns on every request when collectstatic has never run; tests use finders.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            # Uploads waiting for their preview and commit: in memory, not piling up in var/.
            "aid_imports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "funds_imports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        },
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    ):
        yield


@pytest.fixture
def community(db):
    oblast = make_area(
        code="UA59000000000000001",
        name_uk="Сумська область",
        name_en="Sumy Oblast",
        level=Area.Level.OBLAST,
    )
    hromada = make_area(
        code="UA59020130000000001",
        name_uk="Охтирська громада",
        name_en="Okhtyrka Hromada",
        level=Area.Level.HROMADA,
        parent=oblast,
    )
    town = make_area(
        code="UA59020130010000001", name_uk="Охтирка", name_en="Okhtyrka", parent=hromada
    )
    village = make_area(
        code="UA59020130170000001",
        name_uk="Стара Іванівка",
        name_en="Stara Ivanivka",
        parent=hromada,
    )

    council = make_organization(name="Міська рада", kind=Organization.Kind.MUNICIPALITY)
    hospital = make_organization(name="Лікарня", kind=Organization.Kind.HOSPITAL, parent=council)
    hq = make_organization(name="Волонтерський штаб", kind=Organization.Kind.VOLUNTEER_GROUP)
    other = make_organization(name="Інша ГО", kind=Organization.Kind.NGO)

    c = SimpleNamespace(
        oblast=oblast,
        hromada=hromada,
        town=town,
        village=village,
        council=council,
        hospital=hospital,
        hq=hq,
        other=other,
    )
    c.office = make_place(
        name="Міська рада", kind=Place.Kind.OFFICE, organization=council, area=town
    )
    c.shelter = make_place(
        name="Укриття № 1",
        kind=Place.Kind.BOMB_SHELTER,
        organization=council,
        area=town,
        sensitivity=Sensitivity.RESTRICTED,
    )
    c.school = make_place(
        name="Школа № 5",
        kind=Place.Kind.SCHOOL,
        organization=council,
        area=town,
        sensitivity=Sensitivity.MEMBERS,
    )
    c.ward = make_place(name="Лікарня", kind=Place.Kind.HOSPITAL, organization=hospital, area=town)
    c.hub = make_place(
        name="Пункт видачі", kind=Place.Kind.DISTRIBUTION, organization=hq, area=village
    )
    c.other_point = make_place(name="Пункт іншої ГО", organization=other, area=village)

    c.coordinator = make_user(username="coordinator", roles={council: [Role.COORDINATOR]})
    c.org_admin = make_user(username="orgadmin", roles={council: [Role.ORG_ADMIN]})
    c.doctor = make_user(username="doctor", roles={hospital: [Role.COORDINATOR]})
    c.volunteer = make_user(username="volunteer", roles={hq: [Role.VOLUNTEER]})
    c.caseworker = make_user(username="caseworker", roles={other: [Role.CASEWORKER]})
    c.analyst = make_user(username="analyst", roles={council: [Role.ANALYST]})
    c.alert_author = make_user(username="author", roles={council: [Role.ALERT_AUTHOR]})
    c.alert_approver = make_user(username="approver", roles={council: [Role.ALERT_APPROVER]})
    c.other_coordinator = make_user(username="othercoord", roles={other: [Role.COORDINATOR]})
    c.outsider = make_user(username="outsider")
    c.superuser = make_user(username="root", is_superuser=True, is_staff=True)
    c.anonymous = AnonymousUser()
    return c


def client_for(user) -> Client:
    """A browser signed in as ``user`` (anonymous when it is not a saved user)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if getattr(user, "pk", None):
        sign_in(client, user)
    return client


@pytest.fixture
def as_user():
    return client_for


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    """Every test starts with no rate-limit counts (hromada.lib.ratelimit): the test cache
    lives for the whole session, and many tests post the same public form from one address.
    The limits' clock stands still 20.5 minutes into an hour, so that a test's calls never
    straddle the turn of a window and a Retry-After is the same on every call."""
    from django.core.cache import cache

    from hromada.lib import ratelimit

    cache.clear()
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0 + 1230.5)


@pytest.fixture(autouse=True)
def _language_of_the_test():
    """Each test starts in English, whatever the test before it asked for: a request leaves
    its language active in the thread (LocaleMiddleware), so without this a service's
    message came out English or Ukrainian depending on the order the tests ran in. Tests of
    Ukrainian text say so (``translation.override("uk")`` or ``Accept-Language: uk``)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
