"""The real flow in a real browser: every page, a filter change, an import, a decision, a download.

Marked ``browser`` (deselected by default; CI runs ``pytest -m browser``). Screenshots of
every page go to $HOTSPOT_SCREENSHOTS (default: the test's tmp folder).
"""

import os
from pathlib import Path

import pytest
from browser import ROOT, chromium, copy_demo, need_browser, running_app

pytestmark = pytest.mark.browser
PAGES = {  # url path -> text the page shows when it has rendered
    "": "Weekly review",
    "explorer": "Hotspot explorer",
    "patrol_plan": "Patrol plan",
    "area_comparison": "Area comparison",
    "exports": "Exports",
    "data": "Data",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    need_browser()
    workspace = copy_demo(tmp_path_factory.mktemp("browser") / "ws")
    with running_app(workspace) as url:
        yield url, workspace


@pytest.fixture(scope="module")
def page(app):
    shots = Path(os.environ.get("HOTSPOT_SCREENSHOTS", "") or app[1].parent / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        tab.shots = shots
        yield tab


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    page.locator("[data-testid='stSelectbox']").filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def wait_rendered(page, text: str) -> None:
    page.get_by_role("heading", name=text).first.wait_for(timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_timeout(1500)
    assert page.locator("[data-testid='stException']").count() == 0, f"an exception is shown on {text}"


@pytest.mark.parametrize("url_path,title", list(PAGES.items()))
def test_every_page_renders_without_an_exception(app, page, url_path, title):
    page.goto(f"{app[0]}/{url_path}")
    wait_rendered(page, title)
    page.screenshot(path=str(page.shots / f"{url_path or 'home'}.png"), full_page=True)


def test_changing_the_band_updates_the_explorer(app, page):
    page.goto(f"{app[0]}/explorer")
    wait_rendered(page, "Hotspot explorer")
    choose(page, "Time band", "Night-time economy")
    page.get_by_text("time band: Night-time economy").first.wait_for(timeout=60_000)
    wait_rendered(page, "Hotspot explorer")
    page.screenshot(path=str(page.shots / "explorer_nte.png"), full_page=True)


def test_importing_a_file_through_the_data_page(app, page):
    page.goto(f"{app[0]}/data")
    wait_rendered(page, "Data")
    page.get_by_role("tab", name="Import").click()
    choose(page, "What is the file?", "fire")
    sample = ROOT / "tests" / "fixtures" / "fire" / "MODIFIED_lfb_sample_with_motive.csv"
    page.locator("input[type='file']").set_input_files(str(sample))
    page.get_by_role("button", name="Import").click()
    # 12 are not fires; the 2009 fires elsewhere in London are far outside the demo's area
    page.get_by_text("(fire): 20 rows read = 3 accepted + 17 rejected").first.wait_for(timeout=60_000)
    page.screenshot(path=str(page.shots / "data_import.png"), full_page=True)


def test_downloading_an_export(app, page):
    page.goto(f"{app[0]}/exports")
    wait_rendered(page, "Exports")
    page.get_by_role("button", name="Build CSV").click()
    button = page.get_by_role("button", name="Download csv")
    button.wait_for(timeout=90_000)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    saved = page.shots / info.value.suggested_filename
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Rank,") or "rank" in text.splitlines()[0].lower()
    assert len(text.splitlines()) > 2
    page.screenshot(path=str(page.shots / "exports.png"), full_page=True)


def test_recording_a_decision_on_the_weekly_review(app, page):
    page.goto(app[0])
    wait_rendered(page, "Weekly review")
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 52)  # the first row's selection box
    page.get_by_role("button", name="Record decision").wait_for(timeout=60_000)
    view = page.url  # the page address holds the view: week or month, the period, the method, the place
    assert all(f"{name}=" in view for name in ("every", "period", "method", "place")), view
    page.get_by_label("Action agreed").fill("High-visibility patrols Fri-Sat 21:00-03:00")
    page.get_by_label("Owner role").fill("Neighbourhood sergeant")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Recorded action 1 for #1").first.wait_for(timeout=60_000)
    status = "[role='gridcell']"
    grid.locator(status, has_text="tasked this period: Open").first.wait_for(state="attached", timeout=60_000)
    page.screenshot(path=str(page.shots / "weekly_review_decision.png"), full_page=True)
    from hotspot_tasking.actions.log import ActionLog
    with ActionLog.open(app[1]) as log:
        actions = log.actions_for()
    assert len(actions) == 1 and actions["owner_role"].item() == "Neighbourhood sergeant"

    # a reload opens the same view: the same period and place, its status read from the log
    page.reload()
    page.get_by_text("Record a decision for #1").first.wait_for(timeout=90_000)
    assert page.url == view
    page.locator("[data-testid='stDataFrame']").first.locator(status, has_text="tasked this period: Open") \
        .first.wait_for(state="attached", timeout=60_000)  # the grid's text is in its hidden table
    page.screenshot(path=str(page.shots / "weekly_review_reloaded.png"), full_page=True)
