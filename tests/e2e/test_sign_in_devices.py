"""Sign-in throttling with device cookies, and the client address from trusted proxies.

The real gateway app and its database; signing in needs no service.
"""
import pytest

from gateway import devices, staff
from gateway.app import create_app
from gateway.db import GatewayDatabase
from gateway.rpc import RpcPool

from .conftest import ADMIN

pytestmark = pytest.mark.e2e

TOKEN = "/api/v1/auth/token"
OFFICE = "192.0.2.10"   # one address: an office NAT, or a proxy nobody told the gateway about


def attempt(client, password, username=ADMIN[0], **kwargs):
    return client.post(TOKEN, json={"username": username, "password": password}, **kwargs)


def browser(app, address=OFFICE):
    """A client with a cookie jar of its own, arriving from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_sign_in_sets_a_device_cookie_bound_to_the_user(gateway_app):
    response = attempt(browser(gateway_app), ADMIN[1])
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(devices.cookie_name(ADMIN[0]) + "=")
    for attribute in ("HttpOnly", "SameSite=Strict", f"Path={TOKEN}"):
        assert attribute in cookie
    assert "Secure" not in cookie   # plain http here; https sets it (request.is_secure)
    secure = gateway_app.test_client().post(TOKEN, json={"username": ADMIN[0], "password": ADMIN[1]},
                                            base_url="https://gateway.example")
    assert "Secure" in secure.headers["Set-Cookie"]


def test_an_attacker_cannot_lock_out_a_colleagues_browser(gateway_app):
    colleague = browser(gateway_app)
    assert attempt(colleague, ADMIN[1]).status_code == 200          # signed in here before
    attacker = browser(gateway_app)                                    # same office address
    for _ in range(staff.MAX_FAILURES):
        assert attempt(attacker, "guess").status_code == 401
    assert attempt(attacker, ADMIN[1]).status_code == 429
    assert attempt(browser(gateway_app, "198.51.100.1"), ADMIN[1]).status_code == 429   # any unknown client
    assert attempt(colleague, ADMIN[1]).status_code == 200          # the known browser still signs in
    assert attempt(colleague, "typo").status_code == 401            # its own typos count for it alone
    assert attempt(colleague, ADMIN[1]).status_code == 200


def test_a_device_that_keeps_failing_is_throttled_like_an_unknown_client(gateway_app):
    device = browser(gateway_app)
    assert attempt(device, ADMIN[1]).status_code == 200
    attacker = browser(gateway_app)
    for _ in range(staff.MAX_FAILURES):
        assert attempt(attacker, "guess").status_code == 401
    for _ in range(staff.MAX_FAILURES):
        assert attempt(device, "guess").status_code == 401
    assert attempt(device, ADMIN[1]).status_code == 429


def test_a_device_cookie_counts_only_for_its_own_user(gateway_app, client):
    created = client.post("/api/v1/users", json={"username": "bea", "full_name": "Bea", "roles": ["consultant"],
                                                 "password": "a long password 123"})
    assert created.status_code == 201
    admin_browser = browser(gateway_app)
    assert attempt(admin_browser, ADMIN[1]).status_code == 200
    attacker = browser(gateway_app)
    for _ in range(staff.MAX_FAILURES):
        assert attempt(attacker, "guess", "bea").status_code == 401
    # Admin's cookie, presented under Bea's cookie name, is not Bea's device.
    value = admin_browser.get_cookie(devices.cookie_name(ADMIN[0]), path=TOKEN).value
    admin_browser.set_cookie(devices.cookie_name("bea"), value, path=TOKEN)
    assert attempt(admin_browser, "a long password 123", "bea").status_code == 429
    # A forged or tampered cookie is no device either.
    admin_browser.set_cookie(devices.cookie_name("bea"), value[:-2] + "xx", path=TOKEN)
    assert attempt(admin_browser, "a long password 123", "bea").status_code == 429


@pytest.fixture
def app_behind(suite_config, tmp_path, monkeypatch):
    """app_behind(n): the gateway told that n proxies stand in front of it."""
    monkeypatch.setenv("ADMIN_USERNAME", ADMIN[0])
    monkeypatch.setenv("ADMIN_PASSWORD", ADMIN[1])
    monkeypatch.setenv("JWT_SECRET", "a test secret of at least 32 bytes " + tmp_path.name)
    pools = []

    def make(proxies: int):
        monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", str(proxies))
        pools.append(RpcPool(suite_config, size=1, timeout=5))
        return create_app(suite_config, rpc_pool=pools[-1],
                          gateway_db=GatewayDatabase(f"sqlite:///{tmp_path / f'gateway-{proxies}.db'}"))

    yield make
    for pool in pools:
        pool.close()


def guess_many_users(client, forwarded_for):
    for n in range(staff.MAX_ADDRESS_FAILURES):
        response = attempt(client, "guess", f"user{n}", headers={"X-Forwarded-For": forwarded_for})
        assert response.status_code == 401


@pytest.mark.parametrize("proxies, told_apart", [(1, True), (0, False)])
def test_clients_behind_a_trusted_proxy_are_told_apart_by_x_forwarded_for(app_behind, proxies, told_apart):
    app = app_behind(proxies)
    proxy = browser(app, "10.0.0.2")   # every request arrives from the proxy
    guess_many_users(proxy, "203.0.113.5")
    # The guessing address is throttled for any username ...
    assert attempt(proxy, ADMIN[1], headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 429
    # ... and another client behind the same proxy is only when the header cannot be trusted.
    other = attempt(proxy, ADMIN[1], headers={"X-Forwarded-For": "198.51.100.7"})
    assert other.status_code == (200 if told_apart else 429)
