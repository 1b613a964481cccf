"""Periodic review of credit files: policies, each file's review state, reviews, reminders."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from credfile.accounts.models import Department
from credfile.core.models import TimeStampedModel
from credfile.customers.models import Customer
from credfile.reviews.choices import (
    JobStatus,
    NotificationKind,
    PolicyBasis,
    ReviewConclusion,
    RiskLevel,
)


class ReviewPolicy(TimeStampedModel):
    """How often files are reviewed: a cycle in months for a risk level, a grade and every
    worse one, a category, or all other files. Precedence is risk, then grade (the worst
    threshold first), then category, then the default (see docs/reviews.md).

    Policies are never deleted; a change moves `version` on and is recorded in the audit
    trail with the values before and after, and a retired rule is kept inactive.
    """

    basis = models.CharField(_("applies to"), max_length=10, choices=PolicyBasis.choices)
    # The risk level or category matched; empty for the default rule.
    value = models.CharField(_("value"), max_length=20, blank=True)
    cycle_months = models.PositiveSmallIntegerField(_("review cycle (months)"))
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["basis", "value"]
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")
        constraints = [
            models.UniqueConstraint(
                fields=["basis", "value"],
                condition=Q(is_active=True),
                name="reviewpolicy_one_active_rule",
            ),
            models.CheckConstraint(
                condition=Q(cycle_months__gte=1, cycle_months__lte=60),
                name="reviewpolicy_cycle_1_to_60_months",
            ),
            models.CheckConstraint(
                condition=Q(basis=PolicyBasis.DEFAULT, value="")
                | (~Q(basis=PolicyBasis.DEFAULT) & ~Q(value="")),
                name="reviewpolicy_value_matches_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.basis}:{self.value or '*'} → {self.cycle_months}"

    @property
    def value_label(self) -> str:
        """The risk level or category matched, by its name in the reader's language."""
        from credfile.customers.choices import CustomerCategory

        if self.basis == PolicyBasis.GRADE:
            return self.value
        choices = {
            PolicyBasis.RISK: RiskLevel,
            PolicyBasis.CATEGORY: CustomerCategory,
        }.get(PolicyBasis(self.basis))
        if choices is None or not self.value:
            return ""
        try:
            return str(choices(self.value).label)
        except ValueError:
            return self.value

    @property
    def description(self) -> str:
        """What the rule says, in the reader's language (the note is the manager's own)."""
        if self.basis == PolicyBasis.DEFAULT:
            text = ngettext(
                "All other files: reviewed every %(months)d month.",
                "All other files: reviewed every %(months)d months.",
                self.cycle_months,
            )
            return text % {"months": self.cycle_months}
        if self.basis == PolicyBasis.GRADE:
            text = ngettext(
                "Grade %(grade)s or below: reviewed every %(months)d month.",
                "Grade %(grade)s or below: reviewed every %(months)d months.",
                self.cycle_months,
            )
            return text % {"grade": self.value, "months": self.cycle_months}
        text = ngettext(
            "%(what)s: reviewed every %(months)d month.",
            "%(what)s: reviewed every %(months)d months.",
            self.cycle_months,
        )
        return text % {"what": self.value_label, "months": self.cycle_months}


class ReviewSchedule(models.Model):
    """One file's review state, recomputed for all files at once by the daily job.

    `department` and `account_manager` copy the file's, so that a department's queue is one
    index range in review-date order; the scope itself is always checked on the file.
    """

    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="review_schedule",
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The date the file was opened: the start of the first cycle.
    opened_on = models.DateField(_("opened on"))
    risk = models.CharField(
        _("risk"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.NORMAL
    )
    cycle_months = models.PositiveSmallIntegerField(_("review cycle (months)"), default=12)
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    last_conclusion = models.CharField(
        _("last conclusion"), max_length=20, choices=ReviewConclusion.choices, blank=True
    )
    next_review_on = models.DateField(_("next review on"))
    # A date a risk measure brought the review forward to: the next review is never later,
    # until a review is recorded (credfile.risk).
    review_by = models.DateField(_("review brought forward to"), null=True, blank=True)
    # The review date a reminder was last sent for, so each is sent once per cycle.
    soon_reminded_for = models.DateField(null=True, blank=True)
    due_reminded_for = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Data quality: the score and its parts (True = the part is in order).
    quality_score = models.PositiveSmallIntegerField(_("data quality"), default=0)
    q_identity = models.BooleanField(_("identity complete"), default=False)
    q_contact_details = models.BooleanField(_("contact details on file"), default=False)
    q_contact_verified = models.BooleanField(_("contact verified within 12 months"), default=False)
    q_financials = models.BooleanField(_("financial information current"), default=False)
    q_classification = models.BooleanField(_("classification complete"), default=False)
    computed_on = models.DateField(_("computed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("review schedule")
        verbose_name_plural = _("review schedules")
        indexes = [
            models.Index(
                fields=["department", "next_review_on", "customer"], name="review_dept_due_idx"
            ),
            models.Index(
                fields=["account_manager", "next_review_on", "customer"],
                name="review_manager_due_idx",
            ),
            models.Index(fields=["next_review_on", "customer"], name="review_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quality_score__lte=100), name="reviewschedule_quality_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} next {self.next_review_on}"


class CompletedRecordError(Exception):
    """An attempt to change or remove a completed review."""


class ReviewQuerySet(models.QuerySet["Review"]):
    def update(self, **kwargs: Any) -> int:
        raise CompletedRecordError("a completed review cannot be changed")


class Review(models.Model):
    """A completed periodic review of one file. Once recorded it cannot be edited."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_on = models.DateField(_("reviewed on"))
    completed_at = models.DateTimeField(_("completed at"), auto_now_add=True)
    contacts_verified = models.BooleanField(_("contacts verified"), default=False)
    financials_updated = models.BooleanField(_("financials updated"), default=False)
    transactions_checked = models.BooleanField(_("transactions checked"), default=False)
    rating_rechecked = models.BooleanField(_("rating re-checked"), default=False)
    findings = models.TextField(_("findings"))
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=ReviewConclusion.choices)
    # Proposed changes to the file, as submitted for approval (change control).
    proposed_changes = models.JSONField(_("proposed changes"), default=dict, blank=True)
    change_request_id = models.BigIntegerField(_("change request"), null=True, blank=True)
    # The file's state when it was reviewed.
    risk = models.CharField(_("risk"), max_length=10, choices=RiskLevel.choices)
    quality_score = models.PositiveSmallIntegerField(_("data quality"))
    was_due_on = models.DateField(_("was due on"), null=True, blank=True)
    next_review_on = models.DateField(_("next review on"))

    objects: ClassVar[ReviewQuerySet] = ReviewQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["customer", "reviewed_on"], name="review_customer_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.reviewed_on} {self.conclusion}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A review is a record of what was found on a day; a later finding is a new review.
        if not self._state.adding:
            raise CompletedRecordError("a completed review cannot be changed")
        super().save(*args, **kwargs)


# The subject and first line of each kind of notification. A notification stores its kind
# and files, and is worded in the reader's language when shown; `subject` and `body` keep
# the e-mail as sent (in the instance's language).
NOTIFICATION_TEXTS: dict[str, tuple[Any, Any]] = {
    NotificationKind.DUE_SOON: (
        _("Reviews due soon: %(count)d credit files"),
        _("These %(count)d credit files you manage are due for their periodic review soon:"),
    ),
    NotificationKind.DUE: (
        _("Reviews due: %(count)d credit files"),
        _("These %(count)d credit files you manage are due for their periodic review now:"),
    ),
    NotificationKind.ESCALATION: (
        _("Overdue reviews escalated: %(count)d credit files"),
        _("The periodic review of these %(count)d credit files of your department is overdue:"),
    ),
    NotificationKind.COMPLAINT_DUE: (
        _("Complaints due soon: %(count)d"),
        _("These %(count)d complaints you own are to be resolved soon (deadline):"),
    ),
    NotificationKind.COMPLAINT_ESCALATION: (
        _("Overdue complaints escalated: %(count)d"),
        _("These %(count)d complaints of your department are past their deadline:"),
    ),
}


class Notification(models.Model):
    """An in-app message about reviews (also sent by e-mail when the user has an address):
    one per recipient, kind and run, listing the files concerned."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="review_notifications",
    )
    kind = models.CharField(_("type"), max_length=12, choices=NotificationKind.choices)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    file_count = models.PositiveIntegerField(_("files"))
    # [{"id", "code", "name", "next_review_on"}] for up to 50 files.
    files = models.JSONField(default=list)
    emailed = models.BooleanField(_("e-mailed"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "id"], name="notification_recipient_idx")]

    def __str__(self) -> str:
        return self.subject

    @property
    def title(self) -> str:
        """The subject in the reader's language (the stored one for an unknown kind)."""
        texts = NOTIFICATION_TEXTS.get(self.kind)
        return str(texts[0]) % {"count": self.file_count} if texts else self.subject

    @property
    def intro(self) -> str:
        texts = NOTIFICATION_TEXTS.get(self.kind)
        return str(texts[1]) % {"count": self.file_count} if texts else self.body


class JobRun(models.Model):
    """The last run of a scheduled job: a job already run today is not run again."""

    name = models.CharField(_("job"), max_length=50, unique=True)
    last_run_on = models.DateField(_("last run on"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    # Failed runs, for the metrics (docs/monitoring.md): each retry of a failing job counts.
    failures = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.name} {self.last_run_on}"
