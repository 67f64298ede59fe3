import pytest
pytestmark = pytest.mark.faults

def test_up(healthy, api, inventory, figures):
    print(healthy.pids(), inventory)
