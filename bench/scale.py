"""Benchmark: national-scale figures on a Dask cluster beside the local engine.

    python bench/scale.py                                     # 20,000,000 rows on 1 and 2 workers, local on 2,000,000
    python bench/scale.py --rows 400000 --local-rows 100000   # quick
    python bench/scale.py --keep DIR                          # keep the data and workspaces
    python bench/scale.py --shared-reads DIR/dask-2/ws        # two readers at once against one, no Dask

The data is national-like, not national: police.uk street-CSV rows resampled from the real
City of London Police files in tests/fixtures/police_uk/ (September 2016 to August 2017)
and copied to pseudo-forces on a 24 km grid over England's land (``write_areas`` in
bench/scale_rows.py says how: each copy is the City's rows moved by a whole (dx, dy) of
British National Grid metres, longitudes and latitudes worked out again with pyproj, new
Crime IDs, one ``YYYY-MM/YYYY-MM-area-NNN-street.csv`` per area and month). A copy has
about 8,334 rows a month, 14 times the City's real volume, so 20,000,000 rows are 200
areas of twelve months, and the quick sizes fewer areas of the same density (so a
figure per row compares across sizes). The copies' outlines (the City's 2014 wards as one,
moved the same way) are a zone layer, code ``AREA-NNN``, name ``Area NNN``.

Each set-up gets a workspace made as a person would (``hotspot-tasking init WS --area``
covering every copy, ``boundaries add WS --kind zone`` of that layer; untimed), then
times six steps, each a whole new process (wall time, and the process's peak memory,
max RSS from ``/usr/bin/time -v``):

a. ``hotspot-tasking ingest WS --source police_uk FOLDER``;
b. ``hotspot-tasking boundaries assign WS`` (every record's areas and H3 cells cached);
c. ``hotspot-tasking boundaries stats WS --layer zone --out FILE``: every area's count, harm
   and change per month;
d. KDE of the whole workspace: ``python bench/scale.py --step kde WS ADDRESS`` opens the
   engine, takes the workspace's distinct points
   (``hotspot_tasking.partitions.points.workspace_points``) and runs ``kde`` with 100 m
   cells, a 400 m bandwidth, the exact method, weighted by incidents;
e. DBSCAN of the same points (``eps_m=150``, ``min_weight`` :data:`MIN_WEIGHT`);
f. the per-area tasking run: ``hotspot-tasking tasking WS --each-area zone --period
   2017-08 --out DIR --formats csv``.

The set-ups: the local engine on ``--local-rows`` (the peer: the product as it runs
without a cluster), and a ``distributed.LocalCluster`` the bench starts, of 1 and of 2
worker processes (one thread each), on ``--rows``, every command pointed at it with
``--scheduler ADDRESS``. The cluster runs through all the steps, as a force's cluster
serves one command after another: its workers have imported the product by the second
step. Before each step every worker's peak-memory mark is started again from what it holds
(Linux's ``/proc/self/clear_refs``; where that cannot be done the workers are restarted), so
each worker's peak (``VmHWM``, read on every worker after the step) is that step's own.
Throughput is rows over wall seconds. The report gives a table per set-up, then the
2-worker over 1-worker throughput of every step (target >= 1.6 for ingest and KDE), the
1-worker cluster's throughput against the local engine's, and whether every worker
stayed under 6 GB. A step that fails shows the last line of its error ("failed: ...") and
the run goes on; the bench never fails (exit status 0) and is never run as a test.

Disk and time at the default sizes (from the quick sizes, scaled by rows): about 4 GB of
CSV for 20,000,000 rows and 0.4 GB for 2,000,000, and about 1.5 GB for each cluster's
workspace (the report gives each one's size; a workspace is removed after its set-up and
the CSVs at the end unless ``--keep``), so 6 GB free at once; writing the rows takes
about 40 s. On a 2-core machine allow about half an hour to an hour (the cluster's
ingest, some 6 minutes on 1 worker, and the per-area run, about a second an area, take
most). The quick sizes take about a minute and check the harness, not the scaling: their
steps are mostly process start-up, and their 80 MB of CSV is only a task or two of the
cluster's (an import task reads about 64 MB of files, a points or assignment task about
128 MB of the workspace), so a second worker has little to take.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TIME = "/usr/bin/time"
#: The latest month of the data: the per-area tasking run's period.
PERIOD = "2017-08"
STEPS = ("ingest", "assign", "stats", "kde", "dbscan", "tasking")
#: DBSCAN's core weight: incidents within eps_m=150 of a point. A copy has about 100,000
#: rows a year; its busiest 150 m discs hold 5,000-7,500, so a few clusters form in each.
MIN_WEIGHT = 4_000
#: Targets: 2-worker over 1-worker throughput for these steps, and each worker's peak, GB.
SPEEDUP_TARGET, SPEEDUP_STEPS, WORKER_GB = 1.6, ("ingest", "kde"), 6.0
#: Steps shorter than this, seconds, are mostly a process starting.
SHORT_S = 10.0


def load(name: str):
    """A module of this folder by its file (``bench`` is not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@dataclass
class Step:
    """One timed step: seconds, GB; ``failed`` holds the error's last line."""
    name: str
    wall_s: float = float("nan")
    driver_gb: float = float("nan")
    worker_gb: float | None = None
    note: str = ""
    failed: str = ""


@dataclass
class SetUp:
    """One engine's run over one data set."""
    label: str
    rows: int
    areas: int
    workers: int = 0  # 0: the local engine
    steps: list[Step] = field(default_factory=list)
    workspace_gb: float = float("nan")

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name and not s.failed), None)


def _peak_kb() -> int:
    """This process's peak memory since the last :func:`_reset_peak`, KB (``VmHWM``; the max RSS
    of its life where /proc has none): run on every worker."""
    try:
        return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    """Start this process's peak memory again from what it holds now (Linux: ``clear_refs``);
    False where that cannot be done: run on every worker."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


#: The line of a command's output the table shows: ingest's counts, the table written, the per-area run's tally.
SAYS = {"ingest": r"[\d,]+ rows read = .*", "stats": r"Wrote [\d,]+ areas? x [\d,]+ periods?",
        "tasking": r"\d+ of \d+ made"}


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def says(name: str, out: str) -> str:
    """What a step's standard output says in a few words."""
    found = re.search(SAYS[name], out) if name in SAYS else None
    return found.group(0) if found else last_line(out)


def timed(name: str, command: list[str], log: Path, client=None, timeout_s: float | None = None) -> Step:
    """Run ``command`` as a new process under ``/usr/bin/time -v``; on a cluster, start every
    worker's peak memory again first (or restart the workers where that cannot be done) and
    read the peaks after. A step still running after ``timeout_s`` is stopped (its process
    group) and shown as failed."""
    step = Step(name)
    if client is not None and not all(client.run(_reset_peak).values()):
        client.restart(timeout=600)
    usage = log.with_suffix(".time")
    start = time.perf_counter()
    proc = subprocess.Popen([TIME, "-v", "-o", str(usage), *command], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group this bench started for the step
        out, err = proc.communicate()
        err += f"\ntimed out after {timeout_s:,.0f} s"
    step.wall_s = time.perf_counter() - start
    log.write_text(out + err)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", usage.read_text()) if usage.exists() else None
    step.driver_gb = int(peak.group(1)) / 2**20 if peak else float("nan")
    if client is not None:
        step.worker_gb = max(client.run(_peak_kb).values()) / 2**20
    if proc.returncode != 0:
        reason = last_line(err) or says(name, out) or "no output"
        step.failed = f"failed: {reason[:110]}"
    else:
        step.note = says(name, out)[:110]
    print(f"  {name}: {step.wall_s:.1f} s {step.failed or step.note}", flush=True)
    return step


def make_workspace(ws: Path, areas) -> None:
    """A new workspace covering every copy, with the copies' outlines as its zone layer."""
    cli = load("scale_local").cli()
    for args in (["init", str(ws), "--area", ",".join(map(str, areas.bounds))],
                 ["boundaries", "add", str(ws), "--kind", "zone", "--code-col", "code", "--name-col", "name",
                  str(areas.layer)]):
        subprocess.run([*cli, *args], check=True, capture_output=True, text=True)


def run_setup(setup: SetUp, data: Path, areas, folder: Path, *, timeout_s: float, address: str = "",
              client=None) -> None:
    """Every step of one set-up in a new workspace in ``folder``."""
    cli = load("scale_local").cli()
    ws = folder / "ws"
    folder.mkdir(parents=True)
    print(f"{setup.label}:", flush=True)
    try:
        make_workspace(ws, areas)
    except subprocess.CalledProcessError as err:
        setup.steps.append(Step("workspace", failed=f"failed: {last_line(err.stderr)[:110]}"))
        print(f"  {setup.steps[-1].failed}", flush=True)
        return
    on = ["--scheduler", address] if address else ["--engine", "local"]
    commands = {
        "ingest": [*cli, "ingest", str(ws), "--source", "police_uk", *on, str(data)],
        "assign": [*cli, "boundaries", "assign", str(ws), *on],
        "stats": [*cli, "boundaries", "stats", str(ws), "--layer", "zone", "--out", str(folder / "stats.csv"), *on],
        "kde": [sys.executable, str(Path(__file__).resolve()), "--step", "kde", str(ws), address or "local"],
        "dbscan": [sys.executable, str(Path(__file__).resolve()), "--step", "dbscan", str(ws), address or "local"],
        "tasking": [*cli, "tasking", str(ws), "--each-area", "zone", "--period", PERIOD, "--out",
                    str(folder / "lists"), "--formats", "csv", *on],
    }
    for name in STEPS:
        setup.steps.append(timed(name, commands[name], folder / f"{name}.log", client, timeout_s))
    setup.workspace_gb = sum(p.stat().st_size for p in ws.rglob("*") if p.is_file()) / 1e9


def compute(step: str, ws_path: str, address: str) -> None:
    """The KDE or DBSCAN step: the workspace's distinct points, then the method, on the engine."""
    from hotspot_tasking.engine import EngineChoice, open_engine, using
    from hotspot_tasking.geo.workspace import Workspace
    from hotspot_tasking.hotspots.dbscan import dbscan
    from hotspot_tasking.hotspots.kde import kde
    from hotspot_tasking.partitions.points import workspace_points

    choice = EngineChoice() if address == "local" else EngineChoice(kind="dask", scheduler=address)
    with open_engine(choice) as engine, using(engine):
        start = time.perf_counter()
        points = workspace_points(Workspace.open(ws_path))
        read = time.perf_counter()
        if step == "kde":
            result = kde(points, weights="incidents", cell_size_m=100, bandwidth_m=400, method="exact")
            said = (f"{result.density.size:,} cells ({int((result.density > 0).sum()):,} above 0), "
                    f"peak {result.density.max():,.0f}/km²")
        else:
            result = dbscan(points, weights="incidents", eps_m=150, min_weight=MIN_WEIGHT)
            said = f"{len(result.clusters):,} clusters"
        done = time.perf_counter()
    print(f"{len(points):,} points in {read - start:.2f} s; {step} {done - read:.2f} s: {said}")


def read_half(ws_path: str, half: str) -> None:
    """Read and count the points of every other run of a workspace's files (``half`` 0 or 1),
    as the KDE step's tasks do, and print the seconds: one process of :func:`shared_reads`."""
    import numpy as np

    from hotspot_tasking.geo.coords import distinct_points
    from hotspot_tasking.geo.reads import file_runs, read_incidents
    from hotspot_tasking.geo.workspace import Workspace

    runs = file_runs(Workspace.open(ws_path).data_files, 2)[int(half)::2]
    start = time.perf_counter()
    for run in runs:
        table = read_incidents(run, ["easting", "northing"], None)
        inverse, _, _ = distinct_points(table["easting"].to_numpy(), table["northing"].to_numpy())
        np.bincount(inverse)
    print(f"{time.perf_counter() - start:.3f}")


def shared_reads(ws_path: str, repeats: int = 5) -> None:
    """How much two processes reading at once slow each other on this machine, without Dask.

    Half of the KDE step's reading (every other run of files) is timed in one
    single-threaded process alone, then beside a second process reading the other half, each
    ``repeats`` times; the medians show what two workers can gain at best on this machine.
    """
    import statistics

    one = [sys.executable, str(Path(__file__).resolve()), "--read-half", ws_path]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # one thread each, as a Dask worker's Arrow has
    subprocess.run([*one, "0"], env=env, check=True, capture_output=True)  # the files in the page cache
    alone, together = [], []
    for _ in range(repeats):
        alone.append(float(subprocess.run([*one, "0"], env=env, check=True, capture_output=True, text=True).stdout))
        pair = [subprocess.Popen([*one, half], env=env, stdout=subprocess.PIPE, text=True) for half in "01"]
        together.append(float(pair[0].communicate()[0]))
        pair[1].communicate()
    a, b = statistics.median(alone), statistics.median(together)
    print(f"half the KDE step's reading, median of {repeats}: {a:.2f} s alone, {b:.2f} s beside a second "
          f"process ({b / a - 1:+.0%}); two workers can read at most {2 * a / b:.2f}x as fast as one here")


def make_data(rows: int, folder: Path, areas: int | None):
    """Write the rows (untimed) and say how many and how large."""
    folder.mkdir(parents=True)
    start = time.perf_counter()
    written = load("scale_rows").write_areas(rows, folder, areas=areas)
    size = sum(p.stat().st_size for p in written.paths) / 1e9
    count = len(written.shifts)
    print(f"{rows:,} rows: {count} area{'s' * (count > 1)}, {len(written.paths):,} files, {size:.2f} GB, written in "
          f"{time.perf_counter() - start:.1f} s; area {','.join(map(str, written.bounds))}", flush=True)
    return written


def num(value: float | None, form: str) -> str:
    return "-" if value is None or value != value else format(value, form)


def throughput(setup: SetUp, name: str) -> float | None:
    step = setup.step(name)
    return setup.rows / step.wall_s if step else None


def _on_cluster_s(step: Step | None) -> float | None:
    """The seconds a KDE or DBSCAN step's own line gives for its points and its method."""
    found = re.search(r"points in ([\d.]+) s; \w+ ([\d.]+) s", step.note) if step is not None else None
    return float(found.group(1)) + float(found.group(2)) if found else None


def report(setups: list[SetUp], loads: tuple[float, float]) -> None:
    from importlib.metadata import version

    head = ("step", "wall s", "rows/s", "driver peak GB", "worker peak GB", "")
    for setup in setups:
        table = [head] + [(s.name, num(s.wall_s, ".1f"), "-" if s.failed else num(setup.rows / s.wall_s, ",.0f"),
                           num(s.driver_gb, ".2f"), num(s.worker_gb, ".2f"), s.failed or s.note) for s in setup.steps]
        widths = [max(len(row[i]) for row in table) for i in range(len(head) - 1)]
        areas = f"{setup.areas} area{'s' * (setup.areas > 1)}"
        print(f"\n{setup.label} ({setup.rows:,} rows, {areas}; workspace {num(setup.workspace_gb, '.2f')} GB)")
        for number, row in enumerate(table):
            print(" | ".join([*(c.rjust(w) for c, w in zip(row, widths)), row[-1]]).rstrip())
            if number == 0:
                print("-+-".join("-" * w for w in widths) + "-+-")
    by_workers = {s.workers: s for s in setups}
    print()
    one, two, local = by_workers.get(1), by_workers.get(2), by_workers.get(0)
    if one and two:
        print(f"2 workers / 1 worker, throughput (target >= {SPEEDUP_TARGET} for {' and '.join(SPEEDUP_STEPS)}):")
        for name in STEPS:
            a, b = throughput(one, name), throughput(two, name)
            ratio = f"{b / a:.2f}x" if a and b else "-"
            verdict = ("met" if b / a >= SPEEDUP_TARGET else "not met") if a and b and name in SPEEDUP_STEPS else ""
            print(f"  {name:8} {ratio:>7} {verdict}")
        inside = [_on_cluster_s(s.step(name)) for s in (one, two) for name in ("kde",)]
        if all(inside):
            print(f"  kde on the cluster only (points and sums, without starting the process): "
                  f"{inside[0]:.1f} s / {inside[1]:.1f} s = {inside[0] / inside[1]:.2f}x")
    if one and local:
        print("dask 1 worker / local engine, rows per second (each on its own rows):")
        for name in STEPS:
            a, b = throughput(local, name), throughput(one, name)
            print(f"  {name:8} {f'{b / a:.2f}x' if a and b else '-':>7}")
    short = [s.wall_s for setup in setups for s in setup.steps if not s.failed and s.wall_s < SHORT_S]
    if short:
        print(f"  ({len(short)} steps took under {SHORT_S:g} s, mostly starting Python and importing the product "
              "(about 1 s a process): their ratios say little about scale)")
    peaks = [s.worker_gb for setup in setups for s in setup.steps if s.worker_gb is not None]
    if peaks:
        print(f"peak memory per worker under {WORKER_GB:g} GB: {'yes' if max(peaks) < WORKER_GB else 'NO'} "
              f"(largest {max(peaks):.2f} GB)")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, pandas {version('pandas')}, "
          f"pyarrow {version('pyarrow')}, distributed {version('distributed')}; load average {loads[0]:.1f} at the "
          f"start, {loads[1]:.1f} at the end (other work on the machine slows every figure)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000_000, help="rows on the cluster (default 20000000)")
    parser.add_argument("--local-rows", type=int, default=2_000_000,
                        help="rows on the local engine (default 2000000)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], metavar="N",
                        help="the cluster sizes, worker processes of one thread (default 1 2)")
    parser.add_argument("--areas", type=int, help="copies of the City (default: one per 100,000 rows)")
    parser.add_argument("--timeout", type=float, default=3 * 3600, metavar="S",
                        help="stop a step after this many seconds and show it as failed (default 10800)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the data and workspaces into DIR (kept)")
    parser.add_argument("--step", nargs=3, metavar=("STEP", "WS", "ADDRESS"),
                        help="run one step in this process: kde or dbscan of workspace WS on the scheduler "
                             "ADDRESS (or local); what the bench runs for steps d and e")
    parser.add_argument("--shared-reads", metavar="WS",
                        help="time half the KDE step's reading of workspace WS alone and beside a second "
                             "process (no Dask): what two workers can gain at best on this machine")
    parser.add_argument("--read-half", nargs=2, metavar=("WS", "HALF"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        compute(*args.step)
        return
    if args.read_half:
        read_half(*args.read_half)
        return
    if args.shared_reads:
        shared_reads(args.shared_reads)
        return
    if not Path(TIME).exists():
        raise SystemExit(f"{TIME} not found: install the Debian package time (apt-get install time).")
    import logging

    from distributed import Client, LocalCluster

    loads = [os.getloadavg()[0]]
    setups = []
    with tempfile.TemporaryDirectory(prefix="hotspot-national-") as tmp:
        base = args.keep or Path(tmp)
        for name in ("local-data", "local", "data", *(f"dask-{n}" for n in args.workers)):
            if (base / name).exists():
                shutil.rmtree(base / name)  # an earlier run's, in the --keep folder
        local_data = make_data(args.local_rows, base / "local-data", args.areas)
        setup = SetUp("local engine", args.local_rows, len(local_data.shifts))
        run_setup(setup, base / "local-data", local_data, base / "local", timeout_s=args.timeout)
        setups.append(setup)
        if args.keep is None:
            shutil.rmtree(base / "local-data")
            shutil.rmtree(base / "local")
        data = make_data(args.rows, base / "data", args.areas)
        for n in args.workers:
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                              silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
                setup = SetUp(f"dask, LocalCluster of {n} worker{'s' * (n > 1)}", args.rows, len(data.shifts), n)
                run_setup(setup, base / "data", data, base / f"dask-{n}", timeout_s=args.timeout,
                          address=cluster.scheduler_address, client=client)
            setups.append(setup)
            if args.keep is None:
                shutil.rmtree(base / f"dask-{n}")  # free the disk before the next set-up
    loads.append(os.getloadavg()[0])
    report(setups, (loads[0], loads[1]))


if __name__ == "__main__":
    main()
