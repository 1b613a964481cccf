from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "credfile.events"
    label = "events"
    verbose_name = _("Customer events")

    def ready(self) -> None:
        # Its section of the file page and its kind on the file's timeline.
        from credfile.events import file_page

        file_page.register()
