"""Cached wrappers for the weekly review and the patrol plan: the tasking list, a place's
detail, the action log's reads, the patrol plan, and the maps and charts they draw.

Data caches take the workspace path and its ``version``; action-log reads take
:func:`log_version` instead (it changes whenever the log is written), so the list stays
cached while a decision is recorded. The action log is opened once per workspace
(``st.cache_resource``) and only when something is written, so merely looking never
creates ``actions.sqlite``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import geopandas as gpd
import pandas as pd
import pydeck as pdk
import streamlit as st

from ..geo.schema import LOCAL_TZ
from ..geo.timebands import DAY_NAMES
from ..geo.workspace import Workspace
from ..actions.log import DB_FILE, ActionLog
from ..ranking.changes import what_changed
from ..reports.disclosure import DisclosureRules
from ..reports.maps import TREND_EDGES, TREND_STYLE
from ..patrol.plan import PatrolPlan, patrol_plan, patrol_plan_pdf
from ..ranking.place import PlaceProfile, place_profile
from ..periods import review_period
from ..ranking.rank import build_tasking_list
from ..actions.status import status_text
from ..ranking.schema import TaskingList
from ..pipeline.store import latest_before
from .cache import incidents_with_areas, layer
from .maps import boundary_layer, deck
from .style import CATEGORICAL, UK_DATE

#: Share of month-only records above which weekly periods are not offered.
MONTH_ONLY_LIMIT = 0.5
HISTORY_COLUMNS = {"held_on": "meeting", "period": "period", "agency": "agency", "action": "action",
                   "tactic": "tactic", "pier": "PIER", "owner_role": "owner", "due_on": "due", "status": "status",
                   "funding_bid_gbp": "bid, £", "approval_route": "approval"}


# --- the action log ---------------------------------------------------------------------

def log_version(path: str) -> str:
    """Changes whenever the workspace's action log is written ("" when it has none)."""
    files = [Path(path) / DB_FILE, Path(path) / f"{DB_FILE}-wal"]
    return ":".join(f"{f.stat().st_mtime_ns}-{f.stat().st_size}" for f in files if f.is_file())


@st.cache_resource(show_spinner=False, max_entries=4)
def action_log(path: str) -> ActionLog:
    """The workspace's action log, opened (and created if needed) once and shared."""
    return ActionLog.open(path)


@st.cache_data(show_spinner=False, max_entries=64)
def place_history(path: str, log_version: str, tasking_id: str) -> pd.DataFrame:
    """What was listed and tasked for one place, newest first, for display (no log: empty)."""
    if not log_version:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS.values()))
    log = action_log(path)
    frame = log.history(tasking_id)
    labels = {k: v["label"] for k, v in log.config.statuses.items()}
    listed_only = frame["action_id"].isna()
    frame["status"] = frame["status"].map(lambda s: labels.get(s, s)).where(~listed_only, "listed, no action")
    frame = frame.iloc[::-1][list(HISTORY_COLUMNS)].rename(columns=HISTORY_COLUMNS)
    text = [c for c in frame.columns if c not in ("meeting", "due", "bid, £")]
    frame[text] = frame[text].astype(object).where(frame[text].notna(), "").astype("str")
    return frame


@st.cache_data(show_spinner=False, max_entries=16)
def meeting_groups(path: str, log_version: str) -> list[str]:
    """Groups that have met, most recent first (no log: none)."""
    if not log_version:
        return []
    return list(dict.fromkeys(action_log(path).meetings()["group_name"].iloc[::-1]))


@st.cache_data(show_spinner=False, max_entries=32)
def _statuses(path: str, log_version: str, period: str, ids: tuple[str, ...]) -> list[str]:
    review = review_period(period)
    log = action_log(path)
    states = log.last_status(list(ids), before=(review.end + pd.Timedelta(days=1)).date())
    labels = {k: v["label"] for k, v in log.config.statuses.items()}
    return [status_text(r, review.shifted(-1).label, labels=labels) for r in states.to_dict("records")]


# --- review periods -----------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewChoices:
    """Review periods the data allow: ``periods[every]`` is ``[(period, label)]`` newest first,
    ``default[every]`` the index of the latest complete one; ``note`` says why weeks are missing."""

    every: tuple[str, ...]
    periods: dict
    default: dict
    note: str = ""


@st.cache_data(show_spinner=False)
def review_choices(path: str, version: str) -> ReviewChoices:
    """Weeks (from their Monday) and months from the first to the last incident."""
    table = incidents_with_areas(path, version)
    local = table["occurred_from"].dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    first, last = local.min().normalize(), local.max().normalize()
    month_only = float(table["time_precision"].astype("str").eq("month").mean())
    every = ("week", "month") if month_only <= MONTH_ONLY_LIMIT else ("month",)
    note = "" if "week" in every else (f"Weekly review needs dates finer than a month; {month_only:.0%} of the "
                                       "records have only a month (police.uk), so periods are months.")
    periods, default = {}, {}
    for kind in every:  # at most two
        start = (first - pd.Timedelta(days=first.day_of_week) if kind == "week" else first.replace(day=1))
        step = pd.DateOffset(weeks=1) if kind == "week" else pd.DateOffset(months=1)
        starts = pd.date_range(start, last, freq=step)[::-1]
        ends = [review_period(_label(s, kind)).end for s in starts]
        periods[kind] = [(_label(s, kind), _title(s, kind) + ("" if e <= last else " (incomplete)"))
                         for s, e in zip(starts, ends)]
        default[kind] = next((i for i, e in enumerate(ends) if e <= last), 0)
    return ReviewChoices(every, periods, default, note)


def _label(start: pd.Timestamp, every: str) -> str:
    return start.strftime("%Y-%m-%d" if every == "week" else "%Y-%m")


def _title(start: pd.Timestamp, every: str) -> str:
    return f"w/b {start:{UK_DATE}}" if every == "week" else start.strftime("%B %Y")


# --- the tasking list ---------------------------------------------------------------------

@st.cache_resource(show_spinner="Ranking places…", max_entries=32)
def tasking_list(path: str, version: str, period: str, band: str, method: str,
                 categories: tuple[str, ...] | None) -> TaskingList:
    """The ranked list (ids kept from the last stored list); shared, read-only."""
    ws = Workspace.open(path)
    previous = latest_before(ws, period, band, "hotspot")
    return build_tasking_list(ws, period=period, band=band, method=method, categories=categories,
                              incidents=incidents_with_areas(path, version), previous=previous)


@st.cache_data(show_spinner=False, max_entries=64)
def review_table(path: str, version: str, period: str, band: str, method: str, categories: tuple[str, ...] | None,
                 log_version: str) -> pd.DataFrame:
    """The list for display: rank, place, arrow, now, before, peak band, lead, status, tasking_id."""
    frame = tasking_list(path, version, period, band, method, categories).frame
    bands = Workspace.open(path).time_bands()
    labels = {name: bands.band(name).label for name in bands.names()}
    table = pd.DataFrame({"rank": frame["rank"], "place": frame["place_name"], "trend": frame["arrow"],
                          "now": frame["count_now"].round(1), "before": frame["count_before"].round(1),
                          "peak band": frame["peak_band"].map(lambda b: labels.get(b, b)),
                          "peak": frame["peak_days"] + " " + frame["peak_hours"],
                          "lead": frame["lead_agency"], "status": frame["status"],
                          "tasking_id": frame["tasking_id"], "explanation": frame["explanation"]})
    if log_version:
        table["status"] = _statuses(path, log_version, period, tuple(table["tasking_id"]))
    return table


@st.cache_data(show_spinner=False, max_entries=32)
def changes_text(path: str, version: str, period: str, band: str, method: str,
                 categories: tuple[str, ...] | None) -> str | None:
    """What changed since the last stored list of the same band and period length (None: none stored)."""
    previous = latest_before(Workspace.open(path), period, band, "hotspot")
    if previous is None:
        return None
    text = what_changed(tasking_list(path, version, period, band, method, categories), previous)
    return text.replace("\n", "  \n")  # one line each in Markdown


@st.cache_data(show_spinner="Profiling the place…", max_entries=64)
def place_detail(path: str, version: str, period: str, band: str, method: str, categories: tuple[str, ...] | None,
                 tasking_id: str) -> PlaceProfile:
    """Hour-of-week grid, category mix and trend of one listed place (see :func:`place_profile`)."""
    tl = tasking_list(path, version, period, band, method, categories)
    row = tl.frame[tl.frame["tasking_id"] == tasking_id]
    ws = Workspace.open(path)
    base = int(next((c.parameters["baseline_periods"] for c in tl.cards if "baseline_periods" in c.parameters), 12))
    return place_profile(incidents_with_areas(path, version), row.geometry.iloc[0], period=period, band=band,
                         baseline_periods=base, bands=ws.time_bands())


# --- maps and charts -------------------------------------------------------------------------

def _rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)] + [alpha]


@st.cache_resource(show_spinner=False, max_entries=4)
def _wards(path: str, version: str) -> gpd.GeoDataFrame | None:
    """The latest ward layer, simplified to 5 m for the screen (a quarter of the bytes to send)."""
    names = sorted(n for n, m in Workspace.open(path).layers().items() if m["kind"] == "ward")
    if not names:
        return None
    wards = layer(path, version, names[-1])
    return wards.set_geometry(wards.geometry.simplify(5.0))


def _fit(view: pdk.Deck, bounds_27700, width_px: int, height_px: int) -> pdk.Deck:
    """Frame the map on a British National Grid extent for a chart of about this size."""
    box = gpd.GeoSeries.from_xy([bounds_27700[0], bounds_27700[2]], [bounds_27700[1], bounds_27700[3]],
                                crs=27700).to_crs(4326)
    lon, lat = box.x.to_numpy(), box.y.to_numpy()
    merc = [math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) for v in lat]
    zoom_x = math.log2(width_px * 360 / (512 * max(abs(lon[1] - lon[0]), 1e-6)))
    zoom_y = math.log2(height_px * 2 * math.pi / (512 * max(abs(merc[1] - merc[0]), 1e-9)))
    view.initial_view_state = pdk.ViewState(longitude=float(lon.mean()), latitude=float(lat.mean()),
                                            zoom=round(min(zoom_x, zoom_y, 17) - 0.15, 2))
    return view


def _numbers(frame: pd.DataFrame, text: str, layer_id: str, *, fill: list[int], ink: list[int]) -> list[pdk.Layer]:
    """Numbered markers: a disc with a thin outline and the number on it (plain text, no
    background box or bold face: those draw blank under some WebGL renderers)."""
    return [pdk.Layer("ScatterplotLayer", frame, id=f"{layer_id}_disc", get_position=["lon", "lat"], get_radius=1,
                      radius_min_pixels=11, stroked=True, get_fill_color=fill, get_line_color=[0, 0, 0, 255],
                      line_width_min_pixels=1, pickable=False),
            pdk.Layer("TextLayer", frame, id=layer_id, get_position=["lon", "lat"], get_text=text, get_size=14,
                      get_color=ink, pickable=False)]


@st.cache_resource(show_spinner=False, max_entries=64)
def review_deck(path: str, version: str, period: str, band: str, method: str, categories: tuple[str, ...] | None,
                selected: str | None) -> pdk.Deck:
    """Wards, the listed places filled by trend (▲ vermillion, ► yellow, ▼ blue) and numbered by rank."""
    frame = tasking_list(path, version, period, band, method, categories).frame
    shown = gpd.GeoDataFrame(frame[["rank", "tasking_id", "place_name", "arrow", "count_now", "peak_hours"]].assign(
        fill=[_rgb(TREND_STYLE[a][0], 140) for a in frame["arrow"]],
        line=[_rgb(TREND_EDGES[TREND_STYLE[a][0]]) for a in frame["arrow"]], count_now=frame["count_now"].round(1)),
        geometry=frame.geometry, crs=frame.crs).to_crs(4326)
    layers = []
    wards = _wards(path, version)
    if wards is not None:  # outlines only: nothing to fill, so the map redraws quickly on each selection
        layers.append(pdk.Layer("GeoJsonLayer", wards[["code", "name", "geometry"]].to_crs(4326).__geo_interface__,
                                id="boundaries", stroked=True, filled=False, get_line_color=[90, 90, 90, 200],
                                line_width_min_pixels=1, pickable=False))
    layers.append(pdk.Layer("GeoJsonLayer", shown.__geo_interface__, id="places", stroked=True, filled=True,
                            get_fill_color="properties.fill", get_line_color="properties.line",
                            line_width_min_pixels=2, pickable=True))
    if selected is not None and (shown["tasking_id"] == selected).any():
        layers.append(pdk.Layer("GeoJsonLayer", shown[shown["tasking_id"] == selected][["geometry"]].__geo_interface__,
                                id="selected", stroked=True, filled=False, get_line_color=[0, 0, 0, 255],
                                line_width_min_pixels=5))
    points = shown.representative_point()
    labels = pd.DataFrame({"lon": points.x, "lat": points.y, "label": shown["rank"].astype(str)})
    layers += _numbers(labels, "label", "ranks", fill=[255, 255, 255, 235], ink=[0, 0, 0, 255])
    bounds = tuple(wards.total_bounds) if wards is not None else tuple(frame.total_bounds)
    return _fit(deck(layers, bounds, tooltip="{rank}. {place_name}: {count_now} now {arrow}, peak {peak_hours}"),
                bounds, 540, 520)


def heat_grid(counts: pd.DataFrame) -> alt.Chart:
    """A 7 x 24 hour-of-week grid (Monday at the top), viridis, in incidents."""
    long = counts.rename_axis(index="day", columns="hour").stack().rename("incidents").reset_index()
    long["day"] = long["day"].str[:3]
    return alt.Chart(long).mark_rect().encode(
        x=alt.X("hour:O", title="hour of day (local time)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day:O", sort=[d[:3] for d in DAY_NAMES], title=None, axis=alt.Axis(labelOverlap=False)),
        color=alt.Color("incidents:Q", scale=alt.Scale(scheme="viridis"), title="incidents"),
        tooltip=["day", "hour", alt.Tooltip("incidents:Q", format=".1f")]).properties(height=210)


def trend_line(trend: pd.DataFrame, every: str) -> alt.Chart:
    """Incidents per period over the baseline, the review period marked."""
    starts = pd.to_datetime(trend["period"].str.slice(0, 10), format="mixed")
    data = trend.assign(now=[False] * (len(trend) - 1) + [True],
                        label=starts.dt.strftime("%d/%m/%y" if every == "week" else "%b %Y"))
    base = alt.Chart(data).encode(x=alt.X("label:O", sort=None, title=f"{every} (from)" if every == "week" else None,
                                          axis=alt.Axis(labelAngle=-45)),
                                  y=alt.Y("incidents:Q", title=f"incidents per {every}"))
    return (base.mark_line(color=CATEGORICAL[0]) + base.mark_point(filled=True, size=60).encode(
        color=alt.Color("now:N", scale=alt.Scale(domain=[False, True], range=[CATEGORICAL[0], CATEGORICAL[5]]),
                        legend=None), tooltip=[alt.Tooltip("label:O", title=every), alt.Tooltip("incidents:Q", format=".1f")])
            ).properties(height=230)


def category_bars(categories: pd.DataFrame, *, top: int = 6) -> alt.Chart:
    """The leading categories (the rest as "other") as horizontal bars, most first."""
    head = categories.head(top)
    rest = categories.iloc[top:]
    if len(rest):
        head = pd.concat([head, pd.DataFrame({"category": ["other categories"], "incidents": [rest["incidents"].sum()],
                                              "share": [rest["share"].sum()]})], ignore_index=True)
    return alt.Chart(head).mark_bar(color=CATEGORICAL[0]).encode(
        x=alt.X("incidents:Q", title="incidents this period"),
        y=alt.Y("category:N", sort=head["category"].tolist(), title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=["category", alt.Tooltip("incidents:Q", format=".1f"), alt.Tooltip("share:Q", format=".0%")],
    ).properties(height=230)


# --- the patrol plan ---------------------------------------------------------------------

@st.cache_data(show_spinner=False)
def patrol_areas(path: str, version: str) -> dict[str, dict[str, str]]:
    """``{layer: {code: name}}`` of the ward layers (latest first), then the zone layers; names sorted."""
    stored = Workspace.open(path).layers()
    wards = sorted((n for n, m in stored.items() if m["kind"] == "ward"), reverse=True)
    out = {}
    for name in wards + sorted(n for n, m in stored.items() if m["kind"] == "zone"):  # one step per layer
        frame = layer(path, version, name)
        names = frame["name"] if "name" in frame else frame["code"]
        out[name] = dict(sorted(zip(frame["code"].astype(str), names.astype(str)), key=lambda kv: kv[1]))
    return out


@dataclass(frozen=True)
class Shift:
    """A shift offered on the patrol page: label, days (names) and whole local hours."""

    label: str
    days: tuple[str, ...]
    start_hour: int
    end_hour: int


@st.cache_data(show_spinner=False)
def shift_choices(path: str, version: str) -> dict[str, Shift]:
    """The workspace's time bands as shifts (start rounded down, end up to the hour)."""
    bands = Workspace.open(path).time_bands()
    out = {}
    for name in bands.names():
        b = bands.band(name)
        out[name] = Shift(f"{b.label} ({b.start_minute // 60:02d}:00-{-(-b.end_minute // 60) % 24:02d}:00)",
                          tuple(DAY_NAMES[d] for d in sorted(b.days)), b.start_minute // 60, -(-b.end_minute // 60))
    return out


@st.cache_data(show_spinner="Planning the patrol…", max_entries=64)
def patrol(path: str, version: str, area_layer: str, area_code: str, days: tuple[str, ...], start_hour: int,
           end_hour: int, weeks: int) -> PatrolPlan:
    """The patrol plan of one area and shift (see :func:`patrol_plan`)."""
    ws = Workspace.open(path)
    return patrol_plan(incidents_with_areas(path, version), area_code=area_code, area_layer=area_layer, days=days,
                       start_hour=start_hour, end_hour=end_hour, weeks=weeks,
                       area_name=patrol_areas(path, version)[area_layer].get(area_code), bands=ws.time_bands())


@st.cache_data(show_spinner=False, max_entries=16)
def patrol_pdf(path: str, version: str, area_layer: str, area_code: str, days: tuple[str, ...], start_hour: int,
               end_hour: int, weeks: int) -> bytes:
    """The printable one-page plan (PDF)."""
    plan = patrol(path, version, area_layer, area_code, days, start_hour, end_hour, weeks)
    marking = _marking(Workspace.open(path))
    return patrol_plan_pdf(plan, outline=_outline(path, version, area_layer, area_code), marking=marking)


@st.cache_resource(show_spinner=False, max_entries=32)
def patrol_deck(path: str, version: str, area_layer: str, area_code: str, days: tuple[str, ...], start_hour: int,
                end_hour: int, weeks: int) -> pdk.Deck:
    """The area outline and the places as numbered blue circles."""
    plan = patrol(path, version, area_layer, area_code, days, start_hour, end_hour, weeks)
    frame = layer(path, version, area_layer)
    area = frame[frame["code"].astype(str) == area_code]
    places = plan.frame.assign(lon=plan.frame["longitude"], lat=plan.frame["latitude"],
                               label=plan.frame["order"].astype(str), incidents=plan.frame["incidents"].round(1))
    layers = [boundary_layer(area, layer_id="area"),
              pdk.Layer("ScatterplotLayer", places, id="places", get_position=["lon", "lat"], get_radius=60,
                        get_fill_color=_rgb(CATEGORICAL[0], 60), pickable=True),
              *_numbers(places, "label", "order", fill=_rgb(CATEGORICAL[0], 240), ink=[255, 255, 255, 255])]
    return _fit(deck(layers, tuple(area.total_bounds),
                     tooltip="{order}. {place_name}: {best_hours} ({best_days}); {incidents} incidents"),
                tuple(area.total_bounds), 420, 380)


def _outline(path: str, version: str, area_layer: str, area_code: str):
    frame = layer(path, version, area_layer)
    return frame.loc[frame["code"].astype(str) == area_code].geometry.union_all()


def _marking(ws: Workspace) -> str:
    return DisclosureRules.load(ws.config_path("tasking.toml"), taxonomy=ws.taxonomy()).marking


def default_meeting_day(period: str) -> dt.date:
    """The day after the review period ends, or today if that is still to come."""
    return min((review_period(period).end + pd.Timedelta(days=1)).date(), dt.date.today())
