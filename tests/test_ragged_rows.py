"""A malformed row is a rejected row: ragged records go to quarantine with their row number
and the rest of the file imports; tab, semicolon and pipe files read, and messages about
columns name the delimiter; the rejected rows are formula-safe."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import API_CSV, CITY_AREA, POLICE_2014_10, read

from hotspot_tasking.geo.report import MALFORMED_ROW
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.intake.errors import IntakeError
from hotspot_tasking.intake.store import ingest_files
from hotspot_tasking.intake.textfiles import expand_paths, parse_csv, read_csvs, sniff_delimiter

LINES = POLICE_2014_10.read_text(encoding="utf-8").splitlines()
HEADER, RECORDS = LINES[0], LINES[1:]
ROWS = len(RECORDS)  # 119 records, spreadsheet rows 2..120


def write(tmp_path, lines, name="2014-10-city-of-london-street.csv", end="\n"):
    path = tmp_path / name
    path.write_bytes((end.join(lines) + end).encode("utf-8"))
    return path


def assert_adds_up(result, rows_read):
    report = result.report
    assert report.rows_read == rows_read
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    assert sum(report.rejected_by_reason.values()) == report.rows_rejected


def malformed(result) -> pd.DataFrame:
    return result.rejects[result.rejects["reason"] == MALFORMED_ROW]


# --- the four malformed cases ----------------------------------------------------------------
def with_extra_field(records):
    out = list(records)
    out[9] = out[9] + ",an extra field"  # spreadsheet row 11
    return out, 11, "has 13 fields where the header has 12"


def with_unquoted_comma(records):
    out = list(records)
    out[19] = out[19].replace("On or near ", "On or near Flat 2, ", 1)
    return out, 21, "has 13 fields where the header has 12"


def with_short_row(records):
    out = list(records)
    out[29] = ",".join(out[29].split(",")[:6])  # stops after Latitude
    return out, 31, "has 6 fields where the header has 12"


def with_truncated_last_row(records):
    out = list(records)
    out[-1] = ",".join(out[-1].split(",")[:6])  # the download stopped after the Latitude field
    return out, ROWS + 1, "has 6 fields where the header has 12; the file ends part-way through it"


@pytest.mark.parametrize("case", [with_extra_field, with_unquoted_comma, with_short_row, with_truncated_last_row])
def test_a_ragged_row_is_quarantined_with_its_row_and_the_rest_imports(tmp_path, case):
    records, row, words = case(RECORDS)
    end = "" if case is with_truncated_last_row else "\n"
    path = tmp_path / POLICE_2014_10.name
    path.write_bytes(("\n".join([HEADER, *records]) + end).encode("utf-8"))
    clean = read("police_uk", POLICE_2014_10, area=CITY_AREA)
    result = read("police_uk", path, area=CITY_AREA)

    assert_adds_up(result, ROWS)
    bad = malformed(result)
    assert bad["row"].astype(int).tolist() == [row]
    assert bad["detail"].iloc[0].startswith(words)
    assert result.report.rejected_by_reason[MALFORMED_ROW] == 1
    kept, all_ids = set(result.incidents["incident_id"]), set(clean.incidents["incident_id"])
    assert kept <= all_ids and len(all_ids - kept) <= 1
    # the other rows keep their own row numbers (those after the bad one are not shifted)
    others = result.rejects[result.rejects["reason"] != MALFORMED_ROW]
    assert set(others["row"].astype(int)) <= set(clean.rejects["row"].astype(int))


def test_an_unterminated_quote_is_one_rejected_row_saying_how_far_it_ran(tmp_path):
    records = list(RECORDS)
    records[4] = records[4].replace(",On or near ", ',"On or near ', 1)  # row 6: the quote never closes
    result = read("police_uk", write(tmp_path, [HEADER, *records]), area=CITY_AREA)
    bad = malformed(result)
    assert bad["row"].astype(int).tolist() == [6]
    assert "a quote left open runs it on over" in bad["detail"].iloc[0]
    assert_adds_up(result, 5)  # rows 2-5, then the open quote swallows the rest into row 6


def test_rows_after_blank_lines_and_a_ragged_row_keep_their_spreadsheet_numbers():
    data = b"a,b,c\n1,2,3\n\n4,5\n\n8,9,10\n"
    csv = parse_csv(data, "x.csv")
    assert csv.rows.tolist() == [2, 6]
    assert csv.malformed["row"].tolist() == [4]
    assert csv.rows_read == 3


def test_a_quoted_line_break_is_one_record_beside_a_ragged_one():
    csv = parse_csv(b'a,b,c\n1,"x\ny",3\n4,5\n8,9,10\n', "x.csv")
    assert csv.frame["b"].tolist() == ["x\ny", "9"]
    assert csv.malformed["row"].tolist() == [3]
    assert csv.malformed[["a", "b", "c"]].values.tolist() == [["4", "5", ""]]


def test_a_reader_that_needs_every_row_refuses_a_ragged_file_naming_the_row(tmp_path):
    path = write(tmp_path, ["code,population", "E01,10", "E02,20,30"], name="pop.csv")
    with pytest.raises(IntakeError, match=r"pop.csv, row 3: has 3 fields where the header has 2.*1 malformed row "
                                          r"in all \(read as comma-separated\)"):
        next(read_csvs([path]))


# --- any delimiter --------------------------------------------------------------------------
@pytest.mark.parametrize(("delimiter", "words"), [(",", "comma"), ("\t", "tab"), (";", "semicolon"), ("|", "pipe")])
def test_the_delimiter_is_found_in_the_header(delimiter, words):
    assert sniff_delimiter(delimiter.join(["Month", "Longitude", "Latitude", "Location"])) == delimiter
    csv = parse_csv(f"a{delimiter}b\n1{delimiter}2\n".encode(), "x")
    assert csv.frame.to_dict("list") == {"a": ["1"], "b": ["2"]}
    assert csv.read_as.startswith(f"read as {words}-separated")


def test_a_delimiter_inside_quotes_does_not_count():
    assert sniff_delimiter('"Month;Year",Longitude') == ","


def tab_separated(source_path, tmp_path, name):
    frame = pd.read_csv(source_path, dtype=str, keep_default_na=False)
    path = tmp_path / name
    frame.to_csv(path, sep="\t", index=False)
    return path


def test_a_tab_separated_police_uk_file_reads_as_its_csv_does(tmp_path):
    path = tab_separated(POLICE_2014_10, tmp_path, "2014-10-city-of-london-street.tsv")
    clean = read("police_uk", POLICE_2014_10, area=CITY_AREA)
    result = read("police_uk", path, area=CITY_AREA)
    assert_adds_up(result, ROWS)
    assert result.incidents["incident_id"].tolist() == clean.incidents["incident_id"].tolist()
    assert any("read as tab-separated" in note for note in result.report.notes)


def test_a_tab_separated_police_uk_api_file_reads(tmp_path):
    """month, longitude, latitude, the street and the LSOA code, tab-separated."""
    path = tab_separated(API_CSV, tmp_path, "lambeth.txt")
    clean = read("police_uk_api", API_CSV)
    result = read("police_uk_api", path)
    assert len(result.incidents) == len(clean.incidents) > 0
    assert result.incidents["lsoa_code_given"].tolist() == clean.incidents["lsoa_code_given"].tolist()


def test_tsv_tab_and_txt_files_are_found_in_folders(tmp_path):
    for name in ("a.csv", "b.tsv", "c.tab", "d.txt", "e.json", "f-street.tsv"):
        (tmp_path / name).write_text("x\n1\n")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.csv", "b.tsv", "c.tab", "d.txt", "f-street.tsv"]
    assert [p.name for p in expand_paths([tmp_path], "*-street.csv")] == ["f-street.tsv"]


def test_a_missing_column_message_names_the_delimiter_and_the_columns(tmp_path):
    path = tmp_path / "2014-10-city-of-london-street.csv"
    path.write_text("Crime ID\tMonth\tLongitude\tLatitude\n", encoding="utf-8")
    semicolons = tmp_path / "semi-street.csv"
    semicolons.write_text("Crime ID;Month;Lon;Lat\n", encoding="utf-8")
    with pytest.raises(IntakeError, match=r"has no columns 'Location', 'LSOA code', 'Crime type' \(read as "
                                          r"tab-separated; its columns are: 'Crime ID', 'Month', 'Longitude', "
                                          r"'Latitude'\)"):
        read("police_uk", path)
    with pytest.raises(IntakeError, match=r"has no columns 'Longitude', 'Latitude', .*\(read as semicolon-separated"):
        read("police_uk", semicolons)


# --- formula-safe quarantine ----------------------------------------------------------------
def test_a_formula_in_a_rejected_row_is_neutralised_when_read_back(tmp_path):
    records = list(RECORDS)
    cells = records[2].split(",")
    cells[6] = '"=HYPERLINK(""http://evil.example"")"'  # Location of row 4
    cells[4] = ""  # no longitude: rejected as "no location"
    records[2] = ",".join(cells)
    records[7] = records[7] + ',"@SUM(A1)"'  # row 9: a malformed row carrying a formula
    path = write(tmp_path, [HEADER, *records])
    ws = Workspace.create(tmp_path / "ws", area=CITY_AREA)
    report = ingest_files(ws, [path], "police_uk")
    quarantine = Workspace.open(tmp_path / "ws").quarantine()
    assert report.rows_read == report.rows_accepted + report.rows_rejected == ROWS
    row4 = quarantine[quarantine["row"].astype(int) == 4].iloc[0]
    assert row4["reason"] == "no location"
    assert row4["Location"] == "'=HYPERLINK(\"http://evil.example\")"
    row9 = quarantine[quarantine["row"].astype(int) == 9].iloc[0]
    assert row9["reason"] == MALFORMED_ROW
    assert row9["detail"].startswith("has 13 fields where the header has 12")
    starts = quarantine.astype(str).apply(lambda col: col.str.match(r"[=+\-@\t\r]")).to_numpy()
    assert not starts.any()
