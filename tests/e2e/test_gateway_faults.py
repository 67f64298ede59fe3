"""The gateway tells the truth when parts are missing, and its commands run once: HTTP through the
real RabbitMQ to real services."""
import socket
import time
import uuid
from datetime import timedelta

import pytest
from kombu import Exchange, Queue
from nameko.containers import ServiceContainer
from sqlalchemy import delete

from flask import Response, g
from sqlalchemy import select

from gateway.app import create_app
from gateway.db import GatewayDatabase, IdempotencyRecord
from gateway.idempotency import request_digest
from gateway.rpc import DeadlinePassed, RpcPool
from services.common.db import utcnow
from services.common.sandbox import private_vhost
from services.crm.service import CrmService

from tests.conftest import wait_for

from .conftest import ADMIN, sign_in
from .test_gateway import crm_customers

pytestmark = pytest.mark.e2e

CUSTOMER = {"full_name": "Jean Dupont", "email": "jean@example.fr"}


def make_client(config, tmp_path, monkeypatch, timeout=10.0, name="gw", request_timeout=None):
    if request_timeout is not None:
        monkeypatch.setenv("GATEWAY_REQUEST_TIMEOUT", str(request_timeout))
    monkeypatch.setenv("ADMIN_USERNAME", ADMIN[0])
    monkeypatch.setenv("ADMIN_PASSWORD", ADMIN[1])
    monkeypatch.setenv("JWT_SECRET", "a test secret of at least 32 bytes " + tmp_path.name)
    pool = RpcPool(config, size=2, timeout=timeout)
    database = GatewayDatabase(f"sqlite:///{tmp_path / (name + '.db')}")
    app = create_app(config, rpc_pool=pool, gateway_db=database, readiness_timeout=1)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + sign_in(client, *ADMIN)
    return client, pool, database


def assert_503(response):
    assert response.status_code == 503, (response.status_code, response.get_json())
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once it is closed


def test_a_service_with_no_running_instance_is_503_not_a_wait_for_the_timeout(
        suite_config, tmp_path, monkeypatch):
    client, pool, _ = make_client(suite_config, tmp_path, monkeypatch)
    crm = ServiceContainer(CrmService, suite_config)
    crm.start()
    try:
        assert client.post("/api/v1/customers", json=CUSTOMER).status_code == 201
    finally:
        crm.stop()
    try:
        # The queue went with its last consumer: the request is refused now, not queued for nobody.
        assert_503(client.post("/api/v1/customers", json=CUSTOMER))
        assert_503(client.get(f"/api/v1/customers/{uuid.uuid4()}"))
    finally:
        pool.close()
    assert crm_customers(suite_config) == 1


def test_a_broker_that_does_not_answer_is_503_with_retry_after(suite_config, tmp_path, monkeypatch):
    config = dict(suite_config, AMQP_URI=f"amqp://guest:guest@127.0.0.1:{closed_port()}/")
    client, pool, _ = make_client(config, tmp_path, monkeypatch)
    try:
        assert_503(client.get(f"/api/v1/customers/{uuid.uuid4()}"))
        assert_503(client.post("/api/v1/customers", json=CUSTOMER))
        assert pool._created == 0  # no broken client is kept
    finally:
        pool.close()


def test_a_broker_lost_under_live_clients_is_503_and_the_broken_client_is_dropped(
        suite_config, tmp_path, monkeypatch):
    with private_vhost(suite_config["AMQP_URI"], "itinera-test-lost") as (uri, note):
        if "private vhost" not in note:
            pytest.skip(note)
        config = dict(suite_config, AMQP_URI=uri)
        client, pool, _ = make_client(config, tmp_path, monkeypatch)
        crm = ServiceContainer(CrmService, config)
        crm.start()
        try:
            assert client.post("/api/v1/customers", json=CUSTOMER).status_code == 201
            from services.common.sandbox import _ctl

            _ctl("delete_vhost", uri.rsplit("/", 1)[1])  # the broker drops every connection to it
            assert_503(client.get(f"/api/v1/customers/{uuid.uuid4()}"))
            assert_503(client.get(f"/api/v1/customers/{uuid.uuid4()}"))
            assert pool._idle.qsize() == 0
        finally:
            crm.kill()
            pool.close()


def test_the_gateway_sends_deadline_expiration_and_one_request_id_per_command(
        suite_config, amqp, tmp_path, monkeypatch):
    client, pool, _ = make_client(suite_config, tmp_path, monkeypatch, timeout=0.5)
    black_hole, expired = black_hole_for(amqp)
    try:
        for key in ("key-1", "key-1", None):
            headers = {"Idempotency-Key": key} if key else {}
            assert client.post("/api/v1/customers", json=CUSTOMER, headers=headers).status_code == 504
        assert client.get(f"/api/v1/customers/{uuid.uuid4()}").status_code == 504
        channel, sent = amqp.channel(), []

        def four_expired():
            message = channel.basic_get(expired.name, no_ack=True)
            if message is not None:
                sent.append(message)
            return len(sent) == 4

        wait_for(four_expired, message="four expired requests")
        channel.close()
    finally:
        black_hole(amqp.channel()).delete()
        expired(amqp.channel()).delete()
        pool.close()
    assert [m.headers["x-death"][0]["reason"] for m in sent] == ["expired"] * 4
    assert [m.headers["x-death"][0]["original-expiration"] for m in sent] == ["500"] * 4
    assert all(float(m.headers["nameko.deadline"]) > 0 for m in sent)
    ids = [m.headers.get("nameko.request_id") for m in sent]
    assert ids[0] == ids[1] and ids[2] not in (None, ids[0])  # same key: same command; no key: a new one
    assert ids[3] is None  # a read is not a command


def test_a_client_repeating_its_key_after_a_lost_answer_gets_the_first_outcome(
        suite_config, tmp_path, monkeypatch):
    client, pool, database = make_client(suite_config, tmp_path, monkeypatch)
    crm = ServiceContainer(CrmService, suite_config)
    crm.start()
    try:
        first = client.post("/api/v1/customers", json=CUSTOMER, headers={"Idempotency-Key": "order-42"})
        assert first.status_code == 201
        # As after a 504: the gateway kept no answer for the key, so the repeat reaches crm again.
        with database.session() as session:
            session.execute(delete(IdempotencyRecord))
        again = client.post("/api/v1/customers", json=CUSTOMER, headers={"Idempotency-Key": "order-42"})
        assert again.status_code == 201 and again.json["id"] == first.json["id"]
        other = client.post("/api/v1/customers", json={"full_name": "Marie Curie"},
                            headers={"Idempotency-Key": "order-43"})
        assert other.status_code == 201 and other.json["id"] != first.json["id"]
    finally:
        crm.stop()
        pool.close()
    assert crm_customers(suite_config) == 2



def black_hole_for(amqp, pattern="crm.*"):
    """A queue that takes the calls matching `pattern` and never answers; what expires in it is
    dead-lettered to the returned `expired` queue, to be read as it was sent."""
    expired = Queue("test-expired-" + uuid.uuid4().hex[:8], auto_delete=True)
    expired(amqp.channel()).declare()
    hole = Queue("test-black-hole-" + uuid.uuid4().hex[:8], auto_delete=True,
                 exchange=Exchange("nameko-rpc", type="topic", durable=True), routing_key=pattern,
                 queue_arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": expired.name})
    hole(amqp.channel()).declare()
    return hole, expired


def test_every_rpc_of_a_request_ends_by_the_request_deadline(suite_config, amqp, tmp_path, monkeypatch):
    """RPC timeout 10 s, request timeout 0.5 s: the call expires with the request, not 10 s later."""
    client, pool, _ = make_client(suite_config, tmp_path, monkeypatch, timeout=10, request_timeout=0.5)
    hole, expired = black_hole_for(amqp)
    try:
        sent_at = time.time()
        assert client.post("/api/v1/customers", json=CUSTOMER).status_code == 504
        channel = amqp.channel()
        message = wait_for(lambda: channel.basic_get(expired.name, no_ack=True), message="the expired request")
        channel.close()
        # A request whose deadline has passed sends nothing, and keeps its (unused) client.
        with pytest.raises(DeadlinePassed):
            with pool.client({}, deadline=time.time() - 0.1) as services:
                services.crm.create_customer(CUSTOMER)
        assert pool._idle.qsize() == pool._created == 1  # the timed-out client was dropped, this one kept
        assert amqp.channel().queue_declare(hole.name, passive=True).message_count == 0
    finally:
        hole(amqp.channel()).delete()
        expired(amqp.channel()).delete()
        pool.close()
    assert 0 < int(message.headers["x-death"][0]["original-expiration"]) <= 500
    assert float(message.headers["nameko.deadline"]) <= sent_at + 0.5 + 0.05


def claim(database, app, actor, key, body, age: timedelta) -> tuple:
    """An Idempotency-Key claimed `age` ago by a request that never finished (its gateway died)."""
    with app.test_request_context("/api/v1/customers", method="POST", json=body):
        digest = request_digest()
    with database.session() as session:
        record = IdempotencyRecord(actor=actor, key=key, method="POST", path="/api/v1/customers?",
                                   request_digest=digest, created_at=utcnow() - age)
        session.add(record)
        session.flush()
        return record.id, record.created_at


def test_a_claim_older_than_the_request_timeout_is_taken_over_by_the_repeat(suite_config, tmp_path, monkeypatch):
    """Request timeout 15 s (the default: RPC timeout 10 s + 5): a claim 60 s old belongs to a
    request whose every RPC has ended; one 1 s old may still be running."""
    client, pool, database = make_client(suite_config, tmp_path, monkeypatch)
    app = client.application
    stale = claim(database, app, "user:admin", "died-60s-ago", CUSTOMER, timedelta(seconds=60))
    claim(database, app, "user:admin", "running", CUSTOMER, timedelta(seconds=1))
    crm = ServiceContainer(CrmService, suite_config)
    crm.start()
    try:
        retry = client.post("/api/v1/customers", json=CUSTOMER, headers={"Idempotency-Key": "died-60s-ago"})
        busy = client.post("/api/v1/customers", json=CUSTOMER, headers={"Idempotency-Key": "running"})
    finally:
        crm.stop()
        pool.close()
    assert retry.status_code == 201, retry.get_json()
    assert busy.status_code == 409 and "in progress" in busy.get_json()["detail"]
    # The request that made the stale claim, were it still alive, keeps nothing of its own now.
    with app.test_request_context("/api/v1/customers", method="POST"):
        g.idempotency_claim = stale
        app.extensions["idempotency"].remember(Response("late", status=500))
    with database.session() as session:
        record = session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == "died-60s-ago")).one()
    assert record.status_code == 201 and record.response_body == retry.get_data()
