from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancialsConfig(AppConfig):
    name = "credfile.financials"
    label = "financials"
    verbose_name = _("Financials")
