"""The exports page's bridge to the core: the tasking list and hotspot files built into bytes
for ``st.download_button``, cached by request, and the build-then-download widgets.

Files are written by the core (:func:`~hotspot_tasking.reports.exports.export_tasking`,
:func:`~hotspot_tasking.pipeline.exports.export_hotspots`) into a temporary folder and read
back, so nothing is written into the workspace; both apply the workspace's disclosure rules.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ..geo.workspace import Workspace
from ..hotspots.run import HotspotRequest
from ..pipeline.exports import disclosure_rules as pipeline_rules
from ..pipeline.exports import export_hotspots, export_list
from ..ranking.request import TaskingRequest
from ..reports.disclosure import DisclosureRules
from .cache import explorer_incidents, hotspot_run
from .tasking_cache import tasking_list
from .text import plain

#: Tasking list formats: extension -> (button label, what it holds).
TASKING_FORMATS = {
    ".csv": ("CSV", "the ranked list, one row per place (opens in Excel)"),
    ".xlsx": ("Excel workbook", "the list, method cards, what was suppressed and why, about"),
    ".gpkg": ("GeoPackage", "place outlines with the list (EPSG:27700), for QGIS"),
    ".geojson": ("GeoJSON", "place outlines in WGS84, with an .about.json beside it"),
    ".pdf": ("PDF briefing pack", "cover, overview map, ranked list and a page per place"),
    ".png": ("PNG map", "the overview map alone, 200 dpi"),
}
#: Hotspot formats of the explorer's default KDE.
HOTSPOT_FORMATS = {".gpkg": ("Hotspots GeoPackage", "hotspot outlines, density cells and the method card"),
                   ".tif": ("Density GeoTIFF", "the KDE surface, incidents per km², EPSG:27700")}
MIME = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".gpkg": "application/geopackage+sqlite3", ".geojson": "application/geo+json", ".json": "application/json",
        ".pdf": "application/pdf", ".png": "image/png", ".tif": "image/tiff"}
PLACES = {"hotspot": "Hotspots (KDE outlines)", "ward": "Wards", "lsoa": "LSOAs", "zone": "Zones"}
FREE_TEXT_WARNING = ("Free text (action wording, notes, outcomes) may name people or addresses. A file built with it "
                     "must not leave the room: do not e-mail, print for partners or publish it.")
_BUILT = "exports_built"


@dataclass(frozen=True)
class ExportRequest:
    """One tasking export: the list asked for, how many places, and the disclosure options."""

    tasking: TaskingRequest
    top: int = 10
    min_count: int | None = None
    include_free_text: bool = False

    def file_name(self, suffix: str) -> str:
        """e.g. ``tasking_2018-06_all_hotspot.csv``; ``..._FREE-TEXT-INTERNAL.csv`` when free text is in it."""
        internal = "_FREE-TEXT-INTERNAL" if self.include_free_text else ""
        t = self.tasking
        return f"tasking_{t.period}_{t.band}_{t.candidates}{internal}{suffix}"


@dataclass(frozen=True)
class ExportFile:
    """A built file: its name, bytes and MIME type."""

    name: str
    data: bytes
    mime: str


@st.cache_data(show_spinner=False, max_entries=16)
def disclosure_rules(path: str, version: str, min_count: int | None, include_free_text: bool) -> DisclosureRules:
    """The workspace's ``[disclosure]`` settings with the page's overrides."""
    ws = Workspace.open(path)
    return pipeline_rules(ws).with_options(min_count=min_count, include_free_text=include_free_text)


@st.cache_data(show_spinner=False, max_entries=64)
def tasking_files(path: str, version: str, request: ExportRequest, suffix: str, log_version: str) -> list[ExportFile]:
    """One tasking export built into bytes (GeoJSON gives two files: the outlines and the about)."""
    ranked = tasking_list(path, version, request.tasking, log_version)
    with tempfile.TemporaryDirectory() as tmp:
        files = export_list(Workspace.open(path), ranked, Path(tmp) / request.file_name(suffix), top=request.top,
                            min_count=request.min_count, include_free_text=request.include_free_text)
        return [ExportFile(f.name, f.read_bytes(), MIME.get(f.suffix.lower(), "application/octet-stream"))
                for f in files]


@st.cache_data(show_spinner=False, max_entries=32)
def hotspot_files(path: str, version: str, request: HotspotRequest, suffix: str,
                  exact: bool = False) -> list[ExportFile]:
    """The hotspot analysis (:func:`~.cache.hotspot_run`) written as a GeoPackage or GeoTIFF, in bytes,
    under the workspace's disclosure rules (``exact``: as computed, for use inside the partnership)."""
    run = hotspot_run(path, version, request)
    with tempfile.TemporaryDirectory() as tmp:
        stem = f"hotspots_{request.method}_{request.band}_{request.start}_{request.end}"
        files, _ = export_hotspots(Workspace.open(path), run, Path(tmp) / (stem + suffix),
                                   incidents=explorer_incidents(path, request), exact=exact)
        return [ExportFile(f.name, f.read_bytes(), MIME.get(f.suffix.lower(), "application/octet-stream"))
                for f in files]


def explorer_default(filters) -> HotspotRequest:
    """The hotspot explorer's default request for the sidebar's filters (KDE, counts, automatic parameters)."""
    return HotspotRequest(method="kde", band=filters.band, categories=filters.categories, start=filters.start,
                          end=filters.end)


def download_row(container, label: str, about: str, key: str, token: tuple, build: Callable[[], list[ExportFile]],
                 *, prepare: Callable[[], object] | None = None) -> None:
    """A "Build" button for one format; once built (this session, for this request), its download buttons.

    ``token`` identifies the request: changing a filter or an option asks for a new build.
    With ``prepare`` (the first, cached step), the build shows its progress step by step.
    """
    built = st.session_state.setdefault(_BUILT, set())
    left, right = container.columns([3, 2])
    left.markdown(f"**{label}**: {about}")
    if right.button(f"Build {label}", key=f"build_{key}", disabled=token in built) or token in built:
        if prepare is not None and token not in built:
            with right.status(f"Building the {label}…", expanded=True) as status:
                bar = st.progress(0.05, text="Ranking the places (quick once done for this period)…")
                prepare()
                bar.progress(0.3, text="Applying disclosure control, drawing the maps and writing the pages…")
                files = build()
                bar.progress(1.0, text=f"Done: {len(files)} file(s).")
                status.update(label=f"{label} ready", state="complete", expanded=False)
        else:
            files = build()
        built.add(token)
        for f in files:
            right.download_button(f"Download {f.name.split('.', 1)[-1]} ({_size(len(f.data))})", f.data,
                                  file_name=f.name, mime=f.mime, key=f"download_{key}_{f.name}", on_click="ignore",
                                  icon=":material/download:", help=plain(f.name))


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(n / 1e3, 0.1):.0f} kB"

