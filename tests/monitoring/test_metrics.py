"""/metrics: request counters by route name, gauges read from the database, and who may read."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from prometheus_client import REGISTRY

from credfile.audit.digests import digest_write
from credfile.audit.models import AuditEvent
from credfile.audit.services import audit_record
from credfile.inspections.services import inspection_run
from credfile.monitoring.metrics import register_gauge, unregister_gauge
from credfile.reviews.choices import JobStatus
from credfile.reviews.jobs import run_due
from credfile.reviews.models import JobRun
from tests.audit.conftest import tampering
from tests.conftest import Personas
from tests.documents import samples
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TOKEN = "a-scraper-token-of-at-least-32-characters"


def scrape(**extra: Any) -> str:
    response = Client(**extra).get("/metrics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def _label_text(text: str) -> str:
    """Every series' label set, one per line, without the sample values."""
    return "\n".join(re.findall(r"\{[^}]*\}", text))


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one series in a scrape, None when the scrape does not have it."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, value = line.rsplit(" ", 1)
        found_name, _, label_text = series.partition("{")
        found = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
        if found_name == name and found == labels:
            return float(value)
    return None


def _requests(route: str, status: str = "200", method: str = "GET") -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("credfile_http_requests_total", labels) or 0.0


def test_requests_are_counted_by_route_name_never_by_path(
    personas: Personas, client_for: Any
) -> None:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    before = _requests("customers:detail")
    before_missing = _requests("customers:detail", "404")
    manager = client_for(personas.account_manager)
    assert manager.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert manager.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert manager.get(reverse("customers:detail", args=[987654])).status_code == 404
    text = scrape()
    assert (
        sample(
            text,
            "credfile_http_requests_total",
            method="GET",
            route="customers:detail",
            status="200",
        )
        == before + 2
    )
    assert (
        sample(
            text,
            "credfile_http_requests_total",
            method="GET",
            route="customers:detail",
            status="404",
        )
        == before_missing + 1
    )
    assert (
        sample(
            text,
            "credfile_http_request_duration_seconds_count",
            method="GET",
            route="customers:detail",
        )
        is not None
    )
    # No path, no id: a series per route, not per file. Only the labels are
    # searched, since a sample's value (a float timestamp) may hold any digits.
    labels = _label_text(text)
    assert f"/customers/{customer.pk}/" not in labels and "987654" not in labels


def test_a_path_no_route_matches_is_one_series() -> None:
    before = _requests("unmatched", "404")
    Client().get("/no-such-page/110105194912310025/")
    text = scrape()
    assert (
        sample(text, "credfile_http_requests_total", method="GET", route="unmatched", status="404")
        == before + 1
    )
    assert "110105194912310025" not in _label_text(text)


def test_job_gauges_follow_the_job_runs() -> None:
    finished = timezone.now() - datetime.timedelta(hours=2)
    started = finished - datetime.timedelta(minutes=1)
    JobRun.objects.create(
        name="reviews.compute",
        status=JobStatus.DONE,
        runs=7,
        started_at=started,
        finished_at=finished,
    )
    # Failed after an earlier success: the failure wrote finished_at, not started_at.
    JobRun.objects.create(
        name="audit.digest",
        status=JobStatus.FAILED,
        runs=3,
        failures=2,
        started_at=started,
        finished_at=timezone.now(),
    )
    text = scrape()
    assert sample(text, "credfile_job_runs_total", job="reviews.compute", outcome="done") == 7
    assert sample(text, "credfile_job_runs_total", job="reviews.compute", outcome="failed") == 0
    assert sample(text, "credfile_job_runs_total", job="audit.digest", outcome="failed") == 2
    assert sample(text, "credfile_job_last_run_status", job="reviews.compute", outcome="done") == 1
    assert sample(text, "credfile_job_last_run_status", job="audit.digest", outcome="failed") == 1
    assert sample(text, "credfile_job_last_run_status", job="audit.digest", outcome="done") == 0
    assert sample(
        text, "credfile_job_last_success_timestamp_seconds", job="reviews.compute"
    ) == pytest.approx(finished.timestamp())
    assert sample(
        text, "credfile_job_last_success_timestamp_seconds", job="audit.digest"
    ) == pytest.approx(started.timestamp())
    assert sample(text, "credfile_job_runs_total", job="risk.apply", outcome="done") is None


def test_a_job_that_fails_shows_in_the_metrics(settings: Any) -> None:
    # A damaged digest in the digest directory: the digest job refuses to write another.
    settings.CREDFILE_AUDIT_DIGEST_DIR.mkdir(parents=True, exist_ok=True)
    (settings.CREDFILE_AUDIT_DIGEST_DIR / "digest-20261201T000000000000Z.json").write_text("{}")
    assert [o.status for o in run_due(only=["audit.digest"])] == [JobStatus.FAILED]
    assert [o.status for o in run_due(only=["audit.digest"])] == [JobStatus.FAILED]
    text = scrape()
    assert sample(text, "credfile_job_runs_total", job="audit.digest", outcome="failed") == 2
    assert sample(text, "credfile_job_runs_total", job="audit.digest", outcome="done") == 0
    assert sample(text, "credfile_job_last_run_status", job="audit.digest", outcome="failed") == 1
    # It never succeeded: no time of a last success.
    assert sample(text, "credfile_job_last_success_timestamp_seconds", job="audit.digest") is None


def test_audit_gauges_follow_the_chain_and_its_digests(personas: Personas) -> None:
    text = scrape()
    assert sample(text, "credfile_audit_chain_length") == 0
    assert sample(text, "credfile_audit_last_digest_timestamp_seconds") is None
    for n in range(3):
        audit_record(actor=personas.admin, action="login", obj=personas.admin, after={"n": n})
    digest, _written = digest_write()
    text = scrape()
    assert sample(text, "credfile_audit_chain_length") == 3
    assert sample(text, "credfile_audit_last_digest_timestamp_seconds") == pytest.approx(
        datetime.datetime.fromisoformat(digest.created_at).timestamp()
    )
    assert sample(text, "credfile_audit_digest_holds") == 1
    assert sample(text, "credfile_metrics_source_up", source="audit") == 1
    assert sample(text, "credfile_audit_last_verified_timestamp_seconds") is None


def test_the_last_verification_is_the_newest_integrity_inspection(personas: Personas) -> None:
    audit_record(actor=personas.admin, action="login", obj=personas.admin, after={})
    digest_write()
    passed = inspection_run()
    assert passed.chain_ok is True and passed.finished_at is not None
    text = scrape()
    assert sample(text, "credfile_audit_last_verification_ok") == 1
    assert sample(text, "credfile_audit_last_verified_timestamp_seconds") == pytest.approx(
        passed.finished_at.timestamp()
    )
    # An event changed behind the trail's back: the next inspection finds the chain broken.
    event = AuditEvent.objects.order_by("seq").first()
    assert event is not None
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["改过", event.pk]
        )
    failed = inspection_run()
    assert failed.chain_ok is False
    text = scrape()
    assert sample(text, "credfile_audit_last_verification_ok") == 0
    assert sample(text, "credfile_audit_last_verified_timestamp_seconds") == pytest.approx(
        passed.finished_at.timestamp()
    )


def test_the_documents_gauge_counts_the_documents(personas: Personas) -> None:
    customer = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    assert sample(scrape(), "credfile_documents", status="active") == 0
    samples.attach(customer)
    samples.attach(customer, title="第二封")
    text = scrape()
    assert sample(text, "credfile_documents", status="active") == 2
    assert sample(text, "credfile_documents", status="archived") == 0


def test_a_registered_gauge_is_scraped_and_absent_until_it_has_a_value() -> None:
    state: dict[str, float | None] = {"value": None}
    register_gauge(
        "credfile_test_last_thing_timestamp_seconds",
        "When the thing last happened.",
        lambda: state["value"],
    )
    register_gauge(
        "credfile_test_broken",
        "A gauge whose callback fails.",
        lambda: 1 / 0,
    )
    try:
        text = scrape()
        assert "credfile_test_last_thing_timestamp_seconds" not in text
        assert "credfile_test_broken" not in text
        state["value"] = 1_800_000_000.0
        assert sample(scrape(), "credfile_test_last_thing_timestamp_seconds") == 1_800_000_000.0
    finally:
        unregister_gauge("credfile_test_last_thing_timestamp_seconds")
        unregister_gauge("credfile_test_broken")


def test_a_gauge_name_outside_credfile_is_refused() -> None:
    with pytest.raises(ValueError, match="credfile_"):
        register_gauge("backup_time", "no prefix", lambda: 1.0)


def test_metrics_are_forbidden_from_another_address() -> None:
    response = Client(REMOTE_ADDR="192.0.2.10").get("/metrics")
    assert response.status_code == 403
    assert b"credfile_" not in response.content


def test_metrics_through_a_proxy_are_forbidden_even_from_localhost() -> None:
    # A proxy on the same machine makes every client 127.0.0.1; its header gives it away.
    response = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").get("/metrics")
    assert response.status_code == 403


def test_an_allowed_network_may_scrape(settings: Any) -> None:
    from credfile.monitoring.access import parse_networks

    settings.CREDFILE_METRICS_ALLOWED = parse_networks(["10.0.0.0/8"])
    assert Client(REMOTE_ADDR="10.20.30.40").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403


def test_the_token_lets_a_scraper_in_from_anywhere(settings: Any) -> None:
    settings.CREDFILE_METRICS_TOKEN = TOKEN
    outside = {"REMOTE_ADDR": "192.0.2.10"}
    assert scrape(**outside, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").count("credfile_") > 0
    wrong = Client(**outside, HTTP_AUTHORIZATION="Bearer not-the-token").get("/metrics")
    assert wrong.status_code == 403
    # A wrong token is refused even from an allowed address: it was meant to be checked.
    local = Client(REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer nope").get("/metrics")
    assert local.status_code == 403


_WORKER = textwrap.dedent(
    """
    import django, sys
    django.setup()
    from django.test import Client
    client = Client()
    for _ in range(int(sys.argv[1])):
        client.get("/healthz")
    if sys.argv[2] == "scrape":
        print(client.get("/metrics").content.decode())
    """
)


def test_in_multiprocess_mode_a_scrape_adds_up_every_process(tmp_path: Path) -> None:
    """Three processes (as gunicorn's workers) answer probes; any one's scrape counts all."""
    (tmp_path / "metrics").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDFILE_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="credfile.settings",
        CREDFILE_HOME=str(tmp_path / "home"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )

    def run(count: int, then: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", _WORKER, str(count), then],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout

    run(2, "-")
    run(3, "-")
    text = run(1, "scrape")
    assert (
        sample(
            text,
            "credfile_http_requests_total",
            method="GET",
            route="monitoring:healthz",
            status="200",
        )
        == 6
    )
