"""Risk rules (conditions on a file's grade and payment behaviour, and the measures they
call for) and the watch list entries they make."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from credfile.core.models import Currency, TimeStampedModel
from credfile.customers.models import Customer
from credfile.ratings.choices import GRADE_CHOICES
from credfile.risk.choices import RatingCap, WatchStatus


class RiskRule(TimeStampedModel):
    """A rule of the credit department: every condition set must hold (at least one is set),
    and a file that meets them is put on the watch list, with the rule's measures — new
    credit blocked, the next review brought forward. Never deleted: a retired rule is kept
    inactive, and each change is an audit event with the values before and after."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Conditions, each optional; all those set must hold.
    grade_at_or_below = models.CharField(
        _("grade at or below"), max_length=5, choices=GRADE_CHOICES, blank=True
    )
    overdue_90_above = models.DecimalField(
        _("overdue more than 90 days above"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
    )
    # Empty: any currency (amounts are compared per currency, never added up).
    overdue_currency = models.CharField(
        _("in currency"), max_length=3, choices=Currency.choices, blank=True
    )
    max_dbt_above = models.PositiveIntegerField(_("days beyond terms above"), null=True, blank=True)
    rating_cap = models.CharField(
        _("rating capped by"), max_length=30, choices=RatingCap.choices, blank=True
    )
    # Measures (every rule puts the file on the watch list).
    block_credit = models.BooleanField(_("block new credit"), default=False)
    review_within_months = models.PositiveSmallIntegerField(
        _("review within (months)"), null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(grade_at_or_below="")
                | Q(overdue_90_above__isnull=False)
                | Q(max_dbt_above__isnull=False)
                | ~Q(rating_cap=""),
                name="riskrule_has_a_condition",
            ),
            models.CheckConstraint(
                condition=Q(overdue_90_above__isnull=True) | Q(overdue_90_above__gte=0),
                name="riskrule_overdue_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(overdue_90_above__isnull=False) | Q(overdue_currency=""),
                name="riskrule_currency_with_amount",
            ),
            models.CheckConstraint(
                condition=Q(review_within_months__isnull=True)
                | Q(review_within_months__gte=1, review_within_months__lte=24),
                name="riskrule_review_1_to_24_months",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language for a shipped rule still under its shipped
        name; a name a credit manager gave is shown as given."""
        shipped = SHIPPED_NAMES.get(self.name)
        return str(shipped) if shipped is not None else self.name


# The names of the rules of the migration risk/0002_default_rules.
SHIPPED_NAMES = {
    "Poor credit grade": _("Poor credit grade"),
    "Overdue more than 90 days": _("Overdue more than 90 days"),
    "Dishonest judgment debtor": _("Dishonest judgment debtor"),
}


class WatchEntry(models.Model):
    """A file on the watch list under one rule: the reasons found when the rule first held,
    since when; cleared (kept, with the time) once the rule no longer holds. One active
    entry per file and rule, so applying the rules again changes nothing."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="watch"
    )
    rule = models.ForeignKey(
        RiskRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="entries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=WatchStatus.choices, default=WatchStatus.ACTIVE
    )
    since = models.DateField(_("since"))
    # [{"condition", "value", "threshold", "currency"?}], as found on `since`.
    reasons = models.JSONField(_("reasons"), default=list)
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("watch list entry")
        verbose_name_plural = _("watch list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "rule"],
                condition=Q(status="active"),
                name="watchentry_one_active_per_rule",
            ),
            models.CheckConstraint(
                condition=Q(status="active", cleared_at__isnull=True)
                | Q(status="cleared", cleared_at__isnull=False),
                name="watchentry_cleared_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer"], condition=Q(status="active"), name="watchentry_active"
            ),
            models.Index(fields=["-since", "-id"], name="watchentry_list"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.rule_id} {self.status}"
