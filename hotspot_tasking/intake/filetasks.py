"""An import on a cluster: each task reads, checks and writes a run of input files.

:func:`stream_files` gives the import :func:`~hotspot_tasking.intake.ingest.stream_incidents`
gives, row for row, with the parsing, checking and writing spread over the cluster's
workers. The input files are cut into runs of consecutive files (:func:`file_groups`: about
64 MB each, a large file alone), one task each. A task reads its run a batch of pieces at
a time, as the local import does, checks the rows against the ids already stored and the
run's own earlier rows, writes its accepted rows into the import's staging folder, one file
per month and coarse H3 cell, and returns what the caller needs to record the import: the
ids' keys, the rejected rows, the counts and its share of the import report. Memory on a
worker holds one batch.

The one thing a run cannot know alone is whether an id it accepts was accepted in an
earlier run ("duplicate id", the first kept). The caller takes the runs' answers in order
and checks their keys against the ids accepted before; a run that holds such an id (rare:
police.uk repeats a crime across files only when a month is given twice) is read again with
those ids, so it rejects exactly the rows the local import rejects. The workspace then lists
the files in the order the local import would read them: the records, the rejects, the
report and the ids are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine import Engine, current_engine, runs_by_size
from ..geo.area import Area
from ..geo.geoparquet import PointFileWriter
from ..geo.idindex import IdSet
from ..geo.importsink import ImportSink, write_parts
from ..geo.reads import add_counts, month_counts
from ..geo.report import ImportReport, new_import_id
from ..geo.taxonomy import Taxonomy
from ..validation import check_paths, check_type
from .importtally import ImportTally
from .ingest import BATCH_BYTES, accept_batch, batches, check_batch, parse_piece
from .pieces import PIECE_BYTES
from .readers import Reader
from .shown_names import check_names, named_inputs
from .textfiles import input_size

#: Rejected rows gathered from the files' answers before they are staged together.
REJECTS_AT_ONCE = 50_000
#: Bytes of stored input files a task reads, at most (unless one file is larger).
TASK_BYTES = 64 * 1024 * 1024


@dataclass
class RunResult:
    """What one run's task returns: small, whatever the files' size."""

    tally: ImportTally
    parts: list[tuple[str, Path]]
    counts: pd.DataFrame
    keys: tuple[np.ndarray, np.ndarray]
    rejects: pd.DataFrame
    rows_bytes: int


def stream_files(paths: Iterable[str | Path], reader: Reader, *, taxonomy: Taxonomy, sink: ImportSink,
                 area: Area | None = None, existing: IdSet | None = None, import_id: str | None = None,
                 names: Mapping[str | Path, str] | None = None, piece_bytes: int = PIECE_BYTES,
                 batch_bytes: int = BATCH_BYTES, engine: Engine | None = None) -> ImportReport:
    """Import files with a task per run of files on ``engine`` (default: the current one), into ``sink``.

    The options are :func:`~hotspot_tasking.intake.ingest.stream_incidents`'s; the rows,
    rejects, ids and report are the ones it gives (module notes). Workers need the files
    and the workspace at the same paths (one machine, or a shared disk).

    Raises
    ------
    IntakeError
        A file that cannot be read or lacks the format's columns (as the task raised it).
    """
    where = "stream_files"
    paths = [str(p) for p in check_paths(paths, "paths", where)]
    check_type(reader, "reader", where, Reader, type_name="a Reader (hotspot_tasking.intake.reader_for)")
    check_type(taxonomy, "taxonomy", where, Taxonomy, type_name="a Taxonomy (Taxonomy.load())")
    check_type(existing, "existing", where, IdSet, type_name="an IdSet (Workspace.id_set)", optional=True)
    names = check_names(names, paths, where)
    import_id = import_id or new_import_id()
    tally = ImportTally(ImportReport(import_id=import_id, source=reader.source,
                                     started=datetime.now(UTC).isoformat(timespec="seconds")))
    engine = engine if engine is not None else current_engine()
    groups = file_groups(named_inputs(paths, reader.pattern, names, blocks=True), engine.workers)
    shared = {"reader": reader, "taxonomy": taxonomy, "area": area, "existing": existing, "import_id": import_id,
              "folder": str(sink.scratch_folder), "piece_bytes": piece_bytes, "batch_bytes": batch_bytes}
    accepted = IdSet()
    rejects: list[pd.DataFrame] = []
    for item, result in zip(groups, engine.imap(read_files, groups, **shared)):
        if len(accepted) and len(result.keys[0]) and accepted.contains(*result.keys).any():
            for _, path in result.parts:  # read again knowing the ids accepted before
                Path(path).unlink(missing_ok=True)
            result = engine.map(read_files, [item], before=accepted, attempt=1, **shared)[0]
        accepted.add(*result.keys)
        tally.merge(result.tally)
        sink.add_written(result.parts, result.counts, result.keys, result.rows_bytes)
        rejects.append(result.rejects)
        if sum(len(r) for r in rejects) >= REJECTS_AT_ONCE:  # a quarantine file per few runs, not per run
            sink.add_rejects(pd.concat(rejects, ignore_index=True))
            rejects = []
    if rejects:
        sink.add_rejects(pd.concat(rejects, ignore_index=True))
    return tally.finish()


def file_groups(inputs: list[tuple[str, Callable[[], Iterator[bytes]]]], workers: int) -> list[tuple]:
    """The inputs in runs of consecutive files, a task each: ``(run number, [(name, loader), ...])``
    (:func:`~hotspot_tasking.engine.runs_by_size`: about :data:`TASK_BYTES` of stored files a
    run), so small files (a police.uk force-month) share a task's batches as they share the
    local import's, and a large file is a task of its own. Loaders pickle (a path, a zip and
    its member)."""
    runs = runs_by_size([input_size(load) for _, load in inputs], workers, most_bytes=TASK_BYTES)
    return [(number, [inputs[i] for i in run]) for number, run in enumerate(runs)]


def read_files(item: tuple[int, list[tuple[str, Callable[[], Iterator[bytes]]]]], *, reader: Reader,
               taxonomy: Taxonomy, area: Area | None, existing: IdSet | None, import_id: str, folder: str,
               piece_bytes: int, batch_bytes: int, before: IdSet | None = None, attempt: int = 0) -> RunResult:
    """Read, check and write a run of input files (a task): ``item`` is the run's number and
    its files' names and loaders (:func:`file_groups`); ``before``: the ids accepted in the
    import's earlier runs, when the caller found one here."""
    number, inputs = item
    tally = ImportTally(ImportReport(import_id=import_id, source=reader.source, started=""))
    this_import = before if before is not None else IdSet()
    blank_counts: dict[int, pd.Series] = {}
    writers: dict[str, PointFileWriter] = {}
    counts, keys, rejects, rows_bytes = [], [], [], 0
    for batch in batches(inputs, tally, piece_bytes if not reader.whole_files else None, batch_bytes):
        parsed = [parse_piece(item, reader) for item in batch]
        checked = check_batch(batch, parsed, area, existing, this_import, blank_counts)
        incidents, rejected, accepted_keys = accept_batch(batch, checked, reader, taxonomy, import_id, this_import,
                                                          tally)
        rejects.append(rejected)
        if incidents.empty:
            continue
        rows_bytes += int(incidents.memory_usage(deep=True).sum())
        keys.append(accepted_keys)
        counts.append(month_counts(incidents))
        write_parts(incidents, writers, lambda k: Path(folder) / f"scratch-task-{number}-{attempt}-{k}.parquet")
    for writer in writers.values():
        writer.close()
    h1 = np.concatenate([k[0] for k in keys]) if keys else np.zeros(0, np.uint64)
    h2 = np.concatenate([k[1] for k in keys]) if keys else np.zeros(0, np.uint64)
    return RunResult(tally, [(part, writer.path) for part, writer in sorted(writers.items())],
                      add_counts(pd.concat(counts, ignore_index=True)) if counts else pd.DataFrame(),
                      (h1, h2), pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(), rows_bytes)
