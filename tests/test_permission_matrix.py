"""Every page and API operation, walked by every persona.

Rows live beside each app in ``hromada/<app>/tests/matrix.py`` (see tests/matrix.py). Adding
an endpoint means adding a row: the matrix is how we know nobody forgot a permission check.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from conftest import client_for
from tests.matrix import PERSONAS, Row


def app_matrices() -> list[Any]:
    modules = []
    for app in settings.INSTALLED_APPS:
        if app.startswith("hromada."):
            try:
                modules.append(importlib.import_module(f"{app}.tests.matrix"))
            except ModuleNotFoundError as error:
                if error.name != f"{app}.tests.matrix":
                    raise
    return modules


CASES = [(module, row) for module in app_matrices() for row in module.ROWS]


def call(community: Any, row: Row, persona: str) -> Any:
    client = client_for(getattr(community, persona))
    kwargs: dict[str, Any] = {}
    if row.data:
        data = row.data(community)
        kwargs = (
            {"data": json.dumps(data), "content_type": "application/json"}
            if row.json
            else {"data": data}
        )
    return getattr(client, row.method)(row.path(community), **kwargs)


@pytest.mark.parametrize(
    ("module", "row"), CASES, ids=[f"{m.__name__.split('.')[1]}: {r.name}" for m, r in CASES]
)
def test_each_persona_gets_exactly_what_it_may(community, module, row: Row):
    """Every persona calls the row's endpoint on the same town, each in a savepoint that is
    rolled back: what one persona's call changes, the next never sees (as if each had a test
    of its own, without building the town twelve times)."""
    if hasattr(module, "prepare"):
        module.prepare(community)
    # Rows may create their objects on first use: create them here, outside the savepoints.
    row.path(community)
    if row.data:
        row.data(community)
    wrong = []
    for persona in PERSONAS:
        with transaction.atomic():
            response = call(community, row, persona)
            transaction.set_rollback(True)
        if response.status_code != row.expect(persona):
            wrong.append(
                f"{persona}: {response.status_code}, not {row.expect(persona)}: "
                f"{response.content[:200]!r}"
            )
    assert not wrong, "\n".join(wrong)


def test_every_app_with_urls_has_matrix_rows():
    apps_with_matrix = {m.__name__.split(".")[1] for m in app_matrices()}
    assert {
        "core",
        "aid",
        "volunteers",
        "reports",
        "alerts",
        "tracing",
        "bot",
        "funds",
    } <= apps_with_matrix
