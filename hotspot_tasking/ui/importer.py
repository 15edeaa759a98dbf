"""The Data page's import form: upload a file, say what it is, map its columns, import it.

An upload is saved under a generated name in a private temporary folder (:func:`save_upload`),
never under the name the browser sent: that name is kept as text only, in the import log
and in messages, escaped for Markdown wherever the app shows it.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pandas as pd
import streamlit as st

from ..errors import UserError
from ..geo.report import ImportReport
from ..geo.schema import SOURCES
from ..geo.workspace import Workspace
from ..intake.readers import Reader, fire, reader_for
from ..intake.readers.mapped_csv import make_reader, mapping_from
from ..intake.shown_names import MAX_NAME_CHARS, clean_name
from ..intake.store import ingest_files
from ..intake.textfiles import TEXT_EXTENSIONS, parse_csv
from ..validation import check_type
from .text import plain

#: Bytes: the upload limit, ``server.maxUploadSize`` (MB) in .streamlit/config.toml, which the
#: browser applies in MB of 1,000,000 bytes (of 1,048,576 on Windows; the server too, so this
#: is the stricter). Larger files go through the CLI (hotspot-tasking ingest), which streams from disk.
MAX_UPLOAD_BYTES = int(st.get_option("server.maxUploadSize")) * 1_000_000
#: The extensions an upload may be saved with; any other name is saved as .csv.
EXTENSIONS = (*TEXT_EXTENSIONS, ".gz", ".zip")
MAPPED = ("council_asb", "street_drinking")
FIELDS = {"id": "Reference / id", "date": "Date (or date and time)", "time": "Time (optional)",
          "category": "Category / type", "x": "Longitude or easting", "y": "Latitude or northing",
          "location_text": "Street or place (optional)"}


def import_form(ws: Workspace) -> ImportReport | None:
    """Draw the form; import when asked; return the report of an import just done."""
    source = st.selectbox("What is the file?", SOURCES, key="import_source",
                          format_func=lambda s: s.replace("_", " "))
    limit_mb = MAX_UPLOAD_BYTES // 1_000_000
    upload = st.file_uploader("CSV or other delimited text (tab, semicolon, pipe), gzipped, or the police.uk zip",
                              type=[e.lstrip(".") for e in EXTENSIONS], key="import_file",
                              help=f"Up to {limit_mb:,} MB here; larger files: hotspot-tasking ingest.")
    if upload is None:
        return None
    shown = upload_name(upload.name)
    data = upload.getvalue()
    if len(data) > MAX_UPLOAD_BYTES:
        st.error(f"{plain(shown)} is {len(data) / 1_000_000:,.0f} MB, over the {limit_mb:,} MB limit here; "
                 "import it at the command line instead: "
                 + plain(f"hotspot-tasking ingest WORKSPACE --source {source} '{shown}'"))
        return None
    reader = None
    try:
        if source in MAPPED:
            reader = _mapped_reader(source, data, shown)
        elif source == "fire":
            reader = fire.make_reader(st.text_input("Motive column (optional)", key="import_motive") or None)
        else:
            reader = reader_for(source)
    except UserError as err:
        st.error(plain(str(err)))
        return None
    if reader is None or not st.button("Import", type="primary", key="import_go"):
        return None
    failure = report = None
    with st.status(f"Importing {plain(shown)}…", expanded=False) as status:
        try:
            report = import_upload(ws, data, upload.name, source, reader=reader)
        except UserError as err:
            failure = err
            status.update(label=f"Import of {plain(shown)} failed", state="error")
        else:
            status.update(label=f"Imported {plain(shown)}", state="complete")
    if failure is not None:  # in view, not inside the collapsed status box
        st.error(plain(str(failure)), icon=":material/error:")
    return report


def upload_name(name: str) -> str:
    r"""The name an upload is recorded and shown under: the browser's name as text, control
    characters replaced by U+FFFD, cut to 255 characters.

    >>> upload_name("../../x\n.csv") == "../../x\ufffd.csv"
    True
    """
    check_type(name, "name", "upload_name", str, type_name="a str")
    name = clean_name(name) or "upload"
    return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS - 1] + "…"


def save_upload(data: bytes, name: str, folder: str | Path) -> Path:
    """Write an upload's bytes to a new file in ``folder`` under a generated name.

    Parameters
    ----------
    data : bytes
        The file's contents.
    name : str
        The name the browser sent; only its lowercased extension is used, and only when it
        is one of :data:`EXTENSIONS` (otherwise ``.csv``). It is never part of a path.
    folder : path
        A private folder (``tempfile.TemporaryDirectory`` makes it mode 0700).

    Returns
    -------
    pathlib.Path
        ``folder / "upload-<32 hex digits><extension>"``, newly created (never an
        existing file or link).
    """
    where = "save_upload"
    check_type(data, "data", where, bytes, type_name="bytes")
    check_type(name, "name", where, str, type_name="a str")
    check_type(folder, "folder", where, (str, Path), type_name="a path (str or pathlib.Path)")
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    path = Path(folder) / f"upload-{uuid.uuid4().hex}{suffix if suffix in EXTENSIONS else '.csv'}"
    with path.open("xb") as out:
        out.write(data)
    return path


def import_upload(ws: Workspace, data: bytes, name: str, source: str, *, reader: Reader) -> ImportReport:
    """Import an upload's bytes into ``ws``, saved in a private temporary folder under a
    generated name (:func:`save_upload`) and recorded under :func:`upload_name` of ``name``.

    Parameters
    ----------
    ws : Workspace
        The workspace to add to.
    data : bytes
        The file's contents.
    name : str
        The name the browser sent; kept as text only.
    source : str
        The source name (``"police_uk"``, ``"fire"``, ...).
    reader : Reader
        The reader for the file.

    Returns
    -------
    ImportReport
        Its file names are the upload's name as text.

    Raises
    ------
    UserError
        A file that cannot be imported (an IntakeError); its message names the upload by
        its name as text; the workspace is then unchanged.
    """
    with tempfile.TemporaryDirectory(prefix="hotspot-upload-") as tmp:
        path = save_upload(data, name, tmp)
        return ingest_files(ws, [path], source, reader=reader, names={path: upload_name(name)})


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
