"""Celery on several machines: two worker processes (as on two job machines) and one
PostgreSQL database, over Redis and over RabbitMQ.

Each worker has its own instance directory (as each machine would) with a copy of the
master key, and the same database; `run_due_jobs` is sent twice at once, as two beats (or a
beat and an operator's `celery call`) would. Each daily job runs exactly once, as the JobRun
rows say; a job that fails is recorded as failed, and the next task runs it and only it.
CI runs this in its PostgreSQL pass with Redis and RabbitMQ required (.ci/run).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.instance import Instance, instance, on_postgres

pytestmark = pytest.mark.skipif(
    not on_postgres(),
    reason="the workers share one PostgreSQL database: run with DATABASE_URL=postgres://… "
    "(make test-postgres; CI's PostgreSQL pass runs it)",
)

CELERY = [sys.executable, "-m", "celery", "-A", "credfile.celery"]
BROKERS = {
    # A database number of these tests' own; each test also has a queue of its own.
    "redis": ("127.0.0.1", 6379, "redis://127.0.0.1:6379/14", "CREDFILE_REQUIRE_REDIS"),
    "rabbitmq": (
        "127.0.0.1",
        5672,
        "amqp://guest:guest@127.0.0.1:5672//",
        "CREDFILE_REQUIRE_RABBITMQ",
    ),
}
RECEIVED = re.compile(r"Task credfile\.reviews\.run_due_jobs\[[^\]]+\] received")
READY_TIMEOUT = 60.0
RUN_TIMEOUT = 180.0


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=sorted(BROKERS))
def broker(request: pytest.FixtureRequest) -> str:
    host, port, url, required = BROKERS[request.param]
    if not _answers(host, port):
        message = (
            f"{request.param} does not answer on {host}:{port} (apt-get install "
            f"{'redis-server' if request.param == 'redis' else 'rabbitmq-server'})"
        )
        # CI starts both (.ci/run); there the test must not be skipped.
        if os.environ.get(required) == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


class Workers:
    """Two `celery worker` processes of one credfile, each on its own machine's directory."""

    def __init__(self, inst: Instance, base: Path, broker: str, queue: str) -> None:
        self.inst = inst
        self.base = base
        self.queue = queue
        self.env = {
            **inst.env,
            "CREDFILE_BROKER_URL": broker,
            "CREDFILE_TASK_QUEUE": queue,
            # Both machines back up to one place; a regular file in its way fails the job.
            "CREDFILE_BACKUP_DIR": str(base / "backups" / "daily"),
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def machine(self, name: str) -> dict[str, str]:
        home = self.base / f"home-{name}"
        home.mkdir()
        shutil.copy(self.inst.home / "master.key", home / "master.key")
        return {**self.env, "CREDFILE_HOME": str(home)}

    def start(self, name: str) -> None:
        log = self.base / f"worker-{name}.log"
        self.logs.append(log)
        command = [
            *CELERY,
            "worker",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}-{self.queue}@%h",
            "--queues",
            self.queue,
            "--concurrency",
            "1",
            "--prefetch-multiplier",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        with log.open("wb") as out:
            self.processes.append(
                subprocess.Popen(
                    command, env=self.machine(name), stdout=out, stderr=subprocess.STDOUT
                )
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            for process, log in zip(self.processes, self.logs, strict=True):
                assert process.poll() is None, log.read_text(errors="replace")
            if all(" ready." in log.read_text(errors="replace") for log in self.logs):
                return
            time.sleep(0.3)
        raise AssertionError("the workers were not ready in time:\n" + self.log_text())

    def log_text(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')}" for log in self.logs)

    def send(self, times: int) -> None:
        """The task sent `times` times at once, as several beats (or a beat and an operator's
        `celery call`) would send it."""
        from celery import Celery

        sender = Celery("credfile-test-sender", broker=self.env["CREDFILE_BROKER_URL"])
        try:
            with sender.connection_for_write() as conn, conn.Producer() as producer:
                for _ in range(times):
                    sender.send_task(
                        "credfile.reviews.run_due_jobs", queue=self.queue, producer=producer
                    )
        finally:
            sender.close()

    def succeeded(self) -> int:
        return len(re.findall(r"run_due_jobs\[[^\]]+\] succeeded", self.log_text()))

    def wait_succeeded(self, count: int) -> None:
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            if self.succeeded() >= count:
                return
            time.sleep(0.3)
        raise AssertionError(f"{count} tasks did not finish in time:\n" + self.log_text())

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def job_runs(self) -> dict[str, dict[str, object]]:
        text = self.inst.credfile(
            "shell",
            "--no-imports",
            "-c",
            "import json; from credfile.reviews.models import JobRun; "
            "print(json.dumps({r['name']: r for r in JobRun.objects.values("
            "'name', 'status', 'runs', 'failures', 'summary')}, default=str))",
        )
        runs: dict[str, dict[str, object]] = json.loads(text)
        return runs


def _purge(broker: str, queue: str) -> None:
    """Remove the test's queue from the broker (RabbitMQ keeps a durable queue)."""
    from kombu import Connection

    # Gone already, or never made: nothing to remove.
    with Connection(broker, connect_timeout=5) as conn, contextlib.suppress(Exception):
        conn.channel().queue_delete(queue)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """The one database both brokers' tests use, migrated once."""
    with instance(tmp_path_factory.mktemp("celery"), "celery") as inst:
        yield inst


@pytest.fixture
def workers(shared: Instance, tmp_path: Path, broker: str) -> Iterator[Workers]:
    scheme = broker.split(":", 1)[0]
    queue = f"credfile-test-{scheme}-{uuid.uuid4().hex[:12]}"
    # A new day for the jobs: the other broker's test ran them on this database already.
    shared.credfile(
        "shell",
        "--no-imports",
        "-c",
        "from credfile.reviews.models import JobRun; JobRun.objects.all().delete()",
    )
    pool = Workers(shared, tmp_path, broker, queue)
    try:
        yield pool
    finally:
        pool.stop()
        _purge(broker, queue)


def _job_names(inst: Instance) -> list[str]:
    text = inst.credfile(
        "shell",
        "--no-imports",
        "-c",
        "import json; from credfile.reviews.jobs import JOB_NAMES; print(json.dumps(JOB_NAMES))",
    )
    names: list[str] = json.loads(text)
    return names


def test_two_workers_given_the_task_twice_at_once_run_each_job_once(workers: Workers) -> None:
    # The backup directory's parent is a regular file: the backup job fails on both.
    (workers.base / "backups").write_text("not a directory")
    workers.start("a")
    workers.start("b")
    workers.wait_ready()

    workers.send(2)
    workers.wait_succeeded(2)

    log = workers.log_text()
    # Each machine took one of the two tasks.
    for path in workers.logs:
        assert RECEIVED.search(path.read_text(errors="replace")), log
    names = _job_names(workers.inst)
    runs = workers.job_runs()
    assert set(runs) == set(names)
    done = {name for name, run in runs.items() if run["status"] == "done"}
    assert done == set(names) - {"backup.run"}, runs
    # Every job that succeeded ran exactly once, though both workers were asked to run it.
    assert {name: runs[name]["runs"] for name in done} == dict.fromkeys(done, 1), runs
    backup = runs["backup.run"]
    assert backup["status"] == "failed" and backup["runs"] == 0, backup
    # Recorded on each run that reached it (one worker, or both one after the other).
    assert backup["failures"] in (1, 2), backup
    assert "Error" in str(backup["summary"]), backup  # the exception, for the operator

    # Fixed, the next task runs the failed job, and only it.
    (workers.base / "backups").unlink()
    workers.send(1)
    workers.wait_succeeded(3)
    again = workers.job_runs()
    assert again["backup.run"]["status"] == "done" and again["backup.run"]["runs"] == 1, again
    assert {name: again[name]["runs"] for name in done} == dict.fromkeys(done, 1), again
    assert list((workers.base / "backups" / "daily").glob("credfile-*.cfbak")), again
