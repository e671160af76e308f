"""Family tracing in Chromium against the real server with the demo: a relative abroad asks,
a caseworker confirms the match side by side and records what was passed on.

The demo caseworker reads the site in Ukrainian; these tests find the interface by stable
attributes (addresses, field names, button values) and check the demo's own data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.signin import sign_in

HOSPITAL_RECORD = "Шевченко Олександр Петрович"
SHELTER_RECORD = "Шевченко Александр"
NewContext = Callable[..., BrowserContext]


@pytest.mark.browser
def test_a_caseworker_confirms_the_match_for_an_inquiry_from_abroad(page: Page) -> None:
    sign_in(page, "caseworker")
    page.goto("/tracing/inquiries/")
    inquiry = (
        page.locator("li.inquiry").filter(has_text="Shevchenko Oleksandr").filter(has_text="Canada")
    )
    expect(inquiry).to_have_count(1)
    inquiry.locator("a.what").click()
    expect(page).to_have_url(re.compile(r"/tracing/inquiries/\d+/$"))
    inquiry_url = page.url

    candidates = page.locator("li.match")
    expect(candidates.filter(has_text=HOSPITAL_RECORD)).to_have_count(1)
    expect(candidates.filter(has_text=SHELTER_RECORD)).to_have_count(1)
    candidates.filter(has_text=HOSPITAL_RECORD).locator('a[href^="/tracing/matches/"]').click()

    expect(page).to_have_url(re.compile(r"/tracing/matches/\d+/$"))
    expect(page.locator("table.compare")).to_contain_text("Oleksandr")
    expect(page.locator("table.compare")).to_contain_text("Олександр")
    page.locator('button[name="decision"][value="confirm"]').click()

    expect(page).to_have_url(inquiry_url)
    expect(page.locator(".need.found")).to_contain_text(HOSPITAL_RECORD)
    disclose = page.locator('form[action$="/disclose/"]')
    disclose.locator("#id_what").select_option("status")
    expect(disclose.locator("#id_recipient")).to_have_value("Maria Shevchenko")
    disclose.locator("#id_basis").select_option("consent")
    disclose.locator("button[type=submit]").click()

    expect(page).to_have_url(inquiry_url)
    expect(page.locator("main .messages")).to_be_visible()
    expect(page.locator("main ul.stack").last).to_contain_text("Maria Shevchenko")


@pytest.mark.browser
def test_a_relative_files_an_inquiry_on_a_phone_and_gets_only_a_reference(
    new_context: NewContext,
) -> None:
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto("/tracing/inquire/")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360, f"the inquiry form scrolls sideways on a 360px phone ({width}px)"
    page.locator("#id_family_name").press_sequentially("Shevchenko")
    page.locator("#id_given_name").press_sequentially("Oleksandr")
    page.locator("#id_birth_year").press_sequentially("1987")
    page.locator("#id_inquirer_name").press_sequentially("Test Relative")
    page.locator("#id_inquirer_contact").press_sequentially("+48 500 000 111")
    page.locator("#id_consent").check()
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/tracing/inquire/sent/$"))
    expect(page.locator("main code")).to_have_text(re.compile(r"^TR-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    text = page.locator("main").inner_text()
    for secret in (HOSPITAL_RECORD, SHELTER_RECORD, "Шевченко", "1987"):
        assert secret not in text
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360


@pytest.mark.browser
def test_the_caseworkers_pages_fit_a_phone_and_make_no_outside_requests(
    new_context: NewContext, server_url: str
) -> None:
    context = new_context(viewport={"width": 360, "height": 740})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    sign_in(page, "caseworker")
    for path in ["/tracing/?q=Oleksandr+Shevchenko&birth_year=1987", "/tracing/inquiries/",
                 "/tracing/matches/", "/tracing/import/", "/tracing/transfers/"]:  # fmt: skip
        response = page.goto(path, wait_until="networkidle")
        assert response is not None and response.ok, path
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways on a 360px phone ({width}px)"
    assert all(url.startswith(server_url) or url.startswith("data:") for url in requests)


@pytest.mark.browser
def test_nothing_of_tracing_is_public(page: Page) -> None:
    for path in ["/tracing/", "/tracing/inquiries/", "/tracing/matches/", "/tracing/records/1/"]:
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/login/"))
    response = page.request.get("/api/tracing/search?q=Shevchenko")
    assert response.status == 401
