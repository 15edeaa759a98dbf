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
