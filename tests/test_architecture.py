"""House rules that code review alone would miss."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("geo", "boundaries", "hotspots", "tasking")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", CORE)
def test_core_never_imports_streamlit(package):
    for path in (ROOT / "hotspot_tasking" / package).rglob("*.py"):
        assert not imported_modules(path) & {"streamlit", "pydeck"}, f"{path} imports Streamlit or pydeck"


def test_core_has_no_print_calls():
    for package in CORE:
        for path in (ROOT / "hotspot_tasking" / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"]
            assert not calls, f"{path} calls print(); use logging or return values"


def test_pages_stay_thin():
    for path in (ROOT / "app_pages").glob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 120, f"{path.name} has {lines} lines; move work into the core or ui/"


def test_every_package_is_listed_for_installation():
    import tomllib
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "hotspot_tasking").rglob("__init__.py")}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"
