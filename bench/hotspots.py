"""Benchmark: the hotspot methods on 1,000,000 incidents, beside their peers, in one run.

    python bench/hotspots.py [--rows 1000000] [--quick]

Runs ``bench/kde.py`` (our KDE against scikit-learn's KernelDensity at equal kernel and
scipy's gaussian_kde) and ``bench/dbscan.py`` (our DBSCAN on collapsed points against
scikit-learn's DBSCAN on the raw rows, identical clusters checked), then the demo's
backtest PAI table. ``--quick`` uses smaller subsamples for the peers.

Targets: KDE <= 0.5 s on few distinct locations and <= 2 s on 1,000,000
distinct ones; DBSCAN <= 1 s; KDE >= 50x KernelDensity; DBSCAN >= 100x scikit-learn raw.
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
    print("\n== Backtest on the demo: all incidents, monthly, KDE against the naive baseline ==")
    cli(["backtest", str(DEMO_WORKSPACE)])
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
