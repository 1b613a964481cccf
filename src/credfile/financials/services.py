"""Writes of financial information."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.audit.services import model_snapshot
from credfile.core.display import money_text
from credfile.customers.models import Customer
from credfile.customers.services import (
    delete_child_record,
    lock_customer_for_change,
    only_fields,
    save_child_record,
    save_child_update,
)
from credfile.financials.choices import (
    BALANCE_SHEET_LINES,
    CASH_FLOW_LINES,
    INCOME_STATEMENT_LINES,
)
from credfile.financials.models import FinancialStatement, IndividualFinancial

INDIVIDUAL_FIELDS = (
    "as_of",
    "currency",
    "annual_income",
    "total_assets",
    "total_liabilities",
    "employer",
    "source",
)
STATEMENT_FIELDS = (
    "period_type",
    "period_end",
    "currency",
    "audited",
    *BALANCE_SHEET_LINES,
    *INCOME_STATEMENT_LINES,
    *CASH_FLOW_LINES,
)
# Lines that are positive by nature; profits and cash flows may be negative.
NON_NEGATIVE_LINES = (
    "cash",
    "accounts_receivable",
    "inventory",
    "current_assets",
    "intangible_assets",
    "total_assets",
    "current_liabilities",
    "total_liabilities",
    "revenue",
    "cost_of_sales",
    "interest_expense",
    "cash_from_sales",
    "annual_income",
)
# Sealed amounts keep what they are given: stored to the cent, as the database's own money
# columns are, so 360000 and 360000.00 are one value (and resending it is no change).
SEALED_AMOUNTS = ("annual_income", "total_assets", "total_liabilities")
CENT = Decimal("0.01")


def _cents(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v.quantize(CENT) if k in SEALED_AMOUNTS and isinstance(v, Decimal) else v
        for k, v in fields.items()
    }


def balance_tolerance() -> Decimal:
    """How far total assets may be from liabilities plus equity (CREDFILE_BALANCE_TOLERANCE,
    in units of the statement's currency): rounding in the source statements, no more."""
    return Decimal(str(getattr(settings, "CREDFILE_BALANCE_TOLERANCE", "1.00")))


def statement_name(statement: FinancialStatement) -> str:
    """The statement as a reader names it: its kind of period and its period end."""
    return _("%(period)s statement %(date)s") % {
        "period": statement.get_period_type_display(),
        "date": statement.period_end.isoformat() if statement.period_end else "",
    }


def unbalanced(statement: FinancialStatement) -> str:
    """Why the statement does not balance (assets = liabilities + equity), or ""."""
    s = statement
    other_side = s.total_liabilities + s.equity
    difference = s.total_assets - other_side
    tolerance = balance_tolerance()
    if abs(difference) <= tolerance:
        return ""
    return _(
        "%(statement)s does not balance: total assets %(assets)s, total liabilities plus "
        "owners' equity %(other)s, a difference of %(difference)s (at most %(tolerance)s "
        "is accepted)."
    ) % {
        "statement": statement_name(s),
        "assets": money_text(s.total_assets, s.currency),
        "other": money_text(other_side, s.currency),
        "difference": money_text(difference, s.currency),
        "tolerance": money_text(tolerance, s.currency),
    }


def _non_negative(obj: Any, names: tuple[str, ...], errors: dict[str, list[str]]) -> None:
    for name in names:
        value = getattr(obj, name, None)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(_("This amount cannot be negative."))


@transaction.atomic
def individual_financial_create(
    *, actor: User, customer: Customer, fields: dict[str, Any]
) -> IndividualFinancial:
    customer = lock_customer_for_change(actor, customer)
    record = IndividualFinancial(
        customer=customer, **_cents(only_fields(fields, INDIVIDUAL_FIELDS))
    )
    errors: dict[str, list[str]] = {}
    if not customer.is_individual:
        errors["customer"] = [
            _(
                "Personal financial information is for individual customers; "
                "enter financial statements for an organisation."
            )
        ]
    _individual_errors(customer, record, errors)
    save_child_record(actor=actor, customer=customer, obj=record, errors=errors)
    return record


def _individual_errors(
    customer: Customer, record: IndividualFinancial, errors: dict[str, list[str]]
) -> None:
    _non_negative(record, NON_NEGATIVE_LINES, errors)
    if (
        record.as_of
        and IndividualFinancial.objects.filter(customer=customer, as_of=record.as_of)
        .exclude(pk=record.pk)
        .exists()
    ):
        errors.setdefault("as_of", []).append(
            _("Financial information as of this date is already recorded.")
        )


@transaction.atomic
def financial_statement_create(
    *, actor: User, customer: Customer, fields: dict[str, Any]
) -> FinancialStatement:
    customer = lock_customer_for_change(actor, customer)
    statement = FinancialStatement(customer=customer, **only_fields(fields, STATEMENT_FIELDS))
    errors: dict[str, list[str]] = {}
    if customer.is_individual:
        errors["customer"] = [
            _(
                "Financial statements are for organisations; enter personal "
                "financial information for an individual."
            )
        ]
    _statement_errors(customer, statement, errors)
    save_child_record(actor=actor, customer=customer, obj=statement, errors=errors)
    return statement


def statement_clean(statement: FinancialStatement) -> None:
    """The checks of a new statement that need no other row, as `financial_statement_create`
    makes them: for an importer, which checks periods set-based over a batch."""
    errors: dict[str, list[str]] = {}
    _statement_rules(statement, errors)
    if not errors:
        try:
            statement.full_clean(
                exclude=["customer"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _statement_errors(
    customer: Customer, statement: FinancialStatement, errors: dict[str, list[str]]
) -> None:
    _statement_rules(statement, errors)
    s = statement
    if (
        s.period_end
        and FinancialStatement.objects.filter(
            customer=customer, period_type=s.period_type, period_end=s.period_end
        )
        .exclude(pk=s.pk)
        .exists()
    ):
        errors.setdefault("period_end", []).append(
            _("A statement for this period is already recorded.")
        )


def _statement_rules(statement: FinancialStatement, errors: dict[str, list[str]]) -> None:
    s = statement
    if s.revenue is not None and s.revenue < 0:
        # Turnover is never negative: returns and discounts are netted within the period.
        errors["revenue"] = [
            _("%(statement)s: operating revenue cannot be negative (%(amount)s).")
            % {"statement": statement_name(s), "amount": money_text(s.revenue, s.currency)}
        ]
    _non_negative(s, tuple(n for n in NON_NEGATIVE_LINES if n != "revenue"), errors)
    if None not in (s.total_assets, s.total_liabilities, s.equity) and not errors:
        balance_error = unbalanced(s)
        if balance_error:
            errors["equity"] = [balance_error]
    if (
        s.current_assets is not None
        and s.total_assets is not None
        and (s.current_assets > s.total_assets)
    ):
        errors.setdefault("current_assets", []).append(
            _("Current assets cannot exceed total assets.")
        )


# --- corrections, through change control (credfile.changes.services.record_change) -------------


def _lock_record(
    actor: User, model: type[models.Model], record: models.Model
) -> tuple[Customer, Any]:
    # The file first, then the record: the one lock order of every writer.
    customer = lock_customer_for_change(actor, Customer(pk=record.customer_id))  # type: ignore[attr-defined]
    locked = model._default_manager.select_for_update().filter(pk=record.pk, customer=customer)
    found = locked.first()
    if found is None:
        raise ValidationError({"record": [_("This record no longer exists.")]})
    return customer, found


@transaction.atomic
def _financial_statement_update(
    *, actor: User, statement: FinancialStatement, fields: dict[str, Any]
) -> FinancialStatement:
    customer, locked = _lock_record(actor, FinancialStatement, statement)
    before = model_snapshot(locked)
    for name, value in only_fields(fields, STATEMENT_FIELDS).items():
        setattr(locked, name, value)
    errors: dict[str, list[str]] = {}
    _statement_errors(customer, locked, errors)
    save_child_update(actor=actor, customer=customer, obj=locked, before=before, errors=errors)
    return locked


@transaction.atomic
def _financial_statement_delete(*, actor: User, statement: FinancialStatement) -> None:
    customer, locked = _lock_record(actor, FinancialStatement, statement)
    delete_child_record(actor=actor, customer=customer, obj=locked)


@transaction.atomic
def _individual_financial_update(
    *, actor: User, record: IndividualFinancial, fields: dict[str, Any]
) -> IndividualFinancial:
    customer, locked = _lock_record(actor, IndividualFinancial, record)
    before = model_snapshot(locked)
    for name, value in _cents(only_fields(fields, INDIVIDUAL_FIELDS)).items():
        setattr(locked, name, value)
    errors: dict[str, list[str]] = {}
    _individual_errors(customer, locked, errors)
    save_child_update(actor=actor, customer=customer, obj=locked, before=before, errors=errors)
    return locked


@transaction.atomic
def _individual_financial_delete(*, actor: User, record: IndividualFinancial) -> None:
    customer, locked = _lock_record(actor, IndividualFinancial, record)
    delete_child_record(actor=actor, customer=customer, obj=locked)
