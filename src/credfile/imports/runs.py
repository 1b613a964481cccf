"""Imports started from the page run in the background and report their progress.

The page stores the uploaded file sealed on disk, records an `ImportRun` and starts a thread
that checks (or imports) the file, writing the rows done into the run after each batch; the
page polls the run. The thread has its own database connection, so the run's progress is
committed as it goes while the import itself is still one transaction. A run whose thread
died with its process (a restarted server) stops reporting: after `STALE_AFTER` without
news it is shown as failed, and the file can be uploaded again.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone, translation

from credfile.accounts.models import User
from credfile.imports.models import ImportRun, RunStatus
from credfile.imports.pending import pending_read, pending_store, pending_take
from credfile.imports.results import ImportResult, RowError
from credfile.imports.services import import_file

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(minutes=10)
# A page lists this many problems; the count says how many there were in all.
MAX_ERRORS_KEPT = 1000


def start_run(
    *, actor: User, kind: str, department_code: str, data: bytes | None, check: ImportRun | None
) -> ImportRun:
    """Start checking an uploaded file (`data`), or importing the file a finished clean
    `check` looked at."""
    if check is not None:
        token = check.file_token
        kind, department_code = check.kind, check.department_code
    else:
        assert data is not None
        token = pending_store(user_id=actor.pk, data=data)
    run = ImportRun.objects.create(
        user=actor,
        kind=kind,
        department_code=department_code,
        dry_run=check is None,
        file_token=token,
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    if settings.CREDFILE_IMPORTS_IN_BACKGROUND:
        # Once the run is committed: the thread's own connection must find it.
        transaction.on_commit(lambda: _launch(run.pk, language))
    else:
        execute_run(run.pk, language)
        run.refresh_from_db()
    return run


def _launch(run_id: Any, language: str) -> None:
    threading.Thread(
        target=_run_in_thread, args=(run_id, language), name=f"import-{run_id}", daemon=True
    ).start()


def _run_in_thread(run_id: Any, language: str) -> None:
    close_old_connections()
    try:
        execute_run(run_id, language)
    finally:
        connection.close()


def execute_run(run_id: Any, language: str) -> None:
    run = ImportRun.objects.select_related("user").get(pk=run_id)
    runs = ImportRun.objects.filter(pk=run.pk)
    with translation.override(language):
        try:
            data = (pending_read if run.dry_run else pending_take)(
                user_id=run.user_id, token=run.file_token
            )
            if data is None:
                _update(runs, tries=100, status=RunStatus.FAILED, result={"expired": True})
                return
            _update(runs, tries=100, status=RunStatus.CHECKING)

            def report(**fields: Any) -> None:
                _update(runs, tries=3, updated_at=timezone.now(), **fields)

            result = import_file(
                actor=run.user,
                kind=run.kind,
                data=data,
                department_code=run.department_code or None,
                dry_run=run.dry_run,
                on_total=lambda rows: report(rows=rows),
                progress=lambda done: report(done=done),
                on_write=lambda: report(status=RunStatus.WRITING),
            )
        except Exception:
            logger.exception("import run %s failed", run.pk)
            _update(runs, tries=100, status=RunStatus.FAILED, result={"crashed": True})
            return
    _update(
        runs,
        tries=100,
        status=RunStatus.DONE,
        rows=result.rows,
        done=result.rows,
        sha256=result.sha256,
        result=_stored(result),
        updated_at=timezone.now(),
    )


def _update(runs: Any, *, tries: int, **fields: Any) -> None:
    """Write the run's state, waiting out a moment's lock (SQLite locks a table another
    connection is reading); progress is news, so a report that keeps failing is dropped."""
    for attempt in range(tries):
        try:
            runs.update(**fields)
            return
        except OperationalError:
            if attempt == tries - 1:
                logger.warning("import run: could not record %s", sorted(fields))
                return
            time.sleep(0.1)


def _stored(result: ImportResult) -> dict[str, Any]:
    return {
        "created": result.created,
        "unchanged": result.unchanged,
        "headers": result.headers,
        "preview": result.preview,
        "error_count": len(result.errors),
        "errors": [asdict(e) for e in result.errors[:MAX_ERRORS_KEPT]],
    }


def run_result(run: ImportRun) -> ImportResult:
    """The finished run's result as the import returned it (problems capped at
    `MAX_ERRORS_KEPT`)."""
    data = run.result
    return ImportResult(
        kind=run.kind,
        sha256=run.sha256,
        dry_run=run.dry_run,
        rows=run.rows,
        created=data.get("created", 0),
        unchanged=data.get("unchanged", 0),
        errors=[RowError(**e) for e in data.get("errors", [])],
        headers=data.get("headers", []),
        preview=data.get("preview", []),
    )


def is_stale(run: ImportRun) -> bool:
    return not run.finished and timezone.now() - run.updated_at > STALE_AFTER
