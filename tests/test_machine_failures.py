"""Failures of the machine, not of the data: a read-only workspace, a full disk, ``init`` on a
file, a reader that stops early (``| head -1``), a workspace without area layers, and an
import killed half-way, which must leave nothing that pyarrow, a glob or DuckDB would read.

Where the tests run as root with mount namespaces (``unshare -m``), the read-only folder is a
real read-only bind mount and the full disk a real 600 KB tmpfs, both private to one shell
process; elsewhere a non-root user's ``chmod -R a-w`` gives a real read-only folder, and the
full disk is fault-injected at the writer (a GeoParquet writer that writes part of its file
and then raises ``OSError(errno.ENOSPC)``), because a small filesystem needs root to mount.
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as pads
import pytest
from conftest import (
    API_CSV,
    DRINKING,
    DRINKING_MAPPING,
    POLICE_2015_08,
    big_api_csv,
    city_year_workspace,
    tree_snapshot,
)

import hotspot_tasking.geo.geoparquet as geoparquet_module
from hotspot_tasking.cli import main
from hotspot_tasking.geo import GeoError, Workspace
from hotspot_tasking.geo.workspace import MANIFEST
from hotspot_tasking.intake.store import ingest_files

CLI = [sys.executable, "-m", "hotspot_tasking.cli"]


def _one_sentence_error(stderr: str, *words: str) -> None:
    """``stderr`` is one ``error: ...`` line, without a traceback, holding each of ``words``."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0], lines[0]


def _mount_namespaces() -> bool:
    """True when this process may mount file systems in a private mount namespace."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


MOUNTS = _mount_namespaces()


def _in_namespace(script: str) -> subprocess.CompletedProcess:
    """Run a shell ``script`` in its own mount namespace (its mounts vanish with it)."""
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=600)


def _cli(*args: str) -> str:
    return " ".join([*CLI, *map(str, args)])


@pytest.fixture
def small_ws(tmp_path) -> Path:
    ws = Workspace.create(tmp_path / "ws")
    ingest_files(ws, [DRINKING], "street_drinking", mapping=DRINKING_MAPPING)
    return ws.root


# --- a read-only workspace ---------------------------------------------------------------------
def test_writes_to_a_read_only_workspace_say_so_in_one_sentence(small_ws, tmp_path):
    before = tree_snapshot(small_ws)
    commands = [("ingest", small_ws, "--source", "police_uk", POLICE_2015_08), ("init", small_ws / "sub")]
    if MOUNTS:
        script = f"mount --bind {small_ws} {small_ws} && mount -o remount,bind,ro {small_ws} || exit 99\n"
        script += "\n".join(f"{_cli(*c)}; echo status=$? >&2" for c in commands)
        done = _in_namespace(script)
        assert done.returncode != 99, done.stderr
        messages = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        statuses = [line for line in done.stderr.splitlines() if line.startswith("status=")]
        assert statuses == ["status=1", "status=1"], done.stderr
        for message in messages:
            _one_sentence_error(message, "the folder is read-only", "nothing was written", "writable")
        assert len(messages) == 2
    else:
        for path in [small_ws, *small_ws.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            if os.access(small_ws, os.W_OK):
                pytest.skip("this user can write to a folder without write permission, and cannot mount")
            for command in commands:
                done = subprocess.run([*CLI, *map(str, command)], capture_output=True, text=True, timeout=600)
                assert done.returncode == 1
                _one_sentence_error(done.stderr, "the folder is read-only", "nothing was written")
        finally:
            for path in [small_ws, *small_ws.rglob("*")]:
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
    assert tree_snapshot(small_ws) == before


def test_a_lock_file_that_cannot_be_opened_read_only_is_a_geo_error(small_ws, monkeypatch):
    """The same translation in process, for the app: the OS refuses the lock file (injected)."""
    import hotspot_tasking.geo.atomic as atomic

    def refuse(path, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(atomic, "open", refuse, raising=False)
    with pytest.raises(GeoError, match="the folder is read-only") as caught:
        Workspace.open(small_ws).set_area(None)
    assert caught.value.__cause__.errno == errno.EROFS


# --- a full disk ---------------------------------------------------------------------------------
def test_a_full_disk_during_an_import_keeps_nothing_and_says_so(small_ws, monkeypatch):
    before = tree_snapshot(small_ws)
    real_write = geoparquet_module.PointFileWriter.write

    def fill_the_disk(self, table):
        real_write(self, table)  # part of the import reaches the disk ...
        with open(self.path, "ab") as handle:
            handle.write(b"\0" * 65536)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))  # ... then the disk is full

    monkeypatch.setattr(geoparquet_module.PointFileWriter, "write", fill_the_disk)
    with pytest.raises(GeoError) as caught:
        ingest_files(Workspace.open(small_ws), [API_CSV], "police_uk_api")
    message = str(caught.value)
    assert "the disk is full" in message and "nothing of this write was kept" in message
    assert "MB" in message and message.count(";") == 1
    assert caught.value.__cause__.errno == errno.ENOSPC
    monkeypatch.undo()
    after = tree_snapshot(small_ws)
    assert after == before  # no staged, published or quarantine file is left
    assert not (small_ws / "_staging").exists()
    assert len(Workspace.open(small_ws).incidents()) == 25


@pytest.mark.skipif(not MOUNTS, reason="a small filesystem needs root and mount namespaces")
def test_a_really_full_disk_exits_1_and_leaves_nothing(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    ws = mount / "ws"
    big = tmp_path / "big.csv"
    big_api_csv(big, copies=20)
    done = _in_namespace(
        f"mount -t tmpfs -o size=600k tmpfs {mount} || exit 99\n"
        f"{_cli('init', ws)} >/dev/null || exit 98\n"
        f"{_cli('ingest', ws, '--source', 'police_uk_api', big)} >/dev/null; echo status=$?\n"
        f"cd {ws} && find . -type f | sort")
    assert done.returncode == 0, done.stderr
    _one_sentence_error(done.stderr, "the disk is full", "MB free", "nothing of this write was kept")
    out = done.stdout.splitlines()
    assert out[0] == "status=1"
    assert out[1:] == ["./.lock", "./config/tactics.toml", "./config/tasking.toml", "./config/taxonomy.toml",
                       "./config/time_bands.toml", "./workspace.json"]


# --- init on something that is not a new folder --------------------------------------------------
@pytest.mark.parametrize("demo", [False, True])
def test_init_on_a_file_or_a_non_empty_folder_is_one_sentence(tmp_path, capsys, demo):
    extra = ["--demo"] if demo else []
    a_file = tmp_path / "notes.txt"
    a_file.write_text("minutes", encoding="utf-8")
    assert main(["init", str(a_file), *extra]) == 2
    _one_sentence_error(capsys.readouterr().err, "is a file, not a folder", "choose a new")
    assert a_file.read_text(encoding="utf-8") == "minutes"
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "keep.csv").write_text("a\n", encoding="utf-8")
    assert main(["init", str(folder), *extra]) == 2
    _one_sentence_error(capsys.readouterr().err, "the folder is not empty")
    assert [p.name for p in folder.iterdir()] == ["keep.csv"]


# --- a reader that stops early ---------------------------------------------------------------------
def test_status_piped_into_head_ends_quietly(small_ws):
    done = subprocess.run(["bash", "-c", f"{_cli('status', small_ws)} | head -1; echo status=${{PIPESTATUS[0]}}"],
                          capture_output=True, text=True, timeout=600)
    assert done.stderr == ""
    first, status = done.stdout.splitlines()
    assert first.startswith("Workspace ws: 25 incidents")
    assert status in ("status=0", "status=1")  # 0 when head read everything before it closed


def test_status_into_a_closed_pipe_exits_1_without_a_traceback(small_ws):
    proc = subprocess.Popen([*CLI, "status", str(small_ws)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the command writes anything
    _, err = proc.communicate(timeout=600)
    assert err == b""
    assert proc.returncode == 1


# --- a workspace without area layers ------------------------------------------------------------------
@pytest.mark.slow
def test_tasking_and_hotspots_work_without_area_layers(tmp_path, capsys):
    root = city_year_workspace(tmp_path, wards=False)
    assert main(["tasking", str(root), "--period", "2017-07", "--no-save"]) == 0
    out = capsys.readouterr().out
    assert "Tasking list for" in out
    assert "no ward or LSOA layer: places have no ward; add one with 'hotspot-tasking boundaries add'" in out
    assert main(["tasking", str(root), "--period", "2017-07", "--candidates", "ward"]) == 2
    _one_sentence_error(capsys.readouterr().err, "no ward layer", "hotspot-tasking boundaries add")
    assert main(["hotspots", str(root), "--method", "kde", "--out", str(tmp_path / "kde.gpkg")]) == 0
    assert (tmp_path / "kde.gpkg").is_file()


# --- an import killed half-way: what other readers see ----------------------------------------------
def _kill_after_first_staged_file(root: Path, csv: Path) -> bool:
    """Start an import, SIGKILL it once its first data file is staged; True if it was still running."""
    proc = subprocess.Popen([*CLI, "ingest", str(root), "--source", "police_uk_api", str(csv)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = root / "_staging"
    while proc.poll() is None and not (staging.is_dir() and any(staging.rglob("*.part"))):
        time.sleep(0.001)
    alive = proc.poll() is None
    if alive:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return alive


@pytest.mark.slow
def test_a_killed_import_is_invisible_to_pyarrow_globs_and_duckdb(tmp_path):
    big = tmp_path / "big.csv"
    big_api_csv(big)
    ws = Workspace.create(tmp_path / "ws")
    ingest_files(ws, [API_CSV], "police_uk_api")
    committed = len(ws.incidents())
    committed_files = sorted(str(p) for p in ws.data_files)
    assert _kill_after_first_staged_file(ws.root, big), "the import finished before it could be killed"
    assert len(Workspace.open(ws.root).incidents()) == committed  # the manifest never changed

    incidents = ws.root / "incidents"
    assert pads.dataset(incidents, format="parquet", partitioning="hive").count_rows() == committed
    assert sorted(glob.glob(str(incidents / "**" / "*.parquet"), recursive=True)) == committed_files
    assert not glob.glob(str(ws.root / "**" / "*.tmp"), recursive=True)
    duckdb = pytest.importorskip("duckdb")
    count = duckdb.sql(f"select count(*) from '{incidents}/**/*.parquet'").fetchall()[0][0]
    assert count == committed

    # the next writer removes the debris and stores the import once
    ingest_files(Workspace.open(ws.root), [big], "police_uk_api")
    assert not (ws.root / "_staging").exists()
    assert pads.dataset(incidents, format="parquet", partitioning="hive").count_rows() == len(
        Workspace.open(ws.root).incidents())
    assert (ws.root / MANIFEST).is_file()
