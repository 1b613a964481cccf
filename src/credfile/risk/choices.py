from django.db import models
from django.utils.translation import gettext_lazy as _


class WatchStatus(models.TextChoices):
    ACTIVE = "active", _("On the watch list")
    CLEARED = "cleared", _("Cleared")


class RatingCap(models.TextChoices):
    """The knock-out caps of the shipped cards a rule may name (the key in a rating's basis)."""

    DISHONEST_DEBTOR = "dishonest_debtor", _("Listed as a dishonest judgment debtor")
    INSOLVENT = "insolvent", _("Liabilities above assets")
    LOSSES_TWO_YEARS = "losses_two_years", _("Losses two years running")
    DEBT_RATIO_90 = "debt_ratio_90", _("Debt ratio above 90 %")
    NO_STATEMENTS = "no_statements", _("No financial statements")


class Condition(models.TextChoices):
    """The conditions a rule can hold; the key of a reason on a watch entry."""

    GRADE = "grade", _("Grade at or below")
    OVERDUE_90 = "overdue_90", _("Overdue more than 90 days above")
    MAX_DBT = "max_dbt", _("Days beyond terms above")
    CAP = "cap", _("Rating capped by")
