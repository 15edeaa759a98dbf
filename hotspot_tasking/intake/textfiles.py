"""Reading CSV files as text: paths, folders and zips; encodings; row numbers.

Every reader starts here. A CSV is read with every column as text (nothing is
guessed), its encoding detected (UTF-8 with or without a byte-order mark, else
Windows-1252), and each record numbered as a spreadsheet shows it: the header is
row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import gzip
import io
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
import pyarrow.csv as pacsv

from .errors import IntakeError

UTF8_BOM = b"\xef\xbb\xbf"


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
    """

    name: str
    frame: pd.DataFrame
    encoding: str
    row_numbers: np.ndarray | None = None

    @property
    def rows(self) -> pd.Series:
        """Spreadsheet row numbers of the records (header is row 1; blank lines count as rows)."""
        numbers = self.row_numbers if self.row_numbers is not None else self.frame.index.to_numpy() + 2
        return pd.Series(numbers, index=self.frame.index)


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
    """Parse CSV bytes into text columns; raise :class:`IntakeError` if it is not a CSV."""
    utf8, encoding = decode(data)
    if not utf8.strip():
        raise IntakeError(f"{name}: the file is empty; export it again with its header row.")
    columns = _header(utf8, name)
    convert = pacsv.ConvertOptions(column_types={c: pa.string() for c in columns},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        try:  # fast path: no line breaks inside quoted values (police.uk, LFB)
            table = pacsv.read_csv(io.BytesIO(utf8), convert_options=convert)
        except pa.ArrowInvalid:
            table = pacsv.read_csv(io.BytesIO(utf8), convert_options=convert,
                                   parse_options=pacsv.ParseOptions(newlines_in_values=True))
    except pa.ArrowInvalid as err:
        raise IntakeError(f"{name}: could not be read as CSV ({err}); "
                          "check the delimiter and quoting, then import it again.") from err
    frame = table.to_pandas()
    frame.columns = [str(c).strip() for c in frame.columns]
    return CsvText(name=name, frame=frame, encoding=encoding, row_numbers=_row_numbers(utf8, len(frame)))


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


def _header(utf8: bytes, name: str) -> list[str]:
    """The header row's column names; :class:`IntakeError` if missing or repeated."""
    first = utf8[: utf8.find(b"\n") if b"\n" in utf8 else len(utf8)].decode("utf-8").rstrip("\r")
    try:
        columns = next(csv.reader([first]))
    except (csv.Error, StopIteration) as err:
        raise IntakeError(f"{name}: the header row could not be read as CSV ({err}); "
                          "check it is a comma-separated file.") from err
    if len(set(columns)) != len(columns):
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        raise IntakeError(f"{name}: the header repeats the column names {dupes}; rename them so each is unique.")
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
    """Whether a file name matches ``pattern``, also gzipped (``*.csv`` matches ``x.csv.gz``)."""
    name = name.lower()
    return fnmatch(name, pattern) or fnmatch(name, pattern + ".gz")


def csv_inputs(paths: Iterable[str | Path], pattern: str = "*.csv") -> list[tuple[str, Callable[[], bytes]]]:
    """Every CSV in ``paths`` as ``(name, load_bytes)``: plain or gzipped files, folders,
    and zip members matching ``pattern``. Nothing is read yet, so callers may parse in parallel."""
    inputs: list[tuple[str, Callable[[], bytes]]] = []
    for path in expand_paths(paths, pattern):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = sorted(m for m in archive.namelist() if _matches(Path(m).name, pattern))
            if not members:
                raise IntakeError(f"{path.name}: the zip holds no files matching '{pattern}'; "
                                  "check it is the right archive.")
            inputs += [(f"{path.name}:{m}", partial(_zip_member, path, m)) for m in members]
        else:
            inputs.append((path.name, partial(_file_bytes, path)))
    return inputs


def read_csvs(paths: Iterable[str | Path], pattern: str = "*.csv") -> Iterator[CsvText]:
    """Yield every CSV in ``paths`` (see :func:`csv_inputs`), parsed."""
    for name, load in csv_inputs(paths, pattern):
        yield parse_csv(load(), name)


def _file_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if path.suffix.lower() == ".gz" else data
    except (OSError, EOFError, zlib.error) as err:  # OSError includes gzip.BadGzipFile; EOFError: truncated
        raise IntakeError(f"{path}: could not be read ({err}); check the file is whole and readable.") from err


def _zip_member(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(member)
