"""The tests' own layout stays as tests/helpers.py says: a test file imports the helper
modules (tests.helpers, tests.cdp), never another test file or conftest; no function is
written out twice; conftest holds only fixtures and hooks. Read with `ast`, never run."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent
#: The modules of tests/ that test files may import: helpers, not tests.
HELPER_MODULES = {"helpers", "cdp"}


def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), filename=str(path))


def _imported(tree: ast.Module) -> set[str]:
    """Every module an import anywhere in `tree` names, dotted: `from tests import x` and
    `from . import x` name tests.x, and `from .x import y` names tests.x."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = "tests" + (f".{module}" if module else "")
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


def _local(name: str) -> str | None:
    """The module of tests/ a dotted name is (`tests.x`, or `x` as pytest's rootdir import sees it)."""
    parts = name.split(".")
    stem = parts[1] if len(parts) == 2 and parts[0] == "tests" else parts[0] if len(parts) == 1 else None
    return stem if stem and (TESTS / f"{stem}.py").is_file() else None


def _wrong_imports(tree: ast.Module) -> list[str]:
    """The modules of tests/ other than the helpers that `tree` imports."""
    return sorted({stem for name in _imported(tree) if (stem := _local(name)) and stem not in HELPER_MODULES})


#: A body this size (in syntax-tree nodes) is logic, not a call with its arguments: written out
#: again under another name, it is still a copy (a one-line snapshot of a folder is about 40).
LOGIC = 20


def _twice(trees: dict[str, ast.Module]) -> dict[str, list[str]]:
    """Functions with the same body (docstring aside) in more than one place, by their names:
    the same name and body, or the same body of LOGIC nodes or more under any names."""
    places: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    size: dict[str, int] = {}
    for where, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = ast.Module(body=node.body[1:] if ast.get_docstring(node) is not None else node.body,
                                  type_ignores=[])
                key = ast.dump(body)
                places[key].append((node.name, f"{where}:{node.lineno}"))
                size[key] = sum(1 for _ in ast.walk(body))
    found: dict[str, list[str]] = {}
    for key, seen in places.items():
        names = [name for name, _ in seen]
        for name, at in seen:
            if names.count(name) > 1 or (len(seen) > 1 and size[key] >= LOGIC):
                found.setdefault(name, []).append(at)
    return found


def test_test_files_import_no_other_test_file_nor_conftest() -> None:
    wrong = {path.name: found for path in sorted(TESTS.glob("test_*.py")) if (found := _wrong_imports(_parsed(path)))}
    assert wrong == {}, "move what they share to tests/helpers.py"


def test_no_function_is_defined_twice() -> None:
    """The same body in two places of tests/, under one name (or, for real logic, under any),
    is one helper written out twice: it belongs in tests/helpers.py, once."""
    assert _twice({path.name: _parsed(path) for path in sorted(TESTS.glob("*.py"))}) == {}


def test_conftest_holds_only_fixtures_and_hooks() -> None:
    """Plain helpers and constants live in tests/helpers.py, where test files can import them."""
    def allowed(node: ast.stmt) -> bool:
        if isinstance(node, ast.Import | ast.ImportFrom):
            return True
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return True  # the docstring
        return isinstance(node, ast.FunctionDef) and (
            node.name.startswith("pytest_") or any("fixture" in ast.dump(d) for d in node.decorator_list))

    assert [f"conftest.py:{node.lineno}" for node in _parsed(TESTS / "conftest.py").body if not allowed(node)] == []


def test_every_helper_says_why_it_exists() -> None:
    undocumented = [f"helpers.py:{node.lineno}: {node.name}" for node in _parsed(TESTS / "helpers.py").body
                    if isinstance(node, ast.FunctionDef) and not ast.get_docstring(node)]
    assert undocumented == []


def test_the_checks_see_what_they_are_there_to_refuse() -> None:
    imports = ast.parse("from tests.test_gias import gias_csv\nimport tests.conftest\nfrom . import test_report\n"
                        "from .test_paths import outside\nimport conftest\n"
                        "from tests import helpers\nfrom tests.helpers import git\nfrom .cdp import Browser\n"
                        "import os\n\ndef f():\n    from tests.test_fuzz import FILES\n")
    assert _wrong_imports(imports) == ["conftest", "test_fuzz", "test_gias", "test_paths", "test_report"]
    snap = "    return {p.name: p.read_bytes() for p in sorted(root.rglob('*')) if p.is_file()}\n"
    twice = _twice({"a.py": ast.parse("def f(x):\n    'Why.'\n    return x + 1\n"),
                    "b.py": ast.parse("def f(x):\n    return x + 1\n\ndef g(x):\n    return x + 1\n"),
                    "c.py": ast.parse(f"def f(x):\n    return x + 2\n\ndef _files(root):\n{snap}"),
                    "d.py": ast.parse(f"def _tree(root):\n{snap}")})
    assert twice == {"f": ["a.py:1", "b.py:1"], "_files": ["c.py:4"], "_tree": ["d.py:1"]}
