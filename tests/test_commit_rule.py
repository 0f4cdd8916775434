"""The commit rule (``services/db.py``): whoever opens a session commits it; a function given a session commits it
only when its ``def`` line says so with ``@commits``. An AST scan of services/, notifications/ and api/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("services", "notifications", "api")


def _opened_here(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names the function binds itself (``with … as session``, ``session = …``): sessions it opened."""
    bound: set[str] = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            bound.add(node.optional_vars.id)
        elif isinstance(node, ast.Assign):
            bound.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return bound


def _own_nodes(function):
    """The function's nodes, without descending into functions defined inside it (they are scanned on their own)."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _marked(function) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "commits" for d in function.decorator_list)


def _committed_names(function) -> list[str]:
    """What the function calls ``.commit()`` on, as source text."""
    return [
        ast.unparse(node.func.value)
        for node in _own_nodes(function)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
    ]


def _functions():
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{path.relative_to(ROOT)}:{node.name}", node


def test_a_function_commits_only_what_it_opened_unless_marked():
    offenders, scanned = [], 0
    for name, function in _functions():
        scanned += 1
        opened = _opened_here(function)
        foreign = [target for target in _committed_names(function) if target not in opened]
        if foreign and not _marked(function):
            offenders.append(f"{name} commits {', '.join(sorted(set(foreign)))}")
    assert offenders == [], "mark these @commits (services.db) or leave the commit to whoever opened the session"
    assert scanned > 300  # the scan really walked the layers


def _marked_names() -> set[str]:
    return {function.name for _, function in _functions() if _marked(function)}


def _calls_marked_with_a_given_session(function, marked: set[str]) -> list[str]:
    """Calls of a ``@commits`` function that pass on a session this function did not open (it commits it too)."""
    opened = _opened_here(function)
    found = []
    for node in _own_nodes(function):
        if not isinstance(node, ast.Call):
            continue
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        passed = [arg.id for arg in [*node.args, *(k.value for k in node.keywords)] if isinstance(arg, ast.Name)]
        if called in marked and any(name == "session" and name not in opened for name in passed):
            found.append(called)
    return found


def test_a_function_that_hands_its_session_to_a_committing_one_is_marked_too():
    marked = _marked_names()
    offenders = [
        f"{name} calls {', '.join(sorted(set(calls)))}"
        for name, function in _functions()
        if not _marked(function) and (calls := _calls_marked_with_a_given_session(function, marked))
    ]
    assert offenders == []


def test_every_function_marked_commits_does_commit():
    marked = _marked_names()
    idle = [
        name
        for name, function in _functions()
        if _marked(function) and not _committed_names(function) and not _calls_marked(function, marked)
    ]
    assert idle == []


def _calls_marked(function, marked: set[str]) -> bool:
    """A marked function may commit through another marked one (``attempt.refuse(...)``, ``refresh_session``)."""
    for node in _own_nodes(function):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if called in marked:
                return True
    return False
