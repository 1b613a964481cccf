"""Prometheus metrics: what the requests did (counted as they happen, in every process) and
what the database holds (read when /metrics is scraped).

Request metrics live in prometheus_client's default registry. With PROMETHEUS_MULTIPROC_DIR
set before start-up, prometheus_client keeps them in files there that every worker process
of the server writes, and a scrape adds all of them up (docs/monitoring.md).

The state gauges are read from the database at scrape time, so they are the same whichever
process answers. Other apps add their own through `register_gauge` (a small registry, as the
customers app takes sections from other apps): the backups app, for example, registers its
last successful backup's time.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.db.models import Count
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "credfile_http_requests",
    "HTTP requests answered, by method, route name and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "credfile_http_request_duration_seconds",
    "Time from the request reaching credfile to its response, by method and route name.",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

# A gauge's value, or one per label values tuple; None leaves the metric out of the scrape
# (nothing to report yet, such as a backup that never ran).
GaugeValue = float | Mapping[tuple[str, ...], float] | None


@dataclass(frozen=True)
class RegisteredGauge:
    name: str
    documentation: str
    callback: Callable[[], GaugeValue]
    labels: tuple[str, ...] = ()


GAUGES: dict[str, RegisteredGauge] = {}
_NAME = re.compile(r"^credfile_[a-z0-9_]+$")


def register_gauge(
    name: str,
    documentation: str,
    callback: Callable[[], GaugeValue],
    *,
    labels: Sequence[str] = (),
) -> None:
    """Add a gauge read at every scrape: `callback()` gives a number, a mapping of label
    values to numbers (with `labels`), or None when there is nothing to report.

    Call it from an app's `AppConfig.ready()`. The callback runs in the scrape's request, so
    it should be one cheap query; an exception in it leaves out that gauge, not the scrape.
    """
    if not _NAME.match(name):
        raise ValueError(f"a credfile metric is named credfile_<snake_case>, got {name!r}")
    if name in GAUGES and GAUGES[name].callback is not callback:
        raise ValueError(f"the gauge {name} is registered already")
    GAUGES[name] = RegisteredGauge(name, documentation, callback, tuple(labels))


def unregister_gauge(name: str) -> None:
    GAUGES.pop(name, None)


def _jobs() -> Iterator[Metric]:
    from credfile.reviews.choices import JobStatus
    from credfile.reviews.jobs import JOB_NAMES
    from credfile.reviews.models import JobRun

    runs = CounterMetricFamily(
        "credfile_job_runs",
        "Runs of each scheduled job since the instance began, by outcome (done, failed).",
        labels=["job", "outcome"],
    )
    status = GaugeMetricFamily(
        "credfile_job_last_run_status",
        "1 for the outcome of each job's latest run (done or failed), 0 for the other.",
        labels=["job", "outcome"],
    )
    success = GaugeMetricFamily(
        "credfile_job_last_success_timestamp_seconds",
        "When each job last succeeded (Unix time): its finish, or, when the latest run "
        "failed, the start of the successful run before it.",
        labels=["job"],
    )
    rows = JobRun.objects.filter(name__in=JOB_NAMES).values_list(
        "name", "status", "runs", "failures", "started_at", "finished_at"
    )
    for name, state, count, failures, started, finished in rows:
        runs.add_metric([name, str(JobStatus.DONE)], count)
        runs.add_metric([name, str(JobStatus.FAILED)], failures)
        if state:
            for outcome in (JobStatus.DONE, JobStatus.FAILED):
                status.add_metric([name, str(outcome)], 1.0 if state == outcome else 0.0)
        # A failure overwrites finished_at only; started_at is still the last success's.
        last = finished if state == JobStatus.DONE else (started if count else None)
        if last is not None:
            success.add_metric([name], last.timestamp())
    yield from (runs, status, success)


def _audit() -> Iterator[Metric]:
    from credfile.audit.digests import chain_status
    from credfile.inspections.models import Inspection

    state = chain_status()
    yield GaugeMetricFamily(
        "credfile_audit_chain_length",
        "Events in the audit trail's hash chain (the head's sequence number).",
        value=state.head_seq,
    )
    if state.digest_written is not None:
        # A digest is written only after the trail was checked against every earlier one.
        yield GaugeMetricFamily(
            "credfile_audit_last_digest_timestamp_seconds",
            "When the newest signed audit digest was written (Unix time).",
            value=state.digest_written.timestamp(),
        )
    yield GaugeMetricFamily(
        "credfile_audit_digest_holds",
        "1 when the trail still reaches the newest signed digest with its hash, else 0.",
        value=1.0 if state.digest_holds else 0.0,
    )
    yield GaugeMetricFamily(
        "credfile_audit_digest_problems",
        "Digest files found that are forged or damaged.",
        value=state.problems,
    )
    # The full verification (every link, every digest) is the integrity inspection's; the
    # newest finished one says how it stood, the newest passing one when it last held.
    finished = Inspection.objects.filter(finished_at__isnull=False, chain_ok__isnull=False)
    newest = finished.order_by("-finished_at", "-pk").values_list("chain_ok", flat=True).first()
    if newest is not None:
        yield GaugeMetricFamily(
            "credfile_audit_last_verification_ok",
            "1 when the newest integrity inspection found the audit chain and its digests "
            "intact, else 0.",
            value=1.0 if newest else 0.0,
        )
    verified = (
        finished.filter(chain_ok=True)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if verified is not None:
        yield GaugeMetricFamily(
            "credfile_audit_last_verified_timestamp_seconds",
            "When an integrity inspection last verified the whole audit chain against every "
            "digest (Unix time).",
            value=verified.timestamp(),
        )


def _documents() -> Iterator[Metric]:
    from credfile.documents.choices import DocumentStatus
    from credfile.documents.models import Document

    counts = {
        row["status"]: row["n"]
        for row in Document.objects.order_by().values("status").annotate(n=Count("pk"))
    }
    family = GaugeMetricFamily(
        "credfile_documents", "Documents kept, by status.", labels=["status"]
    )
    for status in DocumentStatus.values:
        family.add_metric([status], counts.get(status, 0))
    yield family


def _registered() -> Iterator[Metric]:
    for gauge in list(GAUGES.values()):
        try:
            value = gauge.callback()
        except Exception:
            log.warning("metric %s could not be read", gauge.name, exc_info=True)
            continue
        if value is None:
            continue
        family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=list(gauge.labels))
        if isinstance(value, Mapping):
            for label_values, number in value.items():
                family.add_metric(list(label_values), number)
        else:
            family.add_metric([], value)
        yield family


_SOURCES: tuple[tuple[str, Callable[[], Iterator[Metric]]], ...] = (
    ("jobs", _jobs),
    ("audit", _audit),
    ("documents", _documents),
)


class StateCollector(Collector):
    """The gauges read from the database and the registered callbacks, at each scrape."""

    def collect(self) -> Iterator[Metric]:
        errors = GaugeMetricFamily(
            "credfile_metrics_source_up",
            "1 when a group of state metrics could be read at this scrape, 0 when it failed.",
            labels=["source"],
        )
        for name, source in _SOURCES:
            try:
                # Read whole before yielding: a failure half-way leaves out the group.
                families = list(source())
            except (DatabaseError, ImproperlyConfigured, OSError, ValueError, KeyError) as exc:
                log.warning("metrics source %s failed: %s", name, type(exc).__name__)
                errors.add_metric([name], 0.0)
                continue
            errors.add_metric([name], 1.0)
            yield from families
        yield errors
        yield from _registered()


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def exposition() -> tuple[bytes, str]:
    """The text of a scrape and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        # Every worker process's request metrics, from the files they write.
        multiprocess.MultiProcessCollector(registry)
        registry.register(StateCollector())
        return generate_latest(registry), CONTENT_TYPE_LATEST
    registry.register(StateCollector())
    return generate_latest(REGISTRY) + generate_latest(registry), CONTENT_TYPE_LATEST


def multiprocess_reset() -> list[str]:
    """Empty PROMETHEUS_MULTIPROC_DIR of an earlier run's files before the server starts
    (prometheus_client would add their counts to this run's); the names removed."""
    directory = multiprocess_dir()
    if not directory:
        return []
    removed = []
    for path in sorted(Path(directory).glob("*.db")):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def child_exit(server: object, worker: object) -> None:
    """gunicorn's `child_exit` hook in multi-process mode: drops a dead worker's live gauges
    (prometheus_client keeps its counters, so totals do not go back)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
