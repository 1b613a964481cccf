from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    BILLING = "billing", _("Billing")
    SERVICE = "service", _("Service")
    PRODUCT = "product", _("Product")
    CREDIT_DECISION = "credit_decision", _("Credit decision")
    PRIVACY = "privacy", _("Privacy")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# The state machine: from each status, the statuses a complaint may move to. Resolved and
# closed complaints are reopened into "in progress".
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.ACKNOWLEDGED,),
    Status.ACKNOWLEDGED: (Status.IN_PROGRESS, Status.RESOLVED),
    Status.IN_PROGRESS: (Status.RESOLVED,),
    Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),
    Status.CLOSED: (Status.IN_PROGRESS,),
}
# Waiting for a resolution: what reminders, escalations and the open list are about.
OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS)

# Hours to answer a complaint when no administrator has set them (ComplaintSla).
DEFAULT_SLA_HOURS = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 24,
    Severity.MEDIUM: 72,
    Severity.LOW: 168,
}
