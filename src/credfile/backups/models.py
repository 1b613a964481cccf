from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Backup(models.Model):
    """One backup run, by the daily job or `credfile backup`: when, where it went, its size
    and SHA-256, and whether it succeeded (else why not)."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    path = models.CharField(_("path"), max_length=1000)
    size = models.BigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    error = models.TextField(_("error"), blank=True)
    scheduled = models.BooleanField(_("scheduled"), default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        indexes = [models.Index(fields=["ok", "started_at"], name="backup_ok_started_idx")]

    def __str__(self) -> str:
        return self.path
