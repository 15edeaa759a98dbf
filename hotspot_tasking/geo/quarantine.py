"""A workspace's quarantine: the rows an import rejected, with file, row, reason and detail.

Two files per import, under ``quarantine/``:

* ``ID.csv``: the rows an analyst can fix (bad dates, no location, duplicate ids, ...),
  formula-safe, for a spreadsheet;
* ``ID-out-of-area.parquet`` (zstd): the rows of :data:`~hotspot_tasking.geo.report.OUT_OF_AREA_REASONS`,
  such as a whole month of another force's police.uk records (about 97,000 rows, 31 MB as
  CSV); same columns, all text but ``row``.

:class:`~hotspot_tasking.geo.workspace.Workspace` writes them with each import (through
:class:`QuarantineWriter`, a batch at a time) and reads them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .atomic import Staging
from .report import OUT_OF_AREA_REASONS, ImportReport
from .schema import QUARANTINE_COLUMNS

#: The end of an out-of-area file's name, after its import id.
OUT_OF_AREA_SUFFIX = "-out-of-area.parquet"


class QuarantineWriter:
    """An import's rejected rows, taken a batch at a time, staged as its quarantine files.

    Each batch is kept in a scratch file of the import's staging (Parquet, as text), so memory
    holds one batch; :meth:`stage` writes the two quarantine files from them, a batch at a
    time, with every column any batch had (the files of one import may differ: a cell a
    file lacks is left empty), in the order the rows came.
    """

    def __init__(self, stage: Staging, root: Path):
        self._stage = stage
        self._root = root
        self._parts: dict[bool, list[Path]] = {False: [], True: []}  # far: out-of-area
        self._columns: dict[bool, dict[str, None]] = {False: {}, True: {}}

    def add(self, rejects: pd.DataFrame) -> None:
        """Keep a batch of :attr:`~hotspot_tasking.geo.report.IngestResult.rejects` (left unchanged)."""
        if rejects.empty:
            return
        far = rejects["reason"].isin(OUT_OF_AREA_REASONS).to_numpy()
        for kind, rows in ((False, ~far), (True, far)):
            if rows.any():
                part = _text_columns(rejects[rows].reset_index(drop=True))
                path = self._stage.scratch(f"rejects-{int(kind)}-{len(self._parts[kind]):05d}.parquet")
                part.to_parquet(path, index=False, compression="zstd")
                self._parts[kind].append(path)
                self._columns[kind].update(dict.fromkeys(part.columns))

    def stage(self, report: ImportReport) -> None:
        """Stage the quarantine files and record them on ``report`` (``quarantine_file`` and
        ``out_of_area_file``, workspace-relative; None for no rows)."""
        if self._parts[False]:
            rel = f"quarantine/{report.import_id}.csv"
            tmp = self._stage.scratch("quarantine.csv")
            with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
                for i, part in enumerate(self._batches(False)):
                    part.to_csv(handle, index=False, header=i == 0)
            self._stage.adopt(tmp, self._root / rel)
            report.quarantine_file = rel
        if self._parts[True]:
            rel = f"quarantine/{report.import_id}{OUT_OF_AREA_SUFFIX}"
            tmp = self._stage.scratch("out-of-area.parquet")
            writer = None
            for part in self._batches(True):
                table = pa.Table.from_pandas(part, preserve_index=False)
                writer = writer or pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table.cast(writer.schema))
            writer.close()
            self._stage.adopt(tmp, self._root / rel)
            report.out_of_area_file = rel

    def _batches(self, kind: bool):
        columns = list(self._columns[kind])
        for path in self._parts[kind]:
            yield _text_columns(pd.read_parquet(path).reindex(columns=columns))


def _text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with ``row`` as integers and every other column as text (Parquet needs one
    type per column; a rejected row's own cells are text already)."""
    types = {c: ("int64" if c == "row" else "str") for c in frame.columns}
    return frame.astype(types)


def read_quarantine(root: Path, reports: Iterable[ImportReport], *, out_of_area: bool = True) -> pd.DataFrame:
    """The rejected rows of ``reports``, as text, each with its import id; per import the rows to
    fix first, then (when ``out_of_area``) the out-of-area ones. Files missing on disk are skipped."""
    parts = []
    for rep in reports:
        if rep.quarantine_file and (root / rep.quarantine_file).is_file():
            q = pd.read_csv(root / rep.quarantine_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            parts.append(q.assign(import_id=rep.import_id))
        if out_of_area and rep.out_of_area_file and (root / rep.out_of_area_file).is_file():
            q = pd.read_parquet(root / rep.out_of_area_file)
            parts.append(q.astype({c: "str" for c in q.columns}).assign(import_id=rep.import_id))
    if not parts:
        return pd.DataFrame(columns=[*QUARANTINE_COLUMNS, "import_id"])
    return pd.concat(parts, ignore_index=True)
