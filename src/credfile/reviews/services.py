"""Writes of the review process: policies, the daily recomputation, reviews, reminders.

The daily recomputation and the reminders work on every file at once, in a handful of SQL
statements whatever the number of files (rules.py holds the rules they apply).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, changed_fields, model_snapshot
from credfile.core.permissions import can_manage_review_policies, department_heads_of_any
from credfile.customers.choices import CustomerCategory
from credfile.customers.models import Customer
from credfile.customers.services import (
    contacts_verify,
    customer_update,
    lock_customer_for_change,
)
from credfile.ratings.choices import GRADES
from credfile.reviews import rules
from credfile.reviews.choices import NotificationKind, PolicyBasis, ReviewConclusion, RiskLevel
from credfile.reviews.models import (
    NOTIFICATION_TEXTS,
    Notification,
    Review,
    ReviewPolicy,
    ReviewSchedule,
)
from credfile.transactions.models import Contract

# --- policies ----------------------------------------------------------------------------------


def can_manage_policies(user: Any) -> bool:
    return can_manage_review_policies(user)


def _require_policy_manager(actor: User) -> None:
    if not can_manage_policies(actor):
        raise PermissionDenied(_("Only credit managers and administrators change review policies."))


def _check_policy(policy: ReviewPolicy) -> None:
    errors: dict[str, list[str]] = {}
    if policy.basis == PolicyBasis.DEFAULT:
        policy.value = ""
    elif policy.basis == PolicyBasis.RISK and policy.value not in RiskLevel.values:
        errors["value"] = [
            _("Choose a risk level: %(levels)s.") % {"levels": ", ".join(RiskLevel.values)}
        ]
    elif policy.basis == PolicyBasis.GRADE and policy.value not in GRADES:
        errors["value"] = [_("Choose a grade: %(grades)s.") % {"grades": ", ".join(GRADES)}]
    elif policy.basis == PolicyBasis.CATEGORY and policy.value not in CustomerCategory.values:
        errors["value"] = [
            _("Choose a customer category: %(categories)s.")
            % {"categories": ", ".join(CustomerCategory.values)}
        ]
    if policy.is_active and not errors:
        clash = ReviewPolicy.objects.filter(
            basis=policy.basis, value=policy.value, is_active=True
        ).exclude(pk=policy.pk)
        if clash.exists():
            errors["value"] = [_("An active policy for this already exists; change that one.")]
    if not errors:
        try:
            policy.full_clean(validate_constraints=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if policy.cycle_months is not None and not 1 <= policy.cycle_months <= 60:
        errors["cycle_months"] = [_("A review cycle is 1 to 60 months.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def policy_create(
    *, actor: User, basis: str, value: str = "", cycle_months: int, note: str = ""
) -> ReviewPolicy:
    _require_policy_manager(actor)
    policy = ReviewPolicy(basis=basis, value=value, cycle_months=cycle_months, note=note)
    _check_policy(policy)
    policy.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=policy, after=model_snapshot(policy))
    return policy


@transaction.atomic
def policy_update(
    *,
    actor: User,
    policy: ReviewPolicy,
    fields: dict[str, Any],
    expected_version: int | None = None,
) -> ReviewPolicy:
    """Change a policy's cycle, note or whether it is active; the next daily run applies it."""
    from credfile.core.errors import StaleVersion

    _require_policy_manager(actor)
    locked = ReviewPolicy.objects.select_for_update().get(pk=policy.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(locked.version, {})
    unknown = set(fields) - {"cycle_months", "note", "is_active"}
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    before = model_snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_policy(locked)
    changed_before, changed_after = changed_fields(before, model_snapshot(locked))
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


def active_policies() -> list[tuple[str, str, int]]:
    return [
        (p.basis, p.value, p.cycle_months)
        for p in ReviewPolicy.objects.filter(is_active=True).only("basis", "value", "cycle_months")
    ]


# --- the daily recomputation -------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _only(customer_ids: Iterable[int] | None, column: str) -> tuple[str, list[Any]]:
    if customer_ids is None:
        return "", []
    ids = list(customer_ids)
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


@transaction.atomic
def schedules_refresh(
    *, today: datetime.date | None = None, customer_ids: Iterable[int] | None = None
) -> int:
    """Recompute risk, cycle, next review date and data quality for every file (or the given
    ones), creating the missing review-state rows: five statements whatever the number.
    Returns how many files' risk, department, manager or quality parts changed."""
    today = today or _today()
    ids = list(customer_ids) if customer_ids is not None else None
    if ids is not None and not ids:
        return 0
    fresh_since = today - datetime.timedelta(days=rules.FRESH_DAYS)
    with connection.cursor() as cursor:
        # 1. A review-state row for every file that has none; the first cycle starts when
        #    the file was opened (the date in the configured time zone).
        missing = Customer.objects.filter(
            ~Exists(ReviewSchedule.objects.filter(customer_id=OuterRef("pk")))
        )
        if ids is not None:
            missing = missing.filter(pk__in=ids)
        # A file that holds older history (imported with its contracts) has been open since
        # its first contract.
        first_contract = (
            Contract.objects.filter(customer_id=OuterRef("pk"))
            .order_by("signed_on")
            .values("signed_on")[:1]
        )
        created = TruncDate("created_at")
        select_sql, select_params = (
            missing.annotate(opened=Least(created, Coalesce(Subquery(first_contract), created)))
            .values_list("pk", "department_id", "account_manager_id", "opened")
            .query.sql_with_params()
        )
        cursor.execute(
            "INSERT INTO reviews_reviewschedule (customer_id, department_id, account_manager_id,"
            " opened_on, next_review_on, risk, cycle_months, last_conclusion, quality_score,"
            " q_identity, q_contact_details, q_contact_verified, q_financials, q_classification)"
            f" SELECT m.*, m.opened, %s, %s, '', 0, {_false()}, {_false()}, {_false()},"
            f" {_false()}, {_false()} FROM ({select_sql}) m",
            [str(RiskLevel.NORMAL), rules.FALLBACK_CYCLE_MONTHS, *select_params],
        )
        # 2. Copies of the file's department and manager, risk, and the quality parts.
        risk, risk_params = rules.risk_sql(today)
        only, only_params = _only(ids, "s.customer_id")
        changed = _update_changed(
            cursor,
            [
                ("department_id", "c.department_id", []),
                ("account_manager_id", "c.account_manager_id", []),
                ("risk", risk, risk_params),
                *[
                    (name, sql, [fresh_since] if "%s" in sql else [])
                    for name, sql in rules.QUALITY_SQL.items()
                ],
            ],
            also=("computed_on = %s", [today]),
            only=(only, only_params),
        )
        # 3. The cycle from the policies, and the quality score from its parts.
        cycle, cycle_params = rules.cycle_sql(active_policies())
        _update_changed(
            cursor,
            [("cycle_months", cycle, cycle_params), ("quality_score", rules.score_sql(), [])],
            only=(only, only_params),
        )
        # 4. The next review: one cycle after the last review, or after the file was opened;
        #    never later than a date a risk measure brought it forward to.
        cycle_end = rules.add_months_sql(
            connection.vendor, "COALESCE(s.last_reviewed_on, s.opened_on)", "s.cycle_months"
        )
        next_on = (
            f"CASE WHEN s.review_by IS NOT NULL AND s.review_by < ({cycle_end})"
            f" THEN s.review_by ELSE ({cycle_end}) END"
        )
        #    No later than the end of the file's credit limit in force: a limit that runs
        #    out brings the file into the queue to be reviewed (and the limit renewed).
        next_on = rules.no_later_than_limit_sql(connection.vendor, next_on)
        _update_changed(
            cursor, [("next_review_on", next_on, [])], join=False, only=(only, only_params)
        )
        # 5. A file reviewed (or moved to a later date) since its escalation is no longer
        #    overdue: clear the mark, so it escalates again if it falls overdue again.
        cursor.execute(
            "UPDATE reviews_reviewschedule SET escalated_at = NULL"
            " WHERE escalated_at IS NOT NULL AND next_review_on >= %s"
            + _only(ids, "customer_id")[0],
            [today, *only_params],
        )
        return changed


def schedules_follow_files(*, customer_ids: list[int] | None) -> None:
    """Recompute the review state of files that have just changed (all files with None)."""
    schedules_refresh(customer_ids=customer_ids)


def _update_changed(
    cursor: Any,
    columns: list[tuple[str, str, list[Any]]],
    *,
    only: tuple[str, list[Any]],
    also: tuple[str, list[Any]] | None = None,
    join: bool = True,
) -> int:
    """UPDATE the review states whose computed values differ from the stored ones.

    Writing only the rows that change keeps a daily run over 100,000 files short and leaves
    no dead rows behind on PostgreSQL, where every updated row is a new row version.
    """
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    sets = ", ".join(f"{name} = {sql}" for name, sql, _params in columns)
    differs = " OR ".join(f"s.{name} {distinct} ({sql})" for name, sql, _params in columns)
    params = [p for _n, _s, ps in columns for p in ps]
    extra_sql, extra_params = also if also else ("", [])
    source = " FROM customers_customer AS c WHERE c.id = s.customer_id AND" if join else " WHERE"
    cursor.execute(
        f"UPDATE reviews_reviewschedule AS s SET {sets}{', ' if also else ''}{extra_sql}"
        f"{source} ({differs}){only[0]}",
        [*params, *extra_params, *params, *only[1]],
    )
    return int(cursor.rowcount)


def _false() -> str:
    return "false" if connection.vendor == "postgresql" else "0"


# --- reviews -----------------------------------------------------------------------------------

REVIEW_CHECKS = (
    "contacts_verified",
    "financials_updated",
    "transactions_checked",
    "rating_rechecked",
)
# File fields a review may propose to change; they go through change control.
PROPOSABLE_FIELDS = ("category", "status", "profit_class", "phone", "email", "remarks")


@dataclass(frozen=True)
class ReviewInput:
    findings: str
    conclusion: str
    contacts_verified: bool = False
    financials_updated: bool = False
    transactions_checked: bool = False
    rating_rechecked: bool = False


@transaction.atomic
def review_submit(
    *,
    actor: User,
    customer: Customer,
    findings: str,
    conclusion: str,
    contacts_verified: bool = False,
    financials_updated: bool = False,
    transactions_checked: bool = False,
    rating_rechecked: bool = False,
    proposed_changes: dict[str, Any] | None = None,
    reason: str = "",
    today: datetime.date | None = None,
) -> Review:
    """Record a completed review of a file: it moves the last and next review dates, and
    any proposed changes to the file are submitted for approval in the same transaction;
    with `contacts_verified`, the file's contacts are marked verified by the reviewer.

    The account manager of the file or the head of its department reviews it.
    """
    today = today or _today()
    customer = lock_customer_for_change(actor, customer)
    errors: dict[str, list[str]] = {}
    if not findings.strip():
        errors["findings"] = [_("Write down what the review found.")]
    if conclusion not in ReviewConclusion.values:
        errors["conclusion"] = [_("Choose a conclusion.")]
    proposed = {k: v for k, v in (proposed_changes or {}).items() if v not in (None, "")}
    unknown = set(proposed) - set(PROPOSABLE_FIELDS)
    for name in sorted(unknown):
        errors[name] = [_("A review cannot propose a change to this field.")]
    if errors:
        raise ValidationError(errors)
    schedules_refresh(today=today, customer_ids=[customer.pk])
    schedule = ReviewSchedule.objects.select_for_update().get(customer_id=customer.pk)
    was_due_on = schedule.next_review_on
    change_request_id = None
    if proposed:
        change_request_id = _submit_proposal(
            actor=actor, customer=customer, proposed=proposed, reason=reason or findings
        )
    if contacts_verified:
        # The review checked the contacts with the customer: the contacts say so themselves.
        contacts_verify(actor=actor, customer=customer, on=today)
    ReviewSchedule.objects.filter(pk=schedule.pk).update(
        last_reviewed_on=today, last_conclusion=conclusion, escalated_at=None, review_by=None
    )
    schedules_refresh(today=today, customer_ids=[customer.pk])
    schedule.refresh_from_db()
    review = Review(
        customer=customer,
        reviewer=actor,
        reviewed_on=today,
        contacts_verified=contacts_verified,
        financials_updated=financials_updated,
        transactions_checked=transactions_checked,
        rating_rechecked=rating_rechecked,
        findings=findings.strip(),
        conclusion=conclusion,
        proposed_changes=_jsonable(proposed),
        change_request_id=change_request_id,
        risk=schedule.risk,
        quality_score=schedule.quality_score,
        was_due_on=was_due_on,
        next_review_on=schedule.next_review_on,
    )
    review.full_clean(exclude=["customer", "reviewer"])
    review.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=review,
        after=model_snapshot(review),
        customer_id=customer.pk,
    )
    return review


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if not isinstance(v, bool | int) else v for k, v in values.items()}


def _submit_proposal(
    *, actor: User, customer: Customer, proposed: dict[str, Any], reason: str
) -> int | None:
    """Put the proposed changes through change control: fields whose
    group needs approval become one change request per group (change_request_submit); the
    others (phone, e-mail, remarks) need none and apply now, as an edit of the file would.
    """
    # Imported here: the change-control app imports the customers app, as this one does.
    from credfile.changes import registry
    from credfile.changes import services as changes

    spec = registry.target_for(registry.CUSTOMER_LABEL)
    grouped: dict[str, dict[str, Any]] = {}
    direct: dict[str, Any] = {}
    for name, value in proposed.items():
        group = spec.group_of(name)
        if group is not None and registry.needs_approval(group):
            grouped.setdefault(group, {})[name] = value
        else:
            direct[name] = value
    if direct:
        customer_update(actor=actor, customer=customer, fields=direct)
    first: int | None = None
    for group, values in sorted(grouped.items()):
        request = changes.change_request_submit(
            actor=actor, customer=customer, field_group=group, changes=values, reason=reason
        )
        first = first or int(request.pk)
    return first


# --- reminders and escalations -----------------------------------------------------------------


def reminder_days() -> int:
    return int(getattr(settings, "CREDFILE_REVIEW_REMINDER_DAYS", 14))


def escalation_days() -> int:
    return int(getattr(settings, "CREDFILE_REVIEW_ESCALATION_DAYS", 0))


@dataclass
class _Digest:
    recipient: User
    rows: list[dict[str, Any]]


_LISTED = 50


def _send(kind: str, digests: dict[int, _Digest]) -> int:
    """One notification (and one e-mail, if the user has an address) per recipient."""
    if not digests:
        return 0
    subject, intro = NOTIFICATION_TEXTS[kind]
    notifications: list[Notification] = []
    messages: list[EmailMessage] = []
    for digest in digests.values():
        user = digest.recipient
        rows = sorted(digest.rows, key=lambda r: (r["next_review_on"], r["id"]))
        with translation.override(settings.LANGUAGE_CODE):
            title = str(subject) % {"count": len(rows)}
            lines = [str(intro) % {"count": len(rows)}, ""]
            lines += [f"{r['code']} {r['name']} — {r['next_review_on']}" for r in rows[:_LISTED]]
            if len(rows) > _LISTED:
                lines.append(_("… and %(count)d more.") % {"count": len(rows) - _LISTED})
        body = "\n".join(lines)
        if user.email:
            messages.append(EmailMessage(title, body, to=[user.email]))
        notifications.append(
            Notification(
                recipient=user,
                kind=kind,
                subject=title[:200],
                body=body,
                file_count=len(rows),
                files=[{**r, "next_review_on": str(r["next_review_on"])} for r in rows[:_LISTED]],
                emailed=bool(user.email),
            )
        )
    Notification.objects.bulk_create(notifications)
    if messages:
        # One connection for the run's messages. If sending fails the transaction is rolled
        # back, so the next run sends them again.
        get_connection().send_messages(messages)
    return len(notifications)


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": values["customer_id"],
        "code": values["customer__code"],
        "name": values["customer__name"],
        "next_review_on": values["next_review_on"],
    }


_ROW_FIELDS = ("customer_id", "customer__code", "customer__name", "next_review_on")


@transaction.atomic
def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Remind account managers of their files due within the reminder window ("due soon")
    and of those due now ("due"): once per file and review date."""
    today = today or _today()
    soon_until = today + datetime.timedelta(days=reminder_days())
    result: dict[str, int] = {}
    for kind, condition, marker in (
        (
            NotificationKind.DUE_SOON,
            Q(next_review_on__gt=today, next_review_on__lte=soon_until),
            "soon_reminded_for",
        ),
        (NotificationKind.DUE, Q(next_review_on__lte=today), "due_reminded_for"),
    ):
        # Locked, so a review submitted meanwhile waits and its new date is not marked.
        due = ReviewSchedule.objects.filter(condition).exclude(**{marker: F("next_review_on")})
        pending = due.select_for_update(of=("self",))
        digests: dict[int, _Digest] = {}
        managers = {
            u.pk: u
            for u in User.objects.filter(
                pk__in=pending.values("account_manager_id"), is_active=True
            )
        }
        rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for values in pending.values("account_manager_id", *_ROW_FIELDS):
            rows[values["account_manager_id"]].append(_row(values))
        for manager_id, manager_rows in rows.items():
            if manager_id in managers:
                digests[manager_id] = _Digest(managers[manager_id], manager_rows)
        sent = _send(kind, digests)
        marked = due.update(**{marker: F("next_review_on")})
        result[f"{kind}_files"] = marked
        result[f"{kind}_notifications"] = sent
    return result


@transaction.atomic
def escalations_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Escalate files overdue for review (past their date by more than the escalation days)
    to the heads of their department, once per file until it is reviewed."""
    today = today or _today()
    overdue_before = today - datetime.timedelta(days=escalation_days())
    overdue = ReviewSchedule.objects.filter(
        next_review_on__lt=overdue_before, escalated_at__isnull=True
    )
    pending = overdue.select_for_update(of=("self",))
    heads: dict[int, list[User]] = defaultdict(list)
    for head in User.objects.filter(
        department_heads_of_any(),
        is_active=True,
        department_id__in=pending.values("department_id"),
    ):
        assert head.department_id is not None
        heads[head.department_id].append(head)
    digests: dict[int, _Digest] = {}
    for values in pending.values("department_id", *_ROW_FIELDS):
        for head in heads.get(values["department_id"], []):
            digests.setdefault(head.pk, _Digest(head, [])).rows.append(_row(values))
    sent = _send(NotificationKind.ESCALATION, digests)
    marked = overdue.update(escalated_at=timezone.now())
    return {"escalated_files": marked, "escalation_notifications": sent}


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
