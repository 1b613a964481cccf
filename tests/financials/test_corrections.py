"""Corrections of financial records: sealed amounts change too, and an unchanged one is
no write at all."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from credfile.audit.models import AuditEvent
from credfile.changes.services import record_change
from credfile.customers.services import customer_create
from credfile.financials.models import IndividualFinancial
from tests import records
from tests.conftest import Personas
from tests.factories import resident_id

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
