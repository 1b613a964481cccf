"""/metrics of `credfile serve` with several gunicorn workers (prometheus_client's
multi-process mode, PROMETHEUS_MULTIPROC_DIR): a scrape answered by any worker adds up the
requests every worker answered, and a worker that is killed keeps its counts."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.mmap_dict import MmapedDict

from tests.monitoring.test_metrics import sample
from tests.ops.instance import Instance, free_port, instance

WORKERS = 3
HEALTHZ = {"method": "GET", "route": "monitoring:healthz", "status": "200"}


@dataclass
class Served:
    inst: Instance
    port: int
    master: int
    metrics_dir: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    base = tmp_path_factory.mktemp("serve-metrics")
    metrics_dir = base / "metrics"
    metrics_dir.mkdir()
    # A stale file from an earlier run of the server (a directory not emptied by systemd):
    # its counts are not this server's, and must not be added to them.
    stale = {"credfile_http_requests": 1000.0}
    _write_counter(metrics_dir / "counter_999999.db", stale)
    with instance(base, "serve_metrics") as inst:
        port = free_port()
        process = inst.serve(
            port, "--workers", str(WORKERS), PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
        )
        yield Served(inst, port, process.pid, metrics_dir)


def _write_counter(path: Path, values: dict[str, float]) -> None:
    mmap = MmapedDict(str(path))
    for metric, value in values.items():
        key = json.dumps(
            [metric, metric + "_total", HEALTHZ, "HTTP requests answered."], sort_keys=True
        )
        mmap.write_value(key, value, time.time())
    mmap.close()


def _workers(master: int) -> set[int]:
    """The gunicorn master's children, from /proc."""
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may hold spaces, so split after its parenthesis.
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            children.add(int(entry.name))
    return children


def _healthz_counts(metrics_dir: Path) -> dict[int, float]:
    """Each process's count of /healthz answers, from the files prometheus_client writes."""
    counts: dict[int, float] = {}
    for path in metrics_dir.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        for key, value, _ts, _pos in MmapedDict.read_all_values_from_file(str(path)):
            _metric, name, labels, _help = json.loads(key)
            if name == "credfile_http_requests_total" and labels == HEALTHZ:
                counts[pid] = counts.get(pid, 0.0) + value
    return counts


def _get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
        body: bytes = answer.read()
        return body.decode()


def _scraped(port: int) -> float:
    return sample(_get(port, "/metrics"), "credfile_http_requests_total", **HEALTHZ) or 0.0


def test_a_scrape_adds_up_the_workers_and_keeps_a_killed_workers_counts(served: Served) -> None:
    workers = _workers(served.master)
    assert len(workers) == WORKERS

    # The stale file was removed at the start: nothing counted yet.
    assert not (served.metrics_dir / "counter_999999.db").exists()
    before = _scraped(served.port)
    assert before == 0
    # Many at once, so that the workers share them out (each takes one at a time).
    count = 90
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(lambda _n: _get(served.port, "/healthz"), range(count)))

    per_worker = {pid: n for pid, n in _healthz_counts(served.metrics_dir).items() if n}
    assert set(per_worker) <= workers, per_worker
    assert len(per_worker) >= 2, per_worker  # several workers answered
    # Whichever worker answers the scrape, it counts what all of them answered.
    for _ in range(WORKERS * 2):
        assert _scraped(served.port) == before + count

    # A worker dies (the OOM killer, a crash); gunicorn starts another in its place.
    victim = max(per_worker, key=lambda pid: per_worker[pid])
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = _workers(served.master)
        if victim not in now and len(now) == WORKERS:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("gunicorn did not replace the killed worker")

    for _ in range(WORKERS * 2):
        assert _scraped(served.port) == before + count
    _get(served.port, "/healthz")
    assert _scraped(served.port) == before + count + 1
