"""The one tasking pipeline: a :class:`~hotspot_tasking.ranking.request.TaskingRequest` in, a
ranked, explained list with its status out, the same from the CLI, the weekly review, the
exports page, the briefing pack and the decision form.

:func:`tasking_list` does it all: the incidents (with their areas), the previous stored
list of the same question (``TaskingRequest.key``) for the period before (so places keep
their ids), the ranking (:func:`~hotspot_tasking.ranking.rank.rank`), each place's status from the action log and,
when asked, storing the list. Its two steps are public so the app can cache them apart:
:func:`ranked_list` changes only when the data or the stored lists do, :func:`with_status`
whenever the action log is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import pandas as pd

from ..actions.log import DB_FILE, ActionLog
from ..actions.status import status_text, tasked_text
from ..boundaries.roads import ROADS_TABLE
from ..boundaries.store import incidents_with_areas
from ..geo.workspace import Workspace
from ..periods import review_period
from ..ranking.micro import backtest_surfaces
from ..ranking.rank import rank
from ..ranking.request import TaskingRequest
from ..ranking.schema import TaskingList
from ..surfaces.choice import SurfaceChoice
from ..validation import check_frame, check_type
from .context import context_caveats, ranking_context
from .store import latest_before, previous_version, save_tasking_list

#: ``previous=STORED``: the stored list nearest before the period (the default).
STORED = "stored"
#: Caveat when the workspace has no action log.
NO_ACTION_LOG = "The workspace has no action log: every place is shown as new."


def tasking_list(ws: Workspace, request: TaskingRequest, *, incidents: pd.DataFrame | None = None,
                 previous: TaskingList | None | Literal["stored"] = STORED, action_log: ActionLog | None = None,
                 meeting_on: dt.date | str | None = None, save: bool = False) -> TaskingList:
    """The ranked tasking list of a request, with each place's status; stored when ``save``.

    Parameters
    ----------
    ws : Workspace
        Gives the incidents (unless passed), the layers, the configuration, the stored
        lists and the action log.
    request : TaskingRequest
    incidents : pandas.DataFrame, optional
        :func:`~hotspot_tasking.boundaries.store.incidents_with_areas` already loaded (the
        app caches it). Not modified.
    previous : TaskingList, None or "stored", default="stored"
        The list whose hotspot ids are inherited: the stored list of the same question
        (``TaskingRequest.key``) nearest before ``request.period``; None for none.
    action_log : ActionLog, optional
        For ``status``; default the workspace's action log when it has one.
    meeting_on : datetime.date or str, optional
        Only meetings held before this date give the status; default the day after the
        period ends (meetings held during it reviewed earlier lists).
    save : bool, default=False
        Store the list in the workspace (replacing one of the same period and question).

    Returns
    -------
    TaskingList
    """
    listed = with_status(ws, ranked_list(ws, request, incidents=incidents, previous=previous),
                         action_log=action_log, meeting_on=meeting_on)
    if save:
        save_tasking_list(ws, listed, request)
    return listed


def ranked_list(ws: Workspace, request: TaskingRequest, *, incidents: pd.DataFrame | None = None,
                previous: TaskingList | None | Literal["stored"] = STORED) -> TaskingList:
    """The ranked list before the action log is read (``status`` "new"); see :func:`tasking_list`."""
    check_type(ws, "ws", "ranked_list", Workspace, type_name="a Workspace")
    check_type(request, "request", "ranked_list", TaskingRequest, type_name="a TaskingRequest")
    if incidents is not None:
        check_frame(incidents, "incidents", "ranked_list")
    table = incidents_with_areas(ws) if incidents is None else incidents
    before = previous_list(ws, request) if isinstance(previous, str) and previous == STORED else previous
    context = ranking_context(ws, request)
    ranked = rank(table, request, context, previous=before)
    ranked.caveats += [c for c in context_caveats(context) if c not in ranked.caveats]
    return ranked


def ranked_list_version(ws: Workspace, request: TaskingRequest) -> str:
    """Changes when what :func:`ranked_list` builds from changes: the incidents and area layers
    (``data_version``), the roads layer that names places, or the stored list it inherits ids
    from; not when the period's own list is stored (as recording a decision does). For caches."""
    check_type(request, "request", "ranked_list_version", TaskingRequest, type_name="a TaskingRequest")
    roads = ws.tables().get(ROADS_TABLE, {}).get("file", "")
    return f"{ws.data_version}|{roads}|{previous_version(ws, request)}"


def surface_backtest(ws: Workspace, request: TaskingRequest, *,
                     incidents: pd.DataFrame | None = None) -> SurfaceChoice:
    """The backtest of candidate surfaces a hotspot list of ``request`` would use (and its choice).

    Parameters
    ----------
    ws : Workspace
    request : TaskingRequest
        The period (the last whose incidents are scored), band, filters and method options.
    incidents : pandas.DataFrame, optional
        The incident table, if loaded. Not modified.

    Returns
    -------
    SurfaceChoice
    """
    table = ws.incidents() if incidents is None else incidents
    return backtest_surfaces(table, request, ranking_context(ws, request))


def previous_list(ws: Workspace, request: TaskingRequest) -> TaskingList | None:
    """The stored list of the request's question (:meth:`TaskingRequest.key`) and period length
    nearest before its period (never the period's own list); see :func:`.store.latest_before`."""
    return latest_before(ws, request)


def with_status(ws: Workspace, tasking_list: TaskingList, *, action_log: ActionLog | None = None,
                meeting_on: dt.date | str | None = None) -> TaskingList:
    """A copy of the list with ``status`` from the action log (see :func:`status_text`).

    Without an action log (none passed, and the workspace has none) every place is "new"
    and the list gets a caveat saying so. The list passed is not modified.
    """
    check_type(tasking_list, "tasking_list", "with_status", TaskingList, type_name="a TaskingList")
    frame = tasking_list.frame.copy()
    caveats = list(tasking_list.caveats)
    frame["status"] = statuses(ws, frame["tasking_id"].astype("str").tolist(), tasking_list.period,
                               action_log=action_log, meeting_on=meeting_on, caveats=caveats).to_numpy()
    return TaskingList(frame, tasking_list.period, tasking_list.band, list(tasking_list.cards), caveats,
                       list(tasking_list.sources))


def workspace_action_log(ws: Workspace) -> ActionLog | None:
    """The workspace's action log, opened, when it has one (None: no decision recorded yet).

    Looking never creates one: only recording a decision does
    (:func:`hotspot_tasking.pipeline.decisions.record_decision`). Close it after use.
    """
    return ActionLog.open(ws) if (Path(ws.root) / DB_FILE).is_file() else None


def statuses(ws: Workspace, ids: list[str], period: str, *, action_log: ActionLog | None = None,
             meeting_on: dt.date | str | None = None, caveats: list[str] | None = None) -> pd.Series:
    """Each place's status in words: new, carried over, tasked last period: Done, ...

    What the meetings that reviewed this period's list decided comes first ("tasked this
    period: Open", whenever they were held); otherwise the place's history before the
    period's list (meetings held before ``meeting_on``).

    Parameters
    ----------
    ws : Workspace
        Its action log is opened (and closed) when ``action_log`` is None.
    ids : list of str
        The places' tasking ids.
    period : str
        The list's period ("last period" is the one before it).
    action_log : ActionLog, optional
        The log to read; default the workspace's, when it has one.
    meeting_on : datetime.date or str, optional
        Only meetings before this date count; default the day after the period ends.
    caveats : list of str, optional
        Gets :data:`NO_ACTION_LOG` when there is no action log (every place is then "new").

    Returns
    -------
    pandas.Series of str
        Per id, its status, indexed 0..len(ids)-1.
    """
    review = review_period(period)
    opened = None
    if action_log is None:
        action_log = opened = workspace_action_log(ws)
        if action_log is None:
            if caveats is not None:
                caveats.append(NO_ACTION_LOG)
            return pd.Series("new", index=range(len(ids)), dtype="str")
    try:
        before = meeting_on if meeting_on is not None else (review.end + pd.Timedelta(days=1)).date()
        states = action_log.last_status(ids, before=before)
        tasked = action_log.last_status(ids, period=review.label)
        labels = {k: v["label"] for k, v in action_log.config.statuses.items()}
    finally:
        if opened is not None:
            opened.close()
    previous = review.shifted(-1).label
    return pd.Series([tasked_text(now, labels=labels) or status_text(then, previous, labels=labels)
                      for then, now in zip(states.to_dict("records"), tasked.to_dict("records"), strict=True)],
                     dtype="str")
