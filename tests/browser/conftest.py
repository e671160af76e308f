"""One real Hromada server and one Chromium for the whole browser session.

The server starts once (setup takes seconds) and the tests talk to it over HTTP, never to
the Django test database. Each test gets fresh browser contexts, so cookies and cache
never carry over from one test to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.liveserver import CHROMIUM, chromium_args, running_hromada

NewContext = Callable[..., BrowserContext]
TIMEOUT_MS = 10_000  # a page of this app loads in well under a second; fail fast otherwise


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    with running_hromada() as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=chromium_args(), headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium: Browser, server_url: str) -> Iterator[NewContext]:
    """Make browser contexts on the server (English unless a locale is given); all are
    closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("locale", "en-US")
        context = chromium.new_context(base_url=server_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()
