"""``hotspot-tasking tasking`` on a copy of the demo: the list, its storage, what changed, exports."""

import re

import openpyxl
import pyogrio
import pytest

from hotspot_tasking.cli import main
from hotspot_tasking.errors import TaskingError
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.pipeline.store import load_tasking_list, stored_lists
from hotspot_tasking.ranking.request import TaskingRequest


def test_two_months_store_lists_keep_ids_and_say_what_changed(demo_copy, tmp_path, capsys):
    assert main(["tasking", str(demo_copy), "--period", "2017-06", "--top", "8"]) == 0
    june = capsys.readouterr().out
    assert june.startswith("Tasking list for 2017-06 (All times): 8 places.")
    assert "What changed: no earlier list of this question" in june  # the first list has nothing to compare with
    outs = [tmp_path / f"july.{ext}" for ext in ("csv", "xlsx", "gpkg")]
    args = ["tasking", str(demo_copy), "--period", "2017-07", "--top", "8"]
    assert main(args + [a for o in outs for a in ("--out", str(o))]) == 0
    july = capsys.readouterr().out
    assert "What changed since 2017-06:" in july
    assert all(o.exists() for o in outs)
    sheets = openpyxl.load_workbook(outs[1], read_only=True).sheetnames
    assert {"Tasking list", "Method cards", "Suppressed", "About"} <= set(sheets)
    assert "tasking_list" in dict(pyogrio.list_layers(outs[2]))
    assert len(stored_lists(Workspace.open(demo_copy))) == 2
    # places listed in both months kept their ids
    june_ids = {line.split()[1] for line in june.splitlines()[2:10]}
    july_ids = {line.split()[1] for line in july.splitlines()[2:10]}
    assert june_ids & july_ids


def test_area_candidates_and_no_save(demo_copy, capsys):
    before = len(stored_lists(Workspace.open(demo_copy)))
    assert main(["tasking", str(demo_copy), "--period", "2017-07", "--candidates", "ward", "--top", "5",
                 "--no-save"]) == 0
    out = capsys.readouterr().out
    assert "W-E050" in out
    assert len(stored_lists(Workspace.open(demo_copy))) == before


def test_a_bad_period_is_one_sentence(demo_copy, capsys):
    assert main(["tasking", str(demo_copy), "--period", "July"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


def test_method_parameters_reach_the_hotspot_method_and_its_card(demo_copy, capsys):
    assert main(["tasking", str(demo_copy), "--period", "2017-05", "--band", "nte", "--bandwidth-m", "300",
                 "--cell-size-m", "50"]) == 0
    out = capsys.readouterr().out.splitlines()
    # bands printed by their labels from time_bands.toml, never their ids
    assert out[0].startswith("Tasking list for 2017-05 (Night-time economy): ")
    table = "\n".join(out[1:out.index(next(line for line in out if line.startswith("Caveat")))])
    assert "Night-time economy" in table and not re.search(r"\b(nte|daytime|overnight|after_school)\b", table)
    stored = load_tasking_list(Workspace.open(demo_copy),
                               TaskingRequest("2017-05", band="nte", bandwidth_m=300, cell_size_m=50))
    surface = next(c for c in stored.cards if c.method == "surface")
    assert surface.parameters["bandwidth_m"] == 300 and surface.rules["bandwidth_m"] == "given"
    assert surface.parameters["cell_size_m"] == 50 and surface.rules["cell_size_m"] == "given"
    with pytest.raises(TaskingError, match="no hotspot tasking list for 2017-05 .nte. with this request's method"):
        load_tasking_list(Workspace.open(demo_copy), TaskingRequest("2017-05", band="nte"))  # another question


def test_lists_of_two_methods_are_stored_side_by_side_and_compared_apart(demo_copy, capsys):
    for period in ("2017-06", "2017-07"):
        assert main(["tasking", str(demo_copy), "--period", period, "--method", "dbscan", "--top", "5"]) == 0
    dbscan = capsys.readouterr().out
    stored = stored_lists(Workspace.open(demo_copy))
    assert (stored["period"] == "2017-07").sum() >= 2 and stored["name"].is_unique
    assert "What changed: no earlier list of this question" in dbscan  # June's surface list is another question
    assert "What changed since 2017-06:" in dbscan


def test_a_bad_method_parameter_is_one_sentence(demo_copy, capsys):
    assert main(["tasking", str(demo_copy), "--period", "2017-05", "--eps-m", "-5", "--no-save"]) == 2
    assert "The 'eps_m' parameter of TaskingRequest must be a float in the range (0.0, inf). Got -5.0 instead." in \
        capsys.readouterr().err
