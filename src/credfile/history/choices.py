from django.db import models
from django.utils.translation import gettext_lazy as _


class Operation(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    # The state an object had when history first met it: a file loaded in bulk (demo data),
    # or a record that existed before its first recorded change.
    BASELINE = "baseline", _("State on record")
