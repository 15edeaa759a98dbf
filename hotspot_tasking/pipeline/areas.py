"""The area comparison's choices from a workspace: which layers can be compared, in what
order, which areas to show first, whether to compare whole months, and what the page says
beside the numbers (:func:`comparison_notes`: one sentence for each period changed, empty
result, area not judged and time-of-day panel).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..boundaries.compare import AreaComparison
from ..geo.select import select_incidents
from ..geo.workspace import Workspace
from ..patrol.words import no_time_of_day_reason, time_of_day_cover
from ..periods import ReviewPeriod
from ..validation import check_columns, check_number, check_type

#: Layer kinds in the order they are offered, with their labels.
KIND_LABELS = {"ward": "Wards", "zone": "Zones", "lsoa": "LSOAs"}


def comparable_layers(ws: Workspace) -> dict[str, str]:
    """``{layer name: label}`` of the area layers: wards first, then zones, then LSOAs, by name.

    A label reads ``"Wards · ward 2014 (41)"``: the kind, the name and how many areas.
    """
    check_type(ws, "ws", "comparable_layers", Workspace, type_name="a Workspace")
    layers = ws.layers()
    order = sorted(layers, key=lambda n: (list(KIND_LABELS).index(layers[n]["kind"])
                                          if layers[n]["kind"] in KIND_LABELS else len(KIND_LABELS), n))
    return {n: f"{KIND_LABELS.get(layers[n]['kind'], layers[n]['kind'])} · {n.replace('_', ' ')} "
               f"({layers[n].get('features', '?')})" for n in order}


def busiest_areas(incidents: pd.DataFrame, layer: str, start: str, end: str, *, n: int = 2) -> list[str]:
    """The codes of the ``n`` areas with the most incidents from ``start`` to ``end`` (local
    dates, inclusive): the areas a comparison opens with. Ties: the lower code.

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``occurred_from``, ``occurred_to`` and the ``layer`` column of area codes (zones may hold
        several joined by ``;``). Not modified.
    layer : str
    start, end : str
    n : int, default=2

    >>> import pandas as pd
    >>> day = pd.to_datetime(["2017-07-01"] * 4).tz_localize("Europe/London")
    >>> t = pd.DataFrame({"occurred_from": day, "occurred_to": day, "wards": ["B", "A", "A;C", "B"]})
    >>> busiest_areas(t, "wards", "2017-07-01", "2017-07-31")
    ['A', 'B']
    """
    check_columns(incidents, ("occurred_from", "occurred_to", layer), "busiest_areas", name="incidents")
    check_number(n, "n", "busiest_areas", low=1, low_open=False, integer=True)
    codes = incidents.loc[select_incidents(incidents, start=start, end=end), layer].astype("str")
    codes = codes.str.split(";").explode()
    counts = codes[codes.ne("")].value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [code for code, _ in ranked[:n]]


@dataclass(frozen=True)
class AreaNotes:
    """What the area comparison says beside its numbers, one sentence each ("" or empty: nothing to say).

    Attributes
    ----------
    period : str
        Why the period compared is not the one chosen (month-only records: whole months).
    empty : str
        Why no area compared has an incident in the period.
    not_judged : tuple of str
        Why some areas' target status is "not judged", one sentence per reason.
    hours : str
        What the hour-of-week grids rest on when some records have no time of day, or the
        sentence that replaces them when none has.
    """

    period: str = ""
    empty: str = ""
    not_judged: tuple[str, ...] = ()
    hours: str = ""


def months_only(incidents: pd.DataFrame) -> bool:
    """Whether every record has only a month (police.uk), so areas are compared in whole months.

    >>> import pandas as pd
    >>> months_only(pd.DataFrame({"time_precision": ["month", "month"]})), months_only(
    ...     pd.DataFrame({"time_precision": ["month", "minute"]}))
    (True, False)
    """
    check_columns(incidents, ("time_precision",), "months_only", name="incidents")
    precision = incidents["time_precision"].astype("str")
    return bool(len(precision)) and bool(precision.eq("month").all())


def comparison_notes(comparison: AreaComparison, incidents: pd.DataFrame, *, start: str, end: str,
                     band_label: str = "") -> AreaNotes:
    """The sentences an area comparison needs (:class:`AreaNotes`).

    Parameters
    ----------
    comparison : AreaComparison
    incidents : pandas.DataFrame
        The records compared (``time_precision``, ``occurred_from``, ``occurred_to``; ``source``
        names police.uk). Not modified.
    start, end : str
        The period chosen (inclusive local dates), before any rounding to whole months.
    band_label : str, default=""
        The time band's label when one was chosen ("" for all times).
    """
    check_type(comparison, "comparison", "comparison_notes", AreaComparison, type_name="an AreaComparison")
    check_columns(incidents, ("occurred_from", "occurred_to", "time_precision"), "comparison_notes",
                  name="incidents")
    why = no_time_of_day_reason(incidents) if len(incidents) else ""
    t = comparison.table
    where = f"in {_names(t['area_name'])} {_when(comparison.period, comparison.every)}"
    return AreaNotes(_period_note(comparison, start, end, why), _empty(comparison, where, band_label, why),
                     tuple(_not_judged(comparison, incidents)), _hours(comparison, where, why))


def _hours(comparison: AreaComparison, where: str, why: str) -> str:
    if not comparison.records or comparison.timed == comparison.records:
        return ""
    if comparison.timed:
        return (f"Hour of week from the records with a time of day: "
                f"{time_of_day_cover(comparison.timed, comparison.records)}.")
    return f"No hour-of-week grid: none of the {comparison.records:,} incidents {where} has a time of day ({why})."


def _period_note(comparison: AreaComparison, start: str, end: str, why: str) -> str:
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    if comparison.every != "month" or comparison.period == (first.date().isoformat(), last.date().isoformat()):
        return ""
    asked, months = f"{first:%d/%m/%Y} to {last:%d/%m/%Y}", _span(comparison.period, "month")
    if (last - first).days + 1 < first.days_in_month:
        touched = f"the {'month' if ' to ' not in months else 'months'} it touches, {months}, "
        return (f"The period {asked} is shorter than a month and {why}, so {touched}"
                f"{'are' if ' to ' in months else 'is'} compared instead.")
    return f"The period {asked} is compared as whole months, {months}, because {why}."


def _empty(comparison: AreaComparison, where: str, band_label: str, why: str) -> str:
    if comparison.table["incidents"].gt(0).any():
        return ""
    n = comparison.records
    if n and band_label and not comparison.timed:
        return (f"None of the {n:,} incidents {where} has a time of day ({why}), so none falls in the "
                f"'{band_label}' band; use all times.")
    if n and band_label:
        return f"None of the {n:,} incidents {where} falls in the '{band_label}' band; choose another band."
    if comparison.unplaced:
        return (f"No incidents {where} can be counted: {comparison.unplaced:,} records give only their month and the "
                "period is shorter than a month; choose whole months.")
    return f"No incidents {where}; choose a longer period, other areas or more categories."


def _not_judged(comparison: AreaComparison, incidents: pd.DataFrame) -> list[str]:
    t, out, months = comparison.table, [], comparison.every == "month"
    windows = {"previous": ("previous equal period", comparison.previous),
               "last_year": (f"same {'months' if months else 'dates'} last year", comparison.last_year)}
    words, pair = windows[comparison.baseline]
    other, other_pair = windows["last_year" if comparison.baseline == "previous" else "previous"]
    start = comparison.first_day
    fix = f"judge against the {other} or " if not start or start <= other_pair[1] else ""
    off = t["rag"].eq("not judged")
    no_target = off & t["target_change_pct"].isna()
    no_base, span = off & ~no_target, _span(pair, comparison.every)
    if no_base.any() and start and start > pair[1]:
        out.append(f"Not judged: the data start on {pd.Timestamp(start):%d/%m/%Y}, after the {words} ({span}), so "
                   f"there is no baseline; {fix}choose a later period.")
    elif no_base.any() and not select_incidents(incidents, start=pair[0], end=pair[1]).any():
        out.append(f"Not judged: there are no records at all {_when(pair, comparison.every)} (the {words}), probably "
                   f"missing data, so there is no baseline; {fix}import those months.")
    elif no_base.any():
        out.append(f"Not judged: {_names(t.loc[no_base, 'area_name'])} had no incidents in the {words} ({span}), so "
                   f"no change can be worked out; {fix}choose a longer period.")
    if no_target.any():
        one = int(no_target.sum()) == 1
        out.append(f"Not judged: {_names(t.loc[no_target, 'area_name'])} {'has' if one else 'have'} no target; give "
                   f"a reduction for {'it' if one else 'them'}.")
    return out


def _span(pair: tuple[str, str], every: str) -> str:
    """Months in words ("August 2017", "June 2017 to August 2017") or UK dates."""
    if every != "month":
        return " to ".join(pd.Timestamp(d).strftime("%d/%m/%Y") for d in pair)
    one, two = (ReviewPeriod.of(d, "month").describe() for d in pair)
    return one if one == two else f"{one} to {two}"


def _when(pair: tuple[str, str], every: str) -> str:
    text = _span(pair, every)
    return f"from {text}" if " to " in text else f"in {text}"


def _names(names) -> str:
    """"Aldgate", "Aldgate and Bishopsgate", "Aldgate, Bishopsgate and Cheap"."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
