"""A stored value shown with its field's translated label and the file page's formatting."""

from __future__ import annotations

import pytest
from django.utils import translation

from credfile.core.display import display_value, field_changes, field_label, related_names
from credfile.customers.models import Customer
from credfile.financials.models import IndividualFinancial
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_money_is_shown_as_on_the_file_page_with_its_currency() -> None:
    assert display_value(Customer, "registered_capital", "50000000.00", currency="CNY") == (
        "50,000,000.00 CNY"
    )
    assert display_value(Customer, "registered_capital", "1234.5") == "1,234.50"


def test_dates_choices_and_empty_values_read_as_on_the_file_page() -> None:
    assert display_value(Customer, "established_on", "2023-01-20") == "2023-01-20"
    with translation.override("en"):
        assert display_value(Customer, "category", "strategic") == "Strategic customer"
        assert display_value(Customer, "kind", "organization") == "Organisation"
    with translation.override("zh-hans"):
        assert display_value(Customer, "category", "strategic") == "战略客户"
    assert display_value(Customer, "remarks", "") == "—"
    assert display_value(Customer, "remarks", None) == "—"


def test_labels_are_the_fields_verbose_names_in_the_readers_language() -> None:
    with translation.override("en"):
        assert field_label(Customer, "registered_capital") == "registered capital"
        assert field_label("customers.customer", "profit_class") == "profit contribution"
    with translation.override("zh-hans"):
        assert field_label(Customer, "registered_capital") == "注册资本"
        assert field_label(Customer, "profit_class") == "利润贡献度"
    assert field_label(Customer, "no_such_field") == "no_such_field"


def test_sealed_values_are_masked_unless_revealed_and_kept_as_recorded_when_masked() -> None:
    assert display_value(Customer, "phone", "+8613812345678") == "138****5678"
    assert display_value(Customer, "phone", "+8613812345678", reveal=True) == "138 1234 5678"
    assert display_value(Customer, "birth_date", "1985-03-12") == "1985-**-**"
    assert display_value(IndividualFinancial, "annual_income", "350000.00") == "***"
    assert (
        display_value(
            IndividualFinancial, "annual_income", "350000.00", reveal=True, currency="CNY"
        )
        == "350,000.00 CNY"
    )
    # The audit trail stores them masked already.
    assert display_value(Customer, "phone", "138****5678", masked=True) == "138****5678"


def test_people_and_departments_are_shown_by_name(personas: Personas) -> None:
    row = {"department_id": personas.sales.pk, "account_manager_id": personas.account_manager.pk}
    assert display_value(Customer, "department_id", personas.sales.pk) == "销售一部"
    names = related_names([(Customer, row)])
    assert display_value(Customer, "department", personas.sales.pk, names=names) == "销售一部"
    assert display_value(
        Customer, "account_manager_id", personas.account_manager.pk, names=names
    ) == str(personas.account_manager)


def test_field_changes_list_only_what_differs_with_the_rows_currency() -> None:
    with translation.override("en"):
        changes = field_changes(
            Customer,
            {"registered_capital": "100.00", "registered_capital_currency": "CNY", "city": "A"},
            {"registered_capital": "2500.00", "registered_capital_currency": "USD", "city": "A"},
        )
    by_name = {c.name: c for c in changes}
    assert set(by_name) == {"registered_capital", "registered_capital_currency"}
    assert by_name["registered_capital"].before == "100.00 CNY"
    assert by_name["registered_capital"].after == "2,500.00 USD"
    assert by_name["registered_capital"].label == "registered capital"
