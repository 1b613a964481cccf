from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FileSection(models.TextChoices):
    """The parts of a credit file an application may ask to use."""

    BASIC = "basic", _("Basic information")
    CONTACTS = "contacts", _("Contacts")
    FINANCIALS = "financials", _("Financials")
    TRANSACTIONS = "transactions", _("Transactions")
    SERVICES = "services", _("Service records")
    NOTES = "notes", _("Notes")
    REVIEWS = "reviews", _("Reviews")
    RATINGS = "ratings", _("Credit ratings")
    RISK = "risk", _("Risk measures")
    LIMITS = "limits", _("Credit limit")
    DOCUMENTS = "documents", _("Documents")
    COMPLAINTS = "complaints", _("Complaints")
    SURVEYS = "surveys", _("Satisfaction surveys")
    EVENTS = "events", _("Customer events")
