"""Uploads are saved under generated names in a private folder, never where the browser's
file name points; that name is recorded as text only. Through the saving function, the
import and the Data page (AppTest)."""

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from shown import shown
from streamlit.testing.v1 import AppTest

from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.intake.errors import IntakeError
from hotspot_tasking.intake.ingest import read_incidents
from hotspot_tasking.intake.readers import reader_for
from hotspot_tasking.intake.store import ingest_files
from hotspot_tasking.ui.importer import MAX_UPLOAD_BYTES, import_upload, save_upload, upload_name

FIXTURES = Path(__file__).parent / "fixtures"
POLICE_CSV = FIXTURES / "police_uk" / "city_of_london" / "2014-10-city-of-london-street.csv"
ROUTER = "../app.py"
DATA_PAGE = "app_pages/data.py"


def hostile_names(outside: Path) -> list[str]:
    """Names a browser may send: traversal, absolute, Windows, reserved, long, control, Markdown."""
    up = "../" * 12
    return [f"{up}{str(outside).lstrip('/')}/rel_pwned.csv", f"{outside}/abs_pwned.csv", "C:\\evil\\x.csv",
            "con.csv", "a" * 296 + ".csv", "nul\x00byte.csv", "new\nline\r.csv", "[md](http://evil.example).csv",
            "", ".csv", "UPPER.CSV", "x.csv.gz", "..", "/"]


@pytest.fixture
def outside(tmp_path):
    """A folder the traversal names point into; it must stay empty."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """The temporary folders the importer makes go here, so what it leaves can be listed."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_save_upload_writes_only_generated_names_in_the_private_folder(outside):
    names = hostile_names(outside)
    with tempfile.TemporaryDirectory() as tmp:
        assert stat.S_IMODE(os.stat(tmp).st_mode) == 0o700
        saved = [save_upload(name.encode(), name, tmp) for name in names]
        assert sorted(os.listdir(tmp)) == sorted(p.name for p in saved)
        for path, name in zip(saved, names, strict=True):
            assert path.parent == Path(tmp)
            assert path.name.startswith("upload-") and len(path.stem) == len("upload-") + 32
            assert path.suffix in (".csv", ".gz", ".zip")
            assert path.read_bytes() == name.encode()
    assert [p.suffix for p in saved[-4:-2]] == [".csv", ".gz"]  # lowercased, allow-listed
    assert list(outside.iterdir()) == []
    assert not Path("C:\\evil\\x.csv").exists() and not Path("con.csv").exists()


def test_upload_name_is_text_of_at_most_255_characters():
    assert upload_name("../../a/rel_pwned.csv") == "../../a/rel_pwned.csv"
    assert upload_name("nul\x00new\nline.csv") == "nul\ufffdnew\ufffdline.csv"
    assert upload_name("\u202egpj.csv") == "\ufffdgpj.csv"
    long = upload_name("a" * 296 + ".csv")
    assert len(long) == 255 and long.endswith("…")
    assert upload_name("") == "upload"
    with pytest.raises(TypeError, match="The 'name' parameter of upload_name must be a str"):
        upload_name(b"x.csv")


def test_importing_hostile_names_writes_nothing_outside_and_records_the_name(tmp_path, outside, private_tmp):
    ws = Workspace.create(tmp_path / "ws")
    data = POLICE_CSV.read_bytes()
    names = [n for n in hostile_names(outside) if not n.endswith(".gz")]  # a .gz is read as gzip
    for name in names:
        import_upload(ws, data, name, "police_uk", reader=reader_for("police_uk"))
        assert list(private_tmp.iterdir()) == []  # the private folder is gone after each import
    assert list(outside.iterdir()) == []
    recorded = [r.files[0].name for r in Workspace.open(ws.root).imports]
    assert recorded == [upload_name(n) for n in names]
    assert recorded[0].endswith("/outside/rel_pwned.csv") and recorded[7] == "[md](http://evil.example).csv"
    assert all(r.rows_read == 119 for r in Workspace.open(ws.root).imports)
    assert not any("upload-" in name for name in recorded)


def test_a_failed_import_names_the_upload_not_the_saved_file(tmp_path, private_tmp):
    ws = Workspace.create(tmp_path / "ws")
    with pytest.raises(IntakeError) as caught:
        import_upload(ws, b"not,a\npolice,file\n", "[md](http://evil.example).csv", "police_uk",
                      reader=reader_for("police_uk"))
    assert "[md](http://evil.example).csv" in str(caught.value) and "upload-" not in str(caught.value)
    with pytest.raises(IntakeError) as caught:
        import_upload(ws, b"PK\x05\x06" + bytes(18), "month.zip", "police_uk", reader=reader_for("police_uk"))
    assert "month.zip" in str(caught.value) and "upload-" not in str(caught.value)
    assert Workspace.open(ws.root).imports == []
    assert list(private_tmp.iterdir()) == []


def test_names_are_validated(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    path = tmp_path / "saved.csv"
    shutil.copy(POLICE_CSV, path)
    with pytest.raises(TypeError, match="The 'names' parameter of ingest_files must be a mapping of path to str"):
        ingest_files(ws, [path], "police_uk", names=["x.csv"])
    with pytest.raises(TypeError, match="must map paths"):
        ingest_files(ws, [path], "police_uk", names={path: 3})
    with pytest.raises(IntakeError, match="300 characters long, over the 255 allowed; shorten it"):
        ingest_files(ws, [path], "police_uk", names={path: "a" * 300})
    with pytest.raises(IntakeError, match="'other.csv', which is not one of the 1 paths"):
        ingest_files(ws, [path], "police_uk", names={tmp_path / "other.csv": "x.csv"})
    taxonomy = ws.taxonomy()
    result = read_incidents([path], reader_for("police_uk"), taxonomy=taxonomy, names={str(path): "a\tb.csv"})
    assert [f.name for f in result.report.files] == ["a\ufffdb.csv"]
    assert set(result.rejects["file"]) <= {"a\ufffdb.csv"}
    plain = read_incidents([path], reader_for("police_uk"), taxonomy=taxonomy)
    assert [f.name for f in plain.report.files] == ["saved.csv"]


def test_a_zip_is_recorded_under_its_upload_name(tmp_path, private_tmp):
    ws = Workspace.create(tmp_path / "ws")
    data = (FIXTURES / "police_uk" / "city-of-london-archive.zip").read_bytes()
    report = import_upload(ws, data, "../../archive.zip", "police_uk", reader=reader_for("police_uk"))
    assert report.files and all(f.name.startswith("../../archive.zip:") for f in report.files)


# The Data page, through AppTest


@pytest.fixture
def data_page(demo_copy, monkeypatch):
    monkeypatch.setenv("HOTSPOT_WORKSPACE", str(demo_copy))
    at = AppTest.from_file(ROUTER, default_timeout=90).run()
    at.switch_page(DATA_PAGE).run()
    assert not at.exception
    return at


def test_the_upload_limit_is_the_config_figure(data_page):
    assert MAX_UPLOAD_BYTES == 200 * 1_000_000
    assert "Up to 200 MB here" in data_page.file_uploader[0].help


def test_the_data_page_imports_a_hostile_name_as_text(data_page, demo_copy, outside, private_tmp):
    at = data_page
    before = len(Workspace.open(demo_copy).imports)
    name = "../" * 12 + str(outside).lstrip("/") + "/[rel](http://evil.example)_pwned.csv"
    at.selectbox(key="import_source").set_value("police_uk").run()
    at.file_uploader[0].set_value((name, POLICE_CSV.read_bytes(), "text/csv"))
    at.run()
    at.button(key="import_go").click().run()
    assert not at.exception and not at.error
    assert list(outside.iterdir()) == [] and list(private_tmp.iterdir()) == []
    imports = Workspace.open(demo_copy).imports
    assert len(imports) == before + 1 and imports[-1].files[0].name == name
    status = at.get("status")[-1].label
    assert status.startswith("Imported ") and "\\[rel\\]\\(http" in status  # escaped: no link
    assert shown(status) == f"Imported {name}"
    assert at.success and at.success[0].value.startswith("Import ")


def test_a_failed_import_shows_its_reason_in_view(data_page, demo_copy, private_tmp):
    at = data_page
    before = len(Workspace.open(demo_copy).imports)
    at.selectbox(key="import_source").set_value("police_uk").run()
    at.file_uploader[0].set_value(("[x](http://evil.example).csv", b"not,a\npolice,file\n", "text/csv"))
    at.run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "\\[x\\]\\(http" in at.error[0].value
    assert "[x](http://evil.example).csv" in shown(at.error[0].value)
    assert at.get("status")[-1].label.startswith("Import of ")
    assert len(Workspace.open(demo_copy).imports) == before
    assert list(private_tmp.iterdir()) == []
