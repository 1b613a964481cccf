from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LimitsConfig(AppConfig):
    name = "credfile.limits"
    label = "limits"
    verbose_name = _("Credit limits")

    def ready(self) -> None:
        from credfile.limits import file_page

        file_page.register()
        # Its kind on the file's timeline.
        from credfile.limits import timeline

        timeline.register()
