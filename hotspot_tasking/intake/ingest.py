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
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..formulaguard import neutralise_frame
from ..geo import coords
from ..geo.area import Area
from ..geo.idindex import IdSet, id_keys
from ..geo.report import MALFORMED_ROW, ImportReport, IngestResult, new_import_id
from ..geo.schema import QUARANTINE_COLUMNS, conform, empty_incidents
from ..geo.taxonomy import Taxonomy
from ..validation import check_paths, check_type
from . import dates
from .blankids import derived_ids, fill_blank_ids  # noqa: F401 (derived_ids: the rule, public here too)
from .importtally import ImportTally
from .pieces import PIECE_BYTES, Piece, pieces
from .readers import PARSED_COLUMNS, Reader
from .readers.base import all_distinct
from .shown_names import check_names, named_inputs
from .textfiles import CsvText, parse_csv

log = logging.getLogger(__name__)

#: About how many bytes of text an import holds at once (see :func:`stream_incidents`): the
#: peak memory of an import is about ten times this over the libraries' own, whatever the
#: files' size (672 MB for a million police.uk rows in 25 files, against 1.2 GB at 64 MB).
BATCH_BYTES = 16 * 1024 * 1024


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
    accepted: list[pd.DataFrame] = []
    rejects: list[pd.DataFrame] = []

    def keep(incidents: pd.DataFrame, rejected: pd.DataFrame, keys) -> None:
        accepted.append(incidents)
        rejects.append(rejected)

    report = stream_incidents(paths, reader, taxonomy=taxonomy, area=area, on_batch=keep, import_id=import_id,
                              existing=None if existing_ids is None else IdSet.of(existing_ids.astype("str")),
                              names=names)
    table = pd.concat(accepted, ignore_index=True) if len(accepted) > 1 else (accepted[0] if accepted else None)
    rejected = [r for r in rejects if len(r)]
    return IngestResult(
        conform(table) if table is not None else empty_incidents(),
        pd.concat(rejected, ignore_index=True) if rejected
        else pd.DataFrame({c: pd.Series(dtype="str") for c in QUARANTINE_COLUMNS}),
        report)


def stream_incidents(paths: Iterable[str | Path], reader: Reader, *, taxonomy: Taxonomy,
                     on_batch: Callable[[pd.DataFrame, pd.DataFrame, tuple[np.ndarray, np.ndarray]], object],
                     area: Area | None = None, existing: IdSet | None = None, import_id: str | None = None,
                     names: Mapping[str | Path, str] | None = None, piece_bytes: int = PIECE_BYTES,
                     batch_bytes: int = BATCH_BYTES) -> ImportReport:
    """Read incident files a batch at a time, handing each batch's accepted and rejected rows
    to ``on_batch``; memory holds one batch (about ``batch_bytes`` of text), whatever the files' size.

    The rows are those :func:`read_incidents` gives, in the same order, batch after batch:
    each batch is checked against ``existing`` ("already imported") and against the ids
    accepted in earlier batches ("duplicate id", the first kept). Large files are cut into
    pieces (:mod:`~hotspot_tasking.intake.pieces`) unless the reader needs them whole
    (:attr:`Reader.whole_files`: police.uk street files, a force-month each), and the pieces
    of a batch parsed in parallel.

    Parameters
    ----------
    paths, reader, taxonomy, area, import_id, names
        As :func:`read_incidents`.
    on_batch : callable
        ``on_batch(incidents, rejects, keys)``: the batch's accepted rows (canonical table),
        its rejected rows (as :attr:`IngestResult.rejects`) and the keys of the accepted ids
        (:func:`~hotspot_tasking.geo.idindex.id_keys`), e.g. :meth:`ImportSink.add`.
    existing : IdSet, optional
        The keys of the ids of this source already stored (:meth:`Workspace.id_set`).
    piece_bytes : int
        Bytes of records in a piece of a large file (see :func:`~hotspot_tasking.intake.pieces.pieces`).
    batch_bytes : int
        About how many bytes of text a batch holds (whole pieces; at least one).

    Returns
    -------
    ImportReport
        Its counts over every batch (rows read = accepted + rejected, checked).

    Raises
    ------
    IntakeError
        A file that cannot be read or lacks the format's columns; batches already handed
        over are then not an import (a workspace keeps none of them).
    """
    where = "stream_incidents"
    paths = check_paths(paths, "paths", where)
    check_type(reader, "reader", where, Reader, type_name="a Reader (hotspot_tasking.intake.reader_for)")
    check_type(taxonomy, "taxonomy", where, Taxonomy, type_name="a Taxonomy (Taxonomy.load())")
    check_type(area, "area", where, Area, type_name="an Area", optional=True)
    check_type(existing, "existing", where, IdSet, type_name="an IdSet (Workspace.id_set)", optional=True)
    check_type(import_id, "import_id", where, str, type_name="a str", optional=True)
    names = check_names(names, paths, where)
    import_id = import_id or new_import_id()
    tally = ImportTally(ImportReport(import_id=import_id, source=reader.source,
                                     started=datetime.now(UTC).isoformat(timespec="seconds")))
    inputs = named_inputs(paths, reader.pattern, names, blocks=True)
    this_import = IdSet()
    blank_counts: dict[int, pd.Series] = {}
    workers = min(len(inputs), os.cpu_count() or 1) or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for batch in batches(inputs, tally, piece_bytes if not reader.whole_files else None, batch_bytes):
            parsed = list(pool.map(lambda item: parse_piece(item, reader), batch))  # one bad file stops all
            checked = check_batch(batch, parsed, area, existing, this_import, blank_counts)
            on_batch(*accept_batch(batch, checked, reader, taxonomy, import_id, this_import, tally))
    report = tally.finish()
    log.info("import %s: %s", import_id, report.format().splitlines()[0])
    return report


def check_batch(batch: list[tuple[int, Piece, str]], parsed: list[tuple[CsvText, pd.DataFrame]], area: Area | None,
                existing: IdSet | None, this_import: IdSet, blank_counts: dict[int, pd.Series]) -> tuple:
    """A batch's parsed pieces as one frame, each row's reason, detail, location and id keys
    (:func:`_validate`), after the rows without an id get theirs; ``(files, frame, reason,
    detail, located, keys)``."""
    files = [csv for csv, _ in parsed]
    for (number, _, _), (csv, out) in zip(batch, parsed):
        fill_blank_ids(out, csv, blank_counts, number)
    frame = pd.concat([out for _, out in parsed], ignore_index=True) if parsed else _empty_parsed()
    return (files, frame, *_validate(frame, area, existing, this_import))


def accept_batch(batch: list[tuple[int, Piece, str]], checked: tuple, reader: Reader, taxonomy: Taxonomy,
                 import_id: str, this_import: IdSet, tally: ImportTally) -> tuple:
    """The accepted rows of a :func:`check_batch` answer as the canonical table, counted into
    ``tally`` and their ids into ``this_import``; ``(accepted, rejects, accepted keys)``."""
    files, frame, reason, detail, located, keys = checked
    ok = reason == ""
    accepted = _canonical(frame[ok], located, ok, reader, taxonomy, import_id)
    accepted_keys = (keys[0][ok], keys[1][ok])
    this_import.add(*accepted_keys)
    tally.add([n for n, _, _ in batch], files, [p.last for _, p, _ in batch], frame, reason, accepted, located)
    return accepted, _rejects(files, frame, reason, detail), accepted_keys


def batches(inputs: list[tuple[str, Callable[[], Iterator[bytes]]]], tally: ImportTally, piece_bytes: int | None,
             batch_bytes: int) -> Iterator[list[tuple[int, Piece, str]]]:
    """The inputs' pieces, ``(file number, piece, file name)``, in batches of about ``batch_bytes``;
    each file is loaded when its first piece is due; ``piece_bytes`` None: each file whole."""
    batch: list[tuple[int, Piece, str]] = []
    size = 0
    for name, load in inputs:
        number = tally.file(name)
        data = load()
        if piece_bytes is None:
            data = b"".join(data)
        for piece in pieces(data, piece_bytes=len(data) if piece_bytes is None else piece_bytes):
            batch.append((number, piece, name))
            size += len(piece.data)
            if size >= batch_bytes:
                yield batch
                batch, size = [], 0
    if batch:
        yield batch


def parse_piece(item: tuple[int, Piece, str], reader: Reader) -> tuple[CsvText, pd.DataFrame]:
    """Decode and parse one piece, its rows numbered as in the whole file (runs in a worker thread)."""
    _, piece, name = item
    csv = parse_csv(piece.data, name)
    if piece.row_offset:
        malformed = csv.malformed
        if malformed is not None:
            malformed = malformed.assign(row=malformed["row"] + piece.row_offset)
        csv = replace(csv, row_numbers=csv.rows.to_numpy() + piece.row_offset, malformed=malformed)
    out = reader.read(csv)
    out["incident_id"] = out["incident_id"].astype("str")
    out["_file"] = csv.name
    out["_row"] = csv.rows.to_numpy()
    return csv, out


def _empty_parsed() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in PARSED_COLUMNS})
    return frame.assign(naive=pd.Series(dtype="datetime64[us]"), naive_to=pd.Series(dtype="datetime64[us]"),
                        location_precision_m=pd.Series(dtype=float), _file=pd.Series(dtype="str"),
                        _row=pd.Series(dtype="int64"))


def _validate(frame: pd.DataFrame, area: Area | None, existing: IdSet | None, this_import: IdSet):
    """Per row: the first reason it cannot be accepted (``""`` if none), a detail, its location,
    and the keys of its id (:func:`~hotspot_tasking.geo.idindex.id_keys`; zero for rows rejected
    before the id checks).

    ``existing`` holds the ids stored before ("already imported"), ``this_import`` those
    accepted in the import's earlier batches ("duplicate id"). Detail text is built only for
    the rows a check rejects.
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
    h1, h2 = np.zeros(n, dtype=np.uint64), np.zeros(n, dtype=np.uint64)
    checked = np.flatnonzero(reason == "")
    h1[checked], h2[checked] = id_keys(ids.iloc[checked])
    for ids_before, why in ((existing, "already imported"), (this_import, "duplicate id")):
        if ids_before is not None and len(ids_before):
            seen = np.zeros(n, dtype=bool)
            seen[checked] = ids_before.contains(h1[checked], h2[checked])
            mark(seen, why, id_text)
    candidates = np.flatnonzero(reason == "")
    repeated = np.zeros(n, dtype=bool)
    if not all_distinct(ids.iloc[candidates]):
        repeated[candidates] = ids.iloc[candidates].duplicated(keep="first").to_numpy()
    mark(repeated, "duplicate id", id_text)
    return reason, detail, located, (h1, h2)


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
