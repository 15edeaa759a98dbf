"""Benchmark: start-up of the ``hotspot-tasking`` command line, as whole processes.

    python bench/startup.py [--repeat 7]

Times, wall-clock from process start to exit, ``hotspot-tasking --help``, ``hotspot-tasking
hotspots --help``, ``init --demo`` (a copy of the demo's 13 MB of files: a command that needs no
heavy library) and one real command that needs the heavy libraries (``status`` on a copy of
the bundled demo workspace, data/demo), against two references: ``python -c pass`` (the
interpreter alone) and the peer, ``python -c "import geopandas"`` (what a command line that
imports its stack up front costs before it does anything). Each command runs once unmeasured
(to warm the file cache), then ``--repeat`` times; prints the min, median and max, the 0.5 s
target for the commands that need no heavy library, each median as a share of the peer's, and
how many times faster than the peer each of those commands starts.
Uses the ``hotspot-tasking`` script next to this Python (``python -m hotspot_tasking`` when
there is none). Never run as a test.

Target: ``--help``, ``COMMAND --help`` and ``init --demo`` under 0.5 s on this project's 2-core machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 0.5


def cli() -> list[str]:
    """The command that starts ``hotspot-tasking``: its script beside this Python, or ``python -m``."""
    script = shutil.which("hotspot-tasking", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "hotspot_tasking"]


def timed(command: list[str], repeat: int) -> list[float]:
    """Wall times in seconds of ``repeat`` runs of ``command`` after one unmeasured run (``{run}`` in an
    argument is the run's number); fails on a non-zero exit."""
    times = []
    for run in range(repeat + 1):
        argv = [arg.replace("{run}", str(run)) for arg in command]
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if run:
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(REPO / "data" / "demo", demo, ignore=shutil.ignore_patterns(".lock"))
        rows = [("python -c pass (the interpreter)", [sys.executable, "-c", "pass"], None),
                ('python -c "import geopandas" (peer)', [sys.executable, "-c", "import geopandas"], None),
                ("hotspot-tasking --help", [*cli(), "--help"], TARGET_S),
                ("hotspot-tasking hotspots --help", [*cli(), "hotspots", "--help"], TARGET_S),
                ("hotspot-tasking init --demo NEW", [*cli(), "init", "--demo", str(Path(tmp) / "new{run}")],
                 TARGET_S),
                ("hotspot-tasking status DEMO-COPY", [*cli(), "status", str(demo)], None)]
        results = [(label, timed(command, args.repeat), target) for label, command, target in rows]
    peer = statistics.median(results[1][1])
    print(f"{args.repeat} runs each after one warm-up, wall-clock seconds per whole process ({' '.join(cli())}):")
    print(f"{'command':<38} {'min':>6} {'median':>7} {'max':>6}  {'vs peer':>8}  target")
    for label, times, target in results:
        median = statistics.median(times)
        verdict = "" if target is None else f"< {target} s: {'met' if median < target else 'NOT met'}"
        print(f"{label:<38} {min(times):6.3f} {median:7.3f} {max(times):6.3f}  {median / peer:7.2f}x  {verdict}")
    for label, times, target in results:
        if target is not None:
            print(f"{label}: {peer / statistics.median(times):.1f}x faster than importing geopandas")


if __name__ == "__main__":
    main()
