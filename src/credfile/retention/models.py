"""The retention schedule (rules and the changes proposed to them), a file's place in its
life cycle, legal holds, and the lists of what has fallen due for destruction."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credfile.customers.models import Customer
from credfile.documents.choices import DocumentType
from credfile.retention.choices import (
    CountsFrom,
    DestructionStatus,
    ItemKind,
    ItemStatus,
    ProposalStatus,
    RecordKind,
    RequestStatus,
    RuleFileStatus,
)

USER = settings.AUTH_USER_MODEL


class RetentionRule(models.Model):
    """How long one kind of record is kept, from which event, and on what legal basis.

    A document rule with a type applies to that type; one without a type to every other
    type. Rules change only through an approved `RetentionRuleChange`.
    """

    record_kind = models.CharField(_("record kind"), max_length=10, choices=RecordKind.choices)
    document_type = models.CharField(
        _("document type"), max_length=12, choices=DocumentType.choices, blank=True
    )
    file_status = models.CharField(
        _("file status"), max_length=10, choices=RuleFileStatus.choices, blank=True
    )
    period_years = models.PositiveSmallIntegerField(_("years"), default=0)
    period_months = models.PositiveSmallIntegerField(_("months"), default=0)
    counts_from = models.CharField(_("counted from"), max_length=14, choices=CountsFrom.choices)
    legal_basis = models.TextField(_("legal basis"))
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["record_kind", "document_type", "file_status"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.UniqueConstraint(
                fields=["record_kind", "document_type", "file_status"],
                name="retention_rule_unique",
            ),
            models.CheckConstraint(
                condition=Q(period_years__gt=0) | Q(period_months__gt=0),
                name="retention_rule_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_kind_display()} {self.get_document_type_display()}".strip()

    @property
    def total_months(self) -> int:
        return self.period_years * 12 + self.period_months


class RetentionRuleChange(models.Model):
    """A proposed new rule or change of one, applied when someone else approves it."""

    rule = models.ForeignKey(
        RetentionRule,
        verbose_name=_("retention rule"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
    )
    fields = models.JSONField(_("proposed values"), default=dict)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        USER, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("retention rule change")
        verbose_name_plural = _("retention rule changes")
        constraints = [
            # Maker ≠ checker, held by the database as well as by the service.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="retention_change_not_own",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}"


class FileLifecycle(models.Model):
    """When a file was settled and archived, and by whom (its status says where it is)."""

    customer = models.OneToOneField(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="lifecycle"
    )
    settled_on = models.DateField(_("settled on"), null=True, blank=True, db_index=True)
    settled_by = models.ForeignKey(
        USER, verbose_name=_("settled by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    archived_by = models.ForeignKey(
        USER, verbose_name=_("archived by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("file life cycle")
        verbose_name_plural = _("file life cycles")

    def __str__(self) -> str:
        return f"{self.customer_id}"


class LegalHold(models.Model):
    """A hold on a file (litigation, an inquiry): nothing of it is listed for destruction
    while the hold is in force (not lifted, and not past its end date)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.CharField(_("reason"), max_length=500)
    until = models.DateField(_("until"), null=True, blank=True)
    placed_by = models.ForeignKey(
        USER, verbose_name=_("placed by"), on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        USER,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        indexes = [models.Index(fields=["customer", "lifted_at"], name="legal_hold_customer_idx")]

    def __str__(self) -> str:
        return self.reason


class DestructionList(models.Model):
    """What the daily job found past its retention on a day, for the department head."""

    listed_on = models.DateField(_("listed on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DestructionStatus.choices,
        default=DestructionStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("destruction list")
        verbose_name_plural = _("destruction lists")

    def __str__(self) -> str:
        return f"{self.listed_on}"


class DeletionRequest(models.Model):
    """A person's request to delete their credit file (PIPL art. 47), recorded by the
    department head and destroyed through the same approval as the retention schedule's."""

    # A plain number: the request is kept, as evidence it was met, after the file is gone.
    customer_id = models.BigIntegerField(_("customer"))
    customer_code = models.CharField(_("customer code"), max_length=32)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_on = models.DateField(_("received on"))
    basis = models.CharField(_("basis"), max_length=500)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.LISTED
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        indexes = [models.Index(fields=["customer_id"], name="deletion_request_customer_idx")]

    def __str__(self) -> str:
        return f"{self.customer_code} {self.received_on}"


class DestructionCertificate(models.Model):
    """The proof that a record was destroyed: what (kind, ids, the file's code), why (the
    rule or request and its legal basis), when, who approved it, and SHA-256 hashes of what
    was destroyed, never the data. Its audit event (`audit_seq`) lists the events whose
    content was erased, so the trail still verifies."""

    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    customer_id = models.BigIntegerField(_("customer"))
    customer_code = models.CharField(_("customer code"), max_length=32)
    object_id = models.BigIntegerField(_("object"))
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule = models.ForeignKey(
        RetentionRule,
        verbose_name=_("retention rule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    request = models.ForeignKey(
        DeletionRequest,
        verbose_name=_("deletion request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    legal_basis = models.TextField(_("legal basis"))
    due_on = models.DateField(_("due on"))
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    destroyed_at = models.DateTimeField(_("destroyed at"))
    # {"record": sha256 of the record's last state, "documents": [{name, sha256}]}
    hashes = models.JSONField(_("hashes"), default=dict)
    # {"rows": {model: n}, "versions": n, "audit_erased": n, "audit_kept": n, "files": n}
    counts = models.JSONField(_("counts"), default=dict)
    audit_seq = models.BigIntegerField(_("audit event"), null=True, blank=True)

    class Meta:
        ordering = ["-destroyed_at", "-id"]
        verbose_name = _("destruction certificate")
        verbose_name_plural = _("destruction certificates")
        indexes = [
            models.Index(fields=["department", "destroyed_at"], name="certificate_dept_idx"),
            models.Index(fields=["customer_id"], name="certificate_customer_idx"),
        ]

    def __str__(self) -> str:
        # No words: the trail keeps it as written, whatever the reader's language.
        return f"{self.customer_code} #{self.object_id}"


class DestructionItem(models.Model):
    """One file, document or negative record on a destruction list, with the rule (or the
    person's request) that made it due and the day it fell due. Once destroyed, its
    certificate says what it was; the link to the file is then gone."""

    destruction_list = models.ForeignKey(
        DestructionList,
        verbose_name=_("destruction list"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("object"))
    rule = models.ForeignKey(
        RetentionRule,
        verbose_name=_("retention rule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    request = models.ForeignKey(
        DeletionRequest,
        verbose_name=_("deletion request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    certificate = models.ForeignKey(
        DestructionCertificate,
        verbose_name=_("destruction certificate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )

    class Meta:
        ordering = ["customer_id", "kind", "object_id"]
        verbose_name = _("destruction item")
        verbose_name_plural = _("destruction items")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="destruction_item_once"),
        ]
        indexes = [models.Index(fields=["customer"], name="destruction_item_customer_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
