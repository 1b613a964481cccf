"""An import started on the page runs in its own thread and reports its progress."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from credfile.customers.models import Customer
from credfile.imports.models import ImportRun, RunStatus
from tests.conftest import Personas
from tests.imports.helpers import csv_bytes, customer_rows


def _wait(run: ImportRun) -> ImportRun:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.finished:
            return run
        time.sleep(0.1)
    raise AssertionError(f"the run did not finish: {run.status} {run.done}/{run.rows}")


@pytest.mark.django_db(transaction=True)
def test_the_check_and_the_import_run_in_a_thread(personas: Personas, client_for: Any) -> None:
    client = client_for(personas.account_manager)
    upload = SimpleUploadedFile("customers.csv", csv_bytes(customer_rows(990)))
    response = client.post(reverse("imports:page"), {"kind": "customers", "file": upload})
    check = ImportRun.objects.get()
    assert response.url == reverse("imports:run", args=[check.pk])
    _wait(check)
    assert (check.status, check.rows, check.done, check.result["error_count"]) == (
        RunStatus.DONE,
        990,
        990,
        0,
    )
    assert Customer.objects.count() == 0
    client.post(reverse("imports:run", args=[check.pk]))
    run = _wait(ImportRun.objects.get(dry_run=False))
    assert (run.status, run.result["created"]) == (RunStatus.DONE, 990)
    assert Customer.objects.count() == 990
    html = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "Imported: 990 new records, 0 rows imported before." in html


@pytest.mark.django_db
def test_a_running_check_shows_its_progress_and_polls(personas: Personas, client_for: Any) -> None:
    run = ImportRun.objects.create(
        user=personas.account_manager,
        kind="invoices",
        file_token="0" * 32,
        status=RunStatus.CHECKING,
        rows=50_000,
        done=12_000,
    )
    url = reverse("imports:run", args=[run.pk])
    html = client_for(personas.account_manager, "zh-hans").get(url).content.decode()
    assert "正在检查行 — 第 12000 行，共 50000 行" in html
    assert (
        '<progress class="import-progress w-100" max="100" value="24"' in html
        and f'hx-get="{url}"' in html
    )
    # A run that stopped reporting (its server restarted) says so and polls no more.
    ImportRun.objects.filter(pk=run.pk).update(
        updated_at=timezone.now() - timezone.timedelta(minutes=30)
    )
    html = client_for(personas.account_manager).get(url).content.decode()
    assert "This run stopped without finishing" in html and f'hx-get="{url}"' not in html
