"""A real Chromium (Debian's package) driven by Playwright against the live test server."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = os.environ.get("CREDFILE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("CREDFILE_TEST_ARTIFACTS", "test-artifacts"))

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(apt-get install chromium) or set CREDFILE_CHROMIUM."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_for(
    browser: Browser,
    request: pytest.FixtureRequest,
    transactional_db: None,
) -> Iterator:  # type: ignore[type-arg]
    # After the database (so torn down before it): a page's last requests finish before
    # the tables are flushed, instead of finding them locked on a busy machine.
    pages: list[Page] = []

    def make(locale: str) -> Page:
        context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        pages.append(page)
        return page

    yield make
    for index, page in enumerate(pages):
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"{request.node.name}-{index}.png", full_page=True)
        # A page that keeps polling never idles: closing it is then enough.
        with contextlib.suppress(PlaywrightError):
            page.wait_for_load_state("networkidle", timeout=3_000)
        page.context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:  # type: ignore[type-arg]
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
