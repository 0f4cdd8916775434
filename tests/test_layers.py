"""The layers keep to their lines: services/ never imports notifications/ or api/, notifications/ never imports
api/, and only the composition root (``composition.py``) imports every layer. Each package says in its
``__init__`` docstring what lives there. An AST scan, like ``tests/simulator/test_guards.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.import_scan import imported_top_levels

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"services": {"notifications", "api", "composition"}, "notifications": {"api", "composition"}}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    modules = sorted((ROOT / layer).rglob("*.py"))
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & FORBIDDEN[layer])
        for path in modules
        if imported_top_levels(path) & FORBIDDEN[layer]
    }
    assert offenders == {}
    assert len(modules) > 10  # the scan really walked the package


def test_only_the_composition_root_and_entry_points_import_it():
    importers = sorted(
        str(path.relative_to(ROOT))
        for layer in ("services", "notifications", "api", "simulator")
        for path in (ROOT / layer).rglob("*.py")
        if "composition" in imported_top_levels(path)
    )
    assert importers == []
    assert {"services", "notifications", "api"} <= imported_top_levels(ROOT / "composition.py")


def test_the_scan_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def later():\n    from notifications.dispatch import dispatch_job\n")
    assert "notifications" in imported_top_levels(module)


@pytest.mark.parametrize("layer", ["services", "notifications", "api"])
def test_every_package_says_what_lives_there(layer):
    packages = [path.parent for path in (ROOT / layer).rglob("__init__.py")]
    for package in packages:
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
        assert doc, f"{package.relative_to(ROOT)} has no one-line description"
        first = doc.splitlines()[0]
        assert first.endswith(".") and len(first) <= 120, f"{package.relative_to(ROOT)}: {first!r}"
    assert len(packages) >= 2
