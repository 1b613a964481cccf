from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancialsConfig(AppConfig):
    name = "credfile.financials"
    label = "financials"
    verbose_name = _("Financials")

    def ready(self) -> None:
        # Its section of the file page, and its records under change control.
        from credfile.financials import file_page

        file_page.register()
