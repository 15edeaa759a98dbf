"""The hotspot-tasking command line: init, ingest, status, and errors as one sentence."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import API_CSV, COUNCIL, COUNCIL_MAPPING, DRINKING, DRINKING_MAPPING, POLICE_DIR, tree_snapshot

from hotspot_tasking.cli import main
from hotspot_tasking.geo import Workspace
from hotspot_tasking.geo.workspace import MANIFEST


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_sentence_error(err: str) -> str:
    """stderr is one line: 'error: ...' ending with a full stop, and no traceback."""
    assert err.endswith("\n")
    lines = err.rstrip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert lines[0].endswith(".")
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def ws_path(tmp_path, capsys):
    """A workspace for Lambeth and Wandsworth (records 5 km beyond are far outside)."""
    path = tmp_path / "ws"
    code, out, _ = run(capsys, "init", path, "--area", "521000,169500,533700,180500")
    assert code == 0
    assert "no area set" not in out
    return path


def test_init_creates_a_workspace(tmp_path, capsys):
    path = tmp_path / "ws"
    code, out, err = run(capsys, "init", path)
    assert code == 0 and err == ""
    assert out.startswith(f"Created workspace {path}")
    assert "no area set" in out
    assert (path / MANIFEST).is_file()
    assert Workspace.open(path).area is None


def test_init_with_an_area(tmp_path, capsys):
    path = tmp_path / "ws"
    code, _, _ = run(capsys, "init", path, "--area", "521000,169500,533700,180500", "--area-margin-m", "2000")
    assert code == 0
    area = Workspace.open(path).area
    assert (area.min_easting, area.max_northing, area.margin_m) == (521000.0, 180500.0, 2000.0)


@pytest.mark.parametrize("area", ["1,2,3", "533700,169500,521000,180500", "a,b,c,d"])
def test_init_with_a_bad_area(tmp_path, capsys, area):
    code, _, err = run(capsys, "init", tmp_path / "ws", "--area", area)
    assert code == 2
    line = assert_one_sentence_error(err)
    assert repr(area) in line
    assert not (tmp_path / "ws").exists()


def test_init_twice_is_an_error(ws_path, capsys):
    code, _, err = run(capsys, "init", ws_path)
    assert code == 2
    assert "already a workspace" in assert_one_sentence_error(err)


def test_init_demo_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    code, out, err = run(capsys, "init", target, "--demo")
    assert code == 2
    line = assert_one_sentence_error(err)
    assert str(target) in line and "not empty" in line
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_init_demo_refuses_an_existing_workspace(ws_path, capsys):
    before = tree_snapshot(ws_path)
    code, _, err = run(capsys, "init", ws_path, "--demo")
    assert code == 2
    assert "not empty" in assert_one_sentence_error(err)
    assert tree_snapshot(ws_path) == before


def test_ingest_prints_the_report(ws_path, capsys):
    code, out, err = run(capsys, "ingest", ws_path, "--source", "council_asb", "--mapping", COUNCIL_MAPPING, COUNCIL)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("(council_asb): 32 rows read = 25 accepted + 7 rejected")
    assert "Rejected by reason:" in lines
    for line in ("  no location: 2", "  outside Great Britain: 1", "  unparseable date: 2", "  duplicate id: 1"):
        assert line in lines
    assert "  'Nuisance neighbours': 1" in lines
    assert any("Windows-1252" in line for line in lines)
    assert any(line.startswith("Rejected rows, with file, row and reason: quarantine/") for line in lines)


def test_ingest_again_adds_nothing(ws_path, capsys):
    argv = ["ingest", ws_path, "--source", "street_drinking", "--mapping", DRINKING_MAPPING, DRINKING]
    assert run(capsys, *argv)[0] == 0
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "29 rows read = 0 accepted + 29 rejected" in out.splitlines()[0]
    assert "  already imported: 24" in out.splitlines()


def test_ingest_folder(tmp_path, capsys):
    assert run(capsys, "init", tmp_path / "ws")[0] == 0
    code, out, _ = run(capsys, "ingest", tmp_path / "ws", "--source", "police_uk", POLICE_DIR)
    assert code == 0
    assert "328 rows read = 315 accepted + 13 rejected" in out.splitlines()[0]


def test_status_prints_counts(ws_path, capsys):
    run(capsys, "ingest", ws_path, "--source", "council_asb", "--mapping", COUNCIL_MAPPING, COUNCIL)
    run(capsys, "ingest", ws_path, "--source", "street_drinking", "--mapping", DRINKING_MAPPING, DRINKING)
    code, out, err = run(capsys, "status", ws_path)
    assert code == 0 and err == ""
    first = out.splitlines()[0]
    assert first == ("Workspace ws: 49 incidents, 01/02/2016 to 30/10/2016; "
                     "2 imports, 61 rows read, 12 rejected (in quarantine/).")
    assert "By source:" in out and "By category:" in out and "By month:" in out
    assert any(line.split() == ["council_asb", "25"] for line in out.splitlines())
    assert any(line.split() == ["street_drinking", "24"] for line in out.splitlines())
    assert any(line.split() == ["unmapped", "2"] for line in out.splitlines())
    assert "2016-02" in out and "2016-06" in out
    assert "  unparseable date: 3" in out.splitlines()


def test_status_of_an_empty_workspace(ws_path, capsys):
    code, out, _ = run(capsys, "status", ws_path)
    assert code == 0
    assert "0 incidents" in out
    assert "No incidents yet" in out


def test_missing_columns_exit_2_with_one_sentence(ws_path, capsys):
    assert run(capsys, "ingest", ws_path, "--source", "police_uk_api", API_CSV)[0] == 0
    before = tree_snapshot(ws_path)
    code, out, err = run(capsys, "ingest", ws_path, "--source", "police_uk", API_CSV)
    assert code == 2
    assert out == ""
    line = assert_one_sentence_error(err)
    assert API_CSV.name in line
    for column in ("'Crime ID'", "'Month'", "'Crime type'"):
        assert column in line
    assert tree_snapshot(ws_path) == before


def test_mapped_source_without_mapping(ws_path, capsys):
    code, _, err = run(capsys, "ingest", ws_path, "--source", "council_asb", COUNCIL)
    assert code == 2
    assert "--mapping" in assert_one_sentence_error(err)


def test_status_of_a_folder_that_is_not_a_workspace(tmp_path, capsys):
    code, _, err = run(capsys, "status", tmp_path)
    assert code == 2
    assert "not a workspace" in assert_one_sentence_error(err)


def test_a_real_process_exits_2_on_a_file_that_is_not_what_it_claims(ws_path):
    proc = subprocess.run(
        [sys.executable, "-m", "hotspot_tasking.cli", "ingest", str(ws_path), "--source", "police_uk_api",
         str(COUNCIL)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    line = assert_one_sentence_error(proc.stderr)
    assert COUNCIL.name in line and "'id'" in line and "'month'" in line
