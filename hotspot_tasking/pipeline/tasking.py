"""The one tasking pipeline: a :class:`~hotspot_tasking.ranking.request.TaskingRequest` in, a
ranked, explained list with its status out, the same from the CLI, the weekly review, the
exports page, the briefing pack and the decision form.

:func:`tasking_list` does it all: the incidents (with their areas), the previous stored
list of the same question (``TaskingRequest.key``) for the period before (so places keep
their ids), the ranking (:func:`~hotspot_tasking.ranking.rank.rank`), each place's status from the action log and,
when asked, storing the list. Its two steps are public so the app can cache them apart:
:func:`ranked_list` changes only when the data or the stored lists do, :func:`with_status`
whenever the action log is written. Unless given the incident table, it reads only the
days a request looks at (:func:`needed_window`, :func:`request_incidents`): a month's list
costs the same whatever the years of history stored.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from ..actions import DB_FILE
from ..actions.status import status_text, tasked_text
from ..boundaries.roads import ROADS_TABLE
from ..boundaries.store import with_areas
from ..geo.schema import INCIDENT_COLUMNS, LOCAL_TZ
from ..geo.select import select_incidents
from ..geo.workspace import Workspace
from ..periods import review_period
from ..ranking.config import RankingConfig
from ..ranking.micro import backtest_surfaces, history_periods
from ..ranking.rank import rank
from ..ranking.request import TaskingRequest
from ..ranking.schema import TaskingList
from ..surfaces.choice import SurfaceChoice
from ..validation import check_frame, check_type
from .context import area_reach, context_caveats, in_reach, ranking_context, reach_box
from .store import latest_before, previous_version, save_tasking_list

if TYPE_CHECKING:  # the action log (SQLAlchemy) is imported where a workspace has one
    from ..actions.log import ActionLog

#: ``previous=STORED``: the stored list nearest before the period (the default).
STORED = "stored"
#: Incident columns no list, hotspot or profile reads (ids and provenance, for the import log
#: and ``status``): :func:`window_incidents` leaves them out.
PROVENANCE_COLUMNS = ("incident_id", "import_id", "source_category", "lsoa_code_given")
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
        app caches it). Not modified. Default: :func:`request_incidents`, only the days
        the request looks at (the same list).
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
    table = request_incidents(ws, request) if incidents is None else incidents
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
        The incident table, if loaded. Not modified. Default: only the days the backtest
        looks at (:func:`request_incidents` with ``backtest=True``).

    Returns
    -------
    SurfaceChoice
    """
    table = request_incidents(ws, request, backtest=True, areas=False) if incidents is None else incidents
    return backtest_surfaces(table, request, ranking_context(ws, request))


def needed_window(ws: Workspace, request: TaskingRequest, *, backtest: bool = False) -> tuple[dt.date, dt.date]:
    """The first and last day (local, inclusive) of the incidents a list of ``request`` uses.

    The ranking (:func:`~hotspot_tasking.ranking.rank.rank`) selects incidents by their
    ``occurred_from``, from the start of the earliest period it looks at to the end of the
    review period; nothing it measures reaches further back:

    - the review period itself (counts, harm, peak times, tactics, place names);
    - the baseline, ``baseline_periods`` periods before it (the request's, else
      ``tasking.toml`` ``[ranking]``, 12): the mean per period, the trend, the periods with
      data, the persistence class (its hot flags are over the baseline and review periods
      only) and the street words a place is named from;
    - for hotspot places, the surface backtest's history
      (:func:`~hotspot_tasking.ranking.micro.history_periods`: ``backtest_periods`` pairs plus
      the longest candidate window less one, 12 + 11 periods), which also fixes the grid's
      cell size (from the study area's incidents over that history);
    - area places look back no further than the baseline.

    The stored previous list (inherited ids and names), the layers and the action log are
    read apart; the data's first day is found by :func:`request_incidents`.

    Parameters
    ----------
    ws : Workspace
        Gives ``tasking.toml``.
    request : TaskingRequest
    backtest : bool, default=False
        The window of :func:`surface_backtest` alone (its history, without the baseline).

    Returns
    -------
    (datetime.date, datetime.date)
        The first day of the earliest period used and the review period's last day.
    """
    check_type(ws, "ws", "needed_window", Workspace, type_name="a Workspace")
    check_type(request, "request", "needed_window", TaskingRequest, type_name="a TaskingRequest")
    check_type(backtest, "backtest", "needed_window", bool, type_name="a bool")
    review = review_period(request.period)
    config = RankingConfig.load(ws.config_path("tasking.toml"))
    n_base = config.baseline_periods if request.baseline_periods is None else request.baseline_periods
    if backtest:
        before = history_periods(config)
    elif request.candidates == "hotspot":
        before = max(n_base, history_periods(config))
    else:
        before = n_base
    return review.shifted(-before).start.date(), review.end.date()


def window_incidents(ws: Workspace, start: dt.date | str, end: dt.date | str) -> pd.DataFrame:
    """The incidents overlapping the local days ``start`` to ``end`` (inclusive), with their area
    codes: :func:`request_incidents`'s read before its request's filters, so one window serves
    every band of a period (the app caches it). What no list, hotspot run or place profile
    reads is left out: the :data:`PROVENANCE_COLUMNS` and the H3 cells (a Gi* run on H3 cells
    finds its own), a third less memory and time.

    Parameters
    ----------
    ws : Workspace
    start, end : datetime.date or str
        The first and last day (``"2017-08-31"``), as :func:`needed_window` gives them.

    Returns
    -------
    pandas.DataFrame
        Rows in the order of a whole-table read, indexed 0..n-1.
    """
    check_type(ws, "ws", "window_incidents", Workspace, type_name="a Workspace")
    columns = [c for c in INCIDENT_COLUMNS if c not in PROVENANCE_COLUMNS]
    return with_areas(ws, ws.incidents(columns, start=start, end=end), h3_resolutions=None)


def request_incidents(ws: Workspace, request: TaskingRequest, *, backtest: bool = False,
                      areas: bool = True, window: pd.DataFrame | None = None) -> pd.DataFrame:
    """The incidents of :func:`needed_window`, with their areas and H3 cells, as the ranking needs them.

    The same table as :func:`~hotspot_tasking.boundaries.store.incidents_with_areas` cut to
    the window, so the list is the same as one ranked from the whole table. One record may
    be added from outside the window: the earliest matching the request's sources,
    categories and groups, when the window holds none in its first period. The ranking
    reads when the data start from it (a baseline shortened because the data start later,
    or a period before the data), and leaves it out of everything else, being outside the
    periods. Finding it reads only the four columns the filters use, over every month.

    A request for one area (``request.area``) reads only the records within the import
    margin of the area (:func:`~hotspot_tasking.pipeline.context.area_reach`), the first
    record's search included: the table that area's own workspace would give.

    Parameters
    ----------
    ws : Workspace
    request : TaskingRequest
    backtest : bool, default=False
        The window of :func:`surface_backtest` (see :func:`needed_window`).
    areas : bool, default=True
        Add the area codes and H3 cells (False: the incident columns only).
    window : pandas.DataFrame, optional
        The window's incidents already read, as :func:`window_incidents` gives them for
        :func:`needed_window`'s days (without areas when ``areas`` is False). Not modified:
        returned as it is, unless the record before the window must be added (the window is
        then read again). Default: read here.

    Returns
    -------
    pandas.DataFrame
        Rows in the order of a whole-table read, indexed 0..n-1.
    """
    check_type(areas, "areas", "request_incidents", bool, type_name="a bool")
    if window is not None:
        check_frame(window, "window", "request_incidents")
    start, end = needed_window(ws, request, backtest=backtest)
    reach = area_reach(ws, request)
    if window is not None and reach is not None:
        window = window[in_reach(reach, window["easting"], window["northing"])].reset_index(drop=True)
    incidents = _read(ws, reach, start=start, end=end) if window is None else window
    first = _first_match(ws, request, incidents, start, end, reach)
    if first is None and window is not None:
        return window
    if first is not None:
        raw = _read(ws, reach, start=start, end=end) if window is not None else incidents
        incidents = pd.concat([first, raw], ignore_index=True)
    return with_areas(ws, incidents) if areas else incidents


def _read(ws: Workspace, reach, columns=None, **days) -> pd.DataFrame:
    """``ws.incidents(columns, **days)``, only the records in ``reach`` (an ``Area``; None: all)."""
    if reach is None:
        return ws.incidents(columns, **days)
    wanted = None if columns is None else list(dict.fromkeys([*columns, "easting", "northing"]))
    frame = ws.incidents(wanted, bbox=reach_box(reach), **days)
    frame = frame[in_reach(reach, frame["easting"], frame["northing"])].reset_index(drop=True)
    return frame if columns is None else frame[list(columns)]


def _first_match(ws: Workspace, request: TaskingRequest, incidents: pd.DataFrame, start: dt.date,
                 end: dt.date, reach=None) -> pd.DataFrame | None:
    """The earliest record matching the request's filters, when ``incidents`` (the window's) lack
    one in the window's first period and it lies outside the window; else None."""
    filters = {"sources": request.sources, "categories": request.categories, "groups": request.groups}
    first_period = review_period(f"{start:%Y-%m}" if review_period(request.period).every == "month" else f"{start}")
    second = first_period.shifted(1).start.tz_localize(LOCAL_TZ)
    if (select_incidents(incidents, **filters) & (incidents["occurred_from"] < second)).any():
        return None  # the data start in the window's first period or before: the ranking sees that
    columns = ["occurred_from", *(c for c, v in (("source", request.sources), ("category", request.categories),
                                                 ("groups", request.groups)) if v is not None)]
    every = _read(ws, reach, columns)
    matched = every["occurred_from"][select_incidents(every, **filters)]
    if not len(matched):
        return None
    earliest = matched.min()
    day = earliest.tz_convert(LOCAL_TZ).date()
    if start <= day <= end:
        return None  # in the window already
    rows = _read(ws, reach, start=day, end=day)
    rows = rows[select_incidents(rows, **filters) & (rows["occurred_from"] == earliest)]
    return rows.iloc[:1]


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
    if not (Path(ws.root) / DB_FILE).is_file():
        return None
    from ..actions.log import ActionLog

    return ActionLog.open(ws)


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
