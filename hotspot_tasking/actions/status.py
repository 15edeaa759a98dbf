"""Each listed place's status, in words, from the action log.

:func:`status_column` asks the action log (:meth:`.actionlog.ActionLog.last_status`) what
happened to each tasking id at earlier meetings; :func:`status_text` puts one answer in
words: "new", "carried over", "tasked last period: Done", "listed last period, no action".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..geo.workspace import Workspace
from .log import DB_FILE, ActionLog
from ..errors import PeriodError
from ..periods import ReviewPeriod, review_period


def status_column(ws: Workspace, ids: list[str], review: ReviewPeriod, action_log: ActionLog | None,
                  meeting_on: dt.date | str | None, caveats: list[str]) -> pd.Series:
    """The status column: new, carried over, tasked last period: Done, ... (see :func:`status_text`).

    Parameters
    ----------
    ws : Workspace
        Its action log is opened (and closed) when ``action_log`` is None.
    ids : list of str
        The places' tasking ids.
    review : ReviewPeriod
        The list's period ("last period" is the one before it).
    action_log : ActionLog or None
        The log to read; default the workspace's, when it has one.
    meeting_on : datetime.date or str or None
        Only meetings before this date count; default the day after the period ends.
    caveats : list of str
        Gets a caveat when there is no action log (every place is then "new").

    Returns
    -------
    pandas.Series of str
        Per id, its status, indexed 0..len(ids)-1.
    """
    opened = None
    if action_log is None:
        if not (Path(ws.root) / DB_FILE).is_file():
            caveats.append("The workspace has no action log: every place is shown as new.")
            return pd.Series("new", index=range(len(ids)), dtype="str")
        action_log = opened = ActionLog.open(ws)
    try:
        before = meeting_on if meeting_on is not None else (review.end + pd.Timedelta(days=1)).date()
        states = action_log.last_status(ids, before=before)
        labels = {k: v["label"] for k, v in action_log.config.statuses.items()}
    finally:
        if opened is not None:
            opened.close()
    previous = review.shifted(-1).label
    return pd.Series([status_text(r, previous, labels=labels) for r in states.to_dict("records")], dtype="str")


def status_text(state: dict, previous_period: str, *, labels: dict[str, str] | None = None) -> str:
    """One row of :meth:`ActionLog.last_status` in words.

    ``"new"``; ``"carried over"`` (actions still open); ``"tasked last period: Done"`` (every
    action closed: the latest action's status label, never its free-text outcome);
    ``"listed last period, no action"``. "last period" becomes the meeting's period
    (``"tasked 2017-05: Done"``) when that was not the previous period.

    >>> status_text({"state": "actions closed", "last_period": "2017-06", "status": "done"}, "2017-06",
    ...             labels={"done": "Done"})
    'tasked last period: Done'
    >>> status_text({"state": "listed, no action", "last_period": "2017-W18"}, "2017-06")
    'listed 2017-05-01, no action'
    """
    kind = state.get("state")
    if kind in ("new", "carried over"):
        return kind
    last = _period_label(state.get("last_period"))
    when = "last period" if last == previous_period else (last or "before")
    if kind == "actions closed":
        status = state.get("status")
        label = (labels or {}).get(status, status) if isinstance(status, str) else ""
        return f"tasked {when}: {label}" if label else f"tasked {when}"
    if kind == "listed, no action":
        return f"listed {when}, no action"
    return str(kind)


def _period_label(text) -> str:
    """A meeting's period as a review-period label when it reads as one (else as written)."""
    if not isinstance(text, str):
        return ""
    try:
        return review_period(text).label
    except PeriodError:
        return text.strip()
