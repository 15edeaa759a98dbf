"""Keeping tasking lists in the workspace, so the next run (``previous``), the evaluation of
tasked places and the exports can find last period's list and any place's outline by its
tasking id.

A list is stored with :meth:`Workspace.save_table` as the table
``tasking-<kind>-<band>-<period>-<key>`` (e.g. ``tasking-hotspot-nte-2017-07-3f2a9c01d4``),
where ``key`` is :meth:`TaskingRequest.key() <hotspot_tasking.ranking.request.TaskingRequest.key>`:
the question the list answers (band, places, method and its parameters, filters, layer
and baseline), the same for every period. The table holds the columns of
:data:`~.schema.TASKING_COLUMNS` plus ``geometry_wkb`` (the outline as WKB, EPSG:27700);
its metadata carries ``period``, ``period_start``, ``every``, ``band``, ``kind``, ``key``,
``request`` (every field of the request), ``saved_at`` and the cards, caveats and sources.
Saving the same period and question again replaces it; lists of other questions (a DBSCAN
list and a surface list of the same month and band, say) are kept side by side.

Lists stored by the older version have no key (their table is
``tasking-<kind>-<band>-<period>``, and so is that of a list saved without its request):
:func:`load_tasking_list` and :func:`latest_before` take one as answering any request of
its period, band and kind only when no keyed list of the request's question matches, and
"what changed" (:func:`hotspot_tasking.pipeline.review.changes_since`) ignores them, since
they may answer another question.

Tables rather than area layers on purpose: every stored *layer* is an area layer that
incidents are assigned to (:func:`~hotspot_tasking.boundaries.store.area_layers`), and a
tasking list must not become one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import TaskingError
from ..geo.schema import BNG_EPSG
from ..geo.workspace import Workspace
from ..hotspots.card import MethodCard
from ..periods import review_period
from ..ranking.rank import CARD
from ..ranking.request import TaskingRequest
from ..ranking.schema import TASKING_COLUMNS, TaskingList
from ..validation import check_type

PREFIX = "tasking-"
CONTENT = "tasking_list"
#: Columns of :func:`stored_lists` (``key`` is "" for a list stored without its request).
STORED_COLUMNS = ("name", "period", "period_start", "every", "band", "kind", "key", "rows", "saved_at")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def save_tasking_list(ws: Workspace, tasking_list: TaskingList, request: TaskingRequest | None) -> str:
    """Store a tasking list in the workspace under its request's question.

    It replaces a stored list of the same period and question only; lists of other
    questions are kept.

    Parameters
    ----------
    ws : Workspace
    tasking_list : TaskingList
        As :func:`~.tasking.tasking_list` makes it. Not modified.
    request : TaskingRequest or None
        The request the list was built from: its period, band and candidates must be the
        list's. None stores the list without a key, as the older version did (found only
        when no keyed list matches; never compared in "what changed").

    Returns
    -------
    str
        The table name, e.g. ``"tasking-hotspot-all-2017-07-3f2a9c01d4"``.

    Raises
    ------
    TaskingError
        The request is for another period, band or kind of places than the list, or the
        outlines are not in EPSG:27700.
    """
    if not isinstance(tasking_list, TaskingList):
        raise TypeError(f"save_tasking_list needs a TaskingList, got {type(tasking_list).__name__}.")
    check_type(request, "request", "save_tasking_list", TaskingRequest, type_name="a TaskingRequest", optional=True)
    kind, every = _kind_and_every(tasking_list)
    period = review_period(tasking_list.period, every)
    if request is not None:
        asked = (review_period(request.period).label, request.band, request.candidates)
        if asked != (period.label, tasking_list.band, kind):
            raise TaskingError(f"save_tasking_list: the request is for the {asked[2]} list of {asked[0]} "
                               f"({asked[1]}) but the list is the {kind} list of {period.label} "
                               f"({tasking_list.band}); pass the request the list was built from.")
    frame = tasking_list.frame
    if frame.crs is not None and frame.crs.to_epsg() != BNG_EPSG:
        raise TaskingError(f"the tasking list's outlines are in {frame.crs}, not EPSG:27700; reproject them first.")
    table = pd.DataFrame(frame[list(TASKING_COLUMNS)]).astype(TASKING_COLUMNS).reset_index(drop=True)
    table["geometry_wkb"] = pd.Series(list(shapely.to_wkb(np.asarray(frame.geometry.values, dtype=object))),
                                      dtype=object)
    key = "" if request is None else request.key()
    name = table_name(period.label, tasking_list.band, kind, key=key)
    meta = {"content": CONTENT, "period": period.label, "period_start": period.start.strftime("%Y-%m-%d"),
            "every": period.every, "band": tasking_list.band, "kind": kind, "key": key,
            "request": None if request is None else _plain(dataclasses.asdict(request)), "rows": len(table),
            "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "cards": [_plain(c.to_dict()) for c in tasking_list.cards],
            "caveats": list(tasking_list.caveats), "sources": list(tasking_list.sources)}
    ws.save_table(name, table, meta)
    return name


def load_tasking_list(ws: Workspace, request: TaskingRequest) -> TaskingList:
    """The stored list of a request's period and question.

    Parameters
    ----------
    ws : Workspace
    request : TaskingRequest
        Its period and :meth:`~hotspot_tasking.ranking.request.TaskingRequest.key` pick the
        list; a list stored without a key (older version) of the same period, band and
        kind answers when no keyed one does.

    Raises
    ------
    TaskingError
        When no such list is stored.
    """
    check_type(request, "request", "load_tasking_list", TaskingRequest, type_name="a TaskingRequest")
    this = review_period(request.period)
    for found in _same_question(ws, request):  # keyed, then unkeyed
        mine = found[found["period"] == this.label]
        if len(mine):
            return _read(ws, mine["name"].iloc[-1])
    raise TaskingError(f"no {request.candidates} tasking list for {this.label} ({request.band}) with this "
                       f"request's method, filters and options (key {request.key()}) is stored in {ws.root}; "
                       "build and save one first (save_tasking_list).")


def latest_before(ws: Workspace, request: TaskingRequest, *, unkeyed: bool = True) -> TaskingList | None:
    """The stored list of the request's question and period length nearest before its period.

    Never the period's own list, so re-running a period inherits ids from the same list
    and gives the same ids.

    Parameters
    ----------
    ws : Workspace
    request : TaskingRequest
    unkeyed : bool, default=True
        When no keyed list of the question is stored before the period, fall back to the
        nearest list stored without a key (older version) of the same band, kind and
        period length. False ignores those (for comparing counts).

    Returns
    -------
    TaskingList or None
        None when there is none (the first list of a question has no previous list).
    """
    check_type(request, "request", "latest_before", TaskingRequest, type_name="a TaskingRequest")
    found = _latest_before(ws, request, unkeyed=unkeyed)
    return None if found is None else _read(ws, found["name"])


def previous_version(ws: Workspace, request: TaskingRequest) -> str:
    """Which stored list :func:`latest_before` reads for ``request``, and when it was saved
    (``""``: none), without reading it: with the workspace's ``data_version``, all a ranked
    list depends on (for caches; storing the period's own list does not change it).
    """
    check_type(request, "request", "previous_version", TaskingRequest, type_name="a TaskingRequest")
    found = _latest_before(ws, request, unkeyed=True)
    return "" if found is None else f"{found['name']}@{found['saved_at']}"


def outline_of(ws: Workspace, tasking_id: str) -> shapely.Geometry:
    """The outline (EPSG:27700) of a tasking id on the latest stored list that has it.

    Latest: the list with the latest period, then the last saved. Raises
    :class:`TaskingError` when no stored list has the id.
    """
    stored = stored_lists(ws).sort_values(["period_start", "saved_at"], ascending=False)
    for name in stored["name"]:  # one step per stored list, newest first
        table = ws.read_table(name)
        hit = table.index[table["tasking_id"].astype("str") == tasking_id]
        if len(hit):
            return shapely.from_wkb(table.loc[hit[0], "geometry_wkb"])
    raise TaskingError(f"no stored tasking list has the place {tasking_id!r}; check the id, or save the list "
                       "that showed it (save_tasking_list).")


def stored_lists(ws: Workspace) -> pd.DataFrame:
    """The tasking lists stored in a workspace, columns :data:`STORED_COLUMNS`, oldest period first."""
    rows = [{"name": name, **{k: meta.get(k) for k in STORED_COLUMNS[1:]}, "key": meta.get("key") or ""}
            for name, meta in ws.tables().items() if meta.get("content") == CONTENT]
    frame = pd.DataFrame(rows, columns=list(STORED_COLUMNS))
    return frame.sort_values(["period_start", "saved_at"], kind="stable").reset_index(drop=True)


def table_name(period: str, band: str, kind: str, *, key: str = "") -> str:
    """``tasking-<kind>-<band>-<period>-<key>`` (no ``-<key>`` without one), any character
    other than ``A-Z a-z 0-9 _ -`` as ``_`` so the name is safe as a file name.

    >>> table_name("2017-07", "nte", "hotspot", key="3f2a9c01d4")
    'tasking-hotspot-nte-2017-07-3f2a9c01d4'
    """
    name = f"{kind}-{band}-{period}" + (f"-{key}" if key else "")
    return PREFIX + _UNSAFE.sub("_", name)


# --- private steps ---------------------------------------------------------------------------

def _same_question(ws: Workspace, request: TaskingRequest) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stored lists of the request's band, kind and period length: those of its key, and
    those stored without one; each oldest period first."""
    stored = stored_lists(ws)
    same = stored[(stored["band"] == request.band) & (stored["kind"] == request.candidates)
                  & (stored["every"] == review_period(request.period).every)]
    return same[same["key"] == request.key()], same[same["key"] == ""]


def _latest_before(ws: Workspace, request: TaskingRequest, *, unkeyed: bool) -> pd.Series | None:
    """The row of :func:`stored_lists` that :func:`latest_before` reads (None: none)."""
    start = review_period(request.period).start.strftime("%Y-%m-%d")
    keyed, older = _same_question(ws, request)
    for found in (keyed, older) if unkeyed else (keyed,):
        earlier = found[found["period_start"] < start]
        if len(earlier):
            return earlier.iloc[-1]  # oldest period first, then saved_at
    return None


def _read(ws: Workspace, name: str) -> TaskingList:
    meta = ws.tables()[name]
    table = ws.read_table(name)
    geometry = shapely.from_wkb(table["geometry_wkb"].to_numpy(dtype=object)) if len(table) else []
    table = table.assign(**{c: "" for c in TASKING_COLUMNS if c not in table.columns})  # stored by an older version
    frame = gpd.GeoDataFrame(table[list(TASKING_COLUMNS)].astype(TASKING_COLUMNS),
                             geometry=gpd.GeoSeries(geometry, crs=BNG_EPSG), crs=BNG_EPSG)
    cards = [MethodCard(**c) for c in meta.get("cards", [])]
    return TaskingList(frame, meta["period"], meta["band"], cards, list(meta.get("caveats", [])),
                       list(meta.get("sources", [])))


def _kind_and_every(tasking_list: TaskingList) -> tuple[str, str | None]:
    """The list's kind and period length, from the ranking card (else its rows)."""
    for card in tasking_list.cards:
        if card.method == CARD and "candidates" in card.parameters:
            return str(card.parameters["candidates"]), card.parameters.get("every")
    kinds = tasking_list.frame["kind"].astype("str").unique().tolist() if len(tasking_list.frame) else []
    if len(kinds) != 1:
        raise TaskingError("cannot tell what kind of places this tasking list holds (it has no ranking card and "
                           f"its rows are of kinds {kinds or 'none'}); build it with the tasking pipeline "
                           "(tasking_list).")
    return kinds[0], None


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python numbers, containers walked, anything else as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
