"""Customer groups (集团客户): membership rules, group exposure per currency, the exposure
check's group limit, the group limit's approval, who sees which members, and bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.limits.models import CreditLimit, CustomerGroup, GroupMember, LimitRequest, OpenOrder
from credfile.limits.selectors import group_exposure, group_exposures
from credfile.limits.services import (
    group_create,
    group_limit_request_create,
    group_member_add,
    group_member_remove,
    limit_request_decide,
)
from credfile.transactions.models import Invoice
from credfile.transactions.services import invoice_create
from tests.conftest import Personas
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/customer-groups/"


def _invoice(
    personas: Personas, customer: Customer, number: str, amount: str, currency: str = "CNY"
) -> Invoice:
    today = timezone.localdate()
    invoice: Invoice = invoice_create(
        actor=personas.credit_manager
        if customer.department_id != personas.sales.pk
        else personas.account_manager,
        customer=customer,
        fields={
            "number": number,
            "issue_date": today,
            "due_date": today + datetime.timedelta(days=30),
            "amount": D(amount),
            "currency": currency,
        },
    )
    return invoice


def _limit(group: CustomerGroup, amount: str, personas: Personas, **extra: Any) -> CreditLimit:
    values: dict[str, Any] = {
        "group": group,
        "currency": "CNY",
        "amount": D(amount),
        "valid_from": timezone.localdate(),
        "valid_until": timezone.localdate() + datetime.timedelta(days=90),
        "approved_by": personas.credit_manager,
    }
    return CreditLimit.objects.create(**(values | extra))


@pytest.fixture
def members(personas: Personas) -> tuple[Customer, Customer, Customer]:
    """Head (sales), subsidiary (sales), affiliate (the other department)."""
    head = CustomerFactory(
        name="华东控股集团有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    subsidiary = CustomerFactory(
        name="华东精密制造有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    affiliate = CustomerFactory(
        name="华东外贸进出口有限公司", department=personas.other, account_manager=personas.outsider
    )
    return head, subsidiary, affiliate


@pytest.fixture
def group(personas: Personas, members: tuple[Customer, Customer, Customer]) -> CustomerGroup:
    cm = personas.credit_manager
    group = group_create(actor=cm, name="华东控股集团", note="同一实际控制人")
    head, subsidiary, affiliate = members
    group_member_add(actor=cm, group=group, customer_ref=head.code, relation="parent", is_head=True)
    group_member_add(actor=cm, group=group, customer_ref=subsidiary.code, relation="subsidiary")
    group_member_add(actor=cm, group=group, customer_ref=affiliate.code, relation="affiliate")
    return group


# --- membership ------------------------------------------------------------------------------


def test_each_write_is_audited_with_the_members_file(
    personas: Personas, group: CustomerGroup, members: Any
) -> None:
    head = members[0]
    assert AuditEvent.objects.filter(object_type__icontains="customergroup").count() == 1
    event = AuditEvent.objects.filter(
        object_type__icontains="groupmember", customer_id=head.pk
    ).get()
    assert event.after["is_head"] is True and event.after["relation"] == "parent"


def test_a_customer_belongs_to_one_group_only(
    personas: Personas, group: CustomerGroup, members: Any
) -> None:
    other = group_create(actor=personas.credit_manager, name="西部能源集团")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        group_member_add(
            actor=personas.credit_manager,
            group=other,
            customer_ref=members[1].code,
            relation="affiliate",
        )
    assert error.value.message_dict == {
        "customer": [f"{members[1].code} is already in the group 华东控股集团."]
    }
    assert GroupMember.objects.get(customer=members[1]).group == group
    assert AuditEvent.objects.count() == events  # nothing half-saved, nothing recorded


@pytest.mark.parametrize("role", ["account_manager", "department_head", "executive", "auditor"])
def test_only_credit_managers_keep_groups(
    personas: Personas, group: CustomerGroup, role: str
) -> None:
    user = getattr(personas, role)
    newcomer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    with pytest.raises(PermissionDenied):
        group_create(actor=user, name="新集团")
    with pytest.raises(PermissionDenied):
        group_member_add(actor=user, group=group, customer_ref=newcomer.code, relation="affiliate")
    member = GroupMember.objects.filter(group=group).first()
    assert member is not None
    with pytest.raises(PermissionDenied):
        group_member_remove(actor=user, group=group, member_id=member.pk)
    assert CustomerGroup.objects.count() == 1 and GroupMember.objects.count() == 3


def test_one_head_company_per_group(personas: Personas, group: CustomerGroup) -> None:
    newcomer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    group_member_add(
        actor=personas.credit_manager,
        group=group,
        customer_ref=newcomer.code,
        relation="parent",
        is_head=True,
    )
    heads = list(GroupMember.objects.filter(group=group, is_head=True))
    assert [h.customer_id for h in heads] == [newcomer.pk]


def test_group_names_are_unique_whatever_the_case(personas: Personas) -> None:
    group_create(actor=personas.credit_manager, name="Eastern Holdings")
    with pytest.raises(ValidationError) as error:
        group_create(actor=personas.credit_manager, name="  eastern   holdings ")
    assert list(error.value.message_dict) == ["name"]


def test_removing_a_member_keeps_its_own_limit(
    personas: Personas, group: CustomerGroup, members: Any
) -> None:
    member = GroupMember.objects.get(customer=members[2])
    group_member_remove(actor=personas.credit_manager, group=group, member_id=member.pk)
    assert not GroupMember.objects.filter(customer=members[2]).exists()
    event = AuditEvent.objects.filter(action="delete", customer_id=members[2].pk).get()
    assert event.before["relation"] == "affiliate"


# --- group exposure --------------------------------------------------------------------------


def test_group_exposure_per_currency_by_hand(
    personas: Personas, group: CustomerGroup, members: Any
) -> None:
    head, subsidiary, affiliate = members
    paid = _invoice(personas, head, "FP-1", "60000")
    Invoice.objects.filter(pk=paid.pk).update(amount_paid=D("10000"))  # 50,000 still open
    _invoice(personas, head, "FP-2", "2000", currency="USD")
    OpenOrder.objects.create(customer=head, reference="SO-1", amount=D("10000"), kind="order")
    OpenOrder.objects.create(
        customer=subsidiary, reference="DN-1", amount=D("5000"), kind="shipment"
    )
    OpenOrder.objects.create(
        customer=subsidiary, reference="SO-0", amount=D("7777"), kind="order", is_open=False
    )
    OpenOrder.objects.create(
        customer=affiliate, reference="SO-2", amount=D("500"), currency="USD", kind="order"
    )
    outside = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    _invoice(personas, outside, "FP-9", "99999")  # not a member: not counted
    # CNY: 50,000 + 10,000 + 5,000 = 65,000; USD: 2,000 + 500 = 2,500.
    assert group_exposures(group.pk) == {"CNY": D("65000.00"), "USD": D("2500.00")}
    assert group_exposure(group.pk, "CNY") == D("65000.00")
    assert group_exposure(group.pk, "EUR") == D("0.00")


# --- the exposure check ----------------------------------------------------------------------


@pytest.fixture
def exposed(personas: Personas, group: CustomerGroup, members: Any) -> CustomerGroup:
    """Group limit 100,000 CNY (ceiling 105,000 with 5 %), group exposure 65,000; each
    member's own limit far above, so the group limit is the one that binds."""
    head, subsidiary, affiliate = members
    for member in members:
        CreditLimit.objects.create(
            customer=member,
            currency="CNY",
            amount=D("1000000"),
            valid_from=timezone.localdate(),
            valid_until=timezone.localdate() + datetime.timedelta(days=90),
            approved_by=personas.credit_manager,
        )
    _invoice(personas, head, "FP-1", "50000")
    OpenOrder.objects.create(customer=subsidiary, reference="SO-1", amount=D("10000"), kind="order")
    OpenOrder.objects.create(
        customer=affiliate, reference="DN-1", amount=D("5000"), kind="shipment"
    )
    _limit(group, "100000", personas)
    return group


def _check(client: Any, customer: str, amount: str) -> Any:
    return client.post(
        "/api/v1/exposure-checks/",
        {"customer": customer, "amount": amount, "currency": "CNY"},
        format="json",
    )


def test_the_group_limit_with_its_tolerance_is_the_boundary(
    api_for: Any, personas: Personas, exposed: CustomerGroup, members: Any
) -> None:
    api = api_for(personas.credit_manager)
    # 65,000 + 40,000 = 105,000 = 100,000 × 1.05: just allowed.
    body = _check(api, members[1].code, "40000").json()
    assert body["allowed"] is True and body["reasons"] == []
    assert body["group"] == {
        "name": "华东控股集团",
        "exposure": "105000.00",
        "limit": "100000.00",
        "headroom": "-5000.00",
    }
    # One cent more is over.
    body = _check(api, members[1].code, "40000.01").json()
    assert body["allowed"] is False
    assert body["reasons"] == [
        {
            "code": "group_over_limit",
            "message": "The order would take the customer group's exposure over the group limit.",
        }
    ]
    assert body["group"]["exposure"] == "105000.01"
    # The member's own limit was nowhere near.
    assert body["limit"] == "1000000.00" and body["exposure"] == "50000.01"


def test_the_refusal_is_in_the_callers_language(
    api_for: Any, personas: Personas, exposed: CustomerGroup, members: Any
) -> None:
    api = api_for(personas.credit_manager, language="zh-hans")
    body = _check(api, members[0].code, "50000").json()
    assert body["reasons"][0]["code"] == "group_over_limit"
    assert "集团" in body["reasons"][0]["message"]


def test_a_blocked_or_expired_group_limit_refuses(
    api_for: Any, personas: Personas, exposed: CustomerGroup, members: Any
) -> None:
    api = api_for(personas.credit_manager)
    CreditLimit.objects.filter(group=exposed).update(blocked=True)
    codes = [r["code"] for r in _check(api, members[0].code, "1").json()["reasons"]]
    assert codes == ["group_blocked"]
    CreditLimit.objects.filter(group=exposed).update(
        blocked=False, valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    body = _check(api, members[0].code, "1").json()
    assert [r["code"] for r in body["reasons"]] == ["group_limit_expired"]
    assert body["group"]["limit"] is None


def test_a_group_without_a_limit_sets_no_ceiling(
    api_for: Any, personas: Personas, exposed: CustomerGroup, members: Any
) -> None:
    CreditLimit.objects.filter(group=exposed).delete()
    body = _check(api_for(personas.credit_manager), members[0].code, "500000").json()
    assert body["allowed"] is True
    assert body["group"] == {
        "name": "华东控股集团",
        "exposure": "565000.00",
        "limit": None,
        "headroom": None,
    }


def test_the_check_is_recorded_with_the_group(
    api_for: Any, personas: Personas, exposed: CustomerGroup, members: Any
) -> None:
    from credfile.limits.models import ExposureCheck

    _check(api_for(personas.credit_manager), members[0].code, "50000")
    check = ExposureCheck.objects.get()
    assert check.group_id == exposed.pk
    assert check.group_exposure == D("115000.00") and check.group_limit == D("100000.00")
    assert check.reasons == ["group_over_limit"]


def test_the_group_check_reads_in_a_bounded_number_of_queries(
    personas: Personas, exposed: CustomerGroup, members: Any, django_assert_max_num_queries: Any
) -> None:
    from credfile.limits.services import exposure_check

    with django_assert_max_num_queries(16):
        exposure_check(
            actor=personas.credit_manager, customer=members[0], amount=D("1"), currency="CNY"
        )


# --- the group limit's approval --------------------------------------------------------------


def _ask(personas: Personas, group: CustomerGroup, amount: str) -> LimitRequest:
    return group_limit_request_create(
        actor=personas.credit_manager,
        group=group,
        amount=D(amount),
        currency="CNY",
        valid_until=timezone.localdate() + datetime.timedelta(days=365),
        reason="集团年度额度",
    )


def test_a_group_limit_up_to_the_threshold_is_another_credit_managers(
    personas: Personas, group: CustomerGroup
) -> None:
    request = _ask(personas, group, "3000000")
    with pytest.raises(PermissionDenied):
        limit_request_decide(actor=personas.credit_manager, request=request, approve=True)
    with pytest.raises(PermissionDenied):
        limit_request_decide(actor=personas.department_head, request=request, approve=True)
    second = UserFactory(username="he.ping", role="credit_manager", department=None)
    limit_request_decide(actor=second, request=request, approve=True)
    limit = CreditLimit.objects.get(group=group, status="active")
    assert limit.customer_id is None and limit.amount == D("3000000")
    assert limit.approved_by == second


def test_a_group_limit_above_the_threshold_is_the_executives(
    personas: Personas, group: CustomerGroup
) -> None:
    request = _ask(personas, group, "8000000")
    assert request.approver_role == "executive"
    second = UserFactory(username="he.ping", role="credit_manager", department=None)
    with pytest.raises(PermissionDenied):
        limit_request_decide(actor=second, request=request, approve=True)
    first = _limit(group, "1000000", personas)
    limit_request_decide(actor=personas.executive, request=request, approve=True)
    first.refresh_from_db()
    assert first.status == "superseded"
    assert CreditLimit.objects.get(group=group, status="active").amount == D("8000000")


def test_only_credit_managers_ask_for_a_group_limit(
    personas: Personas, group: CustomerGroup
) -> None:
    with pytest.raises(PermissionDenied):
        group_limit_request_create(
            actor=personas.department_head,
            group=group,
            amount=D("1000"),
            currency="CNY",
            valid_until=timezone.localdate() + datetime.timedelta(days=30),
            reason="x",
        )


def test_a_negative_group_limit_names_the_field_and_saves_nothing(
    personas: Personas, client_for: Any, group: CustomerGroup
) -> None:
    with pytest.raises(ValidationError) as error:
        _ask(personas, group, "-1")
    assert error.value.message_dict == {"amount": ["A limit cannot be negative."]}
    page = client_for(personas.credit_manager).post(
        reverse("limits:group-limit", args=[group.pk]),
        {"amount": "-5", "currency": "CNY", "valid_until": "2099-01-01", "reason": "x"},
    )
    assert page.status_code == 422
    assert "Ensure this value is greater than or equal to 0." in page.content.decode()
    assert not LimitRequest.objects.exists()


def test_the_group_page_decides_its_waiting_request(
    personas: Personas, client_for: Any, group: CustomerGroup
) -> None:
    request = _ask(personas, group, "8000000")
    page = client_for(personas.executive).get(reverse("limits:group", args=[group.pk]))
    assert reverse("limits:decide", args=[request.pk]) in page.content.decode()
    response = client_for(personas.executive).post(
        reverse("limits:decide", args=[request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("limits:group", args=[group.pk])
    page = client_for(personas.executive).get(reverse("limits:group", args=[group.pk]))
    assert "8,000,000.00" in page.content.decode()
    # The list of waiting requests names the group.
    _ask(personas, group, "100000")
    waiting = client_for(UserFactory(role="credit_manager", department=None)).get(
        reverse("limits:refusals")
    )
    assert "华东控股集团" in waiting.content.decode()


# --- who sees what ---------------------------------------------------------------------------


def test_a_department_sees_its_members_and_a_count_of_the_others(
    personas: Personas, client_for: Any, group: CustomerGroup, members: Any
) -> None:
    head, subsidiary, affiliate = members
    page = client_for(personas.account_manager).get(reverse("limits:group", args=[group.pk]))
    html = page.content.decode()
    assert head.name in html and subsidiary.name in html
    assert affiliate.name not in html and affiliate.code not in html
    assert "1 other member outside your files." in html
    other = client_for(personas.outsider).get(reverse("limits:group", args=[group.pk]))
    html = other.content.decode()
    assert affiliate.name in html and head.name not in html and head.code not in html
    assert "2 other members outside your files." in html
    # A credit manager sees every member and no count.
    html = (
        client_for(personas.credit_manager)
        .get(reverse("limits:group", args=[group.pk]))
        .content.decode()
    )
    assert all(m.name in html for m in members) and "outside your files" not in html


def test_a_department_without_members_does_not_find_the_group(
    personas: Personas, client_for: Any, api_for: Any, group: CustomerGroup, members: Any
) -> None:
    stranger = UserFactory(
        username="qian.bo", role="department_head", department=DepartmentFactory(code="THIRD")
    )
    assert client_for(stranger).get(reverse("limits:group", args=[group.pk])).status_code == 404
    listed = client_for(stranger).get(reverse("limits:groups")).content.decode()
    assert group.name not in listed
    api = api_for(stranger)
    assert api.get(API).json()["results"] == []
    assert api.get(f"{API}{group.pk}/").status_code == 404
    member = GroupMember.objects.filter(group=group).first()
    assert member is not None
    add = api.post(
        f"{API}{group.pk}/members/",
        {"customer": members[0].code, "relation": "affiliate"},
        format="json",
    )
    assert add.status_code == 404
    assert api.delete(f"{API}{group.pk}/members/{member.pk}/").status_code == 404
    assert api.post(API, {"name": "新集团"}, format="json").status_code == 403
    assert CustomerGroup.objects.count() == 1 and GroupMember.objects.count() == 3


def test_another_departments_token_sees_only_its_own_member(
    personas: Personas, api_for: Any, group: CustomerGroup, members: Any
) -> None:
    api = api_for(personas.outsider)
    rows = api.get(API).json()["results"]
    assert rows == [{"id": group.pk, "name": "华东控股集团", "members": 1}]
    body = api.get(f"{API}{group.pk}/").json()
    assert [m["customer"] for m in body["members"]] == [members[2].code]
    assert body["other_members"] == 2
    assert members[0].code not in str(body) and members[0].name not in str(body)
    member = GroupMember.objects.get(customer=members[0])
    # Changing the group is a credit manager's: the outsider's token is refused.
    removed = api.delete(f"{API}{group.pk}/members/{member.pk}/")
    assert removed.status_code in {403, 404}
    add = api.post(
        f"{API}{group.pk}/members/",
        {"customer": members[2].code, "relation": "affiliate"},
        format="json",
    )
    assert add.status_code == 403
    assert GroupMember.objects.count() == 3


def test_the_members_limits_section_shows_the_group(
    personas: Personas, client_for: Any, exposed: CustomerGroup, members: Any
) -> None:
    url = reverse("customers:section", args=[members[0].pk, "limits"])
    html = client_for(personas.account_manager).get(url).content.decode()
    assert 'id="limit-group"' in html and "华东控股集团" in html
    assert reverse("limits:group", args=[exposed.pk]) in html
    # Group exposure 65,000 / group limit 100,000 / headroom 35,000.
    assert "65,000.00" in html and "100,000.00" in html and "35,000.00" in html


# --- the API ---------------------------------------------------------------------------------


def test_a_credit_manager_builds_a_group_through_the_api(
    personas: Personas, api_for: Any, members: Any
) -> None:
    api = api_for(personas.credit_manager)
    created = api.post(API, {"name": "华东控股集团", "note": "x"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    added = api.post(
        f"{API}{pk}/members/",
        {"customer": members[0].code, "relation": "parent", "is_head": True},
        format="json",
    )
    assert added.status_code == 201
    assert added.json()["is_head"] is True and added.json()["customer"] == members[0].code
    body = api.get(f"{API}{pk}/").json()
    assert [m["customer"] for m in body["members"]] == [members[0].code]
    assert body["other_members"] is None and body["positions"] == []
    removed = api.delete(f"{API}{pk}/members/{added.json()['id']}/")
    assert removed.status_code == 204
    assert not GroupMember.objects.exists()


def test_bad_input_names_the_field(
    personas: Personas, api_for: Any, group: CustomerGroup, members: Any
) -> None:
    api = api_for(personas.credit_manager)
    events = AuditEvent.objects.count()
    unknown = api.post(
        f"{API}{group.pk}/members/", {"customer": "C0000000", "relation": "parent"}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"customer": ["No customer you may see has this code."]}
    taken = api.post(
        f"{API}{group.pk}/members/",
        {"customer": members[0].code, "relation": "parent"},
        format="json",
    )
    assert taken.status_code == 400 and "华东控股集团" in taken.json()["errors"]["customer"][0]
    relation = api.post(
        f"{API}{group.pk}/members/", {"customer": "x", "relation": "cousin"}, format="json"
    )
    assert relation.status_code == 400 and list(relation.json()["errors"]) == ["relation"]
    same = api.post(API, {"name": "华东控股集团"}, format="json")
    assert same.status_code == 400 and list(same.json()["errors"]) == ["name"]
    assert AuditEvent.objects.count() == events
    assert GroupMember.objects.count() == 3 and CustomerGroup.objects.count() == 1


def test_the_web_form_names_the_unknown_code(
    personas: Personas, client_for: Any, group: CustomerGroup
) -> None:
    page = client_for(personas.credit_manager, language="zh-hans").post(
        reverse("limits:group-member-add", args=[group.pk]),
        {"customer": "C0000000", "relation": "affiliate"},
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert 'id="id_customer_error"' in html
    assert GroupMember.objects.count() == 3


def test_a_credit_manager_opens_a_group_on_the_page(
    personas: Personas, client_for: Any, members: Any
) -> None:
    client = client_for(personas.credit_manager)
    assert 'id="nav-groups"' in client.get(reverse("limits:groups")).content.decode()
    response = client.post(reverse("limits:group-new"), {"name": "西部能源集团", "note": ""})
    group = CustomerGroup.objects.get()
    assert response["Location"] == reverse("limits:group", args=[group.pk])
    response = client.post(
        reverse("limits:group-member-add", args=[group.pk]),
        {"customer": members[0].code.lower(), "relation": "parent", "is_head": "on"},
    )
    assert response.status_code == 302
    page = client.get(reverse("limits:group", args=[group.pk])).content.decode()
    assert members[0].name in page and "Parent company" in page
    member = GroupMember.objects.get()
    client.post(reverse("limits:group-member-remove", args=[group.pk, member.pk]))
    assert not GroupMember.objects.exists()
    # An account manager has no form and no way to post one.
    am = client_for(personas.account_manager)
    assert am.get(reverse("limits:group-new")).status_code == 404


# --- the command -----------------------------------------------------------------------------


def _run(*args: Any) -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("groups", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_lists_what_the_user_sees_and_changes_members(
    personas: Personas, exposed: CustomerGroup, members: Any, monkeypatch: Any
) -> None:
    from django.core.management.base import CommandError

    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")
    listed = _run("--as", personas.outsider.username, str(exposed.pk))
    assert "CNY  exposure 65,000.00, limit 100,000.00, headroom 35,000.00" in listed
    assert members[2].code in listed and members[0].code not in listed
    assert "2 other members outside your files." in listed
    newcomer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    with pytest.raises(CommandError, match="kept by the credit managers"):
        _run("--as", personas.outsider.username, str(exposed.pk), "--add", newcomer.code)
    added = _run(
        "--as",
        personas.credit_manager.username,
        str(exposed.pk),
        "--add",
        newcomer.code,
        "--relation",
        "guarantor",
    )
    assert f"{newcomer.code}  {newcomer.name}  Guarantor" in added
    with pytest.raises(CommandError, match="customer: .* is already in the group"):
        _run("--as", personas.credit_manager.username, str(exposed.pk), "--add", newcomer.code)
    _run("--as", personas.credit_manager.username, str(exposed.pk), "--remove", newcomer.code)
    assert not GroupMember.objects.filter(customer=newcomer).exists()
    stranger = UserFactory(role="account_manager", department=DepartmentFactory(code="THIRD"))
    with pytest.raises(CommandError, match="No customer group you may see"):
        _run("--as", stranger.username, str(exposed.pk))
