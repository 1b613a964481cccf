from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "credfile.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        # Its section of the file page.
        from credfile.surveys import file_page

        file_page.register()
        # Its kind on the file's timeline.
        from credfile.surveys import timeline

        timeline.register()
        # Its panel of an event's page.
        from credfile.surveys import event_page

        event_page.register()
