"""Departments and the people who work with credit files."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from credfile.accounts.choices import Role
from credfile.core.models import TimeStampedModel


class Department(TimeStampedModel):
    """An organisational unit that owns credit files (业务部门)."""

    code = models.CharField(_("department code"), max_length=20, unique=True)
    name = models.CharField(_("department name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class User(AbstractUser):
    """A staff member with one role in one department."""

    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.ACCOUNT_MANAGER
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username
