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
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .errors import GeoError

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

    @property
    def rows(self) -> pd.Series:
        """Spreadsheet row numbers of the records (header is row 1)."""
        return pd.Series(self.frame.index.to_numpy() + 2, index=self.frame.index)


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes, returning ``(text, encoding)``.

    UTF-8 with a byte-order mark, plain UTF-8, or else Windows-1252 (the encoding of
    CSVs saved by Excel on Windows); undefined Windows-1252 bytes become U+FFFD.
    """
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM):].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def parse_csv(data: bytes, name: str) -> CsvText:
    """Parse CSV bytes into text columns; raise :class:`GeoError` if it is not a CSV."""
    text, encoding = decode(data)
    if not text.strip():
        raise GeoError(f"{name}: the file is empty; export it again with its header row.")
    utf8 = text.encode("utf-8")
    try:
        columns = next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as err:
        raise GeoError(f"{name}: the header row could not be read as CSV ({err}); check it is a comma-separated file.") from err
    if len(set(columns)) != len(columns):
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        raise GeoError(f"{name}: the header repeats the column names {dupes}; rename them so each is unique.")
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as err:
        raise GeoError(f"{name}: could not be read as CSV ({err}); check the delimiter and quoting, then import it again.") from err
    frame = table.to_pandas()
    frame.columns = [str(c).strip() for c in frame.columns]
    return CsvText(name=name, frame=frame, encoding=encoding)


def expand_paths(paths: Iterable[str | Path], pattern: str = "*.csv") -> list[Path]:
    """Files to read: each path as given, or the files in a folder matching ``pattern``.

    Folders are searched recursively and sorted by path, so the order is stable.
    Raises :class:`GeoError` for a path that does not exist or a folder with no match.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _matches(p.name, pattern))
            if not found:
                raise GeoError(f"{path}: the folder holds no files matching '{pattern}'; point at the files themselves.")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise GeoError(f"{path}: no such file or folder; check the path.")
    return files


def _matches(name: str, pattern: str) -> bool:
    """Whether a file name matches ``pattern``, also gzipped (``*.csv`` matches ``x.csv.gz``)."""
    name = name.lower()
    return fnmatch(name, pattern) or fnmatch(name, pattern + ".gz")


def read_csvs(paths: Iterable[str | Path], pattern: str = "*.csv") -> Iterator[CsvText]:
    """Yield every CSV in ``paths``: plain or gzipped files, folders, and zips (members matching ``pattern``)."""
    for path in expand_paths(paths, pattern):
        if zipfile.is_zipfile(path):
            yield from _read_zip(path, pattern)
        else:
            try:
                data = path.read_bytes()
                if path.suffix.lower() == ".gz":
                    data = gzip.decompress(data)
            except OSError as err:  # includes gzip.BadGzipFile
                raise GeoError(f"{path}: could not be read ({err}); check the file is whole and readable.") from err
            yield parse_csv(data, path.name)


def _read_zip(path: Path, pattern: str) -> Iterator[CsvText]:
    with zipfile.ZipFile(path) as archive:
        members = sorted(m for m in archive.namelist() if _matches(Path(m).name, pattern))
        if not members:
            raise GeoError(f"{path.name}: the zip holds no files matching '{pattern}'; check it is the right archive.")
        for member in members:
            yield parse_csv(archive.read(member), f"{path.name}:{member}")
