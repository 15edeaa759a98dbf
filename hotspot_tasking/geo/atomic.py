"""How a workspace writes: each file whole or not at all, one writer at a time, half-written
files where no reader looks, and the clean-up after a writer killed half-way.

A file is written into the workspace's staging folder ``_staging/`` (a name pyarrow
datasets, GDAL/OGR and DuckDB globs such as ``incidents/**/*.parquet`` never match: the
leading ``_`` is skipped by dataset discovery, and the file itself ends in ``.part``),
flushed to disk, then renamed into place with ``os.replace`` (one filesystem, so the
rename is atomic). A reader sees each file whole or not at all; after a manifest is
renamed, its folder is flushed too, so the rename outlasts a crash. Writers hold an
exclusive lock on the workspace's ``.lock`` file; readers need none.

A writer that fails removes what it staged and what it moved into place (:class:`Staging`);
one killed half-way leaves only ``_staging/`` debris and files that no manifest lists, and
the next writer removes them (:func:`remove_unlisted`).

The machine's own failures (a read-only folder, a full disk) become one-sentence
:class:`~hotspot_tasking.geo.errors.GeoError` messages in :func:`machine_error`, raised
``from`` the ``OSError``, so the command line can tell them from mistakes in the input.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import GeoError

#: The folder, directly under the workspace, where files are written before they are renamed into place.
STAGING = "_staging"
#: ``errno`` values meaning the folder cannot be written to.
READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
#: ``errno`` values meaning the disk (or the user's quota) is full.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def machine_error(err: OSError, where: Path | str | None = None, *, need_bytes: int | None = None) -> Exception:
    """The one-sentence :class:`GeoError` for a read-only folder or a full disk, else ``err`` itself.

    Parameters
    ----------
    err : OSError
        The error the operating system raised.
    where : path, optional
        The workspace (or file) being written; default the file named in ``err``.
    need_bytes : int, optional
        About how many bytes the write needed, in bytes, when known (said in the message).

    Returns
    -------
    Exception
        A :class:`GeoError` to raise ``from err``, or ``err`` when it is neither kind.
    """
    place = where if where is not None else (err.filename or "the output folder")
    if err.errno in READ_ONLY_ERRNOS:
        return GeoError(f"{place}: the folder is read-only ({os.strerror(err.errno)}), so nothing was written; "
                        "make it writable (its permissions or mount) or copy the workspace to a writable folder "
                        "and run the command there.")
    if err.errno in DISK_FULL_ERRNOS:
        need = f" (the write needed up to about {_megabytes(need_bytes)})" if need_bytes else ""
        free = _free_space(Path(place))
        return GeoError(f"{place}: the disk is full{need}{free}, and nothing of this write was kept; "
                        "free some space or move the workspace to a larger disk, then run the command again.")
    return err


def _megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _free_space(path: Path) -> str:
    """``", 3.2 MB free"`` for the disk holding ``path`` (or its nearest existing parent), else ``""``."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            try:
                return f", {_megabytes(shutil.disk_usage(candidate).free)} free"
            except OSError:
                return ""
    return ""


@contextmanager
def machine_errors(where: Path, *, need_bytes: Callable[[], int] | None = None) -> Iterator[None]:
    """Raise :func:`machine_error`'s :class:`GeoError` for an ``OSError`` of the block it knows.

    ``need_bytes``, if given, is called only on a full disk and returns the write's size in bytes.
    """
    try:
        yield
    except OSError as err:
        need = need_bytes() if need_bytes is not None and err.errno in DISK_FULL_ERRNOS else None
        translated = machine_error(err, where, need_bytes=need)
        if translated is err:
            raise
        raise translated from err


@contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """Hold the exclusive writers' lock of the workspace at ``root`` (its ``.lock`` file).

    Raises :class:`GeoError` when the folder is read-only or the disk full.
    """
    with machine_errors(root):
        handle = open(root / ".lock", "a+")
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_unlisted(root: Path, listed: set[str], folders: Iterable[str]) -> None:
    """Delete the files under ``folders`` of ``root`` whose root-relative path is not in
    ``listed``, and the staging folder ``_staging/`` with whatever a killed writer left in it."""
    shutil.rmtree(root / STAGING, ignore_errors=True)
    for folder in folders:
        for path in (root / folder).rglob("*"):
            if path.is_file() and path.relative_to(root).as_posix() not in listed:
                path.unlink()


class Staging:
    """Files written into ``ROOT/_staging/ID/`` and then moved into place together.

    Use as a context manager under the write lock: :meth:`write` stages a file,
    :meth:`publish` renames every staged file into place, the manifest that lists the
    others last (``last_commits=True``), which marks the write as kept. Leaving the block
    before that removes the staged files and those already published.
    """

    def __init__(self, root: Path):
        self.root = root
        self.folder = root / STAGING / uuid.uuid4().hex
        self._staged: list[tuple[Path, Path]] = []
        self._published: list[Path] = []
        self._kept = False

    def __enter__(self) -> Staging:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        if not self._kept:
            for path in self._published:
                path.unlink(missing_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        try:
            self.folder.parent.rmdir()  # only when no other writer's stage is left
        except OSError:
            pass

    def write(self, path: Path, write: Callable[[Path], object]) -> None:
        """Stage ``path`` by calling ``write(tmp_path)`` on a ``.part`` file in the staging folder."""
        tmp = self.folder / f"{len(self._staged):04d}.part"
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        self._staged.append((tmp, path))

    def scratch(self, name: str) -> Path:
        """A path in the staging folder for a file written bit by bit (an import's parts):
        never published unless :meth:`adopt` gives it a place; removed with the folder."""
        return self.folder / f"scratch-{name}"

    def adopt(self, tmp: Path, path: Path) -> None:
        """Stage ``tmp`` (a finished :meth:`scratch` file) to be renamed to ``path`` by :meth:`publish`."""
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        self._staged.append((tmp, path))

    def publish(self, *, last_commits: bool = False) -> None:
        """Rename every staged file into place (creating its folder), in the order staged.

        With ``last_commits``, the write is kept from the instant the last file (the
        manifest that lists the others) is in place, and that file's folder is flushed.
        """
        for i, (tmp, path) in enumerate(self._staged):
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
            self._published.append(path)
            if last_commits and i == len(self._staged) - 1:
                self._kept = True
                sync_folder(path.parent)
        self._staged = []

    def commit(self) -> None:
        """Keep the published files when the block ends."""
        self._kept = True


def sync_folder(folder: Path) -> None:
    """Flush ``folder``'s entries to disk, so a rename in it outlasts a crash."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_atomic(path: Path, write: Callable[[Path], object], *, root: Path | None = None) -> None:
    """Write through ``write(tmp_path)`` then rename into place, so ``path`` is whole or absent.

    The temporary file lives in ``root/_staging/`` (default: the folder of ``path``) and
    is removed when ``write`` raises.
    """
    with Staging(root if root is not None else path.parent) as stage:
        stage.write(path, write)
        stage.publish(last_commits=True)


def json_writer(data: dict) -> Callable[[Path], object]:
    """A ``write`` function for :meth:`Staging.write` that writes ``data`` as indented JSON."""
    return lambda p: p.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")


def write_json_atomic(path: Path, data: dict, *, root: Path | None = None) -> None:
    """Write ``data`` as JSON with :func:`write_atomic`, flushing the folder's entry."""
    write_atomic(path, json_writer(data), root=root)
