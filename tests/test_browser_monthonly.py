"""Every page in Chromium on a workspace of police.uk files only (month-only dates): the City of
London's street files for September 2016 to August 2017 and its 2014 wards, built with the
CLI as a person would. No page shows an exception or a chart that needs a time of day the
records do not give; each says so in a sentence instead.

Marked ``browser``. Screenshots go to $HOTSPOT_SCREENSHOTS (default: the test's tmp folder).
"""

import os
from pathlib import Path

import pytest
from browser import chromium, need_browser, running_app
from conftest import city_year_workspace

pytestmark = pytest.mark.browser
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
#: url path -> (heading, a sentence the page shows on month-only data)
PAGES = {
    "": ("Weekly review", "has a time of day (police.uk gives months only)"),
    "explorer": ("Hotspot explorer", "Hotspot explorer"),
    "patrol_plan": ("Patrol plan", "are not split by shift"),
    "area_comparison": ("Area comparison", "No hour-of-week grid"),
    "exports": ("Exports", "Exports"),
    "data": ("Data", "Data"),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    need_browser()
    tmp = tmp_path_factory.mktemp("city_browser")
    with running_app(city_year_workspace(tmp)) as url:
        yield url, tmp


@pytest.fixture(scope="module")
def page(app):
    shots = Path(os.environ.get("HOTSPOT_SCREENSHOTS", "") or app[1] / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1366, "height": 768})
        tab.shots = shots
        yield tab


@pytest.mark.parametrize("url_path", list(PAGES))
def test_every_page_renders_on_police_uk_months(app, page, url_path):
    heading, sentence = PAGES[url_path]
    page.goto(f"{app[0]}/{url_path}")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)
    page.get_by_text(sentence).first.wait_for(timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0, f"an exception is shown on {heading}"
    page.screenshot(path=str(page.shots / f"city_{url_path or 'weekly_review'}.png"), full_page=True)


def test_the_weekly_review_offers_months_and_no_time_of_day_panels(app, page):
    page.goto(app[0])
    page.get_by_role("heading", name="Weekly review").first.wait_for(timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)
    page.get_by_text("Weekly review needs dates finer than a month").first.wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Week").count() == 0  # weeks are not offered
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.locator("[role='gridcell']").first.wait_for(state="attached", timeout=60_000)
    headers = grid.locator("th").all_text_contents()  # the grid's text is in its hidden table
    assert "status" in headers and "peak band" not in headers and "peak days and hours" not in headers
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 52)  # the first place
    page.get_by_text("so there is no hour-of-week grid").first.wait_for(timeout=60_000)
    page.wait_for_function(IDLE, timeout=120_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(page.shots / "city_weekly_review_place.png"), full_page=True)
