from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    PROMISE = "promise", _("Promise to pay")
    DISPUTE = "dispute", _("Dispute")


class PastDueBand(models.TextChoices):
    """Days past due of the overdue list's filter (the default ageing buckets)."""

    D1_30 = "1-30", _("1–30 days")
    D31_60 = "31-60", _("31–60 days")
    D61_90 = "61-90", _("61–90 days")
    D90_PLUS = "90+", _("More than 90 days")


# (first, last) days past due of each band; None: no upper end.
BAND_DAYS: dict[str, tuple[int, int | None]] = {
    PastDueBand.D1_30: (1, 30),
    PastDueBand.D31_60: (31, 60),
    PastDueBand.D61_90: (61, 90),
    PastDueBand.D90_PLUS: (91, None),
}
