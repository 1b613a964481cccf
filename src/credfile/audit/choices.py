from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    LOGIN = "login", _("Log in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGOUT = "logout", _("Log out")
    ACCESS_DENIED = "access_denied", _("Access refused")
    EXPORT = "export", _("Export")
    # Reads of credit files: a look at a file or a section, and a lookup that named a file
    # (a duplicate or similar-name check).
    VIEW = "view", _("View")
    LOOKUP = "lookup", _("Lookup")
    # Usage applications and grants (credfile.access).
    APPLY = "apply", _("Apply for use")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    WITHDRAW = "withdraw", _("Withdraw")
    REVOKE = "revoke", _("Revoke")
    GRANT_USE = "grant_use", _("Use under a grant")
    # Sensitive values, consent and credit reports.
    REVEAL = "reveal", _("Reveal sensitive values")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    CREDIT_REPORT = "credit_report", _("Credit report")
    KEY_ROTATION = "key_rotation", _("Key rotation")
    # Change requests (credfile.changes).
    SUBMIT = "submit", _("Submit for approval")
    SUPERSEDE = "supersede", _("Superseded")
    # The retention schedule's end of a record (credfile.retention.destruction).
    DESTROY = "destroy", _("Destroy")
