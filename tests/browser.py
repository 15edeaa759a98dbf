"""Helpers for the browser tests: a real ``streamlit run`` on a free localhost port, driven by
Playwright in Debian's Chromium. Tests using them are marked ``browser``."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(workspace: Path, port: int) -> subprocess.Popen:
    """``streamlit run app.py`` on 127.0.0.1:port with ``workspace``; waits until it answers."""
    env = dict(os.environ, HOTSPOT_WORKSPACE=str(workspace))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"streamlit did not start: {proc.stdout.read().decode()[-2000:]}")


@contextmanager
def running_app(workspace: Path) -> Iterator[str]:
    """The app on ``workspace`` (:func:`start_app`) for the ``with`` block: its base URL."""
    port = free_port()
    proc = start_app(workspace, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium, headless, through Playwright, for the ``with`` block (skips the
    test when either is missing)."""
    sync_api = need_browser()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def need_browser():
    """Skip with a clear message when Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not found at /usr/bin/chromium: install the Debian package chromium "
                    "(apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api", reason="Playwright not installed: pip install playwright")


def copy_demo(dest: Path) -> Path:
    shutil.copytree(ROOT / "data" / "demo", dest)
    return dest
