"""Reads of change requests, scoped to who may see and decide them.

Who decides (the rule, written out in docs/permissions.md): a department head of the file's
department, never the maker. A department head's own request is decided by another head of
the same department or by an executive (公司负责人); executives decide no other requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from credfile.changes.choices import ChangeKind, ChangeStatus
from credfile.changes.models import ChangeNotification, ChangeRequest
from credfile.core.permissions import EVERYTHING, Action, change_decide_scope, customer_scope
from credfile.customers.models import Customer


def decide_scope(user: Any) -> Q:
    """The change requests `user` may approve or reject, as a filter."""
    return change_decide_scope(user)


def request_queryset(*, user: Any) -> QuerySet[ChangeRequest]:
    """Requests the user may see: their own, those they decide or decided, and those about
    files they may view (the values stay masked)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ChangeRequest.objects.none()
    requests = ChangeRequest.objects.select_related(
        "customer", "customer__department", "maker", "checker"
    )
    files = customer_scope(user, Action.VIEW, prefix="customer__", grants=False)
    if files is EVERYTHING:
        # (An empty Q would vanish from the OR below.)
        return requests
    visible = Q(maker_id=user.pk) | Q(checker_id=user.pk) | decide_scope(user) | files
    return requests.filter(visible)


def request_get(*, user: Any, pk: int) -> ChangeRequest:
    request = request_queryset(user=user).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def awaiting_decision(*, user: Any) -> QuerySet[ChangeRequest]:
    return request_queryset(user=user).filter(decide_scope(user), status=ChangeStatus.PENDING)


def may_decide(*, user: Any, request: ChangeRequest) -> bool:
    return (
        request.status == ChangeStatus.PENDING
        and ChangeRequest.objects.filter(decide_scope(user), pk=request.pk).exists()
    )


def pending_for_customer(*, customer: Customer) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(customer=customer, status=ChangeStatus.PENDING)


def unread_notifications(*, user: Any) -> QuerySet[ChangeNotification]:
    return ChangeNotification.objects.filter(recipient_id=user.pk, read_at__isnull=True)


# --- the proposed change as a diff ---------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    name: str
    label: str
    before: str  # on file when the request was made
    current: str  # on file now (while pending)
    proposed: str
    moved: bool  # the value on file changed since the request was made


def request_diff(request: ChangeRequest, *, reveal: bool = False) -> list[DiffLine]:
    """Field by field: the value when the request was made, now, and proposed. Sensitive
    values masked unless `reveal` (which the caller has checked and recorded)."""
    return request_diffs([request], reveal=reveal)[request.pk]


def request_diffs(
    requests: Iterable[ChangeRequest], *, reveal: bool = False
) -> dict[int, list[DiffLine]]:
    """The diffs of many requests, with the objects' current values read in one query per
    kind of object."""
    from credfile.audit.services import model_snapshot
    from credfile.changes.registry import target_for

    requests = list(requests)
    wanted: dict[str, set[int]] = {}
    for request in requests:
        if request.status == ChangeStatus.PENDING and request.customer_id is not None:
            wanted.setdefault(request.target_type, set()).add(request.target_id)
    now: dict[tuple[str, int], dict[str, Any]] = {}
    for label, ids in wanted.items():
        for obj in target_for(label).model._default_manager.filter(pk__in=ids):
            now[(label, obj.pk)] = model_snapshot(obj)
    return {
        r.pk: _lines(r, now.get((r.target_type, r.target_id), {}), reveal=reveal) for r in requests
    }


def _lines(request: ChangeRequest, now: dict[str, Any], *, reveal: bool) -> list[DiffLine]:
    from credfile.history.selectors import display_value, field_label

    label = request.target_type
    proposal = request.proposal
    before: dict[str, Any] = proposal.get("before", {})
    proposed: dict[str, Any] = proposal.get("changes", {})
    if request.kind == ChangeKind.UPDATE:
        names = list(proposed)
    else:
        names = [n for n, v in before.items() if v not in (None, "", [])]
    # Amounts are shown in their currency: the one proposed with them, else the one on file.
    then_row = {**now, **before}
    proposed_row = {**then_row, **proposed}
    lines = []
    for name in names:
        current = now.get(name, before.get(name))
        lines.append(
            DiffLine(
                name=name,
                label=field_label(label, name),
                before=display_value(label, name, before.get(name), reveal=reveal, row=then_row),
                current=display_value(label, name, current, reveal=reveal, row=now or then_row),
                proposed=(
                    display_value(label, name, proposed.get(name), reveal=reveal, row=proposed_row)
                    if request.kind == ChangeKind.UPDATE
                    else "—"
                ),
                moved=bool(now) and name in now and now[name] != before.get(name),
            )
        )
    return lines


def decidable(*, user: Any, requests: Iterable[ChangeRequest]) -> set[int]:
    """Which of these pending requests the user may decide, in one query."""
    ids = [r.pk for r in requests if r.status == ChangeStatus.PENDING]
    if not ids:
        return set()
    return set(
        ChangeRequest.objects.filter(decide_scope(user), pk__in=ids).values_list("pk", flat=True)
    )
