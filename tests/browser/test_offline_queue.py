"""A driver and a volunteer in a basement with no network, in Chromium against the real server:
what they record waits on the phone, survives a reload (and a server restart), reaches the
server once when the network returns, and a conflict comes back on the item it belongs to.

This module runs its own server (it must stop and start it on the same port, with the same
data), and with the replay middleware even before settings.py lists it (see
test_offline_settings.py)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hromada.core.demo import DEMO_PASSWORD
from tests.liveserver import (
    HOST,
    ROOT,
    SERVE_OPTIONS,
    SETUP_TIMEOUT,
    STOP_TIMEOUT,
    _free_port,
    _server_env,
    _stop,
    _wait_until_answering,
)

TIMEOUT_MS = 15_000
# Screenshots at 360 px, to look at (not committed): HROMADA_SHOTS or the temp dir.
SHOTS = Path(os.environ.get("HROMADA_SHOTS", tempfile.gettempdir()))

# Fresh things to act on for each test, made through the services, printed as JSON.
FIXTURES = """
import datetime, json
from decimal import Decimal
from django.utils import timezone
from hromada.aid.models import Delivery, Item
from hromada.aid.services import deliveries
from hromada.aid.tests.factories import stock_up
from hromada.core.models import Place, User
from hromada.volunteers.models import Assignment, Shift, Task, Volunteer

hub, driver = User.objects.get(username="hub"), User.objects.get(username="volunteer")
model = Delivery.objects.filter(driver=driver).select_related("from_place", "to_place").first()
line = model.lines.select_related("item").first()
stock_up(model.from_place, line.item.code, 10)
for held in Delivery.objects.filter(driver=driver, status="claimed"):  # at most 3 at a time
    deliveries.unclaim_delivery(driver, held)

def plan():
    d, _ = deliveries.plan_delivery(
        hub, from_place=model.from_place, to_place=model.to_place,
        lines=[deliveries.LineIn(line.item, Decimal(1))],
    )
    return d

claimed, picked, free, other = plan(), plan(), plan(), plan()
deliveries.claim_delivery(driver, claimed)
deliveries.claim_delivery(driver, picked)
deliveries.pick_up(driver, picked)
volunteer = Volunteer.objects.filter(user=driver).first()
task = Task.objects.filter(organization=volunteer.organization).first()
now = timezone.now()
shift = Shift.objects.create(
    task=task, starts_at=now - datetime.timedelta(minutes=30),
    ends_at=now + datetime.timedelta(hours=3), headcount=9,
)
assignment = Assignment.objects.create(
    shift=shift, volunteer=volunteer, status=Assignment.Status.CONFIRMED, invited_by=hub
)
print(json.dumps({"claimed": claimed.pk, "picked": picked.pk, "free": free.pk,
                  "other": other.pk, "assignment": assignment.pk, "shift": shift.pk}))
"""

STATE = """
import json
from hromada.aid.models import Delivery
from hromada.volunteers.models import Assignment
ids = json.loads('%s')
d = {x.pk: x for x in Delivery.objects.filter(pk__in=[ids["claimed"], ids["picked"], ids["free"], ids["other"]])}
a = Assignment.objects.get(pk=ids["assignment"])
print(json.dumps({
    "picked": d[ids["picked"]].status,
    "delivered_records": Delivery.history.filter(id=ids["picked"], status="delivered").count(),
    "claimed": d[ids["claimed"]].status,
    "picked_up_records": Delivery.history.filter(id=ids["claimed"], status="picked_up").count(),
    "free_driver": d[ids["free"]].driver.username if d[ids["free"]].driver else None,
    "other_driver": d[ids["other"]].driver.username if d[ids["other"]].driver else None,
    "checked_in": a.checked_in_at is not None,
    "check_in_records": a.history.filter(checked_in_at__isnull=False, checked_out_at=None).count(),
    "checked_out": a.checked_out_at is not None,
}))
"""

CLAIM_AS_HUB = """
from hromada.aid.models import Delivery
from hromada.aid.services import deliveries
from hromada.core.models import User
deliveries.claim_delivery(User.objects.get(username="hub"), Delivery.objects.get(pk=%d))
"""


class Server:
    """The real Hromada (setup + granian, as tests/liveserver.py runs it) that can be stopped
    and started again on the same port with the same var dir."""

    def __init__(self, var_dir: Path) -> None:
        self.env = _server_env(var_dir, None)
        self.env["DJANGO_SETTINGS_MODULE"] = "tests.browser.test_offline_settings"
        self.log = var_dir / "server.log"
        self.port = _free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.hromada(["setup"], timeout=SETUP_TIMEOUT)

    def hromada(self, args: list[str], *, timeout: float = 120) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "hromada", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"hromada {args[0]} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> dict:
        return json.loads(self.hromada(["shell", "-c", code]).strip().splitlines()[-1] or "{}")

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hromada", "run", "--host", HOST, "--port", str(self.port),
                 *SERVE_OPTIONS],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        _wait_until_answering(self.process, self.url, self.log)

    def stop(self) -> None:
        """Stop it, and wait until nothing answers on the port (a worker may outlive `run`)."""
        if self.process is None:
            return
        _stop(self.process)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _listening(self.port):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)  # the group this test started
            time.sleep(0.2)  # until the port is free
        self.process = None


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex((HOST, port)) == 0


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="hromada-offline-", ignore_cleanup_errors=True) as tmp:
        server = Server(Path(tmp))
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def driver(chromium: Browser, server: Server) -> Iterator[tuple[BrowserContext, Page]]:
    """The demo volunteer on a phone (360 px), signed in, the app installed."""
    context = chromium.new_context(
        base_url=server.url, locale="en-US", viewport={"width": 360, "height": 740}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "volunteer")
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")
    page.locator('form[action="/logout/"]').wait_for(state="attached")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    yield context, page
    context.close()


def keep(page: Page, *paths: str) -> None:
    """Open pages while online, through the installed worker, so they are kept for later."""
    for path in paths:
        page.goto(path)
        expect(page.locator("#offline")).to_be_attached()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    for path in paths:  # controlled now: these loads are the ones kept
        page.goto(path)
        page.wait_for_function(
            "p => caches.open('hromada-pages').then(c => c.match(location.origin + p)).then(Boolean)",
            arg=path,
        )


def outbox(page: Page, state: str):
    return page.locator(f"#offline .outbox li[data-state={state}]")


def check_in(page: Page, assignment: int) -> None:
    page.goto("/volunteers/me/")
    page.locator(f"form[action='/volunteers/assignments/{assignment}/check-in/'] button").click()


@pytest.mark.browser
def test_recorded_offline_waits_survives_a_reload_and_is_stored_once(server, driver) -> None:
    context, page = driver
    ids = server.shell(FIXTURES)
    delivery = f"/deliveries/{ids['picked']}/"
    keep(page, delivery, "/volunteers/me/")

    context.set_offline(True)
    page.goto(delivery)  # from the phone: the network is gone
    expect(page.locator("#offline .refreshed")).to_be_visible(timeout=TIMEOUT_MS)
    page.fill("#id_recipient_name", "Ірина, чергова")
    page.locator(f"form[action='{delivery}deliver/'] button[type=submit]").click()
    expect(outbox(page, "waiting")).to_have_count(1, timeout=TIMEOUT_MS)
    check_in(page, ids["assignment"])
    expect(outbox(page, "waiting")).to_have_count(2, timeout=TIMEOUT_MS)

    page.reload()  # still offline: both are still there, waiting
    expect(outbox(page, "waiting")).to_have_count(2, timeout=TIMEOUT_MS)
    page.screenshot(path=str(SHOTS / "offline-waiting-360.png"), full_page=True)
    before = server.shell(STATE % json.dumps(ids))
    assert (before["picked"], before["checked_in"]) == ("picked_up", False)

    context.set_offline(False)
    expect(outbox(page, "sent")).to_have_count(2, timeout=TIMEOUT_MS)
    expect(outbox(page, "waiting")).to_have_count(0, timeout=TIMEOUT_MS)
    page.screenshot(path=str(SHOTS / "offline-sent-360.png"), full_page=True)
    after = server.shell(STATE % json.dumps(ids))
    assert after["picked"] == "delivered" and after["delivered_records"] == 1
    assert after["checked_in"] and after["check_in_records"] == 1

    page.reload()  # nothing is sent a second time
    expect(outbox(page, "waiting")).to_have_count(0, timeout=TIMEOUT_MS)
    assert server.shell(STATE % json.dumps(ids)) == after


@pytest.mark.browser
def test_what_waits_is_sent_once_after_the_server_restarted(server, driver) -> None:
    context, page = driver
    ids = server.shell(FIXTURES)
    delivery = f"/deliveries/{ids['claimed']}/"
    keep(page, delivery, "/volunteers/me/")

    context.set_offline(True)
    page.goto(delivery)
    page.locator(f"form[action='{delivery}pick-up/'] button").click()
    expect(outbox(page, "waiting")).to_have_count(1, timeout=TIMEOUT_MS)  # kept: move on
    check_in(page, ids["assignment"])
    expect(outbox(page, "waiting")).to_have_count(2, timeout=TIMEOUT_MS)

    server.stop()
    context.set_offline(False)  # the network is back, the server is not: they keep waiting
    page.reload()
    expect(outbox(page, "waiting")).to_have_count(2, timeout=TIMEOUT_MS)

    server.start()
    page.reload()
    expect(outbox(page, "sent")).to_have_count(2, timeout=TIMEOUT_MS)
    after = server.shell(STATE % json.dumps(ids))
    assert after["claimed"] == "picked_up" and after["picked_up_records"] == 1
    assert after["checked_in"] and after["check_in_records"] == 1


@pytest.mark.browser
def test_a_conflict_comes_back_on_the_item_it_belongs_to(server, driver) -> None:
    context, page = driver
    ids = server.shell(FIXTURES)
    free, other = f"/deliveries/{ids['free']}/", f"/deliveries/{ids['other']}/"
    keep(page, free, other)

    context.set_offline(True)
    page.goto(other)
    page.locator(f"form[action='{other}claim/'] button").click()
    expect(outbox(page, "waiting")).to_have_count(1, timeout=TIMEOUT_MS)
    page.goto(free)
    page.locator(f"form[action='{free}claim/'] button").click()
    expect(outbox(page, "waiting")).to_have_count(2, timeout=TIMEOUT_MS)

    server.shell(CLAIM_AS_HUB % ids["other"] + "\nprint('{}')")  # the hub took it meanwhile
    context.set_offline(False)
    failed = outbox(page, "failed")
    expect(failed).to_have_count(1, timeout=TIMEOUT_MS)
    expect(failed).to_contain_text(f"#{ids['other']}", timeout=TIMEOUT_MS)
    # In the driver's language (Ukrainian): "Someone else has just claimed this delivery."
    expect(failed).to_contain_text("Цю доставку щойно взяв хтось інший", timeout=TIMEOUT_MS)
    expect(outbox(page, "sent")).to_contain_text(f"#{ids['free']}", timeout=TIMEOUT_MS)
    page.screenshot(path=str(SHOTS / "offline-conflict-360.png"), full_page=True)
    state = server.shell(STATE % json.dumps(ids))
    assert (state["free_driver"], state["other_driver"]) == ("volunteer", "hub")

    failed.locator("button").click()  # read and dismissed
    expect(outbox(page, "failed")).to_have_count(0, timeout=TIMEOUT_MS)


def kept_paths(page: Page) -> list[str]:
    return page.evaluate(
        "caches.open('hromada-pages').then(c => c.keys())"
        ".then(keys => keys.map(r => new URL(r.url).pathname))"
    )


@pytest.mark.browser
def test_sending_the_sign_in_form_drops_the_pages_kept_for_whoever_came_before(
    chromium: Browser, server: Server
) -> None:
    # On a shared phone the board kept for the last visitor must not stand in for the next
    # one's first page when the server is slow: the worker drops kept pages as soon as a
    # sign-in form is sent, whatever its outcome (here a wrong password, which leaves the
    # visitor anonymous, so the page's own check of who is signed in does not drop them).
    context = chromium.new_context(
        base_url=server.url, locale="en-US", viewport={"width": 360, "height": 740}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        keep(page, "/needs/")
        assert "/needs/" in kept_paths(page)

        page.goto("/login/")
        page.fill("#id_username", "volunteer")
        page.fill("#id_password", "not the password")
        page.press("#id_password", "Enter")
        expect(page.locator(".errorlist, [role=alert]").first).to_be_visible()
        assert kept_paths(page) == []
    finally:
        context.close()
