from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "credfile.risk"
    label = "risk"
    verbose_name = _("Risk measures")

    def ready(self) -> None:
        from credfile.risk import file_page

        file_page.register()
