"""The whole supply chain, as the people in it live it, in Chromium against the real server:
a donor offers sleeping bags for the school's shelter, the hub's coordinator receives them,
plans deliveries, a volunteer driver claims and delivers, and the school's need is met."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.signin import sign_in

NewContext = Callable[..., BrowserContext]
SCHOOL = "Школа № 5 (укриття в підвалі)"
HUB = "Склад «Північний»"
SLEEPING_BAGS_UK = "Спальники"  # what the hub's coordinator and the driver read (their language)


@pytest.mark.browser
def test_a_donors_sleeping_bags_reach_the_school_through_the_hub(new_context: NewContext) -> None:
    # A donor, no account, in English.
    donor = new_context().new_page()
    donor.goto("/give/")
    option = donor.locator("#id_item option").filter(has_text=re.compile(r"^Sleeping bags \("))
    donor.select_option("#id_item", value=option.get_attribute("value"))
    donor.locator("#id_quantity").fill("60")
    donor.locator("#id_contact_name").fill("Claire from Lyon")
    donor.locator("#id_contact_phone").fill("+33 6 00 00 00 00")
    donor.locator("#id_consent").check()
    donor.locator("main form.stacked button[type=submit]").click()
    expect(donor).to_have_url(re.compile(r"/pledges/follow/[^/]+/$"))
    follow_url = donor.url

    # The Volunteer HQ's coordinator accepts the offer at the northern hub and receives it.
    hub = new_context().new_page()
    sign_in(hub, "hub")
    hub.goto("/pledges/")
    hub.locator("li.need a.what", has_text=SLEEPING_BAGS_UK).first.click()
    hub.locator("details.action").nth(0).locator("summary").click()
    hub.select_option("details.action >> nth=0 >> select[name=hub]", label=HUB)
    hub.locator("details.action").nth(0).locator("button[type=submit]").click()
    expect(hub.locator(".messages")).to_be_visible()
    hub.locator("details.action").nth(1).locator("summary").click()
    hub.locator("details.action").nth(1).locator("button[type=submit]").click()
    expect(hub.locator("details.action")).to_have_count(0)  # received: nothing left to do

    # The coordinator asks for a plan and confirms it.
    hub.goto("/plan/")
    hub.locator("main form button[type=submit]").click()
    expect(hub).to_have_url(re.compile(r"/plan/\d+/$"))
    school_trip = (
        hub.locator("section.trip").filter(has_text=SCHOOL).filter(has_text=SLEEPING_BAGS_UK)
    )
    expect(school_trip).to_have_count(1)
    hub.locator("form[action$='/confirm/'] button[type=submit]").click()
    expect(hub).to_have_url(re.compile(r"/deliveries/$"))

    # A volunteer of the HQ drives it.
    driver = new_context().new_page()
    sign_in(driver, "volunteer")
    driver.goto("/deliveries/")
    driver.locator("li.delivery").filter(has_text=SLEEPING_BAGS_UK).filter(has_text=SCHOOL).locator(
        "a.what"
    ).first.click()
    driver.locator("form[action$='/claim/'] button").click()
    driver.locator("form[action$='/pick-up/'] button").click()
    driver.locator("#id_recipient_name").fill("Ірина Мельничук, чергова")
    driver.locator("form[action$='/deliver/'] button[type=submit]").click()
    expect(driver.locator("form[action$='/deliver/']")).to_have_count(0)

    # The school's need for sleeping bags is met: it has left the board.
    hub.goto("/needs/?q=" + SLEEPING_BAGS_UK)
    expect(hub.locator("#results li.need").filter(has_text=SCHOOL)).to_have_count(0)

    # And the donor, by their private link, sees that the gift arrived.
    donor.goto(follow_url)
    expect(donor.locator(".badges .status")).to_have_text("Received")
