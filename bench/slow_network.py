"""Is a page usable within 3 s on a 2G-like mobile network?

After shelling the mobile network comes back at 2G speed. This runs the real server
(tests/liveserver.py), has Chromium emulate a slow network (DevTools protocol
``Network.emulateNetworkConditions``: 250 kbit/s down, 50 kbit/s up, 300 ms latency; kbit as
1000 bits) and opens each page a volunteer uses, with an empty cache (``first``) and again
(``repeat``: the stylesheet and scripts from the HTTP cache). For each it reports the first
contentful paint (the browser's own ``first-contentful-paint`` entry, milliseconds from the
start of navigation) and the load event. Target (issue 10): the needs board and the
delivery page paint their content within 3000 ms on a first load. Service workers are
blocked, so this is what a first visit costs. It prints JSON and exits 1 when a target is
missed.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, CDPSession, Page, sync_playwright  # noqa: E402

from bench.page_weight import first_link, new_context  # noqa: E402
from tests.liveserver import CHROMIUM, chromium_args, running_hromada  # noqa: E402

DOWN_KBIT, UP_KBIT, LATENCY_MS = 250, 50, 300
CEILING_MS = 3000
TARGETS = ("/needs/", "{delivery}")  # the needs board and the delivery page
PAGES = [
    ("/needs/", "anonymous"),
    ("/needs/", "volunteer"),
    ("/deliveries/", "volunteer"),
    ("{delivery}", "volunteer"),
    ("/volunteers/me/", "volunteer"),
    ("{shift}", "volunteer"),
    ("/alerts/", "volunteer"),
    ("/volunteers/directory/", "volunteer"),
    ("/reports/incidents/report/", "anonymous"),
    ("/give/", "anonymous"),
    ("/login/", "anonymous"),
]
TIMING = """() => new Promise((resolve) => {
  const done = () => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const nav = performance.getEntriesByType("navigation")[0];
    if (fcp && nav && nav.loadEventEnd > 0) resolve([fcp.startTime, nav.loadEventEnd]);
    else setTimeout(done, 50);
  };
  done();
})"""


@dataclass
class PageTiming:
    path: str
    who: str
    first_fcp_ms: int
    first_load_ms: int
    repeat_fcp_ms: int
    repeat_load_ms: int
    target: bool
    ok: bool


def throttle(cdp: CDPSession) -> None:
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": DOWN_KBIT * 1000 / 8,
            "uploadThroughput": UP_KBIT * 1000 / 8,
        },
    )


def timed(page: Page, url: str) -> tuple[int, int]:
    page.goto(url, wait_until="load", timeout=60_000)
    fcp, load = page.evaluate(TIMING)
    return round(fcp), round(load)


def measure(browser: Browser, base_url: str, path: str, who: str, *, target: bool) -> PageTiming:
    context = new_context(browser, base_url, who)  # signed in at full speed, nothing cached
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.clearBrowserCache")
        throttle(cdp)
        first = timed(page, base_url + path)
        repeat = timed(page, base_url + path)
    finally:
        context.close()
    ok = not target or first[0] <= CEILING_MS
    return PageTiming(path, who, *first, *repeat, target, ok)


def main() -> int:
    with running_hromada() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=chromium_args(), headless=True
        )
        try:
            links = {
                "delivery": first_link(
                    browser, base_url, "volunteer", "/deliveries/", r"/deliveries/\d+/"
                ),
                "shift": first_link(
                    browser, base_url, "volunteer", "/volunteers/me/", r"/volunteers/shifts/\d+/"
                ),
            }
            timings = [
                measure(browser, base_url, p.format(**links), who, target=p in TARGETS)
                for p, who in PAGES
            ]
        finally:
            browser.close()
    ok = all(t.ok for t in timings)
    report = {
        "network": {"down_kbit": DOWN_KBIT, "up_kbit": UP_KBIT, "latency_ms": LATENCY_MS},
        "pages": [asdict(t) for t in timings],
        "target": {
            "ceiling_ms": CEILING_MS,
            "worst_target_first_fcp_ms": max(t.first_fcp_ms for t in timings if t.target),
            "missed": [f"{t.who} {t.path}" for t in timings if not t.ok],
            "ok": ok,
        },
    }
    print(json.dumps(report, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
