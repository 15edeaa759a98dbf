"""The one TOML loader and typed reader (hotspot_tasking.configfile), and the one date parser."""

import datetime as dt
import math

import pandas as pd
import pytest

from hotspot_tasking.actions.config import TaskingConfig
from hotspot_tasking.actions.errors import ActionLogError
from hotspot_tasking.actions.fields import date_field
from hotspot_tasking.configfile import (
    REQUIRED,
    Boolean,
    ConfigTable,
    Date,
    Number,
    Strings,
    Text,
    default_config_path,
    parse_day,
    read_toml,
)
from hotspot_tasking.errors import UserError
from hotspot_tasking.geo import taxonomy as taxonomy_module
from hotspot_tasking.geo.errors import GeoError
from hotspot_tasking.geo.taxonomy import Taxonomy
from hotspot_tasking.geo.timebands import TimeBands
from hotspot_tasking.intake.errors import IntakeError
from hotspot_tasking.intake.readers.mapped_csv import load_mapping
from hotspot_tasking.ranking.config import RankingConfig
from hotspot_tasking.ranking.errors import RankingError
from hotspot_tasking.ranking.tactics import TacticMenu
from hotspot_tasking.reports.disclosure import DisclosureRules
from hotspot_tasking.reports.errors import ReportError


def write(tmp_path, text: str | bytes, name: str = "tasking.toml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def table(data: dict, **kwargs) -> ConfigTable:
    return ConfigTable(data, file="tasking.toml", error=RankingError, **kwargs)


# --- reading the file --------------------------------------------------------------------------

def test_bad_toml_names_the_file_the_line_and_the_fix(tmp_path):
    path = write(tmp_path, 'default_status = "open"\n\n[ranking\nbaseline_periods = 12\n')
    with pytest.raises(RankingError, match=r"^tasking.toml: not valid TOML at line 3, column 9 \(Expected ']' .*\)\. "
                                           r"Fix: correct that line; check its quotes, brackets and '='\.$"):
        read_toml(path, error=RankingError)


def test_bad_toml_at_the_end_of_the_file_names_the_last_line(tmp_path):
    path = write(tmp_path, 'a = 1\nb = "unterminated\n')
    with pytest.raises(GeoError, match=r"^tasking.toml: not valid TOML at line 2, column \d+ \(Illegal character"):
        read_toml(path, error=GeoError)
    path = write(tmp_path, 'a = 1\nb = """never closed')
    with pytest.raises(GeoError, match=r"not valid TOML at line 2 \(the end of the file\) \(Unterminated string\)"):
        read_toml(path, error=GeoError)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ActionLogError, match=r"nope.toml: no such configuration file\. Fix: check the path\.$"):
        read_toml(tmp_path / "nope.toml", error=ActionLogError)
    with pytest.raises(GeoError, match=r"nope.toml: no such mapping file"):
        read_toml(tmp_path / "nope.toml", error=GeoError, what="mapping file")
    with pytest.raises(GeoError, match=r": cannot be read \(.+\)\. Fix: check the path"):
        read_toml(tmp_path, error=GeoError)


def test_a_file_that_is_not_utf8_names_the_line(tmp_path):
    path = write(tmp_path, b'a = 1\nlabel = "Caf\xe9 quarter"\n')
    with pytest.raises(ReportError, match=r"^tasking.toml: line 2 is not UTF-8 text \(byte 0xe9\)\. Fix: save the file "
                                          r"as UTF-8 in your editor\.$"):
        read_toml(path, error=ReportError)


def test_a_byte_order_mark_is_allowed_and_the_table_knows_its_file(tmp_path):
    path = write(tmp_path, '\ufeffa = 1\n[ranking]\nb = "x"\n'.encode("utf-8"))
    file = read_toml(path, error=RankingError)
    assert (file["a"], file.path, file.where, file.error) == (1, path, "tasking.toml", RankingError)
    assert file.table("ranking").where == "tasking.toml, [ranking]" and dict(file.table("ranking")) == {"b": "x"}


@pytest.mark.parametrize("load, error, name", [
    (Taxonomy.load, GeoError, "taxonomy.toml"),
    (TimeBands.load, GeoError, "time_bands.toml"),
    (load_mapping, IntakeError, "mapping.toml"),
    (RankingConfig.load, RankingError, "tasking.toml"),
    (TacticMenu.load, RankingError, "tactics.toml"),
    (TaskingConfig.load, ActionLogError, "tasking.toml"),
    (DisclosureRules.load, ReportError, "tasking.toml"),
])
def test_every_loader_reads_through_read_toml(tmp_path, load, error, name):
    with pytest.raises(error, match=rf"^{name}: not valid TOML at line 2, column 1"):
        load(write(tmp_path, "a = 1\n= 2\n", name))
    with pytest.raises(error, match=rf"^{name}: line 1 is not UTF-8 text"):
        load(write(tmp_path, b"a = '\xff'\n", name))
    with pytest.raises(error, match=r"missing.toml: no such"):
        load(tmp_path / "missing.toml")


def test_default_config_path_is_one_function():
    assert taxonomy_module.default_config_path is default_config_path
    for name in ("taxonomy.toml", "time_bands.toml", "tasking.toml", "tactics.toml"):
        assert default_config_path(name).is_file()


# --- typed values ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, options, words", [
    (2, {"low": 0, "high": 1, "low_open": True}, "a number above 0 and at most 1"),
    (0, {"low": 0, "low_open": True}, "a number above 0"),
    (-0.5, {"low": 0}, "a number of 0 or more"),
    (8, {"low": 1, "high": 7}, "a number from 1 to 7"),
    (1, {"low": 0, "high": 1, "high_open": True}, "a number of 0 or more and below 1"),
    (11, {"high": 10}, "a number of 10 or less"),
    (2.5, {"low": 1, "integer": True}, "a whole number of 1 or more"),
    (math.inf, {"low": 0}, "a number of 0 or more"),
    (math.nan, {}, "a number"),
    ("3", {"low": 0}, "a number of 0 or more"),
    (True, {"low": 0}, "a number of 0 or more"),
])
def test_numbers_out_of_range_or_of_the_wrong_type(value, options, words):
    shown = "true" if value is True else repr(value)
    with pytest.raises(RankingError, match=rf"^tasking.toml, \[ranking\]: x must be {words}; got {shown}\. "
                                           r"Fix: write e.g. x = "):
        table({"x": value}, keys=("ranking",)).number("x", **options)


def test_numbers_in_range_defaults_and_whole_floats():
    t = table({"a": 0.5, "b": 12.0, "c": 3, "d": None})
    assert t.number("a", 1.0, low=0, high=1) == 0.5
    assert t.number("b", integer=True) == 12 and isinstance(t.number("b", integer=True), int)
    assert t.number("c") == 3 and isinstance(t.number("c"), int)  # as written
    assert t.number("d", 7) == 7 and t.number("e", None) is None  # None counts as absent
    with pytest.raises(RankingError, match=r"^tasking.toml: has no 'e'; add one \(a number above 0\)\.$"):
        t.number("e", low=0, low_open=True)


def test_the_fix_suggests_the_default_or_a_value_in_range():
    with pytest.raises(RankingError, match=r"Fix: write e.g. peak_cover = 0.5\.$"):
        table({"peak_cover": 2}).number("peak_cover", 0.5, low=0, high=1, low_open=True)
    with pytest.raises(RankingError, match=r"Fix: write e.g. n = 1\.$"):
        table({"n": 0}).number("n", low=0, low_open=True, integer=True)
    with pytest.raises(RankingError, match=r"^tasking.toml: r must be a number of 0 or more \(metres\); got -5\."):
        table({"r": -5}).number("r", 0, low=0, unit="metres")


def test_booleans_text_and_lists():
    t = table({"flag": "true", "label": 3, "route": "x" * 41, "name": "  ", "days": "Friday", "mode": "BNG",
               "kind": "osgb", "ok": True, "tags": ["a", "b"]}, keys=("statuses", "open"))
    assert t.boolean("ok") is True and t.boolean("missing", False) is False
    assert t.text("mode", choices=("auto", "wgs84", "bng"), ignore_case=True) == "bng"
    assert t.strings("tags") == ("a", "b") and t.strings("none", ()) == ()
    where = "tasking.toml, [statuses.open]: "
    cases = [
        (lambda: t.boolean("flag"), "flag must be true or false; got 'true'. Fix: write flag = true or flag = false, "
                                    "without quotes."),
        (lambda: t.text("label"), "label must be text in quotes; got 3. Fix: write e.g. label = \"...\"."),
        (lambda: t.text("route", max_len=40), "route must be text of at most 40 characters; got 41 characters. "
                                              "Fix: shorten it."),
        (lambda: t.text("name", min_len=1), "name must be text that is not empty; got '  '."),
        (lambda: t.strings("days"), "days must be a list of text such as [\"a\", \"b\"]; got 'Friday'. Fix: write e.g. "
                                    "days = [\"Friday\"]."),
        (lambda: t.text("kind", choices=("auto", "bng")), "kind must be one of 'auto', 'bng'; got 'osgb'. Fix: write "
                                                          "one of them, e.g. kind = \"auto\"."),
        (lambda: t.text("mode", choices=("auto", "bng")), "mode must be one of 'auto', 'bng'; got 'BNG'."),
    ]
    for read, message in cases:
        with pytest.raises(RankingError) as err:
            read()
        assert str(err.value).startswith(where + message), str(err.value)


def test_dates_from_toml_iso_or_uk_text():
    t = table({"a": dt.date(2011, 8, 8), "b": "2011-08-08", "c": "08/08/2011", "d": "2011-13-01"})
    assert t.date("a") == t.date("b") == t.date("c") == dt.date(2011, 8, 8)
    assert t.date("e", None) is None
    with pytest.raises(RankingError, match=r"^tasking.toml: d must be a date written YYYY-MM-DD \(or DD/MM/YYYY, day "
                                           r"first\); got '2011-13-01'\. Fix: write it as e.g. 2017-07-04\.$"):
        t.date("d")


# --- tables --------------------------------------------------------------------------------------

def test_tables_in_file_order_with_their_locations(tmp_path):
    path = write(tmp_path, '[categories."Anti-social behaviour"]\ntactics = []\n[categories.Robbery]\ntactics = []\n'
                           '[bands.nte]\ntactics = []\n[[funding.routes]]\nroute = "a"\n'
                           '[[funding.routes]]\nroute = "b"\n')
    file = read_toml(path, error=RankingError)
    categories = file.table("categories").tables(quoted=True)
    assert list(categories) == ["Anti-social behaviour", "Robbery"]
    assert [c.where for c in categories.values()] == ['tasking.toml, [categories."Anti-social behaviour"]',
                                                      'tasking.toml, [categories."Robbery"]']
    assert [b.where for b in file.table("bands").tables().values()] == ["tasking.toml, [bands.nte]"]
    routes = file.table("funding").list_of_tables("routes")
    assert [(r.where, r.text("route")) for r in routes] == [("tasking.toml, [[funding.routes]] number 1", "a"),
                                                           ("tasking.toml, [[funding.routes]] number 2", "b")]
    assert file.table("nothing") == {} and file.list_of_tables("nothing") == []


def test_a_value_where_a_table_belongs():
    t = table({"ranking": 3, "bands": {"nte": "Friday"}, "routes": {"route": "a"}})
    with pytest.raises(RankingError, match=r"^tasking.toml: ranking must be a table, written \[ranking\] with its keys "
                                           r"on the lines below; got 3\."):
        t.table("ranking")
    with pytest.raises(RankingError, match=r"^tasking.toml, \[bands\]: nte must be a table"):
        t.table("bands").tables()
    with pytest.raises(RankingError, match=r"routes must be a list of tables, each written as a \[\[routes\]\] block; "
                                           r"got a table \{ route = 'a' \}"):
        t.list_of_tables("routes")
    with pytest.raises(RankingError, match=r"^tasking.toml: has no \[disclosure\] table; add one\.$"):
        t.table("disclosure", required=True)


def test_unknown_keys_are_named_with_the_ones_it_takes():
    t = table({"min_count": 5, "min_cont": 3, "wordnig": "x"}, keys=("disclosure",))
    t.unknown_keys(("min_count", "min_cont", "wordnig"))
    with pytest.raises(RankingError, match=r"^tasking.toml, \[disclosure\]: unknown keys 'min_cont', 'wordnig'; "
                                           r"the keys it takes are min_count, wording\. Fix: correct the spelling, "
                                           r"or remove them\.$"):
        t.unknown_keys(("min_count", "wording"))


def test_declared_fields_read_in_order():
    fields = {"min_count": Number(5, low=1, integer=True), "wording": Text("fewer than {n}"),
              "include_free_text": Boolean(False), "sources": Strings(()), "since": Date(None),
              "marking": Text(REQUIRED)}
    t = table({"marking": "OFFICIAL", "since": "01/04/2024", "weights": {}}, keys=("disclosure",))
    assert t.read(fields, also=("weights",)) == {"min_count": 5, "wording": "fewer than {n}",
                                                 "include_free_text": False, "sources": (),
                                                 "since": dt.date(2024, 4, 1), "marking": "OFFICIAL"}
    with pytest.raises(RankingError, match="unknown key 'weights'"):
        t.read(fields)
    assert t.read({"marking": Text()}, strict=False) == {"marking": "OFFICIAL"}
    with pytest.raises(RankingError, match=r"\[disclosure\]: has no 'wording'; add one \(text in quotes\)\."):
        t.read({"wording": Text()}, strict=False)


def test_the_error_class_is_the_callers():
    with pytest.raises(GeoError):
        ConfigTable({"a": "x"}, file="f.toml", error=GeoError).number("a")
    with pytest.raises(UserError):
        ConfigTable({"a": "x"}, file="f.toml").number("a")
    with pytest.raises(TypeError, match="'data' parameter of ConfigTable must be a mapping"):
        ConfigTable([1], file="f.toml")


# --- dates people type ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", [dt.date(2017, 7, 3), dt.datetime(2017, 7, 3, 18, 30),
                                   pd.Timestamp("2017-07-03 23:59", tz="Europe/London"), "2017-07-03", " 2017-07-03 ",
                                   "03/07/2017", "3/7/2017", "20170703"])
def test_parse_day_reads_dates_people_and_programs_give(value):
    assert parse_day(value, field="held_on", error=ActionLogError) == dt.date(2017, 7, 3)


@pytest.mark.parametrize("value, shown", [("2017-13-01", "'2017-13-01'"), ("31/06/2017", "'31/06/2017'"),
                                          ("03/07/17", "'03/07/17'"), ("July 3rd", "'July 3rd'"), ("", "''"),
                                          (20170703, "20170703"), (pd.NaT, "NaT"), (None, "nothing")])
def test_parse_day_refuses_the_rest_in_one_sentence(value, shown):
    with pytest.raises(ActionLogError) as err:
        parse_day(value, field="due_on", error=ActionLogError)
    assert str(err.value) == (f"due_on must be a date written YYYY-MM-DD (or DD/MM/YYYY, day first); got {shown}. "
                              "Fix: write it as e.g. 2017-07-04.")


def test_the_action_log_and_time_bands_read_dates_alike(tmp_path):
    assert date_field("due_on", "31/07/2017") == dt.date(2017, 7, 31)
    assert date_field("due_on", pd.NaT, required=False) is None and date_field("due_on", None, required=False) is None
    with pytest.raises(ActionLogError, match=r"^due_on is missing; give a date such as '2017-07-04'\.$"):
        date_field("due_on", pd.NaT)
    path = write(tmp_path, 'excluded_dates = ["31/07/2017", 2017-08-01]\n'
                           '[bands.a]\ndays = ["Monday"]\nstart = "15:00"\nend = "18:00"\n', "time_bands.toml")
    assert TimeBands.load(path).excluded_dates == (dt.date(2017, 7, 31), dt.date(2017, 8, 1))
