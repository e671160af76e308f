"""A donor abroad opens a fund's transparency page on a phone, with the keyboard, and follows
the money they gave for the hospital's tourniquets to the purchase and the delivery it paid
for. The page fits 360 px, asks nothing of any other server, and names no donor who did not
agree (the demo's anonymous donors have names in the ledger)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

NewContext = Callable[..., BrowserContext]
FUND = "Хліб і ліки для Охтирки"
HOSPITAL = "Центральна районна лікарня"


def tab_to(page: Page, text: str, presses: int = 120) -> None:
    """Press Tab until the focused link reads ``text`` (or fail)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if text in (
            page.evaluate("document.activeElement && document.activeElement.innerText") or ""
        ):
            return
    raise AssertionError(f"not reachable with Tab: {text}")


def fits(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways on a 360px phone ({width}px)"


@pytest.mark.browser
def test_a_donor_follows_an_earmark_to_the_delivery_on_a_phone(
    new_context: NewContext, server_url: str
) -> None:
    phone = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    requests: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    page = phone.new_page()

    page.goto("/funds/")
    tab_to(page, FUND)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(FUND)
    fits(page)
    expect(page.locator(".fund-kpis li")).to_have_count(3)
    expect(page.locator("svg.chart").first).to_be_visible()
    assert "Anonymous" in page.locator("ul.donation-list").inner_text()

    tab_to(page, f"Tourniquet for {HOSPITAL}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/funds/\d+/earmarks/need-\d+/$"))
    fits(page)
    tab_to(page, "Турнікети для лікарні")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/funds/\d+/expenses/\d+/$"))
    fits(page)
    expect(page.locator(".facts")).to_contain_text("Held")  # a receipt, not shown to the public
    expect(page.locator(".trail")).to_contain_text(
        re.compile(rf"40 pcs delivered to {HOSPITAL} \(delivery #\d+\)")
    )
    expect(page.locator("a[href$='/receipt/']")).to_have_count(0)

    foreign = [url for url in requests if not url.startswith((server_url, "data:"))]
    assert not foreign, f"requests to other origins: {foreign}"


@pytest.mark.browser
def test_the_shelter_a_purchase_reached_is_not_named_to_the_public(new_context: NewContext) -> None:
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto("/funds/")
    page.get_by_role("link", name=FUND).click()
    expense = page.locator("li.expense").filter(has_text="Павербанки для укриття")
    expect(expense).to_contain_text("delivered to a place not shown publicly")
    expect(page.locator("main")).not_to_contain_text("Укриття № 1")
