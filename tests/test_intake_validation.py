"""Every public intake function checks its arguments first, in scikit-learn's wording:
TypeError for a wrong type, IntakeError (one sentence: what, where, the fix) for a wrong
value; nothing is read or written before the checks pass."""

import pytest
from conftest import COUNCIL, COUNCIL_MAPPING, tree_snapshot

from hotspot_tasking.geo import GeoError, Workspace
from hotspot_tasking.intake import IntakeError, ingest_files, read_incidents, reader_for
from hotspot_tasking.intake.ingest import derived_ids


def test_read_incidents_checks_its_arguments(taxonomy):
    reader = reader_for("council_asb", COUNCIL_MAPPING)
    with pytest.raises(TypeError, match=r"The 'paths' parameter of read_incidents must be a list of paths"):
        read_incidents(str(COUNCIL), reader, taxonomy=taxonomy)
    with pytest.raises(TypeError, match=r"The 'paths' parameter of read_incidents must be a list of paths \(str or "
                                        r"pathlib\.Path\); 1 item\(s\) are not, e\.g\. 3\."):
        read_incidents([COUNCIL, 3], reader, taxonomy=taxonomy)
    with pytest.raises(TypeError, match=r"The 'reader' parameter of read_incidents must be a Reader "
                                        r"\(hotspot_tasking\.intake\.reader_for\)\. Got 'council_asb' instead\."):
        read_incidents([COUNCIL], "council_asb", taxonomy=taxonomy)
    with pytest.raises(TypeError, match=r"The 'taxonomy' parameter of read_incidents must be a Taxonomy"):
        read_incidents([COUNCIL], reader, taxonomy=None)
    with pytest.raises(TypeError, match=r"The 'existing_ids' parameter of read_incidents must be a pandas Index or "
                                        r"None\. Got list instead\."):
        read_incidents([COUNCIL], reader, taxonomy=taxonomy, existing_ids=["ASB/16/01001"])
    with pytest.raises(TypeError, match=r"The 'raw' parameter of derived_ids must be a pandas DataFrame"):
        derived_ids(["a", "b"])


def test_ingest_files_checks_its_arguments_before_touching_the_workspace(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    before = tree_snapshot(ws.root)
    with pytest.raises(TypeError, match=r"The 'workspace' parameter of ingest_files must be a Workspace "
                                        r"\(Workspace\.open\)\. Got PosixPath instead\."):
        ingest_files(ws.root, [COUNCIL], "council_asb", mapping=COUNCIL_MAPPING)
    with pytest.raises(TypeError, match=r"The 'paths' parameter of ingest_files must be a list of paths "
                                        r"\(e\.g\. \['.*council.*'\]\)"):
        ingest_files(ws, COUNCIL, "council_asb", mapping=COUNCIL_MAPPING)
    with pytest.raises(TypeError, match=r"The 'source' parameter of ingest_files must be a str"):
        ingest_files(ws, [COUNCIL], None)
    with pytest.raises(TypeError, match=r"The 'mapping' parameter of ingest_files must be a path \(str or "
                                        r"pathlib\.Path\) or None\. Got 3 instead\."):
        ingest_files(ws, [COUNCIL], "council_asb", mapping=3)
    with pytest.raises(TypeError, match=r"The 'reader' parameter of ingest_files must be a Reader "
                                        r"\(hotspot_tasking\.intake\.reader_for\) or None\. Got 'fire' instead\."):
        ingest_files(ws, [COUNCIL], "fire", reader="fire")
    with pytest.raises(IntakeError, match=r"--source council_asb needs --mapping FILE"):
        ingest_files(ws, [COUNCIL], "council_asb")
    assert tree_snapshot(ws.root) == before and ws.imports == []


def test_intake_errors_are_geo_errors():
    """Callers that catch GeoError around an import (it also meets the workspace's and the
    taxonomy's errors) keep catching the readers' errors."""
    with pytest.raises(GeoError, match=r"unknown source 'police'"):
        reader_for("police")
    assert issubclass(IntakeError, GeoError)
