"""The daily backup (job `backup.run`): a new file in CREDFILE_BACKUP_DIR, then the plan
CREDFILE_BACKUP_KEEP decides which of the scheduled backups there stay."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from credfile.backups.plan import keep_parse, retention_plan
from credfile.backups.services import backup_create

_NAME = re.compile(r"^credfile-(\d{8}T\d{6})(\d{6})?Z\.cfbak$")


def taken_at(path: Path) -> datetime.datetime | None:
    """The time in a scheduled backup's name; None for any other file, which stays."""
    match = _NAME.match(path.name)
    if not match:
        return None
    moment = datetime.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S")
    micro = int(match.group(2) or 0)
    return moment.replace(microsecond=micro, tzinfo=datetime.UTC)


def prune(directory: Path, *, now: datetime.datetime, keep: str) -> list[str]:
    """Delete the scheduled backups the plan does not keep; returns their names."""
    found = {t: p for p in directory.iterdir() if p.is_file() and (t := taken_at(p))}
    _kept, drop = retention_plan(found, now=now, keep=keep)
    for moment in sorted(drop):
        found[moment].unlink()
    return sorted(found[m].name for m in drop)


def scheduled_backup(today: datetime.date) -> dict[str, Any]:
    keep = settings.CREDFILE_BACKUP_KEEP
    keep_parse(keep)  # a bad plan stops before the backup, not after
    directory = Path(settings.CREDFILE_BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    result = backup_create(path=directory, scheduled=True)
    deleted = prune(directory, now=timezone.localtime(), keep=keep)
    return {
        "path": result.record.path,
        "size": result.record.size,
        "sha256": result.record.sha256,
        "journal_synced": result.manifest["journal"].get("synced", []),
        "deleted": deleted,
    }
