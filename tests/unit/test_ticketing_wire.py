"""Ticketing's wire is all the gateway and other services need of ticketing: importing it loads
none of ticketing's insides (models, rules, database). tests/unit/test_gateway_imports.py checks
that the gateway imports nothing else."""
import json
import subprocess
import sys

from services.common.config import REPO_ROOT


def _ticketing_modules_loaded_by(module: str) -> list[str]:
    code = (f"import json, sys, {module}; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('services.ticketing.'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_importing_the_wire_loads_nothing_else_of_ticketing():
    loaded = _ticketing_modules_loaded_by("services.ticketing.wire")
    assert "services.ticketing.wire" in loaded
    assert [m for m in loaded if not m.startswith("services.ticketing.wire")] == []
