"""Keyset (cursor) pagination: page N costs the same as page 1, whatever the table size."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q

M = TypeVar("M", bound=models.Model)


@dataclass
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None
    prev_cursor: str | None


def encode_cursor(values: list[Any], direction: str) -> str:
    raw = json.dumps({"v": values, "d": direction}, default=str, ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[list[Any], str] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values, direction = data["v"], data["d"]
    except (ValueError, KeyError, TypeError):
        return None
    if direction not in {"next", "prev"} or not isinstance(values, list):
        return None
    return values, direction


def _after(fields: list[str], values: list[Any], descending: bool) -> Q:
    """Rows strictly after `values` in the (fields) ordering: (a > x) or (a = x and b > y)…"""
    op = "lt" if descending else "gt"
    condition = Q()
    for i in range(len(fields) - 1, -1, -1):
        step = Q(**{f"{fields[i]}__{op}": values[i]})
        if i < len(fields) - 1:
            step |= Q(**{fields[i]: values[i]}) & condition
        condition = step
    return condition


def keyset_paginate(
    queryset: models.QuerySet[M],
    *,
    order: str,
    cursor: str | None,
    size: int,
    unique: bool = False,
) -> KeysetPage[M]:
    """Paginate by `order` (a field name, '-' for descending) with the primary key as tiebreak.

    `unique`: the field alone identifies a row, so no tiebreak; the cursor condition is then a
    single range the database can seek to in an index, however deep the page.
    """
    descending = order.startswith("-")
    field = order.lstrip("-")
    fields = [field, "pk"] if field != "pk" and not unique else [field]
    decoded = decode_cursor(cursor) if cursor else None
    direction = "next"
    qs = queryset
    if decoded is not None and len(decoded[0]) == len(fields):
        values, direction = decoded
        backwards = direction == "prev"
        qs = qs.filter(_after(fields, values, descending ^ backwards))
    else:
        decoded = None
    backwards = direction == "prev"
    prefix = "-" if descending ^ backwards else ""
    rows = list(qs.order_by(*(prefix + f for f in fields))[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def key(obj: M) -> list[Any]:
        return [getattr(obj, f) for f in fields]

    if not rows:
        return KeysetPage(rows, None, None)
    next_cursor: str | None
    prev_cursor: str | None
    if backwards:
        next_cursor = encode_cursor(key(rows[-1]), "next")
        prev_cursor = encode_cursor(key(rows[0]), "prev") if has_more else None
    else:
        next_cursor = encode_cursor(key(rows[-1]), "next") if has_more else None
        prev_cursor = encode_cursor(key(rows[0]), "prev") if decoded is not None else None
    return KeysetPage(rows, next_cursor, prev_cursor)
