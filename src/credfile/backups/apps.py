from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _last_backup_finished() -> float | None:
    from credfile.backups.selectors import last_backup

    backup = last_backup()
    return backup.finished_at.timestamp() if backup and backup.finished_at else None


class BackupsConfig(AppConfig):
    name = "credfile.backups"
    label = "backups"
    verbose_name = _("Backups")

    def ready(self) -> None:
        from credfile.monitoring.metrics import register_gauge

        # The alert that matters most for backups: none has succeeded for a day.
        register_gauge(
            "credfile_backup_last_success_timestamp_seconds",
            "When the last successful backup finished (Unix time).",
            _last_backup_finished,
        )
