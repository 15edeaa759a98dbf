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
"""

from __future__ import annotations

import io
import zipfile
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
    text = real[columns].drop(columns=["Longitude", "Latitude"])
    bare = not text.apply(lambda c: c.str.contains('[",\r\n]').any()).any()  # police.uk's files quote nothing
    options = pacsv.WriteOptions(include_header=False, quoting_style="none" if bare else "needed")
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
        with path.open("wb") as file:
            file.write((",".join(columns) + "\n").encode())
            pacsv.write_csv(pa.table(table), file, write_options=options)
        paths.append(path)
    return paths
