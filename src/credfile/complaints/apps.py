from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "credfile.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        # Its section of the file page.
        from credfile.complaints import file_page

        file_page.register()
        # Its kind on the file's timeline.
        from credfile.complaints import timeline

        timeline.register()
