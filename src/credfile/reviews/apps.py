from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "credfile.reviews"
    label = "reviews"
    verbose_name = _("Periodic reviews")

    def ready(self) -> None:
        from credfile.reviews import file_page, signals  # noqa: F401 - connects the receivers

        file_page.register()
