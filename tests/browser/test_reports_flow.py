"""Situation reports in Chromium against the real server with the demo community.

The demo's analyst and admin read the site in Ukrainian (their saved preference) and the
Ukrainian catalogue is still being written, so these tests find the interface by stable
attributes (form actions, field names, links' addresses) and check text that does not
depend on the catalogue: names and figures from the demo and from what the test typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.signin import sign_in

TOWN = "UA59020130010078409"  # Okhtyrka in the demo
SITREP_LINK = re.compile(r"/reports/sitreps/(\d+)/$")
NewContext = Callable[..., BrowserContext]


def outside_requests(page: Page, base_url: str) -> list[str]:
    seen: list[str] = []
    page.on(
        "request",
        lambda request: (
            seen.append(request.url) if not request.url.startswith((base_url, "data:")) else None
        ),
    )
    return seen


@pytest.mark.browser
def test_an_analyst_records_a_figure_and_publishes_a_sitrep_that_the_public_reads(
    new_context: NewContext, server_url: str
) -> None:
    analyst = new_context().new_page()
    sign_in(analyst, "analyst")

    # A new statement of the town council, and its figure typed as words.
    analyst.goto("/reports/sources/")
    analyst.locator("main a", has_text="Охтирська міська рада").first.click()
    analyst.locator('main a[href^="/reports/documents/new/"]').click()
    analyst.locator("#id_title").fill("Звернення міського голови 1 березня")
    analyst.locator("#id_published_at").fill("2022-03-01T19:00")
    analyst.locator("#id_excerpt").fill("Загинули щонайменше 30 людей.")
    analyst.locator("main form.stacked button[type=submit]").click()
    expect(analyst).to_have_url(re.compile(r"/reports/documents/\d+/$"))
    analyst.select_option("#id_metric", value="civilians_killed")
    analyst.locator("#id_words").fill("щонайменше 30")
    analyst.select_option("#id_area", value=TOWN)
    analyst.locator("#id_as_of").fill("2022-03-01T18:00")
    analyst.select_option("#id_basis", value="documented_count")
    analyst.locator('form[action$="/claims/"] button[type=submit]').click()
    expect(analyst.locator("main ol.claims")).to_contain_text("≥ 30")

    # A sitrep for the town, sent for review.
    analyst.goto("/reports/sitreps/new/")
    analyst.select_option("#id_area", value=TOWN)
    analyst.locator("#id_cutoff").fill("2022-03-01T20:00")
    analyst.locator("#id_title").fill("Okhtyrka, 1 March")
    analyst.locator("main form.stacked button[type=submit]").click()
    expect(analyst).to_have_url(SITREP_LINK)
    sitrep = urlsplit(analyst.url).path
    analyst.locator(f'form[action="{sitrep}submit/"] button').click()
    expect(analyst.locator(f'form[action="{sitrep}approve/"]')).to_have_count(
        0
    )  # not by the author

    # Another person approves; the figures are frozen then.
    admin = new_context().new_page()
    sign_in(admin, "admin")
    admin.goto(sitrep)
    admin.locator(f'form[action="{sitrep}approve/"] button').click()
    expect(admin.locator("code.hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))

    analyst.goto(sitrep)
    analyst.locator(f'form[action="{sitrep}publish/"] button').click()

    # The public reads it: the town's, the government's and the UN's figures side by side.
    visitor = new_context().new_page()
    outside = outside_requests(visitor, server_url)
    visitor.goto("/reports/sitreps/")
    visitor.locator(f'main a[href="{sitrep}"]').first.click()
    killed = visitor.locator("#figure-civilians_killed")
    expect(killed.locator(".headline strong")).to_have_text("30")
    for text in ("≥ 30", "Okhtyrka City Council", "Government of Ukraine", "~200", "102", "OHCHR"):
        expect(killed).to_contain_text(text)
    expect(visitor.locator("#figure-combatants_killed-ru")).to_contain_text("4,300")
    expect(killed).not_to_contain_text("4,300")
    assert outside == []


@pytest.mark.browser
def test_a_visitor_reports_an_incident_on_a_phone_with_the_keyboard(
    new_context: NewContext,
) -> None:
    phone = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto("/reports/incidents/report/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.locator("#id_kind").focus()
    page.keyboard.press("End")  # the last kind, "Other"
    page.locator("#id_day").fill("2022-02-28")
    page.select_option("#id_area", value=TOWN)
    page.locator("#id_place_text").fill("біля ринку")
    page.locator("#id_description").fill("Вибухи, горить дах.")
    page.locator("#id_reporter_contact").press_sequentially("@witness")
    page.locator("#id_reporter_contact").press("Enter")

    expect(page).to_have_url(re.compile(r"/reports/incidents/report/\d{8}-[2-9A-Z]{4}/$"))
    code = urlsplit(page.url).path.rstrip("/").rsplit("/", 1)[1]
    expect(page.locator("main .code")).to_have_text(code)
    # Not public until an analyst reviews it.
    response = page.goto(f"/reports/incidents/{code}/")
    assert response is not None and response.status == 404
