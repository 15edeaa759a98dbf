"""Reading CSV files as text: paths, folders and zips; encodings; row numbers.

Every reader starts here. A CSV is read with every column as text (nothing is
guessed), its encoding detected (UTF-8 with or without a byte-order mark, else
Windows-1252), its delimiter detected from the header line (comma, tab, semicolon or
pipe), and each record numbered as a spreadsheet shows it: the header is row 1, the
first record row 2.

A record with more or fewer fields than the header (an unquoted delimiter, a short or
truncated row, a quote left open) is not read into the frame: it is kept in
:attr:`CsvText.malformed` with its row number and why, for the import to reject.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .errors import IntakeError

UTF8_BOM = b"\xef\xbb\xbf"
#: Delimiters recognised in a header line, in order of preference on a tie, and their names.
DELIMITERS = {",": "comma-separated", "\t": "tab-separated", ";": "semicolon-separated", "|": "pipe-separated"}
#: Extensions read as delimited text wherever ``.csv`` is accepted.
TEXT_EXTENSIONS = (".csv", ".tsv", ".tab", ".txt")
#: Characters of a malformed record kept in its detail.
_SHOWN = 200


@dataclass(frozen=True)
class CsvText:
    """One CSV file's records as text.

    Attributes
    ----------
    name : str
        The file's name as shown in reports (``archive.zip:2016-01/x.csv`` for a member).
    frame : pandas.DataFrame
        Every column as ``str``; empty cells are ``""``. The index is 0..n-1.
    encoding : str
        ``"utf-8"``, ``"utf-8-sig"`` (with a byte-order mark) or ``"cp1252"``.
    row_numbers : numpy.ndarray or None
        Spreadsheet row numbers of the frame's records, when not simply 2, 3, ...
    delimiter : str
        The field delimiter detected from the header line (``","``, ``"\\t"``, ``";"``, ``"|"``).
    malformed : pandas.DataFrame or None
        Records with the wrong number of fields: ``row`` (spreadsheet row number),
        ``detail`` (why, in words), then the header's columns filled from the record's
        fields as far as they go. None when there are none.
    """

    name: str
    frame: pd.DataFrame
    encoding: str
    row_numbers: np.ndarray | None = None
    delimiter: str = ","
    malformed: pd.DataFrame | None = None

    @property
    def rows(self) -> pd.Series:
        """Spreadsheet row numbers of the records (header is row 1; blank lines count as rows)."""
        numbers = self.row_numbers if self.row_numbers is not None else self.frame.index.to_numpy() + 2
        return pd.Series(numbers, index=self.frame.index)

    @property
    def rows_read(self) -> int:
        """Records read: those in the frame plus the malformed ones."""
        return len(self.frame) + (0 if self.malformed is None else len(self.malformed))

    @property
    def read_as(self) -> str:
        """How the file was read, for messages about its columns, e.g.
        ``"read as tab-separated; its columns are: 'a', 'b'"``."""
        names = [f"'{c}'" for c in self.frame.columns]
        shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
        return f"read as {DELIMITERS.get(self.delimiter, repr(self.delimiter))}; its columns are: {shown}"

    def refuse_malformed(self, error: type[Exception] = IntakeError) -> CsvText:
        """Return self, or raise ``error`` naming the first malformed record, for callers
        that need every row (a population table)."""
        if self.malformed is None or not len(self.malformed):
            return self
        first = self.malformed.iloc[0]
        n = len(self.malformed)
        raise error(f"{self.name}, row {first['row']}: {first['detail']}; {n} malformed "
                    f"row{'s' if n > 1 else ''} in all (read as {DELIMITERS[self.delimiter]}); "
                    "fix the quoting or delimiters and read the file again.")


def decode(data: bytes) -> tuple[bytes, str]:
    """Return ``(utf8_bytes, encoding)`` for file bytes.

    UTF-8 with a byte-order mark (the mark is dropped), plain UTF-8 (passed through
    untouched), or else Windows-1252 (the encoding of CSVs saved by Excel on Windows),
    transcoded; undefined Windows-1252 bytes become U+FFFD.
    """
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM):].decode("utf-8", errors="replace").encode("utf-8"), "utf-8-sig"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8"), "cp1252"


def parse_csv(data: bytes, name: str) -> CsvText:
    """Parse delimited text into text columns; raise :class:`IntakeError` if it is not a table.

    The delimiter is the one of comma, tab, semicolon and pipe found most often in the
    header line outside quotes (a comma when there is none). Records with the wrong
    number of fields are set aside in :attr:`CsvText.malformed`, never raised.
    """
    utf8, encoding = decode(data)
    if not utf8.strip():
        raise IntakeError(f"{name}: the file is empty; export it again with its header row.")
    first = re.split(rb"\r\n|\n|\r", utf8, maxsplit=1)[0].decode("utf-8", errors="replace")
    delimiter = sniff_delimiter(first)
    columns = _header(first, name, delimiter)
    one_line = b"\n" not in utf8 and b"\r" not in utf8  # a header alone: arrow wants its line break
    table, bad = _read_table(utf8 + b"\n" if one_line else utf8, name, columns, delimiter)
    if any(t != pa.string() for t in table.schema.types):  # a name arrow read unlike the header line
        table = pa.table({f"{i}": pc.fill_null(col.cast(pa.string()), "") for i, col in enumerate(table.columns)})
        table = table.rename_columns(columns if len(columns) == table.num_columns else table.column_names)
    frame = table.to_pandas()
    frame.columns = [str(c).strip() for c in frame.columns]
    if not bad:
        return CsvText(name=name, frame=frame, encoding=encoding, row_numbers=_row_numbers(utf8, len(frame)),
                       delimiter=delimiter)
    total = len(frame) + len(bad)
    numbers = _row_numbers(utf8, total)
    numbers = np.arange(total) + 2 if numbers is None else numbers
    ordinal = np.array([row.number - 2 for row in bad], dtype=np.int64)  # number: record count, header is 1
    good = np.ones(total, dtype=bool)
    good[ordinal] = False
    malformed = _malformed(bad, numbers[ordinal], list(frame.columns), delimiter,
                           ends_midway=not utf8.endswith((b"\n", b"\r")), last=total - 1)
    return CsvText(name=name, frame=frame, encoding=encoding, row_numbers=numbers[good], delimiter=delimiter,
                   malformed=malformed)


def sniff_delimiter(header: str) -> str:
    """The delimiter of a header line: the most frequent of comma, tab, semicolon and pipe
    outside double quotes (ties in that order); a comma when none occurs.

    Examples
    --------
    >>> sniff_delimiter("Month|Longitude|Latitude"), sniff_delimiter('"a;b",c'), sniff_delimiter("x")
    ('|', ',', ',')
    """
    bare = re.sub(r'"[^"]*"?', "", header)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])  # first of the tied, in DELIMITERS' order
    return best if counts[best] else ","


def _read_table(utf8: bytes, name: str, columns: list[str], delimiter: str) -> tuple[pa.Table, list]:
    """The table of well-formed records and the malformed ones (``pyarrow.csv.InvalidRow``).

    First a parallel read that skips malformed records (the handler never raises: an error
    raised inside a multithreaded read could bring the process down). Only if one was met,
    or its records do not number the text's lines (:func:`_data_lines`), the file is read
    again in one thread, with quoted line breaks allowed, which gives each
    malformed record its number.
    """
    convert = pacsv.ConvertOptions(column_types={c: pa.string() for c in columns},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    bad: list = []

    def keep(row) -> str:
        bad.append(row)
        return "skip"

    try:  # fast path: no line breaks inside quoted values (police.uk, LFB)
        table = pacsv.read_csv(io.BytesIO(utf8), convert_options=convert,
                               parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=keep))
        if not bad and table.num_rows == _data_lines(utf8):  # every line a record: the whole text was read
            return table, bad
    except pa.ArrowInvalid:
        pass
    bad.clear()
    try:
        table = pacsv.read_csv(io.BytesIO(utf8), convert_options=convert,
                               read_options=pacsv.ReadOptions(use_threads=False),
                               parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                                                invalid_row_handler=keep))
    except pa.ArrowInvalid as err:
        raise IntakeError(f"{name}: could not be read as {DELIMITERS[delimiter]} text ({err}); "
                          "check the delimiter and quoting, then import it again.") from err
    return table, bad


def _data_lines(utf8: bytes) -> int:
    """The non-empty lines after the header (``\n`` or ``\r\n`` line ends).

    The parallel read's records must number exactly these: a record per line is its rule.
    Anything else (a line break inside quotes, old Mac line ends, or a short table from the
    parallel reader, met once in a cluster's worker) sends the text to the one-thread read.
    """
    lines = utf8.count(b"\n") + (0 if utf8.endswith(b"\n") else 1)
    return lines - utf8.count(b"\n\n") - utf8.count(b"\n\r\n") - 1  # runs of empty lines: under-counted, so re-read


def _malformed(bad: list, rows: np.ndarray, columns: list[str], delimiter: str, *,
               ends_midway: bool, last: int) -> pd.DataFrame:
    """The malformed records as a frame: row, detail, then their fields under the header's names."""
    details, cells = [], []
    for row in bad:
        text = row.text or ""
        words = f"has {row.actual_columns} field{'s' if row.actual_columns != 1 else ''} " \
                f"where the header has {row.expected_columns}"
        lines = text.count("\n") + 1
        if lines > 1:
            words += f"; a quote left open runs it on over {lines} lines"
        if ends_midway and row.number - 2 == last:
            words += "; the file ends part-way through it"
        shown = text.replace("\r", " ").replace("\n", " ").replace("\x00", " ")
        details.append(f"{words}: {shown[:_SHOWN]}{'...' if len(shown) > _SHOWN else ''}")
        try:
            fields = next(csv.reader([text.replace("\x00", "")], delimiter=delimiter), [])
        except csv.Error:
            fields = [text]
        cells.append((fields + [""] * len(columns))[: len(columns)])
    frame = pd.DataFrame(cells, columns=columns, dtype="str") if cells else pd.DataFrame(columns=columns, dtype="str")
    frame.insert(0, "detail", pd.Series(details, dtype="str"))
    frame.insert(0, "row", rows.astype(np.int64))
    return frame


def _row_numbers(utf8: bytes, records: int) -> np.ndarray | None:
    """Row numbers when blank lines (which the parser skips) shift records down; None otherwise.

    Counted by lines, so only when each record is one line (no line breaks inside quotes);
    otherwise records are numbered in order, as a spreadsheet shows them.
    """
    if b"\n\n" not in utf8 and b"\n\r\n" not in utf8:
        return None
    lines = np.array([len(line.strip()) > 0 for line in utf8.split(b"\n")])
    data_lines = np.flatnonzero(lines[1:]) + 2  # line 1 is the header
    return data_lines if len(data_lines) == records else None


def _header(first: str, name: str, delimiter: str) -> list[str]:
    """The header row's column names; :class:`IntakeError` if missing or repeated."""
    try:
        columns = next(csv.reader([first.replace("\x00", "")], delimiter=delimiter))
    except (csv.Error, StopIteration) as err:
        raise IntakeError(f"{name}: the header row could not be read as {DELIMITERS[delimiter]} text ({err}); "
                          "check its quoting and delimiters.") from err
    if first.count('"') % 2:
        raise IntakeError(f"{name}: the header row has a quote left open (read as {DELIMITERS[delimiter]}); "
                          "close or remove it, then import the file again.")
    if len(set(columns)) != len(columns):
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        raise IntakeError(f"{name}: the header repeats the column names {dupes} (read as {DELIMITERS[delimiter]}); "
                          "rename them so each is unique.")
    return columns


def expand_paths(paths: Iterable[str | Path], pattern: str = "*.csv") -> list[Path]:
    """Files to read: each path as given, or the files in a folder matching ``pattern``.

    Folders are searched recursively and sorted by path, so the order is stable.
    Raises :class:`IntakeError` for a path that does not exist or a folder with no match.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _matches(p.name, pattern))
            if not found:
                raise IntakeError(f"{path}: the folder holds no files matching '{pattern}'; "
                                  "point at the files themselves.")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise IntakeError(f"{path}: no such file or folder; check the path.")
    return files


def _matches(name: str, pattern: str) -> bool:
    """Whether a file name matches ``pattern``, also gzipped (``*.csv`` matches ``x.csv.gz``);
    a ``.csv`` pattern matches the other text extensions too (``.tsv``, ``.tab``, ``.txt``)."""
    name = name.lower()
    patterns = [pattern]
    if pattern.lower().endswith(".csv"):
        patterns += [pattern[:-4] + ext for ext in TEXT_EXTENSIONS[1:]]
    return any(fnmatch(name, p) or fnmatch(name, p + ".gz") for p in patterns)


def csv_inputs(paths: Iterable[str | Path], pattern: str = "*.csv", *,
               blocks: bool = False) -> list[tuple[str, Callable[[], bytes | Iterator[bytes]]]]:
    """Every CSV in ``paths`` as ``(name, load)``: plain or gzipped files, folders, and zip
    members matching ``pattern``. Nothing is read yet, so callers may parse in parallel.

    ``load()`` returns the file's bytes, or with ``blocks`` an iterator of its bytes in blocks
    of :data:`BLOCK_BYTES` read as they are asked for (decompressed as it goes), so a large
    file need not be held whole; a read error raises :class:`IntakeError` either way.
    """
    inputs: list[tuple[str, Callable[[], bytes | Iterator[bytes]]]] = []
    for path in expand_paths(paths, pattern):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = sorted(m for m in archive.namelist() if _matches(Path(m).name, pattern))
            if not members:
                raise IntakeError(f"{path.name}: the zip holds no files matching '{pattern}'; "
                                  "check it is the right archive.")
            inputs += [(f"{path.name}:{m}", partial(_zip_blocks if blocks else _zip_member, path, m)) for m in members]
        else:
            inputs.append((path.name, partial(_file_blocks if blocks else _file_bytes, path)))
    return inputs


def input_size(load: Callable[[], bytes | Iterator[bytes]]) -> int:
    """Bytes stored of a :func:`csv_inputs` file (compressed, for a gzip or a zip member), read
    from the folder or the zip's directory without opening the data; 0 when it cannot tell."""
    if not isinstance(load, partial):
        return 0
    if load.func in (_file_blocks, _file_bytes):
        try:
            return load.args[0].stat().st_size
        except OSError:
            return 0
    if load.func in (_zip_blocks, _zip_member):
        with zipfile.ZipFile(load.args[0]) as archive:
            return archive.getinfo(load.args[1]).compress_size
    return input_size(load.args[0]) if load.args and callable(load.args[0]) else 0  # a loader wrapping another


def read_csvs(paths: Iterable[str | Path], pattern: str = "*.csv") -> Iterator[CsvText]:
    """Yield every CSV in ``paths`` (see :func:`csv_inputs`), parsed; a file with a malformed
    record raises :class:`IntakeError` naming its row (these callers need every row)."""
    for name, load in csv_inputs(paths, pattern):
        yield parse_csv(load(), name).refuse_malformed()


def _file_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if path.suffix.lower() == ".gz" else data
    except (OSError, EOFError, zlib.error) as err:  # OSError includes gzip.BadGzipFile; EOFError: truncated
        raise IntakeError(f"{path}: could not be read ({err}); check the file is whole and readable.") from err


def _zip_member(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(member)


#: Bytes read at a time from a file read in blocks (see :func:`csv_inputs`).
BLOCK_BYTES = 4 * 1024 * 1024


def _file_blocks(path: Path) -> Iterator[bytes]:
    try:
        with (gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")) as handle:
            while block := handle.read(BLOCK_BYTES):
                yield block
    except (OSError, EOFError, zlib.error) as err:
        raise IntakeError(f"{path}: could not be read ({err}); check the file is whole and readable.") from err


def _zip_blocks(path: Path, member: str) -> Iterator[bytes]:
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
            while block := handle.read(BLOCK_BYTES):
                yield block
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as err:
        raise IntakeError(f"{path.name}:{member}: could not be read ({err}); check the zip is whole.") from err
