"""A workspace's quarantine: the rows an import rejected, with file, row, reason and detail.

Two files per import, under ``quarantine/``:

* ``ID.csv``: the rows an analyst can fix (bad dates, no location, duplicate ids, ...),
  formula-safe, for a spreadsheet;
* ``ID-out-of-area.parquet`` (zstd): the rows of :data:`~hotspot_tasking.geo.report.OUT_OF_AREA_REASONS`,
  such as a whole month of another force's police.uk records (about 97,000 rows, 31 MB as
  CSV); same columns, all text but ``row``.

:class:`~hotspot_tasking.geo.workspace.Workspace` writes them with each import and reads them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .atomic import Staging
from .report import OUT_OF_AREA_REASONS, ImportReport
from .schema import QUARANTINE_COLUMNS

#: The end of an out-of-area file's name, after its import id.
OUT_OF_AREA_SUFFIX = "-out-of-area.parquet"


def stage_rejects(stage: Staging, root: Path, rejects: pd.DataFrame, report: ImportReport) -> None:
    """Stage an import's rejected rows into the quarantine and record the files on ``report``.

    Parameters
    ----------
    stage : Staging
        The import's staging (the files appear when it publishes).
    root : pathlib.Path
        The workspace folder.
    rejects : pandas.DataFrame
        :attr:`~hotspot_tasking.geo.report.IngestResult.rejects`; left unchanged.
    report : ImportReport
        Its ``quarantine_file`` and ``out_of_area_file`` are set to the workspace-relative
        paths written (None for no rows).
    """
    if rejects.empty:
        return
    far = rejects["reason"].isin(OUT_OF_AREA_REASONS).to_numpy()
    if (~far).any():
        rel = f"quarantine/{report.import_id}.csv"
        fix = rejects[~far]
        stage.write(root / rel, lambda p: fix.to_csv(p, index=False, encoding="utf-8-sig"))
        report.quarantine_file = rel
    if far.any():
        rel = f"quarantine/{report.import_id}{OUT_OF_AREA_SUFFIX}"
        out = _text_columns(rejects[far].reset_index(drop=True))
        stage.write(root / rel, lambda p: out.to_parquet(p, index=False, compression="zstd"))
        report.out_of_area_file = rel


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
