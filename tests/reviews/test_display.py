"""Review pages in each language: policies chosen from lists and described in the reader's
language, reviews' proposed changes by label and display value, notifications worded for
the reader."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from credfile.reviews.models import Notification, ReviewPolicy
from credfile.reviews.services import escalations_send, reminders_send, review_submit
from tests.conftest import Personas
from tests.reviews.conftest import TODAY, make_file

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_policy_form_offers_risk_levels_and_categories_by_name(
    personas: Personas, client_for
) -> None:
    page = client_for(personas.credit_manager).get(reverse("reviews:policies"))

    form = page.context["form"]
    assert form.fields["value"].widget.input_type == "select"
    html = page.content.decode()
    assert '<option value="high">High risk</option>' in html
    assert '<option value="strategic">Strategic customer</option>' in html
    chinese = client_for(personas.credit_manager, "zh-hans").get(reverse("reviews:policies"))
    assert '<option value="strategic">战略客户</option>' in chinese.content.decode()


def test_a_policy_is_added_by_choosing_a_category(personas: Personas, client_for) -> None:
    client = client_for(personas.credit_manager)
    response = client.post(
        reverse("reviews:policies"),
        {"basis": "category", "value": "strategic", "cycle_months": 6, "note": ""},
    )

    assert response.status_code == 302
    policy = ReviewPolicy.objects.get(basis="category", value="strategic", is_active=True)
    assert policy.cycle_months == 6
    html = client.get(reverse("reviews:policies")).content.decode()
    assert "Strategic customer: reviewed every 6 months." in html


def test_a_code_that_is_not_offered_is_refused_naming_the_field(
    personas: Personas, client_for
) -> None:
    response = client_for(personas.credit_manager).post(
        reverse("reviews:policies"),
        {"basis": "category", "value": "vip", "cycle_months": 6},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["value"]
    assert not ReviewPolicy.objects.filter(value="vip").exists()


def test_the_default_policies_read_in_each_language(personas: Personas, client_for) -> None:
    english = _main(
        client_for(personas.credit_manager).get(reverse("reviews:policies")).content.decode()
    )
    chinese = _main(
        client_for(personas.credit_manager, "zh-hans")
        .get(reverse("reviews:policies"))
        .content.decode()
    )

    assert "High risk: reviewed every 3 months." in english
    assert "All other files: reviewed every 12 months." in english
    assert not CJK.search(english)
    assert "Default: high risk" not in english and "Default: high risk" not in chinese
    assert "高风险" in chinese
    assert "reviewed every" not in chinese and "High risk" not in chinese


def test_a_review_shows_its_proposed_changes_by_label_and_display_value(
    personas: Personas, client_for
) -> None:
    customer = make_file(personas, opened_on=datetime.date(2024, 1, 1), profit_class="A")
    review_submit(
        actor=personas.account_manager,
        customer=customer,
        findings="Checked",
        conclusion="needs_updates",
        proposed_changes={"profit_class": "B"},
        today=TODAY,
    )
    url = reverse("customers:section", args=[customer.pk, "reviews"])

    english = client_for(personas.account_manager).get(url).content.decode()
    chinese = client_for(personas.account_manager, "zh-hans").get(url).content.decode()

    assert "profit contribution</span>: B — medium contribution" in english
    assert "profit_class" not in english.replace('data-field="profit_class"', "")
    assert "利润贡献度</span>: B" in chinese
    assert "medium contribution" not in chinese


def test_review_notifications_are_worded_in_the_readers_language(
    personas: Personas, client_for
) -> None:
    make_file(personas, opened_on=datetime.date(2024, 3, 1))
    make_file(personas, opened_on=datetime.date(2024, 6, 26))
    escalations_send(today=TODAY)
    reminders_send(today=TODAY)

    head_en = _main(
        client_for(personas.department_head).get(reverse("reviews:queue")).content.decode()
    )
    head_zh = _main(
        client_for(personas.department_head, "zh-hans")
        .get(reverse("reviews:queue"))
        .content.decode()
    )
    manager_en = _main(
        client_for(personas.account_manager).get(reverse("reviews:queue")).content.decode()
    )

    assert "Overdue reviews escalated: 1 credit files" in head_en
    assert "逾期复核上报" not in head_en
    assert "逾期复核上报" in head_zh
    assert "Reviews due soon: 1 credit files" in manager_en


def test_a_notification_stored_in_chinese_is_shown_in_english_to_an_english_reader(
    personas: Personas, client_for
) -> None:
    # A row written before notifications were worded for their reader: its kind and count
    # still say what it is.
    Notification.objects.create(
        recipient=personas.department_head,
        kind="escalation",
        subject="逾期复核上报：611 份信用档案",
        body="逾期复核上报",
        file_count=611,
    )

    html = _main(
        client_for(personas.department_head).get(reverse("reviews:queue")).content.decode()
    )

    assert "Overdue reviews escalated: 611 credit files" in html
    assert "逾期复核上报" not in html
