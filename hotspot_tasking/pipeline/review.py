"""The weekly review's rules about a workspace: which review periods its data allow
(:func:`review_choices`), what changed since the last stored list (:func:`changes_since`)
and one listed place in detail (:func:`place_detail`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..boundaries.store import incidents_with_areas
from ..errors import TaskingError
from ..geo.schema import LOCAL_TZ
from ..geo.workspace import Summary, Workspace
from ..periods import periods_between
from ..ranking.changes import what_changed
from ..ranking.config import RankingConfig
from ..ranking.errors import RankingError
from ..ranking.place import PlaceProfile, place_profile
from ..ranking.rank import CARD
from ..ranking.request import TaskingRequest
from ..ranking.schema import TaskingList
from ..reports.setting import band_label, band_labels
from ..validation import check_columns, check_type
from .store import latest_before

if TYPE_CHECKING:  # the action log (SQLAlchemy) is imported only where one is read
    from ..actions.log import ActionLog

#: Share of month-only records above which weekly periods are not offered.
MONTH_ONLY_LIMIT = 0.5
#: Why there is no period to review.
NO_INCIDENTS = ("the workspace holds no incidents, so there is no period to review; import some with "
                "'hotspot-tasking ingest'.")



@dataclass(frozen=True)
class ReviewChoices:
    """The review periods the data allow.

    Attributes
    ----------
    every : tuple of str
        ``("week", "month")``, or ``("month",)`` when most records have only a month.
    periods : dict
        ``{every: [(label, title), ...]}`` newest first; an incomplete period's title ends
        in " (incomplete)".
    default : dict
        ``{every: index}`` of the latest complete period in ``periods[every]``.
    note : str
        Why weeks are not offered ("" when they are).
    """

    every: tuple[str, ...]
    periods: dict
    default: dict
    note: str = ""


def review_choices(incidents: pd.DataFrame) -> ReviewChoices:
    """Weeks (from their Monday) and months from the first to the last incident.

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``occurred_from`` and ``occurred_to`` (timestamps) and ``time_precision``; at least
        one row. Not modified. A period is complete when the latest record's span (its
        ``occurred_to``: the month's last day for a police.uk record) reaches its end.

    Returns
    -------
    ReviewChoices

    Raises
    ------
    TaskingError
        There are no incidents.
    """
    check_columns(incidents, ("occurred_from", "occurred_to", "time_precision"), "review_choices")
    if not len(incidents):
        raise TaskingError(NO_INCIDENTS)
    month_only = float(incidents["time_precision"].astype("str").eq("month").mean())
    return _choices(incidents["occurred_from"].min(), incidents["occurred_to"].max(), month_only)


def workspace_review_choices(ws: Workspace, *, summary: Summary | None = None) -> ReviewChoices:
    """:func:`review_choices` of the workspace's incidents without reading their rows: the first
    and last days and the share of month-only records from its summary.

    Parameters
    ----------
    ws : Workspace
    summary : Summary, optional
        ``ws.summary()`` if already made (the app caches it). Default: made here.

    Returns
    -------
    ReviewChoices
        The same as ``review_choices(ws.incidents())``.

    Raises
    ------
    TaskingError
        There are no incidents.
    """
    check_type(ws, "ws", "workspace_review_choices", Workspace, type_name="a Workspace")
    check_type(summary, "summary", "workspace_review_choices", Summary, type_name="a Summary", optional=True)
    summary = ws.summary() if summary is None else summary
    if not summary.incidents:
        raise TaskingError(NO_INCIDENTS)
    return _choices(summary.first, summary.last, summary.month_only / summary.incidents)


def _choices(first_from: pd.Timestamp, last_to: pd.Timestamp, month_only: float) -> ReviewChoices:
    """The choices from the earliest ``occurred_from``, the latest ``occurred_to`` (timestamps)
    and the share of records with only a month."""
    def local(stamp: pd.Timestamp) -> pd.Timestamp:
        return stamp.tz_convert(LOCAL_TZ).tz_localize(None).normalize()

    # the data run to the end of the latest record's own span: a police.uk month is whole
    first, last = local(first_from), local(last_to)
    every = ("week", "month") if month_only <= MONTH_ONLY_LIMIT else ("month",)
    note = "" if "week" in every else (f"Weekly review needs dates finer than a month; {month_only:.0%} of the "
                                       "records have only a month (police.uk), so periods are months.")
    periods, default = {}, {}
    for kind in every:  # at most two
        found = periods_between(first, last, kind)
        periods[kind] = [(p.label, _title(p.describe()) + ("" if p.is_complete(last) else " (incomplete)"))
                         for p in found]
        default[kind] = next((i for i, p in enumerate(found) if p.is_complete(last)), 0)
    return ReviewChoices(every, periods, default, note)


@dataclass(frozen=True)
class Headline:
    """The figures at the top of a review: incidents in the period (band-weighted) and the
    baseline's mean per period (None: no baseline with data), places listed and rising, and
    actions still open on the list's places."""

    incidents: float
    before: float | None
    places: int
    rising: int
    open_actions: int


def headline(tasking_list: TaskingList, action_log: ActionLog | None) -> Headline:
    """The review's headline figures, from a ranked list and the action log (None: no log yet)."""
    card = next((c for c in tasking_list.cards if c.method == CARD), None)
    data = card.data if card is not None else {}
    frame = tasking_list.frame
    open_actions = 0
    if action_log is not None and len(frame):
        acts = action_log.actions_for(tasking_ids=frame["tasking_id"].astype("str").tolist())
        open_actions = int((~acts["status"].isin(action_log.config.closed_statuses)).sum())
    return Headline(float(data.get("incidents_now_band_weighted") or 0.0), data.get("baseline_mean_band_weighted"),
                    len(frame), int((frame["arrow"] == "▲").sum()), open_actions)


@dataclass(frozen=True)
class Changes:
    """What changed since an earlier list: its period, and the changes in words (:func:`what_changed`)."""

    since: str
    text: str


def changes_since(ws: Workspace, request: TaskingRequest, tasking_list: TaskingList) -> Changes | None:
    """What changed since the stored list of the same question nearest before the request's period.

    The same question: the same :meth:`~hotspot_tasking.ranking.request.TaskingRequest.key`
    (band, places, method and its parameters, filters, layer, baseline) and period length;
    lists stored without a key (older version) are ignored, since they may answer another
    question. Places are compared through their tasking ids, counts only where the outline
    is the same (see :mod:`hotspot_tasking.ranking.changes`); the text says when that list
    is older than the period just before.

    Parameters
    ----------
    ws : Workspace
    request : TaskingRequest
        The request ``tasking_list`` was built from.
    tasking_list : TaskingList
        This period's list. Not modified.

    Returns
    -------
    Changes or None
        None when no earlier list of the question is stored.
    """
    previous = latest_before(ws, request, unkeyed=False)
    if previous is None:
        return None
    label = band_label(tasking_list.band, band_labels(ws.time_bands()))
    return Changes(previous.period, what_changed(tasking_list, previous, band_label=label))


def _title(text: str) -> str:
    """The first letter in capitals ("The week beginning 3 July 2017"), the rest as it is."""
    return text[:1].upper() + text[1:]


def place_detail(ws: Workspace, tasking_list: TaskingList, tasking_id: str, *,
                 incidents: pd.DataFrame | None = None) -> PlaceProfile:
    """Hour-of-week grid, category mix and trend of one listed place (see :func:`place_profile`),
    over the list's own baseline (the ranking card's ``baseline_periods``).

    Raises
    ------
    RankingError
        ``tasking_id`` is not on the list.
    """
    row = tasking_list.frame[tasking_list.frame["tasking_id"].astype("str") == tasking_id]
    if row.empty:
        raise RankingError(f"{tasking_id!r} is not on the {tasking_list.period} list; choose a listed place.")
    base = next((c.parameters["baseline_periods"] for c in tasking_list.cards if "baseline_periods" in c.parameters),
                None)
    table = incidents_with_areas(ws) if incidents is None else incidents
    return place_profile(table, row.geometry.iloc[0], period=tasking_list.period, band=tasking_list.band,
                         baseline_periods=int(base if base is not None else RankingConfig().baseline_periods),
                         bands=ws.time_bands())
