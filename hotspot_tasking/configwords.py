"""How configuration messages show values, keys and ranges ("got 'osgb'", "above 0 and at most 1").

Used by :mod:`hotspot_tasking.configfile`; only the standard library.

Examples
--------
>>> range_words(0, 1, True, False), range_words(0, float("inf"), False, False)
(' above 0 and at most 1', ' of 0 or more')
>>> toml_key("Robbery"), toml_key("Anti-social behaviour"), toml_key("Robbery", force=True)
('Robbery', '"Anti-social behaviour"', '"Robbery"')
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class Words(str):
    """Text shown as it is after "got" (not quoted)."""


def shown(value: Any) -> str:
    """A value as a message shows it: text quoted, true/false, dates ISO, long text cut.

    >>> shown("osgb"), shown(True), shown(-5), shown(["Friday"])
    ("'osgb'", 'true', '-5', "['Friday']")
    """
    if isinstance(value, Words):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "a table { " + ", ".join(f"{toml_key(str(k))} = {shown(v)}" for k, v in list(value.items())[:4]) \
            + (", ..." if len(value) > 4 else "") + " }"
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value[:6]) + (", ..." if len(value) > 6 else "") + "]"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else type(value).__name__


def toml_key(key: str, force: bool = False) -> str:
    """A key as TOML writes it in a table header: bare when it can be, else in double quotes."""
    return key if not force and _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """A value as TOML writes it (for the "Fix: write e.g. ..." part)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return number_text(value) if is_number(value) else str(value)


def is_number(value: Any) -> bool:
    """True for a finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number_text(x: float) -> str:
    """``"0"`` for 0 or 0.0, ``"0.5"`` for 0.5."""
    return str(int(x)) if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15) \
        else repr(x)


def range_words(low: float, high: float, low_open: bool, high_open: bool) -> str:
    """" above 0 and at most 1", " of 0 or more", " from 1 to 7", "" (no limits)."""
    has_low, has_high = math.isfinite(low), math.isfinite(high)
    if has_low and has_high and not low_open and not high_open:
        return f" from {number_text(low)} to {number_text(high)}"
    lo = (f"above {number_text(low)}" if low_open else f"of {number_text(low)} or more") if has_low else ""
    if not has_high:
        return f" {lo}" if lo else ""
    if not lo:
        return f" below {number_text(high)}" if high_open else f" of {number_text(high)} or less"
    return f" {lo} and " + (f"below {number_text(high)}" if high_open else f"at most {number_text(high)}")


def example_in(low: float, high: float, low_open: bool, high_open: bool, integer: bool) -> float:
    """A value inside the range, for a fix's example."""
    if math.isfinite(low) and math.isfinite(high):
        value = low if not low_open else (high if not high_open else (low + high) / 2)
    elif math.isfinite(low):
        value = low + 1 if low_open else low
    elif math.isfinite(high):
        value = high - 1 if high_open else high
    else:
        value = 0
    return math.ceil(value) if integer else value
