from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "credfile.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        # Its section of the file page, and its records under change control.
        from credfile.interactions import file_page

        file_page.register()
        # Its kinds on the file's timeline.
        from credfile.interactions import timeline

        timeline.register()
