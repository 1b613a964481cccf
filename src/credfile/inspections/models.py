"""The archive's integrity inspections (档案检查) and what each found."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credfile.documents.models import Document


class InspectionResult(models.TextChoices):
    # Still running, or stopped before it could record what it found (a crash).
    RUNNING = "running", _("Unfinished")
    OK = "ok", _("No problems")
    PROBLEMS = "problems", _("Problems found")


class InspectionTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PAGE = "page", _("From the page")
    COMMAND = "command", _("Command")


class FindingKind(models.TextChoices):
    CHECKSUM_MISMATCH = "checksum_mismatch", _("Checksum mismatch")
    MISSING = "missing", _("Missing file")
    ORPHAN = "orphan", _("Orphaned file")
    CHAIN_BREAK = "chain_break", _("Audit chain break")


class Inspection(models.Model):
    """One pass over every stored document, the storage and the audit chain."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    trigger = models.CharField(_("run by"), max_length=10, choices=InspectionTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    result = models.CharField(
        pgettext_lazy("result of an archive inspection", "result"),
        max_length=10,
        choices=InspectionResult.choices,
        default="running",
    )
    documents_checked = models.PositiveIntegerField(_("documents checked"), default=0)
    checksum_mismatches = models.PositiveIntegerField(_("checksum mismatches"), default=0)
    missing_files = models.PositiveIntegerField(_("missing files"), default=0)
    orphaned_files = models.PositiveIntegerField(_("orphaned files"), default=0)
    events_checked = models.PositiveIntegerField(_("audit events checked"), default=0)
    chain_ok = models.BooleanField(_("audit chain intact"), null=True, blank=True)
    chain_last_seq = models.PositiveBigIntegerField(_("last event checked"), default=0)
    # Where the chain first breaks: the seq of the event (null when it holds).
    chain_break_seq = models.PositiveBigIntegerField(_("chain breaks at"), null=True, blank=True)
    bytes_read = models.PositiveBigIntegerField(_("bytes read"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("archive inspection")
        verbose_name_plural = _("archive inspections")

    def __str__(self) -> str:
        return f"#{self.pk} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def problem_count(self) -> int:
        return (
            self.checksum_mismatches
            + self.missing_files
            + self.orphaned_files
            + (1 if self.chain_ok is False else 0)
        )


class InspectionFinding(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind.choices)
    # The document's row while it exists; the stored name stays when it is destroyed.
    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    stored_name = models.CharField(_("stored name"), max_length=400, blank=True)
    # What was found, as values (checksums, the chain's break): shown in the reader's
    # language by credfile.inspections.display.
    params = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")

    def __str__(self) -> str:
        return f"{self.kind} {self.stored_name}"
