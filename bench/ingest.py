"""Benchmark: ingest 1,000,000 police.uk street-CSV rows into a fresh workspace.

    python bench/ingest.py [--rows 1000000] [--real DIR]

--real DIR: a folder of real police.uk data holding
police_uk_api/lambeth_wandsworth_street_crime_api_2016-01_2018-06.csv.gz, the records
the demo workspace is built from (default: the folder scripts/build_demo.py reads).

The rows are resampled from those real Lambeth and Wandsworth police.uk records (or, when
that file is absent, from the bundled demo workspace's police records), written
as 30 monthly street CSVs in police.uk's own 12-column layout, with fresh Crime IDs so
none is a duplicate and ASB rows without one, as police.uk has them. The ingest runs in a
child process so its peak memory (max RSS) is its own.

Targets: at least 200,000 rows/s and under 2 GB on a 2-core machine.
Prints the figures; never run as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def default_real() -> Path:
    """The folder of real data scripts/build_demo.py reads by default (``$HOTSPOT_REAL_DATA``);
    without one, the bundled demo's own police records are resampled."""
    return Path(os.environ.get("HOTSPOT_REAL_DATA", REPO / "data" / "no-real-data-folder"))


def make_rows(n: int, real: Path, out: Path, seed: int = 1) -> list[Path]:
    """Write ``n`` resampled rows as monthly police.uk street CSVs; return the paths."""
    api = real / "police_uk_api" / "lambeth_wandsworth_street_crime_api_2016-01_2018-06.csv.gz"
    if api.exists():
        print(f"resampling the police.uk records in {api}")
        real = pd.read_csv(api, dtype=str, keep_default_na=False)
        real = pd.DataFrame({
            "Month": real["month"], "Longitude": real["longitude"], "Latitude": real["latitude"],
            "Location": real["street_name"], "LSOA code": real["lsoa11_code_derived"],
            "LSOA name": real["lsoa11_name_derived"], "Crime type": real["crime_type"],
            "Last outcome category": real["outcome_category"],
        })
    else:  # no such file: resample the bundled demo's (real) police records instead
        print(f"{api} not found: resampling the bundled demo workspace's police records")
        from hotspot_tasking.geo.workspace import Workspace
        inc = Workspace.open(REPO / "data" / "demo").incidents(sources=["police_uk_times_simulated"])
        real = pd.DataFrame({
            "Month": inc["occurred_from"].dt.strftime("%Y-%m"), "Longitude": inc["longitude"].round(6).astype(str),
            "Latitude": inc["latitude"].round(6).astype(str), "Location": inc["location_text"],
            "LSOA code": "", "LSOA name": "", "Crime type": inc["source_category"], "Last outcome category": "",
        })
    rng = np.random.default_rng(seed)
    rows = real.iloc[rng.integers(0, len(real), n)].reset_index(drop=True)
    is_asb = rows["Crime type"].eq("Anti-social behaviour").to_numpy()
    ids = np.frombuffer(rng.bytes(32 * n), dtype="S32")
    hexed = pd.Series(ids).map(bytes.hex).astype("str")
    rows.insert(0, "Crime ID", hexed.where(~is_asb, ""))
    rows.insert(2, "Reported by", "Metropolitan Police Service")
    rows.insert(3, "Falls within", "Metropolitan Police Service")
    rows["Context"] = ""
    paths = []
    for month, part in rows.groupby("Month"):
        path = out / f"{month}-metropolitan-street.csv"
        part.to_csv(path, index=False)
        paths.append(path)
    return paths


def child(mode: str, workspace: str, paths: list[str]) -> None:
    """Run in a child process: ingest (``first``, into a new workspace) or re-ingest
    (``again``) the files, and print timings and peak memory as JSON."""
    from hotspot_tasking.geo.workspace import Workspace
    from hotspot_tasking.intake.ingest import read_incidents
    from hotspot_tasking.intake.readers import reader_for

    ws = Workspace.create(workspace) if mode == "first" else Workspace.open(workspace)
    t0 = time.perf_counter()
    result = read_incidents(paths, reader_for("police_uk"), taxonomy=ws.taxonomy(), area=ws.area,
                            existing_ids=ws.existing_ids("police_uk"))
    t1 = time.perf_counter()
    ws.commit(result)
    t2 = time.perf_counter()
    print(json.dumps({
        "rows": result.report.rows_read, "accepted": result.report.rows_accepted,
        "read_validate_s": t1 - t0, "write_s": t2 - t1, "total_s": t2 - t0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_child(mode: str, workspace: Path, paths: list[Path]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(workspace), *map(str, paths)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--real", type=Path, metavar="DIR",
                        help="a folder of real police.uk data (default: $HOTSPOT_REAL_DATA, else the demo's records)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        paths = make_rows(args.rows, args.real or default_real(), tmp)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"made {args.rows:,} rows in {len(paths)} monthly CSVs ({size_mb:.0f} MB) "
              f"in {time.perf_counter() - t:.1f} s")
        r = run_child("first", tmp / "ws", paths)
        again = run_child("again", tmp / "ws", paths)
    rate = r["rows"] / r["total_s"]
    print(f"ingest: {r['rows']:,} rows read, {r['accepted']:,} accepted")
    print(f"  read + parse + validate: {r['read_validate_s']:.2f} s; write GeoParquet: {r['write_s']:.2f} s; "
          f"total {r['total_s']:.2f} s")
    print(f"  rate: {rate:,.0f} rows/s (target >= 200,000: {rate / 200_000:.2f}x target)")
    print(f"  peak memory (max RSS of the ingest process): {r['peak_rss_mb']:,.0f} MB (target < 2,048 MB)")
    print(f"re-import of the same files: {again['accepted']:,} added, all {again['rows'] - again['accepted']:,} rows "
          f"rejected as already imported and written to quarantine, in {again['total_s']:.2f} s, "
          f"peak {again['peak_rss_mb']:,.0f} MB")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, pandas {pd.__version__}")


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        main()
