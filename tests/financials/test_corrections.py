"""Corrections of financial records: sealed amounts change too, and an unchanged one is
no write at all."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from credfile.audit.models import AuditEvent
from credfile.changes.models import ChangeRequest
from credfile.changes.services import record_change
from credfile.customers.services import customer_create
from credfile.financials.models import FinancialStatement, IndividualFinancial
from tests import records
from tests.conftest import Personas
from tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db


def test_a_sealed_amount_is_corrected_and_audited(personas: Personas, settings: Any) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []
    person = customer_create(
        actor=personas.account_manager,
        fields={"kind": "individual", "name": "张伟", "id_number": resident_id(41)},
    )
    record = records.make("individual-financial", person)

    record_change(
        actor=personas.account_manager,
        customer=person,
        target=record,
        changes={"annual_income": Decimal("420000.00")},
    )

    assert IndividualFinancial.objects.get(pk=record.pk).annual_income == Decimal("420000.00")
    assert AuditEvent.objects.filter(
        action="update", object_type="financials.individualfinancial", object_id=str(record.pk)
    ).exists()

    saved_at = IndividualFinancial.objects.get(pk=record.pk).updated_at
    record_change(
        actor=personas.account_manager,
        customer=person,
        target=record,
        changes={"annual_income": Decimal("420000"), "employer": "某银行"},
    )
    assert IndividualFinancial.objects.get(pk=record.pk).updated_at == saved_at


def test_a_correction_that_unbalances_a_statement_is_refused_like_a_new_one(
    personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = []
    company = CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    record = records.make("financial-statement", company)

    with pytest.raises(ValidationError) as exc:
        record_change(
            actor=personas.account_manager,
            customer=company,
            target=record,
            changes={"equity": Decimal("5999998.99")},
        )
    assert exc.value.message_dict["equity"] == [
        "Annual statement 2024-12-31 does not balance: total assets 10,000,000.00 CNY, "
        "total liabilities plus owners' equity 9,999,998.99 CNY, a difference of 1.01 CNY "
        "(at most 1.00 CNY is accepted)."
    ]
    with pytest.raises(ValidationError) as exc:
        record_change(
            actor=personas.account_manager,
            customer=company,
            target=record,
            changes={"revenue": Decimal("-1.00")},
        )
    assert exc.value.message_dict["revenue"] == [
        "Annual statement 2024-12-31: operating revenue cannot be negative (-1.00 CNY)."
    ]
    assert FinancialStatement.objects.get(pk=record.pk).equity == Decimal("6000000.00")

    # Within the tolerance the correction applies.
    record_change(
        actor=personas.account_manager,
        customer=company,
        target=record,
        changes={"equity": Decimal("5999999.00")},
    )
    assert FinancialStatement.objects.get(pk=record.pk).equity == Decimal("5999999.00")


def test_a_correction_waiting_for_approval_is_checked_when_it_is_requested(
    personas: Personas, settings: Any
) -> None:
    settings.CREDFILE_APPROVAL_GROUPS = ["financial"]
    company = CustomerFactory.create(
        department=personas.sales, account_manager=personas.account_manager
    )
    record = records.make("financial-statement", company)

    with pytest.raises(ValidationError) as exc:
        record_change(
            actor=personas.account_manager,
            customer=company,
            target=record,
            changes={"total_assets": Decimal("10000002.00")},
        )
    assert (
        "a difference of 2.00 CNY (at most 1.00 CNY is accepted)"
        in (exc.value.message_dict["equity"][0])
    )
    assert not ChangeRequest.objects.exists()
