from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "credfile.ratings"
    label = "ratings"
    verbose_name = _("Credit ratings")

    def ready(self) -> None:
        from credfile.ratings import file_page

        file_page.register()
        # Its kind on the file's timeline.
        from credfile.ratings import timeline

        timeline.register()
