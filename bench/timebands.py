"""Benchmark: time-band weights and hour-of-week profiles for 1,000,000 incidents.

    python bench/timebands.py [--rows 1000000] [--window-share 0.2] [--repeat 3]

The rows are resampled from the bundled demo workspace (data/demo). The demo's times are
nearly all exact, so a share of the rows (``--window-share``, default 20%) is given a
"between" window of 1 minute to 14 hours after its time, to exercise the aoristic
spreading; the day- and month-precision rows keep theirs. Prints the best of
``--repeat`` runs for each default band, each season, the excluded-dates mask and the
hour-of-week profiles; never run as a test.

Target: well under a second per band for the demo's 184,652 rows.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from hotspot_tasking.geo.aoristic import band_weights, excluded_mask, season_mask
from hotspot_tasking.geo.hourofweek import hour_of_week, hour_of_week_by
from hotspot_tasking.geo.timebands import TimeBands
from hotspot_tasking.geo.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent


def make_rows(n: int, window_share: float, seed: int = 1) -> pd.DataFrame:
    """``n`` demo incidents resampled, a share of them given windows of up to 14 hours."""
    demo = Workspace.open(REPO / "data" / "demo").incidents()
    rng = np.random.default_rng(seed)
    rows = demo.iloc[rng.integers(0, len(demo), n)].reset_index(drop=True)
    widen = rows["time_precision"].eq("minute").to_numpy() & (rng.random(n) < window_share)
    extra = pd.to_timedelta(rng.integers(1, 14 * 60, n), unit="min")
    rows.loc[widen, "occurred_to"] = rows.loc[widen, "occurred_from"] + extra[widen]
    return rows


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--window-share", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = make_rows(args.rows, args.window_share)
    bands = TimeBands.load()
    untimed = int((~rows["time_precision"].isin(["minute", "hour"])).sum())
    windows = int((rows["occurred_to"] > rows["occurred_from"]).sum())
    print(f"{len(rows):,} rows ({windows:,} with a window, {untimed:,} day or month precision)")
    total = 0.0
    for name in bands.names():
        seconds = best(lambda: band_weights(rows, name, bands=bands), args.repeat)
        total += seconds
        print(f"band_weights {name:<16} {seconds:6.3f} s  ({len(rows) / seconds / 1e6:5.1f} M rows/s)")
    print(f"band_weights, all {len(bands.names())} bands  {total:6.3f} s")
    for name in bands.season_names():
        print(f"season_mask {name:<17} {best(lambda: season_mask(rows, name, bands=bands), args.repeat):6.3f} s")
    print(f"excluded_mask                 {best(lambda: excluded_mask(rows, bands=bands), args.repeat):6.3f} s")
    print(f"hour_of_week                  {best(lambda: hour_of_week(rows), args.repeat):6.3f} s")
    print(f"hour_of_week harm-weighted    "
          f"{best(lambda: hour_of_week(rows, weights='harm_weight'), args.repeat):6.3f} s")
    groups = rows.groupby(["category"]).ngroups
    seconds = best(lambda: hour_of_week_by(rows, "category"), args.repeat)
    print(f"hour_of_week_by category      {seconds:6.3f} s  ({groups} groups)")


if __name__ == "__main__":
    main()
