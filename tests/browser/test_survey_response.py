"""A satisfaction survey recorded from the file in a real browser, and its score on the file
and on the scores page — in both languages, on a desktop and a phone, without the page
scrolling sideways."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from credfile.customers.models import Customer
from credfile.surveys.services import (
    current_version,
    questionnaire_create,
    survey_response_record,
)
from tests.browser.test_layout import _at, _log_in, _no_sideways_scroll
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCALES = ["en-US", "zh-CN"]
SHOTS = Path(os.environ.get("CREDFILE_SCREENSHOTS", "test-artifacts/screenshots"))
RECORDED = {"en-US": "are recorded", "zh-CN": "已登记"}
REQUIRED = {"en-US": "This question needs an answer.", "zh-CN": "此题必须作答。"}


@pytest.fixture
def head(transactional_db: None, settings: Any) -> Any:
    settings.CREDFILE_OTP_REQUIRED_ROLES = []
    sales = DepartmentFactory(code="SALES", name="销售一部")
    user = UserFactory(
        username="wang.fang", role="department_head", department=sales, display_name="王芳"
    )
    customer = CustomerFactory(
        name="北京星辰国际科技发展集团有限公司" * 3, department=sales, account_manager=user
    )
    q = questionnaire_create(
        actor=user,
        fields={"name": "客户满意度回访", "kind": "csat"},
        questions=[
            {"text": "您对本次服务总体是否满意？", "kind": "score"},
            {"text": "您对交货及时性是否满意？", "kind": "score"},
            {"text": "其他意见和建议", "kind": "text", "required": False},
        ],
    )
    first, second, _comment = current_version(q).questions.order_by("position")
    survey_response_record(
        actor=user,
        customer=customer,
        questionnaire=q,
        answers={first.pk: 2, second.pk: 5},
        fields={"answered_at": timezone.now() - datetime.timedelta(days=40)},
    )
    return user


def _choose(page: Page, question: int, score: str) -> None:
    page.locator(f".field-answer_{question}").get_by_text(score, exact=True).click()


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("width", [1440, 390])
def test_a_response_is_recorded_and_its_score_shown(
    head: Any, live_server: Any, page_for: Any, locale: str, width: int
) -> None:
    page = page_for(locale)
    _at(page, width)
    # The live server's first answer can be slow on a busy machine.
    page.goto(f"{live_server.url}/accounts/login/", timeout=60_000)
    _log_in(page, live_server, "wang.fang")
    customer = Customer.objects.get(account_manager=head)
    page.goto(f"{live_server.url}/customers/{customer.pk}/surveys/")
    _no_sideways_scroll(page)
    page.locator("#survey-record-links a").first.click()
    questionnaire = customer.survey_responses.get().questionnaire
    questions = list(current_version(questionnaire).questions.order_by("position"))
    # The second required question left out: refused on its field, nothing saved.
    _choose(page, questions[0].pk, "4")
    page.click("#response-save")
    expect(page.locator(f"#answer_{questions[1].pk}_error")).to_have_text(REQUIRED[locale])
    _no_sideways_scroll(page)
    _shot(page, f"record-error-{locale}-{width}")
    _choose(page, questions[1].pk, "4")
    page.fill(f"#id_answer_{questions[2].pk}", "送货及时，客户经理响应快")
    page.click("#response-save")
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text(RECORDED[locale])
    # 2 and 5 forty days ago, 4 and 4 now: three of four answers satisfied.
    score = page.locator('#survey-scores [data-kind="csat"] .survey-score')
    expect(score).to_have_text("75.0%")
    expect(page.locator("#survey-responses")).to_contain_text("送货及时，客户经理响应快")
    _no_sideways_scroll(page)
    _shot(page, f"file-section-{locale}-{width}")
    page.goto(f"{live_server.url}/surveys/scores/?period=quarter")
    expect(page.locator("#score-total .survey-score")).to_have_text("75.0%")
    _no_sideways_scroll(page)
    _shot(page, f"scores-{locale}-{width}")
    assert customer.survey_responses.count() == 2
