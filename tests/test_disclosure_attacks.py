"""Disclosure attacks on what leaves the room, on the demo workspace with real-format council
reports of sensitive categories planted in it (imported by the real reader):

- harm divided by a weight, shares and explanations of a suppressed count;
- differencing a list with the sensitive categories and one without them;
- a single-address place, and a DBSCAN cluster whose hull runs through report addresses,
  in the tasking list's GeoPackage and in the hotspot exports (GeoPackage, GeoJSON, GeoTIFF);
- the exact override, which must say so.

Planted (June 2018): 3 hate incidents (harm weight 3) at one Stockwell address on
Thursdays; 15 domestic abuse reports (weight 5) at one Clapham address beside 1 noise
complaint; 6 domestic abuse reports at 4 addresses 20-40 m apart in Coldharbour.
"""

from __future__ import annotations

import csv
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import run_cli

from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.run import HotspotRequest, run_hotspots
from hotspot_tasking.intake.store import ingest_files
from hotspot_tasking.pipeline.exports import export_hotspots, export_list
from hotspot_tasking.pipeline.tasking import tasking_list
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.reports.errors import ReportError

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "tests" / "fixtures" / "council_asb" / "council_asb_mapping.toml"
HATE = (530500, 176500)
ONE_ADDRESS = (529800, 174400)
CLUSTER = [(531210, 175610), (531230, 175612), (531222, 175640), (531205, 175633), (531210, 175610),
           (531230, 175612)]
MIN_COUNT, ROUND_TO, GRID_M = 5, 5, 250


def planted_rows() -> list[dict]:
    rows = []

    def add(day: int, time: str, kind: str, at: tuple[int, int], street: str) -> None:
        rows.append({"Case Ref": f"S/{len(rows) + 1:04d}", "Date Received": f"{day:02d}/06/2018",
                     "Time Received": time, "ASB Type": kind, "Easting": at[0], "Northing": at[1],
                     "Location": f"On or near {street}", "Ward": ""})

    for i, at in enumerate(CLUSTER):
        add(4 + i, "22:15", "Domestic abuse", at, "Acre Lane")
    for i in range(15):
        add(1 + i, "23:00", "Domestic abuse", ONE_ADDRESS, "Clapham Road")
    add(10, "20:00", "Noise nuisance", (ONE_ADDRESS[0] + 5, ONE_ADDRESS[1] + 2), "Clapham Road")
    for day in (7, 14, 21):
        add(day, "15:00", "Hate incident", HATE, "Kennington Road")
    return rows


@pytest.fixture(scope="module")
def ws(demo_copy) -> Workspace:
    path = demo_copy.parent / "sensitive.csv"
    rows = planted_rows()
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    workspace = Workspace.open(demo_copy)
    ingest_files(workspace, [path], "council_asb", mapping=MAPPING)
    return Workspace.open(demo_copy)


@pytest.fixture(scope="module")
def incidents(ws) -> pd.DataFrame:
    return ws.incidents()


@pytest.fixture(scope="module")
def sensitive_points(incidents) -> np.ndarray:
    chosen = incidents[incidents["sensitive"].astype(bool)]
    return chosen[["easting", "northing"]].to_numpy(dtype="float64")


def export(ws, incidents, tmp_path, name: str, **request) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """A list's CSV rows (as text) and its GeoPackage layer."""
    listed = tasking_list(ws, TaskingRequest(period="2018-06", **request), incidents=incidents)
    (csv_path,), (gpkg,) = (export_list(ws, listed, tmp_path / f"{name}{suffix}") for suffix in (".csv", ".gpkg"))
    rows = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return rows, gpd.read_file(gpkg, layer="tasking_list")


def vertices(geometries) -> np.ndarray:
    return shapely.get_coordinates(np.asarray(geometries, dtype=object))


def distance_to_nearest(xy: np.ndarray, points: np.ndarray) -> np.ndarray:
    return np.sqrt(((xy[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)).min(axis=1)


def test_a_suppressed_count_gives_nothing_back(ws, incidents, tmp_path):
    """A ward list for hate incidents only: 3 incidents, harm 9 (3 x 3), all on Thursdays at 15:00."""
    rows, _ = export(ws, incidents, tmp_path, "hate", candidates="ward", categories=("Hate incident",))
    row = rows.iloc[0]
    assert row["count_now"] == "fewer than 5" and row["harm_now"] == "suppressed"
    assert row["lsoa_code"] == ""  # the ward's row named the LSOA of the address
    assert row["sensitive_share"] in ("", "1", "suppressed") and row["repeat_locations"] == "suppressed"
    every_field = " ".join(str(v) for v in row.drop(["disclosure", "tasking_id", "ward_code"]).tolist())
    assert "harm-weighted" not in every_field and "%" not in every_field
    words = row["explanation"]
    assert words.startswith("fewer than 5 incidents this month;") and "busiest on Thursday" in words
    figures = re.sub(r"hot in \d+ of the last \d+ months|\d\d:\d\d-\d\d:\d\d", "", words)
    assert not re.search(r"\d", figures.replace("fewer than 5", "")), words
    assert "Hate" not in every_field


def feasible(shown: str, disclosure: str) -> set[int]:
    """The whole counts a shown count can stand for."""
    if shown == "":
        return {0}
    if shown.startswith("fewer than"):
        return set(range(1, MIN_COUNT))
    value = float(shown)
    if "count_now: rounded" in disclosure:
        return {n for n in range(int(value) - ROUND_TO, int(value) + ROUND_TO + 1)
                if math.floor(n / ROUND_TO + 0.5) * ROUND_TO == value}
    return {int(value)}


def test_two_lists_cannot_be_differenced_into_a_small_count(ws, incidents, tmp_path):
    """Wards with every category, and with every category but the sensitive ones."""
    categories = sorted(set(incidents["category"].astype(str)) - {"Hate incident", "Domestic abuse"})
    with_them, _ = export(ws, incidents, tmp_path, "all", candidates="ward", top=200)
    without, _ = export(ws, incidents, tmp_path, "some", candidates="ward", top=200, categories=tuple(categories))
    both = with_them.merge(without, on="tasking_id", suffixes=("_a", "_b"))
    assert len(both) >= 40
    holding = both[both["disclosure_a"].str.contains("count_now: rounded")]
    assert set(holding["ward_name_a"]) >= {"Stockwell", "Clapham Common", "Coldharbour"}
    for _, r in both.iterrows():
        a, b = feasible(r["count_now_a"], r["disclosure_a"]), feasible(r["count_now_b"], r["disclosure_b"])
        differences = {x - y for x in a for y in b if x >= y}
        small = {d for d in differences if 0 < d < MIN_COUNT}
        assert not (len(differences) == 1 and small), (r["ward_name_a"], r["count_now_a"], r["count_now_b"])
        if r["harm_now_a"] not in ("", "suppressed") and "harm_now: rounded" in r["disclosure_a"]:
            step = float(re.search(r"harm_now: rounded to the nearest ([\d.]+)", r["disclosure_a"])[1])
            assert step >= ROUND_TO * 3  # hate incidents weigh 3: harm / 3 spans at least 5 counts
    stockwell = both[both["ward_name_a"] == "Stockwell"].iloc[0]
    assert "about" in stockwell["explanation_a"] and float(stockwell["count_now_a"]) % ROUND_TO == 0


def test_a_single_address_place_is_drawn_on_the_grid(ws, incidents, sensitive_points, tmp_path):
    rows, layer = export(ws, incidents, tmp_path, "da", method="dbscan", categories=("Domestic abuse",),
                         min_samples=3)
    assert len(layer) >= 2
    xy = vertices(layer.geometry.values)
    assert distance_to_nearest(xy, sensitive_points).min() > 1.0  # no vertex on an address
    assert np.all(xy % GRID_M == 0)
    for col in ("centroid_easting", "centroid_northing"):
        assert np.all(layer[col].to_numpy() % GRID_M == GRID_M / 2)
    place = rows.iloc[0]
    assert place["dominant_categories"] == "Sensitive categories (aggregated)"
    assert place["repeat_locations"] == "suppressed" and "repeat location" not in place["explanation"]
    assert "Domestic" not in " ".join(rows.astype(str).to_numpy().ravel())


def test_hotspot_exports_of_sensitive_categories_are_aggregated(ws, incidents, sensitive_points, tmp_path):
    request = HotspotRequest(method="dbscan", categories=("Domestic abuse",), min_samples=3)
    run = run_hotspots(ws, request, incidents=incidents)
    exact_hull = vertices(run.layers["hulls"].geometry.values)
    assert distance_to_nearest(exact_hull, sensitive_points).min() == 0  # the leak this guards against
    files, notices = export_hotspots(ws, run, tmp_path / "da.gpkg", incidents=incidents)
    assert "aggregated" in notices[0] and "250 m grid squares" in notices[0]
    for name in ("hotspots", "hulls"):
        layer = gpd.read_file(files[0], layer=name)
        assert distance_to_nearest(vertices(layer.geometry.values), sensitive_points).min() > 1.0
        assert set(layer["dominant_categories"]) == {"Sensitive categories (aggregated)"}
        counts = layer["incidents"].to_numpy(dtype="float64")
        assert np.all(np.isnan(counts) | (counts % ROUND_TO == 0)) and layer["distinct_points"].isna().all()
        assert np.all(layer["centroid_easting"].to_numpy() % GRID_M == GRID_M / 2)
    card = pyogrio.read_dataframe(files[0], layer="method_card")
    assert card["value"].str.contains("aggregated").any()
    geojson, about = export_hotspots(ws, run, tmp_path / "da.geojson", incidents=incidents)[0]
    shapes = gpd.read_file(geojson).to_crs(27700)
    assert distance_to_nearest(vertices(shapes.geometry.values), sensitive_points).min() > 1.0
    assert "aggregated" in json.dumps(json.loads(about.read_text(encoding="utf-8")))


def test_density_of_sensitive_incidents_is_not_written_cell_by_cell(ws, incidents, tmp_path):
    run = run_hotspots(ws, HotspotRequest(method="kde", categories=("Domestic abuse",)), incidents=incidents)
    with pytest.raises(ReportError, match=r"^A density surface of a selection holding 21 sensitive incidents "
                                          r"\(Domestic abuse\) shows each address as a peak"):
        export_hotspots(ws, run, tmp_path / "da.tif", incidents=incidents)
    files, notices = export_hotspots(ws, run, tmp_path / "da.gpkg", incidents=incidents)
    assert "density_cells" not in [name for name, _ in pyogrio.list_layers(files[0])]
    assert any("density_cells layer" in n for n in notices)


def test_exact_output_says_so(ws, incidents, sensitive_points, tmp_path):
    run = run_hotspots(ws, HotspotRequest(method="dbscan", categories=("Domestic abuse",), min_samples=3),
                       incidents=incidents)
    files, notices = export_hotspots(ws, run, tmp_path / "exact.gpkg", incidents=incidents, exact=True)
    assert notices and notices[0].startswith("Exact: the selection holds 21 sensitive incidents (Domestic abuse)")
    hulls = gpd.read_file(files[0], layer="hulls")
    assert distance_to_nearest(vertices(hulls.geometry.values), sensitive_points).min() == 0
    assert pyogrio.read_dataframe(files[0], layer="method_card")["value"].str.startswith("Exact:").any()
    assert not any("Exact" in w for w in run.card.warnings)  # the cached run is left as it was


def test_no_sensitive_selection_is_written_as_computed(ws, incidents, tmp_path):
    run = run_hotspots(ws, HotspotRequest(method="dbscan", categories=("Burglary",), start="2018-06-01",
                                          end="2018-06-30"), incidents=incidents)
    files, notices = export_hotspots(ws, run, tmp_path / "burglary.gpkg", incidents=incidents)
    assert notices == []
    layer = gpd.read_file(files[0], layer="hulls")
    assert shapely.equals(layer.geometry.values, run.layers["hulls"].geometry.values).all()


def test_the_cli_says_what_it_aggregated_and_what_exact_means(ws, tmp_path):
    common = ("hotspots", str(ws.root), "--method", "dbscan", "--category", "Domestic abuse", "--min-samples", "3")
    done = run_cli(*common, "--out", str(tmp_path / "s.gpkg"))
    assert "Disclosure: 2 hotspots holding sensitive incidents (Domestic abuse) are aggregated" in done.stdout
    exact = run_cli(*common, "--exact", "--out", str(tmp_path / "exact.gpkg"))
    assert "Disclosure: Exact: the selection holds 21 sensitive incidents" in exact.stdout
    assert "Keep the file inside the partnership." in exact.stdout
    refused = subprocess.run([sys.executable, "-m", "hotspot_tasking", "hotspots", str(ws.root), "--category",
                              "Domestic abuse", "--out", str(tmp_path / "d.tif")], capture_output=True, text=True)
    assert refused.returncode != 0 and "shows each address as a peak" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "d.tif").exists()
