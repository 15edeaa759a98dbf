"""Every reader on real fixture rows (see fixtures/README.md for the rows named here)."""

from __future__ import annotations

import shutil

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
    FIRE_MOTIVE,
    POLICE_2014_10,
    POLICE_2015_08,
    POLICE_DIR,
    POLICE_RELAID,
    POLICE_ZIP,
    read,
    read_council,
    read_drinking,
)
from pyproj import Transformer

from hotspot_tasking.geo import INCIDENT_COLUMNS
from hotspot_tasking.intake import IntakeError, reader_for
from hotspot_tasking.intake.readers.mapped_csv import load_mapping

LONDON = "Europe/London"
CHARTERHOUSE = "e54b3919fbb0a58a43c5e2cdba2205ec875e76320506a152c5019449f96aa1f8"
NIGHTCLUB = "381af30658c615c5b9f408e0dbb509b688a4aa3dc236f20455f37fb87187ea6c"
ALGARVE = "0dd7db4acfef6103ea01ee0e3c257c6abe221759ae54fa226027ef47702d5866"


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    assert frame["incident_id"].is_unique
    return frame.set_index("incident_id")


def bng(lon: float, lat: float) -> tuple[float, float]:
    return Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)


# --- police.uk street CSV ----------------------------------------------------------------------
def test_police_uk_one_file():
    result = read("police_uk", POLICE_2014_10)
    inc = result.incidents
    assert list(inc.columns) == list(INCIDENT_COLUMNS)
    assert result.report.rows_read == 119
    # 3 "No Location" rows and 4 rows repeating an offence with another outcome
    assert result.report.rejected_by_reason == {"no location": 3, "duplicate id": 4}
    assert len(inc) == 112
    row = by_id(inc).loc[CHARTERHOUSE]  # spreadsheet row 2
    assert row["source"] == "police_uk"
    assert row["source_category"] == "Other theft"
    assert row["category"] == "Other theft"
    assert row["groups"] == "volume_crime"
    assert row["harm_weight"] == pytest.approx(1.5)
    assert row["occurred_from"] == pd.Timestamp("2014-10-01 00:00", tz=LONDON)
    assert row["occurred_to"] == pd.Timestamp("2014-10-31 23:59", tz=LONDON)
    assert row["time_precision"] == "month"
    assert row["longitude"] == pytest.approx(-0.106453)
    assert row["latitude"] == pytest.approx(51.518207)
    e, n = bng(-0.106453, 51.518207)
    assert row["easting"] == pytest.approx(e, abs=1.0)
    assert row["northing"] == pytest.approx(n, abs=1.0)
    assert row["location_precision_m"] == 150
    assert row["location_text"] == "On or near Charterhouse Street"
    assert row["lsoa_code_given"] == "E01000916"
    assert row["import_id"] == "test-import"
    # plain UTF-8 needs no note; police.uk coordinates are declared WGS84, so no guessing either
    assert result.report.files[0].encoding == "utf-8"
    assert not any("read as" in note for note in result.report.notes)


def test_police_uk_folder_is_the_three_files():
    result = read("police_uk", POLICE_DIR)
    assert [(f.name, f.rows_read, f.rows_accepted, f.rows_rejected) for f in result.report.files] == [
        ("2014-10-city-of-london-street.csv", 119, 112, 7),
        ("2015-01-city-of-london-street.csv", 105, 102, 3),
        ("2015-08-city-of-london-street.csv", 104, 101, 3),
    ]
    months = result.incidents["occurred_from"].dt.strftime("%Y-%m").value_counts().to_dict()
    assert months == {"2014-10": 112, "2015-01": 102, "2015-08": 101}
    # Thurrock (row 102 of 2015-08) is in Great Britain: without a workspace area it is kept
    assert (result.incidents["location_text"] == "On or near Mucking Wharf Road").sum() == 1


def test_police_uk_zip_equals_the_folder_and_ignores_outcomes_files():
    from_zip = read("police_uk", POLICE_ZIP)
    from_folder = read("police_uk", POLICE_DIR)
    assert [f.name for f in from_zip.report.files] == [
        f"city-of-london-archive.zip:{m}/{m}-city-of-london-street.csv" for m in ("2014-10", "2015-01", "2015-08")
    ]
    pd.testing.assert_frame_equal(from_zip.incidents, from_folder.incidents)
    assert from_zip.report.rejected_by_reason == from_folder.report.rejected_by_reason


def test_police_uk_one_crime_id_different_crime_types_both_kept():
    """Real Metropolitan records (re-laid): one crime reference, a robbery and a public order offence."""
    result = read("police_uk", POLICE_RELAID)
    assert result.report.rows_rejected == 0
    inc = by_id(result.incidents)
    assert inc.loc[ALGARVE, "category"] == "Robbery"
    assert inc.loc[f"{ALGARVE}-1", "category"] == "Public order"
    shared = [i for i in inc.index if not i.startswith("h")]
    assert len(shared) == 6 and sum(i.endswith("-1") for i in shared) == 3


def test_police_uk_one_crime_id_two_map_points_are_two_offences():
    inc = by_id(read("police_uk", POLICE_2014_10).incidents)
    assert inc.loc[NIGHTCLUB, "location_text"] == "On or near Nightclub"  # row 105
    assert inc.loc[f"{NIGHTCLUB}-1", "location_text"] == "On or near Great St Thomas Apostle"  # row 108


def test_police_uk_rows_differing_only_in_outcome_are_duplicates():
    result = read("police_uk", POLICE_2014_10)
    dup = result.rejects[result.rejects["reason"] == "duplicate id"]
    assert dup["row"].astype(int).tolist() == [94, 103, 115, 117]
    # the first of each pair is kept, under the plain Crime ID
    first = by_id(result.incidents)
    assert "6f503bbbc5e0f9dce6fbbcccf37be274917dde0c9a99d7a2088315101f315503" in first.index  # row 92
    assert not any(i.startswith("6f503bbbc5e0f9dce6fb") and i.endswith("-1") for i in first.index)


def test_police_uk_asb_rows_get_derived_ids():
    inc = read("police_uk", POLICE_2014_10).incidents
    asb = inc[inc["category"] == "Anti-social behaviour"]
    raw = pd.read_csv(POLICE_2014_10, dtype=str, keep_default_na=False)
    assert len(asb) == raw["Crime type"].eq("Anti-social behaviour").sum()
    assert asb["incident_id"].str.fullmatch(r"h[0-9a-f]{16}-\d+").all()
    assert asb["incident_id"].is_unique


# --- police.uk API CSV ----------------------------------------------------------------------
def test_police_uk_api_csv_and_gz_are_the_same():
    plain = read("police_uk_api", API_CSV)
    gz = read("police_uk_api", API_GZ)
    pd.testing.assert_frame_equal(plain.incidents, gz.incidents)
    assert plain.report.rows_read == gz.report.rows_read == 294
    assert plain.report.rows_rejected == 0


def test_police_uk_api_ids_and_rows():
    inc = by_id(read("police_uk_api", API_CSV).incidents)
    assert inc["source"].eq("police_uk_api").all()
    # rows 2 and 3: two ASB records at one point keep their own API ids
    for api_id in ("46043567", "46046469"):
        assert inc.loc[api_id, "category"] == "Anti-social behaviour"
        assert inc.loc[api_id, "location_text"] == "On or near Belleville Road"
        assert inc.loc[api_id, "occurred_to"] == pd.Timestamp("2016-01-31 23:59", tz=LONDON)
    # rows 75/76: one persistent_id, a robbery and a public order offence
    assert inc.loc["46163088", "category"] == "Robbery"
    assert inc.loc["46163089", "category"] == "Public order"
    assert inc.loc["46163088", "location_precision_m"] == 150
    assert inc["category"].value_counts()["Anti-social behaviour"] == 58


def test_police_uk_api_category_slugs_without_crime_type(tmp_path):
    frame = pd.read_csv(API_CSV, dtype=str, keep_default_na=False).drop(columns="crime_type")
    path = tmp_path / "slugs.csv"
    frame.to_csv(path, index=False)
    with_slugs = read("police_uk_api", path).incidents
    with_names = read("police_uk_api", API_CSV).incidents
    pd.testing.assert_series_equal(with_slugs["category"], with_names["category"])
    assert "Violence and sexual offences" in set(with_slugs["category"])


def test_police_uk_api_without_any_category_column(tmp_path):
    frame = pd.read_csv(API_CSV, dtype=str, keep_default_na=False).drop(columns=["crime_type", "category"])
    path = tmp_path / "nocat.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(IntakeError, match="nocat.csv: has neither a 'crime_type' nor a 'category' column"):
        read("police_uk_api", path)


# --- fire ---------------------------------------------------------------------------------------
FIRES = ["2091", "3091", "5091", "9091", "10091", "12091", "15091", "23091"]


def test_fire_keeps_fires_only():
    result = read("fire", FIRE)
    assert result.report.rows_read == 20
    assert sorted(result.incidents["incident_id"], key=int) == sorted(FIRES, key=int)
    assert result.report.rejected_by_reason == {"not a fire": 12}
    skipped = result.rejects.set_index("row")
    assert skipped.loc[2, "IncidentNumber"] == "235138081"  # Special Service, road traffic collision
    assert skipped.loc[7, "StopCodeDescription"] == "AFA"  # a false alarm
    assert set(result.rejects["reason"]) == {"not a fire"}


def test_fire_minute_times_and_precise_coordinates():
    inc = by_id(read("fire", FIRE).incidents)
    row = inc.loc["2091"]  # 01 Jan 2009 00:03:00, Secondary Fire, Outdoor, Haselbury
    assert row["occurred_from"] == row["occurred_to"] == pd.Timestamp("2009-01-01 00:03:00", tz=LONDON)
    assert row["time_precision"] == "minute"
    assert row["easting"] == 533773.0 and row["northing"] == 194492.0
    assert row["location_precision_m"] == 1
    assert row["latitude"] == pytest.approx(51.6333422942, abs=5e-5)  # the file's own lat/lon, ~2 m
    assert row["location_text"] == "N9, Haselbury"
    assert row["source_category"] == "Secondary Fire / Outdoor / Not recorded"
    assert row["category"] == "Fire, motive not recorded"
    assert row["subcategory"] == "Secondary fire"
    assert inc.loc["23091", "subcategory"] == "Primary fire (excluding vehicles)"
    assert inc.loc["15091", "occurred_from"] == pd.Timestamp("2009-01-01 00:19:00", tz=LONDON)


def test_fire_falls_back_to_the_50m_rounded_pair():
    row = by_id(read("fire", FIRE).incidents).loc["12091"]  # Easting_m blank, no lat/lon
    assert row["easting"] == 531350.0
    assert row["northing"] == 195850.0
    assert row["location_precision_m"] == 50
    assert row["location_text"] == "N21, Grange Park"


def test_fire_falls_back_to_latitude_longitude(tmp_path):
    frame = pd.read_csv(FIRE, dtype=str, keep_default_na=False)
    rows = frame["IncidentNumber"].eq("5091")
    frame.loc[rows, ["Easting_m", "Northing_m", "Easting_rounded", "Northing_rounded"]] = ""
    path = tmp_path / "latlon.csv"
    frame.to_csv(path, index=False)
    row = by_id(read("fire", path).incidents).loc["5091"]
    assert row["location_precision_m"] == 10
    assert row["longitude"] == pytest.approx(-0.111120228)
    assert row["latitude"] == pytest.approx(51.551440631)
    assert row["easting"] == pytest.approx(531058.0, abs=3.0)


def test_fire_motive_column_lets_the_taxonomy_say_what_is_deliberate():
    result = read("fire", FIRE_MOTIVE)  # the "Motive" column is found by name
    inc = by_id(result.incidents)
    assert inc.loc["2091", "source_category"] == "Secondary Fire / Outdoor / Deliberate"
    assert inc.loc["2091", "category"] == "Deliberate fire"
    assert inc.loc["2091", "subcategory"] == "Deliberate secondary fire"
    assert inc.loc["2091", "groups"] == "deliberate_fire;signal_crimes"
    assert inc.loc["12091", "subcategory"] == "Accidental dwelling fire"
    assert inc.loc["23091", "subcategory"] == "Other accidental fire"
    # a blank motive is "Not recorded"
    assert inc.loc["9091", "category"] == "Fire, motive not recorded"
    assert (inc["category"] == "Deliberate fire").sum() == 4
    assert result.report.rejected_by_reason == {"not a fire": 12}


def test_fire_named_motive_column(tmp_path):
    frame = pd.read_csv(FIRE_MOTIVE, dtype=str, keep_default_na=False).rename(columns={"Motive": "Cause"})
    path = tmp_path / "cause.csv"
    frame.to_csv(path, index=False)
    assert by_id(read("fire", path).incidents).loc["2091", "category"] == "Fire, motive not recorded"
    inc = by_id(read("fire", path, motive_column="Cause").incidents)
    assert inc.loc["2091", "category"] == "Deliberate fire"
    with pytest.raises(IntakeError, match="cause.csv: has no motive column 'Motive_typo'"):
        read("fire", path, motive_column="Motive_typo")


# --- mapped council ASB / street drinking ------------------------------------------------------
def test_council_asb_bng_cp1252():
    result = read_council(area=None)
    inc = by_id(result.incidents)
    assert result.report.rows_read == 32
    assert inc["source"].eq("council_asb").all()
    row = inc.loc["ASB/16/01001"]  # row 2: 26/02/2016 00:04, 528295, 175993
    assert row["occurred_from"] == row["occurred_to"] == pd.Timestamp("2016-02-26 00:04", tz=LONDON)
    assert row["time_precision"] == "minute"
    assert row["easting"] == 528295.0 and row["northing"] == 175993.0
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(528295.0, 175993.0)
    assert row["longitude"] == pytest.approx(lon, abs=1e-6)
    assert row["latitude"] == pytest.approx(lat, abs=1e-6)
    assert row["location_precision_m"] == 0
    assert row["category"] == "Anti-social behaviour"
    assert row["subcategory"] == "Rowdy and inconsiderate"
    # row 3: blank time, day precision
    assert inc.loc["ASB/16/01002", "time_precision"] == "day"
    assert inc.loc["ASB/16/01002", "occurred_to"] == pd.Timestamp("2016-02-06 23:59", tz=LONDON)
    # row 4: 01/02/2016 is 1 February
    assert inc.loc["ASB/16/01003", "occurred_from"] == pd.Timestamp("2016-02-01 14:13", tz=LONDON)
    # rows 5 and 6: Windows-1252 text decoded
    assert inc.loc["ASB/16/01004", "location_text"] == "On or near Petrol Station, outside the café"
    assert inc.loc["ASB/16/01005", "location_text"] == "On or near Winstanley Road, by the £1 shop"
    # Edinburgh is in Great Britain: kept when the workspace has no area
    assert "ASB/16/02006" in inc.index
    assert any("Windows-1252" in n for n in result.report.notes)
    assert any("British National Grid easting/northing 26" in n for n in result.report.notes)


def test_street_drinking_wgs84_bom_swapped_and_windows():
    result = read_drinking(area=None)
    inc = by_id(result.incidents)
    assert result.report.rows_read == 29
    # rows 5, 9, 17: latitude and longitude swapped, put right
    row = inc.loc["SD-20160604"]
    assert row["longitude"] == pytest.approx(-0.165880)
    assert row["latitude"] == pytest.approx(51.428120)
    e, n = bng(-0.165880, 51.428120)
    assert row["easting"] == pytest.approx(e, abs=1.0)
    assert any("3 rows had latitude and longitude swapped" in n for n in result.report.notes)
    # row 10: a window over midnight
    win = inc.loc["SD-201609001"]
    assert win["occurred_from"] == pd.Timestamp("2016-06-24 22:00", tz=LONDON)
    assert win["occurred_to"] == pd.Timestamp("2016-06-25 02:30", tz=LONDON)
    assert win["time_precision"] == "minute"
    # row 7: a date alone
    assert inc.loc["SD-20160606", "time_precision"] == "day"
    # rows 2 and 3: ISO with "T" and with a space
    assert inc.loc["SD-20160601", "occurred_from"] == pd.Timestamp("2016-06-24 14:21", tz=LONDON)
    assert inc.loc["SD-20160602", "occurred_from"] == pd.Timestamp("2016-06-25 12:33", tz=LONDON)
    assert inc.loc["SD-20160602", "subcategory"] == "Street drinking (aggressive)"
    assert inc["location_precision_m"].eq(10).all()
    # clock changes: row 24 (no 01:30 on 27 March 2016) and row 26 (01:30 twice on 30 October)
    assert inc.loc["SD-201609008", "occurred_from"] == pd.Timestamp("2016-03-27 02:00", tz=LONDON)
    assert inc.loc["SD-201609008", "occurred_from"].utcoffset() == pd.Timedelta(hours=1)
    assert inc.loc["SD-201609009", "occurred_from"] == pd.Timestamp("2016-10-30 00:30", tz="UTC")
    assert inc.loc["SD-201609009", "occurred_from"].utcoffset() == pd.Timedelta(hours=1)
    assert any("byte-order mark" in n for n in result.report.notes)


def test_mapped_csv_without_id_column_derives_ids(tmp_path):
    text = (DRINKING_MAPPING.read_text(encoding="utf-8").replace('id = "Log No"\n', ""))
    mapping = tmp_path / "noid.toml"
    mapping.write_text(text, encoding="utf-8")
    a = read("street_drinking", DRINKING, mapping=mapping).incidents
    b = read("street_drinking", DRINKING, mapping=mapping).incidents
    assert a["incident_id"].str.fullmatch(r"h[0-9a-f]{16}-0").all()
    assert a["incident_id"].tolist() == b["incident_id"].tolist()


def test_mapping_source_name_and_vocabulary(tmp_path):
    mapping = tmp_path / "sim.toml"
    mapping.write_text('source_name = "street_drinking_simulated"\n'
                       + DRINKING_MAPPING.read_text(encoding="utf-8"), encoding="utf-8")
    result = read("street_drinking", DRINKING, mapping=mapping)
    assert result.report.source == "street_drinking_simulated"
    assert result.incidents["source"].eq("street_drinking_simulated").all()
    # the vocabulary drops "_simulated": categories still map
    assert result.report.unmapped == {"Drinking in the churchyard": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[columns]\ndate = "D"\ncategory = "C"\n', r"must name x, y"),
        ('coordinates = "osgb"\n[columns]\ndate="D"\ncategory="C"\nx="X"\ny="Y"\n', r"coordinates must be .*'osgb'"),
        ('location_precision_m = -5\n[columns]\ndate="D"\ncategory="C"\nx="X"\ny="Y"\n',
         r"location_precision_m .* got -5"),
        ("[columns\n", "not valid TOML"),
    ],
)
def test_bad_mapping_files(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IntakeError, match=message):
        load_mapping(path)


def test_missing_mapping_file(tmp_path):
    with pytest.raises(IntakeError, match="no such mapping file"):
        load_mapping(tmp_path / "nope.toml")


def test_reader_for_unknown_source_and_missing_mapping():
    with pytest.raises(IntakeError, match="unknown source 'police'"):
        reader_for("police")
    with pytest.raises(IntakeError, match="--source council_asb needs --mapping FILE"):
        reader_for("council_asb")


@pytest.mark.parametrize(
    ("source", "path", "kwargs", "missing"),
    [
        ("police_uk", API_CSV, {}, ["'Crime ID'", "'Month'", "'Longitude'", "'Latitude'", "'Location'", "'LSOA code'",
                                    "'Crime type'"]),
        ("police_uk_api", POLICE_2015_08, {}, ["'id'", "'month'", "'latitude'", "'longitude'"]),
        ("fire", API_CSV, {}, ["'IncidentNumber'", "'DateOfCall'", "'TimeOfCall'"]),
        ("council_asb", DRINKING, {"mapping": COUNCIL_MAPPING}, ["'Case Ref'", "'Date Received'", "'Easting'"]),
        ("street_drinking", COUNCIL, {"mapping": DRINKING_MAPPING}, ["'Log No'", "'Reported From'", "'Latitude'"]),
    ],
)
def test_missing_columns_error_names_file_and_columns(source, path, kwargs, missing):
    with pytest.raises(IntakeError) as err:
        read(source, path, **kwargs)
    message = str(err.value)
    assert message.startswith(f"{path.name}: ")
    for column in missing:
        assert column in message
    assert "\n" not in message


def test_fire_without_any_coordinate_columns(tmp_path):
    frame = pd.read_csv(FIRE, dtype=str, keep_default_na=False)
    frame = frame.drop(columns=["Easting_m", "Northing_m", "Easting_rounded", "Northing_rounded", "Latitude",
                                "Longitude"])
    path = tmp_path / "nocoords.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(IntakeError, match="nocoords.csv: has no coordinate columns"):
        read("fire", path)


def test_readers_do_not_change_their_files(tmp_path):
    copies = []
    for path in (POLICE_2014_10, API_GZ, FIRE_MOTIVE, COUNCIL, DRINKING):
        copy = tmp_path / path.name
        shutil.copyfile(path, copy)
        copies.append((copy, path.read_bytes()))
    read("police_uk", copies[0][0])
    read("police_uk_api", copies[1][0])
    read("fire", copies[2][0])
    read("council_asb", copies[3][0], mapping=COUNCIL_MAPPING)
    read("street_drinking", copies[4][0], mapping=DRINKING_MAPPING)
    for copy, data in copies:
        assert copy.read_bytes() == data
