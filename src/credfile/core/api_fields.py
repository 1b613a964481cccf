"""Serializer fields shared by the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from credfile.core.masking import mask


@extend_schema_field({"type": "string", "nullable": True})
class SensitiveField(serializers.Field[Any, Any, Any, Any]):
    """A sealed value: masked, or in clear when the view has revealed it (context["reveal"]).

    Read-only; the OpenAPI type is a string either way.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        if value in (None, ""):
            return None if value is None else ""
        if self.context.get("reveal"):
            if isinstance(value, Decimal):
                return f"{value:.2f}"
            return str(value)
        return mask(self.field_name or "", value)
