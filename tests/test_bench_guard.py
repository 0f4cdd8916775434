"""Benchmarks drive the hub from outside: no bench script imports the hub or the tests, and make bench runs them all.

They start the hub's own processes (alembic, ``flask sandbox seed-load``, gunicorn) and read what happened over
HTTP or from the database; importing the hub would measure something else (one process, no HTTP) and tie the
benchmarks to its insides. ``simulator`` is a separate app the hub only reaches over HTTP, so a benchmark of the
simulator itself may import it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.import_scan import imported_top_levels

BENCH = Path(__file__).resolve().parent.parent / "bench"
HUB = {"api", "services", "notifications", "tests", "composition", "config", "wsgi", "celery_worker", "migrations"}


def test_no_benchmark_imports_the_hub_or_the_tests():
    scripts = sorted(BENCH.rglob("*.py"))  # bench/load/ (Locust against make stack) too
    assert len(scripts) >= 5  # harness, run_all and the benchmarks: the glob is looking in the right place
    offenders = {str(path.relative_to(BENCH)): sorted(imported_top_levels(path) & HUB) for path in scripts}
    assert {name: hub for name, hub in offenders.items() if hub} == {}


def test_make_bench_runs_every_benchmark_script():
    tree = ast.parse((BENCH / "run_all.py").read_text())
    listed = next(
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "BENCHMARKS"
    )
    scripts = {path.name for path in BENCH.glob("*.py")} - {"harness.py", "run_all.py", "__init__.py"}
    assert {script for script, _arguments in listed} == scripts
    assert "bench/run_all.py" in (BENCH.parent / "Makefile").read_text()
