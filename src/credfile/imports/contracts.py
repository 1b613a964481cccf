"""Importing contracts: a customer's sales and credit contracts, one row each.

A contract is named by its customer and its number: a row whose customer already has a
contract with that number was imported before.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from credfile.accounts.models import User
from credfile.core.models import Currency
from credfile.imports.receivables import (
    customer_ref,
    date_cell,
    insert_records,
    lock_and_touch,
    parse_amount,
    parse_date,
    resolve_customers,
)
from credfile.imports.results import ImportResult, batches, cells_of
from credfile.transactions.models import Contract
from credfile.transactions.services import contract_clean

# A model field's error is reported in the column the value came from.
_FIELD_COLUMN = {"number": "contract_no"}


def check_contracts(
    actor: User,
    positions: dict[str, int],
    rows: list[tuple[int, list[str]]],
    result: ImportResult,
    progress: Callable[[int], None] | None,
) -> list[Contract]:
    currencies = {c.casefold(): c for c in Currency.values}
    new: list[Contract] = []
    seen: dict[tuple[int, str], int] = {}
    done = 0
    for batch in batches(rows):
        refs = {
            values[positions["customer"]].strip()
            for _n, values in batch
            if positions["customer"] < len(values)
        }
        known = resolve_customers(actor, refs)
        ids = {c.pk for matches in known.values() for c in matches}
        on_file = set(
            Contract.objects.filter(customer_id__in=ids).values_list("customer_id", "number")
        )
        for number, cells, fail in cells_of(positions, batch, result):
            customer = customer_ref(cells.get("customer", ""), known, fail)
            contract_no = cells.get("contract_no", "")
            if not contract_no:
                fail("contract_no", _("Enter the contract number."))
            signed = date_cell(cells, "signed_on", fail)
            ends = parse_date(cells["ends_on"]) if cells.get("ends_on") else None
            if cells.get("ends_on") and ends is None:
                fail("ends_on", _("Not a date: write it as YYYY-MM-DD."))
            amount = parse_amount(cells.get("amount", ""))
            if amount is None:
                fail("amount", _("Enter a number."))
            currency = currencies.get(cells.get("currency", "").casefold() or "cny")
            if currency is None:
                fail("currency", _("No such currency."))
            terms = cells.get("payment_terms_days", "") or "30"
            if not terms.isdigit():
                fail("payment_terms_days", _("Enter a whole number of days."))
            if (
                customer is None
                or not contract_no
                or signed is None
                or amount is None
                or currency is None
                or not terms.isdigit()
            ):
                continue
            key = (customer.pk, contract_no)
            if key in on_file:
                result.unchanged += 1
                continue
            if key in seen:
                fail(
                    "contract_no",
                    _("The same contract is on row %(row)d already.") % {"row": seen[key]},
                )
                continue
            seen[key] = number
            contract = Contract(
                customer=customer,
                number=contract_no,
                title=cells.get("title", ""),
                signed_on=signed,
                ends_on=ends,
                amount=amount,
                currency=currency,
                payment_terms_days=int(terms),
            )
            try:
                contract_clean(contract)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        fail(_FIELD_COLUMN.get(field, field), message)
                continue
            new.append(contract)
        done += len(batch)
        if progress is not None:
            progress(done)
    return new


def write_contracts(actor: User, new: list[Contract], result: ImportResult) -> None:
    versions = lock_and_touch({c.customer_id for c in new})
    insert_records(actor, Contract, new, versions)
    result.created = len(new)
