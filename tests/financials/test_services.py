"""Financial information: an individual's position and an organisation's statements."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from credfile.audit.models import AuditEvent
from credfile.customers.models import Customer
from credfile.financials.models import FinancialStatement, IndividualFinancial
from credfile.financials.services import financial_statement_create, individual_financial_create
from tests.conftest import Personas
from tests.factories import CustomerFactory, IndividualFactory

pytestmark = pytest.mark.django_db

YEAR_END = datetime.date(2024, 12, 31)


@pytest.fixture
def company(personas: Personas) -> Customer:
    return CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )


@pytest.fixture
def person(personas: Personas) -> Customer:
    return IndividualFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )


def statement(**extra: Any) -> dict[str, Any]:
    """A balanced annual statement (assets = liabilities + equity)."""
    return {
        "period_type": "annual",
        "period_end": YEAR_END,
        "audited": True,
        "cash": Decimal("1200000.00"),
        "inventory": Decimal("800000.00"),
        "current_assets": Decimal("4000000.00"),
        "total_assets": Decimal("10000000.00"),
        "current_liabilities": Decimal("2500000.00"),
        "total_liabilities": Decimal("6000000.00"),
        "equity": Decimal("4000000.00"),
        "revenue": Decimal("15000000.00"),
        "net_profit": Decimal("-300000.00"),
        "operating_cash_flow": Decimal("-120000.00"),
        **extra,
    }


def position(**extra: Any) -> dict[str, Any]:
    return {
        "as_of": datetime.date(2025, 3, 31),
        "annual_income": Decimal("240000.00"),
        "total_assets": Decimal("1500000.00"),
        "total_liabilities": Decimal("600000.00"),
        "employer": "北京星辰科技有限公司",
        **extra,
    }


def test_it_records_a_statement_and_allows_a_loss(personas: Personas, company: Customer) -> None:
    record = financial_statement_create(
        actor=personas.account_manager, customer=company, fields=statement()
    )
    record.refresh_from_db()
    assert record.net_profit == Decimal("-300000.00")
    assert record.currency == "CNY"
    company.refresh_from_db()
    assert company.version == 2
    event = AuditEvent.objects.get(object_type="financials.financialstatement")
    assert event.customer_id == company.pk
    assert event.after is not None and event.after["total_assets"] == "10000000.00"


def test_it_refuses_a_statement_that_does_not_balance(
    personas: Personas, company: Customer
) -> None:
    with pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager,
            customer=company,
            fields=statement(equity=Decimal("3000000.00")),
        )
    assert exc.value.message_dict == {
        "equity": [
            "Annual statement 2024-12-31 does not balance: total assets 10,000,000.00 CNY, "
            "total liabilities plus owners' equity 9,000,000.00 CNY, a difference of "
            "1,000,000.00 CNY (at most 1.00 CNY is accepted)."
        ]
    }
    assert not FinancialStatement.objects.exists()


@pytest.mark.parametrize("equity", ["3999999.00", "4000001.00"])
def test_it_tolerates_a_rounding_difference_of_exactly_one_unit(
    personas: Personas, company: Customer, equity: str
) -> None:
    financial_statement_create(
        actor=personas.account_manager,
        customer=company,
        fields=statement(equity=Decimal(equity)),
    )
    assert FinancialStatement.objects.count() == 1


@pytest.mark.parametrize(
    ("equity", "difference"), [("3999998.99", "1.01"), ("4000001.01", "-1.01")]
)
def test_it_refuses_a_difference_just_over_the_tolerance(
    personas: Personas, company: Customer, equity: str, difference: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager,
            customer=company,
            fields=statement(equity=Decimal(equity), currency="USD", period_type="half_year"),
        )
    (message,) = exc.value.message_dict["equity"]
    assert message.startswith("Half-year statement 2024-12-31 does not balance:")
    assert f"a difference of {difference} USD (at most 1.00 USD is accepted)" in message
    assert not FinancialStatement.objects.exists()


def test_the_tolerance_is_configurable(
    personas: Personas, company: Customer, settings: Any
) -> None:
    settings.CREDFILE_BALANCE_TOLERANCE = Decimal("0")
    with pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager,
            customer=company,
            fields=statement(equity=Decimal("3999999.99")),
        )
    assert (
        "a difference of 0.01 CNY (at most 0.00 CNY is accepted)"
        in (exc.value.message_dict["equity"][0])
    )
    settings.CREDFILE_BALANCE_TOLERANCE = Decimal("5000")
    financial_statement_create(
        actor=personas.account_manager,
        customer=company,
        fields=statement(equity=Decimal("3995000.00")),
    )
    assert FinancialStatement.objects.count() == 1


def test_it_refuses_negative_turnover_naming_the_statement(
    personas: Personas, company: Customer
) -> None:
    with pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager,
            customer=company,
            fields=statement(revenue=Decimal("-15000.50"), period_type="quarter"),
        )
    assert exc.value.message_dict == {
        "revenue": [
            "Quarter statement 2024-12-31: operating revenue cannot be negative (-15,000.50 CNY)."
        ]
    }
    assert not FinancialStatement.objects.exists()


def test_the_balance_error_is_in_chinese_for_a_chinese_user(
    personas: Personas, company: Customer
) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager,
            customer=company,
            fields=statement(equity=Decimal("3000000.00")),
        )
    (message,) = exc.value.message_dict["equity"]
    assert "年度" in message and "不平衡" in message
    assert "1,000,000.00 CNY" in message


def test_it_refuses_current_assets_above_total_assets(
    personas: Personas, company: Customer
) -> None:
    with pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager,
            customer=company,
            fields=statement(current_assets=Decimal("10000000.01")),
        )
    assert exc.value.message_dict["current_assets"] == [
        "Current assets cannot exceed total assets."
    ]


@pytest.mark.parametrize("line", ["cost_of_sales", "inventory", "total_liabilities", "cash"])
def test_it_refuses_a_negative_amount_on_a_line_that_cannot_be_negative(
    personas: Personas, company: Customer, line: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager,
            customer=company,
            fields=statement(**{line: Decimal("-1.00")}),
        )
    assert exc.value.message_dict[line] == ["This amount cannot be negative."]
    assert not FinancialStatement.objects.exists()


def test_it_refuses_a_second_statement_for_the_same_period(
    personas: Personas, company: Customer
) -> None:
    financial_statement_create(actor=personas.account_manager, customer=company, fields=statement())
    with pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager, customer=company, fields=statement()
        )
    assert exc.value.message_dict["period_end"] == [
        "A statement for this period is already recorded."
    ]
    # The same date as a quarter is another period.
    financial_statement_create(
        actor=personas.account_manager, customer=company, fields=statement(period_type="quarter")
    )
    assert FinancialStatement.objects.count() == 2


def test_it_refuses_statements_for_an_individual(personas: Personas, person: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager, customer=person, fields=statement()
        )
    assert exc.value.message_dict["customer"] == [
        "Financial statements are for organisations; enter personal financial information "
        "for an individual."
    ]


def test_it_refuses_a_field_that_is_not_a_statement_line(
    personas: Personas, company: Customer
) -> None:
    with pytest.raises(ValidationError) as exc:
        financial_statement_create(
            actor=personas.account_manager, customer=company, fields=statement(ebitda=1)
        )
    assert exc.value.message_dict == {"ebitda": ["This field cannot be set."]}


def test_it_records_an_individuals_position(personas: Personas, person: Customer) -> None:
    record = individual_financial_create(
        actor=personas.account_manager, customer=person, fields=position()
    )
    record.refresh_from_db()
    assert record.annual_income == Decimal("240000.00")
    assert record.employer == "北京星辰科技有限公司"
    person.refresh_from_db()
    assert person.version == 2


def test_it_refuses_a_second_position_on_the_same_date(
    personas: Personas, person: Customer
) -> None:
    individual_financial_create(actor=personas.account_manager, customer=person, fields=position())
    with pytest.raises(ValidationError) as exc:
        individual_financial_create(
            actor=personas.account_manager, customer=person, fields=position()
        )
    assert exc.value.message_dict["as_of"] == [
        "Financial information as of this date is already recorded."
    ]
    assert IndividualFinancial.objects.count() == 1


@pytest.mark.parametrize("field", ["annual_income", "total_assets", "total_liabilities"])
def test_it_refuses_a_negative_personal_amount(
    personas: Personas, person: Customer, field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        individual_financial_create(
            actor=personas.account_manager,
            customer=person,
            fields=position(**{field: Decimal("-5.00")}),
        )
    assert exc.value.message_dict[field] == ["This amount cannot be negative."]


def test_it_refuses_personal_information_for_an_organisation(
    personas: Personas, company: Customer
) -> None:
    with pytest.raises(ValidationError) as exc:
        individual_financial_create(
            actor=personas.account_manager, customer=company, fields=position()
        )
    assert list(exc.value.message_dict) == ["customer"]
    assert not IndividualFinancial.objects.exists()


@pytest.mark.parametrize("persona", ["colleague", "outsider", "credit_manager", "auditor"])
def test_only_those_who_may_change_the_file_add_financials(
    personas: Personas, company: Customer, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        financial_statement_create(
            actor=getattr(personas, persona), customer=company, fields=statement()
        )
    assert not FinancialStatement.objects.exists()


def test_the_department_head_adds_financials_to_any_file_of_the_department(
    personas: Personas, company: Customer
) -> None:
    financial_statement_create(actor=personas.department_head, customer=company, fields=statement())
    assert FinancialStatement.objects.filter(customer=company).count() == 1
