"""The workspace: a folder holding one partnership's incidents, import log, quarantine,
boundaries and configuration.

Layout::

    WORKSPACE/
      workspace.json                      the manifest: area, data files, import log
      config/taxonomy.toml                the partnership's own copy of the defaults
      incidents/month=YYYY-MM/h3_r4=CELL/ID.parquet  GeoParquet (points in EPSG:27700), one file per import,
                                          month and coarse H3 cell (Hive partitions; older imports: month only)
      quarantine/ID.csv                   rejected rows of import ID to fix, with file, row and reason
      quarantine/ID-out-of-area.parquet   its rows outside the workspace's area, likewise
      index/ID-ids.parquet                the keys of import ID's ids, to find rows already imported
      index/ID-counts.parquet             its rows counted by month and category, for the summary
      boundaries/                         area layers (see hotspot_tasking.boundaries)
      cache/                              tables derived from the above, kept between commands; safe to delete
      _staging/                           files being written (readers skip it; the next writer clears it)

Writes are atomic. An import writes its files, a batch at a time, into ``_staging/`` (a folder pyarrow,
GDAL and DuckDB never read, with names that do not end in ``.parquet``), renames them
into place, then replaces ``workspace.json`` in one ``os.replace``: until that instant
readers of the manifest see the old workspace, after it the new one. A write that fails
(a full disk, say) removes its files at once; a process killed half-way leaves only
``_staging/`` debris and files no manifest lists, and the next write removes them. An exclusive lock on ``.lock``
serialises writers; readers need no lock (:mod:`~hotspot_tasking.geo.atomic` holds these
mechanics).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from .area import Area
from .atomic import STAGING, Staging, json_writer, machine_errors, remove_unlisted, write_json_atomic, write_lock
from .errors import GeoError
from .idindex import IdSet, id_keys, read_id_index
from .importsink import ImportSink, index_stored_import, written_by
from .quarantine import read_quarantine
from .reads import SUMMARY_COLUMNS, Summary, check_read, incident_batches, read_incidents, summarise_stored
from .report import ImportReport, IngestResult, new_import_id
from .schema import BNG_EPSG, INCIDENT_COLUMNS  # noqa: F401  (INCIDENT_COLUMNS: the table read)
from .taxonomy import Taxonomy, default_config_path
from .timebands import TimeBands
from .validate import check_choice, check_crs, check_strings, check_type

MANIFEST = "workspace.json"
FORMAT_VERSION = 1
CONFIG_FILES = ("taxonomy.toml", "time_bands.toml", "tasking.toml", "tactics.toml")
_PATH = (str, os.PathLike)
_PATH_TYPE = "a path (str or pathlib.Path)"


class Workspace:
    """A workspace folder (see the module docstring). Open one with :meth:`open`."""

    def __init__(self, root: Path, manifest: dict):
        self.root = root
        self._manifest = manifest

    # --- creating and opening -------------------------------------------------------
    @classmethod
    def create(cls, root: str | Path, *, area: Area | None = None, name: str | None = None) -> Workspace:
        """Make a new, empty workspace with the default configuration.

        Raises :class:`GeoError` if ``root`` is a file or holds a workspace or other files, or
        (from the ``OSError``) if it is read-only or the disk full, removing what was made.
        """
        check_type(root, "root", "Workspace.create", _PATH, type_name=_PATH_TYPE)
        check_type(area, "area", "Workspace.create", Area, type_name="an Area", optional=True)
        check_type(name, "name", "Workspace.create", str, type_name="a str", optional=True)
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise GeoError(f"{root}: is a file, not a folder; choose a new or empty folder for the workspace.")
        if (root / MANIFEST).exists():
            raise GeoError(f"{root}: already a workspace; open it, or choose another folder.")
        if root.exists() and any(root.iterdir()):
            raise GeoError(f"{root}: the folder is not empty; choose a new or empty folder for the workspace.")
        manifest = {
            "format": FORMAT_VERSION,
            "name": name or root.resolve().name,
            "area": None if area is None else area.__dict__,
            "data_files": [],
            "imports": [],
            "layers": {},
            "tables": {},
        }
        existed = root.exists()
        try:
            with machine_errors(root):
                for sub in ("config", "incidents", "quarantine", "boundaries"):
                    (root / sub).mkdir(parents=True, exist_ok=True)
                for config in CONFIG_FILES:
                    shutil.copyfile(default_config_path(config), root / "config" / config)
                write_json_atomic(root / MANIFEST, manifest)
        except BaseException:
            _remove_new_tree(root, existed)
            raise
        return cls(root, manifest)

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        """Open an existing workspace; raise :class:`GeoError` if ``root`` is not one."""
        check_type(root, "root", "Workspace.open", _PATH, type_name=_PATH_TYPE)
        root = Path(root)
        path = root / MANIFEST
        if not path.is_file():
            raise GeoError(f"{root}: not a workspace (no {MANIFEST}); create one with 'hotspot-tasking init {root}'.")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise GeoError(f"{path}: is not valid JSON ({err}); restore it from a backup.") from err
        if manifest.get("format") != FORMAT_VERSION:
            raise GeoError(f"{path}: workspace format {manifest.get('format')!r} is not {FORMAT_VERSION}; "
                           "use the matching hotspot-tasking version.")
        return cls(root, manifest)

    # --- properties -------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._manifest["name"]

    @property
    def area(self) -> Area | None:
        """The area whose surroundings records must lie in, or None (not checked)."""
        area = self._manifest.get("area")
        return None if area is None else Area(**area)

    @property
    def imports(self) -> list[ImportReport]:
        """The import log, oldest first."""
        return [ImportReport.from_dict(d) for d in self._manifest["imports"]]

    @property
    def data_files(self) -> list[Path]:
        return [self.root / f for f in self._manifest["data_files"]]

    @property
    def version(self) -> str:
        """Changes whenever the workspace's data, layers or tables change (for caches)."""
        files = [self._manifest["data_files"][-1:], [m["file"] for m in self.layers().values()],
                 [m["file"] for m in self.tables().values()]]
        return (f"{len(self._manifest['imports'])}:{len(self._manifest['data_files'])}:"
                f"{zlib.crc32(str(files).encode()):08x}")

    @property
    def data_version(self) -> str:
        """Changes when incidents or area layers change, not when tables (population, stored
        tasking lists) do: the key for caches of the joined incident table."""
        files = [self._manifest["data_files"][-1:], [m["file"] for m in self.layers().values()]]
        return (f"{len(self._manifest['imports'])}:{len(self._manifest['data_files'])}:"
                f"{zlib.crc32(str(files).encode()):08x}")

    def config_path(self, name: str) -> Path:
        """The workspace's own copy of a configuration file, else the packaged default.

        ``name`` is one of :data:`CONFIG_FILES` (``"taxonomy.toml"``, ``"time_bands.toml"``, ...).
        """
        check_type(name, "name", "Workspace.config_path", str, type_name="a str")
        check_choice(name, "name", "Workspace.config_path", CONFIG_FILES)
        own = self.root / "config" / name
        return own if own.is_file() else default_config_path(name)

    def taxonomy(self) -> Taxonomy:
        """The workspace's taxonomy (``config/taxonomy.toml``)."""
        return Taxonomy.load(self.config_path("taxonomy.toml"))

    def time_bands(self) -> TimeBands:
        """The workspace's time bands, seasons and excluded dates (``config/time_bands.toml``)."""
        return TimeBands.load(self.config_path("time_bands.toml"))

    # --- reading ------------------------------------------------------------------------
    def incidents(self, columns: Sequence[str] | None = None, sources: Sequence[str] | None = None, *,
                  start: dt.date | str | None = None, end: dt.date | str | None = None,
                  bbox: Sequence[float] | None = None) -> pd.DataFrame:
        """The incident table (``schema.INCIDENT_COLUMNS``), optionally some columns, sources, dates or a box.

        Only the month folders that can hold matching records are opened; the rest of the
        filter is pushed down to the Parquet reader (:mod:`~hotspot_tasking.geo.reads`).

        Parameters
        ----------
        columns : sequence of str, optional
            Incident columns to read; default all of them.
        sources : sequence of str, optional
            Sources to keep (e.g. ``["police_uk"]``); default all.
        start, end : datetime.date or str, optional
            Keep records whose window ``[occurred_from, occurred_to]`` overlaps these local
            (Europe/London) days, both inclusive (``"2018-06-01"``); default no limit.
        bbox : (float, float, float, float), optional
            ``(minx, miny, maxx, maxy)`` in EPSG:27700 metres: keep records whose map point
            lies in the box, edges included; default everywhere.

        Returns
        -------
        pandas.DataFrame
            The matching rows in the order a whole-table read gives them, indexed 0..n-1.

        Raises
        ------
        TypeError, GeoError
            See :func:`~hotspot_tasking.geo.reads.check_read` (an unknown column, a bad date
            or box).
        """
        cols, sources, lo, hi, box = check_read(columns, sources, start, end, bbox, "Workspace.incidents")
        return read_incidents(self.data_files, cols, sources, lo=lo, hi=hi, bbox=box)

    def incident_batches(self, columns: Sequence[str] | None = None, sources: Sequence[str] | None = None, *,
                         rows: int = 1_000_000) -> Iterator[pd.DataFrame]:
        """The incident table (``columns`` and ``sources`` as in :meth:`incidents`) a few files at
        a time, about ``rows`` rows a batch: each record once, for a pass over the whole table
        whose memory is set by the batch (:func:`~hotspot_tasking.geo.reads.incident_batches`)."""
        cols, sources, _, _, _ = check_read(columns, sources, None, None, None, "Workspace.incident_batches")
        return incident_batches(self.data_files, cols, sources, rows=rows)

    def incidents_gdf(self, sources: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        """The incident table as a GeoDataFrame of points in EPSG:27700 (``sources`` as in :meth:`incidents`)."""
        sources = check_strings(sources, "sources", "Workspace.incidents_gdf")
        frame = self.incidents(sources=sources)
        geometry = shapely.points(frame["easting"].to_numpy(), frame["northing"].to_numpy())
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=BNG_EPSG)

    def existing_ids(self, source: str) -> pd.Index:
        """Ids already stored for ``source``."""
        check_type(source, "source", "Workspace.existing_ids", str, type_name="a str")
        return pd.Index(self.incidents(["incident_id"], sources=[source])["incident_id"])

    def id_set(self, source: str) -> IdSet:
        """The keys of the ids stored for ``source`` (:mod:`~hotspot_tasking.geo.idindex`),
        from each import's id index; an import stored before indexes were kept is read
        a file at a time, its ids only."""
        check_type(source, "source", "Workspace.id_set", str, type_name="a str")
        out = IdSet()
        for entry in self._manifest["imports"]:
            if entry.get("source") != source:
                continue
            keys = read_id_index(self.root / entry["id_index_file"]) if entry.get("id_index_file") else None
            if keys is not None:
                out.add(*keys)
                continue
            for path in self.data_files:
                if written_by(path, entry["import_id"]):
                    out.add(*id_keys(read_incidents([path], ["incident_id"], (source,))["incident_id"]))
        return out

    def quarantine(self, *, out_of_area: bool = True) -> pd.DataFrame:
        """Every rejected row over the import log, as text, with its import id.

        ``out_of_area=False`` leaves out the rows outside the workspace's area (kept apart in
        Parquet, see :mod:`~hotspot_tasking.geo.quarantine`): only the rows an analyst can fix.
        """
        check_type(out_of_area, "out_of_area", "Workspace.quarantine", bool, type_name="a bool")
        return read_quarantine(self.root, self.imports, out_of_area=out_of_area)

    def summary(self) -> Summary:
        """Counts by source, category and month; date range; the import log's totals
        (:func:`~hotspot_tasking.geo.reads.summarise_stored`: from each import's stored counts
        when it has them, never reading the incidents)."""
        return summarise_stored(self.root, self.imports, lambda: self.incident_batches(SUMMARY_COLUMNS))

    # --- writing ------------------------------------------------------------------------
    def commit(self, result: IngestResult) -> None:
        """Store an ingest result atomically: its data files, its quarantine, then the manifest."""
        check_type(result, "result", "Workspace.commit", IngestResult, type_name="an IngestResult (read_incidents)")
        self.read_then_commit(lambda: result)

    def read_then_commit(self, read: Callable[[], IngestResult]) -> IngestResult:
        """Call ``read()`` and store the ingest result it returns as :meth:`commit` does, both
        under the write lock; return the result.

        The manifest is read afresh first, so ``read`` sees the workspace as it stands (its
        area, taxonomy and :meth:`id_set`), and no other import is stored between that and
        this commit: two imports of one file at once store it once. Nothing is written when
        ``read`` raises. For imports too large to hold at once, see :meth:`write_import`.
        """
        where = "Workspace.read_then_commit"
        check_type(read, "read", where, Callable, type_name="a function returning an IngestResult")
        kept: list[IngestResult] = []

        def store(sink: ImportSink) -> ImportReport:
            result = read()
            if not isinstance(result, IngestResult):
                raise TypeError(f"{where}: 'read' returned {type(result).__name__}, not an IngestResult; "
                                "return what read_incidents returns.")
            sink.add(result.incidents, result.rejects)
            kept.append(result)
            return result.report

        self.write_import(store)
        return kept[0]

    def write_import(self, read: Callable[[ImportSink], ImportReport]) -> ImportReport:
        """Call ``read(sink)``, which hands the import's rows to ``sink`` a batch at a time
        (:meth:`ImportSink.add`) and returns the import's report; then store the import
        atomically: its data files, id index and quarantine, then the manifest.

        All under the write lock, after reading the manifest afresh, so ``read`` sees the
        workspace as it stands (its area, taxonomy and :meth:`id_set`) and no other import
        is stored in between. The sink stages each batch's files as it comes, so memory holds
        one batch. Nothing is kept when ``read`` raises.

        Raises :class:`GeoError` (from the ``OSError``) when the folder is read-only or the
        disk full; the files of this import are then removed.
        """
        check_type(read, "read", "Workspace.write_import", Callable, type_name="a function of an ImportSink")
        with write_lock(self.root):
            self._reload()
            sink: ImportSink | None = None
            with machine_errors(self.root, need_bytes=lambda: sink.bytes_in if sink is not None else 0):
                self._remove_orphans()
                with Staging(self.root) as stage:
                    sink = ImportSink(stage, self.root)
                    try:
                        report = read(sink)
                        if not isinstance(report, ImportReport):
                            raise TypeError(f"Workspace.write_import: 'read' returned {type(report).__name__}, "
                                            "not an ImportReport.")
                        new_files = sink.close(report)
                    except BaseException:
                        sink.discard()
                        raise
                    older = self._indexed_imports(stage)
                    manifest = dict(self._manifest)
                    manifest["data_files"] = self._manifest["data_files"] + new_files
                    manifest["imports"] = older + [report.to_dict()]
                    stage.write(self.root / MANIFEST, json_writer(manifest))
                    stage.publish(last_commits=True)
            self._manifest = manifest
        return report

    def _indexed_imports(self, stage: Staging) -> list[dict]:
        """The import log, each import stored before id indexes and counts were kept (or whose
        files were deleted) given them, staged: a workspace brings itself up to date at its next import."""
        out = []
        for entry in self._manifest["imports"]:
            stored = [entry.get(k) for k in ("id_index_file", "counts_file")]
            if entry.get("rows_accepted") and not all(f and (self.root / f).is_file() for f in stored):
                files = [p for p in self.data_files if written_by(p, entry["import_id"])]
                entry = index_stored_import(stage, self.root, entry, incident_batches(
                    files, ["incident_id", *SUMMARY_COLUMNS], None, rows=1_000_000))
            out.append(entry)
        return out

    # --- area layers and area tables (written by hotspot_tasking.boundaries) ------------
    def layers(self) -> dict[str, dict]:
        """``{layer name: metadata}`` of the area layers stored, in the order they were added."""
        return dict(self._manifest.get("layers", {}))

    def read_layer(self, name: str) -> gpd.GeoDataFrame:
        """A stored area layer (GeoDataFrame in EPSG:27700)."""
        check_type(name, "name", "Workspace.read_layer", str, type_name="a str")
        meta = self.layers().get(name)
        if meta is None:
            known = ", ".join(self.layers()) or "none yet"
            raise GeoError(f"{self.root}: has no area layer '{name}' (layers: {known}); "
                           "add it with 'hotspot-tasking boundaries add'.")
        return gpd.read_parquet(self.root / meta["file"])

    def save_layer(self, name: str, frame: gpd.GeoDataFrame, meta: dict) -> None:
        """Store (or replace) an area layer as GeoParquet, atomically, with its metadata.

        ``frame`` must be in EPSG:27700 (or have no CRS); ``meta`` a JSON-ready dict.
        """
        _check_entry(name, frame, meta, "Workspace.save_layer", gpd.GeoDataFrame, "a geopandas GeoDataFrame")
        check_crs(frame, "Workspace.save_layer", name=f"layer '{name}'")
        self._save_entry("layers", name, lambda p: frame.to_parquet(p, index=False, compression="zstd"), meta)

    def tables(self) -> dict[str, dict]:
        """``{table name: metadata}`` of area tables stored (such as population)."""
        return dict(self._manifest.get("tables", {}))

    def read_table(self, name: str) -> pd.DataFrame:
        """A stored area table (e.g. ``population_lsoa_2011``)."""
        check_type(name, "name", "Workspace.read_table", str, type_name="a str")
        meta = self.tables().get(name)
        if meta is None:
            raise GeoError(f"{self.root}: has no table '{name}'; add it with 'hotspot-tasking boundaries population'.")
        return pd.read_parquet(self.root / meta["file"])

    def save_table(self, name: str, frame: pd.DataFrame, meta: dict) -> None:
        """Store (or replace) an area table (e.g. population by LSOA), atomically; ``meta`` a JSON-ready dict."""
        _check_entry(name, frame, meta, "Workspace.save_table", pd.DataFrame, "a pandas DataFrame")
        self._save_entry("tables", name, lambda p: frame.to_parquet(p, index=False), meta)

    def _save_entry(self, section: str, name: str, write, meta: dict) -> None:
        with write_lock(self.root), machine_errors(self.root):
            self._reload()
            self._remove_orphans()
            rel = f"boundaries/{section}-{name}-{new_import_id()}.parquet"
            old = self._manifest.get(section, {}).get(name)
            entries = dict(self._manifest.get(section, {}))
            entries[name] = {**meta, "file": rel}
            manifest = dict(self._manifest, **{section: entries})
            with Staging(self.root) as stage:
                stage.write(self.root / rel, write)
                stage.write(self.root / MANIFEST, json_writer(manifest))
                stage.publish(last_commits=True)
            self._manifest = manifest
            if old and (self.root / old["file"]).exists():
                (self.root / old["file"]).unlink()

    def set_area(self, area: Area | None) -> None:
        """Set (or clear) the area that far-away records are rejected against."""
        check_type(area, "area", "Workspace.set_area", Area, type_name="an Area", optional=True)
        with write_lock(self.root), machine_errors(self.root):
            self._reload()
            manifest = dict(self._manifest, area=None if area is None else area.__dict__)
            write_json_atomic(self.root / MANIFEST, manifest, root=self.root)
            self._manifest = manifest

    def _reload(self) -> None:
        self._manifest = Workspace.open(self.root)._manifest

    def _remove_orphans(self) -> None:
        """Delete files a killed import left behind: those no manifest lists."""
        listed = set(self._manifest["data_files"])
        listed |= {r.get(key) for r in self._manifest["imports"]
                   for key in ("quarantine_file", "out_of_area_file", "id_index_file", "counts_file")}
        listed |= {m["file"] for section in ("layers", "tables") for m in self._manifest.get(section, {}).values()}
        remove_unlisted(self.root, listed, ("incidents", "index", "quarantine", "boundaries"))


def _remove_new_tree(root: Path, existed: bool) -> None:
    """Undo a :meth:`Workspace.create` that failed: the folder, or what was made in the empty folder."""
    if not existed:
        shutil.rmtree(root, ignore_errors=True)
        return
    for sub in ("config", "incidents", "quarantine", "boundaries", STAGING):
        shutil.rmtree(root / sub, ignore_errors=True)
    (root / MANIFEST).unlink(missing_ok=True)


def _check_entry(name, frame, meta, where: str, frame_type: type, frame_words: str) -> None:
    """The checks of :meth:`Workspace.save_layer` and :meth:`Workspace.save_table`: the name
    becomes part of a file name, so it must not hold a folder separator."""
    check_type(name, "name", where, str, type_name="a str")
    if not name.strip() or any(ch in name for ch in "/\\\0"):
        raise GeoError(f"The 'name' parameter of {where} must be a non-empty name without '/' or '\\' (it names a "
                       f"file under boundaries/). Got {name!r} instead.")
    check_type(frame, "frame", where, frame_type, type_name=frame_words)
    check_type(meta, "meta", where, dict, type_name="a dict")
