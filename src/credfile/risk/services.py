"""Writes of the risk measures: the rules (a credit manager's), and applying them to every
file at once (the daily job and `credfile risk apply`), each change with its audit event."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import (
    audit_record,
    audit_record_many,
    changed_fields,
    model_snapshot,
)
from credfile.core.errors import StaleVersion
from credfile.core.permissions import can_manage_risk_rules
from credfile.reviews.models import ReviewSchedule
from credfile.reviews.rules import add_months
from credfile.risk.choices import WatchStatus
from credfile.risk.conditions import read_facts, rule_matches
from credfile.risk.models import RiskRule, WatchEntry

RULE_FIELDS = (
    "name",
    "is_active",
    "grade_at_or_below",
    "overdue_90_above",
    "overdue_currency",
    "max_dbt_above",
    "rating_cap",
    "block_credit",
    "review_within_months",
    "note",
)


def _require_manager(actor: Any) -> None:
    if not can_manage_risk_rules(actor):
        raise PermissionDenied(_("Only credit managers change risk rules."))


def _check_rule(rule: RiskRule) -> None:
    errors: dict[str, list[str]] = {}
    if rule.overdue_90_above is None:
        rule.overdue_currency = ""
    if not (
        rule.grade_at_or_below
        or rule.overdue_90_above is not None
        or rule.max_dbt_above is not None
        or rule.rating_cap
    ):
        errors["__all__"] = [_("Set at least one condition.")]
    if rule.overdue_90_above is not None and rule.overdue_90_above < Decimal(0):
        errors["overdue_90_above"] = [_("An amount is zero or more.")]
    if rule.review_within_months is not None and not 1 <= rule.review_within_months <= 24:
        errors["review_within_months"] = [_("A review is brought forward by 1 to 24 months.")]
    try:
        rule.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_create(*, actor: User, fields: dict[str, Any]) -> RiskRule:
    """A new rule; it applies from the next run (daily, or `credfile risk apply`)."""
    _require_manager(actor)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    rule = RiskRule(**fields)
    _check_rule(rule)
    rule.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=rule, after=model_snapshot(rule))
    return rule


@transaction.atomic
def rule_update(
    *,
    actor: User,
    rule: RiskRule,
    fields: dict[str, Any],
    expected_version: int | None = None,
) -> RiskRule:
    """Change a rule's conditions, measures, name or whether it is active; the values before
    and after go to the audit trail. The next run applies it to every file."""
    _require_manager(actor)
    locked = RiskRule.objects.select_for_update().get(pk=rule.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(locked.version, {})
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    before = model_snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_rule(locked)
    changed_before, changed_after = changed_fields(before, model_snapshot(locked))
    changed_before.pop("updated_at", None)
    changed_after.pop("updated_at", None)
    if not changed_after:
        return locked
    locked.version += 1
    locked.save()
    changed_before["version"], changed_after["version"] = locked.version - 1, locked.version
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before=changed_before,
        after=changed_after,
    )
    return locked


# --- applying the rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyResult:
    added: int
    cleared: int
    kept: int
    reviews_brought_forward: int

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "cleared": self.cleared,
            "kept": self.kept,
            "reviews_brought_forward": self.reviews_brought_forward,
        }


@transaction.atomic
def rules_apply(*, as_of: datetime.date | None = None, actor: User | None = None) -> ApplyResult:
    """Apply every active rule to every file: a file that meets a rule gets an active watch
    entry (one per rule, so a second run changes nothing); an active entry whose rule no
    longer holds — or is no longer active — is cleared. Each new and each cleared entry is
    an audit event, and a new entry of a rule with a review measure brings the file's next
    review forward to `as_of` + N months if that is sooner."""
    as_of = as_of or timezone.localdate()
    rules = list(RiskRule.objects.filter(is_active=True).order_by("pk"))
    facts = read_facts(rules, as_of=as_of)
    matched = {rule.pk: rule_matches(rule, facts) for rule in rules}
    # Locked: two runs at once would both add the same entry (the unique index refuses it).
    active = list(
        WatchEntry.objects.select_for_update()
        .filter(status=WatchStatus.ACTIVE)
        .only("pk", "customer_id", "rule_id", "status", "since")
    )
    held = {(e.customer_id, e.rule_id) for e in active}
    now = timezone.now()
    cleared = [e for e in active if e.customer_id not in matched.get(e.rule_id, {})]
    for entry in cleared:
        entry.status = WatchStatus.CLEARED
        entry.cleared_on = as_of
        entry.cleared_at = now
    WatchEntry.objects.bulk_update(cleared, ["status", "cleared_on", "cleared_at"])
    audit_record_many(
        actor=actor,
        action=AuditAction.UPDATE,
        objects=list(cleared),
        after=[
            {"status": str(WatchStatus.CLEARED), "rule": e.rule_id, "cleared_on": as_of.isoformat()}
            for e in cleared
        ],
    )
    new = [
        WatchEntry(
            customer_id=customer_id,
            rule_id=rule.pk,
            since=as_of,
            reasons=[{k: (str(v) if k == "condition" else v) for k, v in r.items()} for r in why],
            created_by=actor,
        )
        for rule in rules
        for customer_id, why in matched[rule.pk].items()
        if (customer_id, rule.pk) not in held
    ]
    WatchEntry.objects.bulk_create(new)
    names = {rule.pk: rule.name for rule in rules}
    audit_record_many(
        actor=actor,
        action=AuditAction.CREATE,
        objects=list(new),
        after=[
            {
                "status": str(WatchStatus.ACTIVE),
                "rule": e.rule_id,
                "rule_name": names[e.rule_id],
                "since": as_of.isoformat(),
                "reasons": e.reasons,
            }
            for e in new
        ],
    )
    months = {rule.pk: rule.review_within_months for rule in rules if rule.review_within_months}
    # The soonest review any new entry of a file calls for.
    due: dict[int, datetime.date] = {}
    for entry in new:
        if entry.rule_id in months:
            target = add_months(as_of, months[entry.rule_id])
            due[entry.customer_id] = min(target, due.get(entry.customer_id, target))
    moved = _reviews_bring_forward(due, actor=actor)
    return ApplyResult(
        added=len(new),
        cleared=len(cleared),
        kept=len(active) - len(cleared),
        reviews_brought_forward=moved,
    )


def _reviews_bring_forward(due: dict[int, datetime.date], *, actor: User | None) -> int:
    """Set each file's next review to min(its date, the date due); one UPDATE per date."""
    if not due:
        return 0
    schedules = list(
        ReviewSchedule.objects.select_for_update()
        .filter(customer_id__in=list(due))
        .only("customer_id", "next_review_on", "review_by")
    )
    moved = [s for s in schedules if due[s.customer_id] < s.next_review_on]
    by_date: dict[datetime.date, list[int]] = defaultdict(list)
    for schedule in moved:
        by_date[due[schedule.customer_id]].append(schedule.customer_id)
    for day, ids in by_date.items():
        ReviewSchedule.objects.filter(customer_id__in=ids).update(next_review_on=day, review_by=day)
    audit_record_many(
        actor=actor,
        action=AuditAction.UPDATE,
        objects=list(moved),
        after=[
            {
                "next_review_on": due[s.customer_id].isoformat(),
                "was": s.next_review_on.isoformat(),
                "reason": "risk rule",
            }
            for s in moved
        ],
    )
    return len(moved)


# --- the watch list's export -------------------------------------------------------------------

EXPORT_LIMIT = 100_000


@transaction.atomic
def watch_list_export(*, actor: User, filters: Any, language: str | None = None) -> bytes:
    """The user's watch list as CSV (UTF-8 with a byte-order mark, for Excel), recorded in
    the audit trail in the same transaction: who took which part, how many rows."""
    import csv
    import io

    from django.utils import translation

    from credfile.risk.display import reason_texts
    from credfile.risk.selectors import overdue_of, watch_list

    rows = list(watch_list(user=actor, filters=filters)[:EXPORT_LIMIT])
    overdue = overdue_of({r.customer_id for r in rows}, as_of=timezone.localdate())
    out = io.StringIO()
    writer = csv.writer(out)
    with translation.override(language or translation.get_language()):
        writer.writerow(
            [
                _("Customer code"),
                _("Customer"),
                _("Department"),
                _("Rule"),
                _("Reasons"),
                _("Since"),
                _("Status"),
                _("Grade"),
                _("Overdue"),
                _("New credit blocked"),
            ]
        )
        for entry in rows:
            amounts = overdue.get(entry.customer_id, {})
            writer.writerow(
                [
                    entry.customer.code,
                    entry.customer.name,
                    entry.customer.department.name,
                    entry.rule.display_name,
                    "; ".join(reason_texts(entry.reasons)),
                    entry.since.isoformat(),
                    entry.get_status_display(),
                    getattr(entry, "grade", "") or "",
                    "; ".join(f"{c} {a:.2f}" for c, a in sorted(amounts.items())),
                    _("yes") if entry.rule.block_credit else _("no"),
                ]
            )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=WatchEntry._meta.label_lower,
        object_repr="watch list (csv)",
        after={
            "what": "watch list",
            "format": "csv",
            "filters": {
                "status": filters.status,
                "rule": filters.rule,
                "department": filters.department,
                "blocking": filters.blocking,
                "q": filters.q,
            },
            "rows": len(rows),
        },
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
