"""Path converters: an id in a URL is a positive signed 64-bit integer, or the URL is a 404."""

from __future__ import annotations

from django.urls import register_converter

# The largest primary key either database holds (SQLite INTEGER, PostgreSQL bigint).
MAX_ID = 2**63 - 1


class IdConverter:
    """Like Django's `int`, but refuses values no row can have instead of letting the
    database fail on them (OverflowError on SQLite, "bigint out of range" on PostgreSQL)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # no match: the URL resolves to 404
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def register() -> None:
    register_converter(IdConverter, "id")


register()
