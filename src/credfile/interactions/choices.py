from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CONSULTATION = "consultation", _("Consultation")
    REQUEST = "request", _("Request")
    FEEDBACK = "feedback", _("Feedback")
    COMPLAINT = "complaint", _("Complaint")
    SURVEY = "survey", _("Satisfaction survey")
    COLLECTION = "collection", _("Collection call")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("On site")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    ONLINE = "online", _("Online portal")
    LETTER = "letter", _("Letter")


class NoteKind(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    MINUTES = "minutes", _("Meeting minutes")
    OTHER = "other", _("Other")
