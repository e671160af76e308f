"""How many bytes does each page a volunteer uses cost on the wire, first time and on a return?

People open these pages on phones with weak, metered mobile data, often during power cuts.
This runs the real server (gzip, WhiteNoise with hashed, long-cached static files), loads
every page a volunteer uses in Chromium and counts what crossed the network, as Chromium
itself reports it (the DevTools protocol's ``encodedDataLength``: compressed bytes, headers
included). The budget (issue 10): at most 30 KB on a first load and 10 KB on a repeat load
(HTML, CSS, JS) for every page; map pages are listed but excepted (Leaflet loads only there).
Service workers are blocked while weighing, so the figures are what the HTTP cache alone
gives; the worker's own script is weighed apart (``service_worker``). It prints JSON and exits
1 when a page is over budget.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from tests.browser.signin import sign_in as sign_in_through_the_pages  # noqa: E402
from tests.liveserver import CHROMIUM, chromium_args, running_hromada  # noqa: E402

FIRST_CEILING = 30 * 1024
REPEAT_CEILING = 10 * 1024
MAP_PAGES = ("/places/",)  # maps are excepted from the budget
# Who opens which page: an anonymous visitor, the demo volunteer (a driver), a coordinator.
ANONYMOUS_PATHS = [
    "/needs/",
    "/needs/?priority=critical",
    "{need}",
    "/give/",
    "/alerts/",
    "/volunteers/directory/",
    "/reports/incidents/report/",
    "/login/",
    "/places/",
]
VOLUNTEER_PATHS = [
    "/needs/",
    "/deliveries/",
    "{delivery}",
    "/volunteers/me/",
    "{shift}",
    "/volunteers/directory/",
    "/alerts/",
    "/reports/incidents/report/",
]
COORDINATOR_PATHS = ["/needs/new/"]


@dataclass
class PageWeight:
    path: str
    who: str
    first_load_bytes: int
    repeat_load_bytes: int
    requests: int
    is_map: bool
    ok: bool


class WireMeter:
    """Chromium's network log for one page: requests started and bytes received."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.cdp = context.new_cdp_session(page)
        self.requests = 0
        self.received: dict[str, int] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        if event["request"]["url"].startswith(("http://", "https://")):
            self.requests += 1

    def _finished(self, event: dict[str, Any]) -> None:
        self.received[event["requestId"]] = int(event["encodedDataLength"])

    def load(self, page: Page, url: str) -> tuple[int, int]:
        """Navigate and wait until the network is quiet; return (bytes, requests) of this load."""
        self.requests = 0
        self.received.clear()
        response = page.goto(url, wait_until="networkidle")
        if response is None or not response.ok:
            raise RuntimeError(f"{url} answered {response and response.status}")
        return sum(self.received.values()), self.requests


_signed_in: dict[str, Any] = {}


def signed_in_state(browser: Browser, base_url: str, username: str) -> Any:
    """Cookies of a session signed in through the pages (the password, then the code from
    the demo's authenticator for the roles that must give one), made once per user: a code
    is accepted once, and each page is weighed in a fresh context that starts from these."""
    if username not in _signed_in:
        context = new_context(browser, base_url)
        try:
            sign_in_through_the_pages(context.new_page(), username, type_slowly=False)
            _signed_in[username] = context.storage_state()
        finally:
            context.close()
    return _signed_in[username]


def new_context(browser: Browser, base_url: str, who: str = "anonymous") -> BrowserContext:
    state = None if who == "anonymous" else signed_in_state(browser, base_url, who)
    return browser.new_context(
        base_url=base_url, locale="uk-UA", service_workers="block", storage_state=state
    )


def weigh(browser: Browser, base_url: str, path: str, *, who: str) -> PageWeight:
    """First load in a fresh context with an empty cache, then the same URL again in it."""
    context = new_context(browser, base_url, who)  # signed in already: nothing cached yet
    try:
        page = context.new_page()
        meter = WireMeter(context, page)
        first_bytes, requests = meter.load(page, base_url + path)
        repeat_bytes, _ = meter.load(page, base_url + path)
    finally:
        context.close()
    is_map = path.startswith(MAP_PAGES)
    ok = is_map or (first_bytes <= FIRST_CEILING and repeat_bytes <= REPEAT_CEILING)
    return PageWeight(path, who, first_bytes, repeat_bytes, requests, is_map, ok)


def first_link(browser: Browser, base_url: str, who: str, path: str, pattern: str) -> str:
    """The first link on ``path`` whose address matches ``pattern``, as ``who`` sees it."""
    context = new_context(browser, base_url, who)
    try:
        page = context.new_page()
        page.goto(base_url + path)
        hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.pathname)")
    finally:
        context.close()
    found = next((h for h in hrefs if re.fullmatch(pattern, h)), None)
    if found is None:
        raise RuntimeError(f"{path} links to nothing like {pattern} for {who}")
    return found


def worker_bytes(base_url: str) -> int:
    """The service worker's script, gzipped as the browser gets it (installed once, on the
    first page; it then fetches the shell, which the page has just put in the HTTP cache)."""
    url = f"{base_url}/sw.js"  # our own server on the loopback, http
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return len(response.read())


def main() -> int:
    with running_hromada() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=chromium_args(), headless=True
        )
        try:
            links = {
                "need": first_link(browser, base_url, "anonymous", "/needs/", r"/needs/\d+/"),
                "delivery": first_link(
                    browser, base_url, "volunteer", "/deliveries/", r"/deliveries/\d+/"
                ),
                "shift": first_link(
                    browser, base_url, "volunteer", "/volunteers/me/", r"/volunteers/shifts/\d+/"
                ),
            }
            plan = [(p, "anonymous") for p in ANONYMOUS_PATHS]
            plan += [(p, "volunteer") for p in VOLUNTEER_PATHS]
            plan += [(p, "coordinator") for p in COORDINATOR_PATHS]
            pages = [weigh(browser, base_url, p.format(**links), who=who) for p, who in plan]
            worker = worker_bytes(base_url)
        finally:
            browser.close()
    budgeted = [p for p in pages if not p.is_map]
    ok = all(p.ok for p in pages)
    report = {
        "pages": [asdict(p) for p in pages],
        "service_worker": {"path": "/sw.js", "bytes_gzip": worker},
        "budget": {
            "first_ceiling_bytes": FIRST_CEILING,
            "repeat_ceiling_bytes": REPEAT_CEILING,
            "max_first_load_bytes": max(p.first_load_bytes for p in budgeted),
            "max_repeat_load_bytes": max(p.repeat_load_bytes for p in budgeted),
            "over": [f"{p.who} {p.path}" for p in pages if not p.ok],
            "ok": ok,
        },
    }
    print(json.dumps(report, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
