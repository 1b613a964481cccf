"""Questionnaires in the admin: read only. Their questions are versioned, so they are edited
on /surveys/ through the services, never row by row here; responses belong to credit files
and stay out of the admin, which reaches no file."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credfile.core.permissions import can_manage_questionnaires, role_administers
from credfile.surveys.models import Question, Questionnaire, QuestionnaireVersion


def _may_look(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(
        can_manage_questionnaires(user)
        or (user.is_authenticated and user.is_active and role_administers(user.role))
    )


class _ReadOnly(admin.ModelAdmin):  # a base for the classes below
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_look(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_look(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("position", "text", "kind", "required")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(_ReadOnly):
    list_display = ("name", "kind", "is_active", "updated_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(_ReadOnly):
    list_display = ("questionnaire", "number", "created_at", "created_by")
    list_filter = ("questionnaire",)
    inlines = [QuestionInline]
