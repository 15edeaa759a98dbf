"""The briefing pack (PDF) and the overview map (PNG): pages, rendering, what they show.

Needs poppler-utils (``pdfinfo``, ``pdftoppm``, ``pdftotext``); the tests that read the
PDF skip with a message when it is missing.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from test_exports import make_list, make_workspace

from hotspot_tasking.pipeline.exports import background_layers, report_setting
from hotspot_tasking.ranking.schema import TaskingList
from hotspot_tasking.reports.exports import export_tasking
from hotspot_tasking.reports.maps import hotspot_figure, overview_figure
from hotspot_tasking.reports.setting import Background

POPPLER = all(shutil.which(tool) for tool in ("pdfinfo", "pdftoppm", "pdftotext"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdfinfo, pdftoppm, pdftotext) is not "
                                                        "installed; apt-get install poppler-utils to run this test")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("briefing") / "ws")


@pytest.fixture
def tlist(ws) -> TaskingList:
    return make_list(ws, 6)


@pytest.fixture
def actions() -> pd.DataFrame:
    """Two meetings' actions, as ``ActionLog.to_frame(include_free_text=True)`` gives them."""
    return pd.DataFrame({
        "tasking_id": ["HS-0001", "HS-0001", "HS-0003"],
        "held_on": pd.to_datetime(["2017-06-06", "2017-06-20", "2017-06-20"]).date,
        "agency": ["Police", "Council ASB team", "Licensing"],
        "action": ["Patrols under the railway arches", "Clean-up of the alley", "Visit to the off-licence"],
        "tactic": ["Patrol", "Clean-up", "Licensing visit"], "pier": ["Enforcement", "Prevent", "Prevent"],
        "owner_role": ["Sergeant", "ASB officer", "Licensing officer"],
        "due_on": pd.to_datetime(["2017-06-30", "2017-07-15", "2017-07-01"]).date,
        "status": ["done", "open", "in_progress"],
        "outcome": ["Resident on 07700 900123 says quieter", None, None], "notes": ["Spoke to Mrs Jones", None, None],
    })


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_pack_has_cover_map_table_one_page_per_place_and_the_cards(ws, tlist, actions, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "pack.pdf", setting=report_setting(ws), top=3, actions=actions)
    assert pdf_pages(path) == 1 + 1 + 1 + 3 + 2
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 8
    for page in pages:  # A4 portrait, and something drawn on each page
        image = np.asarray(Image.open(page).convert("L"))
        assert 1.35 < image.shape[0] / image.shape[1] < 1.45 and (image < 128).mean() > 0.002
    overview = np.asarray(Image.open(pages[1]).convert("RGB")).astype(int)
    vermillion = (abs(overview - (0xE5, 0x9F, 0x66)).sum(axis=2) < 60).mean()  # a rising place, 60% over white
    assert vermillion > 0.00005
    text = pdf_text(path)
    for expected in ("Tasking briefing pack", "Lambeth and Wandsworth (demo)", "July 2017", "Night-time economy",
                     "OFFICIAL", "Overview map", "Ranked tasking list", "Method card 1: kde", "Method card 2: ranking",
                     "police_uk_times_simulated", "police.uk times are simulated", "Open Government Licence v3.0",
                     "Why it ranks here", "Suggested lead and tactics", "Last actions", "Licensing visit"):
        assert expected in text, expected
    assert "Page 8 of 8" in text


@needs_poppler
def test_pack_names_bands_by_their_labels(ws, tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "pack.pdf", setting=report_setting(ws), top=2)
    text = pdf_text(path)
    cover, overview, ranked, first, second = text.split("\f")[:5]
    assert re.search(r"Time band\s+Night-time economy", cover)
    assert re.search(r"Peak band.*\n(.*\n)*1 .* Night-time economy .*\n(.*\n)*2 .* Daytime ", ranked)
    assert re.search(r"Peak band\s+Night-time economy", first) and re.search(r"Peak band\s+Daytime", second)
    assert not re.search(r"\b(nte|daytime|overnight|after_school)\b", text)


@needs_poppler
def test_pack_shows_what_disclosure_allows(ws, tlist, actions, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "pack.pdf", setting=report_setting(ws), top=2, actions=actions)
    text = pdf_text(path)
    assert "fewer than 5" in text and "Sensitive categories (aggregated)" in text
    assert "Fewer than 5 incidents this month" in text and "3 incidents" not in text
    for private in ("Smith", "07700", "Jones", "railway", "Domestic abuse 60%"):
        assert private not in text, private
    assert "Done" in text and "Open" in text  # status labels from tasking.toml
    (path,) = export_tasking(tlist, tmp_path / "full.pdf", setting=report_setting(ws), top=2, actions=actions,
                             include_free_text=True)
    text = pdf_text(path)
    assert "railway" in text and "Smith" in text


@needs_poppler
def test_pack_without_workspace_or_actions(tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "pack.pdf", top=1)
    assert pdf_pages(path) == 1 + 1 + 1 + 1 + 2
    text = pdf_text(path)
    assert "No action log was given" in text and "OFFICIAL" in text  # packaged [disclosure] marking


@needs_poppler
def test_pack_of_ten_places_has_a_page_for_each(ws, tmp_path):
    tlist = make_list(ws, 10)
    (path,) = export_tasking(tlist, tmp_path / "pack.pdf", setting=report_setting(ws), top=10)
    assert pdf_pages(path) == 1 + 1 + 1 + 10 + 2


def test_png_is_the_overview_map_at_200_dpi(ws, tlist, tmp_path):
    (path,) = export_tasking(tlist, tmp_path / "map.png", setting=report_setting(ws))
    image = Image.open(path)
    assert image.format == "PNG" and image.size[0] == 1500 and 1000 < image.size[1] < 2000
    dpi = image.info.get("dpi", (200, 200))
    assert round(dpi[0]) == 200
    pixels = np.asarray(image.convert("RGB")).astype(int)
    yellow = (abs(pixels - (0xF6, 0xEE, 0x8E)).sum(axis=2) < 60).mean()  # no-change places, 60% over white
    assert yellow > 0.001


def test_maps_draw_with_and_without_boundaries(ws, tlist):
    background = background_layers(ws)
    assert len(background.wards) == 41 and len(background.boroughs) == 2
    fig = overview_figure(tlist.frame, background=background, title="t")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"1", "6", "Lambeth", "Wandsworth"} <= texts and "0" in texts  # ranks, boroughs, scale bar
    assert any(t.get_text().endswith("km") for t in fig.axes[0].texts)
    assert "N" in {t.get_text() for t in fig.axes[0].texts}
    assert any("Crown copyright" in t.get_text() for t in fig.texts)
    bare = hotspot_figure(tlist.frame, 2, background=Background())
    assert any("No boundaries" in t.get_text() for t in bare.texts)


@needs_poppler
@pytest.mark.parametrize("suffix", [".pdf", ".png"])
def test_inputs_unchanged(ws, tlist, actions, tmp_path, suffix):
    frame, log = tlist.frame.copy(deep=True), actions.copy(deep=True)
    cards = copy.deepcopy([c.to_dict() for c in tlist.cards])
    export_tasking(tlist, tmp_path / f"out{suffix}", setting=report_setting(ws), top=2, actions=actions)
    pd.testing.assert_frame_equal(tlist.frame, frame)
    pd.testing.assert_frame_equal(actions, log)
    assert [c.to_dict() for c in tlist.cards] == cards


@pytest.mark.slow
@needs_poppler
def test_every_export_of_a_real_dbscan_list(tmp_path):
    """Real DBSCAN outlines of the demo (July 2017) filled in as a tasking list, every format."""
    import geopandas as gpd

    from hotspot_tasking.geo.workspace import Workspace
    from hotspot_tasking.hotspots.run import HotspotRequest, run_hotspots
    from hotspot_tasking.ranking.schema import TASKING_COLUMNS

    ws = Workspace.open(Path(__file__).resolve().parent.parent / "data" / "demo")
    run = run_hotspots(ws, HotspotRequest(method="dbscan", start="2017-07-01", end="2017-07-31"))
    spots = run.layers["hotspots"].head(12)
    template = make_list(ws, len(spots), cards=0).frame.drop(columns="geometry")
    frame = template.assign(area_km2=spots["area_km2"].to_numpy(), count_now=spots["incidents"].to_numpy(float),
                            centroid_easting=spots["centroid_easting"].to_numpy(),
                            centroid_northing=spots["centroid_northing"].to_numpy(),
                            dominant_categories=spots["dominant_categories"].to_numpy()).astype(TASKING_COLUMNS)
    tlist = TaskingList(gpd.GeoDataFrame(frame, geometry=spots.geometry.values, crs=27700), "2017-07", "all",
                        cards=[run.card])
    for suffix in (".csv", ".xlsx", ".gpkg", ".geojson", ".png", ".pdf"):
        export_tasking(tlist, tmp_path / f"list{suffix}", setting=report_setting(ws), top=10)
    assert pdf_pages(tmp_path / "list.pdf") == 1 + 1 + 1 + 10 + 1
