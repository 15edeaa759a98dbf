"""Reading the workspace's incident files: only the months, rows and columns asked for.

The incident files are GeoParquet under ``incidents/month=YYYY-MM/h3_r4=CELL/`` (older
imports: ``incidents/month=YYYY-MM/``), each record filed
under the Europe/London month of its ``occurred_from`` (see
:meth:`~hotspot_tasking.geo.workspace.Workspace.incidents`). A read of a date range keeps
the records whose window ``[occurred_from, occurred_to]`` overlaps it, the rule of
:func:`~hotspot_tasking.geo.select.select_incidents`, in three steps, cheapest first:

1. month folders after the range's last month are skipped (their records start after it);
2. month folders before its first month are skipped when the file's footer statistics say
   no record in them ends on or after the first day (a record filed in March may end in
   April: the schema sets no longest window, so the footer is asked, not a rule of thumb);
3. for a box, files whose coarse H3 cell (their ``h3_r4=`` folder) lies off it are skipped;
4. the rest are read through a pyarrow dataset filter on ``occurred_from``, ``occurred_to``,
   ``source`` and, for a box, ``easting``/``northing``, which the row groups' statistics
   also prune.

Rows keep the order of a whole-table read (files in the manifest's order, rows in file
order), so a filtered read is the whole table's matching rows, renumbered from 0.
:func:`summarise` makes the workspace's :class:`Summary` (what ``hotspot-tasking status`` prints).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from ..engine import runs_by_size
from .errors import GeoError
from .h3cells import partition_box
from .report import ImportReport
from .schema import INCIDENT_COLUMNS, LOCAL_TZ, empty_incidents, month_key
from .validate import check_date, check_number, check_strings, check_type

_MONTH = re.compile(r"month=(\d{4}-\d{2})")
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Summary:
    """What ``hotspot-tasking status`` prints.

    Attributes
    ----------
    by_source, by_category : pandas.DataFrame
        Incident counts (column ``incidents``), largest first.
    by_month : pandas.DataFrame
        Counts per month (rows ``YYYY-MM``) and source (columns).
    first, last : pandas.Timestamp or None
        Earliest ``occurred_from`` and latest ``occurred_to``.
    imports : int
        Imports in the log.
    rows_read, rows_rejected : int
        Totals over the import log.
    rejected_by_reason : dict
        Over the import log.
    month_only : int
        Incidents whose time is known only to the month (``time_precision`` "month": police.uk).
    """

    incidents: int
    by_source: pd.DataFrame
    by_category: pd.DataFrame
    by_month: pd.DataFrame
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    imports: int
    rows_read: int
    rows_rejected: int
    rejected_by_reason: dict[str, int]
    month_only: int = 0


def check_read(columns, sources, start, end, bbox, where: str):
    """The checked options of a filtered read: ``(columns, sources, lo, hi, bbox)``.

    ``columns`` becomes a list (default every incident column); ``lo`` is the first day's
    local midnight and ``hi`` the local midnight after the last day (Europe/London
    timestamps, or None); ``bbox`` a tuple of four floats (or None).

    Raises
    ------
    TypeError
        A bare str or non-str items; a start or end that is not a date; a box that is not
        four numbers.
    GeoError
        An unknown column, text that is not a date, an end before the start, or a box whose
        minimum is above its maximum or that is not finite.
    """
    columns = check_strings(columns, "columns", where)
    sources = check_strings(sources, "sources", where)
    cols = list(columns) if columns is not None else list(INCIDENT_COLUMNS)
    unknown = [c for c in cols if c not in INCIDENT_COLUMNS]
    if unknown:
        raise GeoError(f"The 'columns' parameter of {where} names {len(unknown)} unknown incident "
                       f"column(s), {unknown}; choose from {', '.join(INCIDENT_COLUMNS)}.")
    lo = _local_day(check_date(start, "start", where, optional=True))
    hi = _local_day(check_date(end, "end", where, optional=True))
    if hi is not None:
        hi = _local_day(hi.tz_localize(None) + pd.Timedelta(days=1))
    if lo is not None and hi is not None and hi <= lo:
        raise GeoError(f"The 'end' parameter of {where} must be on or after 'start' ({lo:%Y-%m-%d}). "
                       f"Got {end!r} instead; swap them.")
    return cols, sources, lo, hi, _check_box(bbox, where)


def read_incidents(data_files: Sequence[Path], columns: list[str], sources: tuple[str, ...] | None, *,
                   lo: pd.Timestamp | None = None, hi: pd.Timestamp | None = None,
                   bbox: Box | None = None) -> pd.DataFrame:
    """The incidents of ``data_files`` matching the options :func:`check_read` checked.

    Parameters
    ----------
    data_files : sequence of pathlib.Path
        The manifest's incident files, in its order.
    columns : list of str
        Incident columns to return.
    sources : tuple of str or None
        Sources to keep (None: all).
    lo, hi : pandas.Timestamp, optional
        Keep records with ``occurred_to >= lo`` and ``occurred_from < hi`` (local midnights).
    bbox : (float, float, float, float), optional
        Keep records with ``minx <= easting <= maxx`` and ``miny <= northing <= maxy``
        (EPSG:27700 metres, inclusive).

    Returns
    -------
    pandas.DataFrame
        ``columns`` with their schema dtypes, indexed 0..n-1.
    """
    files = months_needed(data_files, lo, hi)
    if bbox is not None:  # a file whose cell lies off the box holds none of its records
        files = [p for p in files if _may_meet(Path(p).parent.name, bbox)]
    if not files:
        return empty_incidents()[columns]
    dataset = pads.dataset([str(p) for p in files], format="parquet")
    flt = _filter(dataset.schema, sources, lo, hi, bbox)
    frame = dataset.to_table(columns=columns, filter=flt).to_pandas()
    return frame.astype({c: INCIDENT_COLUMNS[c] for c in columns})


def incident_batches(data_files: Sequence[Path], columns: list[str], sources: tuple[str, ...] | None, *,
                     rows: int) -> Iterator[pd.DataFrame]:
    """The incidents of ``data_files`` in batches of whole files, each about ``rows`` rows or
    fewer (a file larger than that is a batch of its own), in the manifest's order: every
    record exactly once, for a pass over the whole table in bounded memory."""
    batch: list[Path] = []
    size = 0
    for path in data_files:
        count = _row_count(str(path), *_version(path))
        if batch and size + count > rows:
            yield read_incidents(batch, columns, sources)
            batch, size = [], 0
        batch.append(path)
        size += count
    if batch:
        yield read_incidents(batch, columns, sources)


def _version(path: Path) -> tuple[int, int]:
    stat = Path(path).stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=65_536)
def _row_count(path: str, mtime_ns: int, size: int) -> int:
    """Rows of an incident file, from its footer, cached per file version."""
    return pq.read_metadata(path).num_rows


def months_needed(data_files: Sequence[Path], lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> list[Path]:
    """The incident files that can hold records overlapping ``[lo, hi)``, in the given order.

    A file of a month after ``hi``'s month holds only later starts; one of a month before
    ``lo``'s is kept only when its footer says some record ends on or after ``lo``. A file
    outside a ``month=YYYY-MM`` folder (at any depth) is always kept.
    """
    if lo is None and hi is None:
        return list(data_files)
    first = f"{lo:%Y-%m}" if lo is not None else None
    last = f"{hi - pd.Timedelta(microseconds=1):%Y-%m}" if hi is not None else None
    kept = []
    for path in data_files:  # one step per file (a few hundred), no data read
        match = _MONTH.search(Path(path).as_posix())
        month = match.group(1) if match else None
        if month is not None and last is not None and month > last:
            continue
        if month is not None and first is not None and month < first and not _ends_on_or_after(path, lo):
            continue
        kept.append(path)
    return kept


#: Bytes of incident files one task reads in a pass over the workspace, at most.
RUN_BYTES = 128 * 1024 * 1024


def file_runs(data_files: Sequence[Path | str], workers: int) -> list[list[str]]:
    """Incident files in runs for a pass over the workspace, a task each: a coarse H3 cell's
    months side by side (so a point's records meet in one task), about :data:`RUN_BYTES` a run
    (:func:`~hotspot_tasking.engine.runs_by_size`)."""
    files = sorted((str(p) for p in data_files), key=lambda f: Path(f).parts[-2:-4:-1])  # cell folder, then month
    runs = runs_by_size([os.path.getsize(f) for f in files], workers, most_bytes=RUN_BYTES)
    return [[files[i] for i in run] for run in runs]


#: The incident columns a summary counts.
SUMMARY_COLUMNS = ["source", "category", "occurred_from", "occurred_to", "time_precision"]


def summarise_stored(root: Path, imports: Sequence[ImportReport],
                     batches: Callable[[], Iterable[pd.DataFrame]]) -> Summary:
    """A workspace's :class:`Summary` from each import's counts (``index/ID-counts.parquet``,
    relative to ``root``), never reading the incidents, when every import that accepted rows
    has them; else counted from ``batches()`` (the incidents' :data:`SUMMARY_COLUMNS`, a batch
    of files at a time)."""
    stored = [r.counts_file for r in imports if r.rows_accepted]
    counts = [_stored_counts(root / f) for f in stored] if stored and all(stored) else []
    if not counts or any(c is None for c in counts):  # one missing or unreadable: count the rows
        counts = [month_counts(batch) for batch in batches()]
    if not counts:
        return summarise(empty_incidents()[SUMMARY_COLUMNS], imports)
    return summarise_counts(add_counts(pd.concat(counts, ignore_index=True)), imports)


def _stored_counts(path: Path) -> pd.DataFrame | None:
    """An import's stored counts (:func:`month_counts`), or None when the file is missing, cannot
    be read or lacks a column."""
    try:
        counts = pd.read_parquet(path)
    except (OSError, pa.ArrowException):
        return None
    return counts if set(COUNT_COLUMNS) <= set(counts.columns) else None


def summarise(inc: pd.DataFrame, imports: Sequence[ImportReport]) -> Summary:
    """:meth:`Workspace.summary <hotspot_tasking.geo.workspace.Workspace.summary>` of its incidents'
    ``source``, ``category``, ``occurred_from`` and ``occurred_to`` and its import log."""
    return summarise_counts(month_counts(inc), imports)


def month_counts(inc: pd.DataFrame) -> pd.DataFrame:
    """Incidents counted by ``source``, ``month`` (``YYYY-MM`` of ``occurred_from``, the month
    folder) and ``category``: ``incidents``, those whose ``time_precision`` is a month
    (``month_only``), each group's ``first`` (earliest ``occurred_from``) and ``last`` (latest
    ``occurred_to``): what :func:`summarise_counts` needs. Counts of several reads (an
    import's batches, say) can be joined and counted again with :func:`add_counts`."""
    months = pd.Series(month_key(inc["occurred_from"]), index=inc.index, name="month")
    only = inc["time_precision"].astype("str").eq("month").astype("int64")
    grouped = inc.assign(month=months, month_only=only).groupby(["source", "month", "category"], sort=True)
    return grouped.agg(incidents=("occurred_from", "size"), month_only=("month_only", "sum"),
                       first=("occurred_from", "min"), last=("occurred_to", "max")).reset_index()


def add_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`month_counts` joined from several reads, one row per group again."""
    grouped = counts.groupby(["source", "month", "category"], sort=True)
    return grouped.agg(incidents=("incidents", "sum"), month_only=("month_only", "sum"), first=("first", "min"),
                       last=("last", "max")).reset_index()


#: The columns of :func:`month_counts`.
COUNT_COLUMNS = ("source", "month", "category", "incidents", "month_only", "first", "last")


def summarise_counts(counts: pd.DataFrame, imports: Sequence[ImportReport]) -> Summary:
    """:func:`summarise` from :func:`month_counts` (of every incident) instead of the incidents."""
    by_source = counts.groupby("source")["incidents"].sum().sort_values(ascending=False, kind="stable")
    by_category = counts.groupby("category")["incidents"].sum().sort_values(ascending=False, kind="stable")
    by_month = counts.groupby(["month", "source"])["incidents"].sum().unstack(fill_value=0).sort_index()
    reasons: dict[str, int] = {}
    for rep in imports:
        for reason, n in rep.rejected_by_reason.items():
            reasons[reason] = reasons.get(reason, 0) + n
    total = int(counts["incidents"].sum())
    return Summary(
        incidents=total,
        month_only=int(counts["month_only"].sum()),
        by_source=by_source.to_frame("incidents"),
        by_category=by_category.to_frame("incidents"),
        by_month=by_month,
        first=counts["first"].min() if total else None,
        last=counts["last"].max() if total else None,
        imports=len(imports),
        rows_read=sum(r.rows_read for r in imports),
        rows_rejected=sum(r.rows_rejected for r in imports),
        rejected_by_reason=reasons,
    )


def _ends_on_or_after(path: Path, lo: pd.Timestamp) -> bool:
    """Whether a file may hold a record with ``occurred_to >= lo``, from its footer's statistics."""
    stat = Path(path).stat()
    last = _last_end(str(path), stat.st_mtime_ns, stat.st_size)
    return last is None or last >= lo


@lru_cache(maxsize=65_536)
def _last_end(path: str, mtime_ns: int, size: int) -> pd.Timestamp | None:
    """The latest ``occurred_to`` in a file's footer statistics (None: unknown), cached per
    file version: an incident file is written once and never changed."""
    meta = pq.read_metadata(path)
    names = meta.schema.names
    if "occurred_to" not in names or not meta.num_row_groups:
        return None
    column = names.index("occurred_to")
    ends = []
    for k in range(meta.num_row_groups):  # one step per row group (usually one)
        stats = meta.row_group(k).column(column).statistics
        if stats is None or not stats.has_min_max:
            return None
        ends.append(pd.Timestamp(stats.max))
    return max(ends)


def _filter(schema: pa.Schema, sources, lo, hi, bbox) -> pads.Expression | None:
    """The pyarrow dataset filter of a read (None: keep every row)."""
    parts = []
    if sources is not None:
        parts.append(pads.field("source").isin(list(sources)))
    if lo is not None:
        parts.append(pads.field("occurred_to") >= pa.scalar(lo, type=schema.field("occurred_to").type))
    if hi is not None:
        parts.append(pads.field("occurred_from") < pa.scalar(hi, type=schema.field("occurred_from").type))
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        parts += [pads.field("easting") >= minx, pads.field("easting") <= maxx,
                  pads.field("northing") >= miny, pads.field("northing") <= maxy]
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out = out & part
    return out


def _local_day(stamp: pd.Timestamp | None) -> pd.Timestamp | None:
    """A date's local (Europe/London) midnight; a time is cut to its day."""
    if stamp is None:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(LOCAL_TZ).tz_localize(None)
    return stamp.normalize().tz_localize(LOCAL_TZ)


def _may_meet(folder: str, bbox: Box) -> bool:
    """Whether a file in ``folder`` can hold records in ``bbox`` (always, for a folder naming no cell)."""
    cell = partition_box(folder)
    return cell is None or not (cell[0] > bbox[2] or cell[2] < bbox[0] or cell[1] > bbox[3] or cell[3] < bbox[1])


def _check_box(bbox, where: str) -> Box | None:
    """``bbox`` as four floats (minx, miny, maxx, maxy in EPSG:27700 metres), or None."""
    if bbox is None:
        return None
    check_type(bbox, "bbox", where, (tuple, list, np.ndarray),
               type_name="a tuple of 4 numbers (minx, miny, maxx, maxy, EPSG:27700 metres)", optional=True)
    if len(bbox) != 4:
        raise TypeError(f"The 'bbox' parameter of {where} must be a tuple of 4 numbers (minx, miny, maxx, maxy, "
                        f"EPSG:27700 metres). Got {len(bbox)} values instead.")
    names = ("bbox[0] (minx)", "bbox[1] (miny)", "bbox[2] (maxx)", "bbox[3] (maxy)")
    box = tuple(float(check_number(v, name, where, low=-math.inf, high=math.inf)) for v, name in zip(bbox, names))
    if box[0] > box[2] or box[1] > box[3]:
        raise GeoError(f"The 'bbox' parameter of {where} must have minx <= maxx and miny <= maxy (EPSG:27700 "
                       f"metres). Got {tuple(bbox)!r} instead; give (minx, miny, maxx, maxy).")
    return box
