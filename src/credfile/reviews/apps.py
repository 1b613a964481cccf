from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "credfile.reviews"
    label = "reviews"
    verbose_name = _("Periodic reviews")

    def ready(self) -> None:
        from credfile.customers.hooks import register_file_changed
        from credfile.reviews import file_page
        from credfile.reviews.services import schedules_follow_files

        file_page.register()
        # Its kind on the file's timeline.
        from credfile.reviews import timeline

        timeline.register()
        # A file's review date, risk and data quality follow every write to it, so the
        # queue and the file header are right between the nightly runs.
        register_file_changed("reviews.schedules", schedules_follow_files)
