from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    CREDIT_MANAGER = "credit_manager", _("Credit manager")
    EXECUTIVE = "executive", _("Executive")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class PrivilegeChangeStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
