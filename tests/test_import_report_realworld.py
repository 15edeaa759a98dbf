"""The import report on real police.uk files: out-of-area rows kept apart in Parquet and counted
by area, rows sharing a Crime ID across crime types counted, and the import log naming files.

The data are the real City of London and Metropolitan records under tests/fixtures/police_uk;
the out-of-area rows are the Metropolitan ones (another force's area), the City force's own
rows in Hammersmith and Thurrock, and City rows whose coordinates are moved (north by 1.5
degrees, or to Amsterdam).
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import (
    COUNCIL,
    COUNCIL_MAPPING,
    LAMBETH_WANDSWORTH_AREA,
    POLICE_2014_10,
    POLICE_2015_01,
    POLICE_2015_08,
    POLICE_RELAID,
)

from hotspot_tasking.geo import Workspace
from hotspot_tasking.geo.area import Area
from hotspot_tasking.geo.report import OUT_OF_AREA_REASONS, ImportReport
from hotspot_tasking.intake.store import ingest_files
from hotspot_tasking.ui.cache import import_log

#: The City of London in British National Grid metres, with a 1 km margin: the Metropolitan
#: rows in Lambeth, Wandsworth and most of Southwark are outside it, Southwark 002C (by
#: Blackfriars Bridge, 329 m from the box) is inside.
CITY = Area(531000.0, 180500.0, 534500.0, 182000.0, margin_m=1000.0)
NORTH = [5, 6, 7, 8, 9, 10, 11, 12, 13, 19]  # 0-based rows of the 2015-08 file moved 1.5 degrees north
ABROAD = [14, 15, 16, 17]  # moved to Amsterdam: outside Great Britain
FORMULA = "=HYPERLINK(\"http://example.com\")"


def read_raw(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture
def moved(tmp_path):
    """The real 2015-08 City file with 14 rows moved out of the area (one with no LSOA name,
    so counted under its force), and one row without coordinates whose location is a formula."""
    raw = read_raw(POLICE_2015_08)
    assert raw.loc[NORTH + ABROAD, "LSOA name"].str.startswith("City of London 0").all()
    raw.loc[NORTH, "Latitude"] = (raw.loc[NORTH, "Latitude"].astype(float) + 1.5).map("{:.6f}".format)
    raw.loc[ABROAD, "Longitude"] = "4.899431"
    raw.loc[ABROAD, "Latitude"] = "52.379189"
    raw.loc[NORTH[-1], "LSOA name"] = ""
    raw.loc[20, ["Longitude", "Latitude", "Location"]] = ["", "", FORMULA]
    path = tmp_path / "moved-city-of-london-street.csv"
    raw.to_csv(path, index=False)
    return path


@pytest.fixture
def imported(tmp_path, moved):
    ws = Workspace.create(tmp_path / "ws", area=CITY)
    report = ingest_files(ws, [POLICE_2015_01, POLICE_RELAID, moved], "police_uk")
    return ws, report, moved


def expected_out_of_area(moved) -> set[tuple[str, int]]:
    """(file, spreadsheet row) of the rows outside CITY, from the files' own columns."""
    jan = read_raw(POLICE_2015_01)
    met = read_raw(POLICE_RELAID)
    rows = {(POLICE_2015_01.name, i + 2) for i in jan.index[jan["LSOA name"].str.startswith("Hammersmith")]}
    rows |= {(POLICE_RELAID.name, i + 2) for i in met.index[met["LSOA name"] != "Southwark 002C"]}
    aug = read_raw(POLICE_2015_08)
    rows |= {(moved.name, i + 2) for i in [*NORTH, *ABROAD, *aug.index[aug["LSOA name"].str.startswith("Thurrock")]]}
    return rows


def test_out_of_area_rows_go_to_parquet_and_the_rest_to_csv(imported):
    ws, report, moved = imported
    far = expected_out_of_area(moved)
    assert len(far) == 2 + 11 + 14 + 1
    assert report.rows_read == report.rows_accepted + report.rows_rejected == 105 + 12 + 104
    assert report.rejected_by_reason["outside Great Britain"] == 4
    assert report.rejected_by_reason["far outside the workspace area"] == 24
    assert report.rows_out_of_area == 28

    assert report.out_of_area_file == f"quarantine/{report.import_id}-out-of-area.parquet"
    parquet = pd.read_parquet(ws.root / report.out_of_area_file)
    assert set(zip(parquet["file"], parquet["row"].astype(int))) == far
    assert len(parquet) == 28 and parquet["reason"].isin(OUT_OF_AREA_REASONS).all()
    assert parquet.loc[parquet["reason"] == "outside Great Britain", "Longitude"].eq("4.899431").all()

    csv = pd.read_csv(ws.root / report.quarantine_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(csv.columns) == list(parquet.columns)
    assert not csv["reason"].isin(OUT_OF_AREA_REASONS).any()
    assert len(csv) + len(parquet) == report.rows_rejected
    assert csv["reason"].value_counts().to_dict() == {
        r: n for r, n in report.rejected_by_reason.items() if r not in OUT_OF_AREA_REASONS}
    # still formula-safe: the planted formula is text
    assert csv.loc[(csv["file"] == moved.name) & (csv["row"] == "22"), "Location"].tolist() == ["'" + FORMULA]

    everything = ws.quarantine()
    assert len(everything) == report.rows_rejected
    assert len(ws.quarantine(out_of_area=False)) == len(csv)


def test_the_report_counts_out_of_area_rows_by_area(imported):
    _, report, _ = imported
    # 13 moved City rows by their LSOA names, one by its force; a real row in Thurrock; ties in name order
    assert report.out_of_area_areas == {"City of London": 13, "Wandsworth": 6, "Lambeth": 3,
                                        "Hammersmith and Fulham": 2, "Southwark": 2}
    text = report.format().splitlines()
    assert ("28 rows outside the workspace area, by area: City of London 13, Wandsworth 6, Lambeth 3, "
            "Hammersmith and Fulham 2, Southwark 2; 2 elsewhere.") in text
    assert f"Rejected rows, with file, row and reason: {report.quarantine_file}" in text
    assert f"Out-of-area rows, with file, row and reason (Parquet): {report.out_of_area_file}" in text
    assert "  far outside the workspace area: 24" in text


def test_a_file_naming_no_area_is_counted_by_reason_only(tmp_path):
    ws = Workspace.create(tmp_path / "ws", area=LAMBETH_WANDSWORTH_AREA)
    report = ingest_files(ws, [COUNCIL], "council_asb", mapping=COUNCIL_MAPPING)
    assert report.rows_out_of_area == 2 and report.out_of_area_areas == {}
    assert "2 rows outside the workspace area (the files name no area)." in report.format().splitlines()
    assert len(pd.read_parquet(ws.root / report.out_of_area_file)) == 2


def test_real_shared_crime_ids_of_different_crime_types_are_counted(tmp_path):
    """The Metropolitan file has three Crime IDs each on two crime types (a robbery and a
    public order offence on one reference, ...): six rows, all kept."""
    ws = Workspace.create(tmp_path / "ws", area=LAMBETH_WANDSWORTH_AREA)
    report = ingest_files(ws, [POLICE_RELAID], "police_uk")
    assert report.rows_accepted == 12 and report.shared_crime_ids == 6
    assert ("6 rows share a Crime ID with another row of a different crime type; each is kept as its own "
            "offence.") in report.format().splitlines()
    assert Workspace.open(ws.root).imports[-1].shared_crime_ids == 6
    assert ingest_files(ws, [POLICE_RELAID], "police_uk").shared_crime_ids == 0  # nothing new kept


def test_planted_shared_crime_ids_are_counted_and_same_type_repeats_are_not(tmp_path):
    raw = read_raw(POLICE_2014_10)
    # the real file's shared Crime IDs all repeat one crime type: none counts
    ws = Workspace.create(tmp_path / "ws")
    assert ingest_files(ws, [POLICE_2014_10], "police_uk").shared_crime_ids == 0
    # rows 0 (Other theft), 2 (Shoplifting) and 3 (Theft from the person) on one Crime ID: 3 rows;
    # rows 12 and 14 (both Other theft, different points) on one: not counted
    assert raw.loc[[0, 2, 3], "Crime type"].nunique() == 3 and raw.loc[[12, 14], "Crime type"].nunique() == 1
    raw.loc[[2, 3], "Crime ID"] = raw.loc[0, "Crime ID"]
    raw.loc[14, "Crime ID"] = raw.loc[12, "Crime ID"]
    planted = tmp_path / "2014-10-planted-street.csv"
    raw.to_csv(planted, index=False)
    other = Workspace.create(tmp_path / "other")
    report = ingest_files(other, [planted], "police_uk")
    assert report.shared_crime_ids == 3
    assert report.rows_accepted == 112  # as the real file: each offence kept
    ids = set(other.incidents(["incident_id"])["incident_id"])
    first = raw.loc[0, "Crime ID"]
    assert {first, f"{first}-1", f"{first}-2", raw.loc[12, "Crime ID"] + "-1"} <= ids


def test_import_log_names_the_files_as_shown(tmp_path, moved):
    ws = Workspace.create(tmp_path / "ws", area=CITY)
    ingest_files(ws, [POLICE_2015_01, moved], "police_uk")
    ingest_files(ws, [POLICE_RELAID], "police_uk", names={POLICE_RELAID: "March upload =1+1.csv"})
    ws = Workspace.open(ws.root)
    log = import_log(str(ws.root), ws.version)
    assert log["files"].tolist() == [f"{POLICE_2015_01.name}, {moved.name}", "March upload =1+1.csv"]
    assert log["file count"].tolist() == [2, 1]
    assert log["outside the area"].tolist() == [17, 11]
    assert (log["rows read"] == log["accepted"] + log["rejected"]).all()


def test_an_import_log_entry_written_before_these_counts_still_opens(imported):
    _, report, _ = imported
    old = {k: v for k, v in report.to_dict().items()
           if k not in ("out_of_area_areas", "out_of_area_file", "shared_crime_ids")}
    back = ImportReport.from_dict(old)
    assert back.out_of_area_areas == {} and back.out_of_area_file is None and back.shared_crime_ids == 0
    assert back.rows_out_of_area == 28
