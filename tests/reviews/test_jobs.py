"""Scheduled jobs: `credfile jobs`, run once a day; the Celery task; a real Redis worker."""

from __future__ import annotations

import io
import os
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from credfile.reviews.jobs import JOB_NAMES, run_due
from credfile.reviews.models import JobRun, Notification, ReviewSchedule
from tests.conftest import Personas
from tests.reviews.conftest import make_file

REDIS = ("127.0.0.1", 6379)


@pytest.fixture(autouse=True)
def _english_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDFILE_LANGUAGE", "en")


def jobs(*args: str) -> str:
    out = io.StringIO()
    call_command("jobs", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def overdue_file(personas: Personas) -> Any:
    personas.department_head.email = "wang.fang@example.com"
    personas.department_head.save()
    return make_file(personas, opened_on=timezone.localdate().replace(year=2020))


@pytest.mark.django_db
def test_run_due_runs_each_job_once_a_day(overdue_file: Any) -> None:
    first = jobs("run-due")
    assert "reviews.compute: done" in first
    assert "reviews.escalate: done (escalated_files=1" in first
    assert len(mail.outbox) == 1
    notes = Notification.objects.count()

    second = jobs("run-due")

    assert second.count("already run today") == len(JOB_NAMES)
    assert (len(mail.outbox), Notification.objects.count()) == (1, notes)
    runs = {r.name: r for r in JobRun.objects.all()}
    assert set(runs) == set(JOB_NAMES)
    assert all(r.runs == 1 and r.last_run_on == timezone.localdate() for r in runs.values())


@pytest.mark.django_db
def test_force_runs_again_but_sends_nothing_twice(overdue_file: Any) -> None:
    jobs("run-due")
    forced = jobs("run-due", "--force")
    assert "already run today" not in forced
    assert len(mail.outbox) == 1  # the escalation is recorded on the file: sent once
    assert JobRun.objects.get(name="reviews.compute").runs == 2


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_retried(
    overdue_file: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credfile.reviews import services

    working = services.reminders_send

    def broken(**kwargs: Any) -> dict[str, int]:
        raise RuntimeError("mail server down")

    monkeypatch.setattr(services, "reminders_send", broken)
    with pytest.raises(CommandError, match="A job failed"):
        jobs("run-due")
    record = JobRun.objects.get(name="reviews.remind")
    assert record.status == "failed" and "mail server down" in record.summary["error"]
    assert JobRun.objects.get(name="reviews.escalate").status == "done"  # the others ran
    monkeypatch.setattr(services, "reminders_send", working)
    assert "reviews.remind: done" in jobs("run-due")


@pytest.mark.django_db
def test_status_lists_every_job(overdue_file: Any) -> None:
    assert jobs("status").count("never run") == len(JOB_NAMES)
    jobs("run-due", "--job", "reviews.compute")
    status = jobs("status")
    assert "reviews.compute: done" in status and status.count("never run") == len(JOB_NAMES) - 1


@pytest.mark.django_db
def test_the_celery_task_runs_the_same_jobs(overdue_file: Any) -> None:
    from credfile.reviews.tasks import run_due_jobs

    result = run_due_jobs.apply().get()
    assert [(r["job"], r["ran"], r["status"]) for r in result] == [
        (name, True, "done") for name in JOB_NAMES
    ]
    again = run_due_jobs.apply().get()
    assert not any(r["ran"] for r in again)


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_broker() -> Iterator[str]:
    if not redis_answers():
        message = (
            "Redis does not answer on 127.0.0.1:6379. Start it (apt-get install redis-server; "
            "redis-server --daemonize yes) or unset CREDFILE_REQUIRE_REDIS to skip this test."
        )
        if os.environ.get("CREDFILE_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    yield "redis://127.0.0.1:6379/15"


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_on_redis_runs_the_due_jobs(personas: Personas, redis_broker: str) -> None:
    from celery.contrib.testing.worker import start_worker

    from credfile.celery import app
    from credfile.reviews.tasks import run_due_jobs

    make_file(personas, opened_on=timezone.localdate())
    ReviewSchedule.objects.all().delete()
    # A queue of this test's own, so no other worker on the same Redis takes the task.
    queue = f"credfile-test-{uuid.uuid4().hex}"
    app.conf.update(broker_url=redis_broker, task_default_queue=queue)
    try:
        with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=10):
            run_due_jobs.delay()
            # The worker writes to the same database; wait for its JobRun records.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if JobRun.objects.filter(status="done").count() == len(JOB_NAMES):
                        break
                except OperationalError:
                    pass  # SQLite: the worker's thread holds the table in its transaction
                time.sleep(0.2)
    finally:
        app.conf.update(broker_url=None, task_default_queue="credfile")
    assert JobRun.objects.filter(status="done").count() == len(JOB_NAMES), (
        "the Celery worker did not run the jobs within 30 s"
    )
    assert ReviewSchedule.objects.count() == 1
    assert run_due()[0].ran is False  # the worker's run was recorded for today
