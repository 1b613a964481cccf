"""`credfile serve` as operators run it: a real gunicorn process, over HTTP."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.instance import PASSWORD, Browser, Instance, api, free_port, instance


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, int]]:
    with instance(tmp_path_factory.mktemp("serve"), "serve") as inst:
        inst.credfile("collectstatic", "--no-input", "-v0")
        port = free_port()
        inst.serve(port, "--workers", "2", "--threads", "2", "--access-log")
        yield inst, port


def test_it_signs_in_over_http_and_shows_the_customer_list(served: tuple[Instance, int]) -> None:
    _inst, port = served
    browser = Browser(port)
    status, page = browser.log_in("li.na", PASSWORD)
    assert status == 200
    # The sign-in lands on the home page, which links to the customer list.
    assert "<title>Home · credfile</title>" in page and 'href="/customers/"' in page
    status, headers, page = browser.get("/customers/")
    assert status == 200
    assert "北京星辰科技有限公司" in page
    assert (
        headers["Cache-Control"].startswith("max-age=0") or "no-store" in headers["Cache-Control"]
    )
    assert "no-store" in headers["Cache-Control"]


def test_a_wrong_password_is_refused(served: tuple[Instance, int]) -> None:
    _inst, port = served
    status, page = Browser(port).log_in("li.na", "not-the-password")
    assert status == 200
    assert "Please enter a correct username and password" in page


def test_the_api_answers_with_a_token(served: tuple[Instance, int]) -> None:
    _inst, port = served
    status, body = api(
        port, "POST", "/api/v1/auth/token/", {"username": "li.na", "password": PASSWORD}
    )
    assert status == 200, body
    token = body["token"]
    status, listing = api(port, "GET", "/api/v1/customers/", token=token)
    assert status == 200
    [row] = listing["results"]
    status, detail = api(port, "GET", f"/api/v1/customers/{row['id']}/", token=token)
    assert status == 200
    assert detail["name"] == "北京星辰科技有限公司"
    assert api(port, "GET", "/api/v1/customers/")[0] == 401


def test_pages_keep_their_security_headers(served: tuple[Instance, int]) -> None:
    _inst, port = served
    status, headers, _page = Browser(port).get("/accounts/login/")
    assert status == 200
    assert headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_static_files_are_hashed_compressed_and_cached_for_good(
    served: tuple[Instance, int],
) -> None:
    _inst, port = served
    browser = Browser(port)
    _status, _headers, page = browser.get("/accounts/login/")
    match = re.search(r'href="(/static/credfile/app\.[0-9a-f]{12}\.css)"', page)
    assert match, "the page names the collected, hashed stylesheet"
    status, headers, css = browser.get(match.group(1))
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]
    assert "Content-Security-Policy" in headers
    assert ".btn" in css or "{" in css
    status, headers, _css = browser.get(match.group(1), **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"


def test_the_access_log_masks_identity_numbers(served: tuple[Instance, int]) -> None:
    inst, port = served
    Browser(port).get("/customers/?q=110101199003074477")
    # The access line is written once the answer has gone out.
    deadline = time.monotonic() + 10
    while "GET /customers/?q=" not in inst.log(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    log = inst.log(port)
    assert '"GET /customers/?q=<masked> HTTP/1.1" 302' in log
    assert "110101199003074477" not in log


def test_it_stops_gracefully_on_sigterm(served: tuple[Instance, int]) -> None:
    inst, _port = served
    port = free_port()
    # Settings from the environment, as the systemd unit's EnvironmentFile gives them.
    process = inst.serve(
        port,
        CREDFILE_SERVE_WORKERS="1",
        CREDFILE_SERVE_THREADS="3",
        CREDFILE_SERVE_GRACEFUL_TIMEOUT="10",
    )
    assert Browser(port).get("/accounts/login/")[0] == 200
    seconds = inst.stop(process)
    assert process.returncode == 0
    assert seconds < 10
    log = inst.log(port)
    assert "(workers: 1, threads per worker: 3)" in log
    assert "Using worker: gthread" in log
    assert log.count("Booting worker") == 1
    assert "Shutting down: Master" in log


def test_it_refuses_to_start_on_a_database_not_migrated(
    served: tuple[Instance, int], tmp_path: Path
) -> None:
    inst, _port = served
    env = {**inst.env, "CREDFILE_HOME": str(tmp_path / "empty"), "CREDFILE_LANGUAGE": "zh-hans"}
    env.pop("DATABASE_URL", None)  # a new, empty SQLite database
    subprocess.run(
        [sys.executable, "-m", "credfile", "keys", "init"], env=env, check=True, capture_output=True
    )
    result = subprocess.run(
        [sys.executable, "-m", "credfile", "serve", "--bind", f"127.0.0.1:{free_port()}"],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "credfile migrate" in result.stderr.decode()
    assert "数据库" in result.stderr.decode()
