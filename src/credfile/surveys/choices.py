from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a questionnaire measures, and so the scale of its scored questions."""

    CSAT = "csat", _("Customer satisfaction (CSAT)")
    NPS = "nps", _("Net promoter score (NPS)")


# The scale of a scored answer, per kind: CSAT 1–5, NPS 0–10.
SCALES: dict[str, tuple[int, int]] = {Kind.CSAT: (1, 5), Kind.NPS: (0, 10)}


class QuestionKind(models.TextChoices):
    SCORE = "score", _("Score")
    TEXT = "text", _("Free text")


class ResponseStatus(models.TextChoices):
    SENT = "sent", _("Sent, awaiting answers")
    ANSWERED = "answered", _("Answered")


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
