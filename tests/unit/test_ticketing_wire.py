"""Ticketing's wire is all the gateway needs of ticketing: importing it loads none of ticketing's
insides (models, rules, database)."""
import json
import subprocess
import sys

import pytest

from services.common.config import REPO_ROOT


def _ticketing_modules_loaded_by(module: str) -> list[str]:
    code = (f"import json, sys, {module}; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('services.ticketing.'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.parametrize("module", ["services.ticketing.wire", "gateway.api.ticketing", "gateway.api.supplier"])
def test_importing_it_loads_only_ticketings_wire(module):
    loaded = _ticketing_modules_loaded_by(module)
    assert "services.ticketing.wire" in loaded
    assert [m for m in loaded if not m.startswith("services.ticketing.wire")] == []
