"""The columns each kind of import reads: documented field names and their Chinese labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from credfile.customers.models import Contact, Customer
from credfile.financials.choices import BALANCE_SHEET_LINES, CASH_FLOW_LINES, INCOME_STATEMENT_LINES
from credfile.financials.models import FinancialStatement
from credfile.limits.models import OpenOrder
from credfile.transactions.models import Contract, Invoice, Payment


@dataclass(frozen=True)
class Column:
    name: str
    label: Promise
    required: bool = False
    # Other headers the column goes by in the files companies have (not translated: they are
    # matched as written).
    aliases: tuple[str, ...] = ()


def _label(model: type[models.Model], name: str) -> Promise:
    # A sealed value is a property with its own verbose name; the rest are fields.
    attr = getattr(model, name, None)
    verbose = getattr(attr, "verbose_name", None)
    if verbose is None:
        verbose = getattr(model._meta.get_field(name), "verbose_name", name)
    return cast(Promise, verbose)


CUSTOMER_COLUMNS = (
    Column("external_code", _label(Customer, "external_code"), required=True),
    Column("kind", _label(Customer, "kind"), required=True),
    Column("name", _label(Customer, "name"), required=True),
    Column("id_number", _label(Customer, "id_number")),
    Column("credit_code", _label(Customer, "credit_code")),
    Column("phone", _label(Customer, "phone")),
    Column("province", _label(Customer, "province")),
    Column("city", _label(Customer, "city")),
    Column("region", _("region")),
    Column("industry", _label(Customer, "industry")),
    Column("department", _("department")),
)

INVOICE_COLUMNS = (
    Column("invoice_no", _label(Invoice, "number"), required=True),
    Column("customer", _label(Invoice, "customer"), required=True),
    Column("invoice_date", _label(Invoice, "issue_date"), required=True),
    Column("due_date", _label(Invoice, "due_date")),
    Column("amount", _label(Invoice, "amount"), required=True),
    Column("currency", _label(Invoice, "currency")),
)

PAYMENT_COLUMNS = (
    Column("payment_no", _("payment number"), required=True),
    Column("invoice_no", _label(Invoice, "number"), required=True),
    Column("pay_date", _("payment date"), required=True),
    Column("amount", _label(Payment, "amount"), required=True),
    # Only needed where two customers have invoices with the same number.
    Column("customer", _label(Payment, "customer")),
)

CONTACT_COLUMNS = (
    Column("customer", _label(Contact, "customer"), required=True),
    Column("name", _label(Contact, "name"), required=True),
    Column("role", _label(Contact, "role")),
    Column("title", _label(Contact, "title")),
    Column("mobile", _label(Contact, "mobile")),
    Column("phone", _label(Contact, "phone")),
    Column("email", _label(Contact, "email")),
    Column("is_primary", _label(Contact, "is_primary")),
)

CONTRACT_COLUMNS = (
    Column("contract_no", _label(Contract, "number"), required=True),
    Column("customer", _label(Contract, "customer"), required=True),
    Column("title", _label(Contract, "title"), required=True),
    Column("signed_on", _label(Contract, "signed_on"), required=True),
    Column("ends_on", _label(Contract, "ends_on")),
    Column("amount", _label(Contract, "amount"), required=True),
    Column("currency", _label(Contract, "currency")),
    Column("payment_terms_days", _label(Contract, "payment_terms_days")),
)

# How the lines are headed on Chinese statements (企业会计准则 formats) besides our labels.
_STATEMENT_ALIASES = {
    "cash": ("货币资金",),
    "accounts_receivable": ("应收账款",),
    "inventory": ("存货",),
    "current_assets": ("流动资产", "流动资产合计"),
    "intangible_assets": ("无形资产",),
    "total_assets": ("资产合计", "资产总额"),
    "current_liabilities": ("流动负债", "流动负债合计"),
    "total_liabilities": ("负债总计", "负债总额"),
    "equity": ("所有者权益", "股东权益合计", "所有者权益（或股东权益）合计", "净资产"),
    "revenue": ("营业总收入", "主营业务收入"),
    "cost_of_sales": ("营业成本",),
    "interest_expense": ("利息费用",),
    "profit_before_tax": ("利润总额",),
    "net_profit": ("净利润",),
    "cash_from_sales": ("销售商品、提供劳务收到的现金",),
    "operating_cash_flow": ("经营活动产生的现金流量净额",),
    "investing_cash_flow": ("投资活动产生的现金流量净额",),
    "financing_cash_flow": ("筹资活动产生的现金流量净额",),
}
_REQUIRED_LINES = ("total_assets", "total_liabilities", "equity", "revenue", "net_profit")
STATEMENT_COLUMNS = (
    Column("customer", _label(FinancialStatement, "customer"), required=True),
    Column("period_type", _label(FinancialStatement, "period_type"), aliases=("报表类型", "期间")),
    Column(
        "period_end",
        _label(FinancialStatement, "period_end"),
        required=True,
        aliases=("期末日期", "报表日期", "报告期"),
    ),
    Column("currency", _label(FinancialStatement, "currency")),
    Column("audited", _label(FinancialStatement, "audited"), aliases=("是否审计",)),
    *(
        Column(
            name,
            _label(FinancialStatement, name),
            required=name in _REQUIRED_LINES,
            aliases=_STATEMENT_ALIASES.get(name, ()),
        )
        for name in (*BALANCE_SHEET_LINES, *INCOME_STATEMENT_LINES, *CASH_FLOW_LINES)
    ),
)

OPEN_ORDER_COLUMNS = (
    Column("customer", _label(OpenOrder, "customer"), required=True),
    Column(
        "reference",
        _label(OpenOrder, "reference"),
        required=True,
        aliases=("订单号", "订单编号", "发货单号", "单号", "order_no"),
    ),
    Column("amount", _label(OpenOrder, "amount"), required=True, aliases=("订单金额",)),
    Column("currency", _label(OpenOrder, "currency")),
    Column("kind", _label(OpenOrder, "kind"), aliases=("订单类型",)),
)

KINDS: dict[str, tuple[Column, ...]] = {
    "customers": CUSTOMER_COLUMNS,
    "contacts": CONTACT_COLUMNS,
    "statements": STATEMENT_COLUMNS,
    "contracts": CONTRACT_COLUMNS,
    "invoices": INVOICE_COLUMNS,
    "payments": PAYMENT_COLUMNS,
    "open_orders": OPEN_ORDER_COLUMNS,
}


def header_names(column: Column) -> set[str]:
    """What a header cell may say for this column: its name, its label in Chinese and in
    English (compared without case and spaces)."""
    names = {column.name, *column.aliases}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.add(str(column.label))
    return {_key(n) for n in names}


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


def match_headers(columns: tuple[Column, ...], headers: list[str]) -> dict[str, int]:
    """{column name: position} for the headers that name a known column."""
    lookup = {key: c.name for c in columns for key in header_names(c)}
    found: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = lookup.get(_key(header))
        if name is not None and name not in found:
            found[name] = position
    return found
