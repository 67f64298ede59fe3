"""Sign-in, roles route by route, disabled accounts, throttling, idempotency."""
import re
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest

from gateway.app import create_app
from gateway.auth import PUBLIC, SUPPLIER_KEY_PREFIX, role_table, role_table_markdown
from gateway.db import GatewayDatabase
from gateway import staff, tokens
from services.common.config import REPO_ROOT
from services.common.db import utcnow
from services.common.errors import NotFound
from services.ticketing.service import TicketingService

from .conftest import ADMIN, sign_in

pytestmark = pytest.mark.e2e


class NothingFound:
    """Stands in for the services when only the gateway's own checks are under test."""

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        raise NotFound("stub: the services are not under test here")


class StubPool:
    timeout = 10.0

    @contextmanager
    def client(self, context_data, request_ids=None, deadline=None):
        yield NothingFound()


@pytest.fixture
def auth_app(suite_config, tmp_path, monkeypatch):
    monkeypatch.setenv("JWT_SECRET", "a role-table secret of at least 32 bytes")
    return create_app(suite_config, rpc_pool=StubPool(),
                      gateway_db=GatewayDatabase(f"sqlite:///{tmp_path / 'gateway.db'}"))


def token_with(app, *roles) -> str:
    database = app.extensions["gateway_db"]
    with database.session() as session:
        user = staff.create(session, {"username": "only-" + "-".join(roles), "full_name": "t",
                                      "password": "irrelevant password", "roles": list(roles)},
                            actor="test", now=utcnow())
    return tokens.issue(user, app.config["JWT_SECRET"], utcnow(), timedelta(minutes=5))[0]


def concrete(path: str) -> str:
    return re.sub(r"<[^>]+>", "x", re.sub(r"<int:[^>]+>", "1", path))


def test_every_route_checks_its_roles(auth_app):
    client = auth_app.test_client()
    tokens_by_role = {role: token_with(auth_app, role) for role in staff.ROLES}
    table = [row for row in role_table(auth_app)
             if row[1] not in PUBLIC and not row[1].startswith(SUPPLIER_KEY_PREFIX)]
    assert len(table) > 30
    for method, path, allowed in table:
        assert allowed, f"{method} {path} declares no roles"
        url = concrete(path)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        assert client.open(url, method=method, json=body).status_code == 401, f"{method} {path} without a token"
        for role, token in tokens_by_role.items():
            status = client.open(url, method=method, json=body,
                                 headers={"Authorization": f"Bearer {token}"}).status_code
            if role in allowed:
                assert status not in (401, 403), f"{role} refused on {method} {path}"
            else:
                assert status == 403, f"{role} let through on {method} {path} ({status})"


def test_the_documented_role_table_is_current(auth_app):
    assert (REPO_ROOT / "docs" / "roles.md").read_text() == role_table_markdown(auth_app), \
        "run `make docs` to regenerate docs/roles.md"


def test_sign_in_returns_a_token_with_the_users_roles(anonymous):
    response = anonymous.post("/api/v1/auth/token", json={"username": "ADMIN", "password": ADMIN[1]})
    assert response.status_code == 200
    assert response.json["roles"] == ["admin"] and response.json["token_type"] == "Bearer"
    me = anonymous.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {response.json['access_token']}"})
    assert me.json["username"] == "admin"


@pytest.mark.parametrize("username, password", [("admin", "wrong"), ("nobody", ADMIN[1])])
def test_wrong_credentials_are_401(anonymous, username, password):
    response = anonymous.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 401 and "access_token" not in response.json


def test_bad_tokens_are_401(anonymous, gateway_app):
    assert anonymous.get("/api/v1/auth/me").status_code == 401
    assert anonymous.get("/api/v1/auth/me", headers={"Authorization": "Bearer not.a.jwt"}).status_code == 401
    with gateway_app.extensions["gateway_db"].session() as session:
        admin = session.query(staff.StaffUser).filter_by(username="admin").one()
    expired = tokens.issue(admin, gateway_app.config["JWT_SECRET"], utcnow() - timedelta(hours=2),
                           timedelta(hours=1))[0]
    assert anonymous.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    forged = tokens.issue(admin, "another secret, also long enough for HS256", utcnow(), timedelta(hours=1))[0]
    assert anonymous.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_repeated_failed_sign_ins_are_throttled(anonymous):
    for _ in range(staff.MAX_FAILURES):
        assert anonymous.post("/api/v1/auth/token", json={"username": "admin", "password": "guess"}).status_code == 401
    throttled = anonymous.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN[1]})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0


def test_admin_creates_and_disables_staff(client, staff_client, anonymous):
    consultant = staff_client("consultant")
    assert consultant.get("/api/v1/auth/me").json["roles"] == ["consultant"]
    assert consultant.get("/api/v1/users").status_code == 403
    users = client.get("/api/v1/users").json
    target = next(u for u in users if u["roles"] == ["consultant"])
    assert client.post(f"/api/v1/users/{target['id']}/disable").json["active"] is False
    assert consultant.get("/api/v1/auth/me").status_code == 401  # at once, not at token expiry
    duplicate = client.post("/api/v1/users", json={"username": target["username"], "full_name": "x",
                                                   "password": "a long password 123", "roles": ["finance"]})
    assert duplicate.status_code == 409
    weak = client.post("/api/v1/users", json={"username": "newbie", "full_name": "x", "password": "short",
                                              "roles": ["chef"]})
    assert weak.status_code == 422 and set(weak.json["errors"]) == {"password", "roles"}


def test_another_gateway_process_refuses_a_disabled_user_once_its_cache_lapses(auth_app, suite_config, tmp_path,
                                                                                 monkeypatch):
    monkeypatch.setenv("GATEWAY_STAFF_CACHE_SECONDS", "0.5")
    other = create_app(suite_config, rpc_pool=StubPool(),
                       gateway_db=GatewayDatabase(f"sqlite:///{tmp_path / 'gateway.db'}")).test_client()
    token = token_with(auth_app, "consultant")
    me = {"Authorization": f"Bearer {token}"}
    assert other.get("/api/v1/auth/me", headers=me).status_code == 200  # now cached there
    user_id = other.get("/api/v1/auth/me", headers=me).json["id"]
    admin = {"Authorization": f"Bearer {token_with(auth_app, 'admin')}"}
    assert auth_app.test_client().post(f"/api/v1/users/{user_id}/disable", headers=admin).status_code == 200
    assert auth_app.test_client().get("/api/v1/auth/me", headers=me).status_code == 401  # this process: at once
    deadline = time.monotonic() + 5
    while other.get("/api/v1/auth/me", headers=me).status_code != 401:  # the other: within its cache time
        assert time.monotonic() < deadline, "the other gateway process still lets a disabled user in"
        time.sleep(0.1)


def test_passwords_are_stored_as_argon2_hashes(gateway_app):
    with gateway_app.extensions["gateway_db"].session() as session:
        admin = session.query(staff.StaffUser).filter_by(username="admin").one()
    assert admin.password_hash.startswith("$argon2id$") and ADMIN[1] not in admin.password_hash


def test_idempotency_key_gives_the_same_result_and_creates_nothing_twice(run_services, client):
    run_services(TicketingService)
    body = {"name": "Trenitalia", "kind": "rail"}
    first = client.post("/api/v1/suppliers", json=body, headers={"Idempotency-Key": "k-1"})
    again = client.post("/api/v1/suppliers", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"] == f"/api/v1/suppliers/{first.json['id']}"
    other_body = client.post("/api/v1/suppliers", json={"name": "Italo", "kind": "rail"},
                             headers={"Idempotency-Key": "k-1"})
    assert other_body.status_code == 422
    fresh = client.post("/api/v1/suppliers", json=body, headers={"Idempotency-Key": "k-2"})
    assert fresh.status_code == 201 and fresh.json["id"] != first.json["id"]
