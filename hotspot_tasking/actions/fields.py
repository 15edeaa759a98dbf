"""Checking the values a person gives the action log: text, dates, money, meeting items.

Each check returns the clean value or raises :class:`ActionLogError` with one sentence
naming the field and the fix.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from ..configfile import parse_day
from .errors import ActionLogError

#: The largest bid the log holds, pounds.
MAX_GBP = Decimal("9999999999.99")


def item_rows(items: Iterable[Mapping[str, Any]] | pd.DataFrame | None) -> list[dict[str, Any]]:
    if items is None:
        return []
    records = items.to_dict("records") if isinstance(items, pd.DataFrame) else [dict(i) for i in items]
    rows, seen = [], set()
    for n, item in enumerate(records, start=1):
        unknown = sorted(set(item) - {"tasking_id", "place_name", "rank", "summary"})
        if unknown:
            raise ActionLogError(f"items, item {n}: unknown fields {', '.join(unknown)}; give only tasking_id, "
                               "place_name, rank and summary.")
        tid = text_field(f"items, item {n}: tasking_id", item.get("tasking_id"), 64)
        if tid in seen:
            raise ActionLogError(f"items, item {n}: tasking_id {tid!r} is listed twice; list each place once.")
        seen.add(tid)
        rank = item.get("rank")
        if rank is None or (isinstance(rank, float) and math.isnan(rank)):
            rank = None
        elif isinstance(rank, bool) or not isinstance(rank, (numbers.Integral, float)) or rank != int(rank) \
                or rank < 1:
            raise ActionLogError(f"items, item {n}: rank must be a whole number from 1, got {rank!r}; fix it.")
        else:
            rank = int(rank)
        rows.append({"tasking_id": tid, "rank": rank,
                     "place_name": text_field(f"items, item {n}: place_name", item.get("place_name"), 200,
                                              required=False),
                     "summary": text_field(f"items, item {n}: summary", item.get("summary"), None, required=False)})
    return rows


def text_field(field: str, value: Any, max_len: int | None, *, required: bool = True) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        if required:
            raise ActionLogError(f"{field} is missing; give it as text.")
        return None
    if not isinstance(value, str):
        raise ActionLogError(f"{field} must be text, got {type(value).__name__} {value!r}; pass a string.")
    value = value.strip()
    if not value:
        if required:
            raise ActionLogError(f"{field} is empty; give it as text.")
        return None
    if max_len is not None and len(value) > max_len:
        raise ActionLogError(f"{field} is {len(value)} characters long; shorten it to {max_len} at most.")
    return value


def date_field(field: str, value: Any, *, required: bool = True) -> dt.date | None:
    """A date given to the action log (None or NaT: missing), as :func:`~hotspot_tasking.configfile.parse_day` reads it.

    A date or datetime, or text written ``2017-07-04`` or ``04/07/2017`` (UK, day first).
    """
    if value is None or (isinstance(value, dt.datetime) and value != value):  # pandas.NaT is not equal to itself
        if required:
            raise ActionLogError(f"{field} is missing; give a date such as '2017-07-04'.")
        return None
    return parse_day(value, field=field, error=ActionLogError)


def money_field(field: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        raise ActionLogError(f"{field} must be an amount in pounds, got {type(value).__name__} {value!r}; "
                           "pass e.g. Decimal('250.00').")
    try:
        amount = Decimal(str(value).strip().lstrip("£").replace(",", "")) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ActionLogError(f"{field} {value!r} is not an amount in pounds; give a number such as '250.00'.") from None
    if not amount.is_finite():
        raise ActionLogError(f"{field} {value!r} is not an amount in pounds; give a number such as '250.00'.")
    if amount < 0:
        raise ActionLogError(f"{field} must be 0 or more, got {value}; give the bid in pounds, without a minus sign.")
    if amount > MAX_GBP:
        raise ActionLogError(f"{field} {value} is more than the log holds (£{MAX_GBP:,}); check the amount.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ActionLogError(f"{field} {value} has fractions of a penny; round it to pence.")
    return amount.quantize(Decimal("0.01"))


def check_due(due_on: dt.date | None, held_on: dt.date) -> None:
    if due_on is not None and due_on < held_on:
        raise ActionLogError(f"due_on {due_on} is before the meeting on {held_on}; give a date on or after it.")
