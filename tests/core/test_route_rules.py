"""The rules of routes without a file in the URL: docs/permissions.md's table, each cell
checked against the policy function and against what the route shows the role."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from credfile.core import permissions
from credfile.reviews.models import ReviewPolicy

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLES = ("account_manager", "department_head", "credit_manager", "executive", "auditor", "admin")


def read_rules() -> dict[str, dict[str, bool]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- routes:start -->")[1].split("<!-- routes:end -->")[0]
    rules = {}
    for line in table.strip().splitlines()[2:]:
        question, *marks = (c.strip() for c in line.strip().strip("|").split("|"))
        function = question.split("(`")[1].split("`)")[0]
        assert all(m in {"✓", "✗"} for m in marks), line
        rules[function] = {r: m == "✓" for r, m in zip(ROLES, marks, strict=True)}
    return rules


RULES = read_rules()


def _audit_pages(client: Client) -> bool:
    page = client.get(reverse("audit:list")).status_code
    api = client.get("/api/v1/audit/events/").status_code
    assert (page == 200) == (api == 200) and {page, api} <= {200, 404}
    return page == 200


def _tab(url: str, tab: str) -> Callable[[Client], bool]:
    return lambda client: f'href="?tab={tab}"' in client.get(url).content.decode()


def _policy_edit_links(client: Client) -> bool:
    policy = ReviewPolicy.objects.filter(is_active=True).first()
    assert policy is not None
    page = client.get(reverse("reviews:policies")).content.decode()
    return reverse("reviews:policy-edit", args=[policy.pk]) in page


def _verify_button(client: Client) -> bool:
    page = client.get(reverse("audit:list"))
    shown = page.status_code == 200 and 'id="verify-chain"' in page.content.decode()
    runs = client.post(reverse("audit:verify")).status_code
    assert runs in {302, 404}
    assert shown is (runs == 302)
    return shown


def _inspection_pages(client: Client) -> bool:
    page = client.get(reverse("inspections:list")).status_code
    api = client.get("/api/v1/inspections/").status_code
    assert page == api and page in {200, 404}
    nav = 'id="nav-inspections"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (page == 200)
    return page == 200


def _inspection_button(client: Client) -> bool:
    page = client.get(reverse("inspections:list"))
    shown = page.status_code == 200 and 'id="run-inspection"' in page.content.decode()
    runs = client.post(reverse("inspections:run")).status_code
    assert runs in {302, 404}
    assert shown is (runs == 302)
    return shown


def _portfolio(client: Client) -> bool:
    page = client.get(reverse("receivables:portfolio")).status_code
    export = client.get(reverse("receivables:portfolio-export", args=["csv"])).status_code
    nav = reverse("receivables:portfolio") in client.get(reverse("reviews:queue")).content.decode()
    matrix = client.get(reverse("ratings:matrix")).status_code
    expiring = client.get(reverse("limits:expiring")).status_code
    assert page == export == matrix == expiring and page in {200, 404} and nav is (page == 200)
    return page == 200


def _overdue_list(client: Client) -> bool:
    page = client.get(reverse("followup:overdue"))
    api = client.get("/api/v1/overdue-invoices/").status_code
    export = client.get(reverse("followup:overdue-export", args=["csv"])).status_code
    assert {page.status_code, api, export} <= {200, 404}
    assert page.status_code == api == export
    listed = 'id="nav-overdue"' in client.get(reverse("customers:list")).content.decode()
    assert listed is (page.status_code == 200)
    return page.status_code == 200


def _import_pages(client: Client) -> bool:
    page = client.get(reverse("imports:page")).status_code
    api = client.post("/api/v1/imports/", {"kind": "customers"}).status_code
    # Allowed: the page opens and the API checks the upload (400: no file); else 404 / 403.
    assert (page == 200) == (api == 400) and page in {200, 404} and api in {400, 403}
    return page == 200


def _exposure_refusals(client: Client) -> bool:
    status = client.get(reverse("limits:refusals")).status_code
    assert status in {200, 404}
    # No limit 1 exists: whoever may block finds nothing, like everyone else.
    assert client.post(reverse("limits:block", args=[1]), {"blocked": "1"}).status_code == 404
    listed = 'id="nav-limits"' in client.get(reverse("customers:list")).content.decode()
    assert listed is (status == 200)
    return status == 200


def _ratings_waiting(client: Client) -> bool:
    page = client.get(reverse("ratings:waiting"))
    assert page.status_code in {200, 404}
    nav = 'id="nav-ratings"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (page.status_code == 200)
    # A decision on a proposal outside the user's decide scope finds nothing.
    assert client.post(reverse("ratings:decide", args=[1])).status_code == 404
    return page.status_code == 200


def _watch_list(client: Client) -> bool:
    page = client.get(reverse("risk:watch-list")).status_code
    export = client.get(reverse("risk:watch-list-export")).status_code
    api = client.get("/api/v1/watch-list/").status_code
    assert page == export == api and page in {200, 404}
    nav = 'id="nav-watch-list"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (page == 200)
    return page == 200


def _complaint_list(client: Client) -> bool:
    page = client.get(reverse("complaints:list")).status_code
    api = client.get("/api/v1/complaints/").status_code
    assert page == api and page in {200, 404}
    nav = 'id="nav-complaints"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (page == 200)
    return page == 200


def _survey_pages(client: Client) -> bool:
    pages = {
        client.get(reverse("surveys:list")).status_code,
        client.get(reverse("surveys:scores")).status_code,
        client.get("/api/v1/questionnaires/").status_code,
        client.get("/api/v1/survey-scores/").status_code,
    }
    assert len(pages) == 1 and pages <= {200, 404}
    nav = 'id="nav-surveys"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (pages == {200})
    return pages == {200}


def _questionnaire_keeping(client: Client) -> bool:
    page = client.get(reverse("surveys:new")).status_code
    listed = client.get(reverse("surveys:list"))
    button = 'id="questionnaire-new"' in listed.content.decode()
    api = client.post(
        "/api/v1/questionnaires/",
        {"name": "客户满意度", "kind": "csat"},
        content_type="application/json",
    ).status_code
    assert page in {200, 404} and api in {201, 403, 404}
    assert button is (page == 200) and (api == 201) is (page == 200)
    return page == 200


def _event_pages(client: Client) -> bool:
    page = client.get(reverse("events:list")).status_code
    api = client.get("/api/v1/events/").status_code
    assert page == api and page in {200, 404}
    nav = 'id="nav-events"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (page == 200)
    return page == 200


def _event_organising(client: Client) -> bool:
    page = client.get(reverse("events:new")).status_code
    assert page in {200, 404}
    listed = client.get(reverse("events:list"))
    button = listed.status_code == 200 and 'id="event-new"' in listed.content.decode()
    assert button is (page == 200)
    return page == 200


def _sales_event(*, began: bool) -> Any:
    """An event of the department heads' department (the personas' sales), and a
    questionnaire one may send."""
    from credfile.accounts.models import User
    from credfile.events.models import CustomerEvent
    from credfile.surveys.models import Question, Questionnaire

    head = User.objects.filter(role="department_head").first()
    assert head is not None
    starts = timezone.now() + datetime.timedelta(days=-1 if began else 5)
    event = CustomerEvent.objects.create(
        title="答谢会",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        place="会议中心",
        capacity=10,
        department=head.department,
        created_by=head,
    )
    questionnaire = Questionnaire.objects.create(name="活动满意度", kind="csat", created_by=head)
    version = questionnaire.versions.create(number=1, created_by=head)
    Question.objects.create(version=version, position=1, text="满意吗？")
    return event, questionnaire


def _event_survey_panel(client: Client) -> bool:
    event, _questionnaire = _sales_event(began=False)
    page = client.get(reverse("events:detail", args=[event.pk]))
    assert page.status_code in {200, 404}
    return page.status_code == 200 and 'id="event-surveys"' in page.content.decode()


def _event_survey_send(client: Client) -> bool:
    event, questionnaire = _sales_event(began=True)
    page = client.get(reverse("events:detail", args=[event.pk]))
    shown = page.status_code == 200 and 'id="event-survey-send"' in page.content.decode()
    data = {"questionnaire": questionnaire.pk, "channel": "email"}
    posted = client.post(reverse("event-surveys:send", args=[event.pk]), data).status_code
    api = client.post(
        f"/api/v1/events/{event.pk}/surveys/send/", data, content_type="application/json"
    ).status_code
    assert posted in {302, 404} and api in {200, 403, 404}
    assert shown is (posted == 302) is (api == 200)
    return shown


def _risk_rules(client: Client) -> bool:
    pages = {
        client.get(reverse("risk:rules")).status_code,
        client.get(reverse("risk:rule-new")).status_code,
        client.post(reverse("risk:rule-new"), {"name": "x", "grade_at_or_below": "C"}).status_code,
    }
    assert pages in ({200, 302}, {404})
    return 404 not in pages


def _scorecard_editing(client: Client) -> bool:
    from credfile.ratings.models import ScorecardVersion

    version = ScorecardVersion.objects.filter(status="published").first()
    assert version is not None
    page = client.get(reverse("ratings:scorecard-version", args=[version.pk]))
    assert page.status_code == 200  # everyone reads the cards
    link = 'id="new-version"' in page.content.decode()
    editor = client.get(reverse("ratings:scorecard-new", args=[version.pk])).status_code
    table = client.get(reverse("ratings:industry-risk"))
    assert table.status_code == 200
    form = 'id="industry-risk-form"' in table.content.decode()
    assert link is form is (editor == 200) and editor in {200, 404}
    fits = client.get(reverse("ratings:fits")).status_code
    listed = client.get(reverse("ratings:scorecards")).content.decode()
    nav = 'id="nav-fits"' in client.get(reverse("customers:list")).content.decode()
    assert fits in {200, 404} and (fits == 200) is link is ('id="fit-link"' in listed) is nav
    return link


def _stability_page(client: Client) -> bool:
    page = client.get(reverse("ratings:stability")).status_code
    listed = client.get(reverse("ratings:scorecards")).content.decode()
    nav = 'id="nav-stability"' in client.get(reverse("customers:list")).content.decode()
    assert page in {200, 404} and (page == 200) is ('id="stability-link"' in listed) is nav
    return page == 200


EXPORT_APIS = (
    "/api/v1/exports/customers/",
    "/api/v1/exports/invoices/",
    "/api/v1/exports/payments/",
)


def _file_exports(client: Client) -> bool:
    page = client.get(reverse("customers:list")).content.decode()
    export = client.get(reverse("exports:customers", args=["csv"])).status_code
    apis = {client.get(path).status_code for path in EXPORT_APIS}
    assert apis == {export} and export in {200, 404}
    assert ('id="customer-export"' in page) is (export == 200)
    return export == 200


def _reveal_in_exports(client: Client) -> bool:
    box = 'id="export-reveal"' in client.get(reverse("customers:list")).content.decode()
    api = client.get(EXPORT_APIS[0], {"reveal": "true"}).status_code
    assert api in {200, 403, 404}
    assert box is (api == 200)
    return box


def _group_pages(client: Client) -> bool:
    page = client.get(reverse("limits:groups")).status_code
    assert page in {200, 404}
    nav = 'id="nav-groups"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (page == 200)
    return page == 200


def _group_keeping(client: Client) -> bool:
    form = client.get(reverse("limits:group-new")).status_code
    api = client.post(
        "/api/v1/customer-groups/", {"name": ""}, content_type="application/json"
    ).status_code
    # Allowed: the form opens and the API checks the input (400: no name); else 404 / 403.
    assert (form == 200) == (api == 400) and form in {200, 404} and api in {400, 403}
    return form == 200


def _retention_rules(client: Client) -> bool:
    page = client.get(reverse("retention:rules")).status_code
    api = client.get("/api/v1/retention-rules/").status_code
    assert page == api and page in {200, 404}
    nav = 'id="nav-retention"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (page == 200)
    return page == 200


def _retention_propose(client: Client) -> bool:
    page = client.get(reverse("retention:rules"))
    shown = page.status_code == 200 and 'id="retention-propose"' in page.content.decode()
    posted = client.post(reverse("retention:propose"), {"record_kind": "file"}).status_code
    assert posted in {404, 422}
    assert shown is (posted == 422)
    return shown


def _retention_decide(client: Client) -> bool:
    from credfile.accounts.models import User
    from credfile.retention.models import RetentionRuleChange

    maker = User.objects.create(username="second.admin", role="admin", is_staff=True)
    change = RetentionRuleChange.objects.create(fields={}, reason="x", proposed_by=maker)
    page = client.get(reverse("retention:rules")).content.decode()
    shown = reverse("retention:decide", args=[change.pk]) in page
    posted = client.post(reverse("retention:decide", args=[change.pk]), {"decision": "reject"})
    assert posted.status_code in {302, 404}
    assert shown is (posted.status_code == 302)
    return shown


def _due_list(client: Client) -> bool:
    page = client.get(reverse("retention:due")).status_code
    assert page in {200, 404}
    nav = 'id="nav-due"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (page == 200)
    return page == 200


def _destruction_approve(client: Client) -> bool:
    from credfile.accounts.models import User
    from credfile.retention.models import DestructionItem, DestructionList
    from tests.factories import CustomerFactory

    head = User.objects.filter(role="department_head").first()
    assert head is not None
    customer = CustomerFactory(department=head.department)
    listing = DestructionList.objects.create(listed_on=datetime.date(2026, 1, 1))
    DestructionItem.objects.create(
        destruction_list=listing,
        kind="document",
        customer=customer,
        object_id=999_999,
        due_on=listing.listed_on,
    )
    page = client.get(reverse("retention:due"))
    shown = page.status_code == 200 and 'id="due-approve"' in page.content.decode()
    posted = client.post(reverse("retention:due-approve")).status_code
    empty = DestructionList.objects.create(listed_on=listing.listed_on)
    api = client.post(
        f"/api/v1/destruction-lists/{empty.pk}/approve/", "{}", content_type="application/json"
    ).status_code
    assert posted in {302, 404} and api in {403, 404}
    assert shown is (posted == 302) is (api == 403)
    return shown


def _certificates(client: Client) -> bool:
    page = client.get(reverse("retention:certificates")).status_code
    api = client.get("/api/v1/destruction-certificates/").status_code
    assert page in {200, 404} and (page == 200) is (api == 200)
    nav = 'id="nav-certificates"' in client.get(reverse("customers:list")).content.decode()
    assert nav is (page == 200)
    return page == 200


def _portfolio_report(client: Client) -> bool:
    page = client.get(reverse("reports:portfolio")).status_code
    api = client.get("/api/v1/reports/portfolio.pdf").status_code
    assert page == api and page in {200, 404}
    return page == 200


SHOWN: dict[str, Callable[[Client], bool] | None] = {
    "can_audit": _audit_pages,
    "can_verify_audit_chain": _verify_button,
    "can_see_inspections": _inspection_pages,
    "can_run_inspection": _inspection_button,
    "can_decide_changes": _tab(reverse("changes:queue"), "decide"),
    "can_decide_usage_applications": _tab(reverse("access:list"), "decide"),
    "can_see_all_usage_applications": _tab(reverse("access:list"), "all"),
    "can_manage_review_policies": _policy_edit_links,
    "can_see_portfolio": _portfolio,
    "can_see_overdue_list": _overdue_list,
    "decides_privilege_changes": None,  # its pages are tested in tests/security
    "can_import": _import_pages,
    "can_decide_ratings": _ratings_waiting,
    "can_see_watch_list": _watch_list,
    "can_see_complaint_list": _complaint_list,
    "can_see_surveys": _survey_pages,
    "can_manage_questionnaires": _questionnaire_keeping,
    "can_see_events": _event_pages,
    "can_organise_events": _event_organising,
    "can_see_event_surveys": _event_survey_panel,
    "can_send_event_surveys": _event_survey_send,
    "can_see_retention_rules": _retention_rules,
    "can_propose_retention_rules": _retention_propose,
    "can_decide_retention_rules": _retention_decide,
    "can_see_due_list": _due_list,
    "can_approve_destruction": _destruction_approve,
    "can_see_certificates": _certificates,
    "can_manage_risk_rules": _risk_rules,
    "can_see_exposure_refusals": _exposure_refusals,
    "can_rate_in_batch": None,  # a command: tests/ratings/test_command.py
    "can_manage_scorecards": _scorecard_editing,
    "can_see_scorecard_stability": _stability_page,
    "can_export_files": _file_exports,
    "can_reveal_in_exports": _reveal_in_exports,
    "can_manage_groups": _group_keeping,
    "can_see_groups": _group_pages,
    "can_see_portfolio_report": _portfolio_report,
}


def test_every_rule_has_a_route_check() -> None:
    assert set(RULES) == set(SHOWN)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("function", list(RULES))
def test_the_route_rule_holds(personas: Any, client_for: Any, function: str, role: str) -> None:
    user = getattr(personas, role)
    expected = RULES[function][role]
    assert getattr(permissions, function)(user) is expected
    shown = SHOWN[function]
    if shown is not None:
        assert shown(client_for(user)) is expected
