"""How fast does a published alert reach a screen, and what does a screen's poll cost?

Run: .venv/bin/python bench/alerts_signage.py [--runs 5]
Starts the real server with the demo (tests/liveserver.py), opens the billboard's screen in
Chromium, then, through the API with the demo author's and approver's tokens, publishes an
alert and cancels it ``--runs`` times, timing each from the approval's answer to the change
on the screen. It also times 50 polls of the screen's state.json.

Prints JSON. The ceilings are the promises: a screen changes within 10 s of an approval,
and a poll takes far less than the poll interval (5 s). The baseline is the server's answer
to the same poll with nothing changed (the common case).
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.signin import sign_in
from tests.liveserver import CHROMIUM, chromium_args, running_hromada

CEILING_MS = 10_000
POLL_MS = 5_000


def token_for(browser: Browser, base: str, username: str) -> str:
    """Sign in as a demo user and make a personal API token, as a person would."""
    context = browser.new_context(base_url=base)
    page = context.new_page()
    sign_in(page, username, type_slowly=False)  # with the demo's code where one is asked
    page.goto("/account/tokens/")
    page.fill("#id_name", "bench")
    page.locator("main form button[type=submit]").click()
    secret = page.locator(".secret code").text_content() or ""
    context.close()
    return secret.strip()


def call(base: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(  # noqa: S310 -- the server we just started, on loopback
        base + path,
        data=json.dumps(body).encode() if body is not None else b"{}",
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 -- loopback
        return json.loads(response.read())


def screen_url(browser: Browser, base: str) -> str:
    context = browser.new_context(base_url=base)
    page = context.new_page()
    sign_in(page, "author", type_slowly=False)  # with the demo's code where one is asked
    page.goto("/alerts/displays/")
    page.locator("table.displays a").first.click()
    href = page.locator(".secret a").get_attribute("href") or ""
    context.close()
    return href


def publish(base: str, author: str, approver: str, headline: str) -> tuple[int, float]:
    expires = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).isoformat()
    draft = call(
        base,
        author,
        "POST",
        "/api/alerts",
        {
            "category": "Security",
            "severity": "Extreme",
            "expires": expires,
            "area_description": "Охтирка",
            "event_uk": "Повітряна тривога",
            "headline_uk": headline,
            "event_en": "Air raid",
            "headline_en": headline,
        },
    )
    call(base, author, "POST", f"/api/alerts/{draft['id']}/submit")
    call(base, approver, "POST", f"/api/alerts/{draft['id']}/approve")
    return draft["id"], time.monotonic()


def cancel(base: str, author: str, approver: str, alert_id: int) -> float:
    draft = call(base, author, "POST", f"/api/alerts/{alert_id}/follow-up", {"msg_type": "Cancel"})
    call(base, author, "POST", f"/api/alerts/{draft['id']}/submit")
    call(base, approver, "POST", f"/api/alerts/{draft['id']}/approve")
    return time.monotonic()


def wait(page: Page, headline: str, *, present: bool) -> float:
    target = page.locator(".screen-alert", has_text=headline)
    if present:
        expect(target).to_be_visible(timeout=CEILING_MS * 3)
    else:
        expect(target).to_have_count(0, timeout=CEILING_MS * 3)
    return time.monotonic()


def poll_times(url: str, n: int = 50) -> tuple[list[float], int, list[float]]:
    """Milliseconds per poll for the full board, its size, and for the unchanged answer."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    full, same, size, version = [], [], 0, ""
    for _ in range(n):
        start = time.perf_counter()
        with opener.open(url, timeout=10) as response:
            data = response.read()
        full.append((time.perf_counter() - start) * 1000)
        size = len(data)
        version = json.loads(data)["version"]
    for _ in range(n):
        start = time.perf_counter()
        with opener.open(f"{url}?v={version}", timeout=10) as response:
            response.read()
        same.append((time.perf_counter() - start) * 1000)
    return full, size, same


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with running_hromada() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=chromium_args(), headless=True
        )
        author, approver = token_for(browser, base, "author"), token_for(browser, base, "approver")
        address = screen_url(browser, base)
        page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        page.goto(address)
        appear, leave = [], []
        jitter = random.Random(6)  # publish at any point of the screen's poll cycle
        for _ in range(args.runs):
            time.sleep(jitter.uniform(0, POLL_MS / 1000))
            headline = f"Bench {uuid.uuid4().hex[:8]}"
            alert_id, approved = publish(base, author, approver, headline)
            appear.append((wait(page, headline, present=True) - approved) * 1000)
            time.sleep(jitter.uniform(0, POLL_MS / 1000))
            cancelled = cancel(base, author, approver, alert_id)
            leave.append((wait(page, headline, present=False) - cancelled) * 1000)
        state = address.rstrip("/") + "/state.json"
        full, size, same = poll_times(state)
        browser.close()
    result = {
        "publish_to_screen_ms": {
            "median": round(statistics.median(appear)),
            "max": round(max(appear)),
        },
        "cancel_to_screen_ms": {
            "median": round(statistics.median(leave)),
            "max": round(max(leave)),
        },
        "ceiling_ms": CEILING_MS,
        "poll_interval_ms": POLL_MS,
        "state_poll_ms": {"median": round(statistics.median(full), 1), "p95": round(p95(full), 1)},
        "state_poll_unchanged_ms": {
            "median": round(statistics.median(same), 1),
            "p95": round(p95(same), 1),
        },
        "state_bytes": size,
        "runs": args.runs,
        "within_ceiling": max(appear + leave) <= CEILING_MS,
    }
    print(json.dumps(result, indent=2))
    if not result["within_ceiling"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
