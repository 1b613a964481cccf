"""Reads of the archive's life cycle, through the policy's scopes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from credfile.core.permissions import certificate_scope, destruction_scope, due_list_scope
from credfile.retention.models import (
    DestructionCertificate,
    DestructionItem,
    LegalHold,
    RetentionRule,
    RetentionRuleChange,
)


def rule_list() -> QuerySet[RetentionRule]:
    return RetentionRule.objects.order_by("record_kind", "document_type", "file_status", "pk")


def rule_changes_pending() -> QuerySet[RetentionRuleChange]:
    return (
        RetentionRuleChange.objects.filter(status="pending")
        .select_related("rule", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def due_list(*, user: Any) -> QuerySet[DestructionItem]:
    """The items of the pending destruction lists the user sees, by file."""
    return (
        DestructionItem.objects.filter(due_list_scope(user), status="pending")
        .select_related("customer", "rule", "request", "destruction_list")
        .order_by("due_on", "pk")
    )


def holds_of(customer_id: int) -> QuerySet[LegalHold]:
    return (
        LegalHold.objects.filter(customer_id=customer_id)
        .select_related("placed_by", "lifted_by")
        .order_by("-placed_at", "-pk")
    )


def approvable_ids(*, user: Any, items: list[DestructionItem]) -> set[int]:
    """Of these items, those the user may approve for destruction."""
    return set(
        DestructionItem.objects.filter(
            destruction_scope(user), pk__in=[i.pk for i in items], status="pending"
        ).values_list("pk", flat=True)
    )


def certificate_list(*, user: Any) -> QuerySet[DestructionCertificate]:
    return DestructionCertificate.objects.filter(certificate_scope(user)).select_related(
        "approved_by", "rule", "request", "department"
    )
