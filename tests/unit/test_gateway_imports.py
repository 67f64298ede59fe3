"""The gateway depends on each service's published contract only: its wire module, which stands
alone.

Anything else of a service (schemas, rules, models) is the service's to change; a gateway that
imports it breaks when the service is refactored, and loads its ORM models for nothing.
"""
import ast
import json
import re
import subprocess
import sys

import pytest

from services.common.config import REPO_ROOT, SERVICES

GATEWAY = REPO_ROOT / "gateway"
CONTRACT = re.compile(rf"^services\.({'|'.join(SERVICES)})\.wire(\..+)?$")
OF_A_SERVICE = re.compile(rf"^services\.({'|'.join(SERVICES)})(\..+)?$")


def reaches_into_a_service(module: str) -> bool:
    return bool(OF_A_SERVICE.match(module)) and not CONTRACT.match(module)


def imported_modules(tree: ast.AST):
    """(line, module) for every absolute import, at module level or inside a function: for
    `from package import name` both `package.name` is what is reached (name may be a module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if OF_A_SERVICE.match(node.module) and not CONTRACT.match(node.module) \
                    and node.module.count(".") == 1:
                # `from services.crm import wire` is the contract; `... import schemas` is not.
                for alias in node.names:
                    yield node.lineno, f"{node.module}.{alias.name}"
            elif node.module == "services":
                for alias in node.names:
                    yield node.lineno, f"services.{alias.name}"
            else:
                yield node.lineno, node.module


def test_the_rule_tells_a_contract_from_a_services_insides():
    source = "\n".join([
        "import services.crm.wire", "import services.itinerary.wire.quotes",
        "from services.ticketing import wire", "from services.feedback.wire import EVENTS",
        "from services.common import fields",
        "import services.crm.schemas", "from services.itinerary import wire, schemas",
        "from services import ticketing", "from services.contracts.models import Base",
        "def later():\n    from services.crm.service import CrmService",
        "import services.crm",
    ])
    found = [module for _, module in imported_modules(ast.parse(source)) if reaches_into_a_service(module)]
    assert sorted(found) == ["services.contracts.models", "services.crm", "services.crm.schemas",
                             "services.crm.service", "services.itinerary.schemas", "services.ticketing"]


def test_the_gateway_source_imports_only_the_services_wire_modules():
    offending = []
    for path in sorted(GATEWAY.rglob("*.py")):
        for line, module in imported_modules(ast.parse(path.read_text(), str(path))):
            if reaches_into_a_service(module):
                offending.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {module}")
    assert not offending, "the gateway imports a service's insides:\n" + "\n".join(offending)


RUNTIME_PROBE = """
import json, os, sys, tempfile
os.environ.setdefault("JWT_SECRET", "an import-probe secret of at least 32 bytes")
from gateway.app import create_app
from gateway.db import GatewayDatabase
create_app({"AMQP_URI": "memory://"},
           gateway_db=GatewayDatabase("sqlite:///" + os.path.join(tempfile.mkdtemp(), "gw.db")))
print(json.dumps(sorted(name for name in sys.modules if name.startswith("services."))))
"""


def test_a_running_gateway_has_loaded_no_service_module_but_the_contracts(tmp_path):
    # A fresh interpreter: this test run has imported the services for other tests.
    run = subprocess.run([sys.executable, "-c", RUNTIME_PROBE], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=120, env={"ITINERA_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    # The package itself (services/<name>/__init__.py) is loaded on the way to its wire module.
    insides = [name for name in loaded if reaches_into_a_service(name) and name.count(".") > 1]
    models = [name for name in loaded if name.endswith(".models") and name != "services.common.models"]
    assert not models, f"the gateway loads services' ORM models: {models}"
    assert not insides, "the gateway loads modules of services other than their wire:\n" + "\n".join(insides)
    assert any(CONTRACT.match(name) for name in loaded), "no wire module loaded: the probe saw no gateway"


WIRE_PROBE = """
import json, sys
import services.{service}.wire
print(json.dumps(sorted(name for name in sys.modules if name.startswith("services."))))
"""
STORAGE = {"services.common.db", "services.common.unit_of_work", "services.common.outbox"}


@pytest.mark.parametrize("service", SERVICES)
def test_a_wire_loads_nothing_else_of_its_service_and_no_database(service):
    run = subprocess.run([sys.executable, "-c", WIRE_PROBE.format(service=service)], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=60, check=True)
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert f"services.{service}.wire" in loaded
    insides = [name for name in loaded
               if name.startswith(f"services.{service}.") and not name.startswith(f"services.{service}.wire")]
    assert insides == [], insides
    assert not STORAGE & set(loaded), STORAGE & set(loaded)
