"""The incident table and the workspace that stores it: schema, coordinates, H3 cells, the
taxonomy, time bands with aoristic weights, the workspace's area and import log, and the
GeoParquet workspace. Incoming files are read by :mod:`hotspot_tasking.intake`.

Never imports Streamlit.
"""

from .area import Area
from .errors import GeoError
from .report import REJECT_REASONS, ImportReport, IngestResult
from .schema import INCIDENT_COLUMNS, empty_incidents
from .taxonomy import Taxonomy
from .timebands import TimeBands
from .workspace import Workspace

__all__ = [
    "Area", "GeoError", "INCIDENT_COLUMNS", "ImportReport", "IngestResult", "REJECT_REASONS",
    "Taxonomy", "TimeBands", "Workspace", "empty_incidents",
]
