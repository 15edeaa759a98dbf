"""Street names for the static maps, from the records themselves or from a roads layer.

There are no basemap tiles (no internet at run time), so a map's streets come from the data:

- **records** (:func:`record_streets`): the street each record names at its map point
  (police.uk's "On or near Brixton Road" at its snapped map point, a council's street
  field), read as :func:`hotspot_tasking.locations.clean_location_text` reads it. Generic
  words (:data:`~hotspot_tasking.locations.GENERIC_LOCATIONS`: "Supermarket", "Parking
  Area", "Nightclub"), police.uk's landmarks in brackets ("Waterloo (lu Station)") and
  blanks are not street names; a text in parts ("Brixton, Kellett Road", "Kellett Road,
  Brixton") names the first part that ends in a street word (:data:`STREET_WORDS`), or no
  street. Sensitive-category records never name a street. The records of every period
  count: the streets are a base map, not a period's figures.
- **roads** (a roads layer: ``name``, ``number``, ``kind``, line ``geometry`` in
  EPSG:27700): each road's longest piece in view, labelled at its middle along its
  direction (by its number, "A23", when it has no name); roads come before the records'
  streets and a street the roads name is not labelled twice.

:func:`street_labels` lists the labels a map's extent can take: one per street name, the
record street at its busiest map point (most records there), turned to the street's
direction when its points lie roughly on a line (the principal axis of its points, weighted
by records, at least :data:`MIN_LENGTH_M` long and :data:`MAX_SPREAD` times as long as it is
wide), most recorded first. :mod:`.placement` then places as many as fit without overlaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..locations import GENERIC_LOCATIONS, clean_location_text
from ..validation import check_columns, check_frame, check_strings, check_type
from .errors import ReportError
from .setting import Background

#: Columns of :func:`record_streets`: one row per street name and map point.
STREET_COLUMNS = ("name", "easting", "northing", "records")
#: Columns of :func:`street_labels`: the label text, its point (metres), angle (degrees), weight and source.
LABEL_COLUMNS = ("text", "x", "y", "angle", "weight", "source")
#: Last words of a street name, for picking the street out of a text in parts ("Brixton, Kellett Road").
STREET_WORDS = ("Road", "Street", "Lane", "Avenue", "Way", "Close", "Grove", "Place", "Hill", "Crescent",
                "Gardens", "Terrace", "Square", "Walk", "Row", "Mews", "Drive", "Parade", "Court", "Rise", "Green",
                "Gate", "Yard", "Vale", "Bridge", "Embankment", "Broadway", "Park", "Common", "Passage", "Approach")
#: A street's points must span at least this many metres for its label to be turned along them.
MIN_LENGTH_M = 40.0
#: ... and their spread across the principal axis be at most this share of the spread along it.
MAX_SPREAD = 0.2


@dataclass(frozen=True)
class StreetBackground(Background):
    """A :class:`~.setting.Background` that also carries the streets to name on the maps.

    Attributes
    ----------
    streets : pandas.DataFrame or None
        :func:`record_streets` of the workspace's records (:data:`STREET_COLUMNS`).
    roads : geopandas.GeoDataFrame or None
        A roads layer: ``name``, ``number``, ``kind`` and line ``geometry`` (EPSG:27700).
    """

    streets: pd.DataFrame | None = None
    roads: gpd.GeoDataFrame | None = None


def record_streets(incidents: pd.DataFrame, *, generic: Iterable[str] = ()) -> pd.DataFrame:
    """The street names the records carry, counted per map point.

    Parameters
    ----------
    incidents : pandas.DataFrame
        ``location_text``, ``easting`` and ``northing`` (EPSG:27700 metres), and
        ``sensitive`` (bool) when known: sensitive-category records never name a street.
        Not modified.
    generic : iterable of str, default=()
        More texts that are not street names than ``GENERIC_LOCATIONS`` (compared
        case-insensitively), e.g. :func:`hotspot_tasking.locations.generic_texts`.

    Returns
    -------
    pandas.DataFrame
        :data:`STREET_COLUMNS`: the street name, the map point (metres, rounded to 1 m) and
        the number of records naming that street there; most records first.

    Raises
    ------
    TypeError
        ``incidents`` is not a DataFrame, or ``generic`` not strings.
    ReportError
        A column is missing.

    Examples
    --------
    >>> record_streets(pd.DataFrame({"location_text": ["On or near Brixton Road", "Brixton Road", "Supermarket"],
    ...                              "easting": [531000.2, 531000.0, 531050.0], "northing": [175000.0] * 3}))
               name   easting  northing  records
    0  Brixton Road  531000.0  175000.0        2
    """
    where = "record_streets"
    check_columns(incidents, ("location_text", "easting", "northing"), where, error=ReportError)
    words = {g.casefold() for g in GENERIC_LOCATIONS} | {g.casefold() for g in check_strings(generic, "generic",
                                                                                             where) or ()}
    e, n = incidents["easting"].to_numpy(dtype=float), incidents["northing"].to_numpy(dtype=float)
    keep = np.isfinite(e) & np.isfinite(n) & incidents["location_text"].notna().to_numpy()
    if "sensitive" in incidents.columns:
        keep &= ~incidents["sensitive"].fillna(False).to_numpy(dtype=bool)
    raw = pd.DataFrame({"t": incidents["location_text"].to_numpy(dtype=object)[keep], "easting": np.round(e[keep]),
                        "northing": np.round(n[keep])})
    pairs = raw.groupby(["t", "easting", "northing"], sort=False).size().rename("records").reset_index()
    texts = pd.Series(pd.unique(pairs["t"]), dtype=object)
    cleaned = pd.Series(clean_location_text(texts).to_numpy(dtype=object), index=texts)
    parts = cleaned[cleaned.str.contains(",", regex=False)].str.split(",").explode().str.strip()
    street = parts[parts.str.contains(rf"\b(?:{'|'.join(STREET_WORDS)})$", case=False, regex=True)]
    street = street[~street.index.duplicated()]
    cleaned[parts.index.unique()] = street.reindex(parts.index.unique()).fillna("").to_numpy(dtype=object)
    pairs["name"] = cleaned.reindex(pairs["t"]).to_numpy(dtype=object)
    named = pairs["name"].ne("") & ~pairs["name"].str.casefold().isin(words) & ~pairs["name"].str.contains("(",
                                                                                                           regex=False)
    out = pairs[named].groupby(["name", "easting", "northing"], as_index=False)["records"].sum()
    out = out.sort_values(["records", "name", "easting", "northing"], ascending=[False, True, True, True])
    return out.loc[:, list(STREET_COLUMNS)].reset_index(drop=True)


def street_labels(extent: tuple[float, float, float, float], *, streets: pd.DataFrame | None = None,
                  roads: gpd.GeoDataFrame | None = None, focus: Sequence = ()) -> pd.DataFrame:
    """The streets a map's extent can name: those at the first of ``focus`` first, then at the
    next, and so on; at each, roads first (longest in view first), then the records' streets
    the roads do not name (most records in view first).

    Parameters
    ----------
    extent : (float, float, float, float)
        The map's ``(minx, miny, maxx, maxy)``, metres (EPSG:27700).
    streets : pandas.DataFrame, optional
        :func:`record_streets` (:data:`STREET_COLUMNS`). Not modified.
    roads : geopandas.GeoDataFrame, optional
        ``name``, ``number`` and line ``geometry`` (EPSG:27700). Not modified.
    focus : sequence of shapely geometry, default=()
        Where streets matter most, most first (e.g. round the numbered places, then the
        patrol area): a record street counts at the first its map points reach, and is
        labelled at its busiest point there; a road at the first its piece in view crosses.

    Returns
    -------
    pandas.DataFrame
        :data:`LABEL_COLUMNS`: the text, its point (metres), the angle to set it at
        (degrees anticlockwise from east, in (-90, 90]), its weight (records, or metres of
        road in view) and ``source`` ("roads" or "records").

    Raises
    ------
    TypeError
        ``streets`` or ``roads`` is not a DataFrame.
    ReportError
        A column is missing.

    Examples
    --------
    >>> streets = pd.DataFrame({"name": ["Acre Lane"] * 3, "easting": [0.0, 100, 200], "northing": [0.0, 100, 200],
    ...                         "records": [5, 9, 5]})
    >>> street_labels((-500, -500, 500, 500), streets=streets).round(1).to_dict("records")
    [{'text': 'Acre Lane', 'x': 100.0, 'y': 100.0, 'angle': 45.0, 'weight': 19.0, 'source': 'records'}]
    """
    where = "street_labels"
    minx, miny, maxx, maxy = (float(v) for v in extent)
    focus = [g for g in focus if g is not None and not g.is_empty]
    frames = [_road_labels(roads, (minx, miny, maxx, maxy), where, focus)]
    if streets is not None:
        check_columns(streets, STREET_COLUMNS, where, name="streets", error=ReportError,
                      fix="pass record_streets() of the records.")
        inside = streets[streets["easting"].between(minx, maxx) & streets["northing"].between(miny, maxy)]
        named = set(frames[0]["text"].str.casefold())
        frames.append(_record_labels(inside[~inside["name"].astype(str).str.casefold().isin(named)], focus))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("text", "source") else float) for c in LABEL_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    out = out.assign(_roads=out["source"].ne("roads")).sort_values(["tier", "_roads"], kind="stable")
    return out.loc[:, list(LABEL_COLUMNS)].reset_index(drop=True)


def _tiers(x: np.ndarray, y: np.ndarray, focus: list) -> np.ndarray:
    """Per point, the index of the first ``focus`` geometry holding it (``len(focus)`` when none)."""
    tier = np.full(len(x), len(focus), dtype=np.int64)
    for i, geom in reversed(list(enumerate(focus))):  # one step per focus area
        tier[shapely.contains_xy(geom, x, y)] = i
    return tier


def _record_labels(streets: pd.DataFrame, focus: list) -> pd.DataFrame:
    """One label per name: at its busiest point in its first focus, along the weighted principal
    axis of its points."""
    if not len(streets):
        return pd.DataFrame(columns=list(LABEL_COLUMNS))
    code, names = pd.factorize(streets["name"].astype(str).to_numpy(dtype=object))
    k = len(names)
    w = streets["records"].to_numpy(dtype=float)
    x0, y0 = streets["easting"].mean(), streets["northing"].mean()  # near the origin: no cancellation
    x, y = streets["easting"].to_numpy(dtype=float) - x0, streets["northing"].to_numpy(dtype=float) - y0
    total = np.bincount(code, weights=w, minlength=k)
    mx, my = (np.bincount(code, weights=w * v, minlength=k) / total for v in (x, y))
    cxx, cyy, cxy = (np.bincount(code, weights=w * a * b, minlength=k) / total - ma * mb
                     for a, b, ma, mb in ((x, x, mx, mx), (y, y, my, my), (x, y, mx, my)))
    half = np.sqrt(((cxx - cyy) / 2) ** 2 + cxy ** 2)
    along, across = np.sqrt(np.maximum((cxx + cyy) / 2 + half, 0)), np.sqrt(np.maximum((cxx + cyy) / 2 - half, 0))
    angle = np.degrees(0.5 * np.arctan2(2 * cxy, cxx - cyy))  # in (-90, 90]
    span = [np.full(k, np.inf), np.full(k, -np.inf), np.full(k, np.inf), np.full(k, -np.inf)]
    for arr, v, ufunc in ((span[0], x, np.minimum), (span[1], x, np.maximum), (span[2], y, np.minimum),
                          (span[3], y, np.maximum)):  # four extremes
        ufunc.at(arr, code, v)
    length = np.hypot(span[1] - span[0], span[3] - span[2])
    turned = (length >= MIN_LENGTH_M) & (across <= MAX_SPREAD * along)
    angle = np.where(turned, np.where(angle > -90, angle, 90.0), 0.0)
    # the busiest point of each name in its first focus (ties: the one nearest the name's weighted mean)
    tier = _tiers(x + x0, y + y0, focus)
    order = np.lexsort((np.hypot(x - mx[code], y - my[code]), -w, tier, code))
    _, first = np.unique(code[order], return_index=True)
    best = order[first]  # per name, in code order
    out = pd.DataFrame({"text": names.astype(object), "x": x[best] + x0, "y": y[best] + y0, "angle": angle,
                        "weight": total, "source": "records", "tier": tier[best]})
    return out.sort_values(["tier", "weight", "text"], ascending=[True, False, True], kind="stable")


def _road_labels(roads: gpd.GeoDataFrame | None, extent, where: str, focus: list) -> pd.DataFrame:
    """One label per road name (or number): at the middle of its longest merged piece in view."""
    empty = pd.DataFrame({"text": pd.Series(dtype=object), "source": pd.Series(dtype=object),
                          "tier": pd.Series(dtype=np.int64)})
    if roads is None:
        return empty
    check_type(roads, "roads", where, gpd.GeoDataFrame, type_name="a GeoDataFrame of road lines")
    check_columns(roads, ("name", "geometry"), where, name="roads", error=ReportError,
                  fix="pass the roads layer (name, number, kind, geometry).")
    view = shapely.box(*extent)
    name = roads["name"].astype(object).where(roads["name"].notna(), "").astype(str).str.strip()
    if "number" in roads.columns:
        number = roads["number"].astype(object).where(roads["number"].notna(), "").astype(str).str.strip()
        name = name.where(name != "", number)
    geoms = roads.geometry.to_numpy()
    keep = (name != "").to_numpy() & ~shapely.is_missing(geoms) & shapely.intersects(geoms, view)
    if not keep.any():
        return empty
    clipped = gpd.GeoDataFrame({"text": name.to_numpy()[keep]}, geometry=shapely.intersection(geoms[keep], view))
    merged = clipped.dissolve("text", sort=True)
    lines = shapely.line_merge(merged.geometry.to_numpy())
    parts, index = shapely.get_parts(lines, return_index=True)
    lengths = shapely.length(parts)
    pieces = pd.DataFrame({"text": merged.index.to_numpy()[index], "length": lengths, "i": np.arange(len(parts))})
    pieces = pieces[lengths > 0].sort_values(["length", "text"], ascending=[False, True]).drop_duplicates("text")
    line = parts[pieces["i"].to_numpy()]
    length = pieces["length"].to_numpy()
    step = np.minimum(length / 4, 30.0)
    mid = shapely.line_interpolate_point(line, length / 2)
    a = shapely.get_coordinates(shapely.line_interpolate_point(line, length / 2 - step))
    b = shapely.get_coordinates(shapely.line_interpolate_point(line, length / 2 + step))
    angle = np.degrees(np.arctan2(b[:, 1] - a[:, 1], b[:, 0] - a[:, 0]))
    angle = np.where(angle > 90, angle - 180, np.where(angle <= -90, angle + 180, angle))
    xy = shapely.get_coordinates(mid)
    tier = np.full(len(line), len(focus), dtype=np.int64)
    for i, geom in reversed(list(enumerate(focus))):  # one step per focus area
        tier[shapely.intersects(line, geom)] = i
    return pd.DataFrame({"text": pieces["text"].to_numpy(dtype=object), "x": xy[:, 0], "y": xy[:, 1],
                         "angle": angle, "weight": length, "source": "roads", "tier": tier})


def check_streets(streets, where: str) -> pd.DataFrame | None:
    """``streets`` if it is None or a :func:`record_streets` table, else raise (TypeError, ReportError)."""
    if streets is None:
        return None
    check_frame(streets, "streets", where)
    return check_columns(streets, STREET_COLUMNS, where, name="streets", error=ReportError,
                         fix="pass record_streets() of the records.")
