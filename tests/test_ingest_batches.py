"""An import read a batch at a time, large files cut into pieces, gives what one read of the
whole gives: the same accepted rows, rejected rows, row numbers, derived ids and report; and
the workspace's id index finds what is already imported without loading the incidents."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import (
    API_GZ,
    CITY_AREA,
    COUNCIL,
    COUNCIL_MAPPING,
    DRINKING,
    DRINKING_MAPPING,
    FIRE,
    LAMBETH_WANDSWORTH_AREA,
    POLICE_DIR,
    POLICE_RELAID,
    POLICE_ZIP,
)

from hotspot_tasking.geo import Workspace
from hotspot_tasking.geo.idindex import IdSet, id_keys
from hotspot_tasking.geo.reads import SUMMARY_COLUMNS, summarise
from hotspot_tasking.geo.taxonomy import Taxonomy
from hotspot_tasking.intake import ingest_files, reader_for
from hotspot_tasking.intake.ingest import stream_incidents
from hotspot_tasking.intake.pieces import pieces
from hotspot_tasking.intake.textfiles import parse_csv

TAXONOMY = Taxonomy.load()


def streamed(paths, source, *, area=None, mapping=None, piece_bytes, batch_bytes, existing=None):
    """What stream_incidents hands over, joined: (accepted, rejects, report, batches)."""
    accepted, rejects = [], []
    report = stream_incidents([str(p) for p in paths], reader_for(source, mapping), taxonomy=TAXONOMY, area=area,
                              import_id="test-import", existing=existing, piece_bytes=piece_bytes,
                              batch_bytes=batch_bytes, on_batch=lambda a, r, k: (accepted.append(a), rejects.append(r)))
    table = pd.concat(accepted, ignore_index=True)
    rejected = pd.concat([r for r in rejects if len(r)], ignore_index=True) if any(len(r) for r in rejects) else None
    return table, rejected, report, len(accepted)


def the_same(whole, cut) -> None:
    pd.testing.assert_frame_equal(whole[0], cut[0])
    if whole[1] is None:
        assert cut[1] is None
    else:
        pd.testing.assert_frame_equal(whole[1], cut[1], check_dtype=False)
    a, b = whole[2].to_dict(), cut[2].to_dict()
    a.pop("started"), b.pop("started")
    assert a == b


CASES = {
    "police.uk City files (identical ASB rows, derived ids)": ([*sorted(POLICE_DIR.glob("*.csv"))], "police_uk",
                                                                 CITY_AREA, None),
    "police.uk relaid Met month (out-of-area rows, shared Crime IDs)": ([POLICE_RELAID], "police_uk", CITY_AREA, None),
    "police.uk archive zip": ([POLICE_ZIP], "police_uk", CITY_AREA, None),
    "police.uk API gzip": ([API_GZ], "police_uk_api", LAMBETH_WANDSWORTH_AREA, None),
    "council Windows-1252 with every reject reason": ([COUNCIL], "council_asb", LAMBETH_WANDSWORTH_AREA,
                                                       COUNCIL_MAPPING),
    "street drinking with a byte-order mark": ([DRINKING], "street_drinking", LAMBETH_WANDSWORTH_AREA,
                                                DRINKING_MAPPING),
    "fire": ([FIRE], "fire", None, None),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("piece_bytes, batch_bytes", [(700, 1), (3_000, 10_000)])
def test_pieces_and_batches_give_what_one_read_gives(case, piece_bytes, batch_bytes):
    paths, source, area, mapping = CASES[case]
    whole = streamed(paths, source, area=area, mapping=mapping, piece_bytes=1 << 40, batch_bytes=1 << 40)
    cut = streamed(paths, source, area=area, mapping=mapping, piece_bytes=piece_bytes, batch_bytes=batch_bytes)
    assert whole[3] == 1
    if batch_bytes == 1 and (source != "police_uk" or len(paths) > 1):  # police.uk files are never cut
        assert cut[3] > 1
    the_same(whole, cut)


def council_file(path: Path, *, blank_line: bool, two_line_value: bool) -> Path:
    """Forty council ASB rows (the fixture's layout) with a ragged row (21) and one with no
    location (26), and a byte-order mark; a blank line at row 13 or a quoted location over
    two lines in row 9, if asked; rows 30 and 31 identical and without a case reference."""
    lines = ["\ufeffCase Ref,Date Received,Time Received,ASB Type,Easting,Northing,Location,Ward"]
    for i in range(40):
        place = '"On or near\nTwo Lines"' if i == 7 and two_line_value else f"On or near Street {i}"
        ref = "" if i in (28, 29) else f"ASB/16/{i:05d}"
        street = "On or near Same Street" if i in (28, 29) else place
        day = 1 if i in (28, 29) else 1 + i % 27
        lines.append(f"{ref},{day:02d}/02/2016,12:00,Noise nuisance,528295,175993,{street},Shaftesbury")
    lines[20] = lines[20].replace("On or near", "On or near, a comma", 1)  # ragged
    lines[25] = lines[25].replace(",528295,175993,", ",,,")  # no location
    if blank_line:
        lines.insert(12, "")
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n")
    return path


@pytest.mark.parametrize("blank_line, two_line_value", [(True, False), (False, True)])
def test_a_file_cut_mid_way_keeps_row_numbers_quoted_line_breaks_and_derived_ids(tmp_path, blank_line,
                                                                                    two_line_value):
    """Cut every few rows: each rejected row keeps its spreadsheet row number, the quoted value
    stays whole, the identical rows without an id get -0 and -1 across pieces."""
    path = council_file(tmp_path / "asb.csv", blank_line=blank_line, two_line_value=two_line_value)
    kwargs = {"area": LAMBETH_WANDSWORTH_AREA, "mapping": COUNCIL_MAPPING}
    whole = streamed([path], "council_asb", piece_bytes=1 << 40, batch_bytes=1 << 40, **kwargs)
    cut = streamed([path], "council_asb", piece_bytes=300, batch_bytes=1, **kwargs)
    the_same(whole, cut)
    assert cut[3] > 5
    shift = 1 if blank_line else 0
    rows = dict(zip(cut[1]["reason"], cut[1]["row"].astype(int)))
    assert rows == {"malformed row": 21 + shift, "no location": 26 + shift}
    assert (cut[0]["location_text"] == "On or near\nTwo Lines").sum() == int(two_line_value)
    derived = sorted(i for i in cut[0]["incident_id"] if i.startswith("h"))
    assert [d[-2:] for d in derived] == ["-0", "-1"] and derived[0][:-2] == derived[1][:-2]
    assert cut[2].files[0].encoding == "utf-8-sig"


def test_pieces_cut_at_line_breaks_outside_quotes_only():
    data = b'a,b\n1,"x\ny"\n2,z\n3,"p\nq\nr"\n4,w\n'
    got = list(pieces(data, piece_bytes=5))
    assert all(p.data.startswith(b"a,b\n") for p in got)
    bodies = [p.data[4:] for p in got]
    assert b"".join(bodies) == data[4:]
    assert [len(parse_csv(p.data, "f.csv").frame) for p in got] == [1] * 4
    assert [p.first_row for p in got] == [2, 3, 4, 5]  # a spreadsheet's rows
    assert [p.last for p in got] == [False, False, False, True]
    assert len(list(pieces(b"a,b\n", piece_bytes=1))) == 1
    for size in (1, 3, 7, 100):  # read in blocks as a file is: the same pieces
        blocks = (data[i:i + size] for i in range(0, len(data), size))
        assert list(pieces(blocks, piece_bytes=5)) == got
    bom = b"\xef\xbb\xbf" + data
    assert all(p.data.startswith(b"\xef\xbb\xbfa,b\n") for p in pieces(iter([bom]), piece_bytes=5))


def test_id_set_against_a_python_set():
    rng = np.random.default_rng(1)
    stored = [f"id-{i}" for i in rng.integers(0, 5_000, 3_000)]
    ids = IdSet()
    for start in range(0, 3_000, 170):  # batches of uneven sizes, many runs
        ids.add(*id_keys(stored[start:start + 170]))
    asked = [f"id-{i}" for i in range(6_000)] + ["", "id-1" * 50]
    expected = np.array([a in set(stored) for a in asked])
    assert (ids.contains(*id_keys(asked)) == expected).all()
    assert len(ids) == 3_000  # repeats kept, harmlessly


def ws_with(tmp_path: Path, name: str) -> Workspace:
    return Workspace.create(tmp_path / name, area=CITY_AREA)


def test_a_workspace_import_in_batches_stores_what_one_batch_stores(tmp_path):
    files = [*sorted(POLICE_DIR.glob("*.csv")), POLICE_RELAID]
    one = ws_with(tmp_path, "one")
    ingest_files(one, files, "police_uk")
    many = ws_with(tmp_path, "many")
    reader = reader_for("police_uk")
    many.write_import(lambda sink: stream_incidents(files, reader, taxonomy=many.taxonomy(), area=many.area,
                                                    existing=many.id_set("police_uk"), piece_bytes=2_000,
                                                    batch_bytes=5_000, on_batch=sink.add))
    cols = [c for c in one.incidents().columns if c != "import_id"]
    pd.testing.assert_frame_equal(one.incidents()[cols], many.incidents()[cols])
    pd.testing.assert_frame_equal(one.quarantine().drop(columns="import_id"),
                                  many.quarantine().drop(columns="import_id"))
    assert [Path(f).parent.relative_to(one.root) for f in one.data_files] == \
        [Path(f).parent.relative_to(many.root) for f in many.data_files]
    again = ingest_files(many, files, "police_uk")
    first = one.imports[0]
    assert again.rows_accepted == 0
    already = first.rows_accepted + first.rejected_by_reason["duplicate id"]  # checked before repeats
    assert again.rejected_by_reason["already imported"] == already


def test_an_import_stored_before_id_indexes_is_still_found(tmp_path):
    """A workspace whose import log has no id index (made by an earlier version) reads the
    import's ids from its data files."""
    ws = ws_with(tmp_path, "old")
    first = ingest_files(ws, [POLICE_ZIP], "police_uk")
    manifest = json.loads((ws.root / "workspace.json").read_text())
    index = manifest["imports"][0].pop("id_index_file")
    (ws.root / index).unlink()
    (ws.root / "workspace.json").write_text(json.dumps(manifest))
    old = Workspace.open(ws.root)
    assert len(old.id_set("police_uk")) == first.rows_accepted
    assert len(old.id_set("fire")) == 0
    again = ingest_files(old, [POLICE_ZIP], "police_uk")
    already = first.rows_accepted + first.rejected_by_reason.get("duplicate id", 0)  # checked before repeats
    others = {k: v for k, v in first.rejected_by_reason.items() if k != "duplicate id"}
    assert again.rows_accepted == 0 and again.rejected_by_reason == {"already imported": already, **others}
    upgraded = Workspace.open(ws.root)  # the import gave the older one its id index and counts
    entry = json.loads((ws.root / "workspace.json").read_text())["imports"][0]
    assert (ws.root / entry["id_index_file"]).is_file() and (ws.root / entry["counts_file"]).is_file()
    assert len(upgraded.id_set("police_uk")) == first.rows_accepted
    read = summarise(upgraded.incidents(SUMMARY_COLUMNS), upgraded.imports)
    pd.testing.assert_frame_equal(upgraded.summary().by_month, read.by_month)
    assert upgraded.summary().month_only == read.month_only == first.rows_accepted


def test_a_failed_import_leaves_no_index_or_parts(tmp_path):
    ws = ws_with(tmp_path, "fail")
    bad = tmp_path / "bad.zip"
    shutil.copy(POLICE_ZIP, bad)
    with zipfile.ZipFile(bad, "a") as archive:
        archive.writestr("2099-01/2099-01-city-of-london-street.csv", b"")  # an empty member: cannot be read
    with pytest.raises(Exception, match="empty"):
        ingest_files(ws, [bad], "police_uk")
    assert not any((ws.root / "incidents").rglob("*.parquet"))
    assert not (ws.root / "index").exists() or not any((ws.root / "index").iterdir())
    assert not (ws.root / "_staging").exists() or not any((ws.root / "_staging").iterdir())
    assert Workspace.open(ws.root).imports == []


def test_the_summary_from_stored_counts_is_the_summary_from_the_incidents(tmp_path):
    """``status`` reads each import's counts, not the incidents; the figures are the same, and a
    workspace whose import log lacks them (an earlier version's) counts the incidents."""
    ws = Workspace.create(tmp_path / "ws", area=LAMBETH_WANDSWORTH_AREA)
    ingest_files(ws, [API_GZ], "police_uk_api")
    ingest_files(ws, [COUNCIL], "council_asb", mapping=COUNCIL_MAPPING)
    ingest_files(ws, [API_GZ], "police_uk_api")  # nothing accepted: no counts
    assert [bool(r.counts_file) for r in ws.imports] == [True, True, False]
    counted = ws.summary()
    read = summarise(ws.incidents(SUMMARY_COLUMNS), ws.imports)
    for name in ("by_source", "by_category", "by_month"):
        pd.testing.assert_frame_equal(getattr(counted, name), getattr(read, name))
    assert (counted.incidents, counted.month_only, counted.first, counted.last, counted.rows_read,
            counted.rejected_by_reason) == (read.incidents, read.month_only, read.first, read.last, read.rows_read,
                                            read.rejected_by_reason)
    assert 0 < counted.month_only < counted.incidents  # police.uk API months, council times
    manifest = json.loads((ws.root / "workspace.json").read_text())
    del manifest["imports"][1]["counts_file"]
    (ws.root / "workspace.json").write_text(json.dumps(manifest))
    pd.testing.assert_frame_equal(Workspace.open(ws.root).summary().by_month, read.by_month)


def test_deleted_index_files_are_read_around_then_written_again(tmp_path):
    """Someone deletes ``index/``: the summary counts the rows and the next import finds what is
    already imported from the data files, with no traceback, and writes the files again."""
    ws = Workspace.create(tmp_path / "ws", area=CITY_AREA)
    first = ingest_files(ws, [POLICE_ZIP], "police_uk")
    expected = ws.summary()
    shutil.rmtree(ws.root / "index")
    (ws.root / "index").mkdir()
    (ws.root / first.counts_file).write_bytes(b"not parquet")
    opened = Workspace.open(ws.root)
    pd.testing.assert_frame_equal(opened.summary().by_month, expected.by_month)
    assert len(opened.id_set("police_uk")) == first.rows_accepted
    again = ingest_files(opened, [POLICE_ZIP], "police_uk")
    assert again.rows_accepted == 0
    assert (ws.root / first.id_index_file).is_file()
    assert len(pd.read_parquet(ws.root / first.counts_file)) > 0
