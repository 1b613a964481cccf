"""Form inputs write dates, times and amounts as the browser's inputs read them, in every
language, so that a form opened and saved unchanged gives back what it showed."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django import forms
from django.utils import timezone, translation

from credfile.core.forms import DateInput, DateTimeInput, DecimalInput


class _Form(forms.Form):
    day = forms.DateField(widget=DateInput())
    moment = forms.DateTimeField(widget=DateTimeInput())
    amount = forms.DecimalField(max_digits=18, decimal_places=2, widget=DecimalInput())


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
VALUES = {
    "day": datetime.date(2023, 1, 20),
    "moment": datetime.datetime(2023, 1, 20, 9, 5, 7, tzinfo=SHANGHAI),
    "amount": Decimal("50000000.00"),
}


@pytest.mark.parametrize("language", ["zh-hans", "en", "de"])
def test_values_render_in_iso_and_plain_digits_and_parse_back_unchanged(language, settings) -> None:
    # Grouping and a decimal comma (German) must not reach a number input either.
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override(language), timezone.override(SHANGHAI):
        form = _Form(initial=VALUES)
        html = {name: str(form[name]) for name in VALUES}
        assert 'value="2023-01-20"' in html["day"] and 'type="date"' in html["day"]
        assert 'value="2023-01-20T09:05:07"' in html["moment"]
        assert 'step="1"' in html["moment"]
        assert 'value="50000000.00"' in html["amount"]

        posted = {
            "day": "2023-01-20",
            "moment": "2023-01-20T09:05:07",
            "amount": "50000000.00",
        }
        bound = _Form(data=posted)
        assert bound.is_valid(), bound.errors
        assert bound.cleaned_data == VALUES
