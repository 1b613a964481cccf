"""`credfile jobs run-due | worker | status`: the scheduled jobs without any extra server."""

from __future__ import annotations

import datetime
import signal
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credfile.core.commands import LocalizedCommand
from credfile.reviews.jobs import JOB_NAMES, JobOutcome, run_due
from credfile.reviews.models import JobRun


class Command(LocalizedCommand):
    help = gettext_noop("Run the scheduled jobs that are due (reviews, reminders, escalations).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run-due", help=_("Run every job not yet run today, then exit."))
        run.add_argument("--force", action="store_true", help=_("Run even if already run today."))
        run.add_argument("--job", action="append", choices=JOB_NAMES, help=_("Only this job."))
        run.add_argument("--date", help=_("Run as of this date (YYYY-MM-DD), default today."))
        worker = sub.add_parser("worker", help=_("Keep running due jobs, checking every minute."))
        worker.add_argument("--interval", type=int, default=60, help=_("Seconds between checks."))
        sub.add_parser("status", help=_("Show the last run of each job."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "run-due":
            day = _date(options.get("date"))
            self._report(run_due(today=day, force=options["force"], only=options.get("job")))
        elif action == "worker":
            self._worker(max(int(options["interval"]), 1))
        else:
            self._status()

    def _report(self, outcomes: list[JobOutcome]) -> None:
        failed = False
        for outcome in outcomes:
            if not outcome.ran:
                self.stdout.write(_("%(job)s: already run today") % {"job": outcome.name})
            elif outcome.status == "done":
                self.stdout.write(_outcome_line(outcome))
            else:
                failed = True
                self.stderr.write(
                    _("%(job)s: failed; see the log and `credfile jobs status`")
                    % {"job": outcome.name}
                )
        if failed:
            raise CommandError(_("A job failed."))

    def _worker(self, interval: int) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(
            _("Job worker started; checking for due jobs every %(seconds)d s.")
            % {"seconds": interval}
        )
        self.stdout.flush()
        while not stopping:
            close_old_connections()
            try:
                for outcome in run_due():
                    if outcome.ran:
                        self.stdout.write(_outcome_line(outcome))
                        self.stdout.flush()
            except Exception as exc:
                self.stderr.write(_("Checking for due jobs failed: %(error)s") % {"error": exc})
            for _tick in range(interval):
                if stopping:
                    break
                time.sleep(1)
        self.stdout.write(_("Job worker stopped."))

    def _status(self) -> None:
        runs = {r.name: r for r in JobRun.objects.all()}
        for name in JOB_NAMES:
            record = runs.get(name)
            if record is None:
                self.stdout.write(_("%(job)s: never run") % {"job": name})
            else:
                self.stdout.write(
                    _("%(job)s: %(status)s %(day)s (%(finished)s) %(summary)s")
                    % {
                        "job": name,
                        "status": _status_label(record.status),
                        "day": record.last_run_on or "-",
                        "finished": record.finished_at or "-",
                        "summary": _summary(record.summary),
                    }
                )


def _status_label(status: str) -> str:
    labels = {"done": _("done"), "failed": _("failed"), "running": _("running")}
    return labels.get(status, status or "-")


def _summary(summary: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (summary or {}).items())


def _outcome_line(outcome: JobOutcome) -> str:
    if outcome.status == "done":
        return _("%(job)s: done (%(summary)s)") % {
            "job": outcome.name,
            "summary": _summary(outcome.summary),
        }
    return _("%(job)s: failed; see the log and `credfile jobs status`") % {"job": outcome.name}


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("--date must be a date as YYYY-MM-DD.")) from exc
