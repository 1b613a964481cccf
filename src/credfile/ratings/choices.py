from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting approval")
    PUBLISHED = "published", _("In use")
    RETIRED = "retired", _("Retired")


class VersionSource(models.TextChoices):
    EXPERT = "expert", _("Expert card")
    STATISTICAL = "statistical", _("Fitted on data")


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    RESTRICTED = "restricted", _("restricted")


class RatingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RatingTrigger(models.TextChoices):
    MANUAL = "manual", _("On request")
    REVIEW = "review", _("After a review")
    STATEMENTS = "statements", _("New financial statements")
    RECEIVABLES = "receivables", _("New receivables")
    BATCH = "batch", _("Batch re-rating")
