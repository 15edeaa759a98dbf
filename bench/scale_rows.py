"""Make a workspace's worth of police.uk street CSVs by resampling real rows (for bench/scale_local.py).

The rows are the City of London Police street CSVs of September 2016 to August 2017 in
tests/fixtures/police_uk/ (every row of those twelve months, real volumes; see
tests/fixtures/README.md and ATTRIBUTION.md). Each output month draws its rows from the
real month of the same calendar month, so the mix of crime types and its seasons are the
real ones; months are counted back from the latest real month (2017-08), as many as the
rows need at ``per_month`` rows a month, so a large workspace spans many years.

police.uk snaps every record to a map point (about 50 records per point in a force's
file); the City has 439 distinct points. Each row keeps its real point moved by one of
``K`` offsets of up to ``jitter_m`` metres east and north (``K`` chosen so the workspace
has about one distinct point per ``rows_per_point`` rows), so rows are not exact
duplicates and the number of distinct points grows with the workspace as it does in a
larger force's data. Each row with a Crime ID gets a new random one (64 hex characters,
as police.uk's), so none is taken for an already imported record; anti-social behaviour
rows keep an empty Crime ID, as police.uk has them. Rows without a location ("No
Location") stay without one. Everything else is the real row's text.

The Metropolitan fixture (twelve rows of Wandsworth) is not used: it lies 8 km outside
the City's area, where the import keeps rows apart as out of the area, and twelve rows
are too few to resample.

:func:`write_areas` makes a national-like set the same way (for bench/scale.py): the
City's rows copied to many places in England, each copy a pseudo-force (see its notes).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
CITY_YEAR = ROOT / "tests" / "fixtures" / "police_uk" / "city-of-london-2016-09-to-2017-08.zip"
#: The City's 2014 wards and 2011 LSOAs, which contain the rows.
CITY_WARDS = ROOT / "tests" / "fixtures" / "boundaries" / "city_wards_2014.gpkg"
CITY_LSOAS = ROOT / "tests" / "fixtures" / "boundaries" / "city_lsoa_2011.gpkg"
#: The City's bounding box in British National Grid metres (as the tests' City workspace).
CITY_AREA = "529000,178400,535900,184200"
LATEST_MONTH = "2017-08"
#: Metres per degree of latitude, and of longitude at the City's latitude (51.515 N).
M_PER_DEG_LAT = 111_250.0
M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(51.515))
HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def real_rows() -> pd.DataFrame:
    """Every row of the City's twelve monthly street CSVs, as text, with a ``_month`` (1-12)
    column and the coordinates as floats (NaN for "No Location")."""
    parts = []
    with zipfile.ZipFile(CITY_YEAR) as archive:
        for name in sorted(n for n in archive.namelist() if n.endswith("-street.csv")):
            parts.append(pd.read_csv(io.BytesIO(archive.read(name)), dtype=str, keep_default_na=False))
    rows = pd.concat(parts, ignore_index=True)
    rows["_month"] = rows["Month"].str[5:7].astype(int)
    for column in ("Longitude", "Latitude"):
        rows[column] = pd.to_numeric(rows[column].replace("", None), errors="coerce")
    return rows


def month_names(count: int, latest: str = LATEST_MONTH) -> list[str]:
    """``count`` consecutive months ("YYYY-MM") ending with ``latest``, oldest first."""
    return [str(p) for p in pd.period_range(end=pd.Period(latest, "M"), periods=count, freq="M")]


def crime_ids(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` random Crime IDs of 64 lowercase hex characters (vectorised: no loop per row)."""
    raw = np.frombuffer(rng.bytes(32 * n), dtype=np.uint8).reshape(n, 32)
    text = np.empty((n, 64), dtype=np.uint8)
    text[:, 0::2], text[:, 1::2] = HEX[raw >> 4], HEX[raw & 15]
    return pa.array(text.view("S64").ravel()).cast(pa.string())


def write_months(n: int, out: Path, *, per_month: int = 40_000, rows_per_point: int = 50,
                 jitter_m: float = 5.0, seed: int = 1) -> list[Path]:
    """Write ``n`` resampled rows as monthly police.uk street CSVs in ``out``.

    Parameters
    ----------
    n : int
        Rows in all.
    out : Path
        An existing folder; one ``YYYY-MM-city-of-london-street.csv`` a month is written.
    per_month : int
        Rows a month (the oldest month takes the remainder): a large force's month (the
        Metropolitan Police's street CSVs have about 85,000 rows a month).
    rows_per_point : int
        About one distinct map point per this many rows.
    jitter_m : float
        The largest offset east and north, metres.
    seed : int
        The random seed: the same arguments write the same bytes.

    Returns
    -------
    list of Path
        The files, oldest month first.
    """
    real = real_rows()
    rng = np.random.default_rng(seed)
    points = real[["Longitude", "Latitude"]].dropna().drop_duplicates().shape[0]
    offsets_m = rng.uniform(-jitter_m, jitter_m, size=(max(1, round(n / rows_per_point / points)), 2))
    months = month_names(-(-n // per_month))
    by_month = {m: np.flatnonzero(real["_month"].to_numpy() == m) for m in range(1, 13)}
    columns = [c for c in real.columns if not c.startswith("_")]
    options = csv_options(real, columns)
    paths = []
    sizes = [n - per_month * (len(months) - 1)] + [per_month] * (len(months) - 1)
    for month, size in zip(months, sizes):
        pool = by_month[int(month[5:7])]
        rows = real.iloc[pool[rng.integers(0, len(pool), size)]]
        shift = offsets_m[rng.integers(0, len(offsets_m), size)]
        table = {}
        for column in columns:
            if column == "Crime ID":
                has_id = rows[column].to_numpy() != ""
                table[column] = pc.if_else(pa.array(has_id), crime_ids(rng, size), "")
            elif column == "Month":
                table[column] = pa.array(np.full(size, month))
            elif column in ("Longitude", "Latitude"):
                axis, per_degree = (0, M_PER_DEG_LON) if column == "Longitude" else (1, M_PER_DEG_LAT)
                moved = rows[column].to_numpy() + shift[:, axis] / per_degree
                table[column] = pa.array(np.round(moved, 6), from_pandas=True)  # NaN ("No Location") -> empty
            else:
                table[column] = pa.array(rows[column].to_numpy(), type=pa.string())
        path = out / f"{month}-city-of-london-street.csv"
        write_csv(path, columns, table, options)
        paths.append(path)
    return paths


def csv_options(real: pd.DataFrame, columns: list[str]) -> pacsv.WriteOptions:
    """Write options that quote nothing, as police.uk's files, unless a real value needs quotes."""
    text = real[columns].drop(columns=["Longitude", "Latitude"])
    bare = not text.apply(lambda c: c.str.contains('[",\r\n]').any()).any()
    return pacsv.WriteOptions(include_header=False, quoting_style="none" if bare else "needed")


def write_csv(path: Path, columns: list[str], table: dict, options: pacsv.WriteOptions) -> None:
    """One police.uk street CSV: the header, then the columns of ``table`` in ``columns``' order."""
    with path.open("wb") as file:
        file.write((",".join(columns) + "\n").encode())
        pacsv.write_csv(pa.table({c: table[c] for c in columns}), file, write_options=options)


#: England's land, roughly: its bounding box in British National Grid metres
#: (MINE, MINN, MAXE, MAXN) and an outline drawn by hand from towns' grid references,
#: clockwise from Berwick-upon-Tweed along the east coast, the south coast, the Severn,
#: the Welsh border, the north-west coast and the Scottish border (to 5-10 km).
ENGLAND_BOX = (150_000, 50_000, 650_000, 650_000)
ENGLAND_OUTLINE = (
    (399_000, 653_000), (427_000, 604_000), (437_000, 569_000), (452_000, 532_000), (490_000, 511_000),
    (525_000, 470_000), (540_000, 410_000), (557_000, 363_000), (567_000, 341_000), (622_000, 342_000),
    (655_000, 293_000), (626_000, 232_000), (588_000, 186_000), (640_000, 170_000), (632_000, 141_000),
    (609_000, 117_000), (531_000, 104_000), (485_000, 93_000), (450_000, 76_000), (400_000, 90_000),
    (368_000, 72_000), (283_000, 37_000), (248_000, 55_000), (170_000, 12_000), (134_000, 25_000),
    (152_000, 40_000), (181_000, 61_000), (223_000, 127_000), (252_000, 147_000), (297_000, 146_000),
    (332_000, 161_000), (352_000, 178_000), (353_000, 193_000), (351_000, 213_000), (323_000, 242_000),
    (328_000, 272_000), (330_000, 310_000), (340_000, 366_000), (330_000, 390_000), (331_000, 436_000),
    (343_000, 464_000), (319_000, 469_000), (297_000, 518_000), (311_000, 553_000), (332_000, 567_000),
    (365_000, 600_000), (384_000, 640_000),
)
#: The grid the copies sit on, metres east and north (about 200 places on England's land).
AREA_STEP_M = 24_000
#: Rows a copy has a month: 200 copies of twelve months make 20,000,000 rows.
ROWS_PER_AREA_MONTH = 8_334
#: The twelve real months, which every copy has.
MONTHS = month_names(12)


@dataclass(frozen=True)
class Areas:
    """What :func:`write_areas` wrote."""

    paths: list[Path]
    shifts: np.ndarray  # (areas, 2) whole metres east and north, copy k is area k + 1
    layer: Path  # the copies' outlines: code AREA-NNN, name Area NNN, EPSG:27700
    bounds: tuple[int, int, int, int]  # MINE, MINN, MAXE, MAXN of every copy's outline and points, metres


def city_outline():
    """The City of London's outline: the union of its 2014 wards (EPSG:27700)."""
    import geopandas as gpd

    return gpd.read_file(CITY_WARDS).to_crs(27700).union_all()


def area_shifts(count: int, *, step_m: int = AREA_STEP_M) -> np.ndarray:
    """``count`` whole (dx, dy) shifts, metres, that move the City to places on England's land.

    The places are the points of a ``step_m`` grid inside :data:`ENGLAND_OUTLINE` whose
    shifted City lies inside :data:`ENGLAND_BOX`, ordered south to north and west to east;
    ``count`` of them are taken spread evenly along that order (one: the middle place).
    """
    import shapely

    city = city_outline()
    cx, cy = city.centroid.x, city.centroid.y
    minx, miny, maxx, maxy = city.bounds
    e, n = np.meshgrid(np.arange(ENGLAND_BOX[0], ENGLAND_BOX[2], step_m) + step_m / 2,
                       np.arange(ENGLAND_BOX[1], ENGLAND_BOX[3], step_m) + step_m / 2)
    e, n = e.ravel(), n.ravel()  # row by row from the south: south to north, west to east
    fits = ((e - cx + minx >= ENGLAND_BOX[0]) & (e - cx + maxx <= ENGLAND_BOX[2])
            & (n - cy + miny >= ENGLAND_BOX[1]) & (n - cy + maxy <= ENGLAND_BOX[3]))
    land = shapely.contains_xy(shapely.Polygon(ENGLAND_OUTLINE), e, n) & fits
    places = np.column_stack([np.round(e[land] - cx), np.round(n[land] - cy)]).astype(np.int64)
    if count > len(places):
        raise SystemExit(f"{count} areas do not fit on England's land at {step_m:,} m steps "
                         f"({len(places)} places); give fewer areas or more rows per area.")
    return places[((np.arange(count) + 0.5) * len(places) / count).astype(int)]


def write_zones(shifts: np.ndarray, path: Path) -> Path:
    """The City's outline moved by each shift, as a GeoPackage layer in EPSG:27700 with
    ``code`` (``AREA-001``, ...) and ``name`` (``Area 001``, ...)."""
    import geopandas as gpd
    import shapely

    city = city_outline()
    codes = [f"{k:03d}" for k in range(1, len(shifts) + 1)]
    zones = gpd.GeoDataFrame({"code": [f"AREA-{c}" for c in codes], "name": [f"Area {c}" for c in codes]},
                             geometry=[shapely.affinity.translate(city, float(dx), float(dy)) for dx, dy in shifts],
                             crs=27700)
    zones.to_file(path, driver="GPKG")
    return path


def write_areas(n: int, out: Path, *, areas: int | None = None, rows_per_point: int = 50, jitter_m: float = 5.0,
                seed: int = 1) -> Areas:
    """Write ``n`` rows as the street CSVs of ``areas`` pseudo-forces across England.

    Each area is a copy of the City's twelve months (September 2016 to August 2017) moved
    by a whole (dx, dy) of British National Grid metres (:func:`area_shifts`): rows drawn
    from the real month as :func:`write_months` draws them, each real point moved by one
    of ``K`` offsets of up to ``jitter_m`` metres, then by the area's shift, and its
    longitude and latitude worked out again with pyproj (once per distinct point). Every
    row with a Crime ID gets a new random one; "Reported by" and "Falls within" say
    ``Area NNN``; the LSOA columns keep the City's text (no LSOA layer is used with them).
    One file per area and month, ``YYYY-MM/YYYY-MM-area-NNN-street.csv`` as police.uk
    names them, written one at a time (the memory is one file's, whatever ``n``).

    Parameters
    ----------
    n : int
        Rows in all, divided evenly between the areas' files.
    out : Path
        An existing folder; the month folders and ``areas.gpkg`` (:func:`write_zones`) go in it.
    areas : int, optional
        Copies; default one per :data:`ROWS_PER_AREA_MONTH` twelve times over (at least 1).
    rows_per_point, jitter_m, seed
        As in :func:`write_months`.
    """
    from pyproj import Transformer

    areas = areas or max(1, round(n / (ROWS_PER_AREA_MONTH * len(MONTHS))))
    shifts = area_shifts(areas)
    real = real_rows()
    rng = np.random.default_rng(seed)
    located = real["Longitude"].notna().to_numpy()
    point_of_row = np.full(len(real), -1)
    point_of_row[located], lonlat = pd.factorize(pd.MultiIndex.from_frame(real.loc[located, ["Longitude", "Latitude"]]))
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    base_e, base_n = to_bng.transform(lonlat.get_level_values(0).to_numpy(), lonlat.get_level_values(1).to_numpy())
    by_month = {m: np.flatnonzero(real["_month"].to_numpy() == m) for m in range(1, 13)}
    columns = [c for c in real.columns if not c.startswith("_")]
    options = csv_options(real, columns)
    files = areas * len(MONTHS)
    sizes = np.full(files, n // files) + (np.arange(files) < n % files)
    k = max(1, round(n / areas / rows_per_point / len(base_e)))
    paths, low, high = [], np.array([np.inf, np.inf]), np.array([-np.inf, -np.inf])
    for a, (dx, dy) in enumerate(shifts):
        offsets = rng.uniform(-jitter_m, jitter_m, size=(k, 2))
        east = (base_e[:, None] + offsets[None, :, 0] + dx).ravel()  # point p, offset j at p * k + j
        north = (base_n[:, None] + offsets[None, :, 1] + dy).ravel()
        low, high = np.minimum(low, [east.min(), north.min()]), np.maximum(high, [east.max(), north.max()])
        lon, lat = (np.round(v, 6) for v in to_wgs.transform(east, north))
        force = f"Area {a + 1:03d}"
        for m, month in enumerate(MONTHS):
            size = int(sizes[a * len(MONTHS) + m])
            pool = by_month[int(month[5:7])]
            picked = pool[rng.integers(0, len(pool), size)]
            rows = real.iloc[picked]
            point = point_of_row[picked] * k + rng.integers(0, k, size)
            where = point_of_row[picked] >= 0
            table = {c: pa.array(rows[c].to_numpy(), type=pa.string()) for c in columns
                     if c not in ("Longitude", "Latitude")}
            has_id = rows["Crime ID"].to_numpy() != ""
            table["Crime ID"] = pc.if_else(pa.array(has_id), crime_ids(rng, size), "")
            table["Month"] = pa.array(np.full(size, month))
            table["Reported by"] = table["Falls within"] = pa.array(np.full(size, force))
            table["Longitude"] = pa.array(np.where(where, lon[point], np.nan), from_pandas=True)  # NaN -> empty
            table["Latitude"] = pa.array(np.where(where, lat[point], np.nan), from_pandas=True)
            folder = out / month
            folder.mkdir(exist_ok=True)
            path = folder / f"{month}-area-{a + 1:03d}-street.csv"
            write_csv(path, columns, table, options)
            paths.append(path)
    layer = write_zones(shifts, out / "areas.gpkg")
    import geopandas as gpd

    zb = gpd.read_file(layer).total_bounds
    bounds = (int(min(low[0], zb[0])) - 1, int(min(low[1], zb[1])) - 1,
              int(max(high[0], zb[2])) + 2, int(max(high[1], zb[3])) + 2)
    return Areas(paths, shifts, layer, bounds)
