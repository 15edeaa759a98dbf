"""Exports of a tasking list: CSV, XLSX, GeoPackage, GeoJSON; disclosure control and
formula injection (the PDF and PNG are in test_briefing.py).

The lists are built by hand over the demo workspace's real wards (the ranking that makes
real ones is tested on its own): place names that are formulas, a count of 3, a place
mostly in sensitive categories, a status with free text after it.
"""

from __future__ import annotations

import copy
import csv
import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from openpyxl import load_workbook

from hotspot_tasking.errors import TaskingError
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.card import MethodCard
from hotspot_tasking.periods import describe_period
from hotspot_tasking.pipeline.exports import report_setting
from hotspot_tasking.ranking.schema import TASKING_COLUMNS, TaskingList
from hotspot_tasking.reports.disclosure import DisclosureRules, disclose, neutralise
from hotspot_tasking.reports.exports import export_tasking

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
HYPERLINK = '=HYPERLINK("http://evil.example/x","Click me")'
NAMES = [HYPERLINK, "@SUM(A1)", "-2+3", "Brixton Road (Coldharbour ward)", "+44 Clapham High Street", "\tTab Lane"]


def make_workspace(root: Path) -> Workspace:
    """The demo workspace's boundaries with the packaged configuration (its [disclosure] included)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO / "workspace.json", root / "workspace.json")
    shutil.copytree(DEMO / "boundaries", root / "boundaries")
    shutil.copytree(ROOT / "data" / "config", root / "config", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return Workspace.open(root)


def make_list(ws: Workspace, n: int = 6, *, cards: int = 2) -> TaskingList:
    """``n`` circular places (250-550 m) in different demo wards, with every column filled.

    Rank 1: count now 3 and before 2 (suppressed), 60% sensitive, free text in its status;
    rank 2: 12% hate incidents; rank 4: "tasked last period: done" (a status, kept).
    """
    wards = ws.read_layer("ward_2014")
    pick = wards.iloc[np.linspace(0, len(wards) - 1, n).astype(int)]
    geoms = [p.buffer(250 + 150 * (i % 3)) for i, p in enumerate(pick.geometry.representative_point())]
    now = np.resize(np.array([3.0, 40, 25, 60, 12, 7]), n)
    before = np.resize(np.array([2.0, 30, 30, 20, 12, 22]), n)
    z = 2 * (np.sqrt(now) - np.sqrt(before))
    status = ["tasked last period: Mr Smith of 4 Acre Lane rang again, 07700 900123", "carried over", "new",
              "tasked last period: Done"] + ["new"] * max(n - 4, 0)
    frame = pd.DataFrame({
        "rank": np.arange(1, n + 1), "tasking_id": [f"HS-{i:04d}" for i in range(n)], "kind": "hotspot",
        "place_name": [NAMES[i] if i < len(NAMES) else f"Place {i + 1}" for i in range(n)],
        "ward_code": pick["code"].to_numpy(), "ward_name": pick["name"].to_numpy(), "lsoa_code": "E01003000",
        "centroid_easting": [g.centroid.x + 3.3 for g in geoms], "centroid_northing": [g.centroid.y for g in geoms],
        "area_km2": [g.area / 1e6 for g in geoms], "hotspot_group": "",
        "dominant_categories": ["Domestic abuse 60%, Anti-social behaviour 40%",
                                "Anti-social behaviour 50%, Hate incident 12%, Public order 10%"][:n]
        + ["Violence and sexual offences 46%, Public order 18%"] * max(n - 2, 0),
        "sensitive_share": [0.6, 0.12][:n] + [0.0] * max(n - 2, 0),
        "count_now": now, "count_before": before, "change_pct": (now - before) / before * 100, "z": z,
        "arrow": np.where(z >= 2, "▲", np.where(z <= -2, "▼", "►")), "harm_now": now * 3.5,
        "persistence": "persistent", "repeat_locations": 2,
        "peak_band": np.resize(np.array(["nte", "daytime", "nte", "overnight", "after_school", "no time of day"]), n),
        "peak_days": "Fri, Sat", "peak_hours": "21:00-03:00", "score": np.linspace(0.9, 0.2, n),
        "explanation": [f"{c:g} incidents this month, {c / b:.1f} times the 12-month average; persistent in 6 of "
                        "the last 8 months; 70% on Friday and Saturday 21:00-04:00" for c, b in zip(now, before)],
        "lead_agency": "Police",
        "tactics": "Patrol (Enforcement, Police); Licensing visit (Prevent, Licensing); Deployable CCTV "
                   "(Intelligence, Council)",
        "status": status[:n],
    }).astype(TASKING_COLUMNS)
    method_cards = []
    for k in range(cards):
        card = MethodCard("kde" if k == 0 else "ranking")
        card.choose("bandwidth_m", 523.0, "ArcGIS standard-distance rule (automatic)")
        card.choose("weights", {"harm": 0.5, "trend": 0.3}, "given")
        card.data["incidents"] = 7360
        method_cards.append(card)
    return TaskingList(gpd.GeoDataFrame(frame, geometry=geoms, crs=27700), "2017-07", "nte",
                       cards=method_cards, caveats=["police.uk times are simulated within the month"],
                       sources=["police_uk_times_simulated", "council_asb_simulated"])


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    return make_workspace(tmp_path_factory.mktemp("exports") / "ws")


@pytest.fixture
def tlist(ws) -> TaskingList:
    return make_list(ws)


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


# --- formula injection -----------------------------------------------------------------------
def test_csv_neutralises_formulas_and_is_excel_utf8(ws, tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "list.csv", setting=report_setting(ws))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = read_csv_rows(path)
    assert [r["place_name"] for r in rows] == ["'" + HYPERLINK, "'@SUM(A1)", "'-2+3",
                                               "Brixton Road (Coldharbour ward)", "'+44 Clapham High Street",
                                               "'\tTab Lane"]
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert rows[2]["change_pct"] == "-16.7" and rows[2]["z"] == "-0.95"  # negative numbers stay numbers
    assert "geometry" not in rows[0] and "WKT" not in rows[0]
    assert rows[3]["centroid_easting"].endswith("0") and rows[0]["period"] == "July 2017"
    assert rows[3]["arrow"] == "▲"


def test_xlsx_neutralises_formulas_and_keeps_numbers(ws, tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "list.xlsx", setting=report_setting(ws))
    book = load_workbook(path)
    assert book.sheetnames == ["Tasking list", "Method cards", "Suppressed", "About"]
    sheet = book["Tasking list"]
    heads = [c.value for c in sheet[1]]
    place = heads.index("Place") + 1
    cells = [sheet.cell(row=r, column=place) for r in range(2, 8)]
    assert [c.value for c in cells[:3]] == ["'" + HYPERLINK, "'@SUM(A1)", "'-2+3"]
    assert all(c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for row in book["Tasking list"].iter_rows() for c in row)
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["D"].width > 10
    row4 = {h: c.value for h, c in zip(heads, sheet[5])}
    assert row4["Rank"] == 4 and row4["Count now"] == 60 and isinstance(row4["z (Poisson)"], float)
    assert row4["Easting (to 10 m)"] % 10 == 0
    cards = list(book["Method cards"].iter_rows(values_only=True))
    assert cards[0] == ("Card", "Method", "Section", "Name", "Value", "Rule")
    assert (1, "kde", "parameter", "bandwidth_m", 523, "ArcGIS standard-distance rule (automatic)") in cards
    assert (2, "ranking", "parameter", "weights", '{"harm": 0.5, "trend": 0.3}', "given") in cards
    about = {k: v for k, v in book["About"].iter_rows(min_row=2, values_only=True) if k != "Attribution"}
    assert about["Period"] == "July 2017" and about["Partnership"] == "Lambeth and Wandsworth (demo)"
    attributions = [v for k, v in book["About"].iter_rows(values_only=True) if k == "Attribution"]
    assert "Contains public sector information licensed under the Open Government Licence v3.0." in attributions


def test_neutralise_covers_every_trigger():
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "\nx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Acre Lane") == "Acre Lane" and neutralise(-2) == -2 and neutralise(None) is None


# --- disclosure ------------------------------------------------------------------------------
def test_small_counts_read_fewer_than_5_and_are_listed_as_suppressed(ws, tlist, tmp_path):
    (csv_path,) = export_tasking(tlist, tmp_path / "list.csv", setting=report_setting(ws))
    first = read_csv_rows(csv_path)[0]
    assert (first["count_now"], first["count_before"]) == ("fewer than 5", "fewer than 5")
    assert first["harm_now"] == first["change_pct"] == first["z"] == "suppressed"
    assert first["explanation"].startswith("fewer than 5 incidents this month")
    assert "3 incidents" not in csv_path.read_text(encoding="utf-8-sig")

    (xlsx,) = export_tasking(tlist, tmp_path / "list.xlsx", setting=report_setting(ws))
    book = load_workbook(xlsx)
    heads = [c.value for c in book["Tasking list"][1]]
    row1 = {h: c.value for h, c in zip(heads, book["Tasking list"][2])}
    assert row1["Count now"] == "fewer than 5" and row1["Harm now"] == "suppressed"
    suppressed = [r for r in book["Suppressed"].iter_rows(min_row=2, values_only=True) if r[0] == 1]
    fields = {r[3]: (r[4], r[5]) for r in suppressed}
    assert fields["count_now"] == ("fewer than 5", "count below the threshold of 5")
    assert fields["z"][0] == "suppressed" and "count_now" in fields["z"][1]
    assert {r[1] for r in suppressed} == {"HS-0000"}
    rules = [r[5] for r in book["Suppressed"].iter_rows(values_only=True) if r[0] == "Rule"]
    assert any("fewer than 5" in r for r in rules)

    (gpkg,) = export_tasking(tlist, tmp_path / "list.gpkg", setting=report_setting(ws))
    layer = pyogrio.read_dataframe(gpkg, layer="tasking_list")
    assert np.isnan(layer["count_now"].iloc[0]) and layer["count_now"].iloc[1] == 40
    assert "count_now: fewer than 5" in layer["disclosure"].iloc[0]


def test_min_count_option_and_configured_threshold(ws, tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "list.csv", setting=report_setting(ws), min_count=10)
    rows = read_csv_rows(path)
    assert rows[5]["count_now"] == "fewer than 10" and rows[4]["count_now"] == "12"
    config = tmp_path / "tasking.toml"
    config.write_text('[disclosure]\nmin_count = 3\nwording = "under {n}"\n', encoding="utf-8")
    rules = DisclosureRules.load(config)
    shown = disclose(tlist.frame, rules=rules).shown
    assert shown["count_now"].iloc[0] == 5 and shown["count_before"].iloc[0] == "under 3"  # 3, rounded: sensitive
    config.write_text('[disclosure]\nwording = "small"\n', encoding="utf-8")
    with pytest.raises(TaskingError, match=r"tasking.toml, \[disclosure\]: wording must be text holding \{n\}"):
        DisclosureRules.load(config)
    config.write_text('[disclosure]\nmin_cont = 3\n', encoding="utf-8")
    with pytest.raises(TaskingError, match=r"^tasking.toml, \[disclosure\]: unknown key 'min_cont'; the keys it takes "
                                           r"are min_count, wording, sensitive_share, sensitive_label, "
                                           r"include_free_text, marking, round_to, grid_m. "
                                           r"Fix: correct the spelling, or remove it.$"):
        DisclosureRules.load(config)


def test_threshold_edges_zero_and_rounding(ws, tlist):
    frame = tlist.frame.copy()
    frame["count_now"] = [4.96, 5.0, 0.0, 0.04, 12.0, 7.0]
    frame["explanation"] = "0.04 incidents; 4.96 incidents, in 3 of 8 weeks; 5 incidents"
    shown = disclose(frame, rules=DisclosureRules.load()).shown
    assert list(shown["count_now"]) == ["fewer than 5", 5, 0, "fewer than 5", 12, 7]
    assert shown["explanation"].iloc[0] == ("fewer than 5 incidents; fewer than 5 incidents, in 3 of 8 weeks; "
                                            "5 incidents")
    assert shown["explanation"].iloc[1] == frame["explanation"].iloc[1]  # nothing hidden in that row


def test_sensitive_categories_are_aggregated(ws, tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "list.csv", setting=report_setting(ws))
    rows = read_csv_rows(path)
    assert rows[0]["dominant_categories"] == "Sensitive categories (aggregated)"
    assert rows[1]["dominant_categories"] == ("Anti-social behaviour 50%, Public order 10%, "
                                              "Sensitive categories (aggregated) 12%")
    text = path.read_text(encoding="utf-8-sig")
    assert "Domestic abuse" not in text and "Hate incident" not in text


def test_free_text_left_out_unless_asked(ws, tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "list.csv", setting=report_setting(ws))
    rows = read_csv_rows(path)
    assert rows[0]["status"] == "tasked last period" and rows[3]["status"] == "tasked last period: Done"
    assert "Smith" not in path.read_text(encoding="utf-8-sig")
    (path,) = export_tasking(tlist, tmp_path / "full.csv", setting=report_setting(ws), include_free_text=True)
    assert read_csv_rows(path)[0]["status"].startswith("tasked last period: Mr Smith")


def test_points_never_leave(ws, tlist, tmp_path):
    frame = tlist.frame.copy()
    frame.loc[2, "geometry"] = shapely.Point(530000, 175000)
    points = TaskingList(frame, tlist.period, tlist.band)
    for suffix in (".csv", ".gpkg", ".geojson"):
        with pytest.raises(TaskingError, match="1 point geometries; exports carry outlines"):
            export_tasking(points, tmp_path / f"list{suffix}", setting=report_setting(ws))
    assert not list(tmp_path.iterdir())


# --- GIS formats -----------------------------------------------------------------------------
def test_geopackage_layer_fields_and_tables(ws, tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "list.gpkg", setting=report_setting(ws))
    layers = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert layers["tasking_list"] in ("Polygon", "MultiPolygon") and layers["method_cards"] is None
    assert {"suppressed", "about"} <= set(layers)
    info = pyogrio.read_info(path, layer="tasking_list")
    assert info["crs"] == "EPSG:27700" and info["features"] == 6
    assert list(info["fields"]) == list(TASKING_COLUMNS) + ["disclosure"]
    frame = pyogrio.read_dataframe(path, layer="tasking_list")
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    assert frame["place_name"].iloc[0] == HYPERLINK  # GIS text is not a spreadsheet cell: left as it is
    cards = pyogrio.read_dataframe(path, layer="method_cards", read_geometry=False)
    assert list(cards.columns) == ["card", "method", "section", "name", "value", "rule"]
    assert set(cards["method"]) == {"kde", "ranking"}


def test_geojson_is_wgs84_with_the_cards_beside_it(ws, tlist, tmp_path):
    path, about = export_tasking(tlist, tmp_path / "list.geojson", setting=report_setting(ws))
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:4326" and info["geometry_type"] in ("Polygon", "MultiPolygon")
    frame = pyogrio.read_dataframe(path)
    minx, miny, maxx, maxy = frame.total_bounds
    assert -0.3 < minx < maxx < 0.0 and 51.4 < miny < maxy < 51.6
    assert "crs" not in json.loads(path.read_text(encoding="utf-8"))  # RFC 7946: WGS84 implied
    sidecar = json.loads(about.read_text(encoding="utf-8"))
    assert {"about", "disclosure_rules", "suppressed", "method_cards"} <= set(sidecar)
    assert any(r["field"] == "count_now" for r in sidecar["suppressed"])


# --- band labels -----------------------------------------------------------------------------
BAND_IDS = re.compile(r"\b(nte|daytime|overnight|after_school)\b")
#: make_list's peak bands (ids nte, daytime, nte, overnight, after_school, no time of day) by label.
PEAK_LABELS = ["Night-time economy", "Daytime", "Night-time economy", "Overnight", "After school", "no time of day"]


def test_bands_are_written_by_their_labels_in_every_format(ws, tlist, tmp_path):
    setting = report_setting(ws)
    (path,) = export_tasking(tlist, tmp_path / "list.csv", setting=setting)
    rows = read_csv_rows(path)
    assert [r["peak_band"] for r in rows] == PEAK_LABELS and {r["band"] for r in rows} == {"Night-time economy"}
    assert not BAND_IDS.search(path.read_text(encoding="utf-8-sig"))
    (path,) = export_tasking(tlist, tmp_path / "list.xlsx", setting=setting)
    book = load_workbook(path)
    sheet = list(book["Tasking list"].iter_rows(values_only=True))
    peak, band = sheet[0].index("Peak band"), sheet[0].index("Band")
    assert [r[peak] for r in sheet[1:]] == PEAK_LABELS and {r[band] for r in sheet[1:]} == {"Night-time economy"}
    about = dict(book["About"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert about["Time band"] == "Night-time economy"
    assert not any(BAND_IDS.search(str(v)) for row in sheet for v in row)
    (path,) = export_tasking(tlist, tmp_path / "list.gpkg", setting=setting)
    assert pyogrio.read_dataframe(path, layer="tasking_list")["peak_band"].tolist() == PEAK_LABELS
    about = pyogrio.read_dataframe(path, layer="about", read_geometry=False).set_index("item")["value"]
    assert about["Time band"] == "Night-time economy"
    path, sidecar = export_tasking(tlist, tmp_path / "list.geojson", setting=setting)
    assert pyogrio.read_dataframe(path)["peak_band"].tolist() == PEAK_LABELS
    assert ["Time band", "Night-time economy"] in json.loads(sidecar.read_text(encoding="utf-8"))["about"]
    assert tlist.frame["peak_band"].iloc[0] == "nte" and tlist.band == "nte"  # the list itself keeps its ids


def test_a_method_card_names_its_band_by_the_label(ws, tlist, tmp_path):
    card = MethodCard("tasking-rank")
    card.data.update(period="2017-07", band="nte")
    listed = TaskingList(tlist.frame, tlist.period, tlist.band, [*tlist.cards, card])
    (path,) = export_tasking(listed, tmp_path / "list.xlsx", setting=report_setting(ws))
    rows = list(load_workbook(path)["Method cards"].iter_rows(min_row=2, values_only=True))
    assert (3, "tasking-rank", "data", "band", "Night-time economy", None) in rows
    assert card.data["band"] == "nte"  # the list's own card is left as it is


def test_band_labels_come_from_the_workspace_and_all_times_reads_so(ws, tlist, tmp_path):
    own = Workspace.open(shutil.copytree(ws.root, tmp_path / "ws"))
    bands = own.config_path("time_bands.toml")
    bands.write_text(bands.read_text(encoding="utf-8").replace('label = "Night-time economy"',
                                                               'label = "Late-night economy"'), encoding="utf-8")
    (path,) = export_tasking(tlist, tmp_path / "own.csv", setting=report_setting(own))
    assert [r["peak_band"] for r in read_csv_rows(path)][:3] == ["Late-night economy", "Daytime", "Late-night economy"]
    everything = TaskingList(tlist.frame, tlist.period, "all", tlist.cards)
    (path,) = export_tasking(everything, tmp_path / "all.csv")  # no setting: the packaged bands' labels
    rows = read_csv_rows(path)
    assert {r["band"] for r in rows} == {"All times"} and rows[0]["peak_band"] == "Night-time economy"


# --- options, errors, inputs -------------------------------------------------------------------
def test_top_keeps_the_first_ranks(ws, tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "list.csv", setting=report_setting(ws), top=2)
    assert [r["rank"] for r in read_csv_rows(path)] == ["1", "2"]


def test_errors_name_the_problem(ws, tlist, tmp_path):
    with pytest.raises(TaskingError, match=r"list.docx: unknown export format '.docx'; use one of .csv"):
        export_tasking(tlist, tmp_path / "list.docx")
    with pytest.raises(TypeError, match="'top' parameter of export_tasking must be an int. Got '3'"):
        export_tasking(tlist, tmp_path / "list.csv", top="3")
    with pytest.raises(TaskingError, match=r"'top' parameter of export_tasking must be an int in the range \[1, inf\)"):
        export_tasking(tlist, tmp_path / "list.csv", top=0)
    with pytest.raises(TaskingError, match="must be 1 or more"):
        export_tasking(tlist, tmp_path / "list.csv", min_count=0)
    with pytest.raises(TypeError, match="must be a TaskingList"):
        export_tasking(tlist.frame, tmp_path / "list.csv")
    with pytest.raises(TaskingError, match="missing columns status"):
        export_tasking(TaskingList(tlist.frame.drop(columns="status"), "2017-07", "all"), tmp_path / "list.csv")
    with pytest.raises(TaskingError, match="EPSG:27700"):
        export_tasking(TaskingList(tlist.frame.to_crs(4326), "2017-07", "all"), tmp_path / "list.csv")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".gpkg", ".geojson"])
def test_inputs_unchanged(ws, tlist, tmp_path, suffix):
    frame, cards = tlist.frame.copy(deep=True), copy.deepcopy([c.to_dict() for c in tlist.cards])
    export_tasking(tlist, tmp_path / f"list{suffix}", setting=report_setting(ws))
    pd.testing.assert_frame_equal(tlist.frame, frame)
    assert [c.to_dict() for c in tlist.cards] == cards


def test_an_empty_list_exports(ws, tmp_path):
    empty = make_list(ws, 1)
    empty = TaskingList(empty.frame.iloc[:0], "2017-07", "all")
    for suffix in (".csv", ".xlsx", ".gpkg"):
        assert export_tasking(empty, tmp_path / f"empty{suffix}", setting=report_setting(ws))[0].is_file()
    assert read_csv_rows(tmp_path / "empty.csv") == []


def test_exports_word_periods_one_way(ws, tmp_path):
    assert describe_period("2017-07") == "July 2017"
    assert describe_period("2017-07-03") == "the week beginning 3 July 2017"
    assert describe_period("2017-07-01/2017-07-31") == "1 July 2017 to 31 July 2017"
    week = make_list(ws, 2)
    week = TaskingList(week.frame, "2017-07-03", "all", week.cards, week.caveats, week.sources)
    (path,) = export_tasking(week, tmp_path / "week.csv", setting=report_setting(ws))
    assert {r["period"] for r in read_csv_rows(path)} == {"the week beginning 3 July 2017"}
