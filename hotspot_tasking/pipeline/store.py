"""Keeping tasking lists in the workspace, so the next run (``previous``), the evaluation of
tasked places and the exports can find last period's list and any place's outline by its
tasking id.

A list is stored with :meth:`Workspace.save_table` as the table
``tasking-<kind>-<band>-<period>`` (e.g. ``tasking-hotspot-nte-2017-07``): the columns of
:data:`~.schema.TASKING_COLUMNS` plus ``geometry_wkb`` (the outline as WKB, EPSG:27700);
its metadata carries ``period``, ``period_start``, ``every``, ``band``, ``kind``,
``saved_at`` and the cards, caveats and sources. Saving the same period, band and kind
again replaces it (the hotspot method is in its card).

Tables rather than area layers on purpose: every stored *layer* is an area layer that
incidents are assigned to (:func:`~hotspot_tasking.boundaries.store.area_layers`), and a
tasking list must not become one.
"""

from __future__ import annotations

import datetime as dt
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
from ..ranking.schema import CANDIDATE_KINDS, TASKING_COLUMNS, TaskingList

PREFIX = "tasking-"
CONTENT = "tasking_list"
#: Columns of :func:`stored_lists`.
STORED_COLUMNS = ("name", "period", "period_start", "every", "band", "kind", "rows", "saved_at")


def save_tasking_list(ws: Workspace, tasking_list: TaskingList) -> str:
    """Store a tasking list in the workspace (replacing one of the same period, band and kind).

    Parameters
    ----------
    ws : Workspace
    tasking_list : TaskingList
        As :func:`~.tasking.tasking_list` makes it. Not modified.

    Returns
    -------
    str
        The table name, e.g. ``"tasking-hotspot-all-2017-07"``.
    """
    if not isinstance(tasking_list, TaskingList):
        raise TypeError(f"save_tasking_list needs a TaskingList, got {type(tasking_list).__name__}.")
    kind, every = _kind_and_every(tasking_list)
    period = review_period(tasking_list.period, every)
    frame = tasking_list.frame
    if frame.crs is not None and frame.crs.to_epsg() != BNG_EPSG:
        raise TaskingError(f"the tasking list's outlines are in {frame.crs}, not EPSG:27700; reproject them first.")
    table = pd.DataFrame(frame[list(TASKING_COLUMNS)]).astype(TASKING_COLUMNS).reset_index(drop=True)
    table["geometry_wkb"] = pd.Series(list(shapely.to_wkb(np.asarray(frame.geometry.values, dtype=object))),
                                      dtype=object)
    name = table_name(period.label, tasking_list.band, kind)
    meta = {"content": CONTENT, "period": period.label, "period_start": period.start.strftime("%Y-%m-%d"),
            "every": period.every, "band": tasking_list.band, "kind": kind, "rows": len(table),
            "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "cards": [_plain(c.to_dict()) for c in tasking_list.cards],
            "caveats": list(tasking_list.caveats), "sources": list(tasking_list.sources)}
    ws.save_table(name, table, meta)
    return name


def load_tasking_list(ws: Workspace, period: str, band: str, kind: str) -> TaskingList:
    """The stored list of a period, band and kind.

    Parameters
    ----------
    period : str
        ``"2017-07"``, ``"2017-07-03"`` or ``"2017-W27"``.
    band : str
        A band name or ``"all"``.
    kind : {"hotspot", "ward", "lsoa", "zone"}

    Raises
    ------
    TaskingError
        When no such list is stored.
    """
    _check_kind(kind)
    label = review_period(period).label
    name = table_name(label, band, kind)
    if name not in ws.tables():
        raise TaskingError(f"no {kind} tasking list for {label} ({band}) is stored in {ws.root}; build and save "
                           "one first (save_tasking_list).")
    return _read(ws, name)


def latest_before(ws: Workspace, period: str, band: str, kind: str) -> TaskingList | None:
    """The stored list of the same band, kind and period length nearest before ``period``.

    Returns
    -------
    TaskingList or None
        None when there is none (the first list of a workspace has no previous list).
    """
    _check_kind(kind)
    this = review_period(period)
    stored = stored_lists(ws)
    mine = stored[(stored["band"] == band) & (stored["kind"] == kind) & (stored["every"] == this.every)
                  & (stored["period_start"] < this.start.strftime("%Y-%m-%d"))]
    if mine.empty:
        return None
    return _read(ws, mine.sort_values(["period_start", "saved_at"]).iloc[-1]["name"])


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
    rows = [{"name": name, **{k: meta.get(k) for k in STORED_COLUMNS[1:]}}
            for name, meta in ws.tables().items() if meta.get("content") == CONTENT]
    frame = pd.DataFrame(rows, columns=list(STORED_COLUMNS))
    return frame.sort_values(["period_start", "saved_at"], kind="stable").reset_index(drop=True)


def table_name(period: str, band: str, kind: str) -> str:
    """``tasking-<kind>-<band>-<period>``."""
    return f"{PREFIX}{kind}-{band}-{period}"


# --- private steps ---------------------------------------------------------------------------

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


def _check_kind(kind: str) -> None:
    if kind not in CANDIDATE_KINDS:
        raise TaskingError(f"kind {kind!r} is not one of {', '.join(CANDIDATE_KINDS)}; use one of those.")


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
