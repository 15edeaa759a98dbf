"""In a real browser, street names that are Markdown or HTML stay text: the weekly review with
the payload place selected, the explorer and the patrol plan of its ward make no request to the
address the payloads hold, and hold no link or image to it. Marked ``browser``."""

from __future__ import annotations

import shutil

import pytest
from browser import ROOT, chromium, need_browser, running_app
from streamlit.testing.v1 import AppTest
from test_text_safety import LINK, MAPPING, _ward_of_link, _write_payloads

from hotspot_tasking import DEMO_WORKSPACE
from hotspot_tasking.cli import main
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.patrol import patrol_areas

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    need_browser()
    root = tmp_path_factory.mktemp("browser_textsafe") / "demo"
    shutil.copytree(DEMO_WORKSPACE, root)
    data = _write_payloads(root.parent / "payloads.csv")
    assert main(["ingest", str(root), "--source", "council_asb", "--mapping", str(MAPPING), str(data)]) == 0
    return root


def link_place_id(workspace, monkeypatch) -> str:
    """The weekly review's tasking id of the place the link payload names (its default period)."""
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("app_pages/weekly_review.py").run()
    table = at.dataframe[0].value
    return table.loc[table["place"].astype(str).str.contains(LINK, regex=False), "tasking_id"].iloc[0]


def wait_rendered(page, heading: str) -> None:
    page.get_by_role("heading", name=heading).first.wait_for(timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_timeout(1500)
    assert page.locator("[data-testid='stException']").count() == 0, f"an exception is shown on {heading}"


def shows(page, text: str) -> bool:
    """The page's visible text holds ``text`` (read without the invisible word joiners)."""
    return text in page.evaluate("() => document.body.innerText.replaceAll('\\u2060', '')")


def assert_nothing_from_evil(page, requests: list[str], where: str) -> None:
    assert not [u for u in requests if "evil.example" in u], where
    assert page.locator('a[href*="evil.example"]').count() == 0, where
    assert page.locator('img[src*="evil.example"]').count() == 0, where


def test_the_payload_place_is_text_on_the_review_the_explorer_and_the_patrol_plan(workspace, monkeypatch):
    need_browser()  # skip before the slow set-up when there is no browser
    tid = link_place_id(workspace, monkeypatch)
    layer, code = _ward_of_link(workspace)
    ward = patrol_areas(Workspace.open(workspace))[layer][code]
    requests: list[str] = []
    with running_app(workspace) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: requests.append(r.url))

        page.goto(f"{url}/?place={tid}")
        wait_rendered(page, "Weekly review")
        page.get_by_text("Record a decision for", exact=False).first.wait_for(timeout=90_000)
        assert shows(page, LINK)  # the heading and the form name it as written
        assert_nothing_from_evil(page, requests, "weekly review")

        page.goto(f"{url}/explorer")
        wait_rendered(page, "Hotspot explorer")
        assert_nothing_from_evil(page, requests, "explorer")

        page.goto(f"{url}/patrol_plan")
        wait_rendered(page, "Patrol plan")
        page.locator("[data-testid='stSelectbox']").filter(has_text="Area layer").first.click()
        page.get_by_role("option", name=layer, exact=True).click()
        wait_rendered(page, "Patrol plan")
        page.locator("[data-testid='stSelectbox']").filter(has_text="Area").nth(1).click()
        page.get_by_role("option", name=ward, exact=True).click()
        wait_rendered(page, "Patrol plan")
        page.get_by_text("The plan in words").first.click()
        page.wait_for_timeout(1000)
        assert shows(page, LINK)
        assert_nothing_from_evil(page, requests, "patrol plan")
    assert requests  # the recorder saw the pages' own requests
