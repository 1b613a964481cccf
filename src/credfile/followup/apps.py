from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """Follow-up of unpaid bills: collection actions on invoices and the overdue list."""

    name = "credfile.followup"
    label = "followup"
    verbose_name = _("Follow-up of unpaid bills")

    def ready(self) -> None:
        from credfile.followup.checks import promise_tolerance_check

        checks.register(promise_tolerance_check)
        # Its kind on the file's timeline.
        from credfile.followup import timeline

        timeline.register()
