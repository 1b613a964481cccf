"""Scorecards and their versions, the industry-risk table, and the ratings they give."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from credfile.core.models import LargeJSONField
from credfile.customers.choices import CustomerKind, Industry
from credfile.customers.models import Customer
from credfile.ratings.cards import Card, card_from_data
from credfile.ratings.choices import (
    RatingStatus,
    RatingTrigger,
    RiskLevel,
    VersionSource,
    VersionStatus,
)


class Scorecard(models.Model):
    """A card as users know it ("company card"); what it scores is in its versions."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    customer_kind = models.CharField(
        _("customer kind"), max_length=12, choices=CustomerKind.choices
    )
    # The card that rates a kind of customer; one per kind.
    is_default = models.BooleanField(_("rates by default"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["customer_kind", "key"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(
                fields=["customer_kind"],
                condition=Q(is_default=True),
                name="scorecard_one_default_per_kind",
            )
        ]

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> Any:
        """The shipped cards by their name in the reader's language; others as named."""
        shipped = {"company": _("Company scorecard"), "individual": _("Individual scorecard")}
        return shipped.get(self.key, self.name)


class ScorecardVersion(models.Model):
    """One version of a card, never changed once published: a rating keeps the version it
    was scored on, and a changed card is a new version."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    source = models.CharField(
        _("source"), max_length=12, choices=VersionSource.choices, default=VersionSource.EXPERT
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The fit a statistical version was made from.
    fit = models.ForeignKey(
        "ScorecardFit",
        verbose_name=_("fitted on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
    )

    class Meta:
        ordering = ["scorecard", "-number"]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "number"], name="scorecard_version_once"),
            models.UniqueConstraint(
                fields=["scorecard"],
                condition=Q(status="published"),
                name="scorecard_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        # From the version's own row (no query for the card): "company v2".
        return f"{self.definition.get('key', '')} v{self.number}"

    @property
    def card(self) -> Card:
        return card_from_data(self.definition)


class IndustryRisk(models.Model):
    """Market conditions of an industry from a date on: the industry-risk factor reads the
    level in force on the rating's date."""

    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    valid_from = models.DateField(_("valid from"))
    basis = models.TextField(_("basis"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["industry", "-valid_from"]
        verbose_name = _("industry risk")
        verbose_name_plural = _("industry risks")
        constraints = [
            models.UniqueConstraint(fields=["industry", "valid_from"], name="industry_risk_once")
        ]

    def __str__(self) -> str:
        return f"{self.industry} {self.level} ({self.valid_from})"


class Rating(models.Model):
    """A customer's score and grade on one card version, with its basis: each factor's input
    value and data date, bin and points, the caps applied, and who proposed and approved."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="ratings"
    )
    version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("scorecard version"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    as_of = models.DateField(_("as of"))
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    score_grade = models.CharField(_("grade of the score"), max_length=5)
    grade = models.CharField(_("grade"), max_length=5)
    previous_grade = models.CharField(_("previous grade"), max_length=5, blank=True)
    basis = LargeJSONField(_("rating basis"))
    # The customer value rating made with it (basis["value"]): not a credit grade, so it
    # needs no approval of its own.
    value_score = models.DecimalField(
        _("value score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    value_grade = models.CharField(_("value grade"), max_length=2, blank=True)
    missing = models.PositiveSmallIntegerField(_("factors without data"), default=0)
    trigger = models.CharField(
        _("occasion"), max_length=12, choices=RatingTrigger.choices, default=RatingTrigger.MANUAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RatingStatus.choices, default=RatingStatus.PROPOSED
    )
    # The rating in force: the last approved one (one per customer).
    is_current = models.BooleanField(_("in force"), default=False)
    # None: credfile's daily re-rating of a file whose data changed.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("credit rating")
        verbose_name_plural = _("credit ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_current=True), name="rating_one_in_force"
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="proposed"),
                name="rating_one_open_proposal",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-proposed_at"], name="rating_history"),
            models.Index(
                fields=["grade"], condition=Q(is_current=True), name="rating_current_grade"
            ),
            models.Index(
                fields=["proposed_at"], condition=Q(status="proposed"), name="rating_waiting"
            ),
            # The proposals waiting, counted (the credit manager's home page) and listed in
            # order. The ORM passes the status as a parameter, and SQLite then reads every
            # row the partial index above holds to test it: 150 ms for 94,000 proposals.
            models.Index(fields=["status", "proposed_at"], name="rating_status_proposed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} ({self.score}) {self.as_of}"


class ScorecardFit(models.Model):
    """A statistical scorecard fitted on an uploaded table of past customers: the report
    (bins, WOE, IV, points, metrics, score histograms and ROC points) and where it came from.
    The rows themselves are not kept: they may be personal data."""

    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    target = models.CharField(_("target column"), max_length=100)
    report = models.JSONField(_("report"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("fitted at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("scorecard fit")
        verbose_name_plural = _("scorecard fits")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"


class StabilityReport(models.Model):
    """The PSI of a month's score distribution of the ratings in force on a scorecard's
    published version against its baseline month (docs/scorecard.md)."""

    scorecard = models.ForeignKey(
        Scorecard,
        verbose_name=_("scorecard"),
        on_delete=models.PROTECT,
        related_name="stability_reports",
    )
    version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("scorecard version"),
        on_delete=models.PROTECT,
        related_name="stability_reports",
    )
    month = models.DateField(_("month"))  # its first day
    baseline_month = models.DateField(_("baseline month"))
    ratings = models.PositiveIntegerField(_("ratings"))
    baseline_ratings = models.PositiveIntegerField(_("baseline ratings"))
    psi = models.DecimalField(_("PSI"), max_digits=9, decimal_places=6)
    band = models.CharField(_("band"), max_length=10)
    bins = models.JSONField(_("bins"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["scorecard", "-month"]
        verbose_name = _("stability report")
        verbose_name_plural = _("stability reports")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "month"], name="stability_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.scorecard_id} {self.month:%Y-%m} PSI {self.psi}"
