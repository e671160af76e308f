"""Signing in through the pages as a person does: the password, then, for the roles that
must give one, the code from the authenticator holding the demo's published key."""

from __future__ import annotations

import base64
import time

from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from hromada.core.demo_accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET

STEP = 30  # seconds per code
_last_step: dict[str, int] = {}  # a code is accepted once: the next sign-in uses a later one


def demo_code(username: str) -> str:
    """The demo authenticator's code for a step not yet used by this name."""
    while True:
        now = int(time.time()) // STEP
        step = max(now, _last_step.get(username, -1) + 1)
        if step <= now + 1:  # the server accepts one step ahead (clock drift)
            break
        time.sleep((now + 1) * STEP - time.time() + 0.1)
    _last_step[username] = step
    totp = TOTP(base64.b32decode(DEMO_TOTP_SECRET), step=STEP)
    totp.time = step * STEP
    return f"{totp.token():06d}"


def sign_in(page: Page, username: str, *, type_slowly: bool = True) -> None:
    """Sign in through the login form (typing key by key unless told not to), landing on the
    account page: the needs board would be the service worker's kept copy (made before signing
    in) if the server is slow to answer the first signed-in page for 6 s, as under CI's load."""
    page.goto("/login/?next=/account/")
    if type_slowly:
        page.locator("#id_username").press_sequentially(username)
        page.locator("#id_password").press_sequentially(DEMO_PASSWORD)
    else:
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/account/two-factor/" in page.url:
        page.locator("#id_code").fill(demo_code(username))
        page.locator("#id_code").press("Enter")
        page.wait_for_url(lambda url: "/account/two-factor/" not in url)
    expect(page.locator('form[action="/logout/"]').first).to_be_attached()
