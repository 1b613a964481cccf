"""`credfile jobs run-due | worker | status`: the scheduled jobs without any extra server."""

from __future__ import annotations

import datetime
import signal
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext as _

from credfile.core.commands import LocalizedCommand
from credfile.reviews.jobs import JOB_NAMES, JobOutcome, run_due
from credfile.reviews.models import JobRun


class Command(LocalizedCommand):
    help = "Run the scheduled jobs that are due (reviews, reminders, escalations)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run-due", help="Run every job not yet run today, then exit.")
        run.add_argument("--force", action="store_true", help="Run even if already run today.")
        run.add_argument("--job", action="append", choices=JOB_NAMES, help="Only this job.")
        run.add_argument("--date", help="Run as of this date (YYYY-MM-DD), default today.")
        worker = sub.add_parser("worker", help="Keep running due jobs, checking every minute.")
        worker.add_argument("--interval", type=int, default=60, help="Seconds between checks.")
        sub.add_parser("status", help="Show the last run of each job.")

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
                summary = ", ".join(f"{k}={v}" for k, v in (outcome.summary or {}).items())
                self.stdout.write(
                    _("%(job)s: done (%(summary)s)") % {"job": outcome.name, "summary": summary}
                )
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
                        self.stdout.write(f"{outcome.name}: {outcome.status} {outcome.summary}")
                        self.stdout.flush()
            except Exception as exc:
                self.stderr.write(f"job check failed: {exc}")
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
                    f"{name}: {record.status or '-'} {record.last_run_on or '-'} "
                    f"({record.finished_at or '-'}) {record.summary}"
                )


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("--date must be a date as YYYY-MM-DD.")) from exc
