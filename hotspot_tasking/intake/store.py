"""Importing files into a workspace: read with the workspace's taxonomy, area and stored ids,
then committed, under the workspace's write lock.

The files are read a batch at a time (:func:`~hotspot_tasking.intake.ingest.stream_incidents`)
and each batch staged as it comes (:meth:`~hotspot_tasking.geo.workspace.Workspace.write_import`),
so memory holds one batch and the id index, not the import; the import is atomic: the
workspace is unchanged if any file cannot be read. On a cluster each file is a task that
writes its own rows (:mod:`~hotspot_tasking.intake.filetasks`), for the same import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..engine import current_engine
from ..geo.report import ImportReport, new_import_id
from ..geo.workspace import Workspace
from ..validation import check_paths, check_type
from .filetasks import stream_files
from .ingest import stream_incidents
from .readers import Reader, reader_for
from .shown_names import check_names

_PATH = (str, os.PathLike)
_PATH_TYPE = "a path (str or pathlib.Path)"


def ingest_files(workspace: Workspace, paths: Sequence[str | Path], source: str, *,
                 mapping: str | Path | None = None, motive_column: str | None = None,
                 reader: Reader | None = None, names: Mapping[str | Path, str] | None = None) -> ImportReport:
    """Read files of one source and add their accepted rows to ``workspace`` (see
    :func:`~hotspot_tasking.intake.ingest.read_incidents`).

    Parameters
    ----------
    workspace : Workspace
        The workspace to add to; its taxonomy, area and stored ids are read under its
        write lock, so two imports of one file at once store it once.
    paths : sequence of path
        Files, folders (searched for the reader's file pattern) or zips.
    source : str
        The source name (``"police_uk"``, ``"fire"``, ...; see :func:`reader_for`).
    mapping : path, optional
        Column-mapping TOML; required for council_asb and street_drinking.
    motive_column : str, optional
        For fire records: the column saying deliberate or accidental.
    reader : Reader, optional
        Overrides the one ``source``, ``mapping`` and ``motive_column`` choose (the app
        builds one from columns picked on screen).
    names : mapping of path to str, optional
        The name to record for a file among ``paths`` instead of its name on disk (the app
        saves an upload under a generated name and records the browser's name as text);
        see :func:`~hotspot_tasking.intake.ingest.read_incidents`.

    Returns
    -------
    ImportReport
        Also kept in the workspace's import log.

    Raises
    ------
    IntakeError
        A file that cannot be read or lacks the format's columns; the workspace is then
        unchanged.
    TypeError
        For an argument of the wrong type (a bare path instead of a list, say).
    """
    where = "ingest_files"
    check_type(workspace, "workspace", where, Workspace, type_name="a Workspace (Workspace.open)")
    paths = check_paths(paths, "paths", where)
    check_type(source, "source", where, str, type_name="a str")
    check_type(mapping, "mapping", where, _PATH, type_name=_PATH_TYPE, optional=True)
    check_type(motive_column, "motive_column", where, str, type_name="a str", optional=True)
    check_type(reader, "reader", where, Reader, type_name="a Reader (hotspot_tasking.intake.reader_for)",
               optional=True)
    names = check_names(names, paths, where)
    reader = reader or reader_for(source, mapping, motive_column)
    if current_engine().kind != "local":  # a task per file on the cluster: the same import
        return workspace.write_import(
            lambda sink: stream_files(paths, reader, taxonomy=workspace.taxonomy(), area=workspace.area,
                                      existing=workspace.id_set(reader.source), import_id=new_import_id(),
                                      names=names, sink=sink))
    return workspace.write_import(
        lambda sink: stream_incidents(paths, reader, taxonomy=workspace.taxonomy(), area=workspace.area,
                                      existing=workspace.id_set(reader.source), import_id=new_import_id(),
                                      names=names, on_batch=sink.add))
