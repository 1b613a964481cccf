"""/healthz and /readyz: what a load balancer or an orchestrator asks, and what it is told."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from credfile.core.crypto import create_key_file
from credfile.reviews.choices import JobStatus
from credfile.reviews.models import JobRun

CHECK_NAMES = ["database", "encryption_key", "job_worker", "document_storage", "archive_storage"]


def _ready(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get(reverse("monitoring:readyz"))
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def _failed(body: dict[str, Any]) -> dict[str, str]:
    return {
        name: check.get("reason", "")
        for name, check in body["checks"].items()
        if check["status"] == "failed"
    }


def test_healthz_answers_without_touching_the_database() -> None:
    # No django_db mark: any query, a session read included, would raise here.
    client = Client(HTTP_HOST="10.1.2.3:8000")  # a kubelet asks by the pod's address
    client.cookies["sessionid"] = "a-session-that-would-be-read-from-the-database"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in str(response.cookies.output())


@pytest.mark.django_db
def test_a_healthy_instance_is_ready() -> None:
    JobRun.objects.create(
        name="reviews.compute",
        status=JobStatus.DONE,
        finished_at=timezone.now() - datetime.timedelta(hours=3),
        runs=1,
    )
    status, body = _ready(Client())
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {name: {"status": "ok"} for name in CHECK_NAMES},
    }


@pytest.mark.django_db
def test_readyz_needs_no_sign_in_and_sets_no_cookie() -> None:
    client = Client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert not response.cookies
    # The security headers every page carries.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_readiness_fails_naming_a_missing_encryption_key(settings: Any, tmp_path: Path) -> None:
    settings.CREDFILE_KEY_FILE = tmp_path / "gone" / "master.key"
    status, body = _ready(Client())
    assert status == 503
    assert body["status"] == "failed"
    assert _failed(body) == {"encryption_key": "key file missing"}


@pytest.mark.django_db
def test_readiness_fails_naming_a_damaged_encryption_key(settings: Any, tmp_path: Path) -> None:
    damaged = tmp_path / "master.key"
    damaged.write_text('{"format": "credfile-keyring-1", "active": "x", "keys": {}}')
    settings.CREDFILE_KEY_FILE = damaged
    status, body = _ready(Client())
    assert status == 503
    assert _failed(body) == {"encryption_key": "key file damaged"}
    assert str(tmp_path) not in json.dumps(body)


@pytest.mark.django_db
def test_readiness_fails_naming_a_document_store_it_cannot_write(
    settings: Any, tmp_path: Path
) -> None:
    # A directory that cannot be made: its parent is a file (refused even to root).
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "documents"), "base_url": None},
        },
    }
    status, body = _ready(Client())
    assert status == 503
    assert _failed(body) == {"document_storage": "not writable"}
    assert str(tmp_path) not in json.dumps(body)


@pytest.mark.django_db
def test_the_probe_leaves_nothing_in_the_stores(settings: Any) -> None:
    from credfile.documents.services import archive_storage, document_storage

    assert _ready(Client())[0] == 200
    assert document_storage().listdir("") == ([], [])
    assert archive_storage().listdir("") == ([], [])


@pytest.mark.django_db
def test_readiness_fails_when_no_job_finished_for_too_long(settings: Any) -> None:
    settings.CREDFILE_READY_JOB_STALE_HOURS = 26
    JobRun.objects.create(
        name="reviews.compute",
        status=JobStatus.DONE,
        finished_at=timezone.now() - datetime.timedelta(hours=30),
        runs=4,
    )
    status, body = _ready(Client())
    assert status == 503
    assert _failed(body) == {"job_worker": "newest run 30 h ago"}


@pytest.mark.django_db
def test_a_failed_job_still_shows_the_worker_is_running() -> None:
    JobRun.objects.create(
        name="audit.digest",
        status=JobStatus.FAILED,
        finished_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    assert _ready(Client())[0] == 200


@pytest.mark.django_db
def test_a_new_instance_without_job_runs_is_ready_and_says_so() -> None:
    status, body = _ready(Client())
    assert status == 200
    assert body["checks"]["job_worker"] == {"status": "ok", "reason": "no job has run yet"}


@pytest.mark.django_db
def test_an_instance_set_up_long_ago_whose_jobs_never_ran_is_not_ready() -> None:
    MigrationRecorder.Migration.objects.update(applied=timezone.now() - datetime.timedelta(days=3))
    status, body = _ready(Client())
    assert status == 503
    assert _failed(body) == {"job_worker": "no job has run since set-up 72 h ago"}


_SCRIPT = textwrap.dedent(
    """
    import json, django
    django.setup()
    from django.test import Client
    response = Client().get("/readyz")
    print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
    """
)


def test_readiness_fails_naming_the_database_when_it_is_down(tmp_path: Path) -> None:
    """A real instance whose PostgreSQL does not answer: nothing listens on port 1."""
    key_file = tmp_path / "master.key"
    create_key_file(key_file)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDFILE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="credfile.settings",
        CREDFILE_HOME=str(tmp_path / "home"),
        CREDFILE_KEY_FILE=str(key_file),
        DATABASE_URL="postgres://credfile:secret-password@127.0.0.1:1/credfile",
        CREDFILE_LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    body = answer["body"]
    assert body["status"] == "failed"
    assert body["checks"]["database"] == {"status": "failed", "reason": "unreachable"}
    assert body["checks"]["encryption_key"] == {"status": "ok"}
    assert body["checks"]["document_storage"] == {"status": "ok"}
    # Nothing about where the database is or how it is reached.
    text = json.dumps(body)
    assert "127.0.0.1" not in text and "secret-password" not in text and "port" not in text
