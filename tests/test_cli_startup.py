"""The command line starts without its heavy libraries: ``--help`` of every command, argument
errors and the demo copy (``init --demo``) import no pandas, geopandas, pyarrow, shapely, numpy,
scikit-learn, Streamlit, matplotlib or fpdf (read from ``python -X importtime``, which lists
every module a process imports; no clock is read). ``python -m hotspot_tasking`` is the
``hotspot-tasking`` script.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hotspot_tasking import labels

#: Top-level packages a CLI start-up must not import.
HEAVY = ("numpy", "pandas", "geopandas", "pyarrow", "shapely", "sklearn", "scipy", "streamlit", "matplotlib",
         "fpdf", "pyproj", "pyogrio", "h3", "rasterio", "sqlalchemy", "openpyxl")

HELP_COMMANDS = [
    ["--help"], ["init", "--help"], ["ingest", "--help"], ["status", "--help"], ["boundaries", "--help"],
    ["boundaries", "add", "--help"], ["boundaries", "population", "--help"], ["boundaries", "list", "--help"],
    ["hotspots", "--help"], ["backtest", "--help"], ["tasking", "--help"],
]


def imported_modules(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``python -X importtime -m hotspot_tasking ARGS``; the process and the modules it imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "hotspot_tasking", *args], capture_output=True,
                          text=True, timeout=120)
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert lines, f"no -X importtime lines in stderr: {done.stderr[:500]}"
    modules = {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # the first line is the header
    return done, modules


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize("args", HELP_COMMANDS, ids=lambda a: " ".join(a))
def test_help_imports_no_heavy_library(args):
    done, modules = imported_modules(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage: hotspot-tasking" in done.stdout
    assert "hotspot_tasking.cli" in modules  # the list is real: it holds the CLI itself
    assert heavy_in(modules) == []


@pytest.mark.parametrize("args", [[], ["hotspots", "WS"], ["ingest", "WS", "--source", "nowhere", "a.csv"],
                                  ["tasking", "WS", "--candidates", "street", "--period", "2017-07"]],
                         ids=["no command", "missing --out", "unknown source", "unknown candidates"])
def test_argument_errors_import_no_heavy_library(args):
    done, modules = imported_modules(*args)
    assert done.returncode == 2
    assert "error:" in done.stderr
    assert heavy_in(modules) == []


def test_demo_copy_imports_no_heavy_library(tmp_path):
    done, modules = imported_modules("init", "--demo", str(tmp_path / "ws"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == f"Copied the demo workspace to {tmp_path / 'ws'}.\n"
    assert heavy_in(modules) == []
    again, modules = imported_modules("init", "--demo", str(tmp_path / "ws"))
    assert again.returncode == 2
    assert "error: " + str(tmp_path / "ws") + ": the folder is not empty" in again.stderr
    assert heavy_in(modules) == []
    status, _ = imported_modules("status", str(tmp_path / "ws"))
    assert status.returncode == 0 and "184,652 incidents" in status.stdout


def test_a_command_imports_its_libraries_when_it_runs(tmp_path):
    done, modules = imported_modules("status", str(tmp_path / "missing"))
    assert done.returncode == 2
    assert "pandas" in modules  # the handler's imports run: the list above is not empty by accident


def test_module_help_is_the_scripts_help():
    script = shutil.which("hotspot-tasking", path=str(Path(sys.executable).parent))
    assert script is not None, "the hotspot-tasking script is not installed next to this Python"
    for args in (["--help"], ["hotspots", "--help"], ["tasking", "--help"]):
        by_module = subprocess.run([sys.executable, "-m", "hotspot_tasking", *args], capture_output=True, text=True,
                                   timeout=120)
        by_script = subprocess.run([script, *args], capture_output=True, text=True, timeout=120)
        assert by_module.returncode == by_script.returncode == 0
        assert by_module.stdout == by_script.stdout
        assert by_module.stdout.startswith("usage: hotspot-tasking")


def test_light_choices_equal_their_sources():
    from hotspot_tasking.boundaries.layers import AREA_KINDS
    from hotspot_tasking.geo.schema import SOURCES
    from hotspot_tasking.geo.workspace import MANIFEST
    from hotspot_tasking.hotspots.run import METHODS
    from hotspot_tasking.ranking.request import RANK_METHODS
    from hotspot_tasking.ranking.schema import CANDIDATE_KINDS

    assert labels.SOURCES == SOURCES
    assert labels.AREA_KINDS == AREA_KINDS
    assert labels.HOTSPOT_METHODS == METHODS
    assert labels.CANDIDATE_KINDS == CANDIDATE_KINDS
    assert labels.RANK_METHODS == RANK_METHODS
    assert labels.WORKSPACE_MANIFEST == MANIFEST
