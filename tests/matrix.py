"""The role x endpoint matrix: each app lists its pages and API operations, and for each
persona the status it must get. ``tests/test_permission_matrix.py`` walks them all.

An app contributes ``hromada/<app>/tests/matrix.py`` with ``ROWS: list[Row]`` and, when its
rows need objects, ``prepare(community)`` that creates them on the ``community`` namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PERSONAS = [
    "anonymous", "outsider", "volunteer", "coordinator", "org_admin", "doctor", "caseworker",
    "analyst", "alert_author", "alert_approver", "other_coordinator", "superuser",
]  # fmt: skip
# Members of the council (the organisation that owns the restricted shelter), and the superuser.
COUNCIL = {"coordinator", "org_admin", "analyst", "alert_author", "alert_approver", "superuser"}
# Those who may run the council's needs and stock.
MANAGERS = {"coordinator", "org_admin", "superuser"}
MEMBERS = set(PERSONAS) - {"anonymous", "outsider"}
# Coordinators of any organisation (each runs its own places).
ANY_COORDINATOR = MANAGERS | {"doctor", "other_coordinator"}

Expect = Callable[[str], int]


def everyone(status: int) -> Expect:
    return lambda persona: status


def only(personas: set[str], ok: int, *, others: int = 403, anonymous: int | None = None) -> Expect:
    """``ok`` for ``personas``; ``others`` for the rest; ``anonymous`` (default: like others)."""

    def expect(persona: str) -> int:
        if persona in personas:
            return ok
        if persona == "anonymous" and anonymous is not None:
            return anonymous
        return others

    return expect


def page_for(personas: set[str], ok: int) -> Expect:
    """A page: ``ok`` for ``personas``, 403 for other signed-in users, sign-in for anonymous."""
    return only(personas, ok, others=403, anonymous=302)


def api_for(personas: set[str], ok: int) -> Expect:
    """An API operation: ``ok`` for ``personas``, 403 for other callers, 401 for anonymous."""
    return only(personas, ok, others=403, anonymous=401)


def hidden_from_others(personas: set[str], ok: int) -> Expect:
    """What others may not even know about: 404."""
    return only(personas, ok, others=404)


def signed_in(ok: int, anonymous: int) -> Expect:
    return lambda persona: anonymous if persona == "anonymous" else ok


@dataclass
class Row:
    name: str
    method: str
    path: Callable[[Any], str]
    expect: Expect
    data: Callable[[Any], dict[str, Any]] | None = None
    json: bool = False
