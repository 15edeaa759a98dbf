"""hotspot_tasking.geo.workspace and intake.store: the stored incident table, quarantine
files, the import log, idempotent re-import, all-or-nothing imports and imports killed
half-way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import (
    API_CSV,
    API_GZ,
    COUNCIL,
    COUNCIL_MAPPING,
    DRINKING,
    DRINKING_MAPPING,
    FIRE,
    LAMBETH_WANDSWORTH_AREA,
    POLICE_2014_10,
    POLICE_DIR,
    POLICE_ZIP,
    big_api_csv,
    read_council,
    tree_snapshot,
)

import hotspot_tasking.geo.workspace as workspace_module
from hotspot_tasking.geo import GeoError, Workspace
from hotspot_tasking.geo.workspace import MANIFEST
from hotspot_tasking.intake import IntakeError
from hotspot_tasking.intake.store import ingest_files

LONDON = "Europe/London"


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace.create(tmp_path / "ws", area=LAMBETH_WANDSWORTH_AREA)


def ingest_council(ws: Workspace):
    return ingest_files(ws, [COUNCIL], "council_asb", mapping=COUNCIL_MAPPING)


def listed_files(ws: Workspace) -> set[str]:
    manifest = json.loads((ws.root / MANIFEST).read_text(encoding="utf-8"))
    listed = set(manifest["data_files"])
    listed |= {r[key] for r in manifest["imports"] for key in ("quarantine_file", "out_of_area_file") if r.get(key)}
    return listed


def stored_files(ws: Workspace) -> set[str]:
    return {p.relative_to(ws.root).as_posix()
            for folder in ("incidents", "quarantine") for p in (ws.root / folder).rglob("*") if p.is_file()}


# --- creating and opening ----------------------------------------------------------------------
def test_create_lays_out_the_folder(tmp_path):
    ws = Workspace.create(tmp_path / "new", name="Test CSP")
    for sub in ("config", "incidents", "quarantine", "boundaries"):
        assert (ws.root / sub).is_dir()
    assert (ws.root / "config" / "taxonomy.toml").is_file()
    manifest = json.loads((ws.root / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["name"] == "Test CSP"
    assert manifest["data_files"] == [] and manifest["imports"] == []
    opened = Workspace.open(ws.root)
    assert opened.area is None
    assert len(opened.incidents()) == 0
    assert list(opened.incidents().columns) == list(workspace_module.INCIDENT_COLUMNS)


def test_create_refuses_a_used_folder(tmp_path, ws):
    with pytest.raises(GeoError, match="already a workspace"):
        Workspace.create(ws.root)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    with pytest.raises(GeoError, match="the folder is not empty"):
        Workspace.create(other)


def test_open_refuses_what_is_not_a_workspace(tmp_path):
    with pytest.raises(GeoError, match="not a workspace"):
        Workspace.open(tmp_path)
    (tmp_path / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(GeoError, match="is not valid JSON"):
        Workspace.open(tmp_path)


# --- an import, stored ------------------------------------------------------------------------
def test_ingest_stores_the_accepted_rows_as_read(ws):
    report = ingest_council(ws)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (32, 25, 7)
    stored = ws.incidents()
    assert len(stored) == 25
    expected = read_council().incidents
    pd.testing.assert_frame_equal(
        stored.sort_values("incident_id").reset_index(drop=True).drop(columns="import_id"),
        expected.sort_values("incident_id").reset_index(drop=True).drop(columns="import_id"),
    )
    assert stored["import_id"].eq(report.import_id).all()
    assert str(stored["occurred_from"].dtype) == "datetime64[us, Europe/London]"
    # reopening sees the same
    assert len(Workspace.open(ws.root).incidents()) == 25


def test_stored_files_are_geoparquet_points_in_bng(ws):
    ingest_council(ws)
    (path,) = ws.data_files  # one month: 2016-02, one coarse H3 cell
    assert path.parent.parent.name == "month=2016-02" and path.parent.name.startswith("h3_r4=84")
    gdf = gpd.read_parquet(path)
    assert gdf.crs.to_epsg() == 27700
    np.testing.assert_allclose(gdf.geometry.x, gdf["easting"])
    np.testing.assert_allclose(gdf.geometry.y, gdf["northing"])
    assert ws.incidents_gdf().crs.to_epsg() == 27700


def test_partitioned_by_month_and_coarse_h3_cell(tmp_path):
    import h3

    ws = Workspace.create(tmp_path / "ws")
    ingest_files(ws, [POLICE_DIR], "police_uk")
    months = sorted({p.parent.parent.name for p in ws.data_files})
    assert months == ["month=2014-10", "month=2015-01", "month=2015-08"]
    for path in ws.data_files:  # each file's records lie in its folder's cell
        cell = path.parent.name.removeprefix("h3_r4=")
        stored = pd.read_parquet(path, columns=["longitude", "latitude"])
        assert {h3.latlng_to_cell(y, x, 4) for x, y in zip(stored["longitude"], stored["latitude"])} == {cell}


def test_the_incident_folder_is_a_hive_dataset_for_dask_geopandas_and_duckdb(tmp_path):
    import dask_geopandas
    import duckdb

    ws = Workspace.create(tmp_path / "ws")
    ingest_files(ws, [POLICE_DIR], "police_uk")
    want = ws.incidents()
    folder = (ws.root / "incidents").as_posix()
    frame = dask_geopandas.read_parquet(folder).compute()
    assert frame.crs.to_epsg() == 27700 and len(frame) == len(want)
    assert sorted(frame["incident_id"]) == sorted(want["incident_id"])
    assert set(frame["month"].astype(str)) == {"2014-10", "2015-01", "2015-08"}  # the Hive keys as columns
    got = duckdb.sql(f"select month, count(*) as n from read_parquet('{folder}/**/*.parquet', "
                     "hive_partitioning = true) group by month order by month").fetchall()
    per_month = want["occurred_from"].dt.strftime("%Y-%m").value_counts().sort_index()
    assert got == [(m, int(n)) for m, n in per_month.items()]


def test_quarantine_file_holds_exactly_the_rejected_rows(ws):
    report = ingest_council(ws)
    assert report.quarantine_file == f"quarantine/{report.import_id}.csv"
    path = ws.root / report.quarantine_file
    q = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(q.columns[:4]) == ["file", "row", "reason", "detail"]
    assert q[["file", "row", "reason"]].values.tolist() == [
        [COUNCIL.name, "14", "no location"],
        [COUNCIL.name, "16", "no location"],
        [COUNCIL.name, "18", "unparseable date"],
        [COUNCIL.name, "20", "unparseable date"],
        [COUNCIL.name, "28", "duplicate id"],
    ]
    # the rows outside the area are kept apart, in Parquet, with the same columns
    assert report.out_of_area_file == f"quarantine/{report.import_id}-out-of-area.parquet"
    far = pd.read_parquet(ws.root / report.out_of_area_file)
    assert list(far.columns) == list(q.columns)
    assert far[["file", "row", "reason"]].astype({"row": str}).values.tolist() == [
        [COUNCIL.name, "24", "far outside the workspace area"],
        [COUNCIL.name, "26", "outside Great Britain"],
    ]
    # the Windows-1252 text of the rows survives into the (UTF-8) quarantine file
    source_line = COUNCIL.read_bytes().decode("cp1252").split("\r\n")[20 - 1]
    row20 = q[q["row"] == "20"].iloc[0]
    assert source_line == ",".join(row20[["Case Ref", "Date Received", "Time Received", "ASB Type",
                                          "Easting", "Northing", "Location", "Ward"]])
    everything = ws.quarantine()
    assert len(everything) == 7 and everything["import_id"].eq(report.import_id).all()
    assert len(ws.quarantine(out_of_area=False)) == 5


def test_no_quarantine_file_when_nothing_is_rejected(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    report = ingest_files(ws, [API_CSV], "police_uk_api")
    assert report.rows_rejected == 0
    assert report.quarantine_file is None
    assert list((ws.root / "quarantine").iterdir()) == []


def test_import_log_keeps_each_report(ws):
    first = ingest_council(ws)
    ingest_files(ws, [DRINKING], "street_drinking", mapping=DRINKING_MAPPING)
    log = Workspace.open(ws.root).imports
    assert [r.source for r in log] == ["council_asb", "street_drinking"]
    assert log[0] == first
    for rep in log:
        assert rep.rows_read == rep.rows_accepted + rep.rows_rejected
        assert sum(rep.rejected_by_reason.values()) == rep.rows_rejected
    assert log[0].unmapped == {"Nuisance neighbours": 1}


# --- idempotent re-import --------------------------------------------------------------------
def test_second_import_of_the_same_file_adds_nothing(ws):
    ingest_council(ws)
    before = ws.incidents()
    again = ingest_council(ws)
    assert again.rows_accepted == 0
    assert again.rows_read == 32
    # 25 stored ids again, plus row 28 (the repeat of row 4's id): all "already imported"
    assert again.rejected_by_reason == {
        "no location": 2, "outside Great Britain": 1, "far outside the workspace area": 1,
        "unparseable date": 2, "already imported": 26,
    }
    pd.testing.assert_frame_equal(ws.incidents(), before)
    assert len(ws.imports) == 2


def test_reimport_with_derived_asb_ids_adds_nothing_from_folder_or_zip(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    first = ingest_files(ws, [POLICE_DIR], "police_uk")
    assert first.rows_accepted == 315
    for paths in ([POLICE_DIR], [POLICE_ZIP], [POLICE_2014_10]):
        again = ingest_files(ws, paths, "police_uk")
        assert again.rows_accepted == 0
        assert set(again.rejected_by_reason) <= {"already imported", "no location"}
    assert len(ws.incidents()) == 315


def test_sources_are_keyed_separately(tmp_path):
    """The same API ids under another source name are not 'already imported'."""
    ws = Workspace.create(tmp_path / "ws")
    ingest_files(ws, [API_CSV], "police_uk_api")
    assert ws.existing_ids("police_uk_api").size == 294
    assert ws.existing_ids("police_uk").size == 0


# --- a file that is not what it claims: the workspace is left alone ---------------------------
def test_missing_columns_leave_the_workspace_unchanged(ws):
    ingest_council(ws)
    before = tree_snapshot(ws.root)
    manifest = (ws.root / MANIFEST).read_bytes()
    with pytest.raises(IntakeError) as err:
        ingest_files(ws, [API_CSV], "police_uk")
    message = str(err.value)
    assert message.startswith("lambeth_wandsworth_2016-01_sample.csv: ")
    for column in ("'Crime ID'", "'Month'", "'Longitude'", "'Latitude'", "'Location'", "'LSOA code'", "'Crime type'"):
        assert column in message
    assert (ws.root / MANIFEST).read_bytes() == manifest
    assert tree_snapshot(ws.root) == before
    assert len(Workspace.open(ws.root).incidents()) == 25


def test_one_bad_file_stops_the_whole_import(ws):
    ingest_council(ws)
    before = tree_snapshot(ws.root)
    with pytest.raises(IntakeError, match="street_drinking_log_bom.csv: .*'Case Ref'"):
        ingest_files(ws, [COUNCIL, DRINKING], "council_asb", mapping=COUNCIL_MAPPING)
    assert tree_snapshot(ws.root) == before


def test_unreadable_inputs_leave_the_workspace_unchanged(ws, tmp_path):
    ingest_council(ws)
    before = tree_snapshot(ws.root)
    with pytest.raises(IntakeError, match="no such file or folder"):
        ingest_files(ws, [tmp_path / "missing.csv"], "police_uk")
    with pytest.raises(IntakeError, match="needs --mapping"):
        ingest_files(ws, [COUNCIL], "council_asb")
    assert tree_snapshot(ws.root) == before


# --- an import interrupted after its data files are written ------------------------------------
def test_failed_manifest_write_leaves_the_old_workspace_and_no_files(ws, monkeypatch):
    ingest_files(ws, [DRINKING], "street_drinking", mapping=DRINKING_MAPPING)
    manifest = (ws.root / MANIFEST).read_bytes()
    before_rows = len(ws.incidents())
    before_files = stored_files(ws)
    assert before_rows == 24

    def boom(data):
        def write(path):
            raise OSError("disk failure (simulated)")
        return write

    monkeypatch.setattr(workspace_module, "json_writer", boom)
    with pytest.raises(OSError, match="simulated"):
        ingest_council(ws)
    monkeypatch.undo()

    # the data and quarantine files were staged, then removed with the staging folder
    assert stored_files(ws) == before_files
    assert not (ws.root / "_staging").exists()
    assert (ws.root / MANIFEST).read_bytes() == manifest
    reopened = Workspace.open(ws.root)
    assert len(reopened.incidents()) == before_rows
    assert len(reopened.imports) == 1
    assert reopened.existing_ids("council_asb").size == 0

    # the next import succeeds and adds the rows once
    report = ingest_council(reopened)
    assert report.rows_accepted == 25
    assert stored_files(reopened) == listed_files(reopened)
    assert len(Workspace.open(ws.root).incidents()) == before_rows + 25


def test_orphans_a_killed_writer_left_are_cleared_by_the_next_write(ws):
    ingest_files(ws, [DRINKING], "street_drinking", mapping=DRINKING_MAPPING)
    before_files = stored_files(ws)
    # what a writer killed between its renames and the manifest's leaves: a published file no
    # manifest lists, and a half-written file in the staging folder
    orphan = ws.root / "incidents" / "month=2016-01" / "killed.parquet"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ws.data_files[0], orphan)
    (ws.root / "_staging" / "killed").mkdir(parents=True)
    (ws.root / "_staging" / "killed" / "0000.part").write_bytes(b"PAR1 half")
    assert len(Workspace.open(ws.root).incidents()) == 24
    ingest_council(ws)
    assert stored_files(ws) - before_files == listed_files(ws) - before_files
    assert not orphan.exists()
    assert not (ws.root / "_staging").exists()


# --- an import killed half-way (a real process, SIGKILL) ---------------------------------------
def _run_cli(root: Path, csv: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hotspot_tasking.cli", "ingest", str(root), "--source", "police_uk_api", str(csv)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _wait_for_first_write(root: Path, proc: subprocess.Popen, timeout_s: float) -> bool:
    """Poll until the import stages its first data file (its commit has begun)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if (root / "_staging").exists() and _files_under(root / "_staging"):
            return True
        time.sleep(0.001)
    return False


@pytest.mark.slow
def test_import_killed_at_any_moment_leaves_the_old_or_the_new_workspace(tmp_path):
    big = tmp_path / "big_api.csv"
    n_big = big_api_csv(big)
    assert big.stat().st_size > 3_000_000
    base = Workspace.create(tmp_path / "base")
    ingest_files(base, [API_CSV], "police_uk_api")
    before = len(base.incidents())
    assert before == 294
    after = before + n_big

    # one complete run, for its duration
    full = tmp_path / "full"
    shutil.copytree(base.root, full)
    start = time.monotonic()
    proc = _run_cli(full, big)
    _, err = proc.communicate(timeout=300)
    duration = time.monotonic() - start
    assert proc.returncode == 0, err.decode()
    assert len(Workspace.open(full).incidents()) == after

    # kills while reading and parsing (a fraction of the run), then while writing the 24
    # monthly files and the manifest (a delay after the first data file appears)
    plans = ([("time", 0.15), ("time", 0.3), ("time", 0.45)]
             + [("write", d) for d in (0.0, 0.005, 0.015, 0.03, 0.06, 0.1, 0.2)])
    killed = interrupted_writes = 0
    for i, (when, delay) in enumerate(plans):
        root = tmp_path / f"kill-{i}"
        shutil.copytree(base.root, root)
        proc = _run_cli(root, big)
        if when == "time":
            time.sleep(duration * delay)
        else:
            assert _wait_for_first_write(root, proc, timeout_s=60), "the import never wrote a data file"
            time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=60)

        ws = Workspace.open(root)
        inc = ws.incidents()
        assert len(inc) in (before, after), f"{when} {delay}: {len(inc)} rows"
        assert inc["incident_id"].is_unique
        ws.summary()
        if len(inc) == before and (stored_files(ws) - listed_files(ws) or (root / "_staging").exists()):
            interrupted_writes += 1
        # the next import completes the job and leaves no file unlisted
        report = ingest_files(ws, [big], "police_uk_api")
        assert report.rows_accepted in (0, n_big)
        assert len(ws.incidents()) == after
        assert stored_files(ws) == listed_files(ws)
    assert killed >= 4, "most kills came too late to interrupt anything"
    assert interrupted_writes >= 1, "no kill landed while the import was writing its files"


# --- reading back --------------------------------------------------------------------------------
def test_summary_counts(ws):
    ingest_council(ws)
    ingest_files(ws, [DRINKING], "street_drinking", mapping=DRINKING_MAPPING)
    s = ws.summary()
    assert s.incidents == 49
    assert s.by_source["incidents"].to_dict() == {"council_asb": 25, "street_drinking": 24}
    assert s.by_category.loc["unmapped", "incidents"] == 2
    assert s.by_month.loc["2016-02", "council_asb"] == 25
    assert s.by_month.loc["2016-06", "street_drinking"] == 22
    assert s.first == pd.Timestamp("2016-02-01 06:39", tz=LONDON)  # ASB/16/01017, row 23
    assert s.last == pd.Timestamp("2016-10-30 00:30", tz="UTC")  # SD-201609009, 01:30 BST
    assert (s.imports, s.rows_read, s.rows_rejected) == (2, 61, 12)
    assert s.rejected_by_reason["unparseable date"] == 3


def test_incidents_by_source_and_columns(ws):
    ingest_council(ws)
    ingest_files(ws, [DRINKING], "street_drinking", mapping=DRINKING_MAPPING)
    assert len(ws.incidents(sources=["street_drinking"])) == 24
    assert list(ws.incidents(["incident_id", "category"]).columns) == ["incident_id", "category"]
    with pytest.raises(GeoError, match=r"Workspace.incidents names 1 unknown incident column\(s\), "
                                       r"\['no_such_column'\]; choose from incident_id, source"):
        ws.incidents(["no_such_column"])
    with pytest.raises(TypeError, match=r"The 'columns' parameter of Workspace.incidents must be a list of str"):
        ws.incidents("category")


def test_area_change_applies_to_later_imports(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    assert ingest_files(ws, [FIRE], "fire").rows_accepted == 8
    ws.set_area(LAMBETH_WANDSWORTH_AREA)
    assert Workspace.open(ws.root).area == LAMBETH_WANDSWORTH_AREA
    other = Workspace.create(tmp_path / "other", area=LAMBETH_WANDSWORTH_AREA)
    report = ingest_files(other, [FIRE], "fire")
    assert report.rows_accepted == 3
    assert report.rejected_by_reason == {"not a fire": 12, "far outside the workspace area": 5}


def test_workspace_taxonomy_copy_is_used(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    path = ws.root / "config" / "taxonomy.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[vocabularies.council_asb."Nuisance neighbours"]\n'
                    'category = "Anti-social behaviour"\nsubcategory = "Neighbours"\nharm_weight = 1.0\n',
                    encoding="utf-8")
    report = ingest_council(ws)
    assert report.unmapped == {}
    inc = ws.incidents().set_index("incident_id")
    assert inc.loc["ASB/16/02005", "subcategory"] == "Neighbours"


def test_gz_and_plain_import_the_same_rows(tmp_path):
    a = Workspace.create(tmp_path / "a")
    b = Workspace.create(tmp_path / "b")
    ingest_files(a, [API_CSV], "police_uk_api")
    ingest_files(b, [API_GZ], "police_uk_api")
    cols = [c for c in workspace_module.INCIDENT_COLUMNS if c != "import_id"]
    pd.testing.assert_frame_equal(
        a.incidents(cols).sort_values("incident_id").reset_index(drop=True),
        b.incidents(cols).sort_values("incident_id").reset_index(drop=True),
    )


def test_concurrent_imports_of_one_file_store_it_once(ws):
    """The lock serialises writers: the second sees the first's ids."""
    from concurrent.futures import ThreadPoolExecutor

    def one(_):
        return ingest_files(Workspace.open(ws.root), [COUNCIL], "council_asb", mapping=COUNCIL_MAPPING)

    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(one, range(2)))
    assert sorted(r.rows_accepted for r in reports) == [0, 25]
    reopened = Workspace.open(ws.root)
    assert len(reopened.incidents()) == 25
    assert len(reopened.imports) == 2
    assert stored_files(reopened) == listed_files(reopened)
