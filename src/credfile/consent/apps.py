from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "credfile.consent"
    label = "consent"
    verbose_name = _("Consent")

    def ready(self) -> None:
        # Its section of the file page, and its records under change control.
        from credfile.consent import file_page

        file_page.register()
