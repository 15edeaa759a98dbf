"""The import report: what one ingest read, accepted and rejected, and why; the ingest
result a workspace stores; the import id that names both.

The report's invariant, checked when it is built: rows read = rows accepted + rows rejected.
A workspace keeps each report in its import log; the import itself is
:mod:`hotspot_tasking.intake`.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime

import pandas as pd

from .errors import GeoError
from .validate import check_type

#: A record with more or fewer fields than its file's header (set aside while the file is read).
MALFORMED_ROW = "malformed row"
#: Why a row is rejected, in the order the checks run (the first that applies wins).
REJECT_REASONS = (
    MALFORMED_ROW,
    "not a fire",
    "no location",
    "outside Great Britain",
    "far outside the workspace area",
    "unparseable date",
    "time window ends before it starts",
    "duplicate id",
    "already imported",
)
#: The reasons that say a row lies outside the workspace's area (a file of another force, say):
#: such rows are stored apart from the rows an analyst must fix, and counted by area.
OUT_OF_AREA_REASONS = ("outside Great Britain", "far outside the workspace area")
#: The most areas an import report names for its out-of-area rows (the largest counts).
TOP_AREAS = 5


@dataclass
class FileCount:
    """Rows of one file: read, accepted, rejected, and how it was decoded."""

    name: str
    encoding: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int


@dataclass
class ImportReport:
    """What one ingest did.

    Attributes
    ----------
    import_id : str
        Unique id of the import; also names its data and quarantine files.
    source : str
        Source name written to the records.
    files : list of FileCount
    rejected_by_reason : dict
        ``{reason: rows}``, reasons from :data:`REJECT_REASONS`, only those that occurred.
    unmapped : dict
        ``{source words: rows}`` for category words the taxonomy does not know
        (kept, with category "unmapped").
    notes : list of str
        Automatic choices made, in words (encodings, coordinate systems, swapped pairs).
    quarantine_file : str or None
        Workspace-relative path of the CSV of rejected rows an analyst can fix (every reason
        but :data:`OUT_OF_AREA_REASONS`), if any.
    out_of_area_areas : dict
        ``{area: rows}`` for the :data:`TOP_AREAS` areas holding most out-of-area rows, largest
        first: the district of the row's LSOA name (``"Camden"`` of ``"Camden 027B"``), else its
        police force (police.uk's ``Falls within``); empty when the files name no area.
    out_of_area_file : str or None
        Workspace-relative path of the Parquet file of out-of-area rows, if any.
    shared_crime_ids : int
        Accepted police.uk rows whose Crime ID another row of the same file has with a
        different crime type; each is kept as its own offence.
    id_index_file : str or None
        Workspace-relative path of the index of the accepted rows' ids
        (:mod:`~hotspot_tasking.geo.idindex`), if any; None in imports stored before it was kept.
    counts_file : str or None
        Workspace-relative path of the accepted rows' counts by source, month and category
        (:func:`~hotspot_tasking.geo.reads.month_counts`), if any; None likewise.
    """

    import_id: str
    source: str
    started: str
    files: list[FileCount] = field(default_factory=list)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    quarantine_file: str | None = None
    out_of_area_areas: dict[str, int] = field(default_factory=dict)
    out_of_area_file: str | None = None
    shared_crime_ids: int = 0
    id_index_file: str | None = None
    counts_file: str | None = None

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_out_of_area(self) -> int:
        """Rejected rows outside the workspace's area (:data:`OUT_OF_AREA_REASONS`)."""
        return sum(self.rejected_by_reason.get(r, 0) for r in OUT_OF_AREA_REASONS)

    def check(self) -> None:
        """Raise ``RuntimeError`` if the counts do not add up (a bug)."""
        for f in self.files:
            if f.rows_read != f.rows_accepted + f.rows_rejected:
                raise RuntimeError(f"{f.name}: {f.rows_read} read != {f.rows_accepted} accepted "
                                   f"+ {f.rows_rejected} rejected")
        if sum(self.rejected_by_reason.values()) != self.rows_rejected:
            raise RuntimeError("rejections by reason do not add up to the rows rejected")
        if sum(self.out_of_area_areas.values()) > self.rows_out_of_area:
            raise RuntimeError("out-of-area rows by area exceed the out-of-area rows")

    def to_dict(self) -> dict:
        """A JSON-ready dict, with the totals."""
        out = asdict(self)
        out.update(rows_read=self.rows_read, rows_accepted=self.rows_accepted, rows_rejected=self.rows_rejected)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        """The report :meth:`to_dict` wrote (a workspace's import log entry)."""
        check_type(data, "data", "ImportReport.from_dict", dict, type_name="a dict (from ImportReport.to_dict)")
        values = {k: v for k, v in data.items() if k not in ("rows_read", "rows_accepted", "rows_rejected")}
        known = {f.name for f in fields(cls)}
        unknown, missing = sorted(set(values) - known), sorted({"import_id", "source", "started"} - set(values))
        if unknown or missing:
            raise GeoError(f"ImportReport.from_dict: the import log entry {values.get('import_id', '?')!r} has "
                           f"unknown key(s) {unknown} and lacks {missing}; restore workspace.json from a backup.")
        values["files"] = [FileCount(**f) for f in values.get("files", [])]
        return cls(**values)

    def format(self) -> str:
        """The report as a person reads it at the command line."""
        lines = [
            f"Import {self.import_id} ({self.source}): {self.rows_read:,} rows read = "
            f"{self.rows_accepted:,} accepted + {self.rows_rejected:,} rejected",
        ]
        for f in self.files:
            lines.append(f"  {f.name}: {f.rows_read:,} read, {f.rows_accepted:,} accepted, "
                         f"{f.rows_rejected:,} rejected ({f.encoding})")
        if self.rejected_by_reason:
            lines.append("Rejected by reason:")
            lines += [f"  {reason}: {n:,}" for reason, n in self.rejected_by_reason.items()]
        if self.unmapped:
            lines.append("Category words the taxonomy does not know "
                         "(kept as 'unmapped'; add them to config/taxonomy.toml):")
            lines += [f"  '{words}': {n:,}" for words, n in self.unmapped.items()]
        if self.rows_out_of_area:
            lines.append(self._out_of_area_line())
        if self.shared_crime_ids:
            rows = "1 row shares" if self.shared_crime_ids == 1 else f"{self.shared_crime_ids:,} rows share"
            lines.append(f"{rows} a Crime ID with another row of a different crime type; "
                         "each is kept as its own offence.")
        lines += [f"Note: {note}" for note in self.notes]
        if self.quarantine_file:
            lines.append(f"Rejected rows, with file, row and reason: {self.quarantine_file}")
        if self.out_of_area_file:
            lines.append(f"Out-of-area rows, with file, row and reason (Parquet): {self.out_of_area_file}")
        return "\n".join(lines)

    def _out_of_area_line(self) -> str:
        """One sentence: how many rows lie outside the area, and where the most are."""
        total = self.rows_out_of_area
        line = f"{total:,} row{'s' if total != 1 else ''} outside the workspace area"
        if not self.out_of_area_areas:
            return line + " (the files name no area)."
        named = ", ".join(f"{area} {n:,}" for area, n in self.out_of_area_areas.items())
        rest = total - sum(self.out_of_area_areas.values())
        return line + f", by area: {named}" + (f"; {rest:,} elsewhere." if rest else ".")


@dataclass
class IngestResult:
    """What :func:`~hotspot_tasking.intake.ingest.read_incidents` returns, and
    :meth:`~hotspot_tasking.geo.workspace.Workspace.commit` stores.

    Attributes
    ----------
    incidents : pandas.DataFrame
        Accepted rows as the canonical incident table (``schema.INCIDENT_COLUMNS``).
    rejects : pandas.DataFrame
        Rejected rows: ``file, row, reason, detail`` then the row's own columns as text.
    report : ImportReport
    """

    incidents: pd.DataFrame
    rejects: pd.DataFrame
    report: ImportReport


def new_import_id() -> str:
    """A sortable, unique import id: UTC time then random hex."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
