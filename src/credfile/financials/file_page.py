"""The financials section of the file page, and its records under change control."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from credfile.accounts.models import User
from credfile.changes.choices import FieldGroup
from credfile.changes.registry import Target, register_target
from credfile.core.permissions import Section as Policy
from credfile.customers.models import Customer
from credfile.customers.sections import RecordKind, Section, register_section
from credfile.financials import forms
from credfile.financials.analysis import trends
from credfile.financials.chart import trend_chart
from credfile.financials.models import FinancialStatement, IndividualFinancial
from credfile.financials.services import (
    INDIVIDUAL_FIELDS,
    STATEMENT_FIELDS,
    _financial_statement_delete,
    _financial_statement_update,
    _individual_financial_delete,
    _individual_financial_update,
    financial_statement_create,
    individual_financial_create,
)


def _plain(form: Any) -> Any:
    return lambda data=None, customer=None, **kwargs: form(data, **kwargs)


def _context(user: User, customer: Customer, access: Any) -> dict[str, Any]:
    if customer.is_individual:
        return {"individual_financials": list(customer.individual_financials.all()[:20])}
    statements = list(customer.financial_statements.all())
    found = trends(statements)
    return {
        "statements": statements[:12],
        "trends": [(trend, trend_chart(trend)) for trend in found],
    }


def register() -> None:
    register_section(
        Section(
            slug=Policy.FINANCIALS,
            title=_("Financials"),
            template="financials/section.html",
            order=20,
            context=_context,
            records=(
                RecordKind(
                    "individual_financial",
                    _("Add financial information"),
                    _plain(forms.IndividualFinancialForm),
                    individual_financial_create,
                    offered=lambda customer: customer.is_individual,
                ),
                RecordKind(
                    "financial_statement",
                    _("Add a financial statement"),
                    _plain(forms.FinancialStatementForm),
                    financial_statement_create,
                    offered=lambda customer: not customer.is_individual,
                ),
            ),
            reveal_fields=("annual_income", "total_assets", "total_liabilities"),
        )
    )
    register_target(
        Target(
            label="financials.financialstatement",
            slug="financial-statement",
            model=FinancialStatement,
            group=FieldGroup.FINANCIAL.value,
            fields=STATEMENT_FIELDS,
            section=Policy.FINANCIALS,
            update=lambda actor, customer, obj, fields, options: _financial_statement_update(
                actor=actor, statement=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _financial_statement_delete(
                actor=actor, statement=obj
            ),
            required=forms.STATEMENT_REQUIRED,
        )
    )
    register_target(
        Target(
            label="financials.individualfinancial",
            slug="individual-financial",
            model=IndividualFinancial,
            group=FieldGroup.FINANCIAL.value,
            fields=INDIVIDUAL_FIELDS,
            section=Policy.FINANCIALS,
            update=lambda actor, customer, obj, fields, options: _individual_financial_update(
                actor=actor, record=obj, fields=fields
            ),
            delete=lambda actor, customer, obj: _individual_financial_delete(
                actor=actor, record=obj
            ),
            required=forms.INDIVIDUAL_REQUIRED,
        )
    )
