from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """Follow-up of unpaid bills: collection actions on invoices and the overdue list."""

    name = "credfile.followup"
    label = "followup"
    verbose_name = _("Follow-up of unpaid bills")
