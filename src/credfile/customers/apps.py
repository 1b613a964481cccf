from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "credfile.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from credfile.customers import file_page

        file_page.register()
