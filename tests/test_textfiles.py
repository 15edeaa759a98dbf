"""hotspot_tasking.intake.textfiles: encodings, row numbers, folders, zips and gzip."""

from __future__ import annotations

import gzip
import zipfile

import pandas as pd
import pytest
from conftest import API_CSV, API_GZ, COUNCIL, DRINKING, FIRE, POLICE_2014_10, POLICE_DIR, POLICE_ZIP

from hotspot_tasking.intake import IntakeError
from hotspot_tasking.intake.textfiles import expand_paths, parse_csv, read_csvs


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("place,cost\nCafé,£1\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "place,cost\nCafé,£1\n".encode(), "utf-8-sig"),
        ("place,cost\nCafé,£1\n".encode("cp1252"), "cp1252"),
    ],
)
def test_the_three_encodings(data, encoding):
    csv = parse_csv(data, "x.csv")
    assert csv.encoding == encoding
    assert list(csv.frame.columns) == ["place", "cost"]
    assert csv.frame.iloc[0].tolist() == ["Café", "£1"]


def test_utf8_with_bom_first_column_is_not_polluted():
    csv = parse_csv(DRINKING.read_bytes(), DRINKING.name)
    assert csv.encoding == "utf-8-sig"
    assert list(csv.frame.columns)[0] == "Log No"
    assert not any("\ufeff" in c for c in csv.frame.columns)
    assert csv.frame["Log No"].iloc[0] == "SD-20160601"
    assert "Place de l'Hôtel de Ville, Paris (test entry)" in set(csv.frame["Street"])


def test_windows_1252_pound_and_e_acute_survive():
    raw = COUNCIL.read_bytes()
    assert b"\xa31 shop" in raw and b"caf\xe9" in raw  # the fixture really is Windows-1252
    csv = parse_csv(raw, COUNCIL.name)
    assert csv.encoding == "cp1252"
    locations = set(csv.frame["Location"])
    assert "On or near Winstanley Road, by the £1 shop" in locations
    assert "On or near Petrol Station, outside the café" in locations
    assert not any("\ufffd" in v for v in locations)
    assert list(csv.frame.columns) == ["Case Ref", "Date Received", "Time Received", "ASB Type",
                                       "Easting", "Northing", "Location", "Ward"]
    # CRLF line ends leave no stray carriage returns
    assert not csv.frame["Ward"].str.contains("\r").any()


def test_plain_utf8_real_files():
    fire = parse_csv(FIRE.read_bytes(), FIRE.name)
    assert fire.encoding == "utf-8"
    assert "Notional Cost (£)" in fire.frame.columns
    police = parse_csv(POLICE_2014_10.read_bytes(), POLICE_2014_10.name)
    assert police.encoding == "utf-8"


def test_everything_is_text_and_blanks_are_empty_strings():
    csv = parse_csv(POLICE_2014_10.read_bytes(), POLICE_2014_10.name)
    assert len(csv.frame) == 119
    assert all(str(t) in ("str", "string", "object") for t in csv.frame.dtypes)
    # row 6 is an ASB row: no Crime ID
    assert csv.frame["Crime ID"].iloc[4] == ""
    # "-0.096348" stays text, not a float
    assert csv.frame["Longitude"].iloc[4] == "-0.096348"
    assert not csv.frame.isna().any().any()


def test_row_numbers_are_spreadsheet_rows():
    csv = parse_csv(POLICE_2014_10.read_bytes(), POLICE_2014_10.name)
    assert csv.rows.iloc[0] == 2
    assert csv.rows.iloc[-1] == 120
    # row 118 of the file (its 118th line) is the first "No Location" row
    lines = POLICE_2014_10.read_text(encoding="utf-8").splitlines()
    assert ",No Location," in lines[118 - 1]
    assert csv.frame["Location"][csv.rows == 118].item() == "No Location"


def test_row_numbers_count_records_not_lines_when_a_value_spans_lines():
    data = b'id,note\n1,"two\nlines"\n2,plain\n'
    csv = parse_csv(data, "notes.csv")
    assert list(csv.rows) == [2, 3]
    assert csv.frame["note"].tolist() == ["two\nlines", "plain"]


def test_empty_file_and_repeated_header_are_errors_naming_the_file():
    with pytest.raises(IntakeError, match=r"empty\.csv: the file is empty"):
        parse_csv(b"", "empty.csv")
    with pytest.raises(IntakeError, match=r"twice\.csv: .*\['Date'\]"):
        parse_csv(b"Date,Date\n1,2\n", "twice.csv")


def test_folder_gives_matching_files_in_order():
    files = expand_paths([POLICE_DIR], "*-street.csv")
    assert [p.name for p in files] == [
        "2014-10-city-of-london-street.csv",
        "2015-01-city-of-london-street.csv",
        "2015-08-city-of-london-street.csv",
    ]


def test_zip_members_laid_out_as_the_police_uk_archive_outcomes_ignored():
    with zipfile.ZipFile(POLICE_ZIP) as archive:
        assert "2015-01/2015-01-city-of-london-outcomes.csv" in archive.namelist()
    got = list(read_csvs([POLICE_ZIP], "*-street.csv"))
    assert [c.name for c in got] == [
        "city-of-london-archive.zip:2014-10/2014-10-city-of-london-street.csv",
        "city-of-london-archive.zip:2015-01/2015-01-city-of-london-street.csv",
        "city-of-london-archive.zip:2015-08/2015-08-city-of-london-street.csv",
    ]
    from_folder = list(read_csvs([POLICE_DIR], "*-street.csv"))
    for a, b in zip(got, from_folder):
        pd.testing.assert_frame_equal(a.frame, b.frame)


def test_gzip_reads_like_the_plain_file():
    assert gzip.decompress(API_GZ.read_bytes()) == API_CSV.read_bytes()
    (plain,) = read_csvs([API_CSV])
    (gz,) = read_csvs([API_GZ])
    assert gz.name == API_GZ.name
    pd.testing.assert_frame_equal(plain.frame, gz.frame)
    assert len(gz.frame) == 294


def test_missing_paths_and_empty_folders_are_errors(tmp_path):
    with pytest.raises(IntakeError, match="no-such.csv: no such file or folder"):
        expand_paths([tmp_path / "no-such.csv"])
    with pytest.raises(IntakeError, match=r"holds no files matching '\*-street.csv'"):
        expand_paths([tmp_path], "*-street.csv")


def test_zip_without_matching_members_is_an_error(tmp_path):
    path = tmp_path / "outcomes-only.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2015-01/2015-01-city-of-london-outcomes.csv", "Crime ID,Month\n")
    with pytest.raises(IntakeError, match="outcomes-only.zip: the zip holds no files matching"):
        list(read_csvs([path], "*-street.csv"))


def test_corrupt_gzip_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(gzip.compress(API_CSV.read_bytes())[:200])
    with pytest.raises(IntakeError, match="broken.csv.gz: could not be read"):
        list(read_csvs([path]))


def test_reading_does_not_change_the_files():
    before = {p: p.read_bytes() for p in (COUNCIL, DRINKING, POLICE_ZIP)}
    list(read_csvs([COUNCIL, DRINKING]))
    list(read_csvs([POLICE_ZIP], "*-street.csv"))
    assert {p: p.read_bytes() for p in before} == before


def test_row_numbers_match_the_spreadsheet_when_the_file_has_a_blank_line():
    """A spreadsheet opening this file shows the blank line as (empty) row 3, so B is row 4."""
    data = b"id,note\nA,first\n\nB,second\n"
    csv = parse_csv(data, "gap.csv")
    assert csv.frame["id"].tolist() == ["A", "B"]
    assert csv.rows.tolist() == [2, 4]
