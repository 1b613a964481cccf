"""/api/v1/change-requests/ and the customer API's answers under change control."""

from __future__ import annotations

import pytest

from credfile.changes.models import ChangeRequest
from tests.api.conftest import ApiFor
from tests.api.helpers import assert_problem
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

URL = "/api/v1/change-requests/"
NEW_ID = resident_id(29)


def test_a_patch_of_an_id_number_answers_202_with_the_request(
    api_for: ApiFor, personas, person
) -> None:
    manager = api_for(personas.account_manager)

    response = manager.patch(
        f"/api/v1/customers/{person.pk}/",
        {"version": 1, "id_number": NEW_ID, "remarks": "换证"},
        format="json",
    )

    assert response.status_code == 202, response.content
    body = response.json()
    (change,) = body["change_requests"]
    assert (change["field_group"], change["status"], change["kind"]) == (
        "identity",
        "pending",
        "update",
    )
    line = next(c for c in change["changes"] if c["field"] == "id_number")
    assert line["proposed"] == NEW_ID[:6] + "********" + NEW_ID[-4:]
    assert NEW_ID not in response.content.decode()
    assert body["customer"]["remarks"] == "换证"
    assert body["customer"]["id_number"] == resident_id(11)[:6] + "********" + resident_id(11)[-4:]


def test_the_head_lists_decides_and_the_maker_cannot(api_for: ApiFor, personas, person) -> None:
    manager = api_for(personas.account_manager)
    manager.patch(f"/api/v1/customers/{person.pk}/", {"category": "key"}, format="json")
    head = api_for(personas.department_head)
    queue = head.get(URL, {"scope": "decide"}).json()["results"]
    assert [r["field_group"] for r in queue] == ["classification"]
    pk = queue[0]["id"]

    assert_problem(manager.post(f"{URL}{pk}/approve/", {}, format="json"), 403)
    assert_problem(head.post(f"{URL}{pk}/reject/", {"reason": ""}, format="json"), 400, "reason")
    approved = head.post(f"{URL}{pk}/approve/", {"version": 1}, format="json")

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert manager.get(f"/api/v1/customers/{person.pk}/").json()["category"] == "key"
    assert_problem(head.post(f"{URL}{pk}/approve/", {}, format="json"), 400, "status")


def test_a_stale_approval_is_a_conflict_naming_what_changed(
    api_for: ApiFor, personas, person
) -> None:
    manager = api_for(personas.account_manager)
    manager.patch(f"/api/v1/customers/{person.pk}/", {"category": "key"}, format="json")
    pk = ChangeRequest.objects.get().pk
    manager.patch(f"/api/v1/customers/{person.pk}/", {"city": "天津市"}, format="json")

    body = assert_problem(
        api_for(personas.department_head).post(
            f"{URL}{pk}/approve/", {"version": 1}, format="json"
        ),
        409,
    )

    assert body["current_version"] == 2
    assert [(c["field"], c["after"]) for c in body["changes"]] == [("city", "天津市")]


def test_the_maker_withdraws(api_for: ApiFor, personas, person) -> None:
    manager = api_for(personas.account_manager)
    manager.patch(f"/api/v1/customers/{person.pk}/", {"category": "key"}, format="json")
    pk = ChangeRequest.objects.get().pk

    assert_problem(api_for(personas.department_head).post(f"{URL}{pk}/withdraw/"), 403)
    response = manager.post(f"{URL}{pk}/withdraw/")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_a_delete_becomes_a_deletion_request(api_for: ApiFor, personas, person) -> None:
    response = api_for(personas.department_head).delete(f"/api/v1/customers/{person.pk}/")

    assert response.status_code == 202, response.content
    assert (response.json()["kind"], response.json()["field_group"]) == ("delete", "deletion")
    person.refresh_from_db()  # still there
    # A head's own deletion: another head or an executive decides.
    assert_problem(
        api_for(personas.department_head).post(f"{URL}{response.json()['id']}/approve/"), 403
    )


def test_requests_of_another_department_are_not_found(api_for: ApiFor, personas, person) -> None:
    api_for(personas.account_manager).patch(
        f"/api/v1/customers/{person.pk}/", {"category": "key"}, format="json"
    )
    pk = ChangeRequest.objects.get().pk
    outsider = api_for(personas.outsider)
    assert_problem(outsider.get(f"{URL}{pk}/"), 404)
    assert_problem(outsider.post(f"{URL}{pk}/approve/"), 404)
    assert outsider.get(URL).json()["results"] == []
    # Read-all roles see it (masked), and cannot decide it.
    assert api_for(personas.auditor).get(f"{URL}{pk}/").status_code == 200
    assert_problem(api_for(personas.credit_manager).post(f"{URL}{pk}/approve/"), 403)
