from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    CREDIT_ASSESSMENT = "credit_assessment", _("Credit assessment")
    CREDIT_REPORT = "credit_report", _("Credit report query")
    DATA_SHARING = "data_sharing", _("Sharing with third parties")
    COLLECTION = "collection", _("Collection of receivables")
    MARKETING = "marketing", _("Marketing")


class ConsentChannel(models.TextChoices):
    PAPER = "paper", _("Signed paper form")
    ELECTRONIC = "electronic", _("Electronic signature")
    ONLINE = "online", _("Online confirmation")
    RECORDED_CALL = "recorded_call", _("Recorded phone call")
