"""Reads of credit files, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from stdnum.cn import ric, uscc

from credfile.audit.services import audit_access_denied
from credfile.core.crypto import blind_index
from credfile.core.identifiers import try_phone
from credfile.core.normalize import name_key
from credfile.core.permissions import Action, customer_scope, scope_flag
from credfile.customers.models import Contact, Customer

SORTS = {
    "name": "name",
    "-name": "-name",
    "code": "code",
    "-code": "-code",
    "created": "created_at",
    "-created": "-created_at",
    "updated": "updated_at",
    "-updated": "-updated_at",
}
DEFAULT_SORT = "-updated"


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    kind: str = ""
    category: str = ""
    province: str = ""
    department: int | None = None
    status: str = ""


def customer_queryset(*, user: Any, action: Action = Action.VIEW) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_scope(user, action))


def customer_get(
    *, user: Any, pk: int, action: Action = Action.VIEW, use: str = "view"
) -> Customer:
    """The customer if `user` may act on it, else 404 (never confirm that it exists).

    The result carries `access` (how the user reaches it: role or grant, which sections,
    whether they may reveal sensitive values). A view under a usage grant is logged with
    the grant's purpose and `use`.
    """
    from credfile.access.selectors import file_access
    from credfile.access.services import grant_use_record

    customer = (
        customer_queryset(user=user, action=action)
        .select_related("department", "account_manager")
        .annotate(in_role_scope=scope_flag(customer_scope(user, Action.VIEW, grants=False)))
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        # The user sees only a 404; the trail records a refused look at a file that exists.
        existing = Customer.objects.filter(pk=pk).first()
        if existing is not None:
            audit_access_denied(
                actor=user, obj=existing, customer_id=pk, requested=str(action), use=use
            )
        raise Http404
    access = file_access(user=user, customer=customer, in_role_scope=customer.in_role_scope)
    if access is None:  # cannot happen for a row the scope returned, short of a race
        raise Http404
    if access.grant is not None:
        grant_use_record(user=user, grant=access.grant, customer=customer, what=use)
    customer.access = access  # type: ignore[attr-defined]
    return customer


def _search(q: str) -> Q:
    """Exact ID number, credit code or phone; else code or part of the (normalised) name."""
    term = q.strip()
    compact = term.replace(" ", "").upper()
    # The unique indexes on these columns are partial (non-empty values); SQLite uses a
    # partial index only when the query repeats its condition.
    if len(compact) == 18 and ric.is_valid(compact):
        return Q(id_number_bidx=blind_index("ric", compact)) & ~Q(id_number_bidx="")
    if len(compact) == 18 and uscc.is_valid(compact):
        return Q(credit_code=compact) & ~Q(credit_code="")
    phone = try_phone(term)
    if phone:
        digest = blind_index("phone", phone)
        contact_ids = Contact.objects.filter(Q(mobile_bidx=digest) | Q(phone_bidx=digest)).values(
            "customer_id"
        )
        return Q(phone_bidx=digest) | Q(pk__in=contact_ids)
    key = name_key(term)
    condition = Q(code=compact)
    if key:
        condition |= Q(name_key__contains=key)
    return condition


def customer_search(*, user: Any, filters: CustomerFilters) -> QuerySet[Customer]:
    qs = customer_queryset(user=user)
    if filters.q.strip():
        qs = qs.filter(_search(filters.q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.province:
        qs = qs.filter(province=filters.province)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs
