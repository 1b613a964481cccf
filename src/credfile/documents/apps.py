from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "credfile.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from credfile.core.keys import register_resealer
        from credfile.documents import file_page
        from credfile.documents.services import documents_reseal

        file_page.register()
        register_resealer("documents.Document", documents_reseal)
