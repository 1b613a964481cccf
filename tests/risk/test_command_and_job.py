"""`credfile risk apply` and the daily job that applies the rules."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from credfile.reviews.jobs import JOB_NAMES, run_due
from credfile.reviews.models import JobRun
from credfile.risk.models import WatchEntry
from tests.conftest import Personas
from tests.risk.conftest import TODAY, file_of, grade, rule

pytestmark = pytest.mark.django_db


def risk(*args: str) -> str:
    out = io.StringIO()
    call_command("risk", *args, stdout=out)
    return out.getvalue()


def test_risk_apply_puts_files_on_the_list_and_says_how_many(personas: Personas) -> None:
    rule(personas, grade_at_or_below="CCC")
    customer = file_of(personas)
    grade(customer, "C")

    assert json.loads(risk("apply", "--as-of", TODAY.isoformat(), "--json"))["added"] == 1
    assert json.loads(risk("apply", "--as-of", TODAY.isoformat(), "--json")) == {
        "added": 0,
        "cleared": 0,
        "kept": 1,
        "reviews_brought_forward": 0,
    }
    assert WatchEntry.objects.get().since == TODAY


def test_risk_apply_prints_a_summary_a_person_reads(personas: Personas) -> None:
    rule(personas, grade_at_or_below="CCC")
    grade(file_of(personas), "C")

    text = risk("apply", "--as-of", TODAY.isoformat())

    assert text.splitlines() == [
        f"Risk rules applied as of {TODAY.isoformat()}:",
        "  1  put on the watch list",
        "  0  cleared from the watch list",
        "  0  still on the watch list",
        "  0  reviews brought forward",
    ]


def test_risk_apply_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="is not a date"):
        risk("apply", "--as-of", "16.06.2025")


def test_the_daily_jobs_apply_the_rules_after_the_review_dates(personas: Personas) -> None:
    assert JOB_NAMES.index("risk.apply") == JOB_NAMES.index("reviews.compute") + 1
    rule(personas, grade_at_or_below="CCC", review_within_months=1)
    customer = file_of(personas)
    grade(customer, "CC")

    outcomes = {o.name: o for o in run_due(today=TODAY, only=["reviews.compute", "risk.apply"])}

    assert outcomes["risk.apply"].status == "done"
    assert outcomes["risk.apply"].summary == {
        "added": 1,
        "cleared": 0,
        "kept": 0,
        "reviews_brought_forward": 1,
    }
    assert JobRun.objects.get(name="risk.apply").last_run_on == TODAY
    assert WatchEntry.objects.filter(customer=customer, status="active").exists()
