"""Uploads with hostile names in a real browser: the import works, nothing is written where
the name points, and the name is shown and recorded as text.

Marked ``browser`` (deselected by default; CI runs ``pytest -m browser``).
"""

import json

import pytest
from browser import ROOT, chromium, copy_demo, need_browser, running_app

from hotspot_tasking.geo.workspace import Workspace

pytestmark = pytest.mark.browser
POLICE_CSV = ROOT / "tests" / "fixtures" / "police_uk" / "city_of_london" / "2014-10-city-of-london-street.csv"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    need_browser()
    workspace = copy_demo(tmp_path_factory.mktemp("browser_uploads") / "ws")
    with running_app(workspace) as url:
        yield url, workspace


@pytest.fixture(scope="module")
def page(app):
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1400, "height": 1000})


def test_hostile_upload_names_import_without_writing_where_they_point(app, page, tmp_path):
    url, workspace = app
    outside = tmp_path / "outside"
    outside.mkdir()
    names = ["../" * 12 + f"{str(outside).lstrip('/')}/rel_pwned.csv", f"{outside}/abs_pwned-street.csv"]
    before = len(Workspace.open(workspace).imports)
    page.goto(f"{url}/data")
    page.get_by_role("heading", name="Data").first.wait_for(timeout=90_000)
    page.get_by_role("tab", name="Import").click()
    for name in names:
        page.locator("input[type='file']").set_input_files(
            {"name": name, "mimeType": "text/csv", "buffer": POLICE_CSV.read_bytes()})
        # the upload is sent in the background: until the uploader lists this file, the Import
        # button standing from the last import would import the last file again
        page.locator(f"[data-testid='stFileChipName'][title={json.dumps(name)}]").wait_for(timeout=60_000)
        page.wait_for_timeout(1_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
        page.get_by_role("button", name="Import").click()
        # the report's lines under the table name the file as sent, as plain text
        page.get_by_text(f"{name}: 119 read", exact=False).first.wait_for(timeout=60_000)
        page.get_by_text(f"Imported {name}", exact=False).first.wait_for(timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert list(outside.iterdir()) == []
    assert not (outside / "rel_pwned.csv").exists() and not (outside / "abs_pwned-street.csv").exists()
    imports = Workspace.open(workspace).imports
    assert [r.files[0].name for r in imports[before:]] == names
    assert all(r.rows_read == 119 for r in imports[before:])
