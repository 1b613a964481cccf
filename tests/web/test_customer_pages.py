"""The credit file pages, as a logged-in user sees them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.transactions.models import Invoice
from tests.factories import CustomerFactory, IndividualFactory, resident_id

pytestmark = pytest.mark.django_db


def _org(personas, **kwargs):
    kwargs.setdefault("department", personas.sales)
    kwargs.setdefault("account_manager", personas.account_manager)
    return CustomerFactory(**kwargs)


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_logs_in_with_username_and_password(personas, client: Client) -> None:
    response = client.post(
        reverse("login"), {"username": "li.na", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_lists_only_customers_in_scope(personas, client_for) -> None:
    mine = _org(personas, name="北京星辰科技有限公司")
    CustomerFactory(
        name="上海远洋贸易有限公司", department=personas.other, account_manager=personas.outsider
    )
    page = client_for(personas.account_manager).get(reverse("customers:list"))
    assert page.status_code == 200
    assert mine.name in page.content.decode()
    assert "上海远洋贸易有限公司" not in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")


def test_it_finds_a_customer_by_part_of_its_name(personas, client_for) -> None:
    _org(personas, name="北京星辰科技有限公司")
    _org(personas, name="广州海风贸易有限公司")
    page = client_for(personas.account_manager).get(reverse("customers:list"), {"q": "星辰"})
    text = page.content.decode()
    assert "北京星辰科技有限公司" in text
    assert "广州海风贸易有限公司" not in text
    assert "1 customer" in text


def test_it_finds_a_customer_by_exact_id_number(personas, client_for) -> None:
    person = IndividualFactory(
        department=personas.sales,
        account_manager=personas.account_manager,
        name="张伟",
        id_number=resident_id(17),
    )
    IndividualFactory(
        department=personas.sales,
        account_manager=personas.account_manager,
        name="李娜",
        id_number=resident_id(18),
    )
    page = client_for(personas.account_manager).get(
        reverse("customers:list"), {"q": person.id_number}
    )
    text = page.content.decode()
    assert "张伟" in text and "李娜" not in text


def test_it_answers_htmx_searches_with_the_results_only(personas, client_for) -> None:
    _org(personas, name="北京星辰科技有限公司")
    page = client_for(personas.account_manager).get(
        reverse("customers:list"), {"q": "星辰"}, HTTP_HX_REQUEST="true"
    )
    text = page.content.decode()
    assert "北京星辰科技有限公司" in text
    assert "<html" not in text


def test_it_filters_by_kind_and_sorts_by_name(personas, client_for) -> None:
    _org(personas, name="B公司甲")
    _org(personas, name="A公司乙")
    IndividualFactory(
        department=personas.sales, account_manager=personas.account_manager, name="个人客户"
    )
    page = client_for(personas.account_manager).get(
        reverse("customers:list"), {"kind": "organization", "sort": "name"}
    )
    text = page.content.decode()
    assert "个人客户" not in text
    assert text.index("A公司乙") < text.index("B公司甲")


def test_it_pages_forward_and_back_with_keyset_cursors(personas, client_for, settings) -> None:
    settings.CREDFILE_PAGE_SIZE = 5
    for i in range(12):
        _org(personas, name=f"客户{i:02d}")
    client = client_for(personas.account_manager)
    seen: list[str] = []
    page = client.get(reverse("customers:list"), {"sort": "name"})
    for _ in range(3):
        items = page.context["page"].items
        seen += [c.name for c in items]
        cursor = page.context["page"].next_cursor
        if cursor is None:
            break
        page = client.get(reverse("customers:list"), {"sort": "name", "cursor": cursor})
    assert seen == [f"客户{i:02d}" for i in range(12)]
    back = client.get(
        reverse("customers:list"), {"sort": "name", "cursor": page.context["page"].prev_cursor}
    )
    assert [c.name for c in back.context["page"].items] == [f"客户{i:02d}" for i in range(5, 10)]


def test_the_list_page_costs_the_same_queries_for_many_rows(
    personas, client_for, django_assert_max_num_queries
) -> None:
    for i in range(30):
        _org(personas, name=f"客户{i:02d}")
    client = client_for(personas.account_manager)
    with django_assert_max_num_queries(8):
        client.get(reverse("customers:list"))


def test_it_shows_the_file_with_its_sections(personas, client_for) -> None:
    customer = _org(personas, name="北京星辰科技有限公司")
    client = client_for(personas.account_manager)
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert customer.credit_code in text
    for title in (
        "Basic information",
        "Contacts",
        "Financials",
        "Transactions",
        "Service records",
        "Notes",
    ):
        assert title in text
    for section in ("contacts", "financials", "transactions", "services", "notes"):
        response = client.get(
            reverse("customers:section", args=[customer.pk, section]), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200, section
        assert f'data-section="{section}"' in response.content.decode()


def test_a_file_outside_the_users_scope_is_not_found(personas, client_for) -> None:
    customer = _org(personas)
    client = client_for(personas.outsider)
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 404
    assert client.get(reverse("customers:section", args=[customer.pk, "notes"])).status_code == 404
    assert client.get(reverse("customers:edit", args=[customer.pk])).status_code == 404


def test_it_opens_a_credit_file_from_the_form(personas, client_for) -> None:
    client = client_for(personas.account_manager)
    response = client.post(
        reverse("customers:new"),
        {
            "kind": "individual",
            "name": "张伟",
            "id_number": resident_id(5),
            "phone": "138 1234 5678",
            "category": "regular",
            "status": "active",
            "department": personas.sales.pk,
            "account_manager": personas.account_manager.pk,
            "tags": "出口, 重点",
        },
    )
    customer = Customer.objects.get(name="张伟")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.phone == "+8613812345678"
    assert customer.birth_date is not None
    assert sorted(customer.tags.values_list("name", flat=True)) == ["出口", "重点"]
    assert AuditEvent.objects.filter(
        object_type="customers.customer",
        action="create",
        customer_id=customer.pk,
        actor=personas.account_manager,
    ).exists()


def test_a_wrong_id_number_is_named_next_to_the_field_and_nothing_is_saved(
    personas, client_for
) -> None:
    client = client_for(personas.account_manager)
    response = client.post(
        reverse("customers:new"),
        {
            "kind": "individual",
            "name": "张伟",
            "id_number": "110105194912310021",
            "category": "regular",
            "status": "active",
            "department": personas.sales.pk,
            "account_manager": personas.account_manager.pk,
        },
    )
    assert response.status_code == 422
    assert response.context["form"].errors["id_number"] == [
        "The check digit of this ID number is wrong."
    ]
    assert 'id="id_id_number_error"' in response.content.decode()
    assert not Customer.objects.exists()


def test_the_id_number_error_is_in_chinese_for_a_chinese_user(personas, client_for) -> None:
    client = client_for(personas.account_manager, language="zh-hans")
    response = client.post(
        reverse("customers:new"),
        {
            "kind": "individual",
            "name": "张伟",
            "id_number": "110105194912310021",
            "category": "regular",
            "status": "active",
            "department": personas.sales.pk,
            "account_manager": personas.account_manager.pk,
        },
    )
    assert response.status_code == 422
    assert "校验码" in response.context["form"].errors["id_number"][0]


def test_a_duplicate_credit_code_links_to_the_existing_file(personas, client_for) -> None:
    existing = _org(personas, name="北京星辰科技有限公司")
    client = client_for(personas.account_manager)
    response = client.post(
        reverse("customers:new"),
        {
            "kind": "organization",
            "name": "另一家公司",
            "credit_code": existing.credit_code,
            "category": "regular",
            "status": "active",
            "department": personas.sales.pk,
            "account_manager": personas.account_manager.pk,
        },
    )
    assert response.status_code == 422
    link = reverse("customers:detail", args=[existing.pk])
    assert f'href="{link}"' in response.content.decode()
    assert Customer.objects.count() == 1


def test_a_similar_name_must_be_confirmed(personas, client_for) -> None:
    _org(personas, name="北京星辰科技有限公司")
    client = client_for(personas.account_manager)
    data = {
        "kind": "organization",
        "name": "北京星辰科技（有限责任公司）",
        "category": "regular",
        "status": "active",
        "department": personas.sales.pk,
        "account_manager": personas.account_manager.pk,
    }
    warned = client.post(reverse("customers:new"), data)
    assert warned.status_code == 422
    assert 'id="similar-warning"' in warned.content.decode()
    assert Customer.objects.count() == 1
    confirmed = client.post(reverse("customers:new"), {**data, "confirm_similar_name": "on"})
    assert confirmed.status_code == 302
    assert Customer.objects.count() == 2


def test_an_edit_on_a_stale_version_is_refused(personas, client_for) -> None:
    customer = _org(personas, name="北京星辰科技有限公司")
    client = client_for(personas.account_manager)
    form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        department=personas.sales.pk,
        account_manager=personas.account_manager.pk,
        name="北京星辰科技股份有限公司",
        confirm_similar_name="on",
    )
    Customer.objects.filter(pk=customer.pk).update(version=5)
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 409
    assert "Someone changed this credit file" in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "北京星辰科技有限公司"


def test_it_saves_an_edit(personas, client_for) -> None:
    customer = _org(personas, name="北京星辰科技有限公司")
    client = client_for(personas.account_manager)
    form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        department=personas.sales.pk,
        account_manager=personas.account_manager.pk,
        city="天津市",
        province="12",
    )
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.city, customer.province, customer.version) == ("天津市", "12", 2)


def test_it_adds_an_invoice_and_a_payment_in_the_transactions_section(personas, client_for) -> None:
    customer = _org(personas)
    client = client_for(personas.account_manager)
    add_invoice = reverse("customers:add", args=[customer.pk, "invoice"])
    response = client.post(
        add_invoice,
        {
            "invoice-number": "INV-1",
            "invoice-issue_date": "2026-01-10",
            "invoice-amount": "1000.00",
            "invoice-currency": "CNY",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "INV-1" in response.content.decode()
    invoice = Invoice.objects.get(customer=customer)
    assert str(invoice.due_date) == "2026-02-09"
    response = client.post(
        reverse("customers:add", args=[customer.pk, "payment"]),
        {
            "payment-received_on": "2026-02-12",
            "payment-amount": "400",
            "payment-currency": "CNY",
            "payment-method": "bank_transfer",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("400.00")


@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        (
            "invoice",
            {
                "number": "X",
                "issue_date": "2026-03-01",
                "due_date": "2026-02-01",
                "amount": "10",
                "currency": "CNY",
            },
            "due_date",
            "The due date cannot be before the invoice date.",
        ),
        (
            "invoice",
            {"number": "X", "issue_date": "2026-03-01", "amount": "-5", "currency": "CNY"},
            "amount",
            "The amount cannot be negative.",
        ),
        (
            "invoice",
            {"number": "X", "issue_date": "2026-03-01", "amount": "abc", "currency": "CNY"},
            "amount",
            "Enter a number.",
        ),
        (
            "payment",
            {"received_on": "2026-03-01", "amount": "99999", "currency": "CNY", "method": "cash"},
            "amount",
            None,
        ),
        ("contact", {"name": "李娜", "role": "finance", "mobile": "12345"}, "mobile", None),
    ],
)
def test_bad_record_input_is_named_and_nothing_is_saved(
    personas, client_for, kind, data, field, message
) -> None:
    customer = _org(personas)
    client = client_for(personas.account_manager)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("customers:add", args=[customer.pk, kind]),
        {f"{kind}-{k}": v for k, v in data.items()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    form = dict((k, f) for k, _t, f in response.context["record_forms"])[kind]
    assert field in form.errors
    if message:
        assert message in form.errors[field]
    assert AuditEvent.objects.count() == before
    customer.refresh_from_db()
    assert customer.version == 1


def test_an_auditor_sees_files_but_no_edit_controls(personas, client_for) -> None:
    customer = _org(personas)
    client = client_for(personas.auditor)
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert page.status_code == 200
    assert reverse("customers:edit", args=[customer.pk]) not in page.content.decode()
    assert client.get(reverse("customers:new")).status_code == 403
    assert (
        client.post(
            reverse("customers:add", args=[customer.pk, "note"]),
            {
                "note-kind": "other",
                "note-dated": "2026-01-01",
                "note-subject": "x",
                "note-body": "y",
            },
        ).status_code
        == 404
    )


def test_a_file_is_deleted_once_the_department_head_approves(personas, client_for) -> None:
    customer = _org(personas)
    response = client_for(personas.account_manager).post(
        reverse("customers:delete", args=[customer.pk]), {"reason": "重复建档"}, follow=True
    )
    assert "submitted for approval, waiting for" in response.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()
    change = customer.change_requests.get()

    head = client_for(personas.department_head)
    assert head.post(reverse("changes:approve", args=[change.pk])).status_code == 302

    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert AuditEvent.objects.filter(action="delete", customer_id=customer.pk).exists()
    assert (
        client_for(personas.colleague)
        .post(reverse("customers:delete", args=[_org(personas).pk]))
        .status_code
        == 404
    )


def test_the_language_follows_the_browser(personas, client_for) -> None:
    assert (
        "Customers"
        in client_for(personas.account_manager, "en")
        .get(reverse("customers:list"))
        .content.decode()
    )
