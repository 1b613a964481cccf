"""/api/v1/customers/: create, search, filter, order, paginate, change, delete, scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from rest_framework.test import APIClient
from stdnum.cn import ric

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from tests.api.conftest import ApiFor
from tests.api.helpers import assert_problem, counts, make_customer
from tests.conftest import Personas
from tests.factories import IndividualFactory, credit_code, resident_id

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


def organisation(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "organization",
        "name": "杭州云帆网络科技有限公司",
        "credit_code": credit_code(4711),
        "legal_representative": "李明",
        "registered_capital": "12000000.50",
        "established_on": "2015-06-01",
        "industry": "I",
        "phone": "0571 8888 6666",
        "email": "info@yunfan.example",
        "category": "key",
        "province": "33",
        "city": "杭州市",
        "profit_class": "A",
        "tags": ["出口", "重点"],
        **overrides,
    }


def individual(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "individual",
        "name": "王小明",
        "id_number": resident_id(31),
        "phone": "13912345678",
        **overrides,
    }


# --- create --------------------------------------------------------------------------------------


def test_an_account_manager_opens_an_organisation(
    manager_api: APIClient, personas: Personas
) -> None:
    response = manager_api.post(URL, organisation(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith("C")
    assert body["kind"] == "organization"
    assert body["registered_capital"] == "12000000.50"  # money as a decimal string
    assert body["phone"] == "571****6666"  # sealed values come masked
    assert body["tags"] == ["出口", "重点"]
    assert body["department"] == personas.sales.pk
    assert body["account_manager"] == personas.account_manager.pk
    assert body["version"] == 1
    assert Customer.objects.get(pk=body["id"]).credit_code == credit_code(4711)


def test_an_individual_gets_birth_date_and_gender_from_the_id_number(
    manager_api: APIClient,
) -> None:
    response = manager_api.post(URL, individual(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["birth_date"] == "1985-**-**"  # masked: with the ID it would give it away
    assert body["gender"] == "M"  # 17th digit 3 is odd
    assert body["credit_code"] == ""
    revealed = manager_api.get(f"{URL}{body['id']}/", {"reveal": "true"}).json()
    assert revealed["birth_date"] == "1985-03-12"


def test_a_similar_name_asks_for_confirmation(manager_api: APIClient, org: Customer) -> None:
    data = organisation(name="北京星辰科技有限公司")
    before = counts()

    body = assert_problem(manager_api.post(URL, data, format="json"), 409, "name")
    assert body["confirm_with"] == "confirm_similar_name"
    assert body["matches"][0]["id"] == org.pk
    assert counts() == before

    response = manager_api.post(URL, {**data, "confirm_similar_name": True}, format="json")
    assert response.status_code == 201, response.content


def test_a_known_credit_code_is_a_conflict_naming_the_existing_file(
    manager_api: APIClient, org: Customer
) -> None:
    before = counts()
    response = manager_api.post(URL, organisation(credit_code=org.credit_code), format="json")

    body = assert_problem(response, 409, "credit_code")
    assert body["existing"]["id"] == org.pk
    assert body["existing"]["code"] == org.code
    assert counts() == before


def _impossible_birth_date_id() -> str:
    body = "11010519850230123"  # 30 February
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18 characters


def _wrong_check_digit_id() -> str:
    good = resident_id(7)
    return good[:-1] + ("1" if good[-1] != "1" else "2")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            individual(id_number="WRONG_CHECK"),
            "id_number",
            "The check digit of this ID number is wrong.",
        ),
        (
            individual(id_number="IMPOSSIBLE_DATE"),
            "id_number",
            "This ID number contains an impossible birth date or region.",
        ),
        (
            organisation(credit_code="91110000600037341X"),
            "credit_code",
            "The check character of this unified social credit code is wrong.",
        ),
        (organisation(phone="12345"), "phone", None),
        (
            organisation(registered_capital="-1.00"),
            "registered_capital",
            "The registered capital cannot be negative.",
        ),
        (
            organisation(registered_capital="lots"),
            "registered_capital",
            "A valid number is required.",
        ),
        (organisation(established_on="2015-13-45"), "established_on", None),
        (organisation(department=999999), "department", None),
        (organisation(kind="partnership"), "kind", None),
        (
            organisation(id_number=resident_id(8)),
            "id_number",
            "Only an individual has this field; leave it empty for an organisation.",
        ),
        (individual(name=" "), "name", None),
    ],
    ids=[
        "id-check-digit",
        "id-birth-date",
        "credit-code",
        "phone",
        "negative-capital",
        "non-numeric-capital",
        "bad-date",
        "unknown-department",
        "unknown-kind",
        "id-number-on-organisation",
        "blank-name",
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    manager_api: APIClient, data: dict[str, Any], field: str, message: str | None
) -> None:
    if data.get("id_number") == "WRONG_CHECK":
        data = {**data, "id_number": _wrong_check_digit_id()}
    if data.get("id_number") == "IMPOSSIBLE_DATE":
        data = {**data, "id_number": _impossible_birth_date_id()}
    before = counts()

    body = assert_problem(manager_api.post(URL, data, format="json"), 400, field)

    if message is not None:
        assert message in body["errors"][field]
    assert counts() == before


def test_an_account_manager_cannot_file_for_someone_else(
    manager_api: APIClient, personas: Personas
) -> None:
    response = manager_api.post(
        URL, organisation(account_manager=personas.colleague.pk), format="json"
    )
    assert_problem(response, 400, "account_manager")


def test_a_department_head_cannot_file_into_another_department(
    api_for: ApiFor, personas: Personas
) -> None:
    response = api_for(personas.department_head).post(
        URL, organisation(department=personas.other.pk), format="json"
    )
    assert_problem(response, 400, "department")


@pytest.mark.parametrize("role", ["auditor", "credit_manager", "executive"])
def test_read_only_roles_cannot_open_files(api_for: ApiFor, personas: Personas, role: str) -> None:
    client = api_for(getattr(personas, role))
    before = counts()
    response = client.post(URL, organisation(), format="json")
    assert_problem(response, 403)
    assert counts() == before


# --- list, search, filter, order, paginate ------------------------------------------------------


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_search_by_part_of_name_id_number_credit_code_and_phone(
    manager_api: APIClient, org: Customer, person: Customer, foreign: Customer
) -> None:
    assert names(manager_api.get(URL, {"q": "星辰"})) == [org.name]
    assert names(manager_api.get(URL, {"q": person.id_number})) == [person.name]
    assert names(manager_api.get(URL, {"q": org.credit_code.lower()})) == [org.name]
    assert names(manager_api.get(URL, {"q": "138 1234 5678"})) == [org.name]
    assert names(manager_api.get(URL, {"q": org.code})) == [org.name]
    assert names(manager_api.get(URL, {"q": "远洋"})) == []  # another department's file


def test_filters(
    manager_api: APIClient, personas: Personas, org: Customer, person: Customer
) -> None:
    dormant = make_customer(
        name="旧客户有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
        status="dormant",
        category="small",
        province="44",
    )

    assert names(manager_api.get(URL, {"kind": "individual"})) == [person.name]
    assert names(manager_api.get(URL, {"status": "dormant"})) == [dormant.name]
    assert names(manager_api.get(URL, {"category": "small"})) == [dormant.name]
    assert names(manager_api.get(URL, {"province": "44"})) == [dormant.name]
    assert len(names(manager_api.get(URL, {"department": personas.sales.pk}))) == 3
    assert names(manager_api.get(URL, {"department": personas.other.pk})) == []
    assert names(manager_api.get(URL, {"kind": "organization", "province": "11"})) == [org.name]


def test_an_unknown_filter_value_names_the_parameter(manager_api: APIClient) -> None:
    assert_problem(manager_api.get(URL, {"kind": "robot"}), 400, "kind")
    assert_problem(manager_api.get(URL, {"ordering": "-secret"}), 400, "ordering")


def test_ordering(manager_api: APIClient, personas: Personas) -> None:
    for name in ("乙公司", "甲公司", "丙公司"):
        make_customer(
            name=name, department=personas.sales, account_manager=personas.account_manager
        )
    by_name = sorted(["乙公司", "甲公司", "丙公司"])
    by_code = list(Customer.objects.order_by("code").values_list("name", flat=True))

    assert names(manager_api.get(URL, {"ordering": "name"})) == by_name
    assert names(manager_api.get(URL, {"ordering": "-name"})) == by_name[::-1]
    assert names(manager_api.get(URL, {"ordering": "code"})) == by_code
    assert names(manager_api.get(URL, {"ordering": "-code"})) == by_code[::-1]
    created = names(manager_api.get(URL, {"ordering": "created"}))
    assert created == list(
        Customer.objects.order_by("created_at", "id").values_list("name", flat=True)
    )
    assert names(manager_api.get(URL, {"ordering": "-created"})) == created[::-1]


def test_the_default_order_is_most_recently_changed_first(
    manager_api: APIClient, org: Customer, person: Customer
) -> None:
    response = manager_api.patch(f"{URL}{org.pk}/", {"remarks": "更新"}, format="json")
    assert response.status_code == 200
    assert names(manager_api.get(URL)) == [org.name, person.name]


@pytest.mark.parametrize("ordering", ["name", "-updated", "created", "-code"])
def test_keyset_pages_cover_every_file_once(
    manager_api: APIClient, personas: Personas, ordering: str
) -> None:
    for i in range(7):
        # Two files share each name, so pages must also break ties.
        make_customer(
            name=f"同名公司{i // 2}",
            department=personas.sales,
            account_manager=personas.account_manager,
        )
    seen: list[int] = []
    response = manager_api.get(URL, {"ordering": ordering, "page_size": "3"})
    pages = 0
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen.extend(row["id"] for row in body["results"])
        pages += 1
        if not body["next"]:
            break
        response = manager_api.get(body["next"])
    assert pages == 3
    assert sorted(seen) == sorted(Customer.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))
    previous = manager_api.get(body["previous"]).json()
    assert [r["id"] for r in previous["results"]] == seen[3:6]


def test_listing_costs_the_same_queries_for_any_number_of_rows(
    manager_api: APIClient, personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for _i in range(30):
        customer = make_customer(
            department=personas.sales, account_manager=personas.account_manager
        )
        customer.tags.create(name=f"标签{customer.pk}")
    # Token lookup, the caller's usage grants, one page of customers, their tags.
    with django_assert_max_num_queries(4):
        response = manager_api.get(URL, {"page_size": "30", "q": "星辰"})
    assert len(response.json()["results"]) == 30
    assert all(len(row["tags"]) == 1 for row in response.json()["results"])


# --- retrieve, change, delete --------------------------------------------------------------------


def test_retrieve(manager_api: APIClient, org: Customer) -> None:
    response = manager_api.get(f"{URL}{org.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == org.pk
    assert body["credit_code"] == org.credit_code
    assert body["registered_capital"] == "5000000.00"
    assert set(body) >= {
        "id",
        "code",
        "kind",
        "name",
        "tags",
        "version",
        "created_at",
        "updated_at",
        "department",
        "account_manager",
    }


def test_patch_changes_fields_and_moves_the_version_on(
    manager_api: APIClient, org: Customer
) -> None:
    response = manager_api.patch(
        f"{URL}{org.pk}/",
        {"version": 1, "tags": ["政府项目"], "phone": "010-62345678"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tags"] == ["政府项目"]
    assert body["phone"] == "106***5678"
    assert body["version"] == 2
    assert body["name"] == org.name  # fields not sent stay as they were


def test_patch_of_a_classification_waits_for_the_department_head(
    manager_api: APIClient, api_for: ApiFor, personas: Personas, org: Customer
) -> None:
    response = manager_api.patch(
        f"{URL}{org.pk}/", {"version": 1, "category": "strategic", "city": "天津市"}, format="json"
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["customer"]["city"] == "天津市"  # applies at once
    assert body["customer"]["category"] == "regular"  # waits for approval
    (change,) = body["change_requests"]
    assert (change["field_group"], change["status"]) == ("classification", "pending")

    approved = api_for(personas.department_head).post(
        f"/api/v1/change-requests/{change['id']}/approve/", {}, format="json"
    )

    assert approved.status_code == 200, approved.content
    assert manager_api.get(f"{URL}{org.pk}/").json()["category"] == "strategic"


def test_patch_with_a_stale_version_is_a_conflict(manager_api: APIClient, org: Customer) -> None:
    assert (
        manager_api.patch(
            f"{URL}{org.pk}/", {"version": 1, "city": "北京"}, format="json"
        ).status_code
        == 200
    )

    body = assert_problem(
        manager_api.patch(f"{URL}{org.pk}/", {"version": 1, "city": "天津"}, format="json"), 409
    )
    assert body["current_version"] == 2
    org.refresh_from_db()
    assert org.city == "北京"


def test_patch_bad_input_writes_nothing(manager_api: APIClient, org: Customer) -> None:
    before = counts()
    response = manager_api.patch(f"{URL}{org.pk}/", {"phone": "call me"}, format="json")
    assert_problem(response, 400, "phone")
    org.refresh_from_db()
    assert org.phone == "+8613812345678"
    assert org.version == 1
    assert counts() == before


def test_a_colleague_can_read_but_not_change_anothers_file(
    api_for: ApiFor, personas: Personas, org: Customer
) -> None:
    client = api_for(personas.colleague)
    assert client.get(f"{URL}{org.pk}/").status_code == 200
    assert_problem(client.patch(f"{URL}{org.pk}/", {"city": "上海"}, format="json"), 403)


def test_a_file_is_deleted_once_the_department_head_approves(
    api_for: ApiFor, personas: Personas, org: Customer
) -> None:
    manager = api_for(personas.account_manager)
    assert_problem(api_for(personas.colleague).delete(f"{URL}{org.pk}/"), 403)

    response = manager.delete(f"{URL}{org.pk}/")

    assert response.status_code == 202, response.content
    assert response.json()["kind"] == "delete"
    assert Customer.objects.filter(pk=org.pk).exists()
    approved = api_for(personas.department_head).post(
        f"/api/v1/change-requests/{response.json()['id']}/approve/", {}, format="json"
    )
    assert approved.status_code == 200, approved.content
    assert not Customer.objects.filter(pk=org.pk).exists()
    assert_problem(manager.get(f"{URL}{org.pk}/"), 404)


# --- scope ---------------------------------------------------------------------------------------


def test_another_departments_file_is_not_found_and_not_listed(
    manager_api: APIClient, org: Customer, foreign: Customer
) -> None:
    for response in (
        manager_api.get(f"{URL}{foreign.pk}/"),
        manager_api.patch(f"{URL}{foreign.pk}/", {"city": "x"}, format="json"),
        manager_api.delete(f"{URL}{foreign.pk}/"),
    ):
        assert_problem(response, 404)
    assert names(manager_api.get(URL)) == [org.name]
    foreign.refresh_from_db()
    assert foreign.city == "北京市"


def test_read_all_roles_see_every_department(
    api_for: ApiFor, personas: Personas, org: Customer, foreign: Customer
) -> None:
    client = api_for(personas.auditor)
    assert sorted(names(client.get(URL))) == sorted([org.name, foreign.name])
    assert client.get(f"{URL}{foreign.pk}/").status_code == 200


def test_an_individual_listed_by_id_number(manager_api: APIClient, personas: Personas) -> None:
    person = make_customer(
        IndividualFactory, department=personas.sales, account_manager=personas.account_manager
    )
    body = manager_api.get(URL, {"q": person.id_number}).json()
    assert [row["id"] for row in body["results"]] == [person.pk]
    assert (
        body["results"][0]["id_number"] == person.id_number[:6] + "********" + person.id_number[-4:]
    )


def test_a_reveal_shows_sealed_values_and_is_audited(
    manager_api: APIClient, api_for: ApiFor, personas: Personas
) -> None:
    person = make_customer(
        IndividualFactory,
        department=personas.sales,
        account_manager=personas.account_manager,
        phone="+8613812345678",
    )
    body = manager_api.get(f"{URL}{person.pk}/", {"reveal": "true"}).json()
    assert (body["id_number"], body["phone"]) == (person.id_number, "+8613812345678")
    event = AuditEvent.objects.filter(action="reveal", customer_id=person.pk).get()
    assert event.actor == personas.account_manager
    assert "id_number" in event.after["fields"]
    # Without the reveal right (another department's reader), the reveal is refused.
    auditor = api_for(personas.auditor)
    assert_problem(auditor.get(f"{URL}{person.pk}/", {"reveal": "true"}), 403)
    masked = auditor.get(f"{URL}{person.pk}/").json()
    assert masked["phone"] == "138****5678"


def test_messages_follow_the_request_language(api_for: ApiFor, personas: Personas) -> None:
    english = "The check digit of this ID number is wrong."
    with translation.override("zh-hans"):
        chinese = translation.gettext(english)
    client = api_for(personas.account_manager, language="zh-hans")

    response = client.post(URL, individual(id_number=_wrong_check_digit_id()), format="json")

    body = assert_problem(response, 400, "id_number")
    assert body["errors"]["id_number"] == [chinese]
    assert chinese != english
