"""What changed since the previous tasking list, as short plain text for an email.

"the top 5 priority areas for reported antisocial behaviour had changed" (Southwark community
safety scrutiny report 2025, docs/sources.md): places are matched by ``tasking_id`` (stable
from run to run, see :func:`.ids.tasking_ids`):

- **new**: on this list, not on the previous one (by rank);
- **gone**: on the previous list, not on this one (by previous rank);
- **up** / **down**: on both, with the Poisson z between this period's count and the
  previous list's, ``z = 2(sqrt(now) - sqrt(then))``, at least 2 / at most -2 (the rule
  for a real change used everywhere in the product: ``|z| >= 2``), by rank.

Example::

    Tasking list 2017-07 (all times) against 2017-06: 1 new, 1 gone, 1 up, 1 down.
    New: #1 Brixton Road (Coldharbour).
    Gone: Clapham High Street (Clapham Town), was #2.
    Up: #2 Tooting High Street (Tooting), 30 from 12 (z = 4.0), was #3.
    Down: #3 Lavender Hill (Shaftesbury), 4 from 16 (z = -4.0), was #1.

Only names, ranks and counts: no free text, nothing about people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..labels import ALL_TIMES
from .explain import number
from .schema import TaskingList

#: |z| at or above this between the two lists' counts is "up" or "down".
Z_CHANGE = 2.0


def what_changed(current: TaskingList, previous: TaskingList) -> str:
    """New, gone, up and down places between two tasking lists, in a few lines.

    Parameters
    ----------
    current, previous : TaskingList
        This period's list and the one before (any periods; the text names both). Not
        modified.

    Returns
    -------
    str
        A summary line, then one line per non-empty group (New, Gone, Up, Down), each item
        with its rank and place name, separated by "; ". See the module docstring.
    """
    for name, value in (("current", current), ("previous", previous)):
        if not isinstance(value, TaskingList):
            raise TypeError(f"The '{name}' parameter of what_changed must be a TaskingList. "
                            f"Got {type(value).__name__} instead.")
    now = _rows(current)
    then = _rows(previous)
    both = now.merge(then, on="tasking_id", suffixes=("", "_then"))
    z = 2 * (np.sqrt(both["count_now"].clip(lower=0)) - np.sqrt(both["count_now_then"].clip(lower=0)))
    both = both.assign(z_change=z.to_numpy())
    new = now[~now["tasking_id"].isin(then["tasking_id"])]
    gone = then[~then["tasking_id"].isin(now["tasking_id"])]
    up = both[both["z_change"] >= Z_CHANGE]
    down = both[both["z_change"] <= -Z_CHANGE]
    band = "all times" if current.band == ALL_TIMES else current.band
    lines = [(f"Tasking list {current.period} ({band}) against {previous.period}: {len(new)} new, {len(gone)} gone, "
             f"{len(up)} up, {len(down)} down.")]
    if len(new):
        lines.append("New: " + "; ".join(f"#{r.rank} {r.place_name}" for r in new.itertuples()) + ".")
    if len(gone):
        lines.append("Gone: " + "; ".join(f"{r.place_name}, was #{r.rank}" for r in gone.itertuples()) + ".")
    for label, part in (("Up", up), ("Down", down)):
        if len(part):
            lines.append(f"{label}: " + "; ".join(
                f"#{r.rank} {r.place_name}, {number(r.count_now)} from {number(r.count_now_then)} "
                f"(z = {r.z_change:.1f}), was #{r.rank_then}" for r in part.itertuples()) + ".")
    return "\n".join(lines)


def _rows(tasking_list: TaskingList) -> pd.DataFrame:
    frame = pd.DataFrame(tasking_list.frame[["rank", "tasking_id", "place_name", "count_now"]])
    frame = frame.astype({"rank": "int64", "tasking_id": "str", "place_name": "str", "count_now": "float64"})
    return frame.sort_values("rank", kind="stable").reset_index(drop=True)
