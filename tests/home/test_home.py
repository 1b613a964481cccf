"""The home pages by role: each role sees its panels and no other's, each panel's figures are
those of the list or report it links to, and another department's figures stay out."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from credfile.audit.choices import AuditAction
from credfile.audit.models import AuditHead
from credfile.audit.services import audit_record
from credfile.complaints.services import complaint_create
from credfile.core.permissions import home_panels
from credfile.customers.models import Customer
from credfile.home.panels import Panel
from credfile.limits.models import CreditLimit, OpenOrder
from credfile.ratings.cards import card_to_data
from credfile.ratings.defaults import company_card
from credfile.ratings.models import Rating, Scorecard, ScorecardVersion
from credfile.risk.models import RiskRule, WatchEntry
from credfile.transactions.models import Invoice
from tests.conftest import Personas
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

PANELS = {
    "account_manager": ("followups", "reviews", "complaints", "my_changes"),
    "department_head": (
        "approvals",
        "receivables",
        "followups",
        "reviews",
        "complaints",
        "watch_list",
    ),
    "credit_manager": (
        "credit_work",
        "receivables",
        "by_department",
        "by_industry",
        "grades",
        "value_matrix",
        "watch_list",
        "limits_expiring",
    ),
    "executive": (
        "usage_applications",
        "approvals",
        "receivables",
        "by_department",
        "grades",
        "watch_list",
    ),
    "auditor": ("audit_chain", "reveals"),
    "admin": (),
}
ALL_PANELS = {key for keys in PANELS.values() for key in keys}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


_numbers = iter(range(1, 1_000_000))


def owed(customer: Customer, amount: str, *, days: int, currency: str = "CNY") -> Invoice:
    """An unpaid invoice `days` past its due date today (negative: not yet due)."""
    due = timezone.localdate() - datetime.timedelta(days=days)
    return Invoice.objects.create(
        customer=customer,
        number=f"H-{next(_numbers)}",
        issue_date=due - datetime.timedelta(days=30),
        due_date=due,
        payment_terms_days=30,
        amount=Decimal(amount),
        currency=currency,
    )


def _published() -> ScorecardVersion:
    version = ScorecardVersion.objects.filter(status="published").first()
    if version is None:  # a transactional test's flush took the migration's cards
        card = company_card()
        scorecard = Scorecard.objects.create(
            key=card.key, name="企业客户评分卡", customer_kind=card.customer_kind, is_default=True
        )
        version = ScorecardVersion.objects.create(
            scorecard=scorecard,
            number=1,
            definition=card_to_data(card),
            status="published",
            source="expert",
            published_at=timezone.now(),
        )
    return version


def rated(customer: Customer, grade: str, value: str = "") -> None:
    version = _published()
    Rating.objects.create(
        customer=customer,
        version=version,
        as_of=timezone.localdate(),
        score=Decimal("30"),
        score_grade=grade,
        grade=grade,
        value_grade=value,
        basis={},
        status="approved",
        is_current=True,
        proposed_by=customer.account_manager,
    )


def limit(customer: Customer, *, days: int, approver: Any) -> CreditLimit:
    today = timezone.localdate()
    return CreditLimit.objects.create(
        customer=customer,
        currency="CNY",
        amount=Decimal("100000"),
        valid_from=today - datetime.timedelta(days=300),
        valid_until=today + datetime.timedelta(days=days),
        approved_by=approver,
    )


@pytest.fixture
def book(personas: Personas) -> dict[str, Customer]:
    own = CustomerFactory(
        name="自有星辰有限公司",
        department=personas.sales,
        account_manager=personas.account_manager,
        industry="C",
    )
    colleagues = CustomerFactory(
        name="同事海风有限公司",
        department=personas.sales,
        account_manager=personas.colleague,
        industry="F",
    )
    abroad = CustomerFactory(
        name="海外远洋贸易有限公司",
        department=personas.other,
        account_manager=personas.outsider,
        industry="C",
    )
    owed(own, "1000.00", days=40)
    owed(own, "500.00", days=-20)  # not yet due
    owed(own, "60.00", days=10, currency="USD")
    owed(colleagues, "2000.00", days=100)
    owed(abroad, "777.00", days=200)
    OpenOrder.objects.create(customer=own, reference="SO-1", amount=Decimal("300"), kind="order")
    rated(own, "A", "B")
    rated(colleagues, "BBB", "A")
    rated(abroad, "A")
    limit(own, days=10, approver=personas.credit_manager)
    limit(abroad, days=20, approver=personas.credit_manager)
    limit(colleagues, days=200, approver=personas.credit_manager)
    rule = RiskRule.objects.create(name="关注：逾期", grade_at_or_below="BBB")
    for customer in (colleagues, abroad):
        WatchEntry.objects.create(
            customer=customer, rule=rule, status="active", since=timezone.localdate()
        )
    complaint_create(
        actor=personas.account_manager,
        customer=own,
        fields={"severity": "high", "category": "billing", "channel": "phone", "summary": "发票"},
    )
    return {"own": own, "colleagues": colleagues, "abroad": abroad}


def home(client: Any) -> tuple[str, dict[str, Panel]]:
    response = client.get("/")
    assert response.status_code == 200
    panels = {panel.key: panel for panel in response.context["panels"]}
    return response.content.decode(), panels


def shown_panels(html: str) -> list[str]:
    return re.findall(r'data-panel="([a-z_]+)"', html)


def money(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip())


def portfolio_totals(client: Any, **params: Any) -> dict[str, list[Decimal]]:
    """The totals table of /receivables/ (per currency: each bucket, then the total)."""
    html = client.get(reverse("receivables:portfolio"), params).content.decode()
    table = html.split("portfolio-totals")[1].split("</table>")[0]
    totals = {}
    for currency, cells in re.findall(r'<tr data-currency="(\w+)">(.*?)</tr>', table, re.S):
        totals[currency] = [money(c) for c in re.findall(r"<td[^>]*>([\d,.]+)</td>", cells)]
    return totals


@pytest.mark.parametrize("role", list(PANELS))
def test_each_role_sees_its_panels_and_no_others(
    personas: Personas, client_for: Any, book: Any, role: str
) -> None:
    user = getattr(personas, role)
    assert home_panels(user) == PANELS[role]
    html, _panels = home(client_for(user))
    assert shown_panels(html) == list(PANELS[role])
    for other in ALL_PANELS - set(PANELS[role]):
        assert f'id="panel-{other}"' not in html
    # The customer list keeps its own address, linked from the home page.
    assert 'id="home-customers"' in html
    assert client_for(user).get(reverse("customers:list")).status_code in {200, 404}


@pytest.mark.parametrize("role", [r for r in PANELS if r != "admin"])
def test_each_panel_links_to_a_list_the_user_may_open(
    personas: Personas, client_for: Any, book: Any, role: str
) -> None:
    client = client_for(getattr(personas, role))
    _html, panels = home(client)
    for panel in panels.values():
        assert client.get(panel.url).status_code == 200, panel.url


def test_a_department_role_without_a_department_gets_no_panel(client_for: Any, db: None) -> None:
    loose = UserFactory(username="wu.ming", role="account_manager", department=None)
    html, panels = home(client_for(loose))
    assert panels == {} and 'id="home-empty"' in html


def test_the_receivables_panels_equal_the_portfolio_page(
    personas: Personas, client_for: Any, book: Any
) -> None:
    client = client_for(personas.credit_manager)
    html, panels = home(client)
    totals = panels["receivables"].data["totals"]
    page = portfolio_totals(client)
    assert {c: list(amounts.values()) for c, amounts in totals.items()} == page
    assert page["CNY"][-1] == Decimal("4277.00") and page["USD"][-1] == Decimal("60.00")
    # Per department: the portfolio page filtered by that department.
    for table in panels["by_department"].data["tables"]:
        for line in table["lines"]:
            department = line["figures"].group["customer__department_id"]
            filtered = portfolio_totals(client, department=department)
            assert [*line["figures"].ageing.values(), line["figures"].total] == filtered[
                table["currency"]
            ]
    sales = next(
        line
        for table in panels["by_department"].data["tables"]
        if table["currency"] == "CNY"
        for line in table["lines"]
        if line["name"] == personas.sales.name
    )
    assert sales["orders"] == Decimal("300") and sales["exposure"] == Decimal("3800.00")
    # Per industry: the portfolio page filtered by that industry.
    seen = 0
    for table in panels["by_industry"].data["tables"]:
        for line in table["lines"]:
            industry = line["figures"].group["customer__industry"]
            filtered = portfolio_totals(client, industry=industry)
            assert line["figures"].total == filtered[table["currency"]][-1]
            seen += 1
    assert seen == 3  # C and F in CNY, C in USD
    assert 'data-figure="exposure">3,800.00<' in html


def test_grades_and_the_matrix_equal_the_matrix_page(
    personas: Personas, client_for: Any, book: Any
) -> None:
    client = client_for(personas.credit_manager)
    _html, panels = home(client)
    page = client.get(reverse("ratings:matrix")).content.decode()
    cells = {cell: int(n) for cell, n in re.findall(r'data-cell="([\w+-]+)"[^>]*>(\d+)</td>', page)}
    matrix = {
        f"{grade}-{value}": n
        for grade, row in panels["value_matrix"].data["rows"]
        for value, n, _advice, _heat in row
    }
    assert matrix == cells and matrix["A-B"] == 1 and matrix["BBB-A"] == 1
    grades = dict(panels["grades"].data["rows"])
    assert grades["A"] == 2 and grades["BBB"] == 1 and panels["grades"].data["total"] == 3
    total = int(re.search(r"(\d+) files with a rating in force", page).group(1))  # type: ignore[union-attr]
    assert total == panels["grades"].data["total"]


def _rows(client: Any, url: str, marker: str) -> int:
    return client.get(url).content.decode().count(f"<tr {marker}")


def test_the_work_panels_count_what_their_lists_show(
    personas: Personas, client_for: Any, book: Any
) -> None:
    manager = client_for(personas.account_manager)
    _html, panels = home(manager)
    followups = panels["followups"].data
    # The account manager's overdue list is their own files: 1,000 CNY and 60 USD.
    assert followups["counts"]["total"] == _rows(
        manager, reverse("followup:overdue"), "data-invoice"
    )
    assert followups["counts"]["total"] == 2
    assert followups["amounts"] == {"CNY": Decimal("1000.00"), "USD": Decimal("60.00")}
    complaints = panels["complaints"].data
    assert complaints["counts"]["total"] == _rows(
        manager, reverse("complaints:list"), "data-complaint"
    )
    assert complaints["counts"]["total"] == 1
    reviews = panels["reviews"].data["counts"]
    queue = manager.get(reverse("reviews:queue")).content.decode()
    assert f'id="count-overdue">{reviews["overdue"]}<' in queue
    assert f'id="count-due">{reviews["due"]}<' in queue

    credit = client_for(personas.credit_manager)
    _html, panels = home(credit)
    watch = panels["watch_list"].data["counts"]["total"]
    assert watch == _rows(credit, reverse("risk:watch-list"), "data-customer") == 2
    expiring = panels["limits_expiring"].data["counts"]["total"]
    page = credit.get(reverse("limits:expiring")).content.decode()
    assert expiring == page.count("<tr data-limit") == 2
    assert "2 limits" in page


def test_another_departments_figures_stay_out(
    personas: Personas, client_for: Any, book: Any
) -> None:
    for role in ("account_manager", "department_head"):
        client = client_for(getattr(personas, role))
        html, panels = home(client)
        assert "海外远洋贸易" not in html and "777.00" not in html
        if "receivables" in panels:
            totals = panels["receivables"].data["totals"]
            assert totals["CNY"]["total"] == Decimal("3500.00")
            assert {c: list(a.values()) for c, a in totals.items()} == portfolio_totals(client)
        if "watch_list" in panels:
            assert panels["watch_list"].data["counts"]["total"] == 1  # the colleague's file
    manager = client_for(personas.account_manager)
    _html, panels = home(manager)
    # An account manager's follow-ups are their own files', not a colleague's.
    assert "同事海风" not in _html and panels["followups"].data["counts"]["total"] == 2
    # The company-wide roles see every department.
    html, _panels = home(client_for(personas.executive))
    assert personas.other.name in html and personas.sales.name in html


def test_the_auditor_sees_the_chain_and_the_reveals(
    personas: Personas, client_for: Any, book: Any
) -> None:
    audit_record(
        actor=personas.department_head,
        action=AuditAction.REVEAL,
        object_type="customers.customer",
        object_id=str(book["own"].pk),
        object_repr="自有星辰有限公司 · id_number",
        customer_id=book["own"].pk,
    )
    html, panels = home(client_for(personas.auditor))
    head = AuditHead.objects.get(pk=1)
    assert panels["audit_chain"].data["head_seq"] == head.seq
    assert panels["reveals"].data["week"] == 1
    assert "自有星辰有限公司 · id_number" in html
    # The reveals' link is the trail filtered to reveals, which shows the same event.
    trail = client_for(personas.auditor).get(panels["reveals"].url).content.decode()
    assert "自有星辰有限公司 · id_number" in trail


def test_the_home_page_takes_a_fixed_number_of_queries(
    personas: Personas, client_for: Any, book: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas.credit_manager)
    home(client)
    for extra in range(20):
        customer = CustomerFactory(department=personas.other, industry="G")
        owed(customer, f"{100 + extra}.00", days=extra)
        rated(customer, "BB")
    with django_assert_max_num_queries(40):
        home(client)
