"""House rules that code review alone would miss: the layers, no import cycles, Streamlit only
at the top, no print in the core, thin pages, every package installed, every module documented.

The layers, lowest first (a module imports only from its own layer or lower ones, and
packages of one layer do not import each other):

    base      errors, labels, locations, periods, validation, configfile, configwords, formulaguard,
              engine (top-level modules)
    geo       the incident table, time, the workspace, its area and import log
    intake    incoming files: CSV text, dates, readers, the ingest, the import into a workspace
    boundaries
    hotspots
    surfaces  candidate surfaces, the backtest that chooses one, micro-places
    core      ranking, actions, evaluation, patrol (independent of each other)
    reports   exports, the PDF pack, static maps (may draw ranking's lists and patrol plans)
    pipeline  the edge: reads the workspace and the action log, runs the core
    front     ui, cli
    entry     __main__ (``python -m hotspot_tasking``: runs the cli)
    pages     app.py, app_pages/
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "hotspot_tasking"
BASE = {"__init__", "errors", "labels", "locations", "periods", "validation", "configfile", "configwords",
        "formulaguard", "default_config", "engine"}
LAYERS = [BASE, {"geo"}, {"intake"}, {"boundaries"}, {"hotspots"}, {"surfaces"},
          {"ranking", "actions", "evaluation", "patrol"}, {"reports"},
          {"pipeline"}, {"ui", "cli"}, {"__main__"}]
#: Packages allowed to import Streamlit and pydeck.
FRONT = {"ui"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in PKG.rglob("*.py")}


def imports_of(path: Path, name: str) -> set[str]:
    """Every module a file imports, at module level or inside functions (absolute names)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names}
    return found


def part(module: str) -> str:
    """The top-level part of the package a module belongs to (``ranking``, ``errors``, ...)."""
    bits = module.split(".")
    return bits[1] if len(bits) > 1 else "__init__"


def layer_of(module: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if part(module) in layer)


GRAPH = {m: {t for t in imports_of(p, m) if t in MODULES and t != m and not m.startswith(t + ".")}
         for m, p in MODULES.items()}


def test_every_package_has_a_layer():
    unplaced = sorted({part(m) for m in MODULES} - set().union(*LAYERS))
    assert not unplaced, f"give {unplaced} a layer in tests/test_architecture.py (and the README)"


def test_imports_point_down_the_layers():
    wrong = []
    for module, targets in GRAPH.items():
        for target in targets:
            lo, hi = layer_of(target), layer_of(module)
            if lo > hi or (lo == hi and part(target) != part(module) and part(module) not in BASE):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the layers: " + "; ".join(sorted(wrong))


def test_no_import_cycles():
    sys.setrecursionlimit(10_000)
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len([c for c in component if MODULES[c].name != "__init__.py"]) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_the_checker_sees_a_cycle_and_a_wrong_layer(tmp_path):
    """The two rules above can fail: a graph with a cycle and an upward import is caught."""
    assert layer_of("hotspot_tasking.ranking.rank") > layer_of("hotspot_tasking.geo.workspace")
    assert layer_of("hotspot_tasking.pipeline.tasking") > layer_of("hotspot_tasking.reports.exports")
    sample = tmp_path / "hotspot_tasking" / "ranking" / "x.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("from ..pipeline import tasking\ndef f():\n    from ...hotspot_tasking.ui import cache\n")
    assert "hotspot_tasking.pipeline.tasking" in imports_of(sample, "hotspot_tasking.ranking.x")


@pytest.mark.parametrize("package", sorted(set().union(*LAYERS) - FRONT - BASE))
def test_streamlit_only_in_ui(package):
    for path in (PKG / package).rglob("*.py"):
        names = {n.split(".")[0] for n in imports_of(path, module_name(path))}
        assert not names & {"streamlit", "pydeck", "altair"}, f"{path} imports Streamlit, pydeck or altair"


def test_core_has_no_print_calls():
    for module, path in MODULES.items():
        if part(module) in FRONT | {"cli"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"]
        assert not calls, f"{path} calls print(); use logging or return values"


def test_pages_stay_thin():
    for path in (ROOT / "app_pages").glob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 120, f"{path.name} has {lines} lines; move work into the core or ui/"


def test_modules_and_packages_keep_their_size():
    sizes = {}
    for module, path in MODULES.items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        assert n <= 450, f"{path.relative_to(ROOT)} has {n} lines; split it by job"
        sizes[part(module)] = sizes.get(part(module), 0) + n
    big = {k: v for k, v in sizes.items() if v > 3500}
    assert not big, f"packages over 3,500 lines: {big}"


def test_every_package_is_listed_for_installation():
    import tomllib
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in PKG.rglob("__init__.py")}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"


def test_every_import_is_declared():
    """Third-party imports of the package are dependencies in pyproject.toml."""
    import tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = project["optional-dependencies"]["cluster"]  # the dask engine, imported only when it opens
    declared = {re.split(r"[<>=\[ ;]", d)[0].lower().replace("-", "_") for d in [*project["dependencies"], *optional]}
    names = {"psycopg": "psycopg", "pil": "pillow", "fpdf": "fpdf2", "sklearn": "scikit_learn",
             "yaml": "pyyaml", "distributed": "dask"}
    stdlib = set(sys.stdlib_module_names)
    missing = set()
    for module, path in MODULES.items():
        for name in imports_of(path, module):
            top = name.split(".")[0]
            if not top or top == "hotspot_tasking" or top in stdlib:
                continue
            dist = names.get(top.lower(), top.lower())
            if dist not in declared:
                missing.add(f"{top} ({path.relative_to(ROOT)})")
    assert not missing, f"declare in pyproject.toml: {sorted(missing)}"


def readme_rows() -> dict[str, str]:
    """The README architecture table's rows, keyed by the folder each describes."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Architecture"):]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `([^`]+/)` \|", line)
        if match:
            rows[match.group(1)] = line
    return rows


def test_every_module_is_in_the_readme():
    """The README's architecture table has a row per folder of the package naming each of its
    modules, so a newcomer can find every one."""
    rows = readme_rows()
    missing = []
    for path in MODULES.values():
        if path.name == "__init__.py":
            continue
        folder = path.parent.relative_to(ROOT).as_posix() + "/"
        if f"`{path.stem}`" not in rows.get(folder, ""):
            missing.append(f"{path.stem} (row `{folder}`)")
    assert not missing, f"add these modules to the README's architecture table: {missing}"


@pytest.mark.parametrize("package", ["ranking", "reports", "evaluation", "patrol"])
def test_the_core_reads_no_workspace_and_no_action_log(package):
    """Ranking, reports, evaluation and patrol plans take what they need as arguments; the
    workspace and the action log are read in the pipeline."""
    edge = {"hotspot_tasking.geo.workspace", "hotspot_tasking.intake.store", "hotspot_tasking.boundaries.store",
            "hotspot_tasking.actions.log", "hotspot_tasking.hotspots.run"}
    for path in (PKG / package).rglob("*.py"):
        module = module_name(path)
        reads = {t for t in imports_of(path, module) if t in edge or any(t.startswith(e + ".") for e in edge)}
        pure = {"hotspot_tasking.hotspots.run", "hotspot_tasking.hotspots.run.analyse",
                "hotspot_tasking.hotspots.run.HotspotRequest"}  # analyse reads nothing; run_hotspots does
        allowed = pure if module == "hotspot_tasking.ranking.candidates" else set()
        assert reads <= allowed, f"{path.relative_to(ROOT)} imports {sorted(reads - allowed)}: read it in pipeline/"
