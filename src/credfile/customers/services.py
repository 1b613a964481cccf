"""Writes to credit files. The one code path for pages, the API, commands and the demo loader."""

from __future__ import annotations

import contextvars
import datetime
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from credfile.accounts.models import Department, User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record, changed_fields, model_snapshot
from credfile.core import identifiers
from credfile.core.crypto import blind_index
from credfile.core.errors import ConfirmationRequired, DuplicateRecord, StaleVersion
from credfile.core.models import Currency
from credfile.core.normalize import name_key
from credfile.core.permissions import Action, can_create_customer, customer_scope, may_place_file
from credfile.core.sequences import next_value
from credfile.customers.choices import (
    LIFECYCLE_STATUS_ERROR,
    LIFECYCLE_STATUSES,
    CustomerKind,
    CustomerStatus,
)
from credfile.customers.hooks import files_changed
from credfile.customers.models import Address, Contact, Customer, Tag
from credfile.history.choices import Operation
from credfile.history.services import (
    Change,
    file_deleted,
    file_snapshot,
    version_record,
    version_record_one,
)

CUSTOMER_SEQUENCE = "customer"

# Fields a user may set on a customer; the rest are derived or system-kept.
INDIVIDUAL_FIELDS = ("gender", "id_number", "passport_number", "birth_date")
ORGANIZATION_FIELDS = (
    "credit_code",
    "legal_representative",
    "registered_capital",
    "registered_capital_currency",
    "business_scope",
    "established_on",
    "industry",
)
COMMON_FIELDS = (
    "kind",
    "name",
    "phone",
    "email",
    "website",
    "bank_name",
    "bank_account",
    "category",
    "province",
    "city",
    "profit_class",
    "status",
    "remarks",
    "department",
    "account_manager",
)
CUSTOMER_FIELDS = COMMON_FIELDS + INDIVIDUAL_FIELDS + ORGANIZATION_FIELDS


def lifecycle_status_message() -> str:
    return _(
        "A file is settled or archived only on its life cycle page, which records who did "
        "it and when; choose another status here."
    )


# --- lookups: a duplicate or similar-name check that names another file ----------------------

_lookup_depth: contextvars.ContextVar[int] = contextvars.ContextVar("lookup_depth", default=0)

P = ParamSpec("P")
R = TypeVar("R")


def traced_lookups(service: Callable[P, R]) -> Callable[P, R]:
    """Record, as a lookup in the audit trail, a refusal that names a file the actor may not
    view (a duplicate identity number, a similar name): it tells them the file exists.

    Put outside the service's transaction, which the refusal rolls back; nested services
    leave the record to the outermost one, so it is written once and outside every rollback.
    """

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _lookup_depth.set(_lookup_depth.get() + 1)
        try:
            return service(*args, **kwargs)
        except (DuplicateRecord, ConfirmationRequired) as exc:
            if _lookup_depth.get() == 1:
                _record_lookup(kwargs.get("actor"), exc)
            raise
        finally:
            _lookup_depth.reset(token)

    return wrapper


def _record_lookup(actor: Any, exc: DuplicateRecord | ConfirmationRequired) -> None:
    named = [exc.existing] if isinstance(exc, DuplicateRecord) else list(exc.matches)
    ids = [c.pk for c in named if c is not None and c.pk]
    if actor is None or not ids:
        return
    visible = set(
        Customer.objects.filter(
            customer_scope(actor, Action.VIEW, grants=False), pk__in=ids
        ).values_list("pk", flat=True)
    )
    check = "duplicate" if isinstance(exc, DuplicateRecord) else "similar name"
    for other in named:
        if other.pk in visible:
            continue
        audit_record(
            actor=actor,
            action=AuditAction.LOOKUP,
            obj=other,
            customer_id=other.pk,
            after={"check": check, "field": exc.field},
        )


def format_customer_code(value: int) -> str:
    return f"C{value:08d}"


def _clean_identity(customer: Customer, errors: dict[str, list[str]]) -> None:
    """Validate and normalise identity numbers; derive birth date and gender from an ID."""

    def check(field: str, cleaner: Any) -> None:
        value = getattr(customer, field)
        if not value:
            return
        try:
            setattr(customer, field, cleaner(value))
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)

    if customer.kind == CustomerKind.INDIVIDUAL:
        for field in ORGANIZATION_FIELDS:
            if field in {"registered_capital_currency"}:
                continue
            if getattr(customer, field) not in (None, ""):
                errors.setdefault(field, []).append(
                    _("Only an organisation has this field; leave it empty for an individual.")
                )
        check("id_number", identifiers.clean_resident_id)
        check("passport_number", identifiers.clean_passport)
        if customer.id_number and "id_number" not in errors:
            born = identifiers.resident_id_birth_date(customer.id_number)
            gender = identifiers.resident_id_gender(customer.id_number)
            if customer.birth_date and customer.birth_date != born:
                errors.setdefault("birth_date", []).append(
                    _("The birth date does not match the ID number (%(date)s).")
                    % {"date": born.isoformat()}
                )
            customer.birth_date = born
            if customer.gender and customer.gender != gender:
                errors.setdefault("gender", []).append(
                    _("The gender does not match the ID number.")
                )
            customer.gender = gender
    elif customer.kind == CustomerKind.ORGANIZATION:
        for field in INDIVIDUAL_FIELDS:
            if getattr(customer, field) not in (None, ""):
                errors.setdefault(field, []).append(
                    _("Only an individual has this field; leave it empty for an organisation.")
                )
        check("credit_code", identifiers.clean_credit_code)
        if customer.registered_capital is not None and customer.registered_capital < 0:
            errors.setdefault("registered_capital", []).append(
                _("The registered capital cannot be negative.")
            )
    check("phone", identifiers.clean_phone)
    check("bank_account", identifiers.clean_bank_account)


def identity_filter(field: str, value: str) -> Q:
    """Rows holding this identity number: sealed ID numbers are found by their blind index."""
    if field == "id_number":
        return Q(id_number_bidx=blind_index("ric", value))
    return Q(**{field: value})


def _check_duplicates(customer: Customer) -> None:
    others = Customer.objects.exclude(pk=customer.pk) if customer.pk else Customer.objects.all()
    for field, label in (
        ("id_number", _("ID number")),
        ("credit_code", _("unified social credit code")),
    ):
        value = getattr(customer, field)
        if not value:
            continue
        existing = others.filter(identity_filter(field, value)).first()
        if existing is not None:
            raise DuplicateRecord(
                field,
                _("A credit file with this %(label)s already exists: %(customer)s.")
                % {"label": label, "customer": existing},
                existing,
            )


def _check_similar_name(customer: Customer) -> None:
    others = Customer.objects.exclude(pk=customer.pk) if customer.pk else Customer.objects.all()
    matches = list(others.filter(name_key=customer.name_key).order_by("id")[:5])
    if matches:
        raise ConfirmationRequired(
            "name",
            _(
                "A customer with a similar name already exists: %(names)s. "
                "Confirm that this is a different customer."
            )
            % {"names": "、".join(str(m) for m in matches)},
            matches,
        )


def customer_clean(customer: Customer, *, resolved: tuple[str, ...] = ()) -> None:
    """The checks of a new or changed file that need no other row: for an importer, which
    checks duplicates set-based over a batch. `resolved` names references (department,
    account manager) the caller looked up already, so they cost no query per row."""
    errors = _field_errors(customer)
    if errors:
        raise ValidationError(errors)
    customer.name_key = name_key(customer.name)
    try:
        customer.full_clean(
            exclude=["code", "name_key", *resolved],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def _field_errors(customer: Customer) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    customer.name = (customer.name or "").strip()
    if not customer.name:
        errors["name"] = [_("Enter the customer's name.")]
    if customer.kind not in CustomerKind.values:
        errors["kind"] = [_("Choose individual or organisation.")]
    _clean_identity(customer, errors)
    manager = getattr(customer, "account_manager", None) if customer.account_manager_id else None
    if (
        customer.department_id
        and manager is not None
        and (manager.department_id != customer.department_id)
    ):
        errors.setdefault("account_manager", []).append(
            _("The account manager must belong to the owning department.")
        )
    return errors


def _validate(
    customer: Customer, *, actor: User, confirm_similar_name: bool, name_changed: bool
) -> None:
    errors = _field_errors(customer)
    if errors:
        raise ValidationError(errors)
    customer.name_key = name_key(customer.name)
    _check_duplicates(customer)
    try:
        customer.full_clean(exclude=["code", "name_key"], validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    if name_changed and not confirm_similar_name:
        _check_similar_name(customer)


def _assign(customer: Customer, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    for name, value in fields.items():
        if name == "registered_capital_currency" and not value:
            value = Currency.CNY  # an empty choice means the default, not "no currency"
        if name in {"department", "account_manager"}:
            if value is None:
                setattr(customer, f"{name}_id", None)
            else:
                setattr(customer, name, value)
        else:
            setattr(
                customer,
                name,
                ""
                if value is None
                and name not in {"birth_date", "registered_capital", "established_on"}
                else value,
            )


def _refuse_lifecycle_status(fields: dict[str, Any], current: str | None) -> None:
    """A settled or archived status is set by the life cycle only; sent back unchanged on a
    file that has it already, it is no change and passes."""
    status = fields.get("status")
    if status in LIFECYCLE_STATUSES and status != current:
        raise ValidationError({"status": [str(LIFECYCLE_STATUS_ERROR)]})


@traced_lookups
@transaction.atomic
def customer_create(
    *,
    actor: User,
    fields: dict[str, Any],
    tags: list[str] | None = None,
    confirm_similar_name: bool = False,
) -> Customer:
    """Open a new credit file. Department and account manager default to the actor's."""
    if not can_create_customer(actor):
        raise PermissionDenied(_("You may not open credit files."))
    _refuse_lifecycle_status(fields, None)
    customer = Customer()
    fields = dict(fields)
    fields.setdefault("department", actor.department)
    fields.setdefault("account_manager", actor)
    _assign(customer, fields)
    _require_department_scope(actor, customer)
    _validate(customer, actor=actor, confirm_similar_name=confirm_similar_name, name_changed=True)
    customer.code = format_customer_code(next_value(CUSTOMER_SEQUENCE))
    _save_checked(customer)
    if tags:
        customer.tags.set(_tags(tags))
    files_changed(customer_ids=[customer.pk])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=customer,
        after=model_snapshot(customer),
        customer_id=customer.pk,
    )
    version_record_one(
        actor=actor,
        customer_id=customer.pk,
        version=customer.version,
        obj=customer,
        operation=Operation.CREATE,
    )
    return customer


def _save_checked(customer: Customer) -> None:
    """Save; a concurrent writer that took the same identity number first is a duplicate."""
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        for field in ("id_number", "credit_code"):
            value = getattr(customer, field)
            existing = (
                Customer.objects.exclude(pk=customer.pk)
                .filter(identity_filter(field, value))
                .first()
            )
            if value and existing is not None:
                raise DuplicateRecord(
                    field,
                    _("A credit file with this number already exists: %(customer)s.")
                    % {"customer": existing},
                    existing,
                ) from None
        raise


def _require_department_scope(actor: User, customer: Customer) -> None:
    """A user can only place a file in a department and with a manager they may act for."""
    department: Department | None = customer.department if customer.department_id else None
    if department is None:
        raise ValidationError({"department": [_("Choose the owning department.")]})
    refused = may_place_file(
        actor, department_id=department.pk, account_manager_id=customer.account_manager_id
    )
    if refused == "department":
        raise ValidationError(
            {"department": [_("You can only file customers in your department.")]}
        )
    if refused == "account_manager":
        raise ValidationError(
            {"account_manager": [_("You can only open files that you manage yourself.")]}
        )


def _tags(names: list[str]) -> list[Tag]:
    clean = sorted({n.strip() for n in names if n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=clean)}
    missing = [Tag(name=n) for n in clean if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=clean))


@traced_lookups
@transaction.atomic
def customer_update(
    *,
    actor: User,
    customer: Customer,
    fields: dict[str, Any],
    expected_version: int | None = None,
    tags: list[str] | None = None,
    confirm_similar_name: bool = False,
) -> Customer:
    """Change a credit file, refusing if it changed since `expected_version` was read.
    Settling and archiving are not changes made here (`customer_lifecycle_status`)."""
    return _customer_update(
        actor=actor,
        customer=customer,
        fields=fields,
        expected_version=expected_version,
        tags=tags,
        confirm_similar_name=confirm_similar_name,
        lifecycle=False,
    )


@transaction.atomic
def customer_lifecycle_status(*, actor: User, customer: Customer, status: str) -> Customer:
    """Set a file settled or archived: for the life cycle services of credfile.retention
    only, which lock the file, check who may do it and record when and by whom."""
    if status not in LIFECYCLE_STATUSES:
        raise ValueError(status)
    return _customer_update(
        actor=actor,
        customer=customer,
        fields={"status": status},
        expected_version=None,
        tags=None,
        confirm_similar_name=False,
        lifecycle=True,
    )


def _customer_update(
    *,
    actor: User,
    customer: Customer,
    fields: dict[str, Any],
    expected_version: int | None,
    tags: list[str] | None,
    confirm_similar_name: bool,
    lifecycle: bool,
) -> Customer:
    # Acquire the row lock first, so the version check and the write see the same row.
    locked = (
        Customer.objects.select_for_update()
        .filter(customer_scope(actor, Action.CHANGE), pk=customer.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(refusal_message(actor, customer))
    before = model_snapshot(locked)
    if expected_version is not None and locked.version != expected_version:
        from credfile.history.selectors import changes_since

        raise StaleVersion(locked.version, changes_since(locked.pk, expected_version))
    if not lifecycle:
        _refuse_lifecycle_status(fields, locked.status)
    old_name = locked.name
    _assign(locked, fields)
    _require_department_scope(actor, locked)
    _validate(
        locked,
        actor=actor,
        confirm_similar_name=confirm_similar_name,
        name_changed=locked.name.strip() != old_name,
    )
    old_tags = sorted(locked.tags.values_list("name", flat=True))
    new_tags = sorted({t.strip() for t in tags if t.strip()}) if tags is not None else old_tags
    changed_before, changed_after = changed_fields(before, model_snapshot(locked))
    if not changed_after and new_tags == old_tags:
        # Nothing changed: no new version and no audit event for a no-op save.
        return locked
    locked.version = F("version") + 1
    _save_checked(locked)
    locked.refresh_from_db()
    if new_tags != old_tags:
        locked.tags.set(_tags(new_tags))
        changed_before["tags"], changed_after["tags"] = old_tags, new_tags
    files_changed(customer_ids=[locked.pk])
    changed_after["version"] = locked.version
    changed_before["version"] = locked.version - 1
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before=changed_before,
        after=changed_after,
        customer_id=locked.pk,
    )
    version_record_one(
        actor=actor,
        customer_id=locked.pk,
        version=locked.version,
        obj=locked,
        operation=Operation.UPDATE,
        before={**before, "tags": old_tags},
    )
    return locked


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> None:
    locked = (
        Customer.objects.select_for_update()
        .filter(customer_scope(actor, Action.DELETE), pk=customer.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not delete this credit file."))
    before = model_snapshot(locked)
    pk = locked.pk
    audit_record(actor=actor, action=AuditAction.DELETE, obj=locked, before=before, customer_id=pk)
    file_deleted(actor=actor, customer=locked, before=file_snapshot(locked))
    # Records that protect each other (a payment's allocations, an invoice's contract) are
    # removed by the apps that own them, before the database cascades the rest.
    for cleanup in _FILE_CLEANUPS:
        cleanup(pk)
    locked.delete()


_FILE_CLEANUPS: list[Callable[[int], None]] = []


def register_file_cleanup(cleanup: Callable[[int], None]) -> None:
    """Run `cleanup(customer_id)` inside a file's deletion, before its rows are deleted
    (an app whose records the database would refuse to cascade registers one)."""
    if cleanup not in _FILE_CLEANUPS:
        _FILE_CLEANUPS.append(cleanup)


# --- contacts and addresses -------------------------------------------------------------------

CONTACT_FIELDS = ("name", "role", "title", "mobile", "phone", "email", "is_primary", "verified_on")
ADDRESS_FIELDS = ("kind", "province", "city", "line", "postcode")


def lock_customer_for_change(actor: User, customer: Customer) -> Customer:
    """Lock the file row: records under one file are written one at a time, in one lock order."""
    locked = (
        Customer.objects.select_for_update()
        .filter(customer_scope(actor, Action.CHANGE), pk=customer.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(refusal_message(actor, customer))
    return locked


def refusal_message(actor: User, customer: Customer) -> str:
    """Why a write to a file is refused: an archived file (read only) says so to whoever
    may view it; anyone else learns only that they may not change it."""
    archived = Customer.objects.filter(
        customer_scope(actor, Action.VIEW), pk=customer.pk, status=CustomerStatus.ARCHIVED
    )
    if archived.exists():
        return _("This credit file is archived and read only.")
    return _("You may not change this credit file.")


def touch_customer(customer: Customer) -> int:
    """Move the file's version on (its row is locked); returns the new version."""
    Customer.objects.filter(pk=customer.pk).update(version=F("version") + 1)
    customer.version = Customer.objects.values_list("version", flat=True).get(pk=customer.pk)
    files_changed(customer_ids=[customer.pk])
    return customer.version


def save_child_record(
    *, actor: User, customer: Customer, obj: Any, errors: dict[str, list[str]]
) -> None:
    """Validate, save and audit a record that belongs to a credit file, in the caller's
    transaction: the file's version moves on with it."""
    if not errors:
        try:
            obj.full_clean(exclude=["customer"], validate_constraints=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    obj.save()
    version = touch_customer(customer)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=obj,
        after=model_snapshot(obj),
        customer_id=customer.pk,
    )
    version_record_one(
        actor=actor, customer_id=customer.pk, version=version, obj=obj, operation=Operation.CREATE
    )


def save_child_update(
    *,
    actor: User,
    customer: Customer,
    obj: Any,
    before: dict[str, Any],
    errors: dict[str, list[str]],
) -> bool:
    """Validate, save and audit a change to a record of a file, like `save_child_record`;
    `before` is the record's `model_snapshot` before the change. False when nothing changed
    (no new version, no event)."""
    if not errors:
        try:
            obj.full_clean(exclude=["customer"], validate_constraints=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _unchanged, proposed = changed_fields(before, model_snapshot(obj))
    if not proposed:
        return False  # the values on file: not even a save
    obj.save()
    obj.refresh_from_db()
    changed_before, changed_after = changed_fields(before, model_snapshot(obj))
    changed_before.pop("updated_at", None)
    changed_after.pop("updated_at", None)
    if not changed_after:
        return False
    version = touch_customer(customer)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=obj,
        before=changed_before,
        after=changed_after,
        customer_id=customer.pk,
    )
    version_record_one(
        actor=actor,
        customer_id=customer.pk,
        version=version,
        obj=obj,
        operation=Operation.UPDATE,
        before=before,
    )
    return True


def delete_child_record(*, actor: User, customer: Customer, obj: Any) -> None:
    """Delete a record of a file (its row locked by the caller), audited and versioned."""
    before = model_snapshot(obj)
    audit_record(
        actor=actor, action=AuditAction.DELETE, obj=obj, before=before, customer_id=customer.pk
    )
    version = touch_customer(customer)
    version_record_one(
        actor=actor,
        customer_id=customer.pk,
        version=version,
        obj=obj,
        operation=Operation.DELETE,
        before=before,
    )
    obj.delete()
    # Again after the record is gone: the version moved on while it still counted.
    files_changed(customer_ids=[customer.pk])


def only_fields(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """Reject fields a caller may not set, so a typo is an error rather than ignored."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    return dict(fields)


@transaction.atomic
def contact_create(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Contact:
    customer = lock_customer_for_change(actor, customer)
    contact = Contact(customer=customer, **_blank_nulls(only_fields(fields, CONTACT_FIELDS)))
    errors: dict[str, list[str]] = {}
    _contact_errors(contact, errors)
    if contact.is_primary and not errors:
        Contact.objects.filter(customer=customer, is_primary=True).update(is_primary=False)
    save_child_record(actor=actor, customer=customer, obj=contact, errors=errors)
    return contact


@transaction.atomic
def address_create(*, actor: User, customer: Customer, fields: dict[str, Any]) -> Address:
    customer = lock_customer_for_change(actor, customer)
    address = Address(customer=customer, **_blank_nulls(only_fields(fields, ADDRESS_FIELDS)))
    errors: dict[str, list[str]] = {}
    _address_errors(address, errors)
    save_child_record(actor=actor, customer=customer, obj=address, errors=errors)
    return address


def contact_clean(contact: Contact) -> None:
    """The checks of a new contact that need no other row, as `contact_create` makes them:
    for an importer."""
    errors: dict[str, list[str]] = {}
    _contact_errors(contact, errors)
    if not errors:
        try:
            contact.full_clean(
                exclude=["customer", "verified_by"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _contact_errors(contact: Contact, errors: dict[str, list[str]]) -> None:
    for field in ("mobile", "phone"):
        value = getattr(contact, field)
        if value:
            try:
                setattr(contact, field, identifiers.clean_phone(value))
            except ValidationError as exc:
                errors[field] = exc.messages
    if not (contact.mobile or contact.phone or contact.email) and not errors:
        errors["mobile"] = [_("Give at least a mobile, a phone number or an e-mail address.")]


def _address_errors(address: Address, errors: dict[str, list[str]]) -> None:
    if address.postcode and not (len(address.postcode) == 6 and address.postcode.isdigit()):
        errors["postcode"] = [_("A postcode has six digits.")]


def _lock_record(actor: User, model: type[Any], record: Any) -> tuple[Customer, Any]:
    # The file first, then the record: the one lock order of every writer.
    customer = lock_customer_for_change(actor, Customer(pk=record.customer_id))
    found = model._default_manager.select_for_update().filter(pk=record.pk, customer=customer)
    locked = found.first()
    if locked is None:
        raise ValidationError({"record": [_("This record no longer exists.")]})
    return customer, locked


# Corrections of contacts and addresses go through change control
# (credfile.changes.services.record_change), which calls these.


@transaction.atomic
def _contact_update(*, actor: User, contact: Contact, fields: dict[str, Any]) -> Contact:
    customer, locked = _lock_record(actor, Contact, contact)
    before = model_snapshot(locked)
    for name, value in _blank_nulls(only_fields(fields, CONTACT_FIELDS)).items():
        setattr(locked, name, value)
    errors: dict[str, list[str]] = {}
    _contact_errors(locked, errors)
    if locked.is_primary and not errors:
        Contact.objects.filter(customer=customer, is_primary=True).exclude(pk=locked.pk).update(
            is_primary=False
        )
    save_child_update(actor=actor, customer=customer, obj=locked, before=before, errors=errors)
    return locked


@transaction.atomic
def _contact_delete(*, actor: User, contact: Contact) -> None:
    customer, locked = _lock_record(actor, Contact, contact)
    delete_child_record(actor=actor, customer=customer, obj=locked)


@transaction.atomic
def _address_update(*, actor: User, address: Address, fields: dict[str, Any]) -> Address:
    customer, locked = _lock_record(actor, Address, address)
    before = model_snapshot(locked)
    for name, value in _blank_nulls(only_fields(fields, ADDRESS_FIELDS)).items():
        setattr(locked, name, value)
    errors: dict[str, list[str]] = {}
    _address_errors(locked, errors)
    save_child_update(actor=actor, customer=customer, obj=locked, before=before, errors=errors)
    return locked


@transaction.atomic
def _address_delete(*, actor: User, address: Address) -> None:
    customer, locked = _lock_record(actor, Address, address)
    delete_child_record(actor=actor, customer=customer, obj=locked)


@transaction.atomic
def contacts_verify(
    *,
    actor: User,
    customer: Customer,
    contacts: list[int] | None = None,
    on: datetime.date | None = None,
) -> int:
    """Mark the file's contacts (or those named) verified today by `actor`: the same
    contacts, with the date and who checked them — never a second copy. One new version
    of the file and an audit event per contact; returns how many were marked."""
    customer = lock_customer_for_change(actor, customer)
    day = on or timezone.localdate()
    rows = Contact.objects.select_for_update().filter(customer=customer).order_by("id")
    if contacts is not None:
        rows = rows.filter(pk__in=contacts)
    found = list(rows)
    if contacts is not None and len(found) != len(set(contacts)):
        raise ValidationError({"contact": [_("This contact is not one of this file's.")]})
    todo = [c for c in found if c.verified_on != day or c.verified_by_id != actor.pk]
    if not todo:
        return 0
    befores = {c.pk: model_snapshot(c) for c in todo}
    Contact.objects.filter(pk__in=[c.pk for c in todo]).update(
        verified_on=day, verified_by=actor, updated_at=timezone.now()
    )
    version = touch_customer(customer)
    after = {c.pk: c for c in Contact.objects.filter(pk__in=[c.pk for c in todo])}
    changes = []
    for pk, before in befores.items():
        old, new = changed_fields(before, model_snapshot(after[pk]))
        old.pop("updated_at", None)
        new.pop("updated_at", None)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=after[pk],
            before=old,
            after={**new, "verified": True},
            customer_id=customer.pk,
        )
        changes.append(Change(obj=after[pk], operation=Operation.UPDATE, before=before))
    version_record(actor=actor, customer_id=customer.pk, version=version, changes=changes)
    return len(todo)


def _blank_nulls(fields: dict[str, Any]) -> dict[str, Any]:
    """Text fields store '' rather than NULL; dates keep None."""
    return {k: ("" if v is None and k not in {"verified_on"} else v) for k, v in fields.items()}


def sensitive_reveal(*, actor: User, customer: Customer, what: str, fields: list[str]) -> None:
    """Record a deliberate reveal of sealed values; refused without the reveal right."""
    from credfile.access.selectors import can_reveal

    if not can_reveal(user=actor, customer=customer):
        raise PermissionDenied(_("You may not reveal the sensitive data of this credit file."))
    audit_record(
        actor=actor,
        action="reveal",
        obj=customer,
        customer_id=customer.pk,
        after={"what": what, "fields": sorted(fields)},
    )


def record_report_use(*, actor: User, customer: Customer, consent: Any) -> None:
    """Log a credit report query with the consent (and so the purpose) it relies on, and,
    under a usage grant, the grant with its purpose and the sections the report showed."""
    details: dict[str, Any] = {
        "consent": consent.pk if consent else None,
        "purpose": "credit_report",
    }
    access = getattr(customer, "access", None)
    if access is not None and access.via_grant:
        details |= {
            "grant": access.grant.pk,
            "grant_purpose": access.grant.purpose,
            "sections": sorted(access.sections),
        }
    audit_record(
        actor=actor,
        action="credit_report",
        obj=customer,
        customer_id=customer.pk,
        after=details,
    )
