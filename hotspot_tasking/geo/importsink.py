"""Where an import's batches go as they are read: the month files, the id index and the
quarantine, staged a batch at a time so memory holds one batch, never the import.

:meth:`~hotspot_tasking.geo.workspace.Workspace.write_import` opens one under the write lock
and publishes what it staged with the new manifest, or nothing if the import fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .atomic import Staging
from .geoparquet import PointFileWriter, to_point_table
from .h3cells import partition_keys
from .idindex import id_keys
from .quarantine import QuarantineWriter
from .reads import add_counts, month_counts
from .report import ImportReport


class ImportSink:
    """Takes an import's accepted and rejected rows batch by batch (see the module docstring).

    Accepted rows go to one GeoParquet file per month and coarse H3 cell
    (``incidents/month=YYYY-MM/h3_r4=CELL/ID.parquet``, :func:`~hotspot_tasking.geo.h3cells.partition_keys`;
    the batches' rows in the order they came), their ids' keys to the import's id index
    (``index/ID-ids.parquet``, :mod:`~hotspot_tasking.geo.idindex`), their counts by month and
    category to ``index/ID-counts.parquet`` (:func:`~hotspot_tasking.geo.reads.month_counts`:
    the workspace's summary without reading the incidents), rejected rows to the quarantine
    (:class:`~hotspot_tasking.geo.quarantine.QuarantineWriter`).
    """

    def __init__(self, stage: Staging, root: Path):
        self._stage = stage
        self._root = root
        self._parts: dict[str, PointFileWriter] = {}  # by partition folder
        self._written: dict[str, list[Path]] = {}  # by partition folder: files tasks wrote, in input order
        self._index: pq.ParquetWriter | None = None
        self._quarantine = QuarantineWriter(stage, root)
        self._counts: list[pd.DataFrame] = []
        #: Bytes taken in so far (the frames' memory): about what the write needs on disk, at most.
        self.bytes_in = 0

    @property
    def scratch_folder(self) -> Path:
        """Where tasks write their files before :meth:`add_written` (the import's staging folder)."""
        return self._stage.folder

    def add(self, incidents: pd.DataFrame, rejects: pd.DataFrame,
            keys: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Stage a batch: ``incidents`` (the canonical table), ``rejects`` (as
        :attr:`~hotspot_tasking.geo.report.IngestResult.rejects`) and, if already worked out,
        the keys of the incidents' ids (:func:`~hotspot_tasking.geo.idindex.id_keys`)."""
        self.bytes_in += int(incidents.memory_usage(deep=True).sum() + rejects.memory_usage(deep=True).sum())
        self._quarantine.add(rejects)
        if incidents.empty:
            return
        self._add_keys(*(keys if keys is not None else id_keys(incidents["incident_id"])))
        self._counts.append(month_counts(incidents))
        write_parts(incidents, self._parts, lambda k: self._stage.scratch(f"part-{k}.parquet"))

    def add_rejects(self, rejects: pd.DataFrame) -> None:
        """Stage rejected rows (as in :meth:`add`), in the order they were read."""
        self.bytes_in += int(rejects.memory_usage(deep=True).sum())
        self._quarantine.add(rejects)

    def add_written(self, parts: list[tuple[str, Path]], counts: pd.DataFrame, keys: tuple[np.ndarray, np.ndarray],
                    rows_bytes: int) -> None:
        """Take a file whose accepted rows a task wrote itself (on a cluster): ``parts`` are its
        ``(partition folder, finished file in the staging folder)``, ``counts`` its
        :func:`~hotspot_tasking.geo.reads.month_counts`, ``keys`` its accepted ids' keys;
        ``rows_bytes`` the rows' memory, for the disk check. Call in the files' order: the
        files of a partition are listed in it."""
        self.bytes_in += int(rows_bytes)
        if len(keys[0]):
            self._add_keys(*keys)
            self._counts.append(counts)
        for part, path in parts:
            self._written.setdefault(part, []).append(path)

    def _add_keys(self, h1: np.ndarray, h2: np.ndarray) -> None:
        keys_table = pa.table({"h1": pa.array(h1, pa.uint64()), "h2": pa.array(h2, pa.uint64())})
        if self._index is None:
            self._index = pq.ParquetWriter(self._stage.scratch("ids.parquet"), keys_table.schema, compression="zstd")
        self._index.write_table(keys_table)

    def discard(self) -> None:
        """Close every file left open (an import that failed: its staging is then removed)."""
        for writer in [*self._parts.values(), self._index]:
            try:
                if writer is not None:
                    writer.close()
            except OSError:  # a full disk, say: the files are removed anyway
                pass
        self._parts, self._index = {}, None

    def close(self, report: ImportReport) -> list[str]:
        """Finish every file and stage it under the import's id; record the quarantine and id
        index files on ``report``; return the data files' workspace-relative paths, by month
        and then spatial key."""
        data_files = []
        for part in sorted(self._parts):
            writer = self._parts[part]
            writer.close()
            rel = f"incidents/{part}/{report.import_id}.parquet"
            self._stage.adopt(writer.path, self._root / rel)
            data_files.append(rel)
        for part in sorted(self._written):  # files written by tasks: one per input file and partition
            for number, path in enumerate(self._written[part]):
                rel = f"incidents/{part}/{report.import_id}-{number:05d}.parquet"
                self._stage.adopt(path, self._root / rel)
                data_files.append(rel)
        if self._index is not None:
            self._index.close()
            rel = f"index/{report.import_id}-ids.parquet"
            self._stage.adopt(self._stage.scratch("ids.parquet"), self._root / rel)
            report.id_index_file = rel
        if self._counts:
            rel = f"index/{report.import_id}-counts.parquet"
            counts = add_counts(pd.concat(self._counts, ignore_index=True))
            self._stage.write(self._root / rel, lambda p: counts.to_parquet(p, index=False))
            report.counts_file = rel
        self._quarantine.stage(report)
        return data_files


def write_parts(incidents: pd.DataFrame, writers: dict[str, PointFileWriter], new_path: Callable[[int], Path]) -> None:
    """Append rows to the file of their partition folder (:func:`~hotspot_tasking.geo.h3cells.partition_keys`),
    in the rows' order; a folder met for the first time gets a writer at ``new_path(k)``, k = 0, 1, ..."""
    parts = partition_keys(incidents)
    order = np.argsort(parts, kind="stable")
    table = to_point_table(incidents.iloc[order])
    sorted_parts = parts[order]
    starts = np.flatnonzero(np.r_[True, sorted_parts[1:] != sorted_parts[:-1]])
    for start, end in zip(starts, np.r_[starts[1:], len(sorted_parts)]):
        part = str(sorted_parts[start])
        if part not in writers:
            writers[part] = PointFileWriter(new_path(len(writers)))
        writers[part].write(table.slice(start, end - start))


def written_by(path: Path, import_id: str) -> bool:
    """Whether an incident file belongs to the import ``import_id`` (``ID.parquet``, or
    ``ID-NNNNN.parquet`` when tasks wrote its files).

    >>> written_by(Path("incidents/month=2017-01/h3_r4=x/ab12-00003.parquet"), "ab12")
    True
    """
    stem = path.stem
    rest = stem[len(import_id):]
    return stem.startswith(import_id) and (rest == "" or (len(rest) == 6 and rest[0] == "-" and rest[1:].isdigit()))


def index_stored_import(stage: Staging, root: Path, entry: dict, batches: Iterable[pd.DataFrame]) -> dict:
    """Stage the id index and counts of an import stored before they were kept, from its rows
    (``batches``: its data files' ``incident_id`` and :data:`~hotspot_tasking.geo.reads.SUMMARY_COLUMNS`,
    a batch at a time); return its import log entry with the two files named."""
    index: pq.ParquetWriter | None = None
    counts = []
    path = stage.scratch(f"old-{entry['import_id']}-ids.parquet")
    for batch in batches:
        h1, h2 = id_keys(batch["incident_id"])
        table = pa.table({"h1": pa.array(h1, pa.uint64()), "h2": pa.array(h2, pa.uint64())})
        index = index or pq.ParquetWriter(path, table.schema, compression="zstd")
        index.write_table(table)
        counts.append(month_counts(batch))
    if index is None:
        return entry
    index.close()
    ids_rel, counts_rel = f"index/{entry['import_id']}-ids.parquet", f"index/{entry['import_id']}-counts.parquet"
    stage.adopt(path, root / ids_rel)
    table = add_counts(pd.concat(counts, ignore_index=True))
    stage.write(root / counts_rel, lambda p: table.to_parquet(p, index=False))
    return {**entry, "id_index_file": ids_rel, "counts_file": counts_rel}
