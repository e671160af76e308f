"""SIGKILL in the middle of a write: nothing half-done is left, and a retry does it once.

Each case arms the real server (or the real task worker) with a crashpoint placed inside
the operation's transaction, after its first write and before its commit (see
hromada/lib/crashpoints.py), makes the request a user would make, and watches the
connection drop and the process die. Then it reads the database (the stock ledger agrees
with its levels, nothing of the half-done work is there, SQLite's file is sound), starts the
server again without the crashpoint, sends the very same request (same Idempotency-Key),
checks the work is done, and sends it once more to check it is not done twice.

One set-up var dir and database serve the whole module (`hromada setup` takes most of its
time); each case works on its own objects. On PostgreSQL (DATABASE_URL set for the suite)
a fresh database is created beside the suite's and dropped at the end.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.crash.harness import SIGKILLED, Deployment, Server, crash, killed, wait_for

# A coordinator's import of needs. The importer takes at most 50,000 rows a file
# (hromada.aid.imports.MAX_ROWS); the suite sends fewer to stay quick, and
# HROMADA_CRASH_IMPORT_ROWS=50000 runs the full size (twice: two files of 50,000 rows).
IMPORT_ROWS = int(os.environ.get("HROMADA_CRASH_IMPORT_ROWS", "1000"))
IMPORT_FILES = 2 if IMPORT_ROWS >= 50_000 else 1


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    with tempfile.TemporaryDirectory(prefix="hromada-crash-", ignore_cleanup_errors=True) as tmp:
        deployment = Deployment(Path(tmp), os.environ.get("DATABASE_URL"))
        deployment.setup()
        try:
            yield deployment
        finally:
            deployment.teardown()


@pytest.fixture(scope="module")
def world(deployment: Deployment) -> dict[str, Any]:
    return deployment.probe("world")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def restarted(deployment: Deployment) -> Iterator[Callable[[], Server]]:
    """The server without a crashpoint, started the first time a case needs it (right after
    the first crash: a restart) and kept for the later cases, as the web process that
    outlived its killed sibling. Each start costs seconds; this keeps the module quick."""
    with contextlib.ExitStack() as stack:
        started: list[Server] = []

        def get() -> Server:
            if not started:
                started.append(stack.enter_context(deployment.server()))
            return started[0]

        yield get


def _csrf(client: httpx.Client, page: str) -> str:
    """Open the page as the user would, and take the form's CSRF token from it."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    assert match, f"no form on {page}"
    return match.group(1)


def _post_form(
    server: Server,
    session: str,
    *,
    page: str,
    action: str,
    key: str,
    data: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
) -> httpx.Response:
    with server.client(session=session) as client:
        token = _csrf(client, page)
        return client.post(
            action,
            data={"csrfmiddlewaretoken": token, **(data or {})},
            files=files,
            headers={"Idempotency-Key": key},
        )


def _assert_sound(deployment: Deployment) -> dict[str, Any]:
    """The database opens, checks clean, and the stock levels agree with the ledger."""
    assert deployment.probe("integrity") == "ok"
    ledger = deployment.probe("ledger")
    assert ledger["drift"] == [], ledger["drift"]
    return ledger  # type: ignore[no-any-return]


# (a) A stock transfer ---------------------------------------------------------------------


def test_a_transfer_killed_mid_write_leaves_the_ledger_whole_and_its_retry_moves_once(
    deployment: Deployment, world: dict[str, Any], restarted: Callable[[], Server]
) -> None:
    hub, depot, flour = world["hub"], world["depot"], world["flour"]
    session = world["sessions"]["coordinator"]
    before = _assert_sound(deployment)

    def transfer(server: Server) -> httpx.Response:
        return _post_form(
            server,
            session,
            page=f"/stock/{hub}/",
            action=f"/stock/{hub}/transfer/",
            key="crash-transfer-0001",
            data={
                "transfer-item": flour,
                "transfer-quantity": "10",
                "transfer-to_place": depot,
                "transfer-note": "to the depot",
            },
        )

    with deployment.server("aid.stock.move") as server:
        # The hub's level is already lowered and the depot's raised; the move is not written.
        crash(server, lambda: transfer(server))
    after_crash = _assert_sound(deployment)
    assert after_crash == before  # neither level changed, no move in the ledger

    server = restarted()
    retried = transfer(server)
    assert retried.status_code == 302, retried.text[:2000]
    done = _assert_sound(deployment)
    assert done["moves"] == before["moves"] + 1
    assert done["levels"][f"{hub}:{flour}"] == "950"  # 960 after the delivery was loaded
    assert done["levels"][f"{depot}:{flour}"] == "10"

    again = transfer(server)
    assert (again.status_code, again.headers["Location"]) == (302, retried.headers["Location"])
    assert _assert_sound(deployment) == done


# (b) A delivery confirmed at the door, with its photo ----------------------------------------


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def test_b_delivery_killed_mid_confirmation_stays_on_the_road_and_its_retry_delivers_once(
    deployment: Deployment, world: dict[str, Any], restarted: Callable[[], Server]
) -> None:
    pk = world["delivery"]
    session = world["sessions"]["driver"]
    lines = {f"line_{line}": quantity for line, quantity in world["lines"].items()}
    photo = _photo()
    before = deployment.probe("delivery", pk)
    assert before["status"] == "picked_up"

    def deliver(server: Server) -> httpx.Response:
        return _post_form(
            server,
            session,
            page=f"/deliveries/{pk}/",
            action=f"/deliveries/{pk}/deliver/",
            key="crash-delivery-0001",
            data={"recipient_name": "Олена Петренко", **lines},
            files={"photo": ("door.jpg", photo, "image/jpeg")},
        )

    with deployment.server("aid.delivery.delivered") as server:
        # Goods have reached the school and its need is covered; the status is not written.
        crash(server, lambda: deliver(server))
    _assert_sound(deployment)
    assert deployment.probe("delivery", pk) == before

    server = restarted()
    retried = deliver(server)
    assert retried.status_code == 302, retried.text[:2000]
    done = deployment.probe("delivery", pk)
    assert done["status"] == "delivered"
    assert done["recipient"] == "Олена Петренко"
    assert done["photo_exists"]
    assert done["delivered"] == ["40", "25"]
    assert done["moves"] == before["moves"] + 2  # each line arrived once
    assert done["need_covered"] == "40"
    assert done["drift"] == []

    again = deliver(server)
    assert (again.status_code, again.headers["Location"]) == (302, retried.headers["Location"])
    assert deployment.probe("delivery", pk) == done


# (c) A big import of needs ------------------------------------------------------------------


def _needs_file(place: int, rows: int, start: int) -> bytes:
    codes = ("flour", "rice", "buckwheat", "pasta")
    lines = ["place_id,item_code,quantity,priority,note"]
    lines += [f"{place},{codes[n % 4]},{n % 500 + 1},normal,row {start + n}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_c_import_killed_before_its_commit_leaves_no_row_and_its_retry_imports_once(
    deployment: Deployment, world: dict[str, Any], restarted: Callable[[], Server]
) -> None:
    for number in range(IMPORT_FILES):
        content = _needs_file(world["school"], IMPORT_ROWS, number * IMPORT_ROWS)
        key = f"crash-import-{number:04d}"
        before = deployment.probe("import", key)

        def send(
            server: Server, content: bytes = content, key: str = key, number: int = number
        ) -> httpx.Response:
            with server.client(token=world["token"]) as client:
                return client.post(
                    "/api/reports/imports/needs",
                    params={"commit": "true"},
                    files={"file": (f"needs-{number}.csv", content, "text/csv")},
                    headers={"Idempotency-Key": key},
                )

        with deployment.server("aid.import.commit") as server:
            # Every row is written in the transaction; the import's record is not.
            crash(server, lambda server=server: send(server))
        _assert_sound(deployment)
        assert deployment.probe("import", key) == before  # not one row of the file

        server = restarted()
        retried = send(server)
        assert retried.status_code == 200, retried.text[:2000]
        assert retried.json()["committed"] is True
        done = deployment.probe("import", key)
        assert done == {
            "needs": before["needs"] + IMPORT_ROWS,
            "events": before["events"] + 1,
            "keys": 1,
        }
        again = send(server)
        assert again.status_code == 200, again.text[:2000]
        assert deployment.probe("import", key) == done


# (d) A sitrep's snapshot (approval) and its publication -------------------------------------


def test_d_sitrep_killed_mid_approval_or_publication_is_never_without_its_figures(
    deployment: Deployment, world: dict[str, Any], restarted: Callable[[], Server]
) -> None:
    pk, earlier = world["sitrep"], world["earlier_sitrep"]
    session = world["sessions"]["reviewer"]
    assert deployment.probe("sitrep", pk, earlier) == {
        "status": "in_review",
        "snapshots": 0,
        "approved_by": None,
        "earlier_status": "published",
        "earlier_superseded_by": None,
    }

    def act(server: Server, action: str) -> httpx.Response:
        return _post_form(
            server,
            session,
            page=f"/reports/sitreps/{pk}/",
            action=f"/reports/sitreps/{pk}/{action}/",
            key=f"crash-sitrep-{action}",
        )

    with deployment.server("reports.sitrep.approve") as server:
        # The snapshot of the figures is written; the sitrep is not marked approved.
        crash(server, lambda: act(server, "approve"))
    state = deployment.probe("sitrep", pk, earlier)
    assert (state["status"], state["snapshots"]) == ("in_review", 0)

    server = restarted()
    assert act(server, "approve").status_code == 302
    approved = deployment.probe("sitrep", pk, earlier)
    assert (approved["status"], approved["snapshots"]) == ("approved", 1)
    assert act(server, "approve").status_code == 302  # the same key: answered, not redone
    assert deployment.probe("sitrep", pk, earlier) == approved

    with deployment.server("reports.sitrep.publish") as server:
        # The sitrep is saved as published; the earlier one is not yet superseded.
        crash(server, lambda: act(server, "publish"))
    assert deployment.probe("sitrep", pk, earlier) == approved

    server = restarted()
    assert act(server, "publish").status_code == 302
    published = deployment.probe("sitrep", pk, earlier)
    assert published == {
        **approved,
        "status": "published",
        "earlier_status": "superseded",
        "earlier_superseded_by": pk,
    }
    assert act(server, "publish").status_code == 302
    assert deployment.probe("sitrep", pk, earlier) == published


# (e) The task worker, killed while sending an alert -----------------------------------------


def test_e_worker_killed_mid_task_has_the_task_retried_and_nobody_alerted_twice(
    deployment: Deployment, world: dict[str, Any]
) -> None:
    with deployment.worker("alerts.delivery.sent") as worker:
        # Let the worker's first round of periodic jobs pass, so that the queued task (not
        # the minute's retry job) is what sends the alert.
        wait_for(
            lambda: deployment.probe("alert_state", 0)["periodic"].get("alerts.retry_deliveries"),
            timeout=60,
            what="the worker's first periodic round",
        )
        alert = deployment.probe("alert")
        addresses = alert["addresses"]
        # The worker takes the task, sends to the first resident, records it, and dies.
        assert killed(worker, timeout=60) == SIGKILLED

    state = deployment.probe("alert_state", alert["alert"])
    assert sorted(state["deliveries"].values()) == ["pending", "pending", "sent"]
    assert state["tasks"] == [{"status": "RUNNING", "workers": 1}]  # nobody will run it again
    first = [a for a in deployment.sent() if a in addresses]
    assert len(first) == 1

    # The worker comes back after its lease: the task is run again and finishes the round.
    deployment.probe("time_passes", 1)
    with deployment.worker():
        state = wait_for(
            lambda: (
                (s := deployment.probe("alert_state", alert["alert"]))["tasks"][0]["status"]
                == "SUCCESSFUL"
                and set(s["deliveries"].values()) == {"sent"}
                and s
            ),
            timeout=60,
            what="the task to be run again and every resident alerted",
        )
    assert state["tasks"] == [{"status": "SUCCESSFUL", "workers": 2}]
    sent = sorted(a for a in deployment.sent() if a in addresses)
    assert sent == sorted(addresses)  # each resident once: the first not a second time
