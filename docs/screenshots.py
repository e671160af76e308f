"""Take the screenshots in docs/ from the real app, so they show what people see today.

Run: .venv/bin/python docs/screenshots.py  (starts a throwaway server with the demo data).
Pages are shown in Ukrainian, the language of the town and the app's default.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from playwright.sync_api import Browser, expect, sync_playwright  # noqa: E402

from tests.browser.signin import sign_in  # noqa: E402
from tests.liveserver import CHROMIUM, chromium_args, running_hromada  # noqa: E402

LOCALE = "uk-UA"


@dataclass(frozen=True)
class Shot:
    file: str
    path: str
    width: int
    height: int
    scale: float = 1
    username: str | None = None  # signed in as this demo user, else anonymous
    submit_empty: bool = False  # send the page's form empty, to show its errors


SHOTS = [
    Shot("needs-board.png", "/needs/", 1280, 900),
    Shot("needs-board-phone.png", "/needs/", 360, 740, scale=2),
    Shot(
        "need-form.png", "/needs/new/", 390, 844, scale=2, username="coordinator", submit_empty=True
    ),
    Shot("aid-deliveries-phone.png", "/deliveries/", 360, 740, scale=2, username="volunteer"),
    Shot("aid-stock.png", "/stock/", 1280, 900, username="hub"),
    Shot("aid-needed-most.png", "/needs/most/", 1280, 900),
    Shot("alerts-public.png", "/alerts/", 1280, 800),
    Shot("reports-sitrep.png", "/reports/sitreps/2/", 1280, 900),
    Shot("reports-sitrep-phone.png", "/reports/sitreps/2/", 360, 740, scale=2),
    Shot("reports-incidents-phone.png", "/reports/incidents/", 360, 740, scale=2),
    Shot("reports-report-phone.png", "/reports/incidents/report/", 360, 740, scale=2),
    Shot("tracing-inquiry-phone.png", "/tracing/inquire/", 360, 740, scale=2),
    Shot(
        "tracing-search.png",
        "/tracing/?q=Oleksandr+Shevchenko&birth_year=1987",
        1280,
        900,
        username="caseworker",
    ),
    Shot("volunteers-home.png", "/volunteers/", 1280, 900, username="hub"),
    Shot("funds-transparency.png", "/funds/1/", 1280, 900),
    Shot("funds-transparency-phone.png", "/funds/1/", 360, 740, scale=2),
    Shot("funds-expense-phone.png", "/funds/1/expenses/1/", 360, 740, scale=2),
    Shot("funds-ledger.png", "/funds/1/ledger/", 1280, 900, username="hub"),
    Shot("bot-link.png", "/bot/link/", 1280, 800, username="coordinator"),
    Shot("bot-link-phone.png", "/bot/link/", 360, 740, scale=2, username="coordinator"),
]


def take(browser: Browser, base_url: str, shot: Shot) -> Path:
    context = browser.new_context(
        base_url=base_url,
        locale=LOCALE,
        viewport={"width": shot.width, "height": shot.height},
        device_scale_factor=shot.scale,
    )
    try:
        page = context.new_page()
        if shot.username:
            sign_in(page, shot.username, type_slowly=False)
        page.goto(shot.path)
        if shot.submit_empty:
            page.locator("main form button[type=submit]").click()
            expect(page.locator("main .errorlist").first).to_be_visible()
        target = DOCS / shot.file
        page.screenshot(path=target, full_page=False, animations="disabled")
        return target
    finally:
        context.close()


def main() -> None:
    with running_hromada() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=chromium_args(), headless=True
        )
        try:
            for shot in SHOTS:
                print(take(browser, base_url, shot).relative_to(DOCS.parent))
        finally:
            browser.close()


if __name__ == "__main__":
    main()
