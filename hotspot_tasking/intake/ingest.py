"""Ingest: files -> the canonical incident table, the rejected rows and a report.

Pure: reads files, writes nothing. :func:`hotspot_tasking.intake.store.ingest_files`
wraps it with the workspace's taxonomy, area and existing ids, and commits the result.

Every row read is either accepted or rejected with one reason: "malformed row" (a record
with more or fewer fields than the header, never parsed) or one of
:data:`~hotspot_tasking.geo.report.REJECT_REASONS`; the report checks the sum. The rejected
rows are returned formula-safe (every text cell that a spreadsheet would run as a formula
starts with an apostrophe), as the exports are.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..formulaguard import neutralise_frame
from ..geo import coords
from ..geo.area import Area
from ..geo.report import (
    MALFORMED_ROW,
    OUT_OF_AREA_REASONS,
    REJECT_REASONS,
    FileCount,
    ImportReport,
    IngestResult,
    new_import_id,
)
from ..geo.schema import QUARANTINE_COLUMNS, conform
from ..geo.taxonomy import UNMAPPED, Taxonomy
from ..validation import check_frame, check_paths, check_type
from . import dates
from .readers import PARSED_COLUMNS, Reader
from .readers.base import all_distinct
from .shown_names import check_names, named_inputs
from .tallies import out_of_area_areas, shared_crime_ids
from .textfiles import CsvText, parse_csv

log = logging.getLogger(__name__)


def read_incidents(
    paths: Iterable[str | Path],
    reader: Reader,
    *,
    taxonomy: Taxonomy,
    area: Area | None = None,
    existing_ids: pd.Index | None = None,
    import_id: str | None = None,
    names: Mapping[str | Path, str] | None = None,
) -> IngestResult:
    """Read incident files into the canonical table, rejecting rows that cannot be used.

    Parameters
    ----------
    paths : iterable of path
        Files, folders (searched for the reader's file pattern) or zips.
    reader : Reader
        From :func:`hotspot_tasking.intake.readers.reader_for`.
    taxonomy : Taxonomy
        Maps the source's category words to categories, groups and harm weights.
    area : Area, optional
        Rows farther than its margin from its box are rejected; not checked when None.
    existing_ids : pandas.Index, optional
        Ids of this source already stored; such rows are rejected as "already imported",
        so importing the same file twice adds nothing.
    import_id : str, optional
        Defaults to a new id.
    names : mapping of path to str, optional
        The name to record (in the report, the rejected rows and messages) for a file or zip
        among ``paths`` instead of its name on disk, such as an upload's name in the
        browser, kept as text only; at most 255 characters, control characters replaced
        by U+FFFD. Files not in it are recorded under their own names.

    Returns
    -------
    IngestResult
        Its ``rejects`` hold every rejected row (malformed ones with the spreadsheet row
        number and why), each text cell guarded against spreadsheet formulas; a workspace
        stores those of :data:`~hotspot_tasking.geo.report.OUT_OF_AREA_REASONS` apart. Its
        report counts the out-of-area rows by area and the police.uk rows sharing a Crime
        ID across crime types (see :mod:`~hotspot_tasking.intake.tallies`).

    Raises
    ------
    IntakeError
        A file that cannot be read or lacks the format's columns; nothing is returned then.
    TypeError
        For an argument of the wrong type (a bare path instead of a list, say).
    """
    where = "read_incidents"
    paths = check_paths(paths, "paths", where)
    check_type(reader, "reader", where, Reader, type_name="a Reader (hotspot_tasking.intake.reader_for)")
    check_type(taxonomy, "taxonomy", where, Taxonomy, type_name="a Taxonomy (Taxonomy.load())")
    check_type(area, "area", where, Area, type_name="an Area", optional=True)
    check_type(existing_ids, "existing_ids", where, pd.Index, type_name="a pandas Index", optional=True)
    check_type(import_id, "import_id", where, str, type_name="a str", optional=True)
    names = check_names(names, paths, where)
    import_id = import_id or new_import_id()
    report = ImportReport(import_id=import_id, source=reader.source,
                          started=datetime.now(UTC).isoformat(timespec="seconds"))
    inputs = named_inputs(paths, reader.pattern, names)
    with ThreadPoolExecutor(max_workers=min(len(inputs), os.cpu_count() or 1) or 1) as pool:
        results = list(pool.map(lambda item: _read_file(item, reader), inputs))  # one bad file stops all
    files = [csv for csv, _ in results]
    parsed = [frame for _, frame in results]
    frame = pd.concat(parsed, ignore_index=True) if parsed else _empty_parsed()
    reason, detail, located = _validate(frame, area, existing_ids)

    ok = reason == ""
    accepted = _canonical(frame[ok], located, ok, reader, taxonomy, import_id)
    rejects = _rejects(files, frame, reason, detail)
    _fill_report(report, files, frame, reason, accepted, located)
    report.out_of_area_areas = out_of_area_areas(files, pd.Series(reason).isin(OUT_OF_AREA_REASONS).to_numpy())
    report.shared_crime_ids = shared_crime_ids(files, ok)
    report.check()
    log.info("import %s: %s", import_id, report.format().splitlines()[0])
    return IngestResult(accepted, rejects, report)


def _empty_parsed() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in PARSED_COLUMNS})
    return frame.assign(naive=pd.Series(dtype="datetime64[us]"), naive_to=pd.Series(dtype="datetime64[us]"),
                        location_precision_m=pd.Series(dtype=float), _file=pd.Series(dtype="str"),
                        _row=pd.Series(dtype="int64"))


def _read_file(item: tuple[str, Callable[[], bytes]], reader: Reader) -> tuple[CsvText, pd.DataFrame]:
    """Load, decode and parse one input (runs in a worker thread)."""
    name, load = item
    csv = parse_csv(load(), name)
    return csv, _parse_file(csv, reader)


def _parse_file(csv: CsvText, reader: Reader) -> pd.DataFrame:
    """Parse one file and give rows without an id a stable derived one."""
    out = reader.read(csv)
    out["incident_id"] = out["incident_id"].astype("str")
    blank = out["incident_id"].eq("").to_numpy()
    if blank.any():
        out.loc[blank, "incident_id"] = derived_ids(csv.frame[blank])
    out["_file"] = csv.name
    out["_row"] = csv.rows.to_numpy()
    return out


def derived_ids(raw: pd.DataFrame) -> np.ndarray:
    """Stable ids for rows that have none: a hash of the row's text plus its position
    among identical rows in the file, e.g. ``"h3f9a0c1d2e4b5a67-0"``.

    The same file imported again gives the same ids; two identical rows (police.uk
    often has several ASB reports at one point in one month) get ``-0`` and ``-1``.
    The hash is pandas' SipHash (:func:`pandas.util.hash_array`, fixed key) of the row's
    cells joined with the unit separator U+001F: stable across runs and machines; a
    test pins one value.
    """
    check_frame(raw, "raw", "derived_ids")
    if len(raw) == 0:
        return np.array([], dtype=object)
    cells = [pa.array(raw[c].astype("str").array) for c in raw.columns]
    joined = pc.binary_join_element_wise(*cells, pa.scalar("\x1f", cells[0].type)) if len(cells) > 1 else cells[0]
    hashes = pd.util.hash_array(joined.to_numpy(zero_copy_only=False).astype(object))
    hexed = np.frombuffer(hashes.astype(">u8").tobytes().hex().encode("ascii"), dtype="S16").astype(str)
    occurrence = pd.Series(hashes).groupby(hashes).cumcount().to_numpy()
    return ("h" + pd.Series(hexed, dtype="str") + "-" + pd.Series(occurrence).astype("str")).to_numpy()


def _validate(frame: pd.DataFrame, area: Area | None, existing_ids: pd.Index | None):
    """Per row: the first reason it cannot be accepted (``""`` if none), a detail, and its location.

    Detail text is built only for the rows a check rejects.
    """
    n = len(frame)
    reason = np.full(n, "", dtype=object)
    detail = np.full(n, "", dtype=object)

    def mark(mask: np.ndarray, why: str, what) -> None:
        new = np.flatnonzero(mask & (reason == ""))
        if len(new):
            reason[new] = why
            detail[new] = what if isinstance(what, str) else np.asarray(what(new), dtype=object)

    def coord_text(rows: np.ndarray) -> pd.Series:
        sub = frame.iloc[rows]
        return "coordinates '" + sub["x"].astype("str") + "', '" + sub["y"].astype("str") + "'"

    def date_text(rows: np.ndarray) -> pd.Series:
        return "date '" + frame["date_text"].iloc[rows].astype("str") + "'"

    ids = frame["incident_id"].astype("str")

    def id_text(rows: np.ndarray) -> pd.Series:
        return "id '" + ids.iloc[rows] + "'"

    mark(frame["skip_reason"].ne("").to_numpy(), "not a fire",
         lambda rows: ("'" + frame["source_category"].iloc[rows].astype("str")
                       + "' is not a fire; this source keeps fires only"))
    located = _locate(frame)
    mark(located.status == "no location", "no location", coord_text)
    mark(located.status == "outside Great Britain", "outside Great Britain", coord_text)
    if area is not None:
        dist = area.distance_m(located.easting, located.northing)
        far = np.nan_to_num(dist, nan=0.0) > area.margin_m
        mark(far, "far outside the workspace area",
             lambda rows: pd.Series(dist[rows] / 1000).round(1).astype("str") + " km outside the workspace area")
    def window_text(rows: np.ndarray) -> pd.Series:
        sub = frame.iloc[rows]
        return "from '" + sub["date_text"].astype("str") + "' to '" + sub["date_to_text"].astype("str") + "'"

    naive = frame["naive"]
    mark(naive.isna().to_numpy(), "unparseable date", date_text)
    bad_end = (frame["date_to_text"].ne("") & frame["naive_to"].isna()).to_numpy()
    mark(bad_end, "unparseable date", lambda rows: "end date '" + frame["date_to_text"].iloc[rows].astype("str") + "'")
    backwards = (frame["naive_to"].notna() & (frame["naive_to"] < naive)).to_numpy()
    mark(backwards, "time window ends before it starts", window_text)
    if existing_ids is not None and len(existing_ids):
        mark(ids.isin(existing_ids).to_numpy(), "already imported", id_text)
    candidates = np.flatnonzero(reason == "")
    repeated = np.zeros(n, dtype=bool)
    if not all_distinct(ids.iloc[candidates]):
        repeated[candidates] = ids.iloc[candidates].duplicated(keep="first").to_numpy()
    mark(repeated, "duplicate id", id_text)
    return reason, detail, located


def _locate(frame: pd.DataFrame) -> coords.Located:
    """Locate every row, each group of rows by the coordinate system its reader declared."""
    n = len(frame)
    out = {k: np.full(n, np.nan) for k in ("easting", "northing", "longitude", "latitude")}
    status = np.full(n, "no location", dtype=object)
    system = np.full(n, "", dtype=object)
    crs = frame["crs"].astype("str").to_numpy(dtype=object)
    for kind in pd.unique(crs):
        rows = np.flatnonzero(crs == kind)
        got = coords.locate(frame["x"].iloc[rows], frame["y"].iloc[rows], kind)
        for key in out:
            out[key][rows] = getattr(got, key)
        status[rows] = got.status
        system[rows] = got.system
    return coords.Located(out["easting"], out["northing"], out["longitude"], out["latitude"], status, system)


def _canonical(ok_frame: pd.DataFrame, located: coords.Located, ok: np.ndarray, reader: Reader,
               taxonomy: Taxonomy, import_id: str) -> pd.DataFrame:
    ok_frame = ok_frame.reset_index(drop=True)
    occurred_from, occurred_to = dates.window(ok_frame["naive"], ok_frame["precision"])
    precision = ok_frame["precision"]
    has_to = ok_frame["naive_to"].notna().to_numpy()
    if has_to.any():
        _, end = dates.window(ok_frame["naive_to"][has_to], ok_frame["precision_to"][has_to])
        occurred_to[has_to] = end
        precision = precision.where(~has_to, _coarser(precision, ok_frame["precision_to"]))
    mapped = taxonomy.apply(reader.vocabulary, ok_frame["source_category"])
    table = pd.DataFrame({
        "incident_id": ok_frame["incident_id"],
        "source": reader.source,
        "source_category": ok_frame["source_category"],
        **{k: mapped[k] for k in ("category", "subcategory", "groups")},
        "occurred_from": occurred_from,
        "occurred_to": occurred_to,
        "time_precision": precision,
        "easting": located.easting[ok],
        "northing": located.northing[ok],
        "longitude": located.longitude[ok],
        "latitude": located.latitude[ok],
        "location_precision_m": ok_frame["location_precision_m"],
        "location_text": ok_frame["location_text"],
        "lsoa_code_given": ok_frame["lsoa_code_given"],
        **{k: mapped[k] for k in ("harm_weight", "lead_agency", "sensitive")},
        "import_id": import_id,
    })
    return conform(table)


def _coarser(a: pd.Series, b: pd.Series) -> pd.Series:
    """The coarser of two precisions, row by row (a window is as precise as its vaguer end)."""
    order = {"minute": 0, "hour": 1, "day": 2, "month": 3, "": -1}
    ra = a.map(order).to_numpy()
    rb = b.map(order).to_numpy()
    return pd.Series(np.where(rb > ra, b.to_numpy(), a.to_numpy()), index=a.index, dtype="str")


def _rejects(files: list[CsvText], frame: pd.DataFrame, reason: np.ndarray, detail: np.ndarray) -> pd.DataFrame:
    """Rejected rows with file, row, reason and detail, then each row's own columns; malformed
    records among them in row order; every text cell formula-safe."""
    bad = reason != ""
    parts = []
    start = 0
    for csv in files:
        stop = start + len(csv.frame)
        sel = bad[start:stop]
        pieces = []
        if sel.any():
            head = pd.DataFrame({
                "file": csv.name,
                "row": csv.rows.to_numpy()[sel],
                "reason": reason[start:stop][sel],
                "detail": detail[start:stop][sel],
            })
            pieces.append(pd.concat([head, _own(csv.frame[sel].reset_index(drop=True))], axis=1))
        if csv.malformed is not None and len(csv.malformed):
            m = csv.malformed
            head = pd.DataFrame({"file": csv.name, "row": m["row"], "reason": MALFORMED_ROW, "detail": m["detail"]})
            pieces.append(pd.concat([head, _own(m.drop(columns=["row", "detail"]))], axis=1))
        if pieces:
            part = pd.concat(pieces, ignore_index=True)
            parts.append(part.sort_values("row", kind="stable", ignore_index=True) if len(pieces) > 1 else part)
        start = stop
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in QUARANTINE_COLUMNS})
    return neutralise_frame(pd.concat(parts, ignore_index=True))


def _own(frame: pd.DataFrame) -> pd.DataFrame:
    """A row's own columns, those named like the quarantine's own renamed ``"<name> (in file)"``."""
    return frame.set_axis([f"{c} (in file)" if c in QUARANTINE_COLUMNS else c for c in frame.columns], axis=1)


def _fill_report(report: ImportReport, files: list[CsvText], frame: pd.DataFrame, reason: np.ndarray,
                 accepted: pd.DataFrame, located: coords.Located) -> None:
    start = 0
    malformed = 0
    for csv in files:
        stop = start + len(csv.frame)
        broken = csv.rows_read - len(csv.frame)
        rejected = int((reason[start:stop] != "").sum()) + broken
        malformed += broken
        report.files.append(FileCount(csv.name, csv.encoding, csv.rows_read, csv.rows_read - rejected, rejected))
        if csv.encoding != "utf-8":
            report.notes.append(f"{csv.name}: read as {_encoding_words(csv.encoding)}.")
        if csv.delimiter != ",":
            report.notes.append(f"{csv.name}: {csv.read_as.split(';')[0]}.")
        start = stop
    counts = pd.Series(reason[reason != ""]).value_counts()
    counts[MALFORMED_ROW] = malformed  # set aside while reading, before the checks
    report.rejected_by_reason = {r: int(counts[r]) for r in REJECT_REASONS if counts.get(r, 0)}
    unmapped = accepted.loc[accepted["category"] == UNMAPPED, "source_category"].value_counts()
    report.unmapped = {str(k): int(v) for k, v in unmapped.items()}
    systems = pd.Series(located.system[reason == ""]).value_counts()
    if "wgs84 swapped" in systems.index:
        report.notes.append(f"{systems['wgs84 swapped']:,} rows had latitude and longitude swapped; "
                            "they were put right.")
    if len(systems) > 1 or (len(systems) == 1 and frame["crs"].eq("auto").any()):
        words = {"wgs84": "WGS84 longitude/latitude", "wgs84 swapped": "WGS84 (swapped)",
                 "bng": "British National Grid easting/northing"}
        report.notes.append("Coordinates read as: " + ", ".join(f"{words[k]} {v:,}" for k, v in systems.items()) + ".")


def _encoding_words(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8 with a byte-order mark",
            "cp1252": "Windows-1252 (not valid UTF-8)"}.get(encoding, encoding)
