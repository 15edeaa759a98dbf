"""Shared paths and helpers for the tests (fixtures are described in fixtures/README.md)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.geo import Area, Taxonomy
from hotspot_tasking.intake import read_incidents, reader_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"

POLICE_DIR = FIXTURES / "police_uk" / "city_of_london"
POLICE_2014_10 = POLICE_DIR / "2014-10-city-of-london-street.csv"
POLICE_2015_01 = POLICE_DIR / "2015-01-city-of-london-street.csv"
POLICE_2015_08 = POLICE_DIR / "2015-08-city-of-london-street.csv"
POLICE_ZIP = FIXTURES / "police_uk" / "city-of-london-archive.zip"
POLICE_RELAID = FIXTURES / "police_uk" / "metropolitan_relaid" / "2016-01-metropolitan-street.csv"
API_CSV = FIXTURES / "police_uk_api" / "lambeth_wandsworth_2016-01_sample.csv"
API_GZ = FIXTURES / "police_uk_api" / "lambeth_wandsworth_2016-01_sample.csv.gz"
FIRE = FIXTURES / "fire" / "lfb_incident_records_sample_2009-01.csv"
FIRE_MOTIVE = FIXTURES / "fire" / "MODIFIED_lfb_sample_with_motive.csv"
COUNCIL = FIXTURES / "council_asb" / "council_asb_cases_cp1252.csv"
COUNCIL_MAPPING = FIXTURES / "council_asb" / "council_asb_mapping.toml"
DRINKING = FIXTURES / "street_drinking" / "street_drinking_log_bom.csv"
DRINKING_MAPPING = FIXTURES / "street_drinking" / "street_drinking_mapping.toml"

#: The City of London, roughly, in British National Grid metres (5 km margin by default).
CITY_AREA = Area(531000.0, 180400.0, 533900.0, 182000.0)
#: Lambeth and Wandsworth, roughly (the extent of the API records), 5 km margin.
LAMBETH_WANDSWORTH_AREA = Area(521000.0, 169500.0, 533700.0, 180500.0)


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def read(source: str, *paths, area: Area | None = None, mapping=None, motive_column=None, existing_ids=None,
         taxonomy: Taxonomy | None = None):
    """``read_incidents`` with the default taxonomy and a fixed import id."""
    return read_incidents(
        [str(p) for p in paths],
        reader_for(source, mapping, motive_column),
        taxonomy=taxonomy or Taxonomy.load(),
        area=area,
        existing_ids=existing_ids,
        import_id="test-import",
    )


def read_council(area: Area | None = LAMBETH_WANDSWORTH_AREA, path: Path = COUNCIL):
    return read("council_asb", path, area=area, mapping=COUNCIL_MAPPING)


def read_drinking(area: Area | None = LAMBETH_WANDSWORTH_AREA, path: Path = DRINKING):
    return read("street_drinking", path, area=area, mapping=DRINKING_MAPPING)


def big_api_csv(path: Path, copies: int = 70) -> int:
    """The police.uk API fixture repeated with new ids, spread over 24 months, written to
    ``path``: a few MB, many partitions to write. Returns its rows."""
    base = pd.read_csv(API_CSV, dtype=str, keep_default_na=False)
    parts = []
    for k in range(1, copies + 1):  # one step per copy
        part = base.copy()
        part["id"] = (part["id"].astype(np.int64) + k * 100_000_000).astype(str)
        part["month"] = f"{2016 + (k % 24) // 12}-{(k % 12) + 1:02d}"
        parts.append(part)
    big = pd.concat(parts, ignore_index=True)
    big.to_csv(path, index=False)
    return len(big)


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory) -> Path:
    """A copy of the bundled demo workspace, one per test module (tests write into it)."""
    target = tmp_path_factory.mktemp("ws") / "demo"
    shutil.copytree(DEMO_WORKSPACE, target)
    return target


def tree_snapshot(root: Path) -> dict[str, str]:
    """``{relative path: sha256 of the bytes}`` of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def run_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``hotspot-tasking`` as a whole process (``python -m hotspot_tasking.cli``); fail on a non-zero exit."""
    done = subprocess.run([sys.executable, "-m", "hotspot_tasking.cli", *args], capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done


#: The City of London's police.uk street files of September 2016 to August 2017, and its 2014 wards.
CITY_YEAR = FIXTURES / "police_uk" / "city-of-london-2016-09-to-2017-08.zip"
CITY_WARDS = FIXTURES / "boundaries" / "city_wards_2014.gpkg"


def city_year_workspace(tmp: Path, *, leave_out: tuple[str, ...] = (), wards: bool = True) -> Path:
    """A workspace of the City's year of police.uk files (months only), built with the CLI as a
    person would, without the months in ``leave_out`` ("2017-01", ...), with its wards unless
    ``wards`` is False. Returns the workspace folder, ``tmp / "ws"``."""
    files = tmp / "files"
    with zipfile.ZipFile(CITY_YEAR) as archive:
        for member in archive.namelist():
            if not (leave_out and member.startswith(leave_out)):
                archive.extract(member, files)
    root = tmp / "ws"
    run_cli("init", str(root), "--area", "529000,178400,535900,184200")
    run_cli("ingest", str(root), "--source", "police_uk", str(files))
    if wards:
        run_cli("boundaries", "add", str(root), "--kind", "ward", "--code-col", "GSS_CODE", "--name-col", "NAME",
                str(CITY_WARDS))
    return root
