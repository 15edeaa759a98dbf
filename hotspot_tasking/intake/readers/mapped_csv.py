"""Council ASB case exports and street-drinking complaint logs: any CSV, read through a
small column-mapping file.

A mapping file (TOML) names the columns::

    # council_asb_mapping.toml
    source_name = "council_asb"      # optional; defaults to the --source given
    vocabulary = "council_asb"       # optional; taxonomy vocabulary, defaults to the source
    coordinates = "auto"             # auto | wgs84 | bng
    location_precision_m = 0         # metres; 0 for exact locations

    [columns]
    id = "Reference"                 # optional; without it ids are derived from row content
    date = "Received date"           # a date or date-time column (or date_from, datetime)
    time = "Received time"           # optional separate time column (or time_from)
    date_to = "Latest date"          # optional end of a from/to window
    time_to = "Latest time"          # optional; needs date_to
    category = "ASB type"
    x = "Longitude"                  # or easting/longitude: the first coordinate
    y = "Latitude"                   # or northing/latitude: the second
    location_text = "Street"         # optional

With ``coordinates = "auto"`` each row's pair is read as WGS84 degrees or British
National Grid metres by its values, and swapped latitude/longitude are put right;
the import report says how many rows were read which way.

Every key is checked: a key the mapping does not take (``locaton_text``, ``tme``) is an
error naming the nearest one it does take, never ignored, and so are two keys naming
one thing (``x`` and ``longitude``).

**A fixed value instead of a column.** Any column but ``id``, ``x`` and ``y`` can be given
as one value for every row, a TOML inline table with the single key ``value``::

    category = { value = "Anti-social behaviour" }   # a file of one kind of record
    date = { value = "2024-03" }                     # a police.uk month: the whole month

A fixed date or time must be one the import reads (see :mod:`..dates`). A fixed
coordinate would put every record on one point and a fixed id would make every row
after the first a duplicate, so both are refused.

**Windows.** ``date_to`` (with ``time_to`` if the end has its own time column) gives
each record a from/to window; ``time_to`` alone cannot say which day a window ends on,
so it is refused: map ``date_to`` as well (to the same column as ``date`` when windows
end on the day they start; one running past midnight is then rejected as ending
before it starts). Without a ``time`` column the window starts at 00:00 on its start
day, unless the ``date`` column holds times itself.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ...configfile import ConfigTable, Number, Text, read_toml
from .. import dates
from ..errors import IntakeError
from ..textfiles import CsvText
from .base import Reader, blank, no_time

ALIASES = {
    "x": ("x", "longitude", "easting"),
    "y": ("y", "latitude", "northing"),
    "date": ("date", "date_from", "datetime"),
    "time": ("time", "time_from"),
}
OPTIONAL = ("id", "time", "date_to", "time_to", "location_text")
#: Every key [columns] takes, aliases included, in the order messages list them.
COLUMN_KEYS = ("id", *ALIASES["date"], *ALIASES["time"], "date_to", "time_to", "category", *ALIASES["x"],
               *ALIASES["y"], "location_text")
#: Columns that cannot be a fixed value, and why not.
NO_FIXED_VALUE = {
    "x": "a fixed coordinate would put every record on one point, which is almost always a mistake",
    "y": "a fixed coordinate would put every record on one point, which is almost always a mistake",
    "id": "a fixed id would make every row after the first a duplicate",
}
#: The mapping's keys other than [columns].
SETTINGS = {
    "coordinates": Text("auto", choices=("auto", "wgs84", "bng"), ignore_case=True),
    "location_precision_m": Number(0, low=0, unit="metres"),
    "source_name": Text(None),
    "vocabulary": Text(None),
}
_TOP = "at the top level, above [columns]"
_CANONICAL = {alias: key for key, aliases in ALIASES.items() for alias in aliases}
_NAMES = {"x": "first coordinate", "y": "second coordinate", "date": "start date", "time": "start time"}


def load_mapping(path: str | Path) -> dict:
    """Read and check a mapping file; return it with ``columns`` normalised to canonical keys.

    Parameters
    ----------
    path : str or Path
        The mapping file (TOML, see the module docstring).

    Returns
    -------
    dict
        As :func:`mapping_from` returns it.

    Raises
    ------
    IntakeError
        For a missing or unreadable file, and every problem :func:`mapping_from` names.
    """
    path = Path(path)
    return mapping_from(read_toml(path, error=IntakeError, what="mapping file"), where=path.name, path=path)


def mapping_from(data: dict, *, where: str, path: str | Path | None = None) -> dict:
    """Check a mapping given as a dict (the TOML file's content, or columns chosen in the app).

    Parameters
    ----------
    data : dict
        ``{"columns": {...}, "coordinates": ..., "location_precision_m": ..., "source_name": ...,
        "vocabulary": ...}`` as in a mapping file (see the module docstring). A column is a
        column name, or ``{"value": "..."}`` for one value on every row; an empty name
        counts as not given.
    where : str
        What to name in error messages (the file's name, or "the column choices").
    path : str or Path, optional
        The file itself (default: ``where``).

    Returns
    -------
    dict
        ``columns`` (canonical key to column name), ``constants`` (canonical key to the
        value every row gets), ``coordinates``, ``location_precision_m`` (metres),
        ``source_name``, ``vocabulary`` and ``path``.

    Raises
    ------
    IntakeError
        In one sentence naming the file and table: an unknown key (with the nearest
        valid one), two keys for one column, a missing date, category or coordinate,
        ``time_to`` without ``date_to``, a fixed ``id``, ``x`` or ``y``, or a fixed date or
        time that is not one.
    """
    table = ConfigTable(data, file=where, error=IntakeError)
    _refuse_unknown(table, valid=(*SETTINGS, "columns"), place="top level", other=COLUMN_KEYS,
                    other_place="under [columns]")
    settings = table.read(SETTINGS, strict=False)
    chosen = table.table("columns")
    _refuse_unknown(chosen, valid=COLUMN_KEYS, place="[columns]", other=tuple(SETTINGS), other_place=_TOP,
                    fold_case=True)
    written: dict[str, str] = {}  # canonical key -> key as written
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    for key, (kind, text) in _entries(chosen).items():
        canonical = _CANONICAL.get(key, key)
        if canonical in written:
            raise chosen.problem(f"{written[canonical]} and {key} both name the {_NAMES[canonical]}; "
                                 "keep one of them.")
        written[canonical] = key
        if kind == "column":
            columns[canonical] = text
        else:
            constants[canonical] = _check_fixed(chosen, key, canonical, text)
    missing = [k for k in ("date", "category", "x", "y") if k not in written]
    if missing:
        hint = (' (a file of one kind of record can give one category to all: category = { value = "..." })'
                if "category" in missing else "")
        raise chosen.problem(f"must name {', '.join(missing)}; add the CSV's column for each{hint}.")
    if "time_to" in written and "date_to" not in written:
        raise chosen.problem(f"{written['time_to']} needs date_to, the column of the day each window ends on "
                             "(without it every window would shrink to its start); add date_to (the same "
                             "column as date if windows end on the day they start), or remove "
                             f"{written['time_to']}.")
    return {
        "columns": columns,
        "constants": constants,
        "coordinates": settings["coordinates"],
        "location_precision_m": float(settings["location_precision_m"]),
        "source_name": settings["source_name"],
        "vocabulary": settings["vocabulary"],
        "path": Path(path) if path is not None else Path(where),
    }


def _refuse_unknown(table: ConfigTable, *, valid: tuple[str, ...], place: str, other: tuple[str, ...],
                    other_place: str, fold_case: bool = False) -> None:
    """Raise :class:`IntakeError` for keys of ``table`` not in ``valid``, each with the nearest
    valid key (or the key of the other table it belongs in); list ``valid`` when none is near."""
    unknown = [k for k in table if (k.lower() if fold_case else k) not in valid]
    if not unknown:
        return
    words, listed = [], False
    for key in unknown:
        low = key.lower() if fold_case else key
        near = difflib.get_close_matches(low, valid, n=1)
        moved = difflib.get_close_matches(low, other, n=1)
        if low in other:
            words.append(f"'{key}' (it belongs {other_place})")
        elif near:
            words.append(f"'{key}' (did you mean '{near[0]}'?)")
        elif moved:
            words.append(f"'{key}' (did you mean '{moved[0]}', which belongs {other_place}?)")
        else:
            words.append(f"'{key}'")
            listed = True
    one = len(unknown) == 1
    text = f"unknown key{'' if one else 's'} " + (" and ".join(words) if len(words) < 3
                                                    else ", ".join(words[:-1]) + " and " + words[-1])
    if listed:
        text += f"; the keys it takes are {', '.join(valid)}"
    it = "it" if one else "them"
    raise IntakeError(f"{table.file}, {place}: {text}; correct {it} (spelling or place) or remove {it}.")


def _entries(chosen: ConfigTable) -> dict[str, tuple[str, str]]:
    """``{key: ("column", name) or ("value", text)}`` for the given, non-empty [columns] keys."""
    out = {}
    for key in chosen:
        value = chosen[key]
        if isinstance(value, Mapping):
            out[key.lower()] = ("value", _fixed_text(chosen, key, value))
            continue
        text = chosen.text(key, "")
        if text:
            out[key.lower()] = ("column", text)
    return out


def _fixed_text(chosen: ConfigTable, key: str, value: Mapping) -> str:
    """The text of ``{ value = ... }``: a TOML date or time as ISO text."""
    must = 'a column name in quotes, or one value for every row written { value = "..." }'
    if set(value) != {"value"}:
        raise chosen.fail(key, must, value, f'write e.g. {key} = {{ value = "..." }}, with the one key value')
    fixed = value["value"]
    if isinstance(fixed, (dt.date, dt.time)):
        fixed = fixed.isoformat()
    if not isinstance(fixed, str) or not fixed.strip():
        raise chosen.fail(key, "a fixed value of text that is not empty", fixed,
                          f'write it in quotes, e.g. {key} = {{ value = "..." }}')
    return fixed.strip()


def _check_fixed(chosen: ConfigTable, key: str, canonical: str, text: str) -> str:
    """``text`` if ``canonical`` may be a fixed value and it reads as one."""
    if canonical in NO_FIXED_VALUE:
        example = {"x": "Longitude", "y": "Latitude"}.get(key, key.capitalize())
        fix = ("name the CSV's id column, or leave id out and ids are derived from each row's content"
               if canonical == "id" else f'name the CSV\'s column instead, e.g. {key} = "{example}"')
        raise chosen.problem(f"{key} cannot be a fixed value ({NO_FIXED_VALUE[canonical]}); {fix}.")
    if canonical in ("date", "date_to") and dates.parse_dates(pd.Series([text], dtype="str"))[0].isna().all():
        raise chosen.problem(f"{key} = {{ value = {text!r} }} is not a date the import reads, so every row "
                             f'would be rejected; write e.g. {{ value = "2024-03-01" }} for a day or '
                             f'{{ value = "2024-03" }} for a whole month.')
    if canonical in ("time", "time_to") and dates.parse_times(pd.Series([text], dtype="str")).isna().all():
        raise chosen.problem(f"{key} = {{ value = {text!r} }} is not a time of day, so every row would be "
                             'rejected; write it as HH:MM, e.g. { value = "18:30" }.')
    return text


def make_reader(source: str, mapping: dict) -> Reader:
    """A reader for ``source`` records laid out as ``mapping`` (from :func:`load_mapping`) says.

    Parameters
    ----------
    source : str
        The source name, used when the mapping gives no ``source_name``.
    mapping : dict
        As :func:`mapping_from` returns it; a fixed value stands in for its column on every
        row, and only the mapped columns are required of a file.

    Returns
    -------
    Reader
    """
    cols = mapping["columns"]
    fixed = mapping.get("constants", {})
    name = mapping.get("source_name") or source
    vocabulary = mapping.get("vocabulary") or name.removesuffix("_simulated")

    def given(key: str) -> bool:
        return key in cols or key in fixed

    def field(f: pd.DataFrame, key: str) -> pd.Series:
        """The key's column, or its fixed value on every row."""
        return f[cols[key]] if key in cols else pd.Series(fixed[key], index=f.index, dtype="str")

    def parse(csv: CsvText) -> pd.DataFrame:
        f = csv.frame
        time = field(f, "time") if given("time") else None
        naive, precision = dates.combine(field(f, "date"), time)
        end = no_time(f.index)
        if given("date_to"):
            time_to = field(f, "time_to") if given("time_to") else None
            end["naive_to"], end["precision_to"] = dates.combine(field(f, "date_to"), time_to)
            end["date_to_text"] = (field(f, "date_to") + (" " + time_to if time_to is not None else "")).str.strip()
        date_text = field(f, "date") + (" " + time if time is not None else "")
        return pd.DataFrame({
            "incident_id": field(f, "id").str.strip() if given("id") else blank(f.index),
            "source_category": field(f, "category").str.strip(),
            "date_text": date_text,
            "naive": naive,
            "precision": precision,
            **end,
            "x": field(f, "x"),
            "y": field(f, "y"),
            "crs": mapping["coordinates"],
            "location_precision_m": np.float64(mapping["location_precision_m"]),
            "location_text": field(f, "location_text").str.strip() if given("location_text") else blank(f.index),
            "lsoa_code_given": blank(f.index),
            "skip_reason": "",
        })

    return Reader(
        source=name,
        vocabulary=vocabulary,
        required=tuple(dict.fromkeys(cols.values())),
        parse=parse,
        label=f"{name} CSV",
        fix=f"check the column names in {Path(mapping['path']).name} against the file's header row",
    )
