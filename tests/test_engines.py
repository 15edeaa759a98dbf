"""The dask engine gives the local engine's answers exactly: KDE cells, DBSCAN clusters, rankings and ids.

A ``LocalCluster`` of two worker processes runs the strips; the local engine runs the same
work whole, in this process. The demo's records get a dense cluster placed across a strip
cut, and the tests check that a cluster and a hotspot do cross a cut, so the stitching is
exercised, not assumed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hotspot_tasking.engine import LOCAL, EngineChoice, current_engine, open_engine, using
from hotspot_tasking.geo.aoristic import band_weights
from hotspot_tasking.geo.idindex import id_keys
from hotspot_tasking.geo.workspace import Workspace
from hotspot_tasking.hotspots.dbscan import _locations, dbscan
from hotspot_tasking.hotspots.kde import kde
from hotspot_tasking.partitions import dbscan_rule, kde_sums
from hotspot_tasking.partitions.kde_sums import reach_cells, strip_cuts
from hotspot_tasking.pipeline.tasking import ranked_list
from hotspot_tasking.ranking.request import TaskingRequest

DEMO = "data/demo"


@pytest.fixture(scope="module")
def cluster():
    """A dask engine on a LocalCluster of two single-threaded worker processes."""
    with open_engine(EngineChoice(kind="dask", workers=2)) as engine:
        assert engine.workers == 2
        yield engine


@pytest.fixture(scope="module")
def month() -> pd.DataFrame:
    """The demo's May 2018, with a dense cluster of 400 records placed across a DBSCAN strip cut."""
    ws = Workspace.open(DEMO)
    inc = ws.incidents()
    inc = inc[inc["occurred_from"].dt.strftime("%Y-%m") == "2018-05"].reset_index(drop=True)
    x = np.sort(inc["easting"].unique())
    cut_x = x[len(x) // 4]  # the first of a 4-strip cut falls near here (strips of equal location counts)
    rng = np.random.default_rng(7)
    blob = inc.sample(400, random_state=1).reset_index(drop=True)
    blob["easting"] = np.round(cut_x + rng.normal(0, 60, len(blob)), 0)
    blob["northing"] = np.round(inc["northing"].median() + rng.normal(0, 60, len(blob)), 0)
    blob["incident_id"] = [f"placed-{i}" for i in range(len(blob))]
    return pd.concat([inc, blob], ignore_index=True)


def test_kde_in_strips_is_the_whole_grid_bit_for_bit(cluster, month):
    whole = kde(month, cell_size_m=50, method="exact")
    with using(cluster):
        strips = kde(month, cell_size_m=50, method="exact")
    assert np.array_equal(whole.density, strips.density)
    assert whole.card.parameters == strips.card.parameters and whole.card.data == strips.card.data
    # a hotspot crosses a strip cut: the stitching is tested, not assumed
    spots = whole.hotspots()
    cuts = strip_cuts(np.floor((month["easting"].to_numpy() - whole.grid.x0) / 50), whole.grid.nx,
                      cluster.workers * kde_sums.STRIPS_PER_WORKER)
    assert len(cuts) > 2
    left = (spots.bounds["minx"] - whole.grid.x0) / 50
    right = (spots.bounds["maxx"] - whole.grid.x0) / 50
    assert any(((left < k) & (right > k)).any() for k in cuts[1:-1])
    assert len(whole.hotspots()) == len(strips.hotspots())


def test_weighted_kde_in_strips_is_the_whole_grid_bit_for_bit(cluster, month):
    weights = band_weights(month, "nte")  # fractional aoristic weights
    whole = kde(month, cell_size_m=25, weights=weights, method="exact", kernel="epanechnikov")
    with using(cluster):
        strips = kde(month, cell_size_m=25, weights=weights, method="exact", kernel="epanechnikov")
    assert np.array_equal(whole.density, strips.density)


@pytest.mark.parametrize("kernel", ["quartic", "uniform"])
def test_window_sums_stitch_for_any_cuts(kernel):
    rng = np.random.default_rng(3)
    u, v = rng.uniform(-90, 3090, 30_000), rng.uniform(-90, 2090, 30_000)
    w = rng.integers(1, 4, len(u)).astype(float) / 3

    class Grid:
        cell_size_m, nx, ny = 25.0, 120, 80

    whole = kde_sums.exact(u, v, w, 90.0, Grid, kernel, engine=LOCAL)
    near = (u > -90) & (u < 3090) & (v > -90) & (v < 2090) & (w != 0)
    block = np.arange(int(near.sum())) // 1000  # small blocks: many blocks per strip
    parts = [kde_sums.window_sums(u[near], v[near], w[near], block, 90.0, 25.0, 80, (c0, c1), kernel)
             for c0, c1 in [(0, 7), (7, 61), (61, 62), (62, 120)]]
    small = kde_sums.window_sums(u[near], v[near], w[near], block, 90.0, 25.0, 80, (0, 120), kernel)
    assert np.array_equal(np.hstack(parts), small)
    assert np.allclose(small, whole, rtol=1e-12, atol=0)  # other blocks: the same sums up to rounding
    assert reach_cells(90.0, 25.0) == 5


def test_dbscan_in_strips_is_the_whole_data_exactly(cluster, month):
    whole = dbscan(month)
    with using(cluster):
        strips = dbscan(month)
    assert current_engine() is LOCAL  # the engine is current only inside the block
    assert whole.labels.equals(strips.labels)
    pd.testing.assert_frame_equal(whole.clusters.drop(columns=["hull", "outline"]),
                                  strips.clusters.drop(columns=["hull", "outline"]))
    assert whole.clusters["outline"].equals(strips.clusters["outline"])  # united in tasks on the cluster
    assert len(whole.clusters) >= 2 * cluster.workers  # so the outlines are cut into several tasks
    assert whole.card.parameters == strips.card.parameters
    # the placed cluster crosses a strip cut
    _, x, _ = _locations(month["easting"].to_numpy(float), month["northing"].to_numpy(float))
    bounds = np.linspace(0, len(x), cluster.workers * dbscan_rule.STRIPS_PER_WORKER + 1).round().astype(int)
    cut_x = x[bounds[1:-1]]
    spans = month.groupby(whole.labels.to_numpy())["easting"].agg(["min", "max"]).drop(index=-1, errors="ignore")
    assert any(((spans["min"] < c) & (spans["max"] > c)).any() for c in cut_x)


def test_weighted_dbscan_in_strips_is_the_whole_data_exactly(cluster, month):
    weights = band_weights(month, "nte")
    whole = dbscan(month, weights=weights, min_weight=6.5)
    with using(cluster):
        strips = dbscan(month, weights=weights, min_weight=6.5)
    assert whole.labels.equals(strips.labels)
    assert len(whole.clusters) > 1


def test_dbscan_rule_in_many_strips_matches_scikit_learn_on_sorted_locations():
    from sklearn.cluster import DBSCAN

    from hotspot_tasking.engine import Engine

    class Serial(Engine):  # strips as on a cluster of five, run one by one in this process
        kind, workers = "in-process strips", 5

    rng = np.random.default_rng(11)
    centres = rng.uniform(0, 3000, (25, 2))
    pts = np.round(np.concatenate([c + rng.normal(0, 70, (120, 2)) for c in centres] +
                                  [rng.uniform(0, 3000, (1500, 2))]), 0)
    inverse, x, y = _locations(pts[:, 0], pts[:, 1])
    weight = np.bincount(inverse).astype(float)
    want = DBSCAN(eps=100, min_samples=12, algorithm="kd_tree").fit(np.c_[x, y], sample_weight=weight).labels_
    whole = dbscan_rule.dbscan_labels(x, y, weight, 100.0, 12, engine=LOCAL)
    strips = dbscan_rule.dbscan_labels(x, y, weight, 100.0, 12, engine=Serial())
    assert np.array_equal(whole, want) and np.array_equal(strips, want)
    assert want.max() >= 10


@pytest.mark.parametrize("request_", [
    TaskingRequest(period="2018-05"),
    TaskingRequest(period="2018-05", method="dbscan"),
    TaskingRequest(period="2018-06-04", band="nte"),
], ids=["surface", "dbscan", "week-nte"])
def test_tasking_list_on_the_cluster_is_the_local_list(cluster, request_):
    ws = Workspace.open(DEMO)
    from distributed import get_task_stream

    local = ranked_list(ws, request_, previous=None)
    with using(cluster), get_task_stream(cluster.client) as stream:
        remote = ranked_list(ws, request_, previous=None)
    assert any(str(task["key"]).startswith(("_strip", "_period_field")) for task in stream.data)  # work ran there
    assert len(local.frame) > 5
    pd.testing.assert_frame_equal(pd.DataFrame(local.frame).drop(columns="geometry"),
                                  pd.DataFrame(remote.frame).drop(columns="geometry"))
    assert local.frame.geometry.equals(remote.frame.geometry)


def test_workspace_points_on_the_cluster_are_the_records_counted_once(cluster):
    from hotspot_tasking.partitions.points import workspace_points

    ws = Workspace.open(DEMO)
    inc = ws.incidents(start="2018-01-01", end="2018-03-31")
    want = inc.groupby(["easting", "northing"]).size().rename("incidents").reset_index()
    local = workspace_points(ws, start="2018-01-01", end="2018-03-31", engine=LOCAL)
    with using(cluster):
        remote = workspace_points(ws, start="2018-01-01", end="2018-03-31")
    pd.testing.assert_frame_equal(local, remote)
    pd.testing.assert_frame_equal(local, want, check_dtype=False)
    assert local["incidents"].sum() == len(inc)


def _import_both(tmp_path, cluster, paths, source, **options):
    """The same files imported into two new workspaces, locally and with a task per file on the cluster."""
    from hotspot_tasking.intake.store import ingest_files

    out = []
    for name, engine in (("local", LOCAL), ("cluster", cluster)):
        ws = Workspace.create(tmp_path / name)
        with using(engine):
            report = ingest_files(ws, paths, source, **options)
        out.append((Workspace.open(ws.root), report))
    return out


def _same_import(local, remote):
    (ws_a, rep_a), (ws_b, rep_b) = local, remote
    drop = ["import_id"]
    pd.testing.assert_frame_equal(ws_a.incidents().drop(columns=drop), ws_b.incidents().drop(columns=drop))
    pd.testing.assert_frame_equal(ws_a.quarantine().drop(columns=drop), ws_b.quarantine().drop(columns=drop))
    assert rep_a.format().replace(rep_a.import_id, "ID") == rep_b.format().replace(rep_b.import_id, "ID")
    assert ws_a.summary().by_month.equals(ws_b.summary().by_month)
    a, b = ws_a.id_set(rep_a.source), ws_b.id_set(rep_b.source)
    keys = id_keys(ws_a.incidents()["incident_id"])
    assert a.contains(*keys).all() and b.contains(*keys).all() and len(a) == len(b)
    months = lambda ws: [p.relative_to(ws.root).parent.as_posix() for p in ws.data_files]  # noqa: E731
    assert sorted(set(months(ws_a))) == sorted(set(months(ws_b)))


def test_an_import_on_the_cluster_is_the_local_import(tmp_path, cluster):
    from tests.conftest import FIXTURES, POLICE_DIR

    year = FIXTURES / "police_uk" / "city-of-london-2016-09-to-2017-08.zip"
    both = _import_both(tmp_path, cluster, [POLICE_DIR, year], "police_uk")
    _same_import(*both)
    ws, report = both[1]
    assert report.rows_accepted > 5_000 and len(report.files) > 12, report.format()


def test_ids_repeated_across_files_are_rejected_as_the_local_import_rejects_them(tmp_path, cluster):
    from tests.conftest import POLICE_DIR

    month = sorted(POLICE_DIR.rglob("*.csv"))[-1]
    lines = month.read_text(encoding="utf-8").splitlines(keepends=True)
    halves = tmp_path / "halves"
    halves.mkdir()
    middle = len(lines) // 2
    (halves / f"a-{month.name}").write_text("".join(lines[:middle]), encoding="utf-8")
    (halves / f"b-{month.name}").write_text(lines[0] + "".join(lines[middle:]), encoding="utf-8")
    again = tmp_path / "again"
    again.mkdir()
    (again / month.name).write_text("".join(lines), encoding="utf-8")  # the month again: its ids are repeats
    both = _import_both(tmp_path, cluster, [halves, again], "police_uk")
    _same_import(*both)
    ws, report = both[1]
    assert report.rejected_by_reason.get("duplicate id", 0) > 50
    assert any(p.stem.endswith("-00001") for p in ws.data_files)  # a partition written by two file tasks


def test_a_council_csv_in_pieces_on_the_cluster_is_the_local_import(tmp_path, cluster):
    from tests.conftest import COUNCIL, COUNCIL_MAPPING

    _same_import(*_import_both(tmp_path, cluster, [COUNCIL], "council_asb", mapping=COUNCIL_MAPPING))


def test_assigning_every_record_on_the_cluster_is_the_local_assignment(tmp_path, cluster, monkeypatch):
    import shutil

    from hotspot_tasking.boundaries import pointcache
    from hotspot_tasking.boundaries.store import assign_workspace, with_areas

    monkeypatch.setattr(pointcache, "ASSIGN_CHUNK", 2_000)  # the demo's 15,000 points in several tasks
    answers = []
    for name, engine in (("local", LOCAL), ("cluster", cluster)):
        ws = Workspace.open(shutil.copytree(DEMO, tmp_path / name, ignore=shutil.ignore_patterns("cache")))
        with using(engine):
            answers.append(assign_workspace(ws))
        month = ws.incidents(start="2018-05-01", end="2018-05-31")
        answers.append(with_areas(ws, month, h3_resolutions=None))  # read from the cache the command kept
    pd.testing.assert_frame_equal(answers[0], answers[2])
    pd.testing.assert_frame_equal(answers[1], answers[3])
    assert answers[0]["records"].sum() == len(Workspace.open(DEMO).incidents(columns=["easting"]))


def test_the_cli_runs_on_a_running_cluster_given_its_address(cluster):
    from tests.conftest import run_cli

    address = cluster.client.scheduler.address
    local = run_cli("backtest", DEMO, "--period", "2018-05")
    remote = run_cli("backtest", DEMO, "--period", "2018-05", "--scheduler", address)
    first, rest = remote.stdout.split("\n", 1)
    assert first.startswith(f"Engine: dask on {address}, 2 workers")
    assert rest == local.stdout


@pytest.mark.parametrize("period", ["month", "week", ("2017-06-01", "2017-08-31")])
def test_area_statistics_on_the_cluster_are_the_whole_table_s(tmp_path, cluster, period):
    import shutil

    from hotspot_tasking.boundaries.stats import area_stats
    from hotspot_tasking.boundaries.store import area_layers, incidents_with_areas, population
    from hotspot_tasking.geo.reads import file_runs
    from hotspot_tasking.partitions.area_sums import workspace_area_stats

    ws = Workspace.open(shutil.copytree(DEMO, tmp_path / "ws", ignore=shutil.ignore_patterns("cache")))
    assert len(file_runs(ws.data_files, cluster.workers)) > 2  # the table is added up from several tasks' parts
    table = incidents_with_areas(ws)
    for layer in ("lsoa_2011", "nte_zones_illustrative"):
        codes = list(area_layers(ws)[layer][1]["code"])
        want = area_stats(table, table[layer], period=period, areas=codes, population=population(ws, layer))
        local = workspace_area_stats(ws, layer, period=period, engine=LOCAL)
        remote = workspace_area_stats(ws, layer, period=period, engine=cluster)
        for got in (local, remote):
            pd.testing.assert_frame_equal(got, want, check_exact=True)
            assert got.attrs == want.attrs
        assert want["count"].sum() + want.attrs["outside"] > 0
    cache = next(p for p in (ws.root / "cache").glob("point-areas-*.parquet") if "h3_8" not in pd.read_parquet(p))
    pd.read_parquet(cache).iloc[::2].to_parquet(cache)  # half the points unknown: as after a new import
    pd.testing.assert_frame_equal(workspace_area_stats(ws, "lsoa_2011", period=period, engine=cluster),
                                  area_stats(table, table["lsoa_2011"], period=period,
                                             areas=list(area_layers(ws)["lsoa_2011"][1]["code"]),
                                             population=population(ws, "lsoa_2011")), check_exact=True)
    assert len(pd.read_parquet(cache)) == table.groupby(["easting", "northing", "longitude", "latitude"]).ngroups
