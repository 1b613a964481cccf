"""One record of every kind a file keeps, made through the create services (shared by the
change-control, page, API, matrix and browser tests of record corrections)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from django.db import models
from django.utils import timezone

from credfile.accounts.models import User
from credfile.customers.models import Customer
from credfile.customers.services import address_create, contact_create
from credfile.financials.services import financial_statement_create, individual_financial_create
from credfile.interactions.services import note_create, service_record_create
from credfile.transactions.services import contract_create, invoice_create, payment_create

# The record kinds by the slug of their edit page, with the API segment of each.
SEGMENTS = {
    "contact": "contacts",
    "address": "addresses",
    "individual-financial": "individual-financials",
    "financial-statement": "financial-statements",
    "contract": "contracts",
    "invoice": "invoices",
    "payment": "payments",
    "service-record": "service-records",
    "note": "notes",
}
KINDS = tuple(SEGMENTS)
# Kinds kept only in an individual's file; the rest are made in an organisation's.
INDIVIDUAL_ONLY = frozenset({"individual-financial"})
# Where each kind is shown, and the approval group of its corrections (None: applies at once).
SECTION = {
    "contact": "contacts",
    "address": "contacts",
    "individual-financial": "financials",
    "financial-statement": "financials",
    "contract": "transactions",
    "invoice": "transactions",
    "payment": "transactions",
    "service-record": "services",
    "note": "notes",
}
GROUP = {
    "individual-financial": "financial",
    "financial-statement": "financial",
    "contract": "transactions",
    "invoice": "transactions",
    "payment": "transactions",
}
# A correction of each kind: one field and its new value, as a service takes it.
CORRECTION: dict[str, tuple[str, Any]] = {
    "contact": ("title", "财务总监"),
    "address": ("line", "朝阳区建国路88号"),
    "individual-financial": ("employer", "某证券公司"),
    "financial-statement": ("revenue", Decimal("6100000.00")),
    "contract": ("title", "年度采购合同（修订）"),
    "invoice": ("description", "货款（更正）"),
    "payment": ("reference", "BANK-REF-2"),
    "service-record": ("result", "已回访"),
    "note": ("subject", "更正后的主题"),
}


def make(kind: str, customer: Customer, actor: User | None = None) -> models.Model:
    """A record of `kind` in `customer`'s file, by its account manager unless `actor`."""
    who = actor or customer.account_manager
    assert who is not None
    on = {"actor": who, "customer": customer}
    if kind == "contact":
        return contact_create(
            **on,
            fields={
                "name": "刘洋",
                "role": "finance",
                "title": "会计",
                "mobile": "13700001111",
                "email": "liu@example.com",
                "verified_on": datetime.date(2025, 3, 9),
            },
        )
    if kind == "address":
        return address_create(
            **on,
            fields={
                "kind": "registered",
                "province": "11",
                "city": "北京市",
                "line": "海淀区中关村大街1号",
                "postcode": "100080",
            },
        )
    if kind == "individual-financial":
        return individual_financial_create(
            **on,
            fields={
                "as_of": datetime.date(2024, 12, 31),
                "annual_income": Decimal("360000.00"),
                "total_assets": Decimal("2500000.00"),
                "total_liabilities": Decimal("800000.50"),
                "employer": "某银行",
            },
        )
    if kind == "financial-statement":
        return financial_statement_create(
            **on,
            fields={
                "period_type": "annual",
                "period_end": datetime.date(2024, 12, 31),
                "total_assets": Decimal("10000000.00"),
                "total_liabilities": Decimal("4000000.00"),
                "equity": Decimal("6000000.00"),
                "current_assets": Decimal("3000000.25"),
                "revenue": Decimal("6000000.00"),
                "net_profit": Decimal("-120000.00"),
            },
        )
    if kind == "contract":
        return contract_create(
            **on,
            fields={
                "number": "HT-2025-01",
                "title": "年度采购合同",
                "signed_on": datetime.date(2025, 1, 20),
                "ends_on": datetime.date(2025, 12, 31),
                "amount": Decimal("880000.00"),
            },
        )
    if kind == "invoice":
        return invoice_create(
            **on,
            fields={
                "number": "INV-2025-7",
                "issue_date": datetime.date(2025, 2, 3),
                "amount": Decimal("12345.67"),
                "description": "货款",
            },
        )
    if kind == "payment":
        invoice = invoice_create(
            **on,
            fields={
                "number": "INV-2025-8",
                "issue_date": datetime.date(2025, 2, 3),
                "amount": Decimal("5000.00"),
            },
        )
        return payment_create(
            **on,
            fields={
                "received_on": datetime.date(2025, 3, 1),
                "amount": Decimal("3000.00"),
                "reference": "BANK-REF-1",
            },
            allocations=[(invoice.pk, Decimal("3000.00"))],
        )
    if kind == "service-record":
        # Seconds on the time: an unchanged save must keep them.
        when = timezone.make_aware(datetime.datetime(2025, 4, 2, 9, 30, 15))
        return service_record_create(
            **on, fields={"occurred_at": when, "content": "电话回访客户", "result": "满意"}
        )
    if kind == "note":
        return note_create(
            **on,
            fields={"dated": datetime.date(2025, 5, 6), "subject": "拜访记录", "body": "面谈"},
        )
    raise KeyError(kind)


class _FormParser(HTMLParser):
    """The values a browser would send for one form of a page, as the page renders them."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.append((name, a.get("value") or "on"))
            elif kind not in {"submit", "button"}:
                self.data.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
            self.data.append((name, ""))
        elif tag == "option" and self._select is not None and "selected" in a:
            self.data[-1] = (self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline right after <textarea>.
            text = "".join(self._text)
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_values(html: str, form_id: str) -> dict[str, str]:
    parser = _FormParser(form_id)
    parser.feed(html)
    return dict(parser.data)
