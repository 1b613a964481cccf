from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """PDF reports: one credit file, and the portfolio summary."""

    name = "credfile.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from credfile.reports.fonts import report_font_check

        checks.register(report_font_check)
