"""The app's maps in a real browser: with the sidebar's basemap switch off (the default) no
request leaves the app's own 127.0.0.1 origin, and every map's canvas is drawn; switched on,
every map asks for the style the workspace's ``[map] tile_style`` names.

Marked ``browser`` (deselected by default; CI runs ``pytest -m browser``). Every request
that is not for the app is aborted inside the browser (Playwright's router), so nothing
leaves the machine either way; each is still recorded. Screenshots go to
$HOTSPOT_SCREENSHOTS (default: the test's tmp folder).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from browser import chromium, copy_demo, need_browser, running_app
from PIL import Image

pytestmark = pytest.mark.browser
#: The workspace's basemap style: a host that never resolves (.invalid is reserved for that).
STYLE_URL = "https://tiles.example.invalid/styles/streets/style.json"
ATTRIBUTION = "Basemap: test tiles"
MAPS = "[data-testid='stDeckGlJsonChart']"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    need_browser()
    workspace = copy_demo(tmp_path_factory.mktemp("browser_maps") / "ws")
    config = workspace / "config" / "tasking.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("\n[map]\n")
    config.write_text(text[:start] + f'\n[map]\ntile_style = "{STYLE_URL}"\nattribution = "{ATTRIBUTION}"\n',
                      encoding="utf-8")
    with running_app(workspace) as url:
        yield url, workspace


@pytest.fixture(scope="module")
def page(app):
    shots = Path(os.environ.get("HOTSPOT_SCREENSHOTS", "") or app[1].parent / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    origin = app[0]
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1366, "height": 900})
        tab.shots, tab.requests = shots, []
        tab.on("request", lambda request: tab.requests.append(request.url))
        tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin + "/")
                  else route.abort())
        yield tab


def settled(page) -> None:
    """Wait until Streamlit has finished the run and drawn the page, then for the maps to draw."""
    page.get_by_role("heading").first.wait_for(timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_timeout(2500)
    assert page.locator("[data-testid='stException']").count() == 0


def drawn(page, name: str) -> None:
    """Every map on the page has a canvas with a drawing on it (more than a blank or one-colour
    box): its screenshot holds many colours and some dark ink (outlines, street names)."""
    charts = page.locator(MAPS)
    charts.first.wait_for(timeout=90_000)
    settled(page)
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        chart.locator("canvas").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        shot = chart.screenshot(path=str(page.shots / f"maps_{name}_{i}.png"))
        pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).reshape(-1, 3)
        colours = len(np.unique(pixels, axis=0))
        dark = float((pixels.sum(axis=1) < 3 * 120).mean())
        assert colours > 50 and dark > 0.002, f"the map on {name} looks blank ({colours} colours, {dark:.2%} dark)"


def outside(page, origin: str) -> list[str]:
    return sorted({url for url in page.requests if not url.startswith(origin + "/") and not url.startswith("data:")
                   and not url.startswith("blob:")})


def select_first_row(page) -> None:
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 52)  # the first row's selection box
    page.get_by_role("button", name="Record decision").wait_for(timeout=60_000)
    settled(page)


def test_with_tiles_off_no_map_asks_anything_of_the_internet_and_every_map_is_drawn(app, page):
    origin = app[0]
    page.goto(origin)
    settled(page)
    select_first_row(page)
    drawn(page, "weekly_review")
    page.goto(f"{origin}/explorer")
    settled(page)
    for method in ("Kernel density (KDE)", "Clusters (DBSCAN)", "Getis-Ord Gi*"):
        page.get_by_text(method, exact=True).click()
        settled(page)
        drawn(page, f"explorer_{method.split()[0].lower()}")
    page.goto(f"{origin}/patrol_plan")
    settled(page)
    drawn(page, "patrol_plan")
    assert outside(page, origin) == []
    assert not page.get_by_text(ATTRIBUTION).count()


def test_with_tiles_on_every_map_asks_for_the_configured_style(app, page):
    origin = app[0]
    page.goto(origin)
    settled(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    steps = {"weekly_review": lambda: sidebar.get_by_text("Basemap tiles (needs the internet)").click(),
             # the sidebar's page links keep the session, and with it the switch
             "explorer": lambda: sidebar.get_by_text("Hotspot explorer", exact=True).click(),
             "patrol_plan": lambda: sidebar.get_by_text("Patrol plan", exact=True).click()}
    for name, step in steps.items():
        before = page.requests.count(STYLE_URL)
        step()
        settled(page)
        page.locator(MAPS).first.wait_for(timeout=90_000)
        page.locator(MAPS).first.scroll_into_view_if_needed()
        for _ in range(60):  # the style is asked for as the map is drawn
            if page.requests.count(STYLE_URL) > before:
                break
            page.wait_for_timeout(500)
        assert page.requests.count(STYLE_URL) > before, f"the map on {name} did not ask for the configured style"
        page.get_by_text(ATTRIBUTION).first.wait_for(timeout=30_000)
        page.screenshot(path=str(page.shots / f"maps_tiles_on_{name}.png"), full_page=True)
    assert outside(page, origin) == [STYLE_URL]
