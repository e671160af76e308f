"""Volunteers in Chromium against the real server: a sign-up on a small phone, a coordinator
filling tomorrow morning's sandbag shift, and an applicant abroad applying in French.

The interface is found by stable attributes (addresses, field names, values) and checked
against the demo's data, so these tests hold while the catalogues are being translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from tests.browser.signin import sign_in

PHONE = {"width": 360, "height": 740}
SANDBAGS = "Наповнити мішки з піском біля школи № 5"
NewContext = Callable[..., BrowserContext]


def fits(page: Page, width: int = 360) -> None:
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways on a {width}px phone ({scroll}px)"


def foreign_requests(context: BrowserContext, base_url: str) -> list[str]:
    seen: list[str] = []

    def record(request: Request) -> None:
        parts = urlsplit(request.url)
        if not request.url.startswith("data:") and parts.netloc != urlsplit(base_url).netloc:
            seen.append(request.url)

    context.on("request", record)
    return seen


@pytest.mark.browser
def test_a_person_signs_up_from_a_small_phone_with_the_keyboard(
    new_context: NewContext, server_url: str
) -> None:
    context = new_context(viewport=PHONE, locale="uk-UA")
    foreign = foreign_requests(context, server_url)
    page = context.new_page()
    page.goto("/volunteers/join/")
    fits(page)
    page.locator('input[name="organization"]').first.check()
    page.locator("#id_name").press_sequentially("Ярина Кушнір")
    page.locator("#id_phone").press_sequentially("067 555 12 34")
    for value in ("mason", "first_aid"):
        box = page.locator(f'input[name="skills"][value="{value}"]')
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    page.locator('input[name="days"][value="5"]').check()
    page.locator('input[name="parts"][value="morning"]').check()
    page.locator("#id_consent").focus()
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.locator("form.signup button[type=submit]").press("Enter")
    expect(page).to_have_url(re.compile(r"/volunteers/join/thanks/$"))
    fits(page)
    assert not foreign, f"requests to other origins: {foreign}"


@pytest.mark.browser
def test_a_sign_up_without_consent_stays_on_the_phone_with_a_clear_error(
    new_context: NewContext,
) -> None:
    page = new_context(viewport=PHONE).new_page()
    page.goto("/volunteers/join/")
    page.locator('input[name="organization"]').first.check()
    page.locator("#id_name").fill("Без Згоди")
    page.locator("#id_phone").fill("0675550000")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("form.signup button[type=submit]").click()
    assert posted.value.status == 422
    expect(page.locator("main .error-summary")).to_be_visible()
    fits(page)


@pytest.mark.browser
def test_a_coordinator_fills_tomorrows_sandbag_shift(new_context: NewContext) -> None:
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, "hub")
    page.goto("/volunteers/shifts/?short=on")
    card = page.locator("#results li.shift-card.short").filter(has_text=SANDBAGS).first
    expect(card).to_be_visible()
    card.locator("a.what").click()
    expect(page).to_have_url(re.compile(r"/volunteers/shifts/\d+/$"))
    roster = page.locator("main ul.roster:not(.pick) > li:not(.empty)")
    before = roster.count()
    candidates = page.locator("#fill ul.pick > li")
    expect(candidates.first).to_be_visible()
    names = []
    for i in range(3):
        row = candidates.nth(i)
        names.append(row.locator(".who").inner_text())
        row.locator('input[name="volunteers"]').check()
    page.locator('#fill button[name="agreed"][value="1"]').click()
    expect(page.locator(".messages .msg-success")).to_be_visible()
    expect(roster).to_have_count(before + 3)
    for name in names:
        expect(roster.filter(has_text=name)).to_have_count(1)
    # The person it was for cannot see anyone's phone there.
    shift_path = urlsplit(page.url).path
    volunteer = new_context(viewport=PHONE).new_page()
    sign_in(volunteer, "volunteer")
    volunteer.goto(shift_path)
    fits(volunteer)
    assert not re.search(r"\+380 ?\d\d", volunteer.locator("main").inner_text())


@pytest.mark.browser
def test_an_applicant_applies_in_french_from_a_phone_and_follows_their_status(
    new_context: NewContext, tmp_path: Path
) -> None:
    page = new_context(viewport=PHONE, locale="fr-FR").new_page()
    page.goto("/volunteers/apply/fr/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    fits(page)
    page.locator("#id_name").fill("Camille Durand")
    page.locator("#id_email").fill("camille@example.org")
    page.select_option("#id_nationality", "FR")
    page.select_option("#id_residence", "BE")
    expect(page.locator('#id_nationality option[value="DE"]')).to_have_text("Allemagne")
    page.locator('input[name="skills"][value="nurse"]').check()
    page.locator("#id_experience").fill("Infirmière aux urgences, 8 ans.")
    page.locator("#id_available_from").fill("2099-01-15")
    page.select_option("#id_how_heard", "referrer")
    page.locator("#id_referrer_code").fill("lambert-dijon")
    scan = tmp_path / "passeport.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.locator("#id_documents").set_input_files(str(scan))
    page.locator("#id_consent").check()
    page.locator("form.apply button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/volunteers/apply/fr/status/HR-[A-Z0-9]+/[^/]+/\?new=1$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    reference = re.search(r"HR-[A-Z0-9]+", page.url).group(0)  # type: ignore[union-attr]
    expect(page.locator("main h1")).to_contain_text(reference)
    expect(page.locator("main .facts")).to_contain_text("passeport.pdf")
    status_link = page.url.split("?")[0]
    fits(page)

    # Later, from the saved link: the status, and the way out.
    later = new_context(viewport=PHONE, locale="fr-FR").new_page()
    later.goto(status_link)
    expect(later.locator("main .timeline li")).to_have_count(1)
    later.locator("details.danger summary").click()
    later.locator('details.danger button[type="submit"]').click()
    expect(later.locator("main .timeline li")).to_have_count(2)
    expect(later.locator("details.danger")).to_have_count(0)

    # The referrer sees one more referral, and no name.
    referrer = new_context().new_page()
    sign_in(referrer, "referrer")
    referrer.goto("/volunteers/referrals/")
    expect(referrer.locator("main")).not_to_contain_text("Camille")
