"""The permission matrix reaches every page and every API operation.

Generated from the URL conf and the OpenAPI document: a new route or operation without a row
in some ``hromada/<app>/tests/matrix.py`` fails here, with the list of what has no rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from conftest import client_for
from hromada.api import api
from tests.matrix import PERSONAS
from tests.test_permission_matrix import app_matrices

# Routes no persona can walk, each with the reason. Keep this short: prefer a row.
NOT_WALKABLE: dict[str, str] = {}

METHODS = {"get", "post", "put", "patch", "delete"}


def routes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def openapi_path(route: str) -> str:
    """``api/needs/<need_id>`` -> ``/api/needs/{need_id}`` (ninja's routes carry no converter
    in the document)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


@pytest.fixture
def reached(community) -> tuple[set[str], set[tuple[str, str]]]:
    """The routes the rows reach, and the (OpenAPI path, method) pairs they call."""
    rows_routes: set[str] = set()
    operations: set[tuple[str, str]] = set()
    unresolved = []
    for module in app_matrices():
        if hasattr(module, "prepare"):
            module.prepare(community)
        for row in module.ROWS:
            path = row.path(community).split("?")[0]
            try:
                route = resolve(path).route
            except Resolver404:
                unresolved.append(f"{module.__name__}: {row.name}: {path}")
                continue
            rows_routes.add(route)
            operations.add((openapi_path(route), row.method.lower()))
    assert not unresolved, "rows whose path resolves to nothing:\n" + "\n".join(unresolved)
    return rows_routes, operations


def test_every_route_has_a_row(reached):
    rows_routes, _ = reached
    every = {r for r in routes(get_resolver()) if not r.startswith("admin/")}
    missing = sorted(every - rows_routes - set(NOT_WALKABLE))
    assert not missing, (
        f"{len(missing)} of {len(every)} routes have no row in any hromada/<app>/tests/matrix.py:\n"
        + "\n".join(f"  /{r}" for r in missing)
    )


def test_every_api_operation_has_a_row(reached):
    _, operations = reached
    schema = api.get_openapi_schema()
    every = {
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    }
    missing = sorted(every - operations)
    assert not missing, (
        f"{len(missing)} of {len(every)} API operations have no row with that method:\n"
        + "\n".join(f"  {method.upper()} {path}" for path, method in missing)
    )


def test_the_allow_list_names_only_real_routes():
    every = set(routes(get_resolver()))
    assert set(NOT_WALKABLE) <= every, set(NOT_WALKABLE) - every


# Writes a refused call may make: the audit log (append-only, it may record the attempt) and
# the session of the signed-in test client.
MAY_WRITE_WHEN_REFUSED = ('"core_auditevent"', '"django_session"')
REFUSED = {401, 403, 404}


def refused_personas(row: Any) -> list[str]:
    """Up to three who must be refused: someone who may see the object but not change it
    (403), a coordinator of another organisation, and an anonymous visitor."""
    refused = [p for p in PERSONAS if row.expect(p) in REFUSED]
    chosen = [p for p in refused if row.expect(p) == 403][:1]
    chosen += [p for p in ("other_coordinator", "anonymous") if p in refused]
    return list(dict.fromkeys(chosen))


def writes(queries: list[dict[str, str]]) -> list[str]:
    return [
        q["sql"][:160]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and not any(table in q["sql"] for table in MAY_WRITE_WHEN_REFUSED)
    ]


@pytest.mark.parametrize("module", app_matrices(), ids=lambda m: m.__name__.split(".")[1])
def test_a_refused_call_changes_nothing(community, module):
    """Every state-changing row, called by those it refuses: not one row written."""
    if hasattr(module, "prepare"):
        module.prepare(community)
    changed = []
    for row in module.ROWS:
        if row.method == "get":
            continue
        for persona in refused_personas(row):
            client = client_for(getattr(community, persona))
            path = row.path(community)  # before the capture: rows may make objects on first use
            kwargs: dict[str, Any] = {}
            if row.data:
                data = row.data(community)
                kwargs = (
                    {"data": json.dumps(data), "content_type": "application/json"}
                    if row.json
                    else {"data": data}
                )
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                response = getattr(client, row.method)(path, **kwargs)
                transaction.set_rollback(True)  # the next row starts from the same state
            if response.status_code not in REFUSED or writes(queries.captured_queries):
                changed.append(
                    f"{row.name} as {persona}: {response.status_code} "
                    f"{writes(queries.captured_queries)}"
                )
    assert not changed, "refused calls that changed something:\n" + "\n".join(changed)
