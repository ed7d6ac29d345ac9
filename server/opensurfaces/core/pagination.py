"""Keyset ("cursor") pagination: a deep page costs what the first page costs.

An ordering is a tuple of field names, each optionally prefixed with "-", ending with a
unique field (the primary key). The cursor encodes the ordering values of the last row
shown; the next page is the rows strictly after it in that ordering.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


class InvalidCursor(ValueError):
    """The cursor was not produced by this paginator for this ordering."""


@dataclass(frozen=True)
class KeysetPage:
    items: list[Any]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    """Return the values in ``cursor``; raise InvalidCursor for anything malformed."""
    if len(cursor) > 200:
        raise InvalidCursor("cursor too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor is not valid") from exc
    if not isinstance(values, list) or len(values) != length:
        raise InvalidCursor("cursor does not match this list")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidCursor("cursor values must be numbers")
    return values


def _after(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Build "row comes after ``values``" as (a > x) | (a = x & b > y) | ..."""
    condition = Q()
    equal_so_far = Q()
    for field, value in zip(ordering, values, strict=True):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        condition |= equal_so_far & Q(**{f"{name}__{lookup}": value})
        equal_so_far &= Q(**{name: value})
    return condition


def keyset_page(
    queryset: QuerySet, *, ordering: tuple[str, ...], cursor: str | None, size: int
) -> KeysetPage:
    """Return one page of ``queryset`` in ``ordering``, starting after ``cursor``."""
    queryset = queryset.order_by(*ordering)
    if cursor:
        queryset = queryset.filter(_after(ordering, decode_cursor(cursor, len(ordering))))
    rows = list(queryset[: size + 1])
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, f.lstrip("-")) for f in ordering])
    return KeysetPage(items=items, next_cursor=next_cursor)
