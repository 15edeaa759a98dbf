"""The area comparison and exports pages on a copy of the demo workspace, through AppTest.

Downloads are read back by recording what Streamlit's media store is given.
"""

import json

import pytest
from shown import shown
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

ROUTER = "../app.py"
AREAS, EXPORTS = "app_pages/area_comparison.py", "app_pages/exports.py"


@pytest.fixture
def app(demo_copy, monkeypatch):
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(demo_copy))

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(ROUTER, default_timeout=90).run()
        at.switch_page(page).run()
        assert not at.exception
        return at
    return open_page


@pytest.fixture
def downloads(monkeypatch):
    """``{file name: bytes}`` of every download button drawn."""
    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            seen[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return seen


def charts(at):
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_area_comparison_renders_with_its_widgets(app):
    at = app(AREAS)
    assert shown(at.title[0].value) == "Area comparison"
    assert at.selectbox(key="areas_layer").value == "ward_2014"
    assert len(at.multiselect(key="areas_codes_ward_2014").value) == 2  # the two busiest wards by default
    assert at.number_input(key="areas_target").value == 5.0
    assert at.radio(key="areas_baseline").value == "previous"
    assert at.toggle(key="areas_share").value is False
    specs = charts(at)
    assert len(specs) == 3  # hour-of-week grids, category mix, trend
    assert specs[0]["spec"]["mark"]["type"] == "rect"
    assert specs[0]["spec"]["encoding"]["color"]["scale"]["scheme"] == "viridis"
    assert specs[0]["spec"]["encoding"]["color"]["title"] == "incidents"
    assert any(layer["encoding"]["x"]["axis"]["format"] == "%b %Y" for layer in specs[2]["layer"])


def test_two_wards_show_their_rows_with_rates_and_status(app):
    at = app(AREAS)
    at.multiselect(key="areas_codes_ward_2014").set_value(["E05000416", "E05000426"]).run()  # Bishop's, Oval
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Area"].tolist() == ["Bishop's", "Oval"]
    assert "Rate /1,000" in table.columns and (table["Rate /1,000"] > 0).all()
    assert table["Target status"].str.contains("Green|Amber|Red|Not judged").all()  # words, not colour alone
    assert any("01/06/2018 to 30/06/2018" in shown(c.value) for c in at.caption)


def test_fewer_than_two_areas_asks_for_more(app):
    at = app(AREAS)
    at.multiselect(key="areas_codes_ward_2014").set_value(["E05000416"]).run()
    assert not at.exception
    assert any("two or more" in shown(i.value) for i in at.info)
    assert not at.dataframe


def test_nte_zones_in_the_night_time_economy_band(app):
    at = app(AREAS)
    at.sidebar.selectbox(key="band").set_value("nte").run()
    at.selectbox(key="areas_layer").set_value("nte_zones_illustrative").run()
    codes = ["NTE-BRX", "NTE-CLH", "NTE-CLJ"]
    at.multiselect(key="areas_codes_nte_zones_illustrative").set_value(codes).run()
    at.toggle(key="areas_share").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 3
    assert charts(at)[0]["spec"]["encoding"]["color"]["title"] == "% of the area's incidents"


def test_exports_page_shows_the_disclosure_settings(app):
    at = app(EXPORTS)
    assert shown(at.title[0].value) == "Exports"
    assert at.number_input(key="exports_min_count").value == 5
    assert at.checkbox(key="exports_free_text").value is False
    assert any("fewer than 5" in shown(m.value) for m in at.markdown)
    labels = [b.label for b in at.button]
    for label in ("CSV", "Excel workbook", "GeoPackage", "GeoJSON", "PDF briefing pack", "PNG map",
                  "Hotspots GeoPackage", "Density GeoTIFF"):
        assert f"Build {label}" in labels
    at.checkbox(key="exports_free_text").check().run()
    assert any("must not leave the room" in shown(w.value) for w in at.warning)


def test_csv_export_downloads_the_list(app, downloads):
    at = app(EXPORTS)
    assert not at.get("download_button")
    at.button(key="build_tasking.csv").click().run()
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1 and buttons[0].label.startswith("Download csv (")
    assert shown(buttons[0].help) == "tasking_2018-06_all_hotspot.csv"
    data = downloads["tasking_2018-06_all_hotspot.csv"]
    assert data.startswith("\ufeff".encode()) and data.decode("utf-8-sig").startswith("rank,tasking_id,")
    # the download stays on the page after another widget changes nothing in the request
    at.run()
    assert at.get("download_button")
    # a new disclosure option is a new request: build again
    at.number_input(key="exports_min_count").set_value(10).run()
    assert not at.get("download_button")


def test_pdf_briefing_pack_downloads(app, downloads):
    at = app(EXPORTS)
    at.button(key="build_tasking.pdf").click().run()
    assert not at.exception
    assert at.get("download_button")
    pdf = downloads["tasking_2018-06_all_hotspot.pdf"]
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_hotspot_geotiff_downloads(app, downloads):
    at = app(EXPORTS)
    at.button(key="build_hotspots.tif").click().run()
    assert not at.exception
    tif = next(v for k, v in downloads.items() if k.endswith(".tif"))
    assert tif[:2] in (b"II", b"MM")


def test_geojson_gives_the_outlines_and_the_about_file(app, downloads):
    at = app(EXPORTS)
    at.button(key="build_tasking.geojson").click().run()
    assert not at.exception
    assert sorted(shown(b.help) for b in at.get("download_button")) == [
        "tasking_2018-06_all_hotspot.about.json", "tasking_2018-06_all_hotspot.geojson"]
    about = json.loads(downloads["tasking_2018-06_all_hotspot.about.json"])
    assert about["disclosure_rules"] and json.loads(downloads["tasking_2018-06_all_hotspot.geojson"])["features"]


def test_free_text_exports_are_named_as_internal(app, downloads):
    at = app(EXPORTS)
    at.checkbox(key="exports_free_text").check().run()
    at.button(key="build_tasking.csv").click().run()
    assert not at.exception
    assert shown(at.get("download_button")[0].help) == "tasking_2018-06_all_hotspot_FREE-TEXT-INTERNAL.csv"
