from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "credfile.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from credfile.customers import file_page
        from credfile.customers.name_index import ensure_name_index

        file_page.register()
        post_migrate.connect(ensure_name_index, sender=self)
