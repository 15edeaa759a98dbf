"""Reading the partnership's TOML files: one loader, one typed reader, one date parser.

Every configuration file (``taxonomy.toml``, ``time_bands.toml``, ``tasking.toml``,
``tactics.toml``, a council CSV's column mapping) is read by :func:`read_toml` and checked
through a :class:`ConfigTable`. A loader declares its fields the way scikit-learn declares
its parameter constraints, one line per key with its type, range and default::

    RANKING = {
        "baseline_periods": Number(12, low=0, low_open=True, integer=True),
        "peak_cover": Number(0.5, low=0, high=1, low_open=True),
    }
    values = read_toml(path, error=RankingError).table("ranking").read(RANKING)

and every problem is raised as the caller's error class (``error=``, a
:class:`~hotspot_tasking.errors.UserError` subclass such as ``GeoError``) in one form,
"FILE, [TABLE]: KEY must be ...; got X. Fix: ...". Wrong types in a file are the user's
to fix, so they raise ``error`` too, not TypeError.

:func:`parse_day` reads a date a person typed (a config file's date, an action log's due
date): ``2017-07-03``, ``03/07/2017`` (UK, day first) or a date object. It is here, with
the standard library only, so the action log can use it without importing the ingest
(:mod:`hotspot_tasking.intake.dates` parses data files' date columns, vectorised, with pandas).

Imports only the standard library, :mod:`hotspot_tasking.errors` and the wording of
:mod:`hotspot_tasking.configwords`.

Examples
--------
>>> ranking = ConfigTable({"ranking": {"peak_cover": 2}}, file="tasking.toml").table("ranking")
>>> ranking.read({"peak_cover": Number(0.5, low=0, high=1, low_open=True)})  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
hotspot_tasking.errors.UserError: tasking.toml, [ranking]: peak_cover must be a number above 0 and at most 1;
got 2. Fix: write e.g. peak_cover = 0.5.
>>> parse_day("03/07/2017", field="due_on", error=UserError)
datetime.date(2017, 7, 3)
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from .configwords import Words, example_in, is_number, range_words, shown, toml_key, toml_value
from .errors import UserError

_TOML_AT = re.compile(r"^(.*) \(at line (\d+), column (\d+)\)$", re.S)
_UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class _Required:
    """The default of a key that must be given."""

    def __repr__(self) -> str:
        return "REQUIRED"


#: Default of a key the file must give (a missing one is an error).
REQUIRED: Any = _Required()


def default_config_path(name: str) -> Path:
    """Path of a default configuration file shipped with the package (``data/config/NAME``).

    >>> default_config_path("tasking.toml").name
    'tasking.toml'
    """
    if not isinstance(name, str):
        raise TypeError(f"The 'name' parameter of default_config_path must be a file name (str). Got {name!r} instead.")
    return Path(str(resources.files("hotspot_tasking.default_config").joinpath(name)))


def read_toml(path: str | Path, *, error: type[UserError] = UserError,
              what: str = "configuration file") -> ConfigTable:
    """Read a TOML file into a :class:`ConfigTable` named after it.

    Parameters
    ----------
    path : str or Path
        The file, UTF-8 (a byte-order mark is allowed).
    error : type, default=UserError
        The calling package's error class, raised for every problem.
    what : str, default="configuration file"
        What the file is, for the message when it does not exist (e.g. "mapping file").

    Raises
    ------
    error
        One sentence naming the file, and the line, for a missing or unreadable file,
        bytes that are not UTF-8, or text that is not valid TOML.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        raise error(f"{path}: no such {what}. Fix: check the path.") from err
    except OSError as err:
        raise error(f"{path}: cannot be read ({err.strerror}). Fix: check the path and that you may read "
                    "the file.") from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise error(f"{path.name}: line {line} is not UTF-8 text (byte {raw[err.start]:#04x}). Fix: save the "
                    "file as UTF-8 in your editor.") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = _TOML_AT.match(str(err))
        if match:
            place, reason = f"line {match[2]}, column {match[3]}", match[1]
        else:  # "(at end of document)"
            place, reason = f"line {text.count(chr(10)) + 1} (the end of the file)", str(err).split(" (at ")[0]
        raise error(f"{path.name}: not valid TOML at {place} ({reason}). Fix: correct that line; check its "
                    "quotes, brackets and '='.") from err
    return ConfigTable(data, file=path.name, error=error, path=path)


def parse_day(value: Any, *, field: str, error: type[UserError] = UserError) -> dt.date:
    """A calendar day from what a person typed or a program passed.

    Parameters
    ----------
    value : date, datetime, pandas.Timestamp or str
        A date; a datetime (or Timestamp) gives its own date; text is ISO 8601
        (``"2017-07-03"``, as :meth:`datetime.date.fromisoformat` reads it) or UK day first
        (``"03/07/2017"`` or ``"3/7/2017"``: 3 July), with spaces around ignored.
    field : str
        What to name in the message: the field, or the file, table and key.
    error : type, default=UserError
        The calling package's error class.

    Returns
    -------
    datetime.date

    Raises
    ------
    error
        For anything else (a missing time ``NaT``, a number, ``"2017-13-01"``,
        ``"July 3rd"``, a two-digit year).

    Examples
    --------
    >>> parse_day(" 2017-07-03 ", field="held_on")
    datetime.date(2017, 7, 3)
    >>> parse_day("31/06/2017", field="due_on")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    hotspot_tasking.errors.UserError: due_on must be a date written YYYY-MM-DD (or DD/MM/YYYY, day first);
    got '31/06/2017'. Fix: write it as e.g. 2017-07-04.
    """
    if isinstance(value, dt.datetime):
        if value == value:  # pandas.NaT is a datetime that is not equal to itself
            return value.date()
    elif isinstance(value, dt.date):
        return value
    elif isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        uk = _UK_DAY.fullmatch(text)
        if uk:
            try:
                return dt.date(int(uk[3]), int(uk[2]), int(uk[1]))
            except ValueError:
                pass
    raise error(f"{field} must be a date written YYYY-MM-DD (or DD/MM/YYYY, day first); got {shown(value)}. "
                "Fix: write it as e.g. 2017-07-04.")


class ConfigTable(Mapping):
    """One table of a TOML file, with typed readers whose messages name the file and the table.

    A read-only mapping of the table's raw values. Each reader returns the checked value
    (or the default when the key is absent; a None value counts as absent) and raises
    the table's ``error`` otherwise, in the form "FILE, [TABLE]: KEY must be ...; got X.
    Fix: ...".

    Parameters
    ----------
    data : mapping
        The table's keys and values (as :mod:`tomllib` gives them).
    file : str
        The file's name (or what else to name, e.g. "the column choices").
    error : type, default=UserError
        The calling package's error class.
    path : Path, optional
        The file itself.
    keys : tuple of str, default=()
        The table's dotted location in the file, keys already quoted where TOML needs it.
    header : str, optional
        How to name the table (default ``[a.b]`` from ``keys``; ``""`` for the top level).
    """

    def __init__(self, data: Mapping, *, file: str, error: type[UserError] = UserError, path: Path | None = None,
                 keys: tuple[str, ...] = (), header: str | None = None):
        if not isinstance(data, Mapping):
            raise TypeError(f"The 'data' parameter of ConfigTable must be a mapping. Got {type(data).__name__} "
                            "instead.")
        self._data = dict(data)
        self.file, self.error, self.path, self.dotted = file, error, path, tuple(keys)
        self.header = header if header is not None else (f"[{'.'.join(keys)}]" if keys else "")

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"ConfigTable({self.where!r}, {len(self)} keys)"

    @property
    def where(self) -> str:
        """``"tasking.toml, [ranking]"``; the file's name alone for its top level."""
        return f"{self.file}, {self.header}" if self.header else self.file

    # --- errors -------------------------------------------------------------------------

    def problem(self, text: str) -> UserError:
        """The error ``"FILE, [TABLE]: TEXT"`` for a check of the caller's own (raise it)."""
        return self.error(f"{self.where}: {text}")

    def fail(self, key: str, must: str, got: Any, fix: str) -> UserError:
        """The error ``"FILE, [TABLE]: KEY must be MUST; got GOT. Fix: FIX."`` (raise it)."""
        return self.problem(f"{key} must be {must}; got {shown(got)}. Fix: {fix.rstrip('.')}.")

    # --- values -------------------------------------------------------------------------

    def raw(self, key: str, default: Any = REQUIRED, *, what: str = "a value") -> Any:
        """The value as the file gives it; ``default`` when absent (raise when REQUIRED)."""
        value = self._data.get(key)
        if value is None:
            if default is REQUIRED:
                raise self.problem(f"has no '{key}'; add one ({what}).")
            return default
        return value

    def number(self, key: str, default: Any = REQUIRED, *, low: float = -math.inf, high: float = math.inf,
               low_open: bool = False, high_open: bool = False, integer: bool = False, unit: str = "") -> Any:
        """A number (int or float as written; an int for ``integer``) in a range; never NaN or infinite.

        ``unit`` (e.g. "metres") is named in the message.

        ``low_open``/``high_open`` leave that end out. A whole float (``12.0``) is accepted
        for ``integer`` and returned as an int.
        """
        kind = "a whole number" if integer else "a number"
        must = kind + range_words(low, high, low_open, high_open) + (f" ({unit})" if unit else "")
        if self._data.get(key) is None:
            return self.raw(key, default, what=must)
        value = self._data[key]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if ok and integer:
            ok = float(value).is_integer()
        if ok:
            ok = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
        if not ok:
            example = default if is_number(default) else example_in(low, high, low_open, high_open, integer)
            raise self.fail(key, must, value, f"write e.g. {key} = {toml_value(example)}")
        return int(value) if integer else value

    def boolean(self, key: str, default: Any = REQUIRED) -> Any:
        """``true`` or ``false`` (not the text "true")."""
        if self._data.get(key) is None:
            return self.raw(key, default, what="true or false")
        value = self._data[key]
        if not isinstance(value, bool):
            raise self.fail(key, "true or false", value, f"write {key} = true or {key} = false, without quotes")
        return value

    def text(self, key: str, default: Any = REQUIRED, *, max_len: int | None = None, min_len: int = 0,
             choices: Iterable[str] | None = None, ignore_case: bool = False) -> Any:
        """Text in quotes; with ``choices``, one of them (the choice as listed when ``ignore_case``).

        ``min_len`` counts characters other than spaces at either end; ``max_len`` all of them.
        """
        choices = tuple(choices) if choices is not None else None
        must = "one of " + ", ".join(map(repr, choices)) if choices else "text in quotes"
        if self._data.get(key) is None:
            return self.raw(key, default, what=must)
        value = self._data[key]
        if not isinstance(value, str):
            example = choices[0] if choices else (default if isinstance(default, str) and default else "...")
            raise self.fail(key, must, value, f"write e.g. {key} = {toml_value(example)}")
        if choices:
            given = value.strip().casefold() if ignore_case else value
            found = [c for c in choices if (c.casefold() if ignore_case else c) == given]
            if not found:
                raise self.fail(key, must, value, f"write one of them, e.g. {key} = {toml_value(choices[0])}")
            return found[0]
        if len(value.strip()) < min_len:
            must = "text that is not empty" if min_len == 1 else f"text of at least {min_len} characters"
            raise self.fail(key, must, value, f"write it in the quotes, e.g. {key} = \"...\"")
        if max_len is not None and len(value) > max_len:
            raise self.fail(key, f"text of at most {max_len} characters", Words(f"{len(value)} characters"),
                            "shorten it")
        return value

    def strings(self, key: str, default: Any = REQUIRED) -> Any:
        """A list of text, as a tuple."""
        must = 'a list of text such as ["a", "b"]'
        if self._data.get(key) is None:
            return self.raw(key, default, what=must)
        value = self._data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            example = [value] if isinstance(value, str) else ["..."]
            raise self.fail(key, must, value, f"write e.g. {key} = {toml_value(example)}")
        return tuple(value)

    def date(self, key: str, default: Any = REQUIRED) -> Any:
        """A date: a TOML date (``2017-07-04``) or text :func:`parse_day` reads."""
        if self._data.get(key) is None:
            return self.raw(key, default, what="a date such as 2017-07-04")
        return parse_day(self._data[key], field=f"{self.where}: {key}", error=self.error)

    # --- tables -------------------------------------------------------------------------

    def table(self, key: str, required: bool = False, *, quoted: bool = False) -> ConfigTable:
        """The sub-table ``key`` (empty when absent and not ``required``).

        ``quoted`` names it with its key in quotes, as category names are written
        (``[categories."Robbery"]``).
        """
        child = (*self.dotted, toml_key(key, quoted))
        value = self._data.get(key)
        if value is None:
            if required:
                raise self.problem(f"has no [{'.'.join(child)}] table; add one.")
            value = {}
        if not isinstance(value, Mapping):
            raise self.fail(key, f"a table, written [{'.'.join(child)}] with its keys on the lines below", value,
                            f"write the keys under a [{'.'.join(child)}] line")
        return ConfigTable(value, file=self.file, error=self.error, path=self.path, keys=child)

    def tables(self, *, quoted: bool = False) -> dict[str, ConfigTable]:
        """Every value of this table as a sub-table, ``{key: ConfigTable}`` in file order."""
        return {key: self.table(key, quoted=quoted) for key in self._data}

    def list_of_tables(self, key: str) -> list[ConfigTable]:
        """The ``[[KEY]]`` blocks (an array of tables), each named ``[[a.KEY]] number N``; [] when absent."""
        dotted = ".".join((*self.dotted, toml_key(key)))
        value = self._data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(key, f"a list of tables, each written as a [[{dotted}]] block", value,
                            f"start each one with a [[{dotted}]] line and its keys below it")
        return [ConfigTable(v, file=self.file, error=self.error, path=self.path, keys=(*self.dotted, toml_key(key)),
                            header=f"[[{dotted}]] number {n}") for n, v in enumerate(value, start=1)]

    def unknown_keys(self, allowed: Iterable[str]) -> None:
        """Raise unless every key of the table is one of ``allowed`` (a misspelt key is not ignored)."""
        allowed = tuple(allowed)
        unknown = [k for k in self._data if k not in allowed]
        if unknown:
            one = len(unknown) == 1
            raise self.problem(f"unknown key{'' if one else 's'} {', '.join(map(repr, unknown))}; the keys it takes "
                               f"are {', '.join(allowed)}. Fix: correct the spelling, or remove "
                               f"{'it' if one else 'them'}.")

    def read(self, fields: Mapping[str, Field], *, also: Iterable[str] = (), strict: bool = True) -> dict[str, Any]:
        """Read the declared ``{key: Number(...) / Boolean(...) / Text(...) / ...}`` in order.

        ``strict`` (the default) first refuses keys neither declared nor in ``also``.
        """
        if strict:
            self.unknown_keys((*fields, *also))
        return {key: spec.read(self, key) for key, spec in fields.items()}


# --- declarations: one per key, like scikit-learn's parameter constraints ------------------------

@dataclass(frozen=True)
class _Field:
    default: Any = REQUIRED
    _reader: ClassVar[str] = ""

    def read(self, table: ConfigTable, key: str) -> Any:
        """``key`` of ``table``, checked as declared (the ConfigTable method of the same name)."""
        return getattr(table, self._reader)(key, **vars(self))


@dataclass(frozen=True)
class Number(_Field):
    """A number: ``Number(0.5, low=0, high=1, low_open=True)`` is a share in (0, 1], 0.5 if left out."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    integer: bool = False
    unit: str = ""
    _reader: ClassVar[str] = "number"


@dataclass(frozen=True)
class Boolean(_Field):
    """``true`` or ``false``: ``Boolean(False)``."""

    _reader: ClassVar[str] = "boolean"


@dataclass(frozen=True)
class Text(_Field):
    """Text: ``Text("auto", choices=("auto", "bng"))``, ``Text(min_len=1, max_len=40)`` (required)."""

    max_len: int | None = None
    min_len: int = 0
    choices: tuple[str, ...] | None = None
    ignore_case: bool = False
    _reader: ClassVar[str] = "text"


@dataclass(frozen=True)
class Strings(_Field):
    """A list of text: ``Strings(())``."""

    _reader: ClassVar[str] = "strings"


@dataclass(frozen=True)
class Date(_Field):
    """A date: ``Date(None)``."""

    _reader: ClassVar[str] = "date"


Field = Number | Boolean | Text | Strings | Date
