"""The cache of each distinct point's areas and H3 cells: the joined table is the same from a
cold, warm or partly filled cache, a new layer is never answered from a stale file, and a
workspace that cannot be written still joins."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pandas as pd
import shapely

from hotspot_tasking.boundaries.assign import assign_areas
from hotspot_tasking.boundaries.pointcache import CACHE_FOLDER
from hotspot_tasking.boundaries.store import area_layers, with_areas
from hotspot_tasking.geo import Workspace
from hotspot_tasking.geo.h3cells import h3_cells


def joined_afresh(ws: Workspace, incidents: pd.DataFrame) -> pd.DataFrame:
    """The table as it was built before any cache: every row joined on its own."""
    assignment = assign_areas(incidents, area_layers(ws))
    out = pd.concat([incidents, assignment.codes, h3_cells(incidents["longitude"], incidents["latitude"])], axis=1)
    out.attrs["outside"] = assignment.outside
    return out


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs == b.attrs


def cache_files(ws: Workspace) -> list[str]:
    return sorted(p.name for p in (ws.root / CACHE_FOLDER).glob("*")) if (ws.root / CACHE_FOLDER).exists() else []


def test_cold_warm_and_partly_filled_caches_give_the_same_table(demo_copy):
    ws = Workspace.open(demo_copy)
    shutil.rmtree(ws.root / CACHE_FOLDER, ignore_errors=True)
    incidents = ws.incidents()
    expected = joined_afresh(ws, incidents)
    first_half = incidents.iloc[: len(incidents) // 3].reset_index(drop=True)
    same(with_areas(ws, first_half), joined_afresh(ws, first_half))  # the cache holds a third's points
    assert len(cache_files(ws)) == 1
    same(with_areas(ws, incidents), expected)  # the rest worked out and added
    same(with_areas(ws, incidents), expected)  # all from the cache
    cached = pd.read_parquet(ws.root / CACHE_FOLDER / cache_files(ws)[0])
    points = incidents[["easting", "northing", "longitude", "latitude"]].drop_duplicates()
    assert len(cached) == len(points)


def test_a_new_layer_is_not_answered_from_the_old_file(demo_copy):
    ws = Workspace.open(demo_copy)
    incidents = ws.incidents().iloc[:5_000].reset_index(drop=True)
    with_areas(ws, incidents)
    before = cache_files(ws)
    minx, miny, maxx, maxy = incidents[["easting", "northing"]].agg(["min", "max"]).to_numpy().T.ravel()[[0, 2, 1, 3]]
    zone = gpd.GeoDataFrame({"code": ["Z1"], "name": ["west half"]},
                            geometry=[shapely.box(minx, miny, (minx + maxx) / 2, maxy)], crs=27700)
    ws.save_layer("west_half", zone, {"kind": "zone", "vintage": None, "source": "test", "features": 1, "notes": []})
    got = with_areas(Workspace.open(ws.root), incidents)
    same(got, joined_afresh(Workspace.open(ws.root), incidents))
    assert (got["west_half"] == "Z1").any() and (got["west_half"] == "").any()
    assert len(cache_files(ws)) == len(before) + 1


def test_a_corrupt_cache_file_is_remade(demo_copy):
    ws = Workspace.open(demo_copy)
    shutil.rmtree(ws.root / CACHE_FOLDER, ignore_errors=True)
    incidents = ws.incidents().iloc[:2_000].reset_index(drop=True)
    with_areas(ws, incidents)
    for name in cache_files(ws):
        (ws.root / CACHE_FOLDER / name).write_bytes(b"not parquet")
    same(with_areas(ws, incidents), joined_afresh(ws, incidents))
    assert all(pd.read_parquet(ws.root / CACHE_FOLDER / n) is not None for n in cache_files(ws))


def test_a_workspace_whose_cache_cannot_be_written_still_joins(demo_copy):
    """A cache that cannot be written (here a file where the folder should be, as a read-only
    copy would refuse it) is worked out each time, and the command goes on."""
    ws = Workspace.open(demo_copy)
    shutil.rmtree(ws.root / CACHE_FOLDER, ignore_errors=True)
    (ws.root / CACHE_FOLDER).write_text("in the way")
    incidents = ws.incidents().iloc[:2_000].reset_index(drop=True)
    same(with_areas(ws, incidents), joined_afresh(ws, incidents))
    same(with_areas(ws, incidents), joined_afresh(ws, incidents))
    assert (ws.root / CACHE_FOLDER).read_text() == "in the way"
    assert not list(ws.root.glob("*.part"))


def test_area_coverage_counts_what_a_join_of_the_whole_table_counts(demo_copy):
    """``status``'s figures, worked out a batch of files at a time through the cache."""
    from hotspot_tasking.boundaries.assign import lsoa_agreement
    from hotspot_tasking.boundaries.store import area_coverage

    ws = Workspace.open(demo_copy)
    incidents = ws.incidents(["easting", "northing", "lsoa_code_given"])
    assignment = assign_areas(incidents, area_layers(ws))
    outside, agreement = area_coverage(ws)
    assert outside == assignment.outside
    assert agreement == {"lsoa_2011": lsoa_agreement(incidents["lsoa_code_given"], assignment.codes["lsoa_2011"])}


def test_incident_batches_hold_every_record_once_in_order(demo_copy):
    ws = Workspace.open(demo_copy)
    columns = ["incident_id", "source", "occurred_from"]
    batches = list(ws.incident_batches(columns, rows=20_000))
    assert len(batches) > 3
    pd.testing.assert_frame_equal(pd.concat(batches, ignore_index=True), ws.incidents(columns))
    only = list(ws.incident_batches(columns, sources=["fire"], rows=20_000))
    pd.testing.assert_frame_equal(pd.concat(only, ignore_index=True), ws.incidents(columns, sources=["fire"]))
