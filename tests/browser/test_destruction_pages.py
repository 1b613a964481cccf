"""The head's destruction in a real browser: tick, confirm, destroy, read the certificate —
in both languages, on a desktop and on a phone."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from credfile.customers.models import Customer
from credfile.retention.models import DestructionItem, DestructionList
from tests.browser.test_layout import _at, _log_in, _no_sideways_scroll, people  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("CREDFILE_SCREENSHOTS")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("locale", "destroy", "certificate"),
    [
        ("en-US", "Destroy the chosen", "Destruction certificate"),
        ("zh-CN", "销毁所选记录", "销毁证明"),
    ],
)
@pytest.mark.parametrize("width", [1440, 390])
def test_the_head_destroys_a_listed_file_and_reads_its_certificate(
    people: dict[str, Any],  # noqa: F811
    live_server: Any,
    page_for: Any,
    locale: str,
    destroy: str,
    certificate: str,
    width: int,
) -> None:
    doomed = people["file"]
    listing = DestructionList.objects.create(listed_on=datetime.date(2026, 1, 1))
    DestructionItem.objects.create(
        destruction_list=listing,
        kind="file",
        customer=doomed,
        object_id=doomed.pk,
        due_on=listing.listed_on,
    )
    page = page_for(locale)
    _at(page, width)
    _log_in(page, live_server, "wang.fang")
    page.goto(f"{live_server.url}/archive/due/")
    _no_sideways_scroll(page)
    _shot(page, f"due-{locale}-{width}")
    page.check(f'input[name="items"][value="{listing.items.get().pk}"]')
    # Without the confirmation nothing happens.
    page.get_by_role("button", name=destroy).click()
    expect(page.locator(".alert-danger, .alert-error").first).to_be_visible()
    assert Customer.objects.filter(pk=doomed.pk).exists()
    page.check(f'input[name="items"][value="{listing.items.get().pk}"]')
    page.check("#due-confirm")
    page.get_by_role("button", name=destroy).click()
    expect(page.locator(".alert-success").first).to_be_visible()
    assert not Customer.objects.filter(pk=doomed.pk).exists()
    page.goto(f"{live_server.url}/archive/certificates/")
    page.locator("#certificates a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(certificate)
    expect(page.locator("#certificate")).to_contain_text(doomed.code)
    _no_sideways_scroll(page)
    _shot(page, f"certificate-{locale}-{width}")
