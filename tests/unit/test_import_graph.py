"""The kernel and each service import their own modules without a cycle, counting imports inside
functions too (a deferred import hides a cycle, it does not remove it); a service imports its own
modules at the top, where a cycle shows."""
import ast
from pathlib import Path

import pytest

from services.common.config import REPO_ROOT

PACKAGES = ["services/common", *(f"services/{name}" for name in ("crm", "itinerary", "ticketing", "contracts", "feedback"))]


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph(package: str) -> dict[str, set[str]]:
    """module -> the modules of the same package it imports (migrations aside: Alembic loads them)."""
    root = REPO_ROOT / package
    files = [p for p in root.rglob("*.py") if "migrations" not in p.relative_to(root).parts]
    modules = {_module_name(p): p for p in files}
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in _imports(path, module):
            # `from . import x` names a module or a symbol: keep whichever is a module here.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and not module.startswith(name + "."):
                targets.add(name)
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_finder_sees_a_cycle_through_a_deferred_import():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle(package):
    cycle = find_cycle(import_graph(package))
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("package", PACKAGES[1:])  # the kernel's healthcheck defers nameko for the gateway's check
def test_a_service_imports_its_own_modules_at_the_top(package):
    nested = []
    for path in (REPO_ROOT / package).rglob("*.py"):
        if "migrations" in path.relative_to(REPO_ROOT / package).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        own = package.replace("/", ".")
        for node in ast.walk(tree):
            if id(node) in top_level or not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            if (isinstance(node, ast.ImportFrom) and node.level) or any(n.startswith(own) for n in names):
                nested.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert not nested, f"imports of the service's own modules inside a function: {nested}"
