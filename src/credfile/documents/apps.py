from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "credfile.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from credfile.documents import file_page

        file_page.register()
