"""Benchmark: the hotspot methods on 1,000,000 incidents, beside their peers, in one run.

    python bench/hotspots.py [--rows 1000000] [--quick]

Runs ``bench/kde.py`` (our KDE against scikit-learn's KernelDensity at equal kernel and
scipy's gaussian_kde) and ``bench/dbscan.py`` (our DBSCAN on collapsed points against
scikit-learn's DBSCAN on the raw rows, identical clusters checked), then the demo's
surface backtest's cost (``bench/surfaces.py``: every candidate over 12 months for the
same number of incidents) and the demo's backtest table. ``--quick`` uses smaller
subsamples for the peers.

Targets: KDE <= 0.5 s on few distinct locations and <= 2 s on 1,000,000
distinct ones; DBSCAN <= 1 s; KDE >= 50x KernelDensity; DBSCAN >= 100x scikit-learn raw;
the whole candidate set over 12 periods <= 10 s.
Prints figures; never run as a test.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import dbscan as dbscan_bench  # noqa: E402
import kde as kde_bench  # noqa: E402
import surfaces as surfaces_bench  # noqa: E402

from hotspot_tasking import DEMO_WORKSPACE  # noqa: E402
from hotspot_tasking.cli import main as cli  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="smaller peer subsamples")
    args = parser.parse_args()
    print(f"== KDE ({args.rows:,} incidents) ==")
    kde_bench._report(kde_bench.run(args.rows))
    print(f"\n== DBSCAN ({args.rows:,} incidents) ==")
    subs = (20_000, 50_000, 100_000) if args.quick else (20_000, 50_000, 100_000, 200_000, 400_000)
    dbscan_bench.run(args.rows, subs, 1 if args.quick else 3)
    print(f"\n== Surface backtest cost ({args.rows:,} incidents, 24 months; a city, then a force area) ==")
    for scale, precision in ((1.0, 150.0), (3.0, 0.0)):
        surfaces_bench.run(argparse.Namespace(rows=args.rows, months=24, cell=50.0, scale=scale, precision=precision))
    print("\n== Backtest on the demo: every candidate surface against last month's counts ==")
    cli(["backtest", str(DEMO_WORKSPACE)])
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
