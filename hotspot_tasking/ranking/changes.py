"""What changed since the previous tasking list, as short plain text for an email.

"the top 5 priority areas for reported antisocial behaviour had changed" (Southwark community
safety scrutiny report 2025, docs/sources.md): places are matched by ``tasking_id`` (stable
from run to run, see :func:`.ids.tasking_ids`):

- **new**: on this list, not on the previous one (by rank);
- **gone**: on the previous list, not on this one (by previous rank);
- **up** / **down**: on both with the same outline, with the Poisson z between this list's
  ``count_now`` and the previous list's ``count_now`` of that id,
  ``z = 2(sqrt(now) - sqrt(then))``, at least 2 / at most -2 (the rule for a real change
  used everywhere in the product: ``|z| >= 2``), by rank;
- **outline changed**: on both, but the outline is not the same place any more (a hotspot
  id is inherited by an outline that overlaps the previous one, which may have grown,
  shrunk or moved). Two counts over different outlines say nothing about the place, so
  no z is computed and no counts are shown: the list row's own ``count_before`` (the
  baseline over the current outline) is the comparison to read.

The same outline: the two geometries are equal, or their intersection over union is at
least :data:`SAME_OUTLINE`. Ward, LSOA and zone outlines come from their layer and are
the same unless the layer changed.

Only compare lists of the same question (:meth:`.request.TaskingRequest.key`); the
pipeline finds that list (:func:`hotspot_tasking.pipeline.review.changes_since`). When
the previous list is not of the immediately preceding period, the text says so ("No list
of this question is stored for 2017-06; the last one is for 2017-05, two months
earlier.").

Example::

    Tasking list 2017-07 (all times) against 2017-06: 1 new, 1 gone, 1 up, 1 down.
    New: #1 Brixton Road (Coldharbour).
    Gone: Clapham High Street (Clapham Town), was #2.
    Up: #2 Tooting High Street (Tooting), 30 from 12 (z = 4.0), was #3.
    Down: #3 Lavender Hill (Shaftesbury), 4 from 16 (z = -4.0), was #1.

:func:`compare_lists` gives the same comparison as a table (one row per place, both
lists' ranks and counts); :func:`what_changed` words it.

Only names, ranks and counts: no free text, nothing about people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ..errors import PeriodError
from ..labels import ALL_TIMES
from ..periods import review_period
from .explain import number
from .schema import TaskingList

#: |z| at or above this between the two lists' counts is "up" or "down".
Z_CHANGE = 2.0
#: Intersection over union at or above this: the same outline.
SAME_OUTLINE = 0.9
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


#: Columns of :func:`compare_lists`.
CHANGE_COLUMNS = ("tasking_id", "place_name", "change", "rank", "rank_then", "count_now", "count_then", "z_change")


def compare_lists(current: TaskingList, previous: TaskingList) -> pd.DataFrame:
    """Each place of either list and how it changed, by tasking id (see the module docstring).

    Parameters
    ----------
    current, previous : TaskingList
        This period's list and an earlier one of the same question. Not modified.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHANGE_COLUMNS`: ``change`` is "new", "gone", "up", "down",
        "no change" or "outline changed"; ``rank``/``count_now`` are this list's row,
        ``rank_then``/``count_then`` the previous list's row of the same id (-1 and NaN when
        the place is not on that list); ``z_change`` is NaN unless both lists have the place
        with the same outline. This list's places by rank, then the gone by previous rank.
    """
    _check(current, previous, "compare_lists")
    now = _rows(current)
    then = _rows(previous).rename(columns={"rank": "rank_then", "count_now": "count_then",
                                           "place_name": "place_name_then", "outline": "outline_then"})
    both = now.merge(then, on="tasking_id", how="outer", indicator=True, sort=False)
    here, there = both["_merge"] != "right_only", both["_merge"] != "left_only"
    same = here & there & _same_outline(both["outline"].to_numpy(dtype=object),
                                        both["outline_then"].to_numpy(dtype=object))
    z = 2 * (np.sqrt(both["count_now"].clip(lower=0)) - np.sqrt(both["count_then"].clip(lower=0)))
    z = z.where(same)
    change = np.select([~there, ~here, ~same, z >= Z_CHANGE, z <= -Z_CHANGE],
                       ["new", "gone", "outline changed", "up", "down"], "no change")
    out = pd.DataFrame({"tasking_id": both["tasking_id"],
                        "place_name": both["place_name"].where(here, both["place_name_then"]),
                        "change": change, "rank": both["rank"].fillna(-1).astype("int64"),
                        "rank_then": both["rank_then"].fillna(-1).astype("int64"),
                        "count_now": both["count_now"], "count_then": both["count_then"],
                        "z_change": z.astype("float64")})
    order = np.lexsort((out["rank_then"].to_numpy(), out["rank"].where(here, np.iinfo(np.int64).max).to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def what_changed(current: TaskingList, previous: TaskingList, *, band_label: str | None = None) -> str:
    """New, gone, up, down and re-outlined places between two tasking lists, in a few lines.

    Parameters
    ----------
    current, previous : TaskingList
        This period's list and an earlier one of the same question (the text names both
        periods, and says when ``previous`` is not of the period just before). Not modified.
    band_label : str, optional
        The band as people read it ("Night-time economy"); default "All times" or the id.

    Returns
    -------
    str
        A summary line; a line on the gap when the previous list is more than one period
        earlier; then one line per non-empty group (New, Gone, Up, Down, Outline changed),
        each item with its rank and place name, separated by "; ". See the module docstring.
    """
    _check(current, previous, "what_changed")
    table = compare_lists(current, previous)
    new, gone, up, down, moved = (table[table["change"] == c] for c in ("new", "gone", "up", "down",
                                                                         "outline changed"))
    gone = gone.sort_values("rank_then", kind="stable")
    band = band_label or ("All times" if current.band == ALL_TIMES else current.band)
    lines = [(f"Tasking list {current.period} ({band}) against {previous.period}: {len(new)} new, {len(gone)} gone, "
              f"{len(up)} up, {len(down)} down" + (f", {len(moved)} outline changed." if len(moved) else "."))]
    gap = _gap(current.period, previous.period)
    if gap:
        lines.append(gap)
    if len(new):
        lines.append("New: " + "; ".join(f"#{r.rank} {r.place_name}" for r in new.itertuples()) + ".")
    if len(gone):
        lines.append("Gone: " + "; ".join(f"{r.place_name}, was #{r.rank_then}" for r in gone.itertuples()) + ".")
    for label, part in (("Up", up), ("Down", down)):
        if len(part):
            lines.append(f"{label}: " + "; ".join(
                f"#{r.rank} {r.place_name}, {number(r.count_now)} from {number(r.count_then)} "
                f"(z = {r.z_change:.1f}), was #{r.rank_then}" for r in part.itertuples()) + ".")
    if len(moved):
        lines.append("Outline changed (counts over different outlines not compared): " + "; ".join(
            f"#{r.rank} {r.place_name}, was #{r.rank_then}" for r in moved.itertuples()) + ".")
    return "\n".join(lines)


def _check(current, previous, where: str) -> None:
    for name, value in (("current", current), ("previous", previous)):
        if not isinstance(value, TaskingList):
            raise TypeError(f"The '{name}' parameter of {where} must be a TaskingList. "
                            f"Got {type(value).__name__} instead.")


def _rows(tasking_list: TaskingList) -> pd.DataFrame:
    frame = pd.DataFrame(tasking_list.frame[["rank", "tasking_id", "place_name", "count_now"]])
    frame = frame.astype({"rank": "int64", "tasking_id": "str", "place_name": "str", "count_now": "float64"})
    frame["outline"] = np.asarray(tasking_list.frame.geometry.values, dtype=object)
    return frame.sort_values("rank", kind="stable").reset_index(drop=True)


def _same_outline(now: np.ndarray, then: np.ndarray) -> np.ndarray:
    """Per pair: equal outlines, or intersection over union at least :data:`SAME_OUTLINE`."""
    if not len(now):
        return np.zeros(0, bool)
    now, then = (np.where(pd.isna(g), None, g) for g in (now, then))  # a place missing from one list: None
    equal = shapely.equals(now, then)
    with np.errstate(invalid="ignore", divide="ignore"):
        union = shapely.area(shapely.union(now, then))
        iou = shapely.area(shapely.intersection(now, then)) / union
    return np.asarray(equal, bool) | (np.nan_to_num(iou, nan=0.0) >= SAME_OUTLINE)


def _gap(current: str, previous: str) -> str:
    """A sentence when ``previous`` is more than one period before ``current`` ("" otherwise)."""
    try:
        now, then = review_period(current), review_period(previous)
    except PeriodError:  # a list over a date range: no period arithmetic
        return ""
    if now.every != then.every:
        return ""
    steps = (now.period - then.period).n
    if steps <= 1:
        return ""
    unit = now.every + "s"
    count = _WORDS[steps] if steps < len(_WORDS) else f"{steps:,}"
    return (f"No list of this question is stored for {now.shifted(-1).label}; the last one is for {then.label}, "
            f"{count} {unit} earlier.")
