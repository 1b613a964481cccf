"""Departments and the people who work with credit files."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credfile.accounts.choices import PrivilegeChangeStatus, Role
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


class PrivilegeChange(TimeStampedModel):
    """A requested change of a user's role or department, or the activation of an account
    that reads credit files: it takes effect only when an executive approves it (maker ≠
    checker, and nobody decides a change to their own account)."""

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="privilege_changes",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    before_role = models.CharField(_("role before"), max_length=20, choices=Role.choices)
    after_role = models.CharField(_("role after"), max_length=20, choices=Role.choices)
    before_department = models.ForeignKey(
        Department,
        verbose_name=_("department before"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    after_department = models.ForeignKey(
        Department,
        verbose_name=_("department after"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    before_active = models.BooleanField(_("active before"))
    after_active = models.BooleanField(_("active after"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PrivilegeChangeStatus.choices,
        default=PrivilegeChangeStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("privilege change")
        verbose_name_plural = _("privilege changes")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status=PrivilegeChangeStatus.PENDING),
                name="privilege_change_one_pending_per_user",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="privilege_change_not_decided_by_maker",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("user")),
                name="privilege_change_not_decided_by_its_user",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="privilege_change_status_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.user_id} {self.before_role}→{self.after_role} {self.status}"
