"""Importing financial statements: one row per organisation and period.

A statement is named by its customer, its kind of period and its period end. A row for a
period already on file is the same statement imported before when every figure agrees; when
a figure differs it is refused: a correction of a recorded statement goes through change
control on the file, not through an import.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.core.models import Currency
from credfile.customers.choices import CustomerKind
from credfile.financials.choices import (
    BALANCE_SHEET_LINES,
    CASH_FLOW_LINES,
    INCOME_STATEMENT_LINES,
    PeriodType,
)
from credfile.financials.models import FinancialStatement
from credfile.financials.services import statement_clean
from credfile.imports.columns import STATEMENT_COLUMNS
from credfile.imports.contacts import _NO, _YES
from credfile.imports.receivables import (
    customer_ref,
    date_cell,
    insert_records,
    lock_and_touch,
    parse_amount,
    resolve_customers,
)
from credfile.imports.results import ImportResult, batches, cells_of

LINES = (*BALANCE_SHEET_LINES, *INCOME_STATEMENT_LINES, *CASH_FLOW_LINES)
REQUIRED_LINES = tuple(c.name for c in STATEMENT_COLUMNS if c.required and c.name in LINES)
# What an import compares to tell a statement imported before from a different one.
_COMPARED = ("currency", "audited", *LINES)


def _period_types() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in PeriodType.choices:
        lookup[value] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    # How Chinese statements name their period.
    lookup.update(
        {
            "年报": PeriodType.ANNUAL,
            "年度": PeriodType.ANNUAL,
            "半年报": PeriodType.HALF_YEAR,
            "半年度": PeriodType.HALF_YEAR,
            "季报": PeriodType.QUARTER,
            "季度": PeriodType.QUARTER,
            "月报": PeriodType.MONTH,
            "月度": PeriodType.MONTH,
            "half-year": PeriodType.HALF_YEAR,
        }
    )
    return lookup


def _figures(statement: FinancialStatement) -> tuple[Any, ...]:
    return tuple(getattr(statement, name) for name in _COMPARED)


def check_statements(
    actor: User,
    positions: dict[str, int],
    rows: list[tuple[int, list[str]]],
    result: ImportResult,
    progress: Callable[[int], None] | None,
) -> list[FinancialStatement]:
    currencies = {c.casefold(): c for c in Currency.values}
    periods = _period_types()
    new: list[FinancialStatement] = []
    seen: dict[tuple[int, str, Any], int] = {}
    done = 0
    for batch in batches(rows):
        refs = {
            values[positions["customer"]].strip()
            for _n, values in batch
            if positions["customer"] < len(values)
        }
        known = resolve_customers(actor, refs)
        ids = {c.pk for matches in known.values() for c in matches}
        on_file = {
            (s.customer_id, s.period_type, s.period_end): _figures(s)
            for s in FinancialStatement.objects.filter(customer_id__in=ids).only(
                "customer_id", "period_type", "period_end", *_COMPARED
            )
        }
        for number, cells, fail in cells_of(positions, batch, result):
            ok = True
            customer = customer_ref(cells.get("customer", ""), known, fail)
            if customer is not None and customer.kind != CustomerKind.ORGANIZATION:
                fail(
                    "customer",
                    _(
                        "Financial statements are for organisations; enter personal "
                        "financial information for an individual."
                    ),
                )
                ok = False
            period_type = periods.get(cells.get("period_type", "").casefold() or "annual")
            if period_type is None:
                fail(
                    "period_type",
                    _("Write annual, half-year, quarter or month (年度、半年度、季度、月度)."),
                )
                ok = False
            period_end = date_cell(cells, "period_end", fail)
            currency = currencies.get(cells.get("currency", "").casefold() or "cny")
            if currency is None:
                fail("currency", _("No such currency."))
                ok = False
            flag = cells.get("audited", "").casefold()
            if flag not in _YES and flag not in _NO:
                fail("audited", _("Write yes or no (是 or 否)."))
                ok = False
            amounts: dict[str, Decimal | None] = {}
            for name in LINES:
                text = cells.get(name, "")
                if not text:
                    amounts[name] = None
                    if name in REQUIRED_LINES:
                        fail(name, _("Enter an amount."))
                        ok = False
                    continue
                amounts[name] = parse_amount(text)
                if amounts[name] is None:
                    fail(name, _("Enter a number."))
                    ok = False
            if (
                customer is None
                or period_end is None
                or period_type is None
                or currency is None
                or not ok
            ):
                continue
            statement = FinancialStatement(
                customer=customer,
                period_type=period_type,
                period_end=period_end,
                currency=currency,
                audited=flag in _YES,
                **amounts,
            )
            try:
                statement_clean(statement)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        fail(field, message)
                continue
            key = (customer.pk, str(period_type), period_end)
            if key in seen:
                fail(
                    "period_end",
                    _("The same statement is on row %(row)d already.") % {"row": seen[key]},
                )
                continue
            seen[key] = number
            if key in on_file:
                # Decimals compare by value: 1000 in the file is the 1000.00 on file.
                if on_file[key] == _figures(statement):
                    result.unchanged += 1
                else:
                    fail(
                        "period_end",
                        _(
                            "A statement for this period is already recorded with other "
                            "figures; correct it on the credit file."
                        ),
                    )
                continue
            new.append(statement)
        done += len(batch)
        if progress is not None:
            progress(done)
    return new


def write_statements(actor: User, new: list[FinancialStatement], result: ImportResult) -> None:
    versions = lock_and_touch({s.customer_id for s in new})
    insert_records(actor, FinancialStatement, new, versions)
    result.created = len(new)
