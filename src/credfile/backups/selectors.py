from __future__ import annotations

from credfile.backups.models import Backup


def last_backup(*, ok: bool | None = True) -> Backup | None:
    """The newest backup run (the newest successful one by default), for the metrics."""
    runs = Backup.objects.all()
    if ok is not None:
        runs = runs.filter(ok=ok)
    return runs.order_by("-started_at", "-id").first()
