"""Screens that fit the meeting room: every page at 1366x768 and 1920x1080 in Chromium, with
screenshots, and the weekly review's status column and map inside the viewport.

Marked ``browser``. Screenshots go to $HOTSPOT_SCREENSHOTS (default: the test's tmp folder);
``HOTSPOT_SCREENSHOTS=docs/screenshots pytest -m browser tests/test_browser_screens.py``
refreshes the README's.
"""

import os
from pathlib import Path

import pytest
from browser import chromium, copy_demo, need_browser, running_app

from hotspot_tasking.ui.review_view import LIST_COLUMNS, LIST_WIDTHS_PX

pytestmark = pytest.mark.browser
SCREENS = [(1366, 768), (1920, 1080)]
PAGES = {"": "Weekly review", "explorer": "Hotspot explorer", "patrol_plan": "Patrol plan",
         "area_comparison": "Area comparison", "exports": "Exports", "data": "Data"}
ROW_MARKER_PX = 40  # the list's selection column, at most


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    need_browser()
    workspace = copy_demo(tmp_path_factory.mktemp("screens") / "ws")
    shots = Path(os.environ.get("HOTSPOT_SCREENSHOTS", "") or workspace.parent / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with running_app(workspace) as url:
        yield url, shots


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def open_page(browser, url: str, size: tuple[int, int], title: str):
    tab = browser.new_page(viewport={"width": size[0], "height": size[1]})
    tab.goto(url)
    tab.get_by_role("heading", name=title).first.wait_for(timeout=120_000)
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    tab.wait_for_timeout(2500)  # maps and grids draw after the run ends
    assert tab.locator("[data-testid='stException']").count() == 0, f"an exception is shown on {title}"
    return tab


def box(tab, selector: str) -> dict:
    element = tab.locator(selector).first
    element.wait_for(timeout=60_000)
    return element.bounding_box()


def grid_widths(tab) -> dict:
    """The first table's visible width and the width of all its columns, pixels."""
    return tab.evaluate("""() => { const s = document.querySelector('[data-testid=stDataFrame] .dvn-scroller');
                                   return {visible: s.clientWidth, all: s.scrollWidth}; }""")


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("url_path,title", list(PAGES.items()), ids=lambda v: v or "weekly_review")
def test_every_page_at_meeting_room_sizes(app, browser, url_path, title, size):
    tab = open_page(browser, f"{app[0]}/{url_path}", size, title)
    tab.screenshot(path=str(app[1] / f"{url_path or 'weekly_review'}_{size[0]}x{size[1]}.png"))
    width, height = size
    if url_path == "":  # the list's status column and the map in view without scrolling
        grid = box(tab, "[data-testid='stDataFrame']")
        widths = grid_widths(tab)
        through_status = ROW_MARKER_PX + sum(LIST_WIDTHS_PX[c] for c in LIST_COLUMNS[:LIST_COLUMNS.index("status") + 1])
        assert through_status <= widths["visible"], widths
        assert grid["x"] + widths["visible"] <= width and grid["y"] < height
        chart = box(tab, "[data-testid='stDeckGlJsonChart']")
        assert chart["x"] >= grid["x"] + widths["visible"] - 1, "the map is beside the list"
        assert chart["x"] + chart["width"] <= width and chart["y"] + chart["height"] <= height, chart
    if url_path in ("patrol_plan", "area_comparison"):  # every column in view, no sideways scrolling
        widths = grid_widths(tab)
        assert widths["all"] <= widths["visible"] + 1, widths
    if url_path == "patrol_plan":
        chart = box(tab, "[data-testid='stDeckGlJsonChart']")
        assert chart["x"] + chart["width"] <= width and chart["y"] < height, chart
    tab.close()


def test_a_selected_place_on_the_weekly_review(app, browser):
    """The place's detail below the list and the map: a tall screenshot for the README (the
    page scrolls inside Streamlit's main area, so a full-page shot would stop at the viewport)."""
    tab = open_page(browser, f"{app[0]}/", (1366, 768), "Weekly review")
    grid = box(tab, "[data-testid='stDataFrame']")
    tab.mouse.click(grid["x"] + 18, grid["y"] + 52)  # the first row's checkbox
    tab.get_by_text("Record decision").first.wait_for(timeout=120_000)
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    tab.wait_for_timeout(2500)
    assert "place=" in tab.url
    tab.set_viewport_size({"width": 1366, "height": 2000})
    tab.wait_for_timeout(2500)
    tab.screenshot(path=str(app[1] / "weekly_review_place_1366.png"))
    tab.close()
