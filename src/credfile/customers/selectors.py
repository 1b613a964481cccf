"""Reads of credit files, always through the user's scope."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import connections
from django.db.models import F, Func, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.http import Http404
from stdnum.cn import uscc

from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_access_denied, audit_record, mask_free_text
from credfile.core.crypto import blind_index
from credfile.core.identifiers import is_resident_id, try_phone
from credfile.core.normalize import name_key
from credfile.core.permissions import (
    Action,
    Section,
    access_annotations,
    customer_scope,
    file_access,
    file_export_scope,
    grant_for_section,
)
from credfile.customers.models import Contact, Customer
from credfile.customers.name_index import NAME_FTS

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

    def as_dict(self) -> dict[str, Any]:
        """The filters that are set, for the record of an export (a search term that is an
        ID or phone number masked, as in the logs)."""
        values = {k: v for k, v in asdict(self).items() if v not in (None, "")}
        if "q" in values:
            values["q"] = mask_free_text(values["q"])
        return values


def customer_queryset(*, user: Any, action: Action = Action.VIEW) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_scope(user, action))


def customer_get(
    *,
    user: Any,
    pk: int,
    action: Action = Action.VIEW,
    section: Section | str | None = None,
    use: str = "view",
    trace: bool | None = None,
) -> Customer:
    """The customer if `user` may act on it (and, with `section`, see that section), else 404
    (never confirm that it exists).

    The result carries `access` (how the user reaches it: role or grant, which sections,
    what else they may do). A read (view or report) is recorded in the audit trail — who,
    which file, which section, under which grant and purpose, from where — unless
    `trace=False` (a page re-shown after a write, which is recorded itself).
    """
    customer = (
        Customer.objects.filter(customer_scope(user, action, section=section))
        .select_related("department", "account_manager")
        .annotate(**access_annotations(user))
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        # The user sees only a 404; the trail records a refused look at a file that exists.
        existing = Customer.objects.filter(pk=pk).first()
        if existing is not None:
            requested = f"{action} {section}" if section else str(action)
            audit_access_denied(
                actor=user, obj=existing, customer_id=pk, requested=requested, use=use
            )
        raise Http404
    access = file_access(user=user, customer=customer)
    if access is None:  # cannot happen for a row the scope returned, short of a race
        raise Http404
    customer.access = access  # type: ignore[attr-defined]
    if trace is None:
        trace = action in {Action.VIEW, Action.REPORT}
    if trace:
        file_read_record(user=user, customer=customer, section=section, use=use)
    return customer


def file_read_record(
    *, user: Any, customer: Customer, section: Section | str | None, use: str
) -> None:
    """One audit event for one look at a file: through the role (`view`) or under a usage
    grant (`grant_use`, with the grant and its purpose)."""
    access = customer.access  # type: ignore[attr-defined]
    details: dict[str, Any] = {"section": str(section or ""), "use": use}
    if access.via_grant:
        grant = grant_for_section(access, section)
        details |= {"grant": grant.pk, "purpose": grant.purpose, "what": use}
        action = AuditAction.GRANT_USE
    else:
        action = AuditAction.VIEW
    audit_record(
        actor=user,
        action=action,
        obj=customer,
        customer_id=customer.pk,
        object_repr=f"{customer.code} {customer.name}",
        after=details,
    )


def _search(q: str) -> Q:
    """Exact ID number, credit code or phone; else code or part of the (normalised) name."""
    term = q.strip()
    compact = term.replace(" ", "").upper()
    # The unique indexes on these columns are partial (non-empty values); SQLite uses a
    # partial index only when the query repeats its condition.
    if len(compact) == 18 and is_resident_id(compact):
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
    if not key:
        return Q(code=compact)
    return _code_or_name_part(compact, key)


def _code_or_name_part(code: str, key: str) -> Q:
    """Customer code `code`, or a name_key containing `key` — always the rows of
    `code = … OR name_key LIKE '%key%'`, found through each database's name index
    (migration 0004) so that no search reads every row."""
    vendor = connections[Customer.objects.db].vendor
    if vendor == "postgresql" and len(key) < TRIGRAM:
        return Q(code=code) | _has_name_gram(key)
    # PostgreSQL's trigram index serves the LIKE itself.
    condition = Q(code=code) | Q(name_key__contains=key)
    if vendor == "sqlite" and len(key) >= TRIGRAM:
        condition &= Q(pk__in=_trigram_candidates(key, code))
    return condition


# A trigram index holds runs of three characters: a shorter part has none to look up.
TRIGRAM = 3


def _has_name_gram(key: str) -> Q:
    """On PostgreSQL, name_key contains `key` of one or two characters, as the GIN index of
    each key's one- and two-character pieces (migration 0004) answers: the same rows as
    `name_key LIKE '%key%'`, since the pieces are every substring of that length."""
    from django.contrib.postgres.fields import ArrayField

    pieces = ArrayField(TextField())
    contains = pieces.get_lookup("contains")  # text[] @> ARRAY[key]
    if contains is None:  # cannot happen: ArrayField registers it
        raise LookupError("ArrayField has no contains lookup")
    grams = Func(F("name_key"), function="credfile_customer_name_grams", output_field=pieces)
    return Q(contains(grams, [key]))


def _trigram_candidates(key: str, code: str) -> RawSQL:
    """On SQLite, the ids that may have code `code` or contain name part `key`: a superset,
    from the FTS5 trigram table (migration 0004) and the code's unique index.

    The search's own condition still decides. A part shorter than three characters is
    tested in the list's indexes instead, which carry name_key and code (Customer.Meta).
    """
    return RawSQL(
        f"SELECT rowid FROM {NAME_FTS} WHERE {NAME_FTS} MATCH %s "
        f"UNION ALL SELECT id FROM {Customer._meta.db_table} WHERE code = %s",
        ['"' + key.replace('"', '""') + '"', code],
    )


def customer_search(*, user: Any, filters: CustomerFilters) -> QuerySet[Customer]:
    return _filtered(customer_queryset(user=user), filters)


def customer_export_queryset(*, user: Any, filters: CustomerFilters) -> QuerySet[Customer]:
    """The files of the list, filtered as the list is, that an export of it holds: the
    policy's export scope (no file lent by a grant)."""
    return _filtered(Customer.objects.filter(file_export_scope(user)), filters)


def _filtered(qs: QuerySet[Customer], filters: CustomerFilters) -> QuerySet[Customer]:
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
