"""Scheduled jobs and how they run: each at most once a day, recorded in JobRun.

`run_due()` runs, in order, every job that has not run today. It is what `credfile jobs
run-due`, the `credfile jobs worker` loop and the Celery beat task all call, so any number
of them may run at once on any number of machines: the JobRun row of a job is locked while
it runs, and a second caller finds it done for the day (docs/operations.md).
"""

from __future__ import annotations

import datetime
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credfile.reviews import services
from credfile.reviews.choices import JobStatus
from credfile.reviews.models import JobRun, ReviewSchedule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    title: Any
    run: Callable[[datetime.date], dict[str, Any]]
    # False for a job that must not hold a transaction while it works (the backup: on
    # SQLite an open write transaction would stop every writer until it ends).
    atomic: bool = True


def _compute(today: datetime.date) -> dict[str, Any]:
    changed = services.schedules_refresh(today=today)
    return {"files": ReviewSchedule.objects.count(), "changed": changed}


def _risk_apply(today: datetime.date) -> dict[str, Any]:
    # Imported here: the risk app reads the review states this app owns.
    from credfile.risk.services import rules_apply

    return rules_apply(as_of=today).as_dict()


def _remind(today: datetime.date) -> dict[str, Any]:
    return services.reminders_send(today=today)


def _escalate(today: datetime.date) -> dict[str, Any]:
    return services.escalations_send(today=today)


def _complaint_now(today: datetime.date) -> datetime.datetime:
    # The time of day now, on the day the run is for (a run for another day, in tests).
    now = timezone.localtime()
    return (
        now
        if today == now.date()
        else now.replace(year=today.year, month=today.month, day=today.day)
    )


def _complaints_remind(today: datetime.date) -> dict[str, Any]:
    from credfile.complaints.services import reminders_send

    return reminders_send(now=_complaint_now(today))


def _complaints_escalate(today: datetime.date) -> dict[str, Any]:
    from credfile.complaints.services import escalations_send

    return escalations_send(now=_complaint_now(today))


def _rerate(today: datetime.date) -> dict[str, Any]:
    from credfile.ratings.services import rerate_changed

    return rerate_changed(today=today)


def _stability(today: datetime.date) -> dict[str, Any]:
    from credfile.ratings.stability import stability_record

    return stability_record(today=today)


def _inspect(today: datetime.date) -> dict[str, Any]:
    from credfile.inspections.runs import scheduled_inspection

    return scheduled_inspection(today)


def _retention_due(today: datetime.date) -> dict[str, Any]:
    from credfile.retention.services import destruction_list_make

    listing = destruction_list_make(today=today)
    return {"items": listing.items.count() if listing else 0}


def _audit_digest(today: datetime.date) -> dict[str, Any]:
    from credfile.audit.digests import digest_write

    digest, written = digest_write()
    return {"events": digest.count, "files": len(written)}


def _backup(today: datetime.date) -> dict[str, Any]:
    from credfile.backups.jobs import scheduled_backup

    return scheduled_backup(today)


# In the order they run: the risk rules read the computed review dates and may bring them
# forward; reminders and escalations read what both wrote; the audit
# digest comes last, so it covers the events of the jobs before it.
JOBS = (
    Job("reviews.compute", _("Compute review dates, risk and data quality"), _compute),
    Job("risk.apply", _("Apply the risk rules: watch list, blocked credit, reviews"), _risk_apply),
    Job("reviews.remind", _("Send review reminders to account managers"), _remind),
    Job("reviews.escalate", _("Escalate overdue reviews to department heads"), _escalate),
    Job(
        "complaints.remind",
        _("Remind owners of complaints near their deadline"),
        _complaints_remind,
    ),
    Job(
        "complaints.escalate",
        _("Escalate complaints past their deadline to department heads"),
        _complaints_escalate,
    ),
    Job("ratings.refresh", _("Re-rate the files whose data changed"), _rerate),
    # Daily like the others; it records a month once, the month after it ends.
    Job(
        "ratings.stability",
        _("Record last month's stability report of the scorecards in use"),
        _stability,
    ),
    # Daily like the others; it inspects once every CREDFILE_INSPECTION_DAYS days.
    Job("archive.inspect", _("Inspect the archive's integrity"), _inspect),
    Job(
        "retention.due",
        _("List the files and documents past their retention for destruction"),
        _retention_due,
    ),
    Job("audit.digest", _("Write a signed digest of the audit trail"), _audit_digest),
    # After the digest, so the backup holds the day's digest event as well.
    Job("backup.run", _("Back up the database and the documents"), _backup, atomic=False),
)
JOB_NAMES = tuple(job.name for job in JOBS)


@dataclass(frozen=True)
class JobOutcome:
    name: str
    ran: bool
    status: str = ""
    summary: dict[str, Any] | None = None


def run_due(
    *,
    today: datetime.date | None = None,
    force: bool = False,
    only: list[str] | None = None,
) -> list[JobOutcome]:
    """Run each job not yet run today (every job with `force`); a failing job is recorded
    as failed, its changes rolled back, and the jobs after it still run."""
    today = today or timezone.localdate()
    outcomes = []
    for job in JOBS:
        if only and job.name not in only:
            continue
        outcomes.append(_run_one(job, today=today, force=force))
    return outcomes


def _run_one(job: Job, *, today: datetime.date, force: bool) -> JobOutcome:
    JobRun.objects.get_or_create(name=job.name)
    if not job.atomic:
        return _run_outside_transaction(job, today=today, force=force)
    try:
        with transaction.atomic():
            # The row lock makes concurrent callers (several workers) run a job once.
            record = JobRun.objects.select_for_update().get(name=job.name)
            if record.last_run_on == today and record.status == JobStatus.DONE and not force:
                return JobOutcome(job.name, ran=False, status=record.status)
            started = timezone.now()
            summary = job.run(today)
            record.last_run_on = today
            record.started_at = started
            record.finished_at = timezone.now()
            record.status = JobStatus.DONE
            record.summary = summary
            record.runs += 1
            record.save()
    except Exception:
        log.exception("job %s failed", job.name)
        JobRun.objects.filter(name=job.name).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            failures=F("failures") + 1,
            summary={"error": traceback.format_exc(limit=5)[-2000:]},
        )
        return JobOutcome(job.name, ran=True, status=JobStatus.FAILED)
    log.info("job %s done: %s", job.name, summary)
    return JobOutcome(job.name, ran=True, status=JobStatus.DONE, summary=summary)


def _run_outside_transaction(job: Job, *, today: datetime.date, force: bool) -> JobOutcome:
    """Claim the day's run under the row lock, work without a transaction, record the end.
    A run that dies half-way stays "running" for the day; `--force` runs it again."""
    with transaction.atomic():
        record = JobRun.objects.select_for_update().get(name=job.name)
        if (
            record.last_run_on == today
            and record.status in (JobStatus.DONE, JobStatus.RUNNING)
            and not force
        ):
            return JobOutcome(job.name, ran=False, status=record.status)
        record.last_run_on = today
        record.started_at = timezone.now()
        record.status = JobStatus.RUNNING
        record.save(update_fields=["last_run_on", "started_at", "status"])
    try:
        summary = job.run(today)
    except Exception:
        log.exception("job %s failed", job.name)
        JobRun.objects.filter(name=job.name).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            failures=F("failures") + 1,
            summary={"error": traceback.format_exc(limit=5)[-2000:]},
        )
        return JobOutcome(job.name, ran=True, status=JobStatus.FAILED)
    JobRun.objects.filter(name=job.name).update(
        status=JobStatus.DONE, finished_at=timezone.now(), summary=summary, runs=F("runs") + 1
    )
    log.info("job %s done: %s", job.name, summary)
    return JobOutcome(job.name, ran=True, status=JobStatus.DONE, summary=summary)
