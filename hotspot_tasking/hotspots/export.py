"""Writing a hotspot analysis to files: GeoPackage (every layer plus the method card as a
table), GeoJSON (the hotspots, WGS84, with the card beside it) or GeoTIFF (the KDE surface).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio

from .errors import HotspotError
from .run import HotspotRun

FORMATS = (".gpkg", ".geojson", ".tif", ".tiff")


def write_hotspots(run: HotspotRun, path: str | Path) -> list[Path]:
    """Write ``run`` to ``path``, the extension choosing the format; return the files written.

    - ``.gpkg``: one layer per entry of ``run.layers`` and a ``method_card`` table
      (parameter, value, rule); opens in QGIS.
    - ``.geojson``: the ``hotspots`` layer in WGS84 (RFC 7946), and ``<name>.card.json``.
    - ``.tif``: the KDE density surface (incidents per km², EPSG:27700) with the card as a tag.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise HotspotError(f"{path.name}: unknown output format '{suffix}'; use .gpkg, .geojson or .tif.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".tif", ".tiff"):
        if run.surface is None:
            raise HotspotError(f"{path.name}: a GeoTIFF holds a density surface, which only --method kde makes; "
                               "write .gpkg or .geojson for this method.")
        run.surface.to_geotiff(path)
        return [path]
    if suffix == ".geojson":
        hotspots = run.layers["hotspots"]
        path.unlink(missing_ok=True)
        hotspots.to_crs(4326).to_file(path, driver="GeoJSON")
        card = path.with_suffix(".card.json")
        card.write_text(run.card.to_json(), encoding="utf-8")
        return [path, card]
    path.unlink(missing_ok=True)
    for name, layer in run.layers.items():
        layer.to_file(path, layer=name, driver="GPKG")
    pyogrio.write_dataframe(card_table(run), path, layer="method_card", driver="GPKG")
    return [path]


def card_table(run: HotspotRun) -> pd.DataFrame:
    """The method card as rows of (section, name, value, rule), for tables and spreadsheets."""
    card = run.card
    rows = [("method", "method", card.method, ""), ("method", "software", card.software, ""),
            ("method", "created", card.created, "")]
    rows += [("parameter", k, json.dumps(v, default=str), card.rules.get(k, "given"))
             for k, v in card.parameters.items()]
    rows += [("data", k, json.dumps(v, default=str), "") for k, v in card.data.items()]
    rows += [("warning", str(i + 1), w, "") for i, w in enumerate(card.warnings)]
    return pd.DataFrame(rows, columns=["section", "name", "value", "rule"])
