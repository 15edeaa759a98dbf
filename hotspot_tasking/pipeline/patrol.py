"""Patrol plans from a workspace: the areas and shifts on offer, the months on offer when an
area's records have no time of day (police.uk), the plan of one area and shift or month
(:func:`hotspot_tasking.patrol.plan.patrol_plan` on the workspace's incidents), and its
printable page with the area's outline and the workspace's protective marking.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..boundaries.compare import has_time_of_day
from ..boundaries.roads import read_roads
from ..boundaries.store import incidents_with_areas
from ..geo.timebands import TimeBands
from ..geo.workspace import Workspace
from ..patrol.errors import PatrolError
from ..patrol.plan import PatrolPlan, patrol_plan
from ..patrol.shifts import Shift, shifts_from_bands
from ..periods import period_labels
from ..reports.patrol_pdf import patrol_plan_pdf
from ..reports.setting import band_label, band_labels
from ..validation import check_columns, check_number, check_strings, check_type
from .exports import disclosure_rules, map_streets


@dataclass(frozen=True)
class PatrolRequest:
    """One patrol plan, as a supervisor asks for it.

    Attributes
    ----------
    area_layer, area_code : str
        A stored ward or zone layer and one of its areas (``"ward_2014"``, ``"E05000420"``).
    days : tuple of str
        Shift days (``"Friday"`` or ``"Fri"``).
    start_hour, end_hour : int
        Local hours: start 0-23 (inclusive), end 0-24 (exclusive); end at or before start
        runs past midnight.
    weeks : int, default=8
        Weeks of data ending on the last day with data, 1-104.
    month : str, optional
        A calendar month, ``"2017-08"``, as the window instead of ``weeks`` (for records
        with no time of day, whose plan is the month's, not split by shift).
    """

    area_layer: str
    area_code: str
    days: tuple[str, ...]
    start_hour: int
    end_hour: int
    weeks: int = 8
    month: str | None = None

    def __post_init__(self):
        where = "PatrolRequest"
        check_type(self.area_layer, "area_layer", where, str, type_name="a str")
        check_type(self.area_code, "area_code", where, str, type_name="a str")
        object.__setattr__(self, "days", check_strings(self.days, "days", where))
        check_number(self.start_hour, "start_hour", where, high=23, low_open=False, high_open=False, integer=True,
                     error=PatrolError)
        check_number(self.end_hour, "end_hour", where, high=24, low_open=False, high_open=False, integer=True,
                     error=PatrolError)
        check_number(self.weeks, "weeks", where, low=1, high=104, low_open=False, high_open=False, integer=True,
                     error=PatrolError)
        check_type(self.month, "month", where, str, type_name="a str such as '2017-08'", optional=True)


def patrol_areas(ws: Workspace) -> dict[str, dict[str, str]]:
    """``{layer: {code: name}}`` of the ward layers (latest first), then the zone layers; names sorted."""
    stored = ws.layers()
    wards = sorted((n for n, m in stored.items() if m["kind"] == "ward"), reverse=True)
    out = {}
    for name in wards + sorted(n for n, m in stored.items() if m["kind"] == "zone"):  # one step per layer
        frame = ws.read_layer(name)
        names = frame["name"] if "name" in frame else frame["code"]
        out[name] = dict(sorted(zip(frame["code"].astype(str), names.astype(str)), key=lambda kv: kv[1]))
    return out


def untimed_months(incidents: pd.DataFrame, area_layer: str, area_code: str) -> list[str]:
    """The months with records in an area (``"2017-08"``, newest first) when none of them has a
    time of day (police.uk's month-only records), so its plan is a month's; ``[]`` when some has.

    Parameters
    ----------
    incidents : pandas.DataFrame
        :func:`~hotspot_tasking.boundaries.store.incidents_with_areas` (the time columns and
        ``area_layer``). Not modified.
    area_layer, area_code : str
        The area, e.g. ``"ward_2014"``, ``"E05000420"``.
    """
    check_columns(incidents, ("occurred_from", "occurred_to", "time_precision", area_layer), "untimed_months",
                  error=PatrolError)
    codes = ";" + incidents[area_layer].astype("str") + ";"  # a zone column may hold "Z1;Z2"
    mine = incidents.loc[codes.str.contains(f";{area_code};", regex=False).to_numpy()]
    if not len(mine) or has_time_of_day(mine).any():
        return []
    return sorted(set(period_labels(mine["occurred_from"], "month")), reverse=True)


def shift_choices(ws: Workspace) -> dict[str, Shift]:
    """The workspace's time bands as shifts (:func:`hotspot_tasking.patrol.shifts.shifts_from_bands`)."""
    return shifts_from_bands(ws.time_bands())


def plan_patrol(ws: Workspace, request: PatrolRequest, *, incidents: pd.DataFrame | None = None) -> PatrolPlan:
    """The patrol plan of one area and shift.

    Parameters
    ----------
    ws : Workspace
        Gives the incidents (unless passed), the time bands (the shift's name when it is
        one of them: :func:`shift_label`) and the area's name.
    request : PatrolRequest
    incidents : pandas.DataFrame, optional
        :func:`~hotspot_tasking.boundaries.store.incidents_with_areas` already loaded. Not modified.

    Returns
    -------
    PatrolPlan
    """
    check_type(request, "request", "plan_patrol", PatrolRequest, type_name="a PatrolRequest")
    table = incidents_with_areas(ws) if incidents is None else incidents
    name = patrol_areas(ws).get(request.area_layer, {}).get(request.area_code)
    bands = ws.time_bands()
    return patrol_plan(table, area_code=request.area_code, area_layer=request.area_layer, days=request.days,
                       start_hour=request.start_hour, end_hour=request.end_hour, weeks=request.weeks,
                       area_name=name, bands=bands, shift_label=shift_label(bands, request), month=request.month)


def shift_label(bands: TimeBands, request: PatrolRequest) -> str:
    """The label of the time band whose shift (:func:`~hotspot_tasking.patrol.shifts.shifts_from_bands`)
    has the request's days and hours, e.g. "Night-time economy"; "" when no band's has."""
    days = {d.strip()[:3].casefold() for d in request.days}
    labels = band_labels(bands)
    for name, shift in shifts_from_bands(bands).items():  # one step per band
        if ({d[:3].casefold() for d in shift.days} == days and shift.start_hour == request.start_hour
                and shift.end_hour % 24 == request.end_hour % 24):
            return band_label(name, labels)
    return ""


def patrol_pdf(ws: Workspace, request: PatrolRequest, plan: PatrolPlan) -> bytes:
    """The printable one-page plan (PDF) with the area's outline, the street names its records
    carry around it (:func:`~hotspot_tasking.pipeline.exports.map_streets`), its roads when it has a
    roads layer, and the workspace's marking."""
    layer = ws.read_layer(request.area_layer)
    outline = layer.loc[layer["code"].astype(str) == request.area_code].geometry.union_all()
    minx, miny, maxx, maxy = outline.bounds
    pad = max(maxx - minx, maxy - miny, 400.0)  # the map shows a margin round the outline
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    return patrol_plan_pdf(plan, outline=outline, marking=disclosure_rules(ws).marking,
                           streets=map_streets(ws, bbox=box), roads=read_roads(ws, bbox=box))
