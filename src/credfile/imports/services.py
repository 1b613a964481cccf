"""Bulk import of credit files from CSV or xlsx.

Every row goes through the customers app's own checks (`customer_clean`: identity numbers
through python-stdnum, credit codes, phone numbers, the model's field rules); what needs
other rows (a duplicate identity number, an external code seen before) is checked set-based,
one query per batch. A file with any error writes nothing. A clean file is written in one
transaction, in batches: bulk inserts, one history version and one audit event per created
file, and one audit event for the import itself with the file's SHA-256 and counts.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from credfile.accounts.models import Department, User
from credfile.audit.choices import AuditAction
from credfile.audit.services import (
    audit_record,
    audit_record_many,
    mask_free_text,
    model_snapshot,
)
from credfile.core.permissions import Action, can_import, customer_scope, may_place_file
from credfile.core.planner import BULK_ROWS, refresh_statistics
from credfile.core.sequences import next_value
from credfile.customers.choices import CustomerKind, Industry, Province
from credfile.customers.hooks import files_changed
from credfile.customers.models import Customer
from credfile.customers.services import CUSTOMER_SEQUENCE, customer_clean, format_customer_code
from credfile.history.models import FileVersion
from credfile.history.services import created_versions
from credfile.imports import contacts, contracts, orders, receivables, statements
from credfile.imports.columns import KINDS, match_headers
from credfile.imports.parsing import FileRefused, read_table
from credfile.imports.results import ImportResult, RowError, batches

BATCH = 1000
PREVIEW_ROWS = 10
_MUNICIPALITIES = {"11", "12", "31", "50"}


def _choice_lookup(choices: Any, *, strip_letter: bool = False) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[value.casefold()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                text = str(label)
            lookup[text.casefold()] = value
            if strip_letter and " " in text:
                lookup[text.split(" ", 1)[1].casefold()] = value
    return lookup


@functools.cache
def _province_names() -> list[tuple[str, str]]:
    """(name, code), longest first, so 内蒙古自治区 wins over a shorter prefix."""
    names: dict[str, str] = {}
    for value, label in Province.choices:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                text = str(label)
            names[text] = value
        with translation.override("zh-hans"):
            full = str(label)
        for suffix in (
            "维吾尔自治区",
            "壮族自治区",
            "回族自治区",
            "特别行政区",
            "自治区",
            "省",
            "市",
        ):
            if full.endswith(suffix):
                names[full[: -len(suffix)]] = value
                break
    return sorted(names.items(), key=lambda item: -len(item[0]))


def split_region(text: str) -> tuple[str, str] | None:
    """浙江省杭州市西湖区 → ("33", "杭州市"); None when no province starts the text."""
    text = "".join(text.split())
    for name, code in _province_names():
        if not text.casefold().startswith(name.casefold()):
            continue
        rest = text[len(name) :]
        for suffix in ("省", "市", "自治区"):
            if rest.startswith(suffix):
                rest = rest[len(suffix) :]
                break
        if code in _MUNICIPALITIES:
            with translation.override("zh-hans"):
                return code, str(Province(code).label)
        for end in ("自治州", "地区", "市", "州", "盟"):
            at = rest.find(end)
            if at > 0:
                return code, rest[: at + len(end)]
        return code, rest
    return None


class _Context:
    """What every row of one import refers to, looked up once."""

    def __init__(self, actor: User, department: Department) -> None:
        self.actor = actor
        self.department = department
        self.departments = {d.code.casefold(): d for d in Department.objects.all()}
        self.departments.update({d.name.casefold(): d for d in self.departments.values()})
        self.kinds = _choice_lookup(CustomerKind)
        self.kinds.update({"个人": CustomerKind.INDIVIDUAL, "单位": CustomerKind.ORGANIZATION})
        self.kinds["organisation"] = CustomerKind.ORGANIZATION
        self.industries = _choice_lookup(Industry, strip_letter=True)
        self.provinces = _choice_lookup(Province)
        self.provinces.update({name.casefold(): code for name, code in _province_names()})


# A model field's error is reported in the column the value came from.
_FIELD_COLUMN = {"birth_date": "id_number", "gender": "id_number", "account_manager": "department"}


def _customer_from_row(
    ctx: _Context, cells: dict[str, str], report: Callable[[str, str], None]
) -> Customer | None:
    customer = Customer(
        external_code=cells.get("external_code", ""),
        name=cells.get("name", ""),
        credit_code=cells.get("credit_code", "").upper(),
        city=cells.get("city", ""),
    )
    # Sealed values: assigning seals them with the row's identity (and sets the blind index).
    customer.id_number = cells.get("id_number", "")
    customer.phone = cells.get("phone", "")
    failed: set[str] = set()

    def fail(column: str, message: str) -> None:
        failed.add(column)
        report(column, message)

    ok = True
    if not customer.external_code:
        fail("external_code", _("Enter the customer's code in the source system."))
        ok = False
    kind = cells.get("kind", "")
    customer.kind = ctx.kinds.get(kind.casefold(), "")
    if not customer.kind:
        fail("kind", _("Write individual or organization (个人 or 单位)."))
        ok = False
    if cells.get("province"):
        province = ctx.provinces.get(cells["province"].casefold())
        if province is None:
            fail("province", _("No such province."))
            ok = False
        else:
            customer.province = province
    if cells.get("region"):
        split = split_region(cells["region"])
        if split is None:
            fail("region", _("The region does not start with a province."))
            ok = False
        else:
            if customer.province and customer.province != split[0]:
                fail("region", _("The region names another province than the province column."))
                ok = False
            customer.province = split[0]
            customer.city = customer.city or split[1]
    if cells.get("industry"):
        industry = ctx.industries.get(cells["industry"].casefold())
        if industry is None:
            fail("industry", _("Write a GB/T 4754 section letter (A–T) or its name."))
            ok = False
        else:
            customer.industry = industry
    department = ctx.department
    if cells.get("department"):
        found = ctx.departments.get(cells["department"].casefold())
        if found is None:
            fail("department", _("No such department."))
            return None
        department = found
    refused = may_place_file(
        ctx.actor, department_id=department.pk, account_manager_id=ctx.actor.pk
    )
    if refused:
        fail("department", _("You can only file customers in your department."))
        ok = False
    customer.department = department
    customer.account_manager = ctx.actor
    try:
        customer_clean(customer, resolved=("department", "account_manager"))
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = _FIELD_COLUMN.get(name, name)
            if column in failed:
                continue  # said already, in the import's own words
            for message in messages:
                fail(column, message)
        ok = False
    return customer if ok else None


def import_file(
    *,
    actor: User,
    kind: str,
    data: bytes,
    department_code: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    on_write: Callable[[], None] | None = None,
) -> ImportResult:
    """Check a file and, unless `dry_run` or any row is wrong, import it in one transaction.

    `on_total` is called with the file's number of rows once it is read, `progress` with the
    number of rows checked after each batch, `on_write` before the writing starts."""
    result = ImportResult(kind=kind, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run)
    if not can_import(actor):
        raise PermissionDenied(_("You may not import files."))
    columns = KINDS.get(kind)
    if columns is None:
        result.errors.append(RowError(0, "", _("Unknown kind of import.")))
        return result
    try:
        table = read_table(data)
    except FileRefused as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    result.headers = table.headers
    # Masked like every identity or phone number on a page: the preview is not a reveal.
    result.preview = [
        [mask_free_text(v) for v in values] for _n, values in table.rows[:PREVIEW_ROWS]
    ]
    result.rows = len(table.rows)
    if on_total is not None:
        on_total(result.rows)
    positions = match_headers(columns, table.headers)
    missing = [c for c in columns if c.required and c.name not in positions]
    for column in missing:
        result.errors.append(
            RowError(
                1,
                column.name,
                _("The required column %(name)s (%(label)s) is missing.")
                % {"name": column.name, "label": column.label},
            )
        )
    if missing:
        return result
    write: Callable[[], None]
    if kind == "customers":
        department = _department(actor, department_code, result)
        if department is None:
            return result
        new = _check_customers(actor, department, positions, table.rows, result, progress)

        def write() -> None:
            _write_customers(actor, new, result)

    elif kind == "invoices":
        invoices = receivables.check_invoices(actor, positions, table.rows, result, progress)

        def write() -> None:
            receivables.write_invoices(actor, invoices, result)

    elif kind == "contracts":
        deals = contracts.check_contracts(actor, positions, table.rows, result, progress)

        def write() -> None:
            contracts.write_contracts(actor, deals, result)

    elif kind == "statements":
        reports = statements.check_statements(actor, positions, table.rows, result, progress)

        def write() -> None:
            statements.write_statements(actor, reports, result)

    elif kind == "open_orders":
        kept = orders.check_open_orders(actor, positions, table.rows, result, progress)

        def write() -> None:
            orders.write_open_orders(actor, kept, result)

    elif kind == "contacts":
        people = contacts.check_contacts(actor, positions, table.rows, result, progress)

        def write() -> None:
            contacts.write_contacts(actor, people, result)

    else:
        payments = receivables.check_payments(actor, positions, table.rows, result, progress)

        def write() -> None:
            receivables.write_payments(actor, payments, result)

    if result.errors or dry_run:
        return result
    if on_write is not None:
        on_write()
    with transaction.atomic():
        write()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="imports.import",
            object_repr=_("Import of %(kind)s") % {"kind": result.kind},
            after={
                "import": result.kind,
                "sha256": result.sha256,
                "rows": result.rows,
                "created": result.created,
                "unchanged": result.unchanged,
            },
        )
    if result.rows >= BULK_ROWS:
        refresh_statistics()
    return result


def _department(actor: User, code: str | None, result: ImportResult) -> Department | None:
    if code:
        department = Department.objects.filter(code__iexact=code).first()
        if department is None:
            result.errors.append(RowError(0, "department", _("No such department.")))
        return department
    if actor.department_id is None:
        result.errors.append(RowError(0, "department", _("Name the department to import into.")))
        return None
    return actor.department


def _check_customers(
    actor: User,
    department: Department,
    positions: dict[str, int],
    rows: list[tuple[int, list[str]]],
    result: ImportResult,
    progress: Callable[[int], None] | None,
) -> list[Customer]:
    ctx = _Context(actor, department)
    headers = result.headers
    new: list[Customer] = []
    named: dict[int, str] = {}  # files on file that a row's identity number names
    seen: dict[str, dict[str, int]] = {"external_code": {}, "id_number": {}, "credit_code": {}}
    done = 0
    for batch in batches(rows, BATCH):
        built: list[tuple[int, Customer]] = []
        for number, values in batch:
            cells = {
                name: values[at].strip() if at < len(values) else ""
                for name, at in positions.items()
            }

            def fail(name: str, message: str, number: int = number) -> None:
                at = positions.get(name)
                column = headers[at] if at is not None else name
                result.errors.append(RowError(number, column, message))

            customer = _customer_from_row(ctx, cells, fail)
            if customer is not None:
                built.append((number, customer))
        # Set-based: what the database holds already, one query per identity per batch.
        codes = [c.external_code for _n, c in built]
        known = set(
            Customer.objects.filter(external_code__in=codes).values_list("external_code", flat=True)
        )
        bidx = [c.id_number_bidx for _n, c in built if c.id_number_bidx]
        taken_ids = dict(
            Customer.objects.filter(id_number_bidx__in=bidx).values_list("id_number_bidx", "pk")
        )
        credit = [c.credit_code for _n, c in built if c.credit_code]
        taken_credit = dict(
            Customer.objects.filter(credit_code__in=credit).values_list("credit_code", "pk")
        )
        for number, customer in built:
            column = headers[positions["external_code"]]
            first = seen["external_code"].setdefault(customer.external_code, number)
            if first != number:
                result.errors.append(
                    RowError(
                        number,
                        column,
                        _("The same code is on row %(row)d already.") % {"row": first},
                    )
                )
                continue
            if customer.external_code in known:
                # Imported before: idempotent, nothing to do.
                result.unchanged += 1
                continue
            problem = False
            for name, key, taken in (
                ("id_number", customer.id_number_bidx, taken_ids),
                ("credit_code", customer.credit_code, taken_credit),
            ):
                if not key:
                    continue
                at = positions.get(name)
                col = headers[at] if at is not None else name
                earlier = seen[name].setdefault(key, number)
                if key in taken:
                    result.errors.append(
                        RowError(number, col, _("A credit file with this number already exists."))
                    )
                    named.setdefault(taken[key], name)
                    problem = True
                elif earlier != number:
                    result.errors.append(
                        RowError(
                            number,
                            col,
                            _("The same number is on row %(row)d already.") % {"row": earlier},
                        )
                    )
                    problem = True
            if not problem:
                new.append(customer)
        done += len(batch)
        if progress is not None:
            progress(done)
    _record_lookups(actor, named)
    return new


def _record_lookups(actor: User, named: dict[int, str]) -> None:
    """A refusal that tells the importer a file exists which they may not view is a lookup
    in the audit trail, as the form's duplicate check records it."""
    hidden = (
        Customer.objects.filter(pk__in=list(named))
        .exclude(customer_scope(actor, Action.VIEW, grants=False))
        .order_by("pk")
    )
    for other in hidden:
        audit_record(
            actor=actor,
            action=AuditAction.LOOKUP,
            obj=other,
            customer_id=other.pk,
            after={"check": "duplicate", "field": named[other.pk]},
        )


@transaction.atomic
def _write_customers(actor: User, new: list[Customer], result: ImportResult) -> None:
    size = None if connection.vendor == "sqlite" else BATCH
    if new:
        first = next_value(CUSTOMER_SEQUENCE, count=len(new))
        for offset, customer in enumerate(new):
            customer.code = format_customer_code(first + offset)
    for batch in batches(new, BATCH):
        Customer.objects.bulk_create(batch, batch_size=size)
        FileVersion.objects.bulk_create(
            created_versions(actor=actor, objects=batch), batch_size=size
        )
        audit_record_many(
            actor=actor,
            action=AuditAction.CREATE,
            objects=list(batch),
            after=[model_snapshot(c) for c in batch],
        )
    result.created = len(new)
    files_changed(customer_ids=[c.pk for c in new])
