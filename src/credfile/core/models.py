"""Shared model pieces."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: every row knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Currency(models.TextChoices):
    CNY = "CNY", _("Renminbi (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")
    JPY = "JPY", _("Japanese yen (JPY)")
    GBP = "GBP", _("Pound sterling (GBP)")


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField[Decimal, Decimal]:
    """A money amount: Decimal with two places, never a float."""
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=2, **kwargs)


def currency_field() -> models.CharField[str, str]:
    return models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )


class LargeJSONField(models.JSONField):
    """A JSON column of large documents written in bulk (a rating's basis, several kB).

    On PostgreSQL Django bulk-inserts through UNNEST, sending each column as one text
    array; psycopg builds that literal in Python under client-side binding, escaping every
    quote of every document with a regular expression (1.4–1.9 s for 2,000 bases against
    0.7 s as VALUES, half of a rating batch). A field with a placeholder keeps the insert on
    VALUES, where each document is escaped by libpq.
    """

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"


class CodeSequence(models.Model):
    """A named counter for human-readable codes (customer codes), incremented under a lock."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("code sequence")
        verbose_name_plural = _("code sequences")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class KeyRotation(models.Model):
    """One rotation of the field-encryption master key (the keys themselves are in the key
    file, never in the database)."""

    key_id = models.CharField(_("new key"), max_length=16, unique=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    retired = models.JSONField(_("retired keys"), default=list)

    class Meta:
        verbose_name = _("key rotation")
        verbose_name_plural = _("key rotations")

    def __str__(self) -> str:
        return f"key {self.key_id}"
