"""End-to-end fixtures: real services in containers, the real gateway app over a real RPC pool."""
import pytest
from nameko.containers import ServiceContainer

from gateway.app import create_app
from gateway.rpc import RpcPool
from services.common.config import SERVICES


@pytest.fixture
def suite_config(nameko_config, tmp_path):
    return dict(nameko_config, DATABASE_URLS={s: f"sqlite:///{tmp_path / s}.db" for s in SERVICES})


@pytest.fixture
def run_services(suite_config):
    """run_services(CrmService, ...) starts those services for the test, stopped afterwards."""
    containers = []

    def run(*classes):
        for cls in classes:
            container = ServiceContainer(cls, suite_config)
            container.start()
            containers.append(container)

    yield run
    for container in containers:
        container.stop()


@pytest.fixture
def client(suite_config):
    pool = RpcPool(suite_config, size=4, timeout=10)
    app = create_app(suite_config, rpc_pool=pool)
    yield app.test_client()
    pool.close()
