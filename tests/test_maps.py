"""The app's pydeck layer builders (hotspot_tasking.ui.maps): what they send to the browser."""

from __future__ import annotations

import base64
import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image
from pyproj import Transformer

from hotspot_tasking.errors import UserError
from hotspot_tasking.hotspots.grid import Grid
from hotspot_tasking.ui.maps import (
    VIRIDIS,
    boundary_layers,
    deck,
    density_colours,
    density_layer,
    geojson,
    hotspot_layers,
    outline_layer,
)

TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


def squares() -> gpd.GeoDataFrame:
    """A 100 m square, and a 300 m square with a 100 m hole, in EPSG:27700."""
    holed = shapely.box(530000, 180000, 530300, 180300).difference(shapely.box(530100, 180100, 530200, 180200))
    return gpd.GeoDataFrame({"code": ["A", "B"], "name": ["Ay", "Bee"], "edge": [[1, 2, 3, 4], [5, 6, 7, 8]]},
                            geometry=[shapely.box(531000, 181000, 531100, 181100), holed], crs=27700)


def serialised(layer) -> dict:
    return json.loads(deck([layer], (530000, 180000, 531100, 181100)).to_json())["layers"][0]


def decoded(layer: dict) -> np.ndarray:
    head, data = layer["image"].split(",", 1)
    assert head == "data:image/png;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA"))


def test_outlines_are_one_segment_per_edge_of_every_ring_holes_included():
    frame = squares()
    before = frame.copy()
    layer = serialised(outline_layer(frame, layer_id="edges", colour="edge", width_px=2))
    assert layer["@@type"] == "LineLayer" and layer["id"] == "edges" and layer["widthUnits"] == "pixels"
    segments = pd.DataFrame(layer["data"])
    assert len(segments) == 4 + 4 + 4  # the square; the holed square's outside and its hole
    assert segments["c"].map(tuple).value_counts().to_dict() == {(1, 2, 3, 4): 4, (5, 6, 7, 8): 8}
    # every segment joins two corners, in WGS84 (longitude, latitude), rounded to 6 decimals
    lon, lat = TO_WGS84.transform([531000, 531000, 531100, 531100], [181000, 181100, 181100, 181000])
    first = segments[segments["c"].map(tuple) == (1, 2, 3, 4)]
    corners = {tuple(xy) for xy in np.column_stack([lon, lat]).round(6).tolist()}
    assert {tuple(p) for p in first["s"]} == corners == {tuple(p) for p in first["t"]}
    pd.testing.assert_frame_equal(frame, before)  # the input is left as it was


def test_a_point_in_the_middle_of_a_straight_edge_adds_no_segment():
    two_cells = shapely.coverage_union_all([shapely.box(0, 0, 50, 50), shapely.box(50, 0, 100, 50)])
    frame = gpd.GeoDataFrame(geometry=[shapely.Polygon([(530000 + x, 180000 + y) for x, y in
                                                        shapely.get_coordinates(two_cells)])], crs=27700)
    assert shapely.get_num_coordinates(frame.geometry.values)[0] > 5
    assert len(serialised(outline_layer(frame, layer_id="x"))["data"]) == 4
    assert len(geojson(frame, [])["features"][0]["geometry"]["coordinates"][0]) == 5


def test_boundaries_and_hotspots_are_a_pickable_fill_and_an_outline():
    frame = squares()
    fill, edge = boundary_layers(frame)
    assert (fill.type, fill.id, fill.stroked, fill.pickable) == ("GeoJsonLayer", "boundaries", False, True)
    assert [f["properties"] for f in fill.data["features"]] == [{"code": "A", "name": "Ay"},
                                                                 {"code": "B", "name": "Bee"}]
    assert (edge.type, edge.id) == ("LineLayer", "boundaries_outline")
    fill, edge = hotspot_layers(frame.rename(columns={"code": "hotspot_id"}), colour="#D55E00")
    assert fill.id == "hotspots" and fill.get_fill_color == [213, 94, 0, 110]
    assert edge.id == "hotspots_outline" and edge.get_color == [213, 94, 0, 255]


def test_the_density_surface_is_one_image_of_the_grid_one_pixel_per_cell():
    grid = Grid(530000.0, 180000.0, 50.0, nx=4, ny=3)
    cells = pd.DataFrame({"row": [0, 2, 1], "col": [0, 3, 1], "density": [10.0, 30.0, 20.0]})
    before = cells.copy()
    layer = serialised(density_layer(cells, grid))
    assert layer["@@type"] == "BitmapLayer" and layer["id"] == "density"
    pixels = decoded(layer)
    assert pixels.shape == (3, 4, 4)  # rows (north first), columns, RGBA
    assert pixels[0, 0].tolist() == [*VIRIDIS[0], 150] and pixels[2, 3].tolist() == [*VIRIDIS[4], 150]
    assert pixels[1, 1].tolist() == [*VIRIDIS[2], 150]
    assert (pixels[..., 3] > 0).sum() == 3  # transparent where no cell is given
    # laid on the grid's corners: south-west, north-west, north-east, south-east
    lon, lat = TO_WGS84.transform([530000, 530000, 530200, 530200], [180000, 180150, 180150, 180000])
    assert np.allclose(layer["bounds"], np.column_stack([lon, lat]), atol=1e-6)
    assert layer["textureParameters"] == {"magFilter": "nearest", "minFilter": "nearest"}
    pd.testing.assert_frame_equal(cells, before)


def test_a_grid_without_cells_is_a_transparent_image():
    empty = pd.DataFrame({"row": pd.Series([], dtype=int), "col": pd.Series([], dtype=int), "density": []})
    pixels = decoded(serialised(density_layer(empty, Grid(0.0, 0.0, 10.0, nx=5, ny=2))))
    assert pixels.shape == (2, 5, 4) and not pixels[..., 3].any()


@pytest.mark.parametrize("density,steps", [([5.0], [0]), ([1.0, 1.0], [0, 0]), ([0.0, 2.4, 2.6, 10.0], [0, 1, 1, 4])])
def test_density_colours_run_from_the_lowest_to_the_highest_in_five_steps(density, steps):
    colours = density_colours(np.array(density), alpha=99)
    assert colours.dtype == np.uint8 and colours[:, 3].tolist() == [99] * len(density)
    assert colours[:, :3].tolist() == VIRIDIS[steps].tolist()


def test_a_deck_is_sent_without_indentation():
    text = deck(boundary_layers(squares()), (530000, 180000, 531100, 181100)).to_json()
    assert "\n" not in text and ", " not in text
    spec = json.loads(text)
    assert [layer["id"] for layer in spec["layers"]] == ["boundaries", "boundaries_outline"]
    assert spec["initialViewState"]["zoom"] > 10


def test_hotspot_cells_can_be_outlined_as_the_areas_they_make():
    cells = gpd.GeoDataFrame({"z": [3.0, 2.5, 4.0]}, geometry=[shapely.box(530000, 180000, 530020, 180020),
                                                                shapely.box(530020, 180000, 530040, 180020),
                                                                shapely.box(530100, 180100, 530120, 180120)],
                             crs=27700)
    fill, edge = hotspot_layers(cells, dissolve=True)
    assert len(fill.data["features"]) == 3  # each cell keeps its figures for the tooltip
    assert len(serialised(edge)["data"]) == 4 + 4  # two cells side by side are one rectangle, and the third
    assert len(serialised(hotspot_layers(cells)[1])["data"]) == 12


def test_the_density_layer_names_what_is_wrong_with_its_cells():
    grid = Grid(0.0, 0.0, 10.0, nx=2, ny=2)
    with pytest.raises(TypeError, match="The 'grid' parameter of density_layer must be a Grid. Got tuple instead."):
        density_layer(pd.DataFrame({"row": [0], "col": [0], "density": [1.0]}), (0, 0, 10, 2, 2))
    with pytest.raises(UserError, match="density_layer needs the column 'density'; the table has 2 columns"):
        density_layer(pd.DataFrame({"row": [0], "col": [0]}), grid)
    with pytest.raises(UserError, match=r"^density_layer: 1 of the 2 cells lie off the 2 x 2 grid .*Pass the surface"):
        density_layer(pd.DataFrame({"row": [0, 2], "col": [0, 1], "density": [1.0, 2.0]}), grid)


# --- streets, markers, the basemap and the legend ------------------------------------------

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from hotspot_tasking.boundaries.roads import load_roads  # noqa: E402
from hotspot_tasking.reports.errors import ReportError  # noqa: E402
from hotspot_tasking.reports.setting import CARTO_ATTRIBUTION, CARTO_POSITRON, MapSetting  # noqa: E402
from hotspot_tasking.ui.decks import hotspot_tips, patrol_tooltip  # noqa: E402
from hotspot_tasking.ui.legend import Key, explorer_caption, explorer_keys, legend_html, review_keys  # noqa: E402
from hotspot_tasking.ui.streetmap import (  # noqa: E402
    STREET_SIZE_PX,
    ScreenFrame,
    disc_shapes,
    label_limit,
    marker_layers,
    place_street_names,
    road_layer,
    spread_points,
    street_layers,
)

ROADS_FILE = "tests/fixtures/boundaries/city_roads_open_roads_schema.gpkg"
CITY = (531000.0, 180600.0, 533200.0, 181900.0)  # the City of London, where the roads fixture's links are


def city_roads() -> gpd.GeoDataFrame:
    """The roads fixture (OS Open Roads schema) as read_roads gives a roads layer back."""
    from pathlib import Path
    return load_roads(Path(__file__).resolve().parent.parent / ROADS_FILE).frame


def crowded_streets(n: int = 80, seed: int = 1) -> pd.DataFrame:
    """``n`` street names at random points within 300 m of one spot (record_streets' columns)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"name": [f"Street {i} Road" for i in range(n)],
                         "easting": 532000 + rng.uniform(-300, 300, n).round(),
                         "northing": 181200 + rng.uniform(-300, 300, n).round(), "records": rng.integers(1, 50, n)})


def boxes_px(names: pd.DataFrame, frame: ScreenFrame) -> list:
    """Each placed name's box on screen (pixels): its text's size in the font and size drawn, turned by its angle."""
    fig = Figure(figsize=(2, 2), dpi=72)
    renderer = FigureCanvasAgg(fig).get_renderer()
    font = FontProperties(size=STREET_SIZE_PX)
    x, y = frame.to_px(names["lon"], names["lat"])
    out = []
    for text, cx, cy, angle in zip(names["text"], x, y, names["angle"]):
        w, h, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
        box = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
        out.append(shapely.affinity.translate(shapely.affinity.rotate(box, -angle, origin=(0, 0)), cx, cy))
    return out


def test_the_roads_are_drawn_clipped_to_the_frame_and_simplified_only_when_there_is_a_roads_layer():
    roads = city_roads()
    before = roads.copy()
    frame = ScreenFrame.for_bounds((531800, 181000, 532400, 181400), width_px=420, height_px=380)
    layer = road_layer(roads, frame)
    assert layer.type == "LineLayer" and layer.id == "roads" and layer.get_color == [190, 190, 190, 255]
    segments = pd.DataFrame(layer.data)
    ends = np.array(segments["s"].tolist() + segments["t"].tolist())
    x, y = frame.to_px(ends[:, 0], ends[:, 1])
    # clipped to the frame's box on the National Grid, 20 px wider each side (the grid turns a little to the screen)
    assert x.min() >= -30 and x.max() <= frame.width_px + 30 and y.min() >= -30 and y.max() <= frame.height_px + 30
    rx, ry = frame.bng_to_px(*shapely.get_coordinates(roads.geometry.values).T)
    assert rx.min() < -100 and rx.max() > frame.width_px + 100  # the roads run well past it
    inside = roads.clip(shapely.box(*frame.extent_27700(margin_px=20)))
    assert len(segments) <= shapely.get_num_coordinates(inside.geometry.values).sum()
    pd.testing.assert_frame_equal(roads, before)  # the input is left as it was
    # no roads layer, or none in view: no roads drawn
    assert road_layer(None, frame) is None
    assert road_layer(roads, ScreenFrame.for_bounds((521000, 169000, 522000, 170000), width_px=420,
                                                    height_px=380)) is None
    with_roads = street_layers(frame, roads=roads, streets=crowded_streets())
    assert [layer.id for layer in with_roads] == ["roads", "street_names_halo", "street_names"]
    assert [layer.id for layer in street_layers(frame, streets=crowded_streets())] == ["street_names_halo",
                                                                                       "street_names"]


def test_street_names_come_from_the_roads_first_and_are_plain_text_in_every_character():
    frame = ScreenFrame.for_bounds(CITY, width_px=900, height_px=560)
    roads = city_roads()
    streets = pd.DataFrame({"name": ["Rue de l'Église", "Fleet Street"], "easting": [532500.0, 531500.0],
                            "northing": [181000.0, 181050.0], "records": [500, 900]})
    names = place_street_names(frame, roads=roads, streets=streets)
    assert set(names["text"]) <= set(roads["name"]) - {""}  # the roads are named before the records' streets
    assert (names["text"] == "Fleet Street").sum() == 1  # a street the roads name is not named twice
    spot = shapely.Point(532500, 181000).buffer(50)  # ... unless the records' street is where the places are
    assert "Rue de l'Église" in set(place_street_names(frame, roads=roads, streets=streets, focus=[spot])["text"])
    assert set(place_street_names(frame, streets=streets)["text"]) == {"Rue de l'Église", "Fleet Street"}
    halo, ink = street_layers(frame, roads=roads, streets=streets)[1:]
    spec = json.loads(deck([halo, ink], CITY).to_json())
    assert [(layer["@@type"], layer["getText"], layer["characterSet"]) for layer in spec["layers"]] == \
        [("TextLayer", "@@=text", "auto")] * 2  # text, never HTML; accents drawn (deck.gl draws ASCII by default)
    assert spec["layers"][0]["outlineWidth"] > 0 and "outlineWidth" not in spec["layers"][1]  # the ink over the halo


def test_street_names_never_overlap_each_other_the_markers_or_the_edge_at_the_decks_zoom():
    frame = ScreenFrame.for_bounds((531700, 180900, 532300, 181500), width_px=460, height_px=520)
    streets = crowded_streets()
    before = streets.copy()
    markers = spread_points(*frame.to_lonlat([200, 210, 300], [250, 250, 100]), frame, radius_px=14)
    avoid = disc_shapes(markers, radius_px=14)
    names = place_street_names(frame, streets=streets, avoid=avoid)
    assert 4 <= len(names) <= label_limit(460, 520) == 10
    boxes = boxes_px(names, frame)
    for i, a in enumerate(boxes):
        assert shapely.box(0, 0, frame.width_px, frame.height_px).contains(a)
        assert not a.intersects(avoid)
        for b in boxes[i + 1:]:
            assert not a.intersects(b), "two street names overlap"
    pd.testing.assert_frame_equal(streets, before)
    # the names nearest the places shown (the focus) come first
    spot = shapely.Point(531750, 180950).buffer(60)
    near = streets[shapely.contains_xy(spot, streets["easting"], streets["northing"])]["name"]
    focused = place_street_names(frame, streets=streets, focus=[spot], limit=2)
    assert len(near) and set(focused["text"]) <= set(near) | set(streets["name"])
    assert focused["text"].iloc[0] in set(near)


def test_markers_that_would_overlap_are_spread_apart_each_joined_to_its_place():
    frame = ScreenFrame(-0.09, 51.515, 15.0, width_px=400, height_px=300)
    lon, lat = frame.to_lonlat([200, 200, 205, 350], [150, 150, 152, 40])
    spread = spread_points(lon, lat, frame, radius_px=11, gap_px=2)
    xy = spread[["x", "y"]].to_numpy()
    gaps = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))[np.triu_indices(4, 1)]
    assert gaps.min() >= 2 * 11 + 2 - 1e-6
    assert spread["moved"].tolist() == [False, True, True, False]  # the first and the lone one stay on their places
    assert np.allclose(spread[["lon", "lat"]], np.column_stack([lon, lat]))
    layers = marker_layers(spread.assign(label=["1", "2", "3▲", "4"]), layer_id="ranks", fill=[255] * 4,
                           ink=[0, 0, 0, 255], radius_px=11, size_px=13)
    assert [layer.id for layer in layers] == ["ranks_leaders", "ranks_dots", "ranks_disc", "ranks"]
    assert len(layers[0].data) == 2  # one leader line per moved marker
    assert json.loads(deck(layers, CITY).to_json())["layers"][-1]["characterSet"] == "auto"  # "3▲": not ASCII
    alone = marker_layers(spread_points([-0.09], [51.515], frame, radius_px=11).assign(label=["1"]),
                          layer_id="order", fill=[0] * 4, ink=[255] * 4, radius_px=11, size_px=13)
    assert [layer.id for layer in alone] == ["order_disc", "order"]  # nothing moved: no leader lines


def test_the_frame_is_the_one_the_deck_opens_on():
    frame = ScreenFrame.for_bounds(CITY, width_px=420, height_px=380)
    spec = json.loads(deck([], CITY, width_px=420, height_px=380).to_json())["initialViewState"]
    assert (frame.longitude, frame.latitude, frame.zoom) == (spec["longitude"], spec["latitude"], spec["zoom"])
    x, y = frame.bng_to_px([CITY[0], CITY[2]], [CITY[1], CITY[3]])
    assert (x > 0).all() and (x < 420).all() and (y > 0).all() and (y < 380).all()  # the extent fits, with margin
    assert 0.5 < frame.metres_per_px < 10
    with pytest.raises(TypeError, match="The 'width_px' parameter of ScreenFrame must be an int. Got 4.5 instead."):
        ScreenFrame(0, 51, 10, width_px=4.5, height_px=10)


def test_with_tiles_off_a_deck_asks_for_no_basemap_and_with_them_for_the_configured_style():
    off = json.loads(deck([], CITY).to_json())
    # pydeck's map_provider=None: its sentinel style, which Streamlit's frontend drops without
    # putting Carto's in its place (a missing style it would replace with Carto's)
    assert off["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in off
    assert "cartocdn" not in deck([], CITY).to_json()
    on = json.loads(deck([], CITY, tile_style="https://tiles.example.org/style.json").to_json())
    assert on["mapStyle"] == "https://tiles.example.org/style.json" and on["mapProvider"] == "maplibre"
    carto = json.loads(deck([], CITY, tile_style=CARTO_POSITRON).to_json())
    assert carto["mapStyle"] == CARTO_POSITRON and carto["mapProvider"] == "carto"


def write_map(tmp_path, body: str):
    path = tmp_path / "tasking.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_map_setting_defaults_to_cartos_positron_and_reads_a_workspaces_own(tmp_path):
    assert MapSetting.load() == MapSetting(CARTO_POSITRON, CARTO_ATTRIBUTION)
    assert MapSetting.load(write_map(tmp_path, "[map]\n")) == MapSetting(CARTO_POSITRON, CARTO_ATTRIBUTION)
    own = MapSetting.load(write_map(tmp_path, '[map]\ntile_style = " https://maps.example.gov.uk/s.json "\n'))
    assert own == MapSetting("https://maps.example.gov.uk/s.json", "Basemap: maps.example.gov.uk")
    said = MapSetting.load(write_map(tmp_path, '[map]\ntile_style = "http://10.0.0.5/style.json"\n'
                                               'attribution = "© Our council"\n'))
    assert said == MapSetting("http://10.0.0.5/style.json", "© Our council")


@pytest.mark.parametrize("value,got", [('"ftp://maps.example.org/style.json"', "'ftp://maps.example.org/style.json'"),
                                       ('"maps/style.json"', "'maps/style.json'"),
                                       ('"https:///style.json"', "'https:///style.json'"),
                                       ('"https://maps.example.org/my style.json"',
                                        "'https://maps.example.org/my style.json'")])
def test_a_tile_style_that_is_not_an_http_url_is_refused_with_the_fix(tmp_path, value, got):
    path = write_map(tmp_path, f"[map]\ntile_style = {value}\n")
    with pytest.raises(ReportError) as info:
        MapSetting.load(path)
    assert str(info.value) == (f"tasking.toml, [map]: tile_style must be an http(s) URL of a map style JSON; got "
                               f"{got}. Fix: write e.g. tile_style = \"{CARTO_POSITRON}\", or leave the key out for "
                               "that default.")


def test_the_map_setting_names_a_wrong_type_and_an_unknown_key(tmp_path):
    with pytest.raises(ReportError, match=r"^tasking.toml, \[map\]: tile_style must be text in quotes; got 3\. "):
        MapSetting.load(write_map(tmp_path, "[map]\ntile_style = 3\n"))
    with pytest.raises(ReportError, match=r"^tasking.toml, \[map\]: attribution must be text in quotes; got true"):
        MapSetting.load(write_map(tmp_path, "[map]\nattribution = true\n"))
    with pytest.raises(ReportError, match=r"^tasking.toml, \[map\]: unknown key 'tiles'"):
        MapSetting.load(write_map(tmp_path, '[map]\ntiles = "https://a.example/s.json"\n'))


def test_the_legends_say_in_shapes_and_words_what_the_colours_say():
    keys = review_keys(wards=True, roads=False)
    words = [k.words for k in keys]
    assert words[:3] == ["place rising ▲", "place no clear change ►", "place falling ▼"]
    assert [k.glyph for k in keys[:3]] == ["▲", "►", "▼"]  # each trend's swatch carries its glyph
    assert "wards" in words and words[-1] == "street names, from the records' locations"
    assert "roads (the roads layer)" in [k.words for k in review_keys(wards=False, roads=True)]
    kde = [k.words for k in explorer_keys("kde", density=(268.5, 616.9))]
    assert kde[0] == "density, 268.5 (dark) to 616.9 (light) incidents per km²" and "hotspot (outlined)" in kde
    assert "harm per km²" in explorer_keys("kde", density=(1.0, 2.0), weighting="harm")[0].words
    assert "within 150 m" in explorer_keys("dbscan", eps_m=150.0)[0].words
    gi = explorer_keys("gistar", fdr_alpha=0.05, min_z=2.61)[0].words
    assert "z ≥ 2.6" in gi and "p ≤ 0.05" in gi and "no density surface" in gi
    assert not any("density," in k.words for m in ("dbscan", "gistar") for k in explorer_keys(m))


def test_each_explorer_caption_says_what_its_method_draws():
    kde = explorer_caption("kde", hotspots=12, incidents=6846, density=(268.5, 616.9), weighting="harm")
    assert kde == ("12 hotspots from 6,846 incidents. Density in harm per km² (the hottest cells, from 268.5 in dark "
                   "purple to 616.9 in yellow); hotspots outlined.")
    for method in ("dbscan", "gistar"):
        text = explorer_caption(method, hotspots=3, incidents=100, eps_m=150.0, min_weight=38.5, fdr_alpha=0.05)
        assert "per km²" not in text and "No density surface" in text
    assert "(Benjamini-Hochberg FDR-adjusted p ≤ 0.05)" in explorer_caption("gistar", hotspots=3, incidents=9,
                                                                             fdr_alpha=0.05)


def test_a_legend_is_escaped_text_in_its_own_shapes():
    page = legend_html([Key("<b>rising</b> & up", glyph="▲", fill="#D55E00"), Key("roads", shape="line"),
                        Key("density", shape="ramp", ramp=("#440154", "#fde725"))])
    assert "&lt;b&gt;rising&lt;/b&gt; &amp; up" in page and "<b>" not in page
    assert "linear-gradient(to right,#440154 0% 50%,#fde725 50% 100%)" in page  # in steps, as the map draws them
    with pytest.raises(ValueError, match="The 'shape' parameter of Key must be one of"):
        Key("x", shape="star")


def test_a_months_patrol_map_gives_its_incidents_in_the_month_not_empty_hours():
    assert patrol_tooltip(False) == "{order}. {place_name}: {incidents} incidents in the month"
    assert "{best_hours}" in patrol_tooltip(True) and "{best_days}" in patrol_tooltip(True)


def test_explorer_tooltips_name_each_hotspot_in_plain_text():
    kde = pd.DataFrame({"place_name": ["Acre Lane (Brixton)", None], "incidents": [12.0, 3.0]})
    assert hotspot_tips(kde) == ["Acre Lane (Brixton): 12 incidents", "Hotspot: 3 incidents"]
    assert hotspot_tips(pd.DataFrame({"place_name": ["[a](http://x)"], "incidents": [4.0], "z": [3.21]})) == [
        "[a](http://x): 4 incidents, z 3.2"]  # a text tooltip: the browser sets it as text, never HTML
