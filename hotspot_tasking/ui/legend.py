"""The legend under every map: swatches that differ by shape and glyph as well as colour,
each with its words, so a map reads on a greyscale screen or to a colour-blind reader.

One helper draws them all (:func:`draw_legend`): the legend is our own fixed text and
numbers we format (never data text), escaped all the same, drawn as a line of HTML, then
the map's caption and, while basemap tiles are on, the tile provider's attribution.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import streamlit as st

from ..labels import TREND_EDGES, TREND_STYLE
from ..reports.setting import MapSetting
from .maps import VIRIDIS
from .streetmap import ROAD_GREY, STREET_INK
from .style import CATEGORICAL
from .text import plain

#: Swatch shapes: a filled square, a disc holding text, a line, a colour ramp, a sample of text.
SHAPES = ("square", "disc", "line", "ramp", "text")
HOTSPOT = CATEGORICAL[5]
PATROL = CATEGORICAL[0]


@dataclass(frozen=True)
class Key:
    """One entry of a legend.

    Attributes
    ----------
    words : str
        What it means, with units.
    shape : str, default="square"
        One of :data:`SHAPES`.
    fill, edge : str, default="#ffffff", "#000000"
        Colours (hex) of the swatch's inside and its edge (a line's colour is ``edge``).
    glyph : str, default=""
        Text drawn in the swatch ("▲", "3▲") or, for ``"text"``, the sample.
    ramp : tuple of str, default=()
        A ramp's colours, low to high, drawn as equal steps.
    edge_px : int, default=1
        The edge's width, pixels.
    """

    words: str
    shape: str = "square"
    fill: str = "#ffffff"
    edge: str = "#000000"
    glyph: str = ""
    ramp: tuple[str, ...] = ()
    edge_px: int = 1

    def __post_init__(self):
        if self.shape not in SHAPES:
            raise ValueError(f"The 'shape' parameter of Key must be one of {SHAPES}. Got {self.shape!r} instead.")


def legend_html(keys: list[Key]) -> str:
    """The legend as one line of HTML (wrapping on a narrow screen), every text escaped.

    >>> legend_html([Key("rising", glyph="▲", fill="#D55E00")]).count("rising")
    1
    """
    items = []
    for key in keys:
        glyph = html.escape(key.glyph)
        box = (f"display:inline-flex;align-items:center;justify-content:center;vertical-align:middle;"
               f"margin-right:5px;color:#000;font-size:12px;border:{key.edge_px}px solid {key.edge};")
        if key.shape == "square":
            swatch = f'<span style="{box}width:18px;height:16px;background:{key.fill}">{glyph}</span>'
        elif key.shape == "disc":
            swatch = (f'<span style="{box}min-width:24px;height:24px;border-radius:12px;background:{key.fill};'
                      f'padding:0 2px">{glyph}</span>')
        elif key.shape == "line":
            swatch = (f'<span style="display:inline-block;vertical-align:middle;margin-right:5px;width:22px;'
                      f'border-top:{key.edge_px}px solid {key.edge}"></span>')
        elif key.shape == "ramp":
            step = 100 / max(len(key.ramp), 1)  # in steps, as the map colours its cells
            stops = ",".join(f"{c} {i * step:g}% {(i + 1) * step:g}%" for i, c in enumerate(key.ramp))
            swatch = (f'<span style="{box}width:90px;height:14px;border-color:#666;'
                      f'background:linear-gradient(to right,{stops})"></span>')
        else:
            swatch = f'<span style="margin-right:5px;color:{key.edge};font-size:12px">{glyph}</span>'
        items.append(f'<span style="display:inline-flex;align-items:center;margin:0 14px 4px 0;white-space:nowrap">'
                     f'{swatch}<span>{html.escape(key.words)}</span></span>')
    return f'<div style="font-size:13px;line-height:1.6;display:flex;flex-wrap:wrap">{"".join(items)}</div>'


def draw_legend(keys: list[Key], *, caption: str = "", setting: MapSetting | None = None) -> None:
    """The legend under a map, then its caption, then the basemap's attribution while tiles are on."""
    st.html(legend_html(keys))
    text = " ".join(t for t in (caption, setting.attribution if setting is not None else "") if t)
    if text:
        st.caption(plain(text))


def _hex(rgba) -> str:
    return "#" + "".join(f"{int(v):02x}" for v in list(rgba)[:3])


def street_keys(*, roads: bool) -> list[Key]:
    """The roads' lines (with a roads layer) and the street names' sample."""
    keys = [Key("roads (the roads layer)", shape="line", edge=_hex(ROAD_GREY), edge_px=2)] if roads else []
    source = "the roads layer, then the records' locations" if roads else "the records' locations"
    return keys + [Key(f"street names, from {source}", shape="text", glyph="Acre Lane", edge=_hex(STREET_INK))]


def review_keys(*, wards: bool, roads: bool) -> list[Key]:
    """The weekly review map: places by trend (a glyph in each swatch), the numbered markers,
    the selected place, wards, roads and street names."""
    trends = [Key(f"place {words}", fill=colour + "8c", edge=TREND_EDGES[colour], glyph=glyph, edge_px=2)
              for glyph, (colour, words) in TREND_STYLE.items()]
    return [*trends, Key("rank and trend (the first 20 and the selected place)", shape="disc", glyph="3▲"),
            Key("selected place", edge="#000000", edge_px=4),
            *([Key("wards", shape="line", edge="#5a5a5a")] if wards else []), *street_keys(roads=roads)]


def patrol_keys(*, roads: bool) -> list[Key]:
    """The patrol map: the places in order, the spot round each, the area, roads and street names."""
    return [Key("place to be, in order", shape="disc", fill=PATROL, edge="#000000", glyph="1"),
            Key("about 120 m round the place", shape="disc", fill=PATROL + "3c", edge=PATROL + "3c"),
            Key("the area", fill="#f0f0f028", edge="#5a5a5a"), *street_keys(roads=roads)]


def density_words(weighting: str) -> str:
    """The KDE surface's unit: "incidents per km²", or "harm per km²" when harm-weighted."""
    return "harm per km²" if weighting == "harm" else "incidents per km²"


def explorer_keys(method: str, *, density: tuple[float, float] | None = None, weighting: str = "count",
                  eps_m: float | None = None, fdr_alpha: float | None = None, min_z: float | None = None,
                  boundaries: str | None = None, roads: bool = False) -> list[Key]:
    """The explorer map of one method, with units: KDE, the density ramp from the lowest to the
    highest density shown and the hotspot outlines; DBSCAN, the clusters; Gi*, the hot cells."""
    hot = HOTSPOT + "6e"
    if method == "kde":
        keys = [Key("hotspot (outlined)", fill=hot, edge=HOTSPOT, edge_px=2)]
        if density is not None:
            ramp = tuple(_hex(c) for c in VIRIDIS)
            keys.insert(0, Key(f"density, {density[0]:,.1f} (dark) to {density[1]:,.1f} (light) "
                               f"{density_words(weighting)}", shape="ramp", ramp=ramp))
    elif method == "dbscan":
        eps = f"{eps_m:g} m" if eps_m is not None else "eps"
        keys = [Key(f"cluster (outlined): locations with enough incidents within {eps}; no density surface", fill=hot,
                    edge=HOTSPOT, edge_px=2)]
    else:
        alpha = f"{fdr_alpha:g}" if fdr_alpha is not None else "alpha"
        low = f"z ≥ {min_z:.1f}, " if min_z is not None else ""
        keys = [Key(f"hot cells (outlined together): {low}FDR-adjusted p ≤ {alpha}; no density surface", fill=hot,
                    edge=HOTSPOT, edge_px=2)]
    if boundaries:
        keys.append(Key(boundaries, shape="line", edge="#5a5a5a"))
    return keys + street_keys(roads=roads)


def explorer_caption(method: str, *, hotspots: int, incidents: int, density: tuple[float, float] | None = None,
                     weighting: str = "count", eps_m: float | None = None, min_weight: float | None = None,
                     fdr_alpha: float | None = None) -> str:
    """What the explorer's map shows, for its method, in one or two sentences.

    >>> explorer_caption("dbscan", hotspots=3, incidents=120, eps_m=150.0, min_weight=38.5)
    '3 clusters from 120 incidents: places where at least 38.5 incidents lie within 150 m (eps) of a location, \
outlined. No density surface: DBSCAN finds clusters of points.'
    """
    if method == "kde":
        scale = (f" (the hottest cells, from {density[0]:,.1f} in dark purple to {density[1]:,.1f} in yellow)"
                 if density is not None else "")
        return (f"{hotspots:,} hotspots from {incidents:,} incidents. Density in {density_words(weighting)}"
                f"{scale}; hotspots outlined.")
    if method == "dbscan":
        eps = f"{eps_m:g} m (eps)" if eps_m is not None else "eps"
        unit = "harm" if weighting == "harm" else "incidents"
        least = f"at least {min_weight:g} {unit}" if min_weight is not None else "enough incidents"
        return (f"{hotspots:,} clusters from {incidents:,} incidents: places where {least} lie within {eps} of a "
                "location, outlined. No density surface: DBSCAN finds clusters of points.")
    alpha = f"{fdr_alpha:g}" if fdr_alpha is not None else "the card's alpha"
    return (f"{hotspots:,} hot cells from {incidents:,} incidents: cells whose Getis-Ord Gi* z is significantly high "
            f"(Benjamini-Hochberg FDR-adjusted p ≤ {alpha}), outlined together. No density surface: Gi* tests "
            "each cell's count against its neighbours'.")
