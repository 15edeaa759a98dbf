"""Benchmark: the app's latency as a person waits for it, in Chromium, on the demo.

    python bench/app.py            # the full script (about 50 interactions)
    python bench/app.py --quick    # a short run (about 20)

Starts ``streamlit run app.py`` on a free localhost port with a fresh copy of the demo
workspace (``data/demo`` copied to a temporary folder: the bench never writes into the
repository), opens it in /usr/bin/chromium (headless, software WebGL) with Playwright and
times, as a person sees it:

- the cold first load: a new server, the first page load until the weekly review's list
  is on screen;
- a scripted set of interactions across every page (pages, the sidebar's band and
  categories, the weekly review's Week/Month, period and a row, the explorer's methods and
  every cell size it offers, the patrol plan's shift and area, the area comparison);
- pressing "Record decision" on the weekly review's form until the list is back, and the
  click after it (selecting another place), the first run to read the workspace as the
  recording left it.

Each is timed from the click (or key press) until Streamlit has run the script for it (the
app root's ``data-test-script-state`` has gone to ``running`` and back to ``notRunning``,
and the running indicator, ``stStatusWidget``, is gone), the element the interaction should
show is visible, and the browser has drawn two more frames (so parsing and drawing a map or
a table counts, not only the server's time).

Targets on a 2-core machine: median interaction under 1 s, p90 under 2.5 s, any explorer
grid under 5 s, cold first load under 10 s. The slowest interaction and the time after
recording a decision have no target of their own: the bench holds the first to the grid's
5 s and the second to the p90's 2.5 s. The bench reports; it never fails (exit status 0
when a target is missed). Never a test (it starts a server and a browser).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
#: Targets, seconds.
MEDIAN_S, P90_S, GRID_S, COLD_S, RECORD_S = 1.0, 2.5, 5.0, 10.0, 2.0
#: The longest the bench waits for one interaction (then it is reported as unfinished), ms...
TIMEOUT_MS = 180_000
#: ...and for the run it starts to begin (else the click did not take).
START_MS = 30_000

#: Counts every script run the browser starts (the app root's state going to "running").
COUNT_RUNS = """
window.__benchRuns = 0;
new MutationObserver((changes) => {
  for (const c of changes) {
    const state = c.target.getAttribute('data-test-script-state');
    if (state === 'running' || state === 'rerunRequested') window.__benchRuns += 1;
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""
#: True once a run began after ``runs`` and has finished, with no running indicator left.
SETTLED = """(runs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  return window.__benchRuns > runs && app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]');
}"""
#: Resolves after the browser has drawn two more frames.
TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


@dataclass
class Timing:
    label: str
    seconds: float
    kind: str = "interaction"  # "interaction", "grid", "cold" or "record"
    note: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(workspace: Path, port: int, log: Path) -> subprocess.Popen:
    """``streamlit run app.py`` on 127.0.0.1:port with ``workspace``; returns once it answers."""
    env = dict(os.environ, HOTSPOT_WORKSPACE=str(workspace))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit(f"streamlit did not start within 60 s; its log ends: {log.read_text()[-2000:]}")


class Driver:
    """One browser tab on the app; every timed step is recorded in ``timings``."""

    def __init__(self, page, url: str):
        self.page, self.url, self.timings = page, url, []

    def timed(self, label: str, act: Callable[[], None], expect: str | tuple[str, ...], *,
              kind: str = "interaction", prepare: Callable[[], None] | None = None) -> Timing:
        """Run ``prepare`` (untimed: opening a drop-down), then time ``act`` until the run it
        starts has finished and ``expect`` (Playwright selectors) is visible."""
        page = self.page
        if prepare is not None:
            prepare()
        runs = page.evaluate("() => window.__benchRuns")
        start = time.perf_counter()
        note = ""
        try:
            act()
            page.wait_for_function("(runs) => window.__benchRuns > runs", arg=runs, timeout=START_MS, polling=50)
            page.wait_for_function(SETTLED, arg=runs, timeout=TIMEOUT_MS, polling=50)
            for selector in (expect,) if isinstance(expect, str) else expect:
                page.locator(selector).first.wait_for(state="visible", timeout=TIMEOUT_MS)
            page.evaluate(TWO_FRAMES)
        except Exception as err:  # a timeout or a missing element: reported, the bench goes on
            note = f"did not finish: {str(err).splitlines()[0][:120]}"
        seconds = time.perf_counter() - start
        if not note and page.locator("[data-testid='stException']").count():
            note = "the app showed an exception"
        timing = Timing(label, seconds, kind, note)
        self.timings.append(timing)
        print(f"{len(self.timings):3d}. {label:<62} {seconds:6.2f} s {note}", flush=True)
        return timing

    # -- the things a person clicks ------------------------------------------------------
    def page_link(self, title: str, expect: str) -> None:
        link = self.page.locator("[data-testid='stSidebarNavLink']").filter(has_text=title).first
        self.timed(f"page -> {title}", link.click, expect)

    def select(self, label: str, option: str | None, expect: str, *, where: str = "main") -> None:
        """Pick ``option`` in the selectbox labelled ``label``; None: the option after the chosen one."""
        scope = self.page.locator("[data-testid='stSidebar']" if where == "sidebar" else "[data-testid='stMain']")
        label_exactly = self.page.locator("[data-testid='stWidgetLabel']", has_text=re.compile(f"^{re.escape(label)}$"))
        box = scope.locator("[data-testid='stSelectbox']").filter(has=label_exactly).first
        options = self.page.get_by_role("option")

        def pick():
            if option is not None:
                return self.page.get_by_role("option", name=option, exact=True)
            texts = [o.inner_text().strip() for o in options.all()]
            chosen = self.page.locator("[role='option'][aria-selected='true']")
            now = texts.index(chosen.first.inner_text().strip()) if chosen.count() else -1
            return options.nth((now + 1) % len(texts))

        self.open_list(box)
        name = pick().inner_text().strip()
        self.close_list()
        self.timed(f"{label} -> {name}", lambda: self.page.get_by_role("option", name=name, exact=True).click(),
                   expect, prepare=lambda: self.open_list(box))

    def radio(self, label: str, option: str, expect: str, *, kind: str = "interaction") -> None:
        group = self.page.locator("[data-testid='stRadio']").filter(has_text=label).first
        self.timed(f"{label} -> {option}", group.get_by_text(option, exact=True).click, expect, kind=kind)

    def segment(self, label: str, option: str, expect: str) -> None:
        group = self.page.get_by_role("radiogroup", name=label)
        self.timed(f"{label} -> {option}", group.get_by_role("radio", name=option, exact=True).click, expect)

    def first_row(self, label: str, expect: str | tuple[str, ...], *, row: int = 0, kind: str = "interaction") -> None:
        """Click the selection box of a row of the page's first table (the first by default)."""
        grid = self.page.locator("[data-testid='stDataFrame']").first

        def click():
            box = grid.bounding_box()
            self.page.mouse.click(box["x"] + 12, box["y"] + 52 + 35 * row)  # rows are 35 px high

        self.timed(label, click, expect, kind=kind, prepare=grid.scroll_into_view_if_needed)

    def category(self, name: str, expect: str) -> None:
        """Add ``name`` to the sidebar's categories, then take it off again (two interactions)."""
        box = self.page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
        option = self.page.get_by_role("option", name=name, exact=True)
        self.timed(f"Categories -> + {name}", option.click, expect, prepare=lambda: self.open_list(box))
        self.close_list()  # the list stays open after a pick
        self.timed(f"Categories -> - {name}", box.get_by_role("button", name=f"Remove {name}").click, expect)

    def cell_sizes(self) -> list[str]:
        """The cell sizes the explorer offers, as its drop-down lists them (automatic first)."""
        self.open_expander("Parameters")
        box = self.page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Cell size")
        self.open_list(box.first)
        names = [o.inner_text().strip() for o in self.page.get_by_role("option").all()]
        self.close_list()
        return names

    def cell_size(self, name: str, method: str) -> None:
        """Pick a cell size in the explorer's parameters (``name`` as the drop-down shows it)."""
        self.open_expander("Parameters")
        box = self.page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Cell size")
        self.timed(f"explorer {method}, cell {name}",
                   self.page.get_by_role("option", name=name, exact=True).click,
                   "[data-testid='stDeckGlJsonChart']", kind="grid", prepare=lambda: self.open_list(box.first))

    def open_list(self, box) -> None:
        """Open a selectbox's drop-down (clicked again if the first click lands while the page moves)."""
        for attempt in range(3):
            self.page.get_by_role("option").first.wait_for(state="detached")  # no other list still closing
            box.click()
            try:
                self.page.get_by_role("option").first.wait_for(timeout=3000 * (attempt + 1))
                return
            except Exception:  # noqa: BLE001 - not open yet: click again
                self.close_list()
        raise RuntimeError("a drop-down did not open after three clicks")

    def close_list(self) -> None:
        """Close an open drop-down and wait until it has gone."""
        self.page.keyboard.press("Escape")
        self.page.get_by_role("option").first.wait_for(state="detached")

    def open_expander(self, title: str) -> None:
        details = self.page.locator("[data-testid='stExpander'] details").filter(has_text=title).first
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        details.locator("[data-testid='stExpanderDetails']:not([inert])").wait_for()


def script(d: Driver, *, quick: bool) -> None:
    """The interactions, in the order a person might make them."""
    review = "[data-testid='stDataFrame']"
    deck = "[data-testid='stDeckGlJsonChart']"
    form = "button:has-text('Record decision')"
    d.segment("Review by", "Month", review)
    d.select("Period", None, review, where="sidebar")  # the review's own period, in the sidebar
    d.segment("Review by", "Week", review)
    d.select("Period", None, review, where="sidebar")  # the review's own period, in the sidebar
    d.first_row("select the first place of the list", form)
    d.radio("Places from", "DBSCAN", review)
    d.radio("Places from", "Best surface", review)
    d.select("Time band", "Night-time economy", review, where="sidebar")
    if not quick:
        d.category("Violence and sexual offences", review)
    d.page_link("Hotspot explorer", deck)
    for method in ("Clusters (DBSCAN)", "Getis-Ord Gi*", "Kernel density (KDE)"):
        d.radio("Method", method, deck)
    d.select("Time band", "All times", deck, where="sidebar")
    automatic, *sizes = d.cell_sizes()
    sizes = [*reversed(sizes), automatic] if not quick else [sizes[0], automatic]  # coarse to fine, then back
    for size in sizes:
        d.cell_size(size, "KDE")
    if not quick:
        d.radio("Method", "Getis-Ord Gi*", deck)
        for size in sizes:
            d.cell_size(size, "Gi*")
        d.radio("Method", "Kernel density (KDE)", deck)
    d.page_link("Patrol plan", deck)
    d.select("Shift", None, deck)
    if not quick:
        d.select("Area", None, deck)
    d.page_link("Area comparison", "[data-testid='stDataFrame']")
    if not quick:
        d.select("Areas from", None, "[data-testid='stMain'] h1")
        d.page_link("Data", "[data-testid='stMetric']")
        d.page_link("Exports", "[data-testid='stMain'] h1")
    d.page_link("Weekly review", review)


def record_decision(d: Driver) -> None:
    """Select the first place, fill the action (group and agency have defaults) and record it."""
    page = d.page
    if page.get_by_role("button", name="Record decision").count() == 0:
        d.first_row("select the first place of the list", "button:has-text('Record decision')")
    page.get_by_label("Action agreed").fill("High-visibility patrols Fri-Sat 21:00-03:00")
    d.timed('"Record decision" until the list is back', page.get_by_role("button", name="Record decision").click,
            ("[data-testid='stDataFrame']", "[data-testid='stAlert']:has-text('Recorded action')"), kind="record")
    # the run that recorded it began before the list was stored: the next one reads the workspace anew
    d.first_row("then the next click: select the second place", ("[data-testid='stDataFrame']", "text=#2 "),
                row=1, kind="record")


def verdict(seconds: float, target: float) -> str:
    return f"target < {target:g} s: {'met' if seconds < target else 'NOT met'}"


def report(timings: list[Timing], server_s: float, load: tuple[float, float]) -> None:
    steps = [t for t in timings if t.kind in ("interaction", "grid")]
    times = np.array([t.seconds for t in steps])
    grids = [t for t in steps if t.kind == "grid"]
    others = [t.seconds for t in steps if t.kind != "grid"]
    record = [t for t in timings if t.kind == "record"]
    print()
    for cold in (t for t in timings if t.kind == "cold"):
        print(f"{'cold first load (new server, until the list is visible)':<58} {cold.seconds:6.2f} s  "
              f"{verdict(cold.seconds, COLD_S)} (the server took {server_s:.1f} s to answer before it)")
    if steps:
        slowest = max(steps, key=lambda t: t.seconds)
        print(f"{f'median of {len(steps)} interactions':<58} {statistics.median(times):6.2f} s  "
              f"{verdict(statistics.median(times), MEDIAN_S)}")
        if grids and others:  # the explorer's grids are many of them: the median without them too
            print(f"{f'  (median of the {len(others)} that are not explorer grids)':<58} "
                  f"{statistics.median(others):6.2f} s  {verdict(statistics.median(others), MEDIAN_S)}")
        print(f"{'p90':<58} {np.percentile(times, 90):6.2f} s  {verdict(np.percentile(times, 90), P90_S)}")
        print(f"{'max: ' + slowest.label:<58} {slowest.seconds:6.2f} s  {verdict(slowest.seconds, GRID_S)}")
    if grids:
        worst = max(grids, key=lambda t: t.seconds)
        print(f"{'slowest explorer grid: ' + worst.label.removeprefix('explorer '):<58} {worst.seconds:6.2f} s  "
              f"{verdict(worst.seconds, GRID_S)}")
    for t in record:
        print(f"{t.label:<58} {t.seconds:6.2f} s  {verdict(t.seconds, RECORD_S)}")
    unfinished = [t.label for t in timings if t.note]
    if unfinished:
        print(f"{len(unfinished)} step(s) did not finish cleanly: {'; '.join(unfinished)}")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, Streamlit {version('streamlit')}, "
          f"Playwright {version('playwright')}, {CHROMIUM} (headless, software WebGL); load average "
          f"{load[0]:.1f} at the start, {load[1]:.1f} at the end (other work on the machine slows every figure)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about 20 interactions)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}: install the Debian package chromium.")
    from playwright.sync_api import sync_playwright

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # so the server started below is stopped too
    with tempfile.TemporaryDirectory(prefix="hotspot-bench-") as tmp:
        workspace = Path(tmp) / "demo"
        shutil.copytree(ROOT / "data" / "demo", workspace)
        port = free_port()
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        proc = start_app(workspace, port, Path(tmp) / "streamlit.log")
        server_s = time.perf_counter() - started
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.add_init_script(COUNT_RUNS)
                page.goto("about:blank")
                page.evaluate(COUNT_RUNS)
                d = Driver(page, f"http://127.0.0.1:{port}")
                d.timed("cold first load: the weekly review's list", lambda: page.goto(d.url),
                        "[data-testid='stDataFrame']", kind="cold")
                try:
                    script(d, quick=args.quick)
                    record_decision(d)
                except Exception as err:  # noqa: BLE001 - a step the bench could not take: report what was timed
                    print(f"the script stopped after step {len(d.timings)}: {str(err).splitlines()[0][:200]}")
                browser.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    report(d.timings, server_s, (load_before, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
