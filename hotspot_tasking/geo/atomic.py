"""How a workspace writes: each file whole or not at all, one writer at a time, and the
clean-up after a writer killed half-way.

A file is written under a temporary name, flushed to disk, then renamed into place, so a
reader sees it whole or not at all; after a manifest is renamed, its folder is flushed
too, so the rename outlasts a crash. Writers hold an exclusive lock on the workspace's
``.lock`` file; readers need none. A writer killed half-way leaves only files that no
manifest lists, and the next writer removes them (:func:`remove_unlisted`).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """Hold the exclusive writers' lock of the workspace at ``root`` (its ``.lock`` file)."""
    with open(root / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_unlisted(root: Path, listed: set[str], folders: Iterable[str]) -> None:
    """Delete the files under ``folders`` of ``root`` whose root-relative path is not in ``listed``."""
    for folder in folders:
        for path in (root / folder).rglob("*"):
            if path.is_file() and path.relative_to(root).as_posix() not in listed:
                path.unlink()


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write through ``write(tmp_path)`` then rename into place, so ``path`` is whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_json_atomic(path: Path, data: dict) -> None:
    """Write ``data`` as JSON with :func:`write_atomic`, then flush the folder's entry."""
    write_atomic(path, lambda p: p.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8"))
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
