"""The incident table: schema, readers per source, validation and quarantine,
coordinates, dates, H3 cells, the taxonomy, time bands with aoristic weights, and the
GeoParquet workspace.

Never imports Streamlit.
"""

from .errors import GeoError
from .ingest import Area, IngestResult, read_incidents
from .readers import reader_for
from .report import REJECT_REASONS, ImportReport
from .schema import INCIDENT_COLUMNS, empty_incidents
from .taxonomy import Taxonomy
from .timebands import TimeBands
from .workspace import Workspace

__all__ = [
    "Area", "GeoError", "INCIDENT_COLUMNS", "ImportReport", "IngestResult", "REJECT_REASONS",
    "Taxonomy", "TimeBands", "Workspace", "empty_incidents", "read_incidents", "reader_for",
]
