"""Street names and numbered markers on the static maps (patrol plan, briefing pack, PNG).

The demo's own records name the streets; a small roads layer is built here from two real
City of London streets. Overlaps are checked from the figures' artists in display
coordinates: every marker circle, and every street label's box turned with its text.
Needs poppler-utils (``pdftotext``) for the PDF text checks, which skip without it.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.colors import to_rgb
from test_exports import DEMO, make_list, make_workspace

from hotspot_tasking.errors import UserError
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.exports import background_layers, map_streets
from hotspot_tasking.pipeline.patrol import PatrolRequest, patrol_pdf, plan_patrol
from hotspot_tasking.pipeline.tasking import tasking_list
from hotspot_tasking.ranking.request import TaskingRequest
from hotspot_tasking.ranking.schema import TaskingList
from hotspot_tasking.reports.disclosure import DisclosureRules, disclose
from hotspot_tasking.reports.exports import export_tasking
from hotspot_tasking.reports.maps import hotspot_figure, overview_figure
from hotspot_tasking.reports.patrol_pdf import patrol_map
from hotspot_tasking.reports.placement import MARKER_GID, ROAD_EDGE, STREET_GID, page_texts, spread_markers
from hotspot_tasking.reports.setting import ReportSetting
from hotspot_tasking.reports.streets import StreetBackground, record_streets, street_labels

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not "
                                     "installed; apt-get install poppler-utils to run this test")
# Two real City of London streets, EPSG:27700 (OS grid): Fleet Street from Temple Bar to Ludgate
# Circus (running nearly east-west), and Cheapside from St Paul's to Bank.
ROADS = gpd.GeoDataFrame({"name": ["Fleet Street", "Cheapside"], "number": ["A4", "A40"],
                          "kind": ["A Road", "A Road"]},
                         geometry=[shapely.LineString([(531090, 181090), (531330, 181120), (531620, 181140)]),
                                   shapely.LineString([(532110, 181200), (532370, 181230), (532640, 181220)])],
                         crs=27700)
COLDHARBOUR_NIGHTS = PatrolRequest("ward_2014", "E05000420", ("Friday", "Saturday"), 21, 4)


# --- geometry from the artists ---------------------------------------------------------------
def markers(fig) -> list[tuple[str, np.ndarray, float]]:
    """(number, centre, radius) of every numbered marker, in pixels, from its drawn circle."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == MARKER_GID):
        x0, y0, x1, y1 = t.get_bbox_patch().get_window_extent(renderer).extents
        out.append((t.get_text(), np.array([(x0 + x1) / 2, (y0 + y1) / 2]), (x1 - x0) / 2))
    return out


def label_boxes(fig) -> list[tuple[str, shapely.Polygon]]:
    """Each street label's box (its letters' width, ascent and descent) turned with it, in pixels."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == STREET_GID):
        w, h, d = renderer.get_text_width_height_descent(t.get_text(), t.get_fontproperties(), ismath=False)
        box = shapely.box(-w / 2, -d, w / 2, h - d)
        box = shapely.affinity.rotate(box, t.get_rotation(), origin=(0, 0))
        x, y = t.get_transform().transform(t.get_position())
        out.append((t.get_text(), shapely.affinity.translate(box, x, y)))
    return out


def assert_nothing_hidden(fig) -> tuple[list, list]:
    """No two markers overlap, no two labels overlap, no label covers a marker."""
    circles, labels = markers(fig), label_boxes(fig)
    for (a, pa, ra), (b, pb, rb) in itertools.combinations(circles, 2):
        assert np.hypot(*(pa - pb)) >= ra + rb - 0.5, f"marker {a} overlaps marker {b}"
    for (a, box_a), (b, box_b) in itertools.combinations(labels, 2):
        assert box_a.intersection(box_b).area < 0.5, f"label {a!r} overlaps label {b!r}"
    for (text, box), (number, centre, radius) in itertools.product(labels, circles):
        assert box.distance(shapely.Point(centre)) >= radius - 0.5, f"label {text!r} covers marker {number}"
    return circles, labels


def pdf_words(path: Path, page: int | None = None) -> str:
    """The PDF's text layer in the order it is written, every space and line break removed
    (pdftotext gives a turned label a letter or a word a line)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(["pdftotext", "-raw", *pages, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.sub(r"\s+", "", text)


# --- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo() -> Workspace:
    return Workspace.open(DEMO)


@pytest.fixture(scope="module")
def coldharbour(demo):
    """The demo's Coldharbour night-time economy patrol plan (1 hid under 8 before)."""
    return plan_patrol(demo, COLDHARBOUR_NIGHTS)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("streets") / "ws")


@pytest.fixture(scope="module")
def streets(demo) -> pd.DataFrame:
    return map_streets(demo)


@pytest.fixture(scope="module")
def crowded(ws) -> TaskingList:
    """Six small places 180 m apart round Brixton: at the overview's scale their circles would overlap."""
    tlist = make_list(ws, 6)
    centres = [(531180.0 + 180 * (i % 3), 175500.0 + 180 * (i // 3)) for i in range(6)]
    frame = tlist.frame.copy()
    frame["centroid_easting"], frame["centroid_northing"] = zip(*centres)
    frame = frame.set_geometry([shapely.Point(c).buffer(60) for c in centres])
    return TaskingList(frame, tlist.period, tlist.band, cards=tlist.cards, caveats=tlist.caveats,
                       sources=tlist.sources)


# --- street names from the records -------------------------------------------------------------
def test_record_streets_reads_streets_not_generic_words_landmarks_or_sensitive_records():
    incidents = pd.DataFrame({
        "location_text": ["On or near Brixton Road", "Brixton Road", "On or near Supermarket", "On or near Nightclub",
                          "Waterloo (lu Station)", "Brixton, Kellett Road", "On or near Secret Close", None,
                          "Council Depot"],
        "easting": [531000.0, 531000.4, 531050, 531060, 531070, 531080, 531090, 531100, 531110],
        "northing": [175000.0] * 9,
        "sensitive": [False, False, False, False, False, False, True, False, False]})
    before = incidents.copy()
    out = record_streets(incidents, generic=["council depot"])
    pd.testing.assert_frame_equal(incidents, before)
    assert out.to_dict("records") == [
        {"name": "Brixton Road", "easting": 531000.0, "northing": 175000.0, "records": 2},
        {"name": "Kellett Road", "easting": 531080.0, "northing": 175000.0, "records": 1}]


def test_record_streets_says_what_is_missing():
    with pytest.raises(UserError, match="record_streets needs the incident column 'location_text'"):
        record_streets(pd.DataFrame({"easting": [1.0], "northing": [1.0]}))
    with pytest.raises(TypeError, match="'incidents' parameter of record_streets must be a pandas DataFrame"):
        record_streets([1, 2])


def test_a_street_along_a_line_is_turned_along_it_and_labelled_at_its_busiest_point():
    along = pd.DataFrame({"name": "Acre Lane", "easting": 530000.0 + np.arange(5) * 50,
                          "northing": 175000.0 - np.arange(5) * 50 * np.tan(np.radians(30)),
                          "records": [2, 9, 3, 3, 2]})
    scattered = pd.DataFrame({"name": "Settle Close", "easting": [530100.0, 530140, 530100, 530140],
                              "northing": [175300.0, 175300, 175340, 175340], "records": [1, 1, 1, 1]})
    labels = street_labels((529000, 174000, 531000, 176000), streets=pd.concat([scattered, along]))
    assert labels["text"].tolist() == ["Acre Lane", "Settle Close"]  # most records first
    acre = labels.iloc[0]
    assert acre["angle"] == pytest.approx(-30.0) and (acre["x"], acre["y"]) == (530050.0, along["northing"][1])
    assert labels.iloc[1]["angle"] == 0.0  # a square of points has no direction
    near = street_labels((529000, 174000, 531000, 176000), streets=pd.concat([scattered, along]),
                         focus=[shapely.box(530090, 175290, 530150, 175350)])
    assert near["text"].tolist() == ["Settle Close", "Acre Lane"]  # the focus first


def test_roads_come_first_and_a_street_they_name_is_not_labelled_twice():
    records = pd.DataFrame({"name": ["Fleet Street", "Bride Lane"], "easting": [531300.0, 531500.0],
                            "northing": [181115.0, 181050.0], "records": [40, 3]})
    labels = street_labels((530800, 180800, 532800, 181500), streets=records, roads=ROADS)
    assert labels["source"].tolist() == ["roads", "roads", "records"]  # roads first, longest first
    assert labels["text"].tolist() == ["Fleet Street", "Cheapside", "Bride Lane"]
    assert ROADS.length[0] > ROADS.length[1]
    fleet = labels.set_index("text").loc["Fleet Street"]
    assert 0 < fleet["angle"] < 10 and fleet["weight"] == pytest.approx(ROADS.length[0])
    unnamed = ROADS.assign(name=[None, "Cheapside"])
    assert "A4" in street_labels((530800, 180800, 532800, 181500), roads=unnamed)["text"].tolist()


# --- markers -------------------------------------------------------------------------------------
def test_spread_markers_parts_every_overlapping_circle_and_leaves_the_rest():
    rng = np.random.default_rng(7)
    xy = np.vstack([rng.normal(100, 6, size=(9, 2)), [[400.0, 400.0]]])
    out = spread_markers(xy, radius=8.0, gap=1.0)
    d = np.hypot(*(out[:, None] - out[None]).transpose(2, 0, 1))[np.triu_indices(10, 1)]
    assert d.min() >= 17.0 - 1e-6
    assert out[-1].tolist() == [400.0, 400.0] and out[0].tolist() == xy[0].tolist()  # the first keeps its place
    assert np.hypot(*(out - xy).T).max() <= 3 * 17.0  # each moves only as far as it must
    assert spread_markers(np.empty((0, 2)), radius=5.0).shape == (0, 2)


def test_a_crowded_centre_keeps_its_markers_near_their_places_and_inside_the_map():
    """A city centre with 140 places on a small map: no marker flung off the map, none far from its place."""
    rng = np.random.default_rng(3)
    xy = rng.normal(300, 40, size=(140, 2))
    out = spread_markers(xy, radius=6.0, gap=1.0, bounds=(0.0, 0.0, 600.0, 600.0))
    d = np.hypot(*(out[:, None] - out[None]).transpose(2, 0, 1))[np.triu_indices(140, 1)]
    assert d.min() >= 13.0 - 1e-6
    assert (out >= 6.0).all() and (out <= 594.0).all()
    moved = np.hypot(*(out - xy).T)
    assert np.median(moved) <= 13.0 + 1e-6 and moved.max() < 120.0  # half move one marker across at most


def test_coldharbour_night_plan_numbers_all_readable_and_streets_named(coldharbour, demo):
    assert len(coldharbour.frame) == 8
    outline = demo.read_layer("ward_2014").set_index("code").loc["E05000420", "geometry"]
    fig = patrol_map(coldharbour, outline=outline, streets=map_streets(demo, bbox=outline.buffer(1500).bounds))
    circles, labels = assert_nothing_hidden(fig)
    assert sorted(int(n) for n, _, _ in circles) == list(range(1, 9))
    assert len(labels) >= 6
    one, eight = (next(p for n, p, _ in circles if n == k) for k in ("1", "8"))
    assert np.hypot(*(one - eight)) > 10  # 1 is no longer under 8


@needs_pdftotext
def test_coldharbour_plan_pdf_has_the_street_names_as_text(coldharbour, demo, tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(patrol_pdf(demo, COLDHARBOUR_NIGHTS, coldharbour))
    outline = demo.read_layer("ward_2014").set_index("code").loc["E05000420", "geometry"]
    minx, miny, maxx, maxy = outline.bounds
    pad = max(maxx - minx, maxy - miny)
    fig = patrol_map(coldharbour, outline=outline, streets=map_streets(demo, bbox=(minx - pad, miny - pad,
                                                                                     maxx + pad, maxy + pad)))
    names = [t.text for t in page_texts(fig)]
    words = pdf_words(path)
    assert names and all(re.sub(r"\s+", "", name) in words for name in names)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert any(t.text in text for t in page_texts(fig) if t.angle == 0)  # level names read whole


# --- briefing pack and PNG -----------------------------------------------------------------------
def test_overview_spreads_crowded_rank_circles_and_keeps_labels_apart(ws, crowded, streets):
    background = StreetBackground(*(lambda b: (b.wards, b.boroughs))(background_layers(ws)), streets=streets)
    before = crowded.frame.copy()
    plain = overview_figure(crowded.frame, background=background_layers(ws), streets=None)
    fig = overview_figure(crowded.frame, background=background, title="Crowded")
    pd.testing.assert_frame_equal(crowded.frame, before)
    circles, labels = assert_nothing_hidden(fig)
    assert len(circles) == 6 and len(labels) >= 8
    assert not label_boxes(plain)  # no records in that workspace: no street names


def test_a_long_list_numbers_its_first_twenty_near_their_places_inside_the_map(demo, streets):
    """The demo's night-time week lists over a hundred places: their circles once rang the
    city centre far past the map's edge, leader lines across the page."""
    frame = tasking_list(demo, TaskingRequest(period="2018-W25", band="nte")).frame
    assert len(frame) > 100
    fig = overview_figure(frame, background=StreetBackground(*(lambda b: (b.wards, b.boroughs))(
        background_layers(demo)), streets=streets))
    circles, _ = assert_nothing_hidden(fig)
    assert sorted(int(n) for n, _, _ in circles) == list(range(1, 21))
    x0, y0, x1, y1 = fig.axes[0].bbox.extents
    assert all(x0 <= c[0] - r and c[0] + r <= x1 and y0 <= c[1] - r and c[1] + r <= y1 for _, c, r in circles)
    legend = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "Rank in the tasking list (the first 20)" in legend


def test_a_place_page_map_with_roads_draws_them_under_the_places_and_names_them_first(ws, crowded):
    frame = crowded.frame.set_geometry([shapely.Point(531350 + 30 * i, 181100).buffer(80) for i in range(6)])
    records = pd.DataFrame({"name": ["Fleet Street", "Bride Lane"], "easting": [531300.0, 531500.0],
                            "northing": [181115.0, 181050.0], "records": [40, 3]})
    fig = hotspot_figure(frame, 1, background=background_layers(ws), streets=records, roads=ROADS)
    lines = [c for c in fig.axes[0].collections if c.get_zorder() == 0.5]
    assert lines and np.allclose(lines[0].get_edgecolor()[0][:3], to_rgb(ROAD_EDGE))
    names = [text for text, _ in label_boxes(fig)]
    assert names.count("Fleet Street") == 1 and "Bride Lane" in names
    assert_nothing_hidden(fig)


@needs_pdftotext
def test_briefing_place_page_has_its_street_names_as_text(ws, crowded, streets, tmp_path):
    b = background_layers(ws)
    background = StreetBackground(b.wards, b.boroughs, streets=streets)
    (path,) = export_tasking(crowded, tmp_path / "pack.pdf", setting=ReportSetting(background=background), top=1)
    listed = disclose(crowded.frame, rules=DisclosureRules.load()).frame.head(1)  # the pack's list: its top 1
    expected = [t.text for t in page_texts(hotspot_figure(listed, 1, background=background))]
    assert len(expected) >= 4
    assert all(re.sub(r"\s+", "", name) in pdf_words(path, 4) for name in expected)  # the place page
    overview = pdf_words(path, 2)  # the overview, drawn to the page's width
    assert sum(re.sub(r"\s+", "", name) in overview for name in set(streets["name"])) >= 8
