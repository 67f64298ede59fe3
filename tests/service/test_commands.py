"""A command runs once, and never after its caller gave up: the command log, deadlines, expiring
requests, replies that fail, and the fault-injection point, on the real broker and database."""
import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import eventlet
import nameko.rpc
import pytest
from nameko.amqp.publish import Publisher
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from services.common import entrypoints
from services.common.commands import RequestExpired
from services.common.config import REPO_ROOT
from services.common.errors import Conflict
from services.ticketing.service import TicketingService
from tests.conftest import wait_for

from . import probes
from .test_ticketing import DAY, open_flight, units_held

pytestmark = pytest.mark.service


def proxy(config, timeout=15, **context):
    return ClusterRpcProxy(config, timeout=timeout, context_data={"correlation_id": "cmd-test", **context})


def payments(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT id, amount FROM payments ORDER BY id"))]
    finally:
        engine.dispose()


def hold_request(product_id: str, quantity: int) -> dict:
    return {"channel": "online", "lines": [{"product_id": product_id, "day": DAY.isoformat(), "quantity": quantity}]}


def test_a_hold_sent_twice_under_one_request_id_is_made_once_and_answered_the_same(
        start_service, rpc, nameko_config):
    container = start_service(TicketingService)
    product_id = open_flight(rpc, capacity=9)
    request_id = uuid.uuid4().hex
    with proxy(nameko_config, request_id=request_id) as client:
        first = client.ticketing.place_hold(hold_request(product_id, 2))
        again = client.ticketing.place_hold(hold_request(product_id, 2))
    assert again == first  # the recorded outcome, exactly (dates and Decimals included)
    url = container.config["DATABASE_URLS"]["ticketing"]
    assert units_held(url, product_id) == 2

    with proxy(nameko_config, request_id=uuid.uuid4().hex) as client:  # another command: another hold
        assert client.ticketing.place_hold(hold_request(product_id, 2))["id"] != first["id"]
    assert units_held(url, product_id) == 4


def test_a_refused_command_repeated_gets_the_same_refusal(start_service, rpc, nameko_config):
    container = start_service(TicketingService)
    product_id = open_flight(rpc, capacity=2)
    request_id = uuid.uuid4().hex
    with proxy(nameko_config, request_id=request_id) as client:
        with pytest.raises(Conflict) as refused:
            client.ticketing.place_hold(hold_request(product_id, 3))
        # More seats now: run again, it would succeed. A repeat is answered, not run again.
        rpc.ticketing.set_inventory(product_id, {"start": DAY.isoformat(), "end": DAY.isoformat(), "capacity": 10,
                                                 "net_price": "90.00", "sell_price": "120.00"})
        with pytest.raises(Conflict) as repeated:
            client.ticketing.place_hold(hold_request(product_id, 3))
    assert repeated.value.args == refused.value.args
    assert units_held(container.config["DATABASE_URLS"]["ticketing"], product_id) == 0


def test_two_deliveries_of_one_command_at_once_make_one_effect(start_service, nameko_config):
    container = start_service(probes.LedgerService, max_workers=4)
    with proxy(nameko_config, request_id=uuid.uuid4().hex) as client:
        replies = [client.ledger.record_slowly.call_async(Decimal("4.20")) for _ in range(2)]
        first, second = (reply.result() for reply in replies)
    assert first == second
    assert [p[0] for p in payments(container.config["DATABASE_URLS"]["ledger"])] == [first["id"]]


def test_a_request_past_its_deadline_is_not_run(start_service, rpc, nameko_config):
    start_service(probes.LedgerService)
    with proxy(nameko_config, deadline=repr(time.time() - 1)) as client:
        with pytest.raises(RequestExpired):
            client.ledger.record(Decimal("9.99"), "EUR")
    with proxy(nameko_config, deadline=repr(time.time() + 30)) as client:
        assert client.ledger.record(Decimal("1.00"), "EUR")["amount"] == Decimal("1.00")
    assert rpc.ledger.total() == Decimal("1.00")


def test_the_broker_drops_a_request_that_expired_in_the_queue(start_service, rpc, nameko_config):
    start_service(probes.LedgerService, max_workers=1)
    busy = rpc.ledger.pause.call_async(1.0)  # the only worker: what follows waits in the queue
    eventlet.sleep(0.2)
    with proxy(nameko_config) as expiring, proxy(nameko_config) as patient:
        expiring.ledger.options["expiration"] = 0.3  # seconds, as the gateway sets its timeout
        expiring.ledger.record.call_async(Decimal("5.00"), "EUR")
        waited = patient.ledger.record.call_async(Decimal("1.00"), "EUR")
        busy.result()
        assert waited.result()["amount"] == Decimal("1.00")
    assert rpc.ledger.total() == Decimal("1.00")


class ReplyFailsOnce(Publisher):
    failed: list = []

    def publish(self, payload, **kwargs):
        if not self.failed:
            self.failed.append(kwargs.get("correlation_id"))
            raise ConnectionResetError(104, "Connection reset by peer")
        return super().publish(payload, **kwargs)


def test_a_reply_that_cannot_be_sent_leaves_the_service_running_and_the_command_done_once(
        start_service, nameko_config, monkeypatch):
    container = start_service(probes.LedgerService)
    ReplyFailsOnce.failed = []
    monkeypatch.setattr(entrypoints, "Publisher", ReplyFailsOnce, raising=False)
    monkeypatch.setattr(nameko.rpc.Responder, "publisher_cls", ReplyFailsOnce)  # nameko's own replies
    with proxy(nameko_config, request_id=uuid.uuid4().hex) as client:
        recorded = client.ledger.record(Decimal("7.00"), "EUR")  # answered by the redelivery
        assert ReplyFailsOnce.failed
        assert client.ledger.total() == Decimal("7.00")
    assert not container._died.ready()
    assert [p[0] for p in payments(container.config["DATABASE_URLS"]["ledger"])] == [recorded["id"]]


def test_the_crash_point_exits_after_the_commit_and_the_repeat_gets_the_committed_outcome(
        start_service, database_url, nameko_config, tmp_path):
    url = database_url("ledger")
    marker = tmp_path / "crashed"
    env = dict(os.environ, LEDGER_DATABASE_URL=url, LOG_LEVEL="WARNING", PYTHONWARNINGS="ignore",
               ITINERA_CRASH_AFTER_COMMIT="ledger.record", ITINERA_CRASH_MARKER=str(marker))
    with open(tmp_path / "ledger.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config", "deploy/nameko.yml",
                                    "tests.service.probes:LedgerService"], cwd=REPO_ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        request_id = uuid.uuid4().hex
        with proxy(nameko_config, timeout=30) as client:
            wait_for(lambda: _answers(client), timeout=60, interval=0.2, message="the service answering")
        with proxy(nameko_config, request_id=request_id) as client:
            client.ledger.record.call_async(Decimal("3.30"), "EUR")
            assert process.wait(timeout=30) == 137
        assert marker.exists()
        [(payment_id, _)] = payments(url)

        start_service(probes.LedgerService, DATABASE_URLS={"ledger": url})
        with proxy(nameko_config, request_id=request_id) as client:
            assert client.ledger.record(Decimal("3.30"), "EUR")["id"] == payment_id
        assert [p[0] for p in payments(url)] == [payment_id]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _answers(client) -> bool:
    try:
        return client.ledger.total() is not None
    except Exception:  # not consuming yet
        return False


def test_a_durable_rpc_queue_left_by_an_older_version_is_replaced(start_service, amqp, nameko_config):
    from kombu import Exchange, Queue
    from nameko.exceptions import UnknownService

    old = Queue("rpc-ledger", exchange=Exchange("nameko-rpc", type="topic", durable=True),
                routing_key="ledger.*", durable=True)
    old(amqp.channel()).declare()
    container = start_service(probes.LedgerService)
    with proxy(nameko_config, timeout=5) as client:
        assert client.ledger.total() == Decimal("0")
        container.stop()
        with pytest.raises(UnknownService):  # not a wait for nobody in a queue that outlived the service
            client.ledger.total()


def test_a_refused_command_leaves_nothing_it_wrote_or_emitted(start_service, rpc, amqp, nameko_config):
    from tests.events import subscribe

    container = start_service(probes.LedgerService)
    with subscribe(amqp, nameko_config, "ledger.payment_recorded") as received:
        with proxy(nameko_config, request_id=uuid.uuid4().hex) as client:
            with pytest.raises(Conflict):
                client.ledger.record_then_refuse(Decimal("2.00"))
        rpc.ledger.record(Decimal("1.00"), "EUR")  # a later event: the refused one would come first
        wait_for(received, message="the later event")
        eventlet.sleep(0.5)  # longer than the relay's grace and tick
        assert [body["payload"]["amount"] for body, _ in received()] == ["1.00"]
    assert len(payments(container.config["DATABASE_URLS"]["ledger"])) == 1
