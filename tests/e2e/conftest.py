"""End-to-end fixtures: real services in containers, the real gateway app over a real RPC pool."""
import pytest
from nameko.containers import ServiceContainer

from gateway.app import create_app
from gateway.db import GatewayDatabase
from gateway.rpc import RpcPool
from services.common.config import SERVICES

ADMIN = ("admin", "correct horse battery staple")


@pytest.fixture
def suite_config(nameko_config, tmp_path):
    return dict(nameko_config, DATABASE_URLS={s: f"sqlite:///{tmp_path / s}.db" for s in SERVICES})


@pytest.fixture
def suite_on_backend(nameko_config, database_url):
    """suite_config with every service's database on the test's backend (SQLite, and PostgreSQL
    when it answers): a module uses it with `def suite_config(suite_on_backend)`."""
    return dict(nameko_config, DATABASE_URLS={s: database_url(s) for s in SERVICES})


@pytest.fixture
def run_services(suite_config):
    """run_services(CrmService, ...) starts those services for the test, stopped afterwards."""
    containers = []

    def run(*classes):
        started = []
        for cls in classes:
            container = ServiceContainer(cls, suite_config)
            container.start()
            started.append(container)
        containers.extend(started)
        return started

    yield run
    for container in containers:
        container.stop()


@pytest.fixture
def gateway_app(suite_config, tmp_path, monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", ADMIN[0])
    monkeypatch.setenv("ADMIN_PASSWORD", ADMIN[1])
    monkeypatch.setenv("JWT_SECRET", "a test secret of at least 32 bytes " + tmp_path.name)
    pool = RpcPool(suite_config, size=4, timeout=10)
    app = create_app(suite_config, rpc_pool=pool, gateway_db=GatewayDatabase(f"sqlite:///{tmp_path / 'gateway.db'}"))
    yield app
    pool.close()


def sign_in(client, username, password) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return response.json["access_token"]


@pytest.fixture
def anonymous(gateway_app):
    return gateway_app.test_client()


@pytest.fixture
def client(gateway_app):
    """A test client signed in as the bootstrap admin (every route allows admin)."""
    client = gateway_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + sign_in(client, *ADMIN)
    return client


@pytest.fixture
def staff_client(gateway_app, client):
    """staff_client("consultant", ...) is a client signed in as a new user with those roles."""
    made = []

    def make(*roles):
        username = f"user{len(made)}-{'-'.join(roles)}"[:60]
        created = client.post("/api/v1/users", json={"username": username, "full_name": username,
                                                     "password": "a long password 123", "roles": list(roles)})
        assert created.status_code == 201, created.json
        staff = gateway_app.test_client()
        staff.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + sign_in(staff, username, "a long password 123")
        made.append(staff)
        return staff

    return make
