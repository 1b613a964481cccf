from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "credfile.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from credfile.accounts import signals  # noqa: F401  (revocations on password change)
