"""The names an import records for its files, when they are not the names on disk.

The app saves an upload under a generated name and records the name the person's browser
sent, as text only: :func:`check_names` validates such names and :func:`named_inputs` gives
:func:`~hotspot_tasking.intake.textfiles.csv_inputs` with those names in place of the files'.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path

from .errors import IntakeError
from .textfiles import csv_inputs

#: Characters: the longest name recorded for a file (most file systems allow 255).
MAX_NAME_CHARS = 255
#: Control characters (C0, DEL, C1), line and paragraph separators, and the invisible
#: format characters (bidirectional overrides among them) that could disguise a name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
REPLACEMENT = "\ufffd"


def clean_name(name: str) -> str:
    r"""``name`` with every control or invisible format character replaced by U+FFFD.

    >>> clean_name("a\nb\x00.csv") == "a\ufffdb\ufffd.csv"
    True
    """
    return _CONTROL.sub(REPLACEMENT, name)


def check_names(names: Mapping[str | Path, str] | None, paths: list, where: str) -> dict[Path, str]:
    """The ``names`` argument validated: path keys among ``paths``, str values of at most
    :data:`MAX_NAME_CHARS` characters, control characters replaced (see :func:`clean_name`).

    Raises
    ------
    TypeError
        ``names`` is not a mapping of path to str.
    IntakeError
        A key that is not one of ``paths``, or a name longer than :data:`MAX_NAME_CHARS`.
    """
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise TypeError(f"The 'names' parameter of {where} must be a mapping of path to str (the name to record "
                        f"for each file) or None. Got {type(names).__name__} instead.")
    given = {Path(p) for p in paths}
    out: dict[Path, str] = {}
    for key, name in names.items():
        if not isinstance(key, (str, os.PathLike)) or not isinstance(name, str):
            raise TypeError(f"The 'names' parameter of {where} must map paths (str or pathlib.Path) to str. "
                            f"Got {type(key).__name__} -> {type(name).__name__} instead.")
        if Path(key) not in given:
            raise IntakeError(f"{where}: 'names' gives a name for {Path(key).name!r}, which is not one of the "
                              f"{len(given)} paths; name only files that are imported.")
        if len(name) > MAX_NAME_CHARS:
            raise IntakeError(f"{where}: the name recorded for {Path(key).name!r} is {len(name)} characters "
                              f"long, over the {MAX_NAME_CHARS} allowed; shorten it.")
        out[Path(key)] = clean_name(name)
    return out


def named_inputs(paths: Iterable[str | Path], pattern: str, names: Mapping[Path, str], *,
                 blocks: bool = False) -> list[tuple[str, Callable[[], bytes | Iterator[bytes]]]]:
    """:func:`~hotspot_tasking.intake.textfiles.csv_inputs` of ``paths`` (``blocks`` as there),
    each file in ``names`` (from :func:`check_names`) recorded under its name there (a zip's
    members as ``name:member``), also in the messages of files that cannot be read."""
    if not names:
        return csv_inputs(paths, pattern, blocks=blocks)
    inputs: list[tuple[str, Callable[[], bytes | Iterator[bytes]]]] = []
    for path in map(Path, paths):
        shown = names.get(path)
        if shown is None or path.is_dir():
            inputs += csv_inputs([path], pattern, blocks=blocks)
            continue
        try:
            items = csv_inputs([path], pattern, blocks=blocks)
        except IntakeError as err:
            raise _renamed(err, path, shown) from err
        for name, load in items:
            inputs.append((shown + name[len(path.name):], partial(_load_as, load, path, shown)))
    return inputs


def _load_as(load: Callable[[], bytes | Iterator[bytes]], path: Path, shown: str) -> bytes | Iterator[bytes]:
    try:
        data = load()
    except IntakeError as err:
        raise _renamed(err, path, shown) from err
    return data if isinstance(data, bytes) else _blocks_as(data, path, shown)


def _blocks_as(blocks: Iterator[bytes], path: Path, shown: str) -> Iterator[bytes]:
    try:
        yield from blocks
    except IntakeError as err:
        raise _renamed(err, path, shown) from err


def _renamed(err: IntakeError, path: Path, shown: str) -> IntakeError:
    """``err`` saying ``shown`` where it said the file's path or its name on disk."""
    return IntakeError(str(err).replace(str(path), shown).replace(path.name, shown))
