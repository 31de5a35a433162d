"""The apps stand in one order (README, "Kodens upplägg"): a lower app never imports a higher one,
and no import hides inside a function to get round that."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["finsam", "budgets", "insatser", "plans", "followup"]  # lowest first


def _modules():
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING",):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(path: Path):
    """(imported app, line, whether inside a function) for each import of one of our apps."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_lines(tree)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    inside = {
        line for f in functions for line in range(f.body[0].lineno, (f.end_lineno or f.lineno) + 1)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            app = name.split(".")[0]
            if app in ORDER and node.lineno not in typing_only:
                yield app, node.lineno, node.lineno in inside


@pytest.mark.parametrize(("app", "path"), list(_modules()), ids=lambda v: str(v))
def test_no_module_imports_a_higher_app(app, path):
    rank = ORDER.index(app)
    higher = [
        f"{path.relative_to(ROOT)}:{line} imports {other}"
        for other, line, _ in _imports(path)
        if ORDER.index(other) > rank
    ]
    assert higher == []


@pytest.mark.parametrize(("app", "path"), list(_modules()), ids=lambda v: str(v))
def test_no_import_of_another_app_hides_in_a_function(app, path):
    lazy = [
        f"{path.relative_to(ROOT)}:{line} imports {other} inside a function"
        for other, line, in_function in _imports(path)
        if in_function and other != app
    ]
    assert lazy == []
