"""Why a place on a tasking list ranks where it does, in words: :func:`explain` (the
``explanation`` column), with the wording helpers :func:`number`, :func:`plural` and
:func:`day_names`. What a place is like (its name, categories, peak times) is
:func:`.profile.profiles`.

Built only from the row's numbers (counts, the baseline, z, persistence, peak times and
repeat locations), never from free text or anything about people, in UK wording:

    "12 incidents this week (harm-weighted 86), 2.3 times the 12-week average (z = 2.8, ▲);
    persistent, hot in 6 of the last 8 weeks; 70% on Friday and Saturday 21:00-04:00;
    4 repeat locations"

The parts, joined by "; " (a part is left out when its numbers are missing):

1. volume now and harm, and the trend against the baseline: "N times the K-week average"
   (one decimal; "about the K-week average" from 0.95 to 1.05 times), "none in the
   previous K weeks" when the baseline is 0, with z and the arrow;
2. persistence class and how many of the periods the place was hot in;
3. the share of its timed incidents on its peak days and hours;
4. repeat locations (left out when there are none).

Counts are shown whole when they are (band-weighted counts may not be: 12.5).

Exports restate an explanation from the figures they show (:func:`restated`) and drop every
figure when a count is hidden (:func:`without_figures`), so the words never give back what
disclosure control hid.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ..geo.hourofweek import ALL_DAY
from ..periods import Every

_DAYS = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday", "Fri": "Friday",
         "Sat": "Saturday", "Sun": "Sunday"}


def explain(row: Mapping[str, Any], *, every: Every) -> str:
    """The row's score in words (see the module docstring).

    Parameters
    ----------
    row : mapping
        A tasking-list row (``count_now``, ``count_before``, ``harm_now``, ``z``, ``arrow``,
        ``persistence``, ``peak_days``, ``peak_hours``, ``repeat_locations``) plus the
        details ranking keeps beside it: ``baseline_periods`` (periods in the baseline),
        ``hot_periods`` and ``periods`` (hot in how many of how many periods, the review
        period included) and ``peak_share`` (0-1, of the timed incidents on the peak days
        and hours). Missing keys leave their part out.
    every : {"week", "month"}
        The length of a period.

    Returns
    -------
    str

    Examples
    --------
    >>> explain({"count_now": 12, "harm_now": 86, "count_before": 5.2, "baseline_periods": 12,
    ...          "z": 2.8, "arrow": "▲", "persistence": "persistent", "hot_periods": 6, "periods": 8,
    ...          "peak_days": "Fri, Sat", "peak_hours": "21:00-04:00", "peak_share": 0.7,
    ...          "repeat_locations": 4}, every="week")  # doctest: +NORMALIZE_WHITESPACE
    '12 incidents this week (harm-weighted 86), 2.3 times the 12-week average (z = 2.8, ▲); persistent,
    hot in 6 of the last 8 weeks; 70% on Friday and Saturday 21:00-04:00; 4 repeat locations'
    """
    if every not in ("week", "month"):
        raise ValueError(f"every must be 'week' or 'month', got {every!r}.")
    parts = [_volume(row, every), _persistence(row, every), _peak(row), _repeats(row)]
    return "; ".join(p for p in parts if p)


def number(value: float) -> str:
    """A count as people read it: ``"12"``, ``"1,204"``, ``"12.5"`` (band-weighted).

    >>> number(12.0), number(1204), number(12.46), number(0.04)
    ('12', '1,204', '12.5', '0')
    """
    rounded = round(float(value))
    if abs(float(value) - rounded) < 0.05:
        return f"{rounded:,}"
    return f"{float(value):,.1f}"


def plural(value: float, noun: str) -> str:
    """``"1 incident"``, ``"2 incidents"``, ``"0.5 incidents"``."""
    text = number(value)
    return f"{text} {noun}" if text == "1" else f"{text} {noun}s"


def day_names(short: str) -> str:
    """``"Fri, Sat"`` -> ``"Friday and Saturday"``; ``"Mon, Tue, Wed"`` -> ``"Monday, Tuesday and Wednesday"``."""
    names = [_DAYS.get(d.strip(), d.strip()) for d in short.split(",") if d.strip()]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- the parts ------------------------------------------------------------------------------

def _volume(row: Mapping[str, Any], every: Every) -> str:
    now = _value(row, "count_now")
    if now is None:
        return ""
    text = f"{plural(now, 'incident')} this {every}"
    harm = _value(row, "harm_now")
    if harm is not None:
        text += f" (harm-weighted {number(harm)})"
    before, periods = _value(row, "count_before"), _value(row, "baseline_periods")
    if before is None or not periods:
        return text
    average = f"{number(periods)}-{every} average"
    if before == 0:
        trend = f"none in the previous {number(periods)} {every}s"
    else:
        ratio = now / before
        trend = f"about the {average}" if 0.95 <= ratio < 1.05 else f"{ratio:.1f} times the {average}"
    z = _value(row, "z")
    if z is not None:
        arrow = row.get("arrow") or ""
        trend += f" (z = {z:.1f}, {arrow})" if arrow else f" (z = {z:.1f})"
    return f"{text}, {trend}"


def _persistence(row: Mapping[str, Any], every: Every) -> str:
    klass = row.get("persistence")
    if not isinstance(klass, str) or not klass:
        return ""
    hot, periods = _value(row, "hot_periods"), _value(row, "periods")
    if hot is None or not periods:
        return klass
    if hot == 0:
        return f"not hot in any of the last {number(periods)} {every}s"
    return f"{klass}, hot in {number(hot)} of the last {number(periods)} {every}s"


def _peak(row: Mapping[str, Any]) -> str:
    days, hours, share = row.get("peak_days"), row.get("peak_hours"), _value(row, "peak_share")
    if not isinstance(days, str) or not days or share is None:
        return ""
    text = f"{share:.0%} on {day_names(days)}"
    if isinstance(hours, str) and hours and hours != ALL_DAY:
        text += f" {hours}"
    return text


def _repeats(row: Mapping[str, Any]) -> str:
    repeats = _value(row, "repeat_locations")
    if not repeats:
        return ""
    return plural(repeats, "repeat location")


def _value(row: Mapping[str, Any], key: str) -> float | None:
    """A finite number from the row, else None (missing, NaN or NA)."""
    value = row.get(key)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


_VOLUME = re.compile(r"^[\d,.]+ incidents? this (?P<every>week|month)\b")
_BASELINE = re.compile(r"\b(?P<k>\d+)-(?:week|month) average\b|\bprevious (?P<k2>\d+) (?:week|month)s\b")
_PEAK = re.compile(r"^\d+% on (?P<when>.+)$")
_REPEATS = re.compile(r"^[\d,.]+ repeat locations?$")


def without_figures(explanation: str, *, count: str) -> str:
    """An explanation that gives no figure back, for a place whose count is hidden.

    The volume part says only ``count`` ("fewer than 5 incidents this month": no harm, no
    ratio to the average, no z); the peak part names the days and hours without a share;
    repeat locations are left out; persistence is kept (it counts periods, not incidents).

    Parameters
    ----------
    explanation : str
        As :func:`explain` wrote it.
    count : str
        What is shown instead of the count, e.g. ``"fewer than 5"``.

    Returns
    -------
    str

    Examples
    --------
    >>> without_figures("3 incidents this month (harm-weighted 9); new, hot in 1 of the last 1 months; "
    ...                 "33% on Thursday 15:00-16:00; 1 repeat location", count="fewer than 5")
    'fewer than 5 incidents this month; new, hot in 1 of the last 1 months; busiest on Thursday 15:00-16:00'
    """
    parts = []
    for part in explanation.split("; "):
        volume, peak = _VOLUME.match(part), _PEAK.match(part)
        if volume:
            parts.append(f"{count} incidents this {volume['every']}")
        elif peak:
            parts.append(f"busiest on {peak['when']}")
        elif not _REPEATS.match(part):
            parts.append(part)
    return "; ".join(parts)


def restated(explanation: str, row: Mapping[str, Any], *, about: bool = True, repeats: bool = True) -> str:
    """An explanation whose volume part is said again from ``row``'s figures, marked "about".

    For exports that round a place's figures: the words then carry the rounded count, harm,
    ratio and z, not the exact ones. The period and the baseline's length are kept from
    the text; the other parts are kept as they are.

    Parameters
    ----------
    explanation : str
        As :func:`explain` wrote it.
    row : mapping
        ``count_now`` (required), ``harm_now``, ``count_before``, ``z``, ``arrow`` as shown;
        a missing or NaN figure leaves its words out.
    about : bool, default=True
        Mark the figures as rounded ("about 25 incidents", "harm-weighted about 50").
    repeats : bool, default=True
        Keep the repeat locations part (a sensitive place's repeat location is an address).

    Returns
    -------
    str

    Examples
    --------
    >>> restated("23 incidents this month (harm-weighted 41), 1.5 times the 12-month average (z = 2.1, ▲); "
    ...          "persistent", {"count_now": 25, "harm_now": 50, "count_before": 15, "z": 2.3, "arrow": "▲"})
    'about 25 incidents this month (harm-weighted about 50), 1.7 times the 12-month average (z = 2.3, ▲); persistent'
    """
    parts = [p for p in explanation.split("; ") if repeats or not _REPEATS.match(p)]
    volume = _VOLUME.match(parts[0]) if parts else None
    if volume is None or _value(row, "count_now") is None:
        return "; ".join(parts)
    baseline = _BASELINE.search(parts[0])
    periods = int(baseline["k"] or baseline["k2"]) if baseline else None
    shown = {**row, "baseline_periods": periods}
    text = _volume(shown, volume["every"])
    if about:
        text = "about " + text.replace(" (harm-weighted ", " (harm-weighted about ", 1)
    return "; ".join([text, *parts[1:]])


def hotspot_groups(group, names, counts) -> list[str]:
    """Per place, the hotspot it is part of in words ("" when the hotspot is that place alone).

    A group is named after its busiest place (most incidents now; ties: first listed),
    without the place's wards.

    >>> out = hotspot_groups([1, 1, 2], ["Above Bar Street (Bargate)", "Bargate Street (Bargate)", "Portland Terrace"],
    ...                      [30.0, 12.0, 5.0])
    >>> out[0] == out[1] == 'part of the hotspot round Above Bar Street (2 places)', out[2]
    (True, '')
    """
    group = list(group)
    size = {g: group.count(g) for g in set(group)}
    anchor: dict = {}
    for i, g in enumerate(group):  # one step per place
        if g not in anchor or counts[i] > counts[anchor[g]]:
            anchor[g] = i
    out = []
    for g in group:
        if size[g] < 2:
            out.append("")
            continue
        name = str(names[anchor[g]])
        street = name.rsplit(" (", 1)[0] if name.endswith(")") else name
        out.append(f"part of the hotspot round {street} ({size[g]} places)")
    return out


def too_few(listed: int, request, review, band_label: str, config) -> str:
    """Why a list holds fewer places than ``request.top``, in one sentence."""
    when = review.describe()
    band = "" if request.band == "all" else f" in the '{band_label}' band"
    if request.candidates != "hotspot":
        return (f"Only {plural(listed, request.candidates)} had incidents{band} in {when}, so the list holds "
                f"{listed}, not {request.top}.")
    if request.method == "surface":
        return (f"Only {plural(listed, 'place')} qualified for the top {request.top}: the hottest cells covering "
                f"{config.hot_coverage:.0%} of the study area hold {listed} places with incidents{band} in {when}; "
                "raise hot_coverage in tasking.toml or widen the band or categories for more.")
    return (f"Only {plural(listed, 'hotspot')} with incidents{band} were found in {when}, not {request.top}; "
            "widen the band or categories for more.")
