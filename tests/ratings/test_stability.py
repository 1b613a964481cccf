"""The monthly stability report on the live ratings: numbers against a hand computation, the
job that records a month once, the page and the command."""

from __future__ import annotations

import datetime
import io
import json
import math
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credfile.audit.models import AuditEvent
from credfile.ratings.choices import RatingStatus
from credfile.ratings.models import Rating, ScorecardVersion, StabilityReport
from credfile.ratings.stability import month_stability, stability_record
from credfile.reviews.jobs import JOB_NAMES, run_due
from tests.conftest import Personas
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

OCT = datetime.date(2026, 10, 1)
NOV = datetime.date(2026, 11, 1)


def _rate(customer: Any, version: ScorecardVersion, day: datetime.date, score: int, **kw: Any):
    return Rating.objects.create(
        customer=customer,
        version=version,
        as_of=day,
        score=Decimal(score),
        score_grade="A",
        grade="A",
        basis={},
        status=kw.pop("status", RatingStatus.APPROVED),
        **kw,
    )


@pytest.fixture
def v1() -> ScorecardVersion:
    return ScorecardVersion.objects.select_related("scorecard").get(
        scorecard__key="company", number=1
    )


@pytest.fixture
def ratings(personas: Personas, v1: ScorecardVersion) -> list[Any]:
    """October (the baseline): ten files scoring 10, 20 … 100. November: the five lowest are
    re-rated 95; a rejected and a waiting rating change nothing."""
    files = [
        CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
        for _ in range(11)
    ]
    for i, customer in enumerate(files[:10]):
        _rate(customer, v1, datetime.date(2026, 10, 5 + i), 10 * (i + 1))
    for customer in files[:5]:
        _rate(customer, v1, datetime.date(2026, 11, 20), 95)
    _rate(files[5], v1, datetime.date(2026, 11, 21), 5, status=RatingStatus.REJECTED)
    _rate(files[10], v1, datetime.date(2026, 11, 22), 5, status=RatingStatus.PROPOSED)
    # December's ratings do not count for November.
    _rate(files[6], v1, datetime.date(2026, 12, 1), 5)
    return files


def test_the_psi_equals_a_hand_computation(ratings: Any, v1: ScorecardVersion) -> None:
    result = month_stability(v1, NOV)
    assert result is not None
    assert (result.baseline_month, result.ratings, result.baseline_ratings) == (OCT, 10, 10)
    # Bins cut at the baseline's deciles: below 20, [20, 30) … [90, 100), from 100; one
    # baseline score each. November: 0 in the five lowest bins (0.5 counted on both sides:
    # 0.15 against 0.05), 1 in [60, 70) … [80, 90) and from 100, 6 in [90, 100).
    bins = result.result.bins
    assert [b.lower for b in bins] == [None, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert [b.actual for b in bins] == [0, 0, 0, 0, 0, 1, 1, 1, 6, 1]
    assert [b.expected for b in bins] == [1] * 10
    hand = 5 * (0.05 - 0.15) * math.log(0.05 / 0.15) + (0.6 - 0.1) * math.log(0.6 / 0.1)
    assert result.result.psi == pytest.approx(hand)
    assert result.result.band == "shift"
    baseline = month_stability(v1, OCT)
    assert baseline is not None and baseline.result.psi == 0
    assert month_stability(v1, datetime.date(2026, 9, 1)) is None


def test_a_fixed_number_of_queries(personas: Personas, v1: ScorecardVersion) -> None:
    def count(files: int) -> int:
        for i in range(files):
            customer = CustomerFactory(
                department=personas.sales, account_manager=personas.account_manager
            )
            _rate(customer, v1, datetime.date(2026, 10, 1 + i % 28), i)
        with CaptureQueriesContext(connection) as queries:
            month_stability(v1, NOV)
        return len(queries)

    assert count(5) == count(40)


def test_the_monthly_job_records_a_month_once(
    ratings: Any, v1: ScorecardVersion, personas: Personas, client_for: Any
) -> None:
    assert "ratings.stability" in JOB_NAMES
    [outcome] = run_due(only=["ratings.stability"], today=datetime.date(2026, 12, 3))
    assert outcome.status == "done", outcome
    report = StabilityReport.objects.get()
    assert (report.scorecard, report.version, report.month, report.baseline_month) == (
        v1.scorecard,
        v1,
        NOV,
        OCT,
    )
    assert (report.ratings, report.band) == (10, "shift")
    assert report.psi == Decimal("1.445186")
    assert AuditEvent.objects.filter(object_type__icontains="stabilityreport").count() == 1
    # Again (another day of December, or another worker): nothing more.
    assert stability_record(today=datetime.date(2026, 12, 4)) == {"recorded": 0, "skipped": 1}
    assert StabilityReport.objects.count() == 1
    # The page lists the month with its band and the bins.
    page = client_for(personas.credit_manager).get(reverse("ratings:stability"))
    text = page.content.decode()
    row = text.split('<tr data-month="2026-11">')[1].split("</tr>")[0]
    assert "1.4452" in row and "Shift" not in row and "shift" in row
    table = text.split('id="stability-bins"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == 10
    assert "[90, 100)" in table and "60.00 %" in table


def test_the_page_is_for_credit_managers_and_the_executive(
    personas: Personas, client_for: Any
) -> None:
    for user, status in (
        (personas.credit_manager, 200),
        (personas.executive, 200),
        (personas.account_manager, 404),
        (personas.department_head, 404),
        (personas.auditor, 404),
    ):
        assert client_for(user).get(reverse("ratings:stability")).status_code == status


def test_the_command(ratings: Any) -> None:
    out = io.StringIO()
    call_command("scorecard", "stability", "--month", "2026-11", "--json", stdout=out)
    [item] = json.loads(out.getvalue())
    assert (item["scorecard"], item["month"], item["baseline_month"]) == (
        "company",
        "2026-11",
        "2026-10",
    )
    assert item["psi"] == pytest.approx(1.445186) and item["band"] == "shift"
    out = io.StringIO()
    call_command("scorecard", "stability", "--month", "2026-11", stdout=out)
    assert "PSI 1.4452: shift." in out.getvalue()
    assert "10 ratings against 10 of 2026-10" in out.getvalue()
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("scorecard", "stability", "--month", "November")


def test_the_page_speaks_chinese(ratings: Any, personas: Personas, client_for: Any) -> None:
    from tests.web.test_page_walk import LANGUAGE_NAMES, _offending, _Text

    stability_record(today=datetime.date(2026, 12, 3))
    page = client_for(personas.credit_manager, "zh-hans").get(reverse("ratings:stability"))
    parser = _Text()
    parser.feed(page.content.decode())
    text = "\n".join(parser.parts)
    assert "显著偏移" in text and "2026-11" in text
    values = sorted([*LANGUAGE_NAMES, str(personas.credit_manager)], key=len, reverse=True)
    assert _offending(text, "zh-hans", values) == []
