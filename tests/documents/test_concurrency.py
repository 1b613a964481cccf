"""Documents attached at the same moment on PostgreSQL, where row locks are real."""

from __future__ import annotations

from typing import Any

import pytest

from credfile.documents.models import Document
from tests.changes.test_concurrency import _at_once, _postgres_only
from tests.documents import samples
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_uploads_at_once_get_ten_sequence_numbers(personas: Any) -> None:
    _postgres_only()
    customer = CustomerFactory(
        code="C000077", department=personas.sales, account_manager=personas.account_manager
    )
    outcomes = _at_once([lambda: samples.attach(customer) for _ in range(10)])
    assert outcomes == ["done"] * 10
    names = sorted(Document.objects.values_list("stored_name", flat=True))
    assert names == [f"C000077_letter_20261103_{n:03d}.pdf" for n in range(1, 11)]
