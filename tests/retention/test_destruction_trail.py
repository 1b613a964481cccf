"""A destruction as the auditor's trail shows it: in the reader's language, nothing of the
destroyed file."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from credfile.retention.destruction import deletion_request_record, destruction_approve
from tests.factories import CustomerFactory
from tests.retention.test_destruction import _listed

pytestmark = pytest.mark.django_db

# Words that may stand in a Chinese page: data (names, codes, hashes) and the machine's own.
ALLOWED = {"Asia", "Shanghai", "Excel", "class", "container", "fluid", "fang", "wang"}


def test_a_destruction_on_the_audit_page_speaks_the_readers_language(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    customer, listing = _listed(personas)
    other = CustomerFactory(department=personas.sales, account_manager=personas.account_manager)
    deletion_request_record(actor=personas.department_head, customer=other, basis="来函 R-1")
    with django_capture_on_commit_callbacks(execute=True):
        destruction_approve(actor=personas.department_head, listing=listing)
    html = client_for(personas.auditor, "zh-hans").get(reverse("audit:list")).content.decode()
    text = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])
    words = set(re.findall(r"\b[A-Za-z_]{4,}\b", text)) - ALLOWED
    assert words == set(), words
    assert "已抹除内容的审计事件" in text and "客户" in text
    assert customer.name not in text
