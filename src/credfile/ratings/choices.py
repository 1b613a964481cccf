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
    COMPLAINTS = "complaints", _("New complaints")
    BATCH = "batch", _("Batch re-rating")


# The grade scale of the shipped cards (三等九级), best first: rules that say "grade B or
# below" (risk rules, review policies) read it.
GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")
GRADE_CHOICES = [(g, g) for g in GRADES]


def grades_at_or_below(grade: str) -> tuple[str, ...]:
    """The grade and every worse one on the scale."""
    return GRADES[GRADES.index(grade) :]
