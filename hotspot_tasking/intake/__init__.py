"""Incoming files into the incident table: CSV text (files, folders, zips, gzip,
encodings), dates as data files write them, one reader per source format, the ingest
that accepts or rejects every row, and the import into a workspace.

Uses :mod:`hotspot_tasking.geo` (the schema, coordinates, taxonomy, the workspace and its
import log); never imports Streamlit.
"""

from .errors import IntakeError
from .ingest import read_incidents
from .readers import Reader, reader_for
from .store import ingest_files

__all__ = ["IntakeError", "Reader", "ingest_files", "read_incidents", "reader_for"]
