"""Column-mapping files that say what is wrong: misspelt keys name the nearest valid key,
a window end without its day is refused, and a fixed value can stand in for a column
(police.uk-derived ASB files have no category column)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import read

from hotspot_tasking.intake import IntakeError, reader_for
from hotspot_tasking.intake.readers.mapped_csv import COLUMN_KEYS, load_mapping, mapping_from

LONDON = "Europe/London"
GOOD_COLUMNS = '[columns]\ndate = "Date"\ncategory = "Type"\nx = "Longitude"\ny = "Latitude"\n'

# police.uk-derived ASB, tab-separated: no category column, a month for a date
ASB_ROWS = [
    ("2024-03", "-0.116773", "51.496457", "On or near Lambeth Road", "E01003013"),
    ("2024-03", "-0.123925", "51.489231", "On or near Kennington Lane", "E01003017"),
    ("2024-03", "-0.111424", "51.462285", "On or near Brixton Road", "E01003129"),
    ("2024-03", "-0.116773", "51.496457", "On or near Lambeth Road", "E01003013"),
]
ASB_MAPPING = """# police.uk ASB exported by month, tab-separated
source_name = "police_uk_asb"
vocabulary = "police_uk"
coordinates = "wgs84"
location_precision_m = 150

[columns]
date = "month"
category = { value = "Anti-social behaviour" }
longitude = "longitude"
latitude = "latitude"
location_text = "location"
"""


def write_asb(tmp_path, mapping: str = ASB_MAPPING):
    lines = ["\t".join(("month", "longitude", "latitude", "location", "lsoa_code"))]
    lines += ["\t".join(row) for row in ASB_ROWS]
    csv = tmp_path / "lambeth_asb_2024-03.tsv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "asb_mapping.toml"
    path.write_text(mapping, encoding="utf-8")
    return csv, path


def write_mapping(tmp_path, text: str, name: str = "council_mapping.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- unknown keys ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "table", "key", "nearest"),
    [
        (GOOD_COLUMNS + 'locaton_text = "Street"\n', "[columns]", "locaton_text", "location_text"),
        (GOOD_COLUMNS + 'tme = "Time"\n', "[columns]", "tme", "time"),
        (GOOD_COLUMNS.replace("category", "catgory"), "[columns]", "catgory", "category"),
        (GOOD_COLUMNS + 'date_too = "Until"\n', "[columns]", "date_too", "date_to"),
        ('cordinates = "bng"\n' + GOOD_COLUMNS, "top level", "cordinates", "coordinates"),
        ('location_precision = 10\n' + GOOD_COLUMNS, "top level", "location_precision", "location_precision_m"),
        ('vocabulary = "council_asb"\nsource = "x"\n' + GOOD_COLUMNS, "top level", "source", "source_name"),
    ],
)
def test_a_misspelt_key_names_the_nearest_valid_one(tmp_path, text, table, key, nearest):
    path = write_mapping(tmp_path, text)
    with pytest.raises(IntakeError) as err:
        load_mapping(path)
    message = str(err.value)
    assert message.startswith(f"council_mapping.toml, {table}: unknown key '{key}' (did you mean '{nearest}'?)")
    assert message.count(".") <= 2  # one sentence ("council_mapping.toml" has the other full stop)


def test_a_misspelt_key_also_stops_the_reader_before_any_row_is_read(tmp_path):
    path = write_mapping(tmp_path, GOOD_COLUMNS + 'locaton_text = "Street"\n')
    with pytest.raises(IntakeError, match=r"did you mean 'location_text'\?"):
        reader_for("council_asb", path)


def test_keys_in_columns_are_not_case_sensitive_but_still_checked(tmp_path):
    ok = load_mapping(write_mapping(tmp_path, GOOD_COLUMNS + 'Location_Text = "Street"\n'))
    assert ok["columns"]["location_text"] == "Street"
    with pytest.raises(IntakeError, match=r"unknown key 'Locaton_Text' \(did you mean 'location_text'\?\)"):
        load_mapping(write_mapping(tmp_path, GOOD_COLUMNS + 'Locaton_Text = "Street"\n'))


def test_a_key_nothing_is_near_lists_the_valid_keys(tmp_path):
    path = write_mapping(tmp_path, GOOD_COLUMNS + 'ward = "Ward"\n')
    with pytest.raises(IntakeError) as err:
        load_mapping(path)
    message = str(err.value)
    assert "unknown key 'ward'; the keys it takes are " + ", ".join(COLUMN_KEYS) in message
    assert "did you mean" not in message


def test_several_unknown_keys_are_named_together(tmp_path):
    path = write_mapping(tmp_path, GOOD_COLUMNS + 'tme = "Time"\nward = "Ward"\n')
    with pytest.raises(IntakeError, match=r"unknown keys 'tme' \(did you mean 'time'\?\) and 'ward'; .* remove them"):
        load_mapping(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # written above the [columns] line: a column key at the top level
        ('location_text = "Street"\n' + GOOD_COLUMNS,
         r"top level: unknown key 'location_text' \(it belongs under \[columns\]\)"),
        ('locaton_text = "Street"\n' + GOOD_COLUMNS,
         r"top level: unknown key 'locaton_text' \(did you mean 'location_text', which belongs under \[columns\]\?\)"),
        # written below it: a setting in [columns]
        (GOOD_COLUMNS + 'coordinates = "bng"\n',
         r"\[columns\]: unknown key 'coordinates' \(it belongs at the top level, above \[columns\]\)"),
    ],
)
def test_a_key_in_the_wrong_table_says_where_it_belongs(tmp_path, text, message):
    with pytest.raises(IntakeError, match=message):
        load_mapping(write_mapping(tmp_path, text))


def test_two_keys_for_one_column_are_refused(tmp_path):
    path = write_mapping(tmp_path, GOOD_COLUMNS + 'easting = "Easting"\n')
    with pytest.raises(IntakeError, match=r"\[columns\]: x and easting both name the first coordinate; keep one"):
        load_mapping(path)


# --- windows -------------------------------------------------------------------------------------
def test_time_to_without_date_to_is_refused(tmp_path):
    path = write_mapping(tmp_path, GOOD_COLUMNS + 'time = "From"\ntime_to = "To"\n')
    with pytest.raises(IntakeError) as err:
        load_mapping(path)
    message = str(err.value)
    assert message.startswith("council_mapping.toml, [columns]: time_to needs date_to")
    assert "add date_to (the same column as date if windows end on the day they start), or remove time_to." \
        in message


def test_a_same_day_window_maps_date_to_to_the_date_column(tmp_path):
    csv = tmp_path / "patrol_log.csv"
    csv.write_text("Ref,Date,From,To,Type,Longitude,Latitude\n"
                   "P1,01/03/2024,18:00,20:00,Street drinking,-0.116773,51.496457\n"
                   "P2,02/03/2024,23:00,01:00,Street drinking,-0.116773,51.496457\n", encoding="utf-8")
    mapping = write_mapping(tmp_path, GOOD_COLUMNS + 'id = "Ref"\ntime = "From"\ndate_to = "Date"\ntime_to = "To"\n')
    result = read("street_drinking", csv, mapping=mapping)
    row = result.incidents.set_index("incident_id").loc["P1"]
    assert row["occurred_from"] == pd.Timestamp("2024-03-01 18:00", tz=LONDON)
    assert row["occurred_to"] == pd.Timestamp("2024-03-01 20:00", tz=LONDON)
    assert row["time_precision"] == "minute"
    # past midnight on one date column: the end is before the start, rejected rather than guessed
    assert result.report.rejected_by_reason == {"time window ends before it starts": 1}


def test_time_to_without_a_start_time_runs_from_the_start_of_the_day(tmp_path):
    csv = tmp_path / "log.csv"
    csv.write_text("Ref,Date,Until,At,Type,Longitude,Latitude\n"
                   "L1,01/03/2024,02/03/2024,06:30,Street drinking,-0.116773,51.496457\n", encoding="utf-8")
    mapping = write_mapping(tmp_path, GOOD_COLUMNS + 'id = "Ref"\ndate_to = "Until"\ntime_to = "At"\n')
    inc = read("street_drinking", csv, mapping=mapping).incidents
    assert inc["occurred_from"].iloc[0] == pd.Timestamp("2024-03-01 00:00", tz=LONDON)
    assert inc["occurred_to"].iloc[0] == pd.Timestamp("2024-03-02 06:30", tz=LONDON)


# --- fixed values --------------------------------------------------------------------------------
def test_a_fixed_category_imports_a_police_uk_asb_file_with_no_category_column(tmp_path):
    csv, mapping = write_asb(tmp_path)
    result = read("council_asb", csv, mapping=mapping)
    inc = result.incidents
    report = result.report
    assert report.rows_read == len(ASB_ROWS) == report.rows_accepted == len(inc)
    assert report.rejected_by_reason == {}
    assert report.unmapped == {}
    assert inc["source"].eq("police_uk_asb").all()
    assert inc["source_category"].eq("Anti-social behaviour").all()
    assert inc["category"].eq("Anti-social behaviour").all()
    # a police.uk month is the whole month
    assert inc["occurred_from"].eq(pd.Timestamp("2024-03-01 00:00", tz=LONDON)).all()
    assert inc["occurred_to"].eq(pd.Timestamp("2024-03-31 23:59", tz=LONDON)).all()
    assert inc["time_precision"].eq("month").all()
    assert inc["location_text"].tolist() == [row[3] for row in ASB_ROWS]
    assert inc["location_precision_m"].eq(150).all()
    # identical rows keep distinct derived ids
    assert inc["incident_id"].is_unique


def test_a_missing_column_beside_a_fixed_value_names_only_the_column_and_the_delimiter(tmp_path):
    csv, mapping = write_asb(tmp_path, ASB_MAPPING.replace('location_text = "location"', 'location_text = "Street"'))
    with pytest.raises(IntakeError) as err:
        read("council_asb", csv, mapping=mapping)
    message = str(err.value)
    assert message == ("lambeth_asb_2024-03.tsv: is not a police_uk_asb CSV file: it has no column 'Street' "
                       "(read as tab-separated; its columns are: 'month', 'longitude', 'latitude', 'location', "
                       "'lsoa_code'); check the column names in asb_mapping.toml against the file's header row.")
    assert "Anti-social behaviour" not in message


def test_fixed_date_and_location_fill_every_row(tmp_path):
    csv, mapping = write_asb(tmp_path, ASB_MAPPING.replace('date = "month"', 'date = { value = "2024-02" }')
                             .replace('location_text = "location"', 'location_text = { value = "Lambeth" }'))
    inc = read("council_asb", csv, mapping=mapping).incidents
    assert len(inc) == len(ASB_ROWS)
    assert inc["occurred_from"].eq(pd.Timestamp("2024-02-01 00:00", tz=LONDON)).all()
    assert inc["occurred_to"].eq(pd.Timestamp("2024-02-29 23:59", tz=LONDON)).all()
    assert inc["location_text"].eq("Lambeth").all()


def test_a_toml_date_as_fixed_value_is_read(tmp_path):
    columns = GOOD_COLUMNS.replace('date = "Date"', "date = { value = 2024-03-05 }")
    mapping = load_mapping(write_mapping(tmp_path, columns))
    assert mapping["constants"] == {"date": "2024-03-05"}
    assert "date" not in mapping["columns"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('x = { value = "-0.1" }',
         r"\[columns\]: x cannot be a fixed value \(a fixed coordinate would put every record on one point, "
         r"which is almost always a mistake\); name the CSV's column instead, e.g. x = \"Longitude\"\.$"),
        ('y = { value = "51.5" }', r"y cannot be a fixed value .* e.g. y = \"Latitude\""),
        ('id = { value = "A1" }', r"id cannot be a fixed value \(a fixed id would make every row after the first a "
                                  r"duplicate\); .* leave id out"),
    ],
)
def test_a_fixed_coordinate_or_id_is_refused(tmp_path, line, message):
    key = line.split(" ")[0]
    text = "\n".join(line if row.startswith(f"{key} =") else row for row in GOOD_COLUMNS.splitlines())
    if key == "id":
        text += "\n" + line
    with pytest.raises(IntakeError, match=message):
        load_mapping(write_mapping(tmp_path, text + "\n"))


def test_a_fixed_easting_is_refused_in_its_own_words(tmp_path):
    text = GOOD_COLUMNS.replace('x = "Longitude"', 'easting = { value = "530000" }')
    with pytest.raises(IntakeError, match=r"easting cannot be a fixed value .* e.g. easting = \"Easting\""):
        load_mapping(write_mapping(tmp_path, text))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('date = { value = "March" }', r"date = \{ value = 'March' \} is not a date the import reads"),
        ('time = { value = "25:00" }', r"time = \{ value = '25:00' \} is not a time of day"),
        ('category = { value = "" }', r"category must be a fixed value of text that is not empty; got ''"),
        ('category = { valu = "ASB" }', r"category must be a column name in quotes, or one value for every row "
                                        r"written \{ value = \"...\" \}; got a table \{ valu = 'ASB' \}"),
        ('category = { value = 3 }', r"category must be a fixed value of text that is not empty; got 3"),
    ],
)
def test_a_fixed_value_that_cannot_be_read_is_refused(tmp_path, line, message):
    key = line.split(" ")[0]
    text = GOOD_COLUMNS if key == "time" else "\n".join(
        row for row in GOOD_COLUMNS.splitlines() if not row.startswith(f"{key} ="))
    with pytest.raises(IntakeError, match=message):
        load_mapping(write_mapping(tmp_path, text.rstrip("\n") + "\n" + line + "\n"))


def test_a_missing_category_mentions_a_fixed_value(tmp_path):
    text = GOOD_COLUMNS.replace('category = "Type"\n', "")
    with pytest.raises(IntakeError, match=r"\[columns\]: must name category; .*category = \{ value = \"...\" \}"):
        load_mapping(write_mapping(tmp_path, text))


def test_mapping_from_leaves_its_input_alone():
    data = {"columns": {"date": "Date", "category": {"value": "ASB"}, "x": "X", "y": "Y", "time": ""}}
    before = {"columns": {**data["columns"], "category": {"value": "ASB"}}}
    mapping = mapping_from(data, where="the column choices")
    assert data == before
    assert mapping["columns"] == {"date": "Date", "x": "X", "y": "Y"}
    assert mapping["constants"] == {"category": "ASB"}
