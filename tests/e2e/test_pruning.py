"""The gateway prunes its own tables: idempotency records and login failures past their retention."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gateway.db import GatewayDatabase, IdempotencyRecord, LoginFailure
from gateway.pruning import Pruner
from services.common.db import utcnow

pytestmark = pytest.mark.e2e


def add_rows(database, now, ages: dict[str, timedelta]):
    with database.session() as session:
        for key, age in ages.items():
            session.add(IdempotencyRecord(actor="user:x", key=key, method="POST", path="/api/v1/x", request_digest="d",
                                          status_code=201, created_at=now - age))
            session.add(LoginFailure(username=key, client="192.0.2.1", at=now - age))


def remaining(database) -> tuple[set, set]:
    with database.session() as session:
        return (set(session.scalars(select(IdempotencyRecord.key))),
                set(session.scalars(select(LoginFailure.username))))


def test_a_request_prunes_what_is_past_retention_at_most_once_an_interval(gateway_app):
    database = gateway_app.extensions["gateway_db"]
    now = utcnow()
    add_rows(database, now, {"old": timedelta(hours=25), "new": timedelta(hours=1)})
    client = gateway_app.test_client()
    assert client.get("/healthz").status_code == 200
    assert remaining(database) == ({"new"}, {"new"})
    # Within the interval (60 s by default) nothing is pruned again: the check is cheap.
    add_rows(database, now, {"old-2": timedelta(hours=25)})
    assert client.get("/healthz").status_code == 200
    assert remaining(database) == ({"new", "old-2"}, {"new", "old-2"})


@pytest.fixture
def database(tmp_path):
    database = GatewayDatabase(f"sqlite:///{tmp_path / 'gateway.db'}")
    database.migrate()
    return database


def test_retention_and_interval_come_from_the_environment(database, monkeypatch):
    monkeypatch.setenv("GATEWAY_IDEMPOTENCY_RETENTION_HOURS", "2")
    monkeypatch.setenv("GATEWAY_LOGIN_FAILURE_RETENTION_HOURS", "0.5")
    monkeypatch.setenv("GATEWAY_PRUNE_INTERVAL_SECONDS", "30")
    now = utcnow()
    add_rows(database, now, {"3h": timedelta(hours=3), "1h": timedelta(hours=1), "10m": timedelta(minutes=10)})
    clock = [1000.0]
    pruner = Pruner.from_env(database)
    pruner.clock = lambda: clock[0]
    pruner._next = clock[0]
    assert pruner.maybe_prune(now) == {"idempotency_records": 1, "login_failures": 2}
    assert remaining(database) == ({"1h", "10m"}, {"10m"})
    add_rows(database, now, {"5h": timedelta(hours=5)})
    clock[0] += 29
    assert pruner.maybe_prune(now) is None
    clock[0] += 1
    assert pruner.maybe_prune(now) == {"idempotency_records": 1, "login_failures": 1}


def test_login_failures_are_kept_at_least_as_long_as_the_throttle_counts_them(database, monkeypatch):
    monkeypatch.setenv("GATEWAY_LOGIN_FAILURE_RETENTION_HOURS", "0")
    now = utcnow()
    add_rows(database, now, {"recent": timedelta(minutes=5)})
    assert Pruner.from_env(database).prune(now)["login_failures"] == 0
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 1
