"""Change requests (maker-checker) and the notifications they send."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credfile.changes.choices import ChangeKind, ChangeStatus, FieldGroup, NotificationKind
from credfile.core.models import TimeStampedModel
from credfile.core.sealed import Sealed
from credfile.customers.models import Customer


class ChangeRequest(TimeStampedModel):
    """A change to credit-relevant data of a file, or a deletion, awaiting a checker.

    The maker proposes; a department head of the file's department (for a head's own request:
    another head of it or an executive) approves or rejects; the maker may withdraw. The
    proposal (values before and after, sensitive ones included) is sealed. `customer` is
    cleared when the file is deleted; code and name stay for the record.
    """

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_requests",
    )
    customer_code = models.CharField(_("customer code"), max_length=20)
    customer_name = models.CharField(_("customer"), max_length=200)
    # The object changed: the file itself or one of its records, by model label and id.
    target_type = models.CharField(_("object type"), max_length=60)
    target_id = models.BigIntegerField(_("object id"))
    target_repr = models.CharField(_("object"), max_length=200, blank=True)
    field_group = models.CharField(_("field group"), max_length=20, choices=FieldGroup.choices)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ChangeKind.choices, default=ChangeKind.UPDATE
    )
    # Names of the fields proposed (never their values), for lists.
    fields = models.JSONField(_("fields"), default=list, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload_enc = models.TextField(blank=True, editable=False)
    payload = Sealed(_("proposed change"))
    base_version = models.PositiveIntegerField(_("based on version"))
    status = models.CharField(
        _("status"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="change_requests_made",
    )
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_requests_checked",
    )
    reason = models.TextField(_("reason"), blank=True)
    # The checker's note: for a rejection, its reason.
    notes = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "field_group"],
                condition=Q(status=ChangeStatus.PENDING),
                name="changerequest_one_pending_per_object_and_group",
            ),
            models.CheckConstraint(
                condition=Q(checker__isnull=True) | ~Q(checker=F("maker")),
                name="changerequest_not_checked_by_maker",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=ChangeStatus.PENDING, checker__isnull=True, decided_at__isnull=True
                )
                | Q(
                    status__in=[ChangeStatus.APPROVED, ChangeStatus.REJECTED],
                    checker__isnull=False,
                    decided_at__isnull=False,
                )
                | Q(
                    status__in=[ChangeStatus.WITHDRAWN, ChangeStatus.SUPERSEDED],
                    decided_at__isnull=False,
                ),
                name="changerequest_decision_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="changerequest_status_idx"),
            models.Index(fields=["maker", "id"], name="changerequest_maker_idx"),
            models.Index(fields=["customer", "status"], name="changerequest_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer_code} {self.field_group} {self.status}"

    @property
    def proposal(self) -> dict[str, Any]:
        """{"changes": {field: new}, "before": {field: old}, "options": {...}} (decrypted)."""
        cached = self.__dict__.get("_proposal")
        if cached is None:
            text = self.payload
            cached = json.loads(text) if text else {}
            self.__dict__["_proposal"] = cached
        return cached

    @proposal.setter
    def proposal(self, value: dict[str, Any]) -> None:
        self.payload = json.dumps(value, ensure_ascii=False, sort_keys=True)
        self.__dict__["_proposal"] = value

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeStatus.PENDING


class ChangeNotification(models.Model):
    """An in-app message to one user about one change request (also sent by e-mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="change_notifications",
    )
    request = models.ForeignKey(
        ChangeRequest,
        verbose_name=_("change request"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("type"), max_length=12, choices=NotificationKind.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("change notification")
        verbose_name_plural = _("change notifications")
        indexes = [
            models.Index(
                fields=["recipient", "id"],
                condition=Q(read_at__isnull=True),
                name="changenotice_unread_idx",
            ),
            models.Index(fields=["recipient", "id"], name="changenotice_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} #{self.request_id}"
