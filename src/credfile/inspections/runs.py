"""Running an inspection: from the page in a background thread (its own connection), from
the command and the scheduled job in the caller's process."""

from __future__ import annotations

import datetime
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from credfile.inspections.models import Inspection, InspectionResult, InspectionTrigger
from credfile.inspections.services import inspection_execute, inspection_run, inspection_start

logger = logging.getLogger(__name__)


def start_from_page(*, actor: Any) -> Inspection:
    inspection = inspection_start(actor=actor, trigger=InspectionTrigger.PAGE)
    if settings.CREDFILE_INSPECTION_IN_BACKGROUND:
        transaction.on_commit(lambda: _launch(inspection.pk, actor))
    else:
        inspection = inspection_execute(inspection, actor=actor)
    return inspection


def _launch(pk: int, actor: Any) -> None:
    threading.Thread(
        target=_in_thread, args=(pk, actor), name=f"inspection-{pk}", daemon=True
    ).start()


def _in_thread(pk: int, actor: Any) -> None:
    close_old_connections()
    try:
        inspection_execute(Inspection.objects.get(pk=pk), actor=actor)
    except Exception:
        logger.exception("inspection %s failed", pk)
    finally:
        connection.close()


def scheduled_inspection(today: datetime.date) -> dict[str, Any]:
    """The daily job's step: an inspection when the last finished one is
    CREDFILE_INSPECTION_DAYS old or more (none when 0)."""
    days = int(settings.CREDFILE_INSPECTION_DAYS)
    if days == 0:
        return {"ran": False}
    last = (
        Inspection.objects.exclude(result=InspectionResult.RUNNING)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if last is not None and (today - timezone.localdate(last)).days < days:
        return {"ran": False, "last": timezone.localdate(last).isoformat()}
    inspection = inspection_run(trigger=InspectionTrigger.SCHEDULED)
    return {"ran": True, "inspection": inspection.pk, "result": str(inspection.result)}
