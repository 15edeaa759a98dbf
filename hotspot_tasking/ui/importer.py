"""The Data page's import form: upload a file, say what it is, map its columns, import it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from ..errors import UserError
from ..geo.report import ImportReport
from ..geo.schema import SOURCES
from ..geo.workspace import Workspace
from ..intake.readers import fire, reader_for
from ..intake.readers.mapped_csv import make_reader, mapping_from
from ..intake.store import ingest_files
from ..intake.textfiles import parse_csv

#: Bytes: larger files go through the CLI (hotspot-tasking ingest), which streams from disk.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAPPED = ("council_asb", "street_drinking")
FIELDS = {"id": "Reference / id", "date": "Date (or date and time)", "time": "Time (optional)",
          "category": "Category / type", "x": "Longitude or easting", "y": "Latitude or northing",
          "location_text": "Street or place (optional)"}


def import_form(ws: Workspace) -> ImportReport | None:
    """Draw the form; import when asked; return the report of an import just done."""
    source = st.selectbox("What is the file?", SOURCES, key="import_source",
                          format_func=lambda s: s.replace("_", " "))
    upload = st.file_uploader("CSV, gzipped CSV or the police.uk zip", type=["csv", "gz", "zip"], key="import_file",
                              help=f"Up to {MAX_UPLOAD_BYTES // 2**20} MB here; larger files: hotspot-tasking ingest.")
    if upload is None:
        return None
    data = upload.getvalue()
    if len(data) > MAX_UPLOAD_BYTES:
        st.error(f"{upload.name} is {len(data) / 2**20:,.0f} MB, over the {MAX_UPLOAD_BYTES // 2**20} MB limit here; "
                 f"import it with: hotspot-tasking ingest WORKSPACE --source {source} {upload.name}")
        return None
    reader = None
    try:
        if source in MAPPED:
            reader = _mapped_reader(source, data, upload.name)
        elif source == "fire":
            reader = fire.make_reader(st.text_input("Motive column (optional)", key="import_motive") or None)
        else:
            reader = reader_for(source)
    except UserError as err:
        st.error(str(err))
        return None
    if reader is None or not st.button("Import", type="primary", key="import_go"):
        return None
    with st.status(f"Importing {upload.name}…", expanded=False) as status, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / upload.name
        path.write_bytes(data)
        try:
            report = ingest_files(ws, [path], source, reader=reader)
        except UserError as err:
            status.update(label="Import failed", state="error")
            st.error(str(err))
            return None
        status.update(label=f"Imported {upload.name}", state="complete")
    return report


def _mapped_reader(source: str, data: bytes, name: str):
    """Column choices from the file's header, made into a reader."""
    if name.lower().endswith((".zip", ".gz")):
        raise UserError(f"{name}: upload the CSV itself for this source (not a zip or .gz), "
                        "so its columns can be mapped.")
    header = list(parse_csv(data.split(b"\n", 1)[0] + b"\n", name).frame.columns)
    st.caption("Which column holds what? Coordinates are detected per row (WGS84 or British National Grid, "
               "swapped latitude/longitude put right).")
    cols = st.columns(4)
    chosen = {}
    for i, (field, label) in enumerate(FIELDS.items()):
        guess = _guess(field, header)
        options = [""] + header
        chosen[field] = cols[i % 4].selectbox(label, options, index=options.index(guess), key=f"import_col_{field}")
    mapping = mapping_from({"columns": chosen, "source_name": source}, where="the column choices")
    return make_reader(source, mapping)


def _guess(field: str, header: list[str]) -> str:
    words = {"id": ("reference", "ref", "id"), "date": ("date", "received", "logged"), "time": ("time",),
             "category": ("type", "category"), "x": ("longitude", "easting", "lon", "x"),
             "y": ("latitude", "northing", "lat", "y"), "location_text": ("street", "location", "address")}[field]
    for word in words:
        for col in header:
            if word in col.lower() and not (field == "date" and "time" in col.lower() and word != "date"):
                return col
    return ""


def report_table(report: ImportReport) -> pd.DataFrame:
    """The report's per-file counts as a small table."""
    return pd.DataFrame([{"file": f.name, "rows read": f.rows_read, "accepted": f.rows_accepted,
                          "rejected": f.rows_rejected, "encoding": f.encoding} for f in report.files])
