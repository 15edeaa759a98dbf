"""The incident table and the workspace that stores it: schema, coordinates, H3 cells, the
taxonomy, time bands with aoristic weights, the workspace's area and import log, and the
GeoParquet workspace. Incoming files are read by :mod:`hotspot_tasking.intake`.

The names below are imported on first use (PEP 562), so that importing a light module of the
package (:mod:`.errors`, :mod:`.atomic`) loads no pandas or geopandas: the command line's
start-up and its file copies stay fast. ``from hotspot_tasking.geo import Workspace`` works as
before.

Never imports Streamlit.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: Each public name -> the module of the package that defines it.
_EXPORTS = {
    "Area": ".area", "GeoError": ".errors", "INCIDENT_COLUMNS": ".schema", "ImportReport": ".report",
    "IngestResult": ".report", "REJECT_REASONS": ".report", "Taxonomy": ".taxonomy", "TimeBands": ".timebands",
    "Workspace": ".workspace", "empty_incidents": ".schema",
}

__all__ = [
    "Area", "GeoError", "INCIDENT_COLUMNS", "ImportReport", "IngestResult", "REJECT_REASONS",
    "Taxonomy", "TimeBands", "Workspace", "empty_incidents",
]

if TYPE_CHECKING:
    from .area import Area
    from .errors import GeoError
    from .report import REJECT_REASONS, ImportReport, IngestResult
    from .schema import INCIDENT_COLUMNS, empty_incidents
    from .taxonomy import Taxonomy
    from .timebands import TimeBands
    from .workspace import Workspace


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
