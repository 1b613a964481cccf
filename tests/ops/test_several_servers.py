"""Two `credfile serve` machines on one PostgreSQL database act as one credfile.

Each server has its own instance directory (as each machine would), the same secret key and
master key, and the same database: a lockout, a session and the daily jobs are the
database's, so they hold across servers. CI runs this in its PostgreSQL pass (.ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.instance import PASSWORD, Browser, Instance, free_port, instance, on_postgres

pytestmark = pytest.mark.skipif(
    not on_postgres(),
    reason="several servers share one PostgreSQL database: run with DATABASE_URL=postgres://… "
    "(make test-postgres; CI's PostgreSQL pass runs it)",
)

LIMIT = 5  # CREDFILE_LOGIN_FAILURE_LIMIT's default
REDIS = ("127.0.0.1", 6379)


@dataclass
class Pair:
    a: Instance
    b: Instance
    port_a: int
    port_b: int


def _machine_b(a: Instance, home: Path) -> Instance:
    """The second machine: its own instance directory, with a copy of the master key."""
    home.mkdir()
    shutil.copy(a.home / "master.key", home / "master.key")
    return Instance(home=home, env={**a.env, "CREDFILE_HOME": str(home)}, database=a.database)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    base = tmp_path_factory.mktemp("several")
    with instance(base, "several") as a:
        b = _machine_b(a, base / "home-b")
        port_a, port_b = free_port(), free_port()
        a.serve(port_a, "--workers", "2")
        b.serve(port_b, "--workers", "2")
        try:
            yield Pair(a, b, port_a, port_b)
        finally:
            for process in b.servers:
                if process.poll() is None:
                    b.stop(process)


def test_a_lockout_made_on_one_server_holds_on_the_other(pair: Pair) -> None:
    on_a = Browser(pair.port_a)
    statuses = [on_a.log_in("li.na", "wrong-password")[0] for _ in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]

    status, page = Browser(pair.port_b).log_in("li.na", PASSWORD)
    assert status == 429
    assert "Too many failed log-in attempts" in page
    pair.a.credfile("axes_reset_username", "li.na")
    on_b = Browser(pair.port_b)
    status, page = on_b.log_in("li.na", PASSWORD)
    # Signed in: the home page, from which the customer list opens.
    assert status == 200 and "<title>Home · credfile</title>" in page
    status, _headers, page = on_b.get("/customers/")
    assert status == 200 and "北京星辰科技有限公司" in page


def test_a_session_made_on_one_server_works_on_the_other(pair: Pair) -> None:
    on_a = Browser(pair.port_a)
    assert on_a.log_in("li.na", PASSWORD)[0] == 200
    status, _headers, page = on_a.at(pair.port_b).get("/customers/")
    assert status == 200
    assert "北京星辰科技有限公司" in page
    # Signing out on B ends the session on A too.
    _status, _headers, page = on_a.at(pair.port_b).get("/customers/")
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    on_a.at(pair.port_b).request("POST", "/accounts/logout/", {"csrfmiddlewaretoken": token})
    _status, _headers, page = on_a.get("/customers/")
    assert "id_username" in page  # the login page


def test_the_daily_jobs_started_on_both_at_once_run_once(pair: Pair) -> None:
    command = [sys.executable, "-m", "credfile", "jobs", "run-due"]
    both = [
        subprocess.Popen(command, env=machine.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for machine in (pair.a, pair.b)
    ]
    outputs = [process.communicate(timeout=300) for process in both]
    assert [process.returncode for process in both] == [0, 0], outputs
    lines = [line for out, _err in outputs for line in out.decode().splitlines()]
    runs = json.loads(
        pair.b.credfile(
            "shell",
            "--no-imports",
            "-c",
            "import json; from credfile.reviews.models import JobRun; "
            "print(json.dumps(dict(JobRun.objects.values_list('name', 'runs'))))",
        )
    )
    assert runs and set(runs.values()) == {1}, (runs, lines)
    # Each job is reported done by one machine and found done by the other.
    for name in runs:
        assert sum(line.startswith(f"{name}: done") for line in lines) == 1, lines
        assert sum(line == f"{name}: already run today" for line in lines) == 1, lines


@pytest.fixture
def redis_cache() -> str:
    try:
        with socket.create_connection(REDIS, timeout=1):
            pass
    except OSError:
        message = "Redis does not answer on 127.0.0.1:6379 (apt-get install redis-server)"
        if os.environ.get("CREDFILE_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return "redis://127.0.0.1:6379/3"


def test_the_servers_share_the_redis_cache(pair: Pair, redis_cache: str) -> None:
    key = f"credfile-test-{os.getpid()}"
    pair.a.credfile(
        "shell",
        "--no-imports",
        "-c",
        f"from django.core.cache import cache; cache.set({key!r}, 'from A', 60)",
        CREDFILE_CACHE_URL=redis_cache,
    )
    seen = pair.b.credfile(
        "shell",
        "--no-imports",
        "-c",
        f"from django.core.cache import cache; print(cache.get({key!r})); cache.delete({key!r})",
        CREDFILE_CACHE_URL=redis_cache,
    )
    assert seen.strip() == "from A"
