"""Domain errors raised by services and turned into clear responses by views and the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class DuplicateRecord(ValidationError):
    """An identity number that another record already holds; carries that record."""

    def __init__(self, field: str, message: str, existing: Any) -> None:
        super().__init__({field: [ValidationError(message, code="duplicate")]})
        self.field = field
        self.existing = existing


class ConfirmationRequired(ValidationError):
    """The input is acceptable only once the user confirms a warning (e.g. a similar name)."""

    def __init__(self, field: str, message: str, matches: list[Any]) -> None:
        super().__init__({field: [ValidationError(message, code="confirm")]})
        self.field = field
        self.matches = matches


class StaleVersion(Exception):
    """The record changed since the user loaded it."""

    def __init__(self, current_version: int, changes: dict[str, Any]) -> None:
        super().__init__(f"stale version; current is {current_version}")
        self.current_version = current_version
        self.changes = changes
