"""An import in progress or done, as the page follows it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    CHECKING = "checking", _("Checking rows")
    WRITING = "writing", _("Writing to the credit files")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    """One check or import of an uploaded file, run in the background so a long file shows
    its progress. The file itself waits sealed on disk (`imports.pending`), not here; the
    result keeps counts, masked preview rows and the problems found."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="import_runs",
    )
    kind = models.CharField(_("kind"), max_length=20)
    department_code = models.CharField(_("department"), max_length=20, blank=True)
    dry_run = models.BooleanField(_("check only"), default=True)
    file_token = models.CharField(max_length=64, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    # Set once, when the user confirms a clean check: a second confirmation imports nothing.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        indexes = [models.Index(fields=["user", "-created_at"], name="importrun_user_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.status in {RunStatus.DONE, RunStatus.FAILED}

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.rows:
            return 0
        return min(99, self.done * 100 // self.rows)
