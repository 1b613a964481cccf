"""Versions of credit files and their records: one row per committed change of one object."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credfile.core.sealed import Sealed
from credfile.history.choices import Operation

# The actor labels of versions no signed-in user made, as stored (keys, not text).
SYSTEM_ACTOR = "system"
DEMO_ACTOR = "demo"
SYSTEM_ACTORS: dict[str, Any] = {SYSTEM_ACTOR: _("system"), DEMO_ACTOR: _("demo data")}


class FileVersion(models.Model):
    """The full state of one object of a credit file (the file itself or one of its records)
    after a committed change, with who made it, who approved it and when.

    `version` is the file's version after the change; the objects written in one
    transaction share it. The snapshot holds every field, sensitive values included, so it
    is sealed as a whole (and re-sealed by key rotation like every sealed value). Rows are
    only ever added. `customer_id` is a plain number, so a file's history outlives the file.
    """

    customer_id = models.BigIntegerField(_("customer"))
    version = models.PositiveIntegerField(_("version"))
    changed_at = models.DateTimeField(_("changed at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("changed by"), max_length=150, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    change_request_id = models.BigIntegerField(_("change request"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    operation = models.CharField(_("operation"), max_length=10, choices=Operation.choices)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    snapshot_enc = models.TextField(blank=True, editable=False)
    snapshot = Sealed(_("snapshot"))

    class Meta:
        verbose_name = _("file version")
        verbose_name_plural = _("file versions")
        indexes = [
            # The latest version of each object up to a time: one index range per file.
            models.Index(
                fields=["customer_id", "object_type", "object_id", "id"],
                name="fileversion_object_idx",
            ),
            models.Index(fields=["customer_id", "id"], name="fileversion_customer_idx"),
            models.Index(fields=["customer_id", "version"], name="fileversion_version_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} v{self.version} {self.operation} {self.object_repr}"

    @property
    def actor_text(self) -> str:
        """Who made the change as the reader reads it: the user, or the system's own work
        (a job, the demo loader) named in the reader's language; the stored label is a key."""
        if self.actor_id is not None:
            return str(self.actor)
        known = SYSTEM_ACTORS.get(self.actor_label)
        return str(known) if known is not None else self.actor_label

    @property
    def data(self) -> dict[str, Any]:
        """The snapshot as a dict (decrypted once per instance)."""
        cached = self.__dict__.get("_data")
        if cached is None:
            text = self.snapshot
            cached = json.loads(text) if text else {}
            self.__dict__["_data"] = cached
        return cached

    @data.setter
    def data(self, value: dict[str, Any]) -> None:
        self.snapshot = json.dumps(value, ensure_ascii=False, sort_keys=True)
        self.__dict__["_data"] = value
