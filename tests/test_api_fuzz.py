"""Every operation of /api/openapi.json fuzzed by schemathesis: no 5xx, every answer as documented.

The document is loaded once, through the WSGI application, when this module is collected;
each operation then becomes two tests (an anonymous caller, and a council coordinator with a
personal token) that send a bounded number of generated requests, from a FIXED seed, to the
in-process application on the test database with the demo community loaded. Each test runs
in its own transaction, rolled back afterwards, so one operation's writes never feed another.

Why in process and not against `tests/liveserver.py`: the live server strips DATABASE_URL and
always runs on SQLite, and takes a minute to set up; in process the same requests reach the
same middleware, routers and services, on whichever database the suite runs (SQLite in
`make test`, PostgreSQL in CI's second pass), within the time budget.

Checks: no 5xx; the status code, content type and body as the document says. A failure
prints the seed and the command that replays exactly the same requests for that operation:
HROMADA_FUZZ_SEED=<seed> HROMADA_FUZZ_ONLY="POST /api/needs" .venv/bin/python -m pytest
tests/test_api_fuzz.py (HROMADA_FUZZ_EXAMPLES sets how many requests per operation; another
seed explores further).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import fuzz_data

SEED = int(os.environ.get("HROMADA_FUZZ_SEED", "20261206"))
EXAMPLES = int(os.environ.get("HROMADA_FUZZ_EXAMPLES", "8"))
ONLY = os.environ.get("HROMADA_FUZZ_ONLY", "")  # e.g. "POST /api/needs,GET /api/needs"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json",
    app,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "generation": {"max-examples": EXAMPLES, "mode": "all"},
        }
    ),
)
if ONLY:
    schema = schema.include(name=ONLY.split(","))


@schema.hook
def before_generate_path_parameters(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[dict[str, Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """Half the time, ids of rows that exist: a random id only ever meets a 404."""
    operation = context.operation
    if operation is None:
        return strategy
    path = operation.path
    return strategy.flatmap(
        lambda generated: st.one_of(
            st.just(generated),
            fuzz_data.existing_path_parameters(path, generated)
            if isinstance(generated, dict)
            else st.just(generated),
        )
    )


@pytest.fixture(scope="module")
def demo_town(django_db_setup: None, django_db_blocker: Any) -> Iterator[fuzz_data.Town]:
    """The demo community, loaded once for the module and rolled back after it."""
    # The WSGI handler closes the connection after each request, which would end the test's
    # transaction; Django's test client keeps it open the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            town = fuzz_data.load()
            yield town
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fresh(demo_town: fuzz_data.Town, db: None) -> fuzz_data.Town:
    cache.clear()  # rate limits and throttles start afresh for every operation
    return demo_town


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def _call(case: schemathesis.Case, headers: dict[str, str]) -> None:
    try:
        case.call_and_validate(
            headers={"Accept-Language": "en", "Accept-Encoding": "identity", **headers},
            checks=CHECKS,
        )
    except Exception as error:
        error.add_note(
            f"API fuzz seed {SEED}. Replay the same requests: "
            f"HROMADA_FUZZ_SEED={SEED} HROMADA_FUZZ_EXAMPLES={EXAMPLES} "
            f'HROMADA_FUZZ_ONLY="{case.operation.label}" '
            ".venv/bin/python -m pytest tests/test_api_fuzz.py -p no:cacheprovider"
        )
        raise


@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous_caller(case: schemathesis.Case, fresh: fuzz_data.Town) -> None:
    _call(case, {})


@schema.parametrize()
@FUZZ_SETTINGS
def test_coordinator_with_token(case: schemathesis.Case, fresh: fuzz_data.Town) -> None:
    _call(case, {"Authorization": f"Bearer {fresh.token}"})
