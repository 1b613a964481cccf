"""Bounded integer fields for ids and other integers read from requests."""

from __future__ import annotations

from typing import Any

from django import forms
from rest_framework import serializers

from credfile.core.converters import MAX_ID


class IdSerializerField(serializers.IntegerField):
    """An id given in a query or body: 1 … 2⁶³−1, so the database never sees a larger one."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFormField(forms.IntegerField):
    """The form counterpart of `IdSerializerField`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
