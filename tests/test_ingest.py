"""hotspot_tasking.intake.ingest: every row accepted or rejected with a reason, the count
invariant, quarantine rows, unmapped categories and derived ids."""

from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import (
    API_GZ,
    CITY_AREA,
    COUNCIL,
    FIRE,
    FIRE_MOTIVE,
    LAMBETH_WANDSWORTH_AREA,
    POLICE_2014_10,
    POLICE_DIR,
    POLICE_RELAID,
    POLICE_ZIP,
    read,
    read_council,
    read_drinking,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspot_tasking.geo import REJECT_REASONS, Area, ImportReport
from hotspot_tasking.geo.report import FileCount
from hotspot_tasking.geo.taxonomy import UNMAPPED
from hotspot_tasking.intake.ingest import derived_ids
from hotspot_tasking.intake.textfiles import parse_csv

FOSTER_LANE_ID = "h7b8b7248e9e1258a"  # the two identical ASB rows 6 and 7 of the 2014-10 fixture


def reject_at(result, row: int) -> pd.Series:
    rows = result.rejects[result.rejects["row"].astype(int) == row]
    assert len(rows) == 1, f"row {row} is not rejected once: {rows}"
    return rows.iloc[0]


# --- every reject reason, its detail naming the value ------------------------------------------
def read_ragged():
    """The 2014-10 police.uk file with an unquoted comma in row 4's location."""
    lines = POLICE_2014_10.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("On or near ", "On or near, ", 1)
    path = Path(tempfile.mkdtemp()) / POLICE_2014_10.name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read("police_uk", path)


REASON_CASES = {
    # reason: (how to read, spreadsheet row, words the detail must contain)
    "malformed row": (read_ragged, 4, ["has 13 fields where the header has 12"]),
    "not a fire": (lambda: read("fire", FIRE), 2, ["Special Service"]),  # IncidentGroup of 235138081
    "no location": (read_council, 16, ["'0'"]),  # easting 0, northing 0
    "outside Great Britain": (read_council, 26, ["5301234"]),  # easting with an extra digit
    # Edinburgh (325948, 673584) from the box (521000-533700, 169500-180500):
    # hypot(521000 - 325948, 673584 - 180500) = 530,262 m
    "far outside the workspace area": (read_council, 24, ["530.3 km"]),
    "unparseable date": (read_council, 18, ["25:61"]),
    "time window ends before it starts": (read_drinking, 12, ["2016-06-25T23:00:00", "2016-06-25T21:00:00"]),
    "duplicate id": (read_council, 28, ["ASB/16/01003"]),
    "already imported": (lambda: read("council_asb", COUNCIL, mapping=COUNCIL.parent / "council_asb_mapping.toml",
                                      existing_ids=pd.Index(["ASB/16/01001"])), 2, ["ASB/16/01001"]),
}


def test_every_reject_reason_has_a_case():
    assert set(REASON_CASES) == set(REJECT_REASONS)


@pytest.mark.parametrize("reason", REJECT_REASONS)
def test_reject_reason_and_detail(reason):
    how, row, words = REASON_CASES[reason]
    result = how()
    rejected = reject_at(result, row)
    assert rejected["reason"] == reason
    for word in words:
        assert word in rejected["detail"], f"{reason}: detail {rejected['detail']!r} does not name {word!r}"
    assert result.report.rejected_by_reason[reason] >= 1


def test_far_outside_distance_by_hand():
    expected_km = math.hypot(521000 - 325948, 673584 - 180500) / 1000
    assert f"{expected_km:.1f}" == "530.3"
    # Thurrock (row 102 of 2015-08) and Hammersmith (rows 102/103 of 2015-01) against the City box
    result = read("police_uk", POLICE_DIR, area=CITY_AREA)
    far = result.rejects[result.rejects["reason"] == "far outside the workspace area"]
    assert far[["file", "row"]].astype(str).values.tolist() == [
        ["2015-01-city-of-london-street.csv", "102"],
        ["2015-01-city-of-london-street.csv", "103"],
        ["2015-08-city-of-london-street.csv", "102"],
    ]
    assert far["detail"].tolist() == ["7.9 km outside the workspace area"] * 2 + ["34.5 km outside the workspace area"]


def test_a_margin_decides_far():
    near = Area(521000.0, 169500.0, 533700.0, 180500.0, margin_m=600_000.0)
    result = read_council(area=near)
    assert "far outside the workspace area" not in result.report.rejected_by_reason


def test_an_unparseable_end_of_window_is_rejected_not_dropped(tmp_path):
    """A window whose end cannot be read must not silently become an exact time."""
    path = tmp_path / "log.csv"
    path.write_text(
        "Log No,Reported From,Reported To,Complaint Type,Latitude,Longitude,Street\n"
        "A1,2016-06-24T22:00:00,not a date,Street drinking,51.424039,-0.149948,On or near Spalding Road\n"
        "A2,2016-06-24T22:00:00,2016-06-25T02:30:00,Street drinking,51.424039,-0.149948,On or near Spalding Road\n",
        encoding="utf-8",
    )
    result = read_drinking(path=path)
    assert result.report.rows_read == 2
    assert result.incidents["incident_id"].tolist() == ["A2"]
    rejected = reject_at(result, 2)
    assert rejected["reason"] == "unparseable date"
    assert "not a date" in rejected["detail"]


# --- the count invariant ---------------------------------------------------------------------
READS = {
    "police_uk file": (lambda: read("police_uk", POLICE_2014_10, area=CITY_AREA), [119]),
    "police_uk folder": (lambda: read("police_uk", POLICE_DIR, area=CITY_AREA), [119, 105, 104]),
    "police_uk zip": (lambda: read("police_uk", POLICE_ZIP, area=CITY_AREA), [119, 105, 104]),
    "police_uk relaid": (lambda: read("police_uk", POLICE_RELAID, area=CITY_AREA), [12]),
    "police_uk_api gz": (lambda: read("police_uk_api", API_GZ, area=LAMBETH_WANDSWORTH_AREA), [294]),
    "fire": (lambda: read("fire", FIRE, area=LAMBETH_WANDSWORTH_AREA), [20]),
    "fire motive": (lambda: read("fire", FIRE_MOTIVE), [20]),
    "council_asb": (read_council, [32]),
    "street_drinking": (read_drinking, [29]),
    "two sources' files at once": (lambda: read("police_uk", POLICE_DIR, POLICE_ZIP), [119, 105, 104] * 2),
}


@pytest.mark.parametrize("name", READS)
def test_rows_read_equals_accepted_plus_rejected(name):
    how, records = READS[name]
    result = how()
    report = result.report
    assert [f.rows_read for f in report.files] == records
    for f in report.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected
    assert report.rows_read == sum(records) == report.rows_accepted + report.rows_rejected
    assert sum(report.rejected_by_reason.values()) == report.rows_rejected
    assert set(report.rejected_by_reason) <= set(REJECT_REASONS)
    assert len(result.incidents) == report.rows_accepted
    assert len(result.rejects) == report.rows_rejected
    assert result.rejects["reason"].value_counts().to_dict() == report.rejected_by_reason
    assert result.incidents["incident_id"].is_unique
    by_file = result.rejects.groupby("file").size().to_dict()
    assert by_file == {f.name: f.rows_rejected for f in report.files if f.rows_rejected}
    report.check()


def test_the_same_files_twice_in_one_import_are_duplicates():
    result = READS["two sources' files at once"][0]()
    assert result.report.rows_accepted == 315
    assert result.report.rejected_by_reason["duplicate id"] == 4 + 315 + 4
    assert result.report.rejected_by_reason["no location"] == 2 * 9


def test_counts_by_hand_for_council_and_street_drinking():
    council = read_council().report
    assert (council.rows_read, council.rows_accepted, council.rows_rejected) == (32, 25, 7)
    assert council.rejected_by_reason == {
        "no location": 2, "outside Great Britain": 1, "far outside the workspace area": 1,
        "unparseable date": 2, "duplicate id": 1,
    }
    drinking = read_drinking().report
    assert (drinking.rows_read, drinking.rows_accepted, drinking.rows_rejected) == (29, 24, 5)
    assert drinking.rejected_by_reason == {
        "no location": 1, "outside Great Britain": 1, "far outside the workspace area": 1,
        "unparseable date": 1, "time window ends before it starts": 1,
    }


def test_report_check_catches_bad_counts():
    report = ImportReport("x", "police_uk", "now", files=[FileCount("a.csv", "utf-8", 10, 7, 2)])
    with pytest.raises(RuntimeError, match="a.csv: 10 read != 7 accepted \\+ 2 rejected"):
        report.check()
    report = ImportReport("x", "police_uk", "now", files=[FileCount("a.csv", "utf-8", 10, 7, 3)],
                          rejected_by_reason={"no location": 2})
    with pytest.raises(RuntimeError, match="do not add up"):
        report.check()


def test_report_round_trips_through_a_dict():
    report = read_council().report
    data = report.to_dict()
    assert (data["rows_read"], data["rows_accepted"], data["rows_rejected"]) == (32, 25, 7)
    assert ImportReport.from_dict(data) == report


def test_report_text():
    text = read_council().report.format()
    lines = text.splitlines()
    assert lines[0] == "Import test-import (council_asb): 32 rows read = 25 accepted + 7 rejected"
    assert "  council_asb_cases_cp1252.csv: 32 read, 25 accepted, 7 rejected (cp1252)" in lines
    assert "Rejected by reason:" in lines
    assert "  unparseable date: 2" in lines
    assert "  'Nuisance neighbours': 1" in lines
    assert any("Windows-1252" in line for line in lines)


# --- quarantine rows ---------------------------------------------------------------------------
def test_rejects_are_exactly_the_rejected_rows_with_file_row_reason():
    result = read_council()
    got = result.rejects[["file", "row", "reason"]].astype({"row": int}).values.tolist()
    name = COUNCIL.name
    assert got == [
        [name, 14, "no location"],
        [name, 16, "no location"],
        [name, 18, "unparseable date"],
        [name, 20, "unparseable date"],
        [name, 24, "far outside the workspace area"],
        [name, 26, "outside Great Britain"],
        [name, 28, "duplicate id"],
    ]
    assert list(result.rejects.columns[:4]) == ["file", "row", "reason", "detail"]
    # the rows' own columns, as text, follow
    assert result.rejects["Case Ref"].tolist() == [
        "ASB/16/02001", "ASB/16/02002", "ASB/16/02003", "ASB/16/02004", "ASB/16/02006", "ASB/16/02007", "ASB/16/01003",
    ]
    accepted = set(result.incidents["incident_id"])
    assert accepted.isdisjoint(set(result.rejects["Case Ref"]) - {"ASB/16/01003"})


def test_row_number_checked_by_hand_against_the_file():
    """Row 28 of the council file (its 28th line; the header is line 1) is the repeated case."""
    lines = COUNCIL.read_bytes().decode("cp1252").split("\r\n")
    assert lines[0].startswith("Case Ref,")
    assert lines[28 - 1].startswith("ASB/16/01003,01/02/2016,14:13,Youth nuisance,523804,175002,")
    assert lines[4 - 1] == lines[28 - 1]  # the same case first appears on row 4
    row = reject_at(read_council(), 28)
    assert row["reason"] == "duplicate id"
    assert row["Date Received"] == "01/02/2016" and row["Easting"] == "523804"


def test_police_uk_rejects_keep_the_row_text():
    result = read("police_uk", POLICE_2014_10)
    row = reject_at(result, 118)
    assert row["reason"] == "no location"
    assert row["Location"] == "No Location"
    assert row["Crime ID"] == "cb6afa83ea128909df2cbf7b7e51ac716be52c8a8ca9bc19af7807d8c8c45d17"
    assert row["Crime type"] == "Burglary"


# --- unmapped categories -----------------------------------------------------------------------
def test_unmapped_categories_are_kept_and_reported():
    result = read_council()
    inc = result.incidents.set_index("incident_id")
    assert inc.loc["ASB/16/02005", "category"] == UNMAPPED
    assert inc.loc["ASB/16/02005", "subcategory"] == "Nuisance neighbours"
    assert inc.loc["ASB/16/02005", "source_category"] == "Nuisance neighbours"
    assert inc.loc["ASB/16/02005", "harm_weight"] == 1.0
    assert result.report.unmapped == {"Nuisance neighbours": 1}
    drinking = read_drinking()
    assert drinking.report.unmapped == {"Drinking in the churchyard": 1}
    assert (drinking.incidents["category"] == UNMAPPED).sum() == 1


def test_real_police_data_has_nothing_unmapped():
    assert read("police_uk", POLICE_DIR).report.unmapped == {}
    assert read("police_uk_api", API_GZ).report.unmapped == {}


# --- derived ids -------------------------------------------------------------------------------
def test_derived_ids_pinned_value_for_one_real_row():
    """Row 6 of the 2014-10 fixture: ASB on Foster Lane. If this changes, re-imports of
    ASB rows stored by an earlier version stop matching: change it only on purpose."""
    frame = parse_csv(POLICE_2014_10.read_bytes(), POLICE_2014_10.name).frame
    assert frame.iloc[4]["Location"] == "On or near Foster Lane"
    assert derived_ids(frame.iloc[[4]]).tolist() == [f"{FOSTER_LANE_ID}-0"]


def test_identical_rows_get_0_and_1():
    frame = parse_csv(POLICE_2014_10.read_bytes(), POLICE_2014_10.name).frame
    rows = frame.iloc[[4, 5]]  # spreadsheet rows 6 and 7, identical
    assert rows.iloc[0].tolist() == rows.iloc[1].tolist()
    assert derived_ids(rows).tolist() == [f"{FOSTER_LANE_ID}-0", f"{FOSTER_LANE_ID}-1"]
    ids = set(read("police_uk", POLICE_2014_10).incidents["incident_id"])
    assert {f"{FOSTER_LANE_ID}-0", f"{FOSTER_LANE_ID}-1"} <= ids
    assert f"{FOSTER_LANE_ID}-2" not in ids


def test_derived_ids_are_stable_across_reads_and_containers():
    a = read("police_uk", POLICE_DIR).incidents["incident_id"]
    b = read("police_uk", POLICE_DIR).incidents["incident_id"]
    c = read("police_uk", POLICE_ZIP).incidents["incident_id"]
    assert a.tolist() == b.tolist() == c.tolist()


def test_derived_ids_do_not_depend_on_other_rows(tmp_path):
    """Dropping unrelated rows (an export filtered differently) leaves an ASB row's id alone."""
    lines = POLICE_2014_10.read_bytes().splitlines(keepends=True)
    path = tmp_path / "2014-10-city-of-london-street.csv"
    path.write_bytes(b"".join([lines[0], *lines[5:7], *lines[60:]]))  # rows 6, 7, 61...
    ids = set(read("police_uk", path).incidents["incident_id"])
    assert {f"{FOSTER_LANE_ID}-0", f"{FOSTER_LANE_ID}-1"} <= ids
    full = read("police_uk", POLICE_2014_10).incidents
    kept = full[full["incident_id"].isin(ids)]
    assert len(kept) == len(ids)


def test_derived_ids_leave_the_frame_alone():
    frame = parse_csv(POLICE_2014_10.read_bytes(), POLICE_2014_10.name).frame
    before = frame.copy()
    derived_ids(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_derived_ids_of_the_relaid_identical_pairs():
    ids = read("police_uk", POLICE_RELAID).incidents["incident_id"].tolist()
    asb = [i for i in ids if i.startswith("h")]
    assert len(asb) == 6
    stems = pd.Series([i.rsplit("-", 1)[0] for i in asb]).value_counts().tolist()
    assert sorted(stems) == [1, 1, 2, 2]


# --- a property: any mix of rows ----------------------------------------------------------------
POINTS = [("51.456466", "-0.165967"), ("51.505179", "-0.106547"), ("51.424039", "-0.149948")]
ROW = st.fixed_dictionaries({
    "id": st.sampled_from([f"R{i}" for i in range(8)]),
    "date": st.sampled_from(["2016-06-03T21:15:00", "03/06/2016 21:15", "2016-06-03", "01 Jun 2016",
                             "", "31/06/2016", "not a date"]),
    "where": st.sampled_from(["ok0", "ok1", "ok2", "swapped", "bng", "blank", "zero", "paris", "edinburgh"]),
    "category": st.sampled_from(["Street drinking", "Street drinking - aggressive behaviour", "Something new"]),
})


def _coordinates(where: str) -> tuple[str, str]:
    if where.startswith("ok"):
        lat, lon = POINTS[int(where[2])]
        return lon, lat
    return {
        "swapped": (POINTS[0][0], POINTS[0][1]),
        "bng": ("528295", "175993"),
        "blank": ("", ""),
        "zero": ("0", "0"),
        "paris": ("2.352222", "48.856613"),
        "edinburgh": ("325948", "673584"),
    }[where]


def _write(path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Ref", "When", "Type", "X", "Y"])
        for r in rows:
            out.writerow([r["id"], r["date"], r["category"], *_coordinates(r["where"])])


@pytest.fixture(scope="module")
def auto_mapping(tmp_path_factory):
    path = tmp_path_factory.mktemp("mapping") / "auto.toml"
    path.write_text('[columns]\nid="Ref"\ndate="When"\ncategory="Type"\nx="X"\ny="Y"\n', encoding="utf-8")
    return path


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=0, max_size=25), data=st.data())
def test_property_counts_add_up_and_order_does_not_matter(tmp_path_factory, auto_mapping, rows, data):
    folder = tmp_path_factory.mktemp("prop")
    shuffled = data.draw(st.permutations(rows))
    results = []
    for name, these in (("a.csv", rows), ("b.csv", shuffled)):
        _write(folder / name, these)
        results.append(read("street_drinking", folder / name, mapping=auto_mapping, area=LAMBETH_WANDSWORTH_AREA))
    for result in results:
        report = result.report
        assert report.rows_read == len(rows) == report.rows_accepted + report.rows_rejected
        assert sum(report.rejected_by_reason.values()) == report.rows_rejected
        assert len(result.incidents) + len(result.rejects) == len(rows)
        assert result.incidents["incident_id"].is_unique
    first, second = results
    assert set(first.incidents["incident_id"]) == set(second.incidents["incident_id"])
    assert first.report.rejected_by_reason == second.report.rejected_by_reason


def test_source_columns_named_like_quarantine_columns(tmp_path, auto_mapping):
    """A council export with its own 'reason' column (e.g. why a case was closed), imported
    with another file: both files' rejects reach quarantine, each column under its own name."""
    a = tmp_path / "cases_a.csv"
    a.write_text("Ref,When,Type,X,Y,reason\n"
                 "A1,2016-06-03,Street drinking,-0.149948,51.424039,closed: no further action\n"
                 "A2,2016-06-03,Street drinking,,,closed: duplicate report\n", encoding="utf-8")
    b = tmp_path / "cases_b.csv"
    b.write_text("Ref,When,Type,X,Y\nB1,not a date,Street drinking,-0.149948,51.424039\n", encoding="utf-8")
    result = read("street_drinking", a, b, mapping=auto_mapping)
    assert result.report.rows_read == 3 and result.report.rows_rejected == 2
    q = result.rejects
    assert list(q.columns[:4]) == ["file", "row", "reason", "detail"]
    assert q.columns.is_unique
    assert q["reason"].tolist() == ["no location", "unparseable date"]
    assert "closed: duplicate report" in q.astype(str).to_numpy().ravel().tolist()
