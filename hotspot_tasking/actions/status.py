"""A listed place's status in words, from what the action log says happened to it.

:func:`status_text` puts one row of :meth:`.log.ActionLog.last_status` in words: "new",
"carried over", "tasked last period: Done", "listed last period, no action";
:func:`tasked_text` says what the meeting that reviewed the list itself decided
("tasked this period: Open"), which wins over the history before it. The pipeline asks the
log for every place of a list (:func:`hotspot_tasking.pipeline.tasking.statuses`).
"""

from __future__ import annotations

from ..errors import PeriodError
from ..periods import review_period


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
    last = period_label(state.get("last_period"))
    when = "last period" if last == previous_period else (last or "before")
    if kind == "actions closed":
        status = state.get("status")
        label = (labels or {}).get(status, status) if isinstance(status, str) else ""
        return f"tasked {when}: {label}" if label else f"tasked {when}"
    if kind == "listed, no action":
        return f"listed {when}, no action"
    return str(kind)


def tasked_text(state: dict, *, labels: dict[str, str] | None = None) -> str | None:
    """What the meetings that reviewed a list decided about one of its places, in words; None
    when they agreed no action for it (its earlier history then gives the status).

    ``state`` is a row of :meth:`ActionLog.last_status` asked with ``period=`` the list's period.

    >>> tasked_text({"state": "carried over", "actions": 1, "status": "open"}, labels={"open": "Open"})
    'tasked this period: Open'
    >>> tasked_text({"state": "listed, no action", "actions": 0}) is None
    True
    """
    if not state.get("actions"):
        return None
    status = state.get("status")
    label = (labels or {}).get(status, status) if isinstance(status, str) else ""
    return f"tasked this period: {label}" if label else "tasked this period"


def period_label(text: object) -> str:
    """A meeting's period as a review-period label when it reads as one, else as written ("" if none).

    >>> period_label("2017-W27"), period_label("2017-07"), period_label("spring")
    ('2017-07-03', '2017-07', 'spring')
    """
    if not isinstance(text, str):
        return ""
    try:
        return review_period(text).label
    except PeriodError:
        return text.strip()
