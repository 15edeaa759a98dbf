"""Where a command's heavy work runs: on this machine (``local``) or on a Dask cluster (``dask``).

The work that divides (the kernel sums of a KDE in column strips, DBSCAN in strips with a
halo, one tasking list per area, one import file per task) is written once, as a function
applied to a list of items. :class:`Engine` applies it: the local engine one item after
another in this process, :class:`DaskEngine` as tasks of a ``distributed`` client, on a
``LocalCluster`` of this machine's cores or on a running cluster whose scheduler address
is given. Dask schedules, moves the data and retries; nothing here queues or pools. The
results come back in the items' order, so both engines give the same answer, bit for bit
(the strip and halo rules that make that so are in :mod:`hotspot_tasking.partitions`).

The choice comes from ``--engine local|dask`` and ``--scheduler ADDRESS`` on the command
line, else ``[engine]`` in the workspace's ``tasking.toml``::

    [engine]
    kind = "dask"                         # "local" (default) or "dask"
    scheduler = "tcp://10.0.0.5:8786"     # a running cluster; left out: a cluster of this machine's cores
    workers = 2                           # this machine's cluster: worker processes (default: one per core)

A command opens its engine with :func:`open_engine` and makes it current with
:func:`using` (:func:`current_engine`): the KDE and DBSCAN deep inside the tasking pipeline divide their
work on it without every caller passing it along, as ``dask.config.set(scheduler=...)``
does for Dask's own collections.

Dask is an optional dependency (``pip install 'hotspot-tasking[cluster]'``), imported only
when a dask engine opens. Imports only the standard library and the package's base.
"""

from __future__ import annotations

import contextvars
import logging
import os
import sys
import types
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .configfile import Number, Text, default_config_path, read_toml
from .errors import UserError

#: The engines a command can run on.
ENGINES: tuple[str, ...] = ("local", "dask")
#: Seconds to wait for a running cluster's scheduler before giving up with one sentence.
CONNECT_TIMEOUT_S = 10

_INSTALL = "install it with: pip install 'hotspot-tasking[cluster]'"


@dataclass(frozen=True)
class EngineChoice:
    """Which engine a command runs on.

    Attributes
    ----------
    kind : {"local", "dask"}
    scheduler : str
        A running Dask scheduler's address (``tcp://host:8786``); "" starts a cluster of
        this machine's cores for the command and stops it after.
    workers : int
        That local cluster's worker processes, one thread each; 0 is one per core.

    Examples
    --------
    >>> EngineChoice.load().kind
    'local'
    >>> EngineChoice.load().overridden(kind="dask", workers=2)
    EngineChoice(kind='dask', scheduler='', workers=2)
    """

    kind: str = "local"
    scheduler: str = ""
    workers: int = 0

    @classmethod
    def load(cls, path: str | Path | None = None) -> EngineChoice:
        """Read ``[engine]`` of ``tasking.toml`` (a key left out keeps its default).

        Parameters
        ----------
        path : str or Path, optional
            ``tasking.toml``; None reads the packaged default (the local engine).

        Raises
        ------
        UserError
            A value of the wrong kind: one sentence naming the file, the key and the fix.
        """
        path = Path(path) if path is not None else default_config_path("tasking.toml")
        table = read_toml(path).table("engine")
        values = table.read({"kind": Text(cls.kind, choices=ENGINES), "scheduler": Text(cls.scheduler),
                             "workers": Number(cls.workers, low=0, low_open=False, integer=True)})
        return cls(kind=values["kind"], scheduler=values["scheduler"].strip(), workers=int(values["workers"]))

    def overridden(self, *, kind: str | None = None, scheduler: str | None = None,
                   workers: int | None = None) -> EngineChoice:
        """This choice with the options given on the command line in place of the file's.

        A scheduler address alone implies the dask engine.
        """
        if kind is not None and kind not in ENGINES:
            raise UserError(f"--engine must be one of {', '.join(ENGINES)}; got {kind!r}.")
        if workers is not None and workers < 0:
            raise UserError(f"--workers must be 0 (one per core) or more; got {workers}.")
        kind = kind if kind is not None else ("dask" if scheduler else self.kind)
        return replace(self, kind=kind, scheduler=self.scheduler if scheduler is None else scheduler.strip(),
                       workers=self.workers if workers is None else workers)


class Engine:
    """The local engine: applies a function to items one after another, in this process."""

    kind = "local"

    @property
    def workers(self) -> int:
        """How many items run at once."""
        return 1

    def map(self, func: Callable[..., Any], items: Iterable[Any], **shared: Any) -> list[Any]:
        """``[func(item, **shared) for item in items]``, in the items' order.

        ``func`` must be a module-level function (a cluster pickles it by name), and the
        items and shared arguments picklable.
        """
        return [func(item, **shared) for item in items]

    def imap(self, func: Callable[..., Any], items: Iterable[Any], **shared: Any) -> Iterator[Any]:
        """``func(item, **shared)`` for each item, yielded in the items' order as each is wanted.

        Locally each is worked out when the caller asks for it; on a cluster every item is a
        task at once and the results come back in order, each dropped from the cluster as
        it is taken, so the caller holds one at a time.
        """
        for item in items:
            yield func(item, **shared)

    def describe(self) -> str:
        """One line for a command's output."""
        return "Engine: local (this process)."


class DaskEngine(Engine):
    """Applies a function to items as tasks of a Dask ``distributed`` client.

    Parameters
    ----------
    client : distributed.Client
    where : str
        Words for :meth:`describe` (the scheduler's address, or "this machine").
    """

    kind = "dask"

    def __init__(self, client: Any, where: str) -> None:
        self.client = client
        self.where = where

    @property
    def workers(self) -> int:
        """The cluster's threads in all (each runs one task at a time)."""
        return max(1, sum(self.client.nthreads().values()))

    def map(self, func: Callable[..., Any], items: Iterable[Any], **shared: Any) -> list[Any]:
        """Each item a task; shared arguments sent to every worker once; results in order.

        A task's error is raised here as it was raised on the worker.
        """
        items = list(items)
        if not items:
            return []
        return self.client.gather(self._tasks(func, items, shared))

    def imap(self, func: Callable[..., Any], items: Iterable[Any], **shared: Any) -> Iterator[Any]:
        """Every item a task at once; the results in order, each released when taken."""
        items = list(items)
        if not items:
            return
        futures = self._tasks(func, items, shared)
        for i, future in enumerate(futures):
            yield future.result()
            futures[i] = None  # the cluster forgets a result once nothing holds its future
            future.release()

    def _tasks(self, func: Callable[..., Any], items: list[Any], shared: dict[str, Any]) -> list[Any]:
        """A task per item, named after ``func``; the shared arguments sent to every worker once."""
        box = self.client.scatter(_Shared(shared), broadcast=True, hash=False) if shared else None
        token = uuid.uuid4().hex
        keys = [f"{func.__name__}-{token}-{i}" for i in range(len(items))]
        sent = self.client.scatter([_Shared(item) for item in items], hash=False)  # data travels once, not in the graph
        return self.client.map(_apply, sent, key=keys, task=func, shared=box)

    def describe(self) -> str:
        info = self.client.scheduler_info()
        memory = sum(w.get("memory_limit", 0) or 0 for w in info.get("workers", {}).values())
        limit = f", {memory / 2**30:.1f} GiB in all" if memory else ""
        return f"Engine: dask on {self.where}, {len(info.get('workers', {}))} workers, {self.workers} threads{limit}."


def runs_by_size(sizes: Iterable[int], workers: int, *, most_bytes: int, per_worker: int = 4) -> list[list[int]]:
    """Positions of items cut into runs of consecutive items, a task each: about ``most_bytes``
    a run, fewer when that would leave under ``per_worker`` runs for each worker (so the work
    shares out), an item larger than that alone.

    >>> runs_by_size([5, 5, 5, 5, 30, 5], 1, most_bytes=10, per_worker=1)
    [[0, 1], [2, 3], [4], [5]]
    """
    sizes = [max(1, int(s)) for s in sizes]
    target = max(1, min(most_bytes, sum(sizes) // max(1, workers * per_worker)))
    runs: list[list[int]] = []
    held = 0
    for i, size in enumerate(sizes):
        if not runs or held + size > target:
            runs.append([])
            held = 0
        runs[-1].append(i)
        held += size
    return runs


class _Shared:
    """An item, or the shared arguments, of a map: sent to the workers as one object."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values


def _apply(item: _Shared, *, task: Callable[..., Any], shared: _Shared | None) -> Any:
    """A task: ``task(item, **shared)``."""
    return task(item.values, **(shared.values if shared is not None else {}))


LOCAL = Engine()
_CURRENT: contextvars.ContextVar[Engine] = contextvars.ContextVar("hotspot_tasking_engine", default=LOCAL)


def current_engine() -> Engine:
    """The engine of the command running now (the local engine outside :func:`open_engine`)."""
    return _CURRENT.get()


@contextmanager
def using(engine: Engine) -> Iterator[Engine]:
    """Make ``engine`` current inside the ``with`` block."""
    if not isinstance(engine, Engine):
        raise TypeError(f"The 'engine' parameter of using must be an Engine. Got {type(engine).__name__} instead.")
    token = _CURRENT.set(engine)
    try:
        yield engine
    finally:
        _CURRENT.reset(token)


@contextmanager
def open_engine(choice: EngineChoice) -> Iterator[Engine]:
    """The engine of ``choice``; a cluster it started is stopped after the block.

    ``with open_engine(choice) as engine, using(engine):`` makes it the command's engine.

    Raises
    ------
    UserError
        Dask is not installed, or the scheduler cannot be reached: one sentence with the fix.
    """
    if choice.kind == "local":
        yield LOCAL
        return
    try:
        import dask

        dask.config.set({"logging.distributed": "error"})  # the scheduler's chatter is not the command's output
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise UserError(f"The dask engine needs Dask's distributed scheduler, which is not installed; "
                        f"{_INSTALL}, or run with --engine local.") from err
    cluster = None
    if choice.scheduler:
        try:
            client = Client(choice.scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as err:
            raise UserError(f"No Dask scheduler answered at {choice.scheduler} within {CONNECT_TIMEOUT_S} s; "
                            "check the address (tcp://HOST:8786) and that the cluster is running, "
                            "or leave --scheduler out to use this machine's cores.") from err
        where = choice.scheduler
    else:
        workers = choice.workers or os.cpu_count() or 1
        with _blank_main():
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                   silence_logs=logging.ERROR)
        client = Client(cluster)
        where = "this machine"
    try:
        yield DaskEngine(client, where)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def _blank_main() -> Iterator[None]:
    """Start worker processes without running the caller's main script again.

    A new worker process is a fresh interpreter that first runs the parent's ``__main__``
    file (multiprocessing's spawn). The tasks here are all functions of this package, so
    the workers need nothing from it, and a main that is a Streamlit page or a test
    runner's module must not run twice.
    """
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved
