from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    """A file's review risk, derived from payment behaviour (see reviews/rules.py)."""

    HIGH = "high", _("High risk")
    NORMAL = "normal", _("Normal risk")


class PolicyBasis(models.TextChoices):
    """What a review policy matches on, in order of precedence (first match wins)."""

    RISK = "risk", _("Risk level")
    GRADE = "grade", _("Grade at or below")
    CATEGORY = "category", _("Customer category")
    DEFAULT = "default", _("All other files")


class ReviewConclusion(models.TextChoices):
    SATISFACTORY = "satisfactory", _("Satisfactory")
    NEEDS_UPDATES = "needs_updates", _("Needs updates")
    ELEVATED_RISK = "elevated_risk", _("Elevated risk")


class QueueState(models.TextChoices):
    """Filters of the review queue."""

    OPEN = "open", _("Due or overdue")
    DUE = "due", _("Due within 30 days")
    OVERDUE = "overdue", _("Overdue")
    ALL = "all", _("All files")


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Review due soon")
    DUE = "due", _("Review due")
    ESCALATION = "escalation", _("Overdue review escalated")
    # Complaints (credfile.complaints) use the same notifications.
    COMPLAINT_DUE = "case_due", _("Complaint deadline near")
    COMPLAINT_ESCALATION = "case_overdue", _("Overdue complaint escalated")


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
