"""CRM's seams: others see only its wire contract, and its own modules import each other without a cycle."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import services.crm

CRM = Path(services.crm.__file__).parent
GATEWAY_MODULES = ("gateway.api.customers", "gateway.api.inquiries", "gateway.api.followups", "gateway.api.segments")


def modules_loaded_by(*imports: str) -> list[str]:
    """What importing these loads, in a fresh interpreter (this one has loaded everything already)."""
    code = (f"import sys; import {', '.join(imports)}; import json; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('services.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_gateway_loads_nothing_of_crm_but_its_wire_contract():
    crm = [m for m in modules_loaded_by(*GATEWAY_MODULES) if m.startswith("services.crm.")]
    assert crm and all(m.startswith("services.crm.wire") for m in crm), crm


def test_the_wire_contract_loads_no_models_and_no_database():
    loaded = modules_loaded_by("services.crm.wire")
    assert not [m for m in loaded if m.startswith("services.crm.") and not m.startswith("services.crm.wire")]
    assert not {"services.common.db", "services.common.unit_of_work", "services.common.outbox"} & set(loaded)


def _crm_imports(path: Path) -> tuple[set[str], list[int]]:
    """The services.crm modules a module imports, and the lines of any import not at its top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(CRM.parent.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    found, nested = set(), []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if id(node) not in top_level:
            nested.append(node.lineno)
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(filter(None, (base, node.module)))
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        found |= {name for name in names if name.startswith("services.crm.")}
    return found, nested


def test_crm_modules_import_at_the_top_and_without_a_cycle():
    files = {".".join(p.relative_to(CRM.parent.parent).with_suffix("").parts).removesuffix(".__init__"): p
             for p in CRM.rglob("*.py") if "migrations" not in p.parts}
    graph = {}
    for module, path in files.items():
        imports, nested = _crm_imports(path)
        assert not nested, f"{module} imports inside a function (lines {nested})"
        graph[module] = {m for m in imports if m in files and m != module}

    visiting, done = [], set()

    def visit(module):
        if module in visiting:
            raise AssertionError("import cycle: " + " -> ".join(visiting[visiting.index(module):] + [module]))
        if module not in done:
            visiting.append(module)
            for imported in sorted(graph[module]):
                visit(imported)
            visiting.pop()
            done.add(module)

    for module in sorted(graph):
        visit(module)
