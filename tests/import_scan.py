"""What a module imports, read from its source (AST): the guard tests of layers and of the simulator use it."""

from __future__ import annotations

import ast
from pathlib import Path


def imported_top_levels(path: Path) -> set[str]:
    """Every top-level package a module imports, at any depth (a function-level import counts too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names
