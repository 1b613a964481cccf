"""Masking, property-based: for any valid number, a user without the reveal right sees
exactly the masked form and never the hidden digits — on the page and in the API."""

from __future__ import annotations

import datetime

import phonenumbers
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from stdnum.cn import ric

from credfile.core.masking import mask_card, mask_id_number, mask_phone
from tests.factories import IndividualFactory

REGIONS = ["110105", "310104", "440305", "330106", "510107", "420102"]


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    born = draw(
        st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2008, 12, 31))
    )
    body = f"{draw(st.sampled_from(REGIONS))}{born:%Y%m%d}{draw(st.integers(1, 999)):03d}"
    number = body + ric.calc_check_digit(body + "0")
    # stdnum knows which division codes existed on the birth date; keep those it accepts.
    assume(ric.is_valid(number))
    return number


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["130", "135", "138", "139", "150", "158", "186", "199"]))
    number = f"{prefix}{draw(st.integers(0, 99_999_999)):08d}"
    parsed = phonenumbers.parse(number, "CN")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


cards = st.from_regex(r"\A62[0-9]{14,17}\Z", fullmatch=True)


@given(resident_ids())
def test_an_id_number_shows_its_first_six_and_last_four(number: str) -> None:
    assert ric.is_valid(number)
    masked = mask_id_number(number)
    assert masked == number[:6] + "*" * 8 + number[-4:]


@given(mobiles())
def test_a_mobile_shows_its_first_three_and_last_four(number: str) -> None:
    national = number[3:]
    assert mask_phone(number) == national[:3] + "****" + national[-4:]


@given(cards)
def test_a_card_shows_at_most_its_first_six_and_last_four(number: str) -> None:
    masked = mask_card(number)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert set(masked[6:-4]) == {"*"}


@pytest.mark.django_db
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(number=resident_ids(), mobile=mobiles())
def test_pages_and_api_show_only_the_masked_forms(
    personas, client_for, number: str, mobile: str
) -> None:
    from credfile.customers.models import Customer

    Customer.objects.filter(name="脱敏测试").delete()
    person = IndividualFactory(
        name="脱敏测试",
        id_number=number,
        phone=mobile,
        department=personas.sales,
        account_manager=personas.account_manager,
    )
    # The auditor reads every file but has no reveal right.
    page = client_for(personas.auditor).get(reverse("customers:detail", args=[person.pk]))
    html = page.content.decode()
    assert mask_id_number(number) in html
    assert number not in html and mobile not in html and mobile[3:] not in html
    api = APIClient()
    api.force_authenticate(personas.auditor)
    body = api.get(f"/api/v1/customers/{person.pk}/").json()
    assert body["id_number"] == mask_id_number(number)
    assert body["phone"] == mask_phone(mobile)
