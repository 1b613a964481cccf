from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransactionsConfig(AppConfig):
    name = "credfile.transactions"
    label = "transactions"
    verbose_name = _("Transactions")

    def ready(self) -> None:
        # Its section of the file page, and its records under change control.
        from credfile.transactions import file_page

        file_page.register()
