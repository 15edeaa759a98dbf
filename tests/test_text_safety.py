"""Text that came from a file is shown as text: council street values that are Markdown,
Streamlit directives, HTML or a spreadsheet formula name top places, and no page turns them
into a link, an image, a heading or coloured text; the PDF pack and the patrol PDF print them
as written, with no link to the address they hold."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from shown import shown
from streamlit.testing.v1 import AppTest

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.boundaries.store import incidents_with_areas
from hotspot_tasking.cli import main
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.patrol import PatrolRequest, patrol_pdf, plan_patrol
from hotspot_tasking.ui.text import plain

HERE = Path(__file__).resolve().parent
ENTRY, PAGES = "../app.py", "app_pages/"
MAPPING = DEMO_WORKSPACE / "raw" / "council_asb_simulated_mapping.toml"
HEADER = ["Case reference", "Received date", "Received time", "ASB type", "Easting", "Northing", "Street",
          "Case status"]

LINK = "[Open the tasking portal](http://evil.example/login) ![](http://evil.example/beacon.png)"
IMAGE = "<img src=http://evil.example/x.png>"
MARKUP = "**bold** :red[red] $x$ # heading"
FORMULA = '=HYPERLINK("http://evil.example")'
#: Each payload at a spot of its own, 600 m apart, in the demo's last week (Mon 18 - Sun 24 June 2018).
PAYLOADS = {LINK: (527000, 175000), IMAGE: (527600, 175000), MARKUP: (527000, 175600), FORMULA: (527600, 175600)}
ROWS_EACH = 60
#: Words only a payload brings; an element holding one must hold its payload escaped.
TRACES = {LINK: "evil.example/login", IMAGE: "evil.example/x.png", MARKUP: "red[red]", FORMULA: "HYPERLINK"}


def _write_payloads(path: Path) -> Path:
    rows = []
    for n, (street, (x, y)) in enumerate(((s, xy) for s, xy in PAYLOADS.items() for _ in range(ROWS_EACH)), 1):
        day = 18 + n % 7
        rows.append([f"ASB/2018/9{n:04d}", f"{day:02d}/06/2018", f"{21 + n % 3:02d}:{n % 60:02d}",
                     "Rowdy or inconsiderate behaviour", x + n % 5, y + n % 3, street, "Open"])
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A copy of the demo with the payload file imported through the command line."""
    root = tmp_path_factory.mktemp("textsafe") / "demo"
    shutil.copytree(DEMO_WORKSPACE, root)
    data = _write_payloads(root.parent / "payloads.csv")
    assert main(["ingest", str(root), "--source", "council_asb", "--mapping", str(MAPPING), str(data)]) == 0
    return root


@pytest.fixture
def app(workspace, monkeypatch):
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(workspace))

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(str(HERE / ENTRY), default_timeout=120).run()
        at.switch_page(f"{PAGES}{page}.py").run()
        assert not at.exception, at.exception
        return at
    return open_page


def unsafe(body: str) -> list[str]:
    """What is wrong with one Markdown body: an unescaped link or image, or a payload that is
    not escaped as a whole."""
    problems = []
    if "](http" in body:
        problems.append("an unescaped link or image '](http'")
    if re.search(r"(?<!\\)<img", body, flags=re.IGNORECASE):
        problems.append("an unescaped '<img'")
    for payload, trace in TRACES.items():
        if trace in shown(body) and plain(payload) not in body:
            problems.append(f"the payload {payload!r} not escaped as a whole")
    return problems


def markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """Every Markdown-reading text of the page, with its element type: bodies, headings,
    messages, expander, tab and metric labels, and widget labels and help texts."""
    texts = [(kind, e.value) for kind in ("markdown", "caption", "title", "header", "subheader", "info",
                                          "warning", "error", "success", "toast")
             for e in getattr(at, kind)]
    texts += [("expander", e.label) for e in at.expander] + [("tab", e.label) for e in at.tabs]
    texts += [("metric", e.label) for e in at.metric] + [("metric help", e.help or "") for e in at.metric]
    widgets = ("selectbox", "multiselect", "radio", "text_input", "number_input", "date_input", "checkbox",
               "toggle", "slider", "button", "text_area")
    for kind in widgets:
        for e in getattr(at, kind):
            texts += [(kind, e.label), (f"{kind} help", getattr(e, "help", "") or "")]
    return texts


def assert_safe(at: AppTest) -> list[str]:
    """Every Markdown text of the page is safe; returns them as shown, for further checks."""
    found = {f"{kind}: {body!r}: {problem}" for kind, body in markdown_texts(at) for problem in unsafe(body)}
    assert not found, sorted(found)
    return [shown(body) for _, body in markdown_texts(at)]


def payload_row(at: AppTest, payload: str) -> int:
    places = at.dataframe[0].value["place"].astype(str).tolist()
    return next(i for i, p in enumerate(places) if payload in p)


def test_the_checker_finds_unescaped_payloads():
    assert unsafe(LINK) and unsafe(IMAGE) and unsafe(MARKUP) and unsafe(f"#1 {FORMULA}")
    assert not any(unsafe(f"#1 {plain(p)} \\(Ward\\)") for p in PAYLOADS)


def test_the_weekly_review_shows_each_payload_place_as_text(app):
    at = app("weekly_review")
    shown_texts = assert_safe(at)
    assert "evil.example" not in " ".join(shown_texts)  # nothing selected yet: the names are only in the table
    for payload in PAYLOADS:
        at.session_state[at.dataframe[0].key] = {"selection": {"rows": [payload_row(at, payload)], "columns": [],
                                                               "cells": []}}
        at.run()
        assert not at.exception, at.exception
        shown_texts = assert_safe(at)
        assert any(re.fullmatch(rf"#\d+ .*{re.escape(payload)}.*", s) for s in shown_texts), [
            s for s in shown_texts if s.startswith("#")]
        assert any(payload in s for s in shown_texts if "Record a decision for" in s)


@pytest.mark.parametrize("page", ["explorer", "area_comparison", "exports", "data"])
def test_the_other_pages_show_the_payloads_as_text(app, page):
    assert_safe(app(page))


def _ward_of_link(workspace: Path) -> tuple[str, str]:
    table = incidents_with_areas(Workspace.open(workspace))
    layer = next(c for c in table.columns if c.startswith("ward_"))
    return layer, table.loc[table["location_text"] == LINK, layer].mode().iloc[0]


def test_the_patrol_plan_shows_the_payload_place_as_text(app, workspace):
    layer, code = _ward_of_link(workspace)
    at = app("patrol_plan")
    at.selectbox(key="patrol_layer").set_value(layer).run()
    at.selectbox(key=f"patrol_area_{layer}").set_value(code).run()
    at.selectbox(key="patrol_shift").set_value("custom").run()
    at.slider(key="patrol_weeks").set_value(2).run()
    assert not at.exception, at.exception
    assert any(LINK in s for s in assert_safe(at))  # the plan in words names the place


def _pdf_words(path: Path) -> set[str]:
    """The words pdftotext reads (a long place name wraps inside its table cell)."""
    return set(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout.split())


def _no_link(data: bytes) -> None:
    assert b"/URI" not in data and b"/Link" not in data and b"evil.example/login" not in data.split(b"stream")[0]


needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not "
                                                                           "installed")


@needs_pdftotext
def test_the_pdf_pack_prints_the_payloads_as_written(workspace, tmp_path):
    pack = tmp_path / "pack.pdf"
    assert main(["tasking", str(workspace), "--period", "2018-06-18", "--top", "10", "--out", str(pack),
                 "--no-save"]) == 0
    words = _pdf_words(pack)
    for payload in PAYLOADS:
        assert set(payload.split()) <= words, (payload, set(payload.split()) - words)
    _no_link(pack.read_bytes())


@needs_pdftotext
def test_the_patrol_pdf_prints_the_payload_as_written(workspace, tmp_path):
    layer, code = _ward_of_link(workspace)
    ws = Workspace.open(workspace)
    request = PatrolRequest(layer, code, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), 18, 2, 2)
    data = patrol_pdf(ws, request, plan_patrol(ws, request))
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    assert set(LINK.split()) <= _pdf_words(path)
    _no_link(data)
