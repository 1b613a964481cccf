"""The audit trail: one append-only, hash-chained row per event."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credfile.audit.chain import GENESIS_HASH, content_hash, event_hash
from credfile.audit.choices import AuditAction


class AppendOnlyError(Exception):
    """An attempt to change or remove recorded history."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # Bulk update and delete skip save() and delete(); refuse them too, so no ORM path
    # rewrites history. (Raw SQL is stopped by the database trigger on PostgreSQL.)
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")

    def erase_content(self, *, certificate_seq: int) -> int:
        """Erase the content (object, before, after, salt) of these events, keeping what the
        hash covers: the one change the trail allows, for a destruction certificate at
        `certificate_seq` that lists them (credfile.retention.destruction). Events of the
        first format, which hash their content itself, are left as they are."""
        erasable = self.filter(erased_in__isnull=True, seq__lt=certificate_seq).exclude(
            content_digest=""
        )
        return models.QuerySet.update(
            erasable,
            object_repr="",
            before=None,
            after=None,
            content_salt="",
            erased_in=certificate_seq,
        )


class AuditEvent(models.Model):
    """Who did what to which object, when and from where, with the values before and after.

    `seq` numbers events without gaps; `hash` chains each event to the one before it
    (credfile.audit.chain). Only `audit_record` writes events.
    """

    seq = models.BigIntegerField(_("sequence number"), unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # Covered by the (actor, seq) index below.
        db_index=False,
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The credit file the event belongs to, so a file's history is one indexed lookup.
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    # What the hash covers in place of object_repr, before and after (credfile.audit.chain).
    content_digest = models.CharField(_("content digest"), max_length=64, blank=True)
    content_salt = models.CharField(max_length=32, blank=True, editable=False)
    # The seq of the destruction certificate that erased the content.
    erased_in = models.BigIntegerField(_("erased by certificate"), null=True, blank=True)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # The auditor's page lists newest first (seq descending) under any one filter; each
        # index below pairs a filter with seq so a page is a short index range scan.
        # occurred_at grows with seq, so a date range is first turned into a seq range.
        indexes = [
            models.Index(fields=["customer_id", "seq"], name="audit_customer_seq_idx"),
            models.Index(fields=["actor", "seq"], name="audit_actor_seq_idx"),
            models.Index(fields=["action", "seq"], name="audit_action_seq_idx"),
            models.Index(fields=["object_type", "seq"], name="audit_type_seq_idx"),
            models.Index(fields=["occurred_at", "seq"], name="audit_time_seq_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.seq} {self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} "
            f"{self.object_repr}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")

    def compute_hash(self) -> str:
        return event_hash(
            seq=self.seq,
            prev_hash=self.prev_hash,
            occurred_at=self.occurred_at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            object_repr=self.object_repr,
            customer_id=self.customer_id,
            before=self.before,
            after=self.after,
            ip=self.ip,
            request_id=self.request_id,
            content_digest=self.content_digest,
        )

    def seal_content(self) -> None:
        """Give the event a fresh salt and the digest of its content (format 2)."""
        self.content_salt = secrets.token_hex(16)
        self.content_digest = content_hash(
            salt=self.content_salt,
            object_repr=self.object_repr,
            before=self.before,
            after=self.after,
        )


class AuditHead(models.Model):
    """The newest event's seq and hash, in one row.

    Writers lock this row (SELECT … FOR UPDATE) before appending, so two transactions can
    never both extend the chain from the same event.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(_("sequence number"), default=0)
    hash = models.CharField(_("hash"), max_length=64, default=GENESIS_HASH)
    occurred_at = models.DateTimeField(_("time"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_head_single_row")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"
