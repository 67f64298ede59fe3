"""The kernel's promises, on the real RabbitMQ and a real database (SQLite and PostgreSQL)."""
import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from alembic.script import ScriptDirectory
from kombu import Queue
from sqlalchemy import create_engine, select, text

from services.common.config import REPO_ROOT
from services.common.outbox import OutboxPublisher
from tests.conftest import wait_for
from tests.events import subscribe

from . import probes

pytestmark = pytest.mark.service


def outbox_rows(container):
    engine = create_engine(container.config["DATABASE_URLS"][container.service_name])
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT id, envelope, published_at, attempts FROM outbox ORDER BY created_at")).all()
    finally:
        engine.dispose()


def purge(amqp, name):
    channel = amqp.channel()
    try:
        Queue(name, channel=channel, durable=True).queue_declare()
        channel.queue_purge(name)
    finally:
        channel.close()


def queue_depth(amqp, name) -> int:
    channel = amqp.channel()
    try:
        return Queue(name, channel=channel, durable=True).queue_declare(passive=True).message_count
    finally:
        channel.close()


def test_publish_failure_after_commit_is_relayed_and_applied_exactly_once(start_service, rpc, monkeypatch, amqp):
    auditor = start_service(probes.AuditorService, max_workers=1)
    ledger = start_service(probes.LedgerService)

    real_publish = OutboxPublisher.publish
    failures = []

    def broker_down_once(self, envelope):
        if not failures:
            failures.append(envelope["id"])
            raise ConnectionError("broker unreachable")
        return real_publish(self, envelope)

    monkeypatch.setattr(OutboxPublisher, "publish", broker_down_once)

    payment = rpc.ledger.record(Decimal("19.99"), "EUR")

    # The state change stays committed although its event could not be sent.
    assert rpc.ledger.total() == Decimal("19.99")
    rows = outbox_rows(ledger)
    assert [r.id for r in rows] == failures and rows[0].published_at is None

    # The relay sends it later, and the subscriber applies it.
    entries = wait_for(lambda: rpc.auditor.entries(), message="relayed event applied")
    assert [(e["event_id"], e["amount"]) for e in entries] == [(failures[0], Decimal("19.99"))]
    wait_for(lambda: outbox_rows(ledger)[0].published_at is not None, message="row marked published")

    # The same event delivered again changes nothing.
    envelope = json.loads(outbox_rows(ledger)[0].envelope)
    OutboxPublisher(ledger.config).publish(envelope)
    rpc.ledger.record(Decimal("5.00"), "EUR")  # a later event, processed after the duplicate
    entries = wait_for(lambda: (e := rpc.auditor.entries()) and len(e) >= 2 and e, message="later event")
    assert [e["amount"] for e in entries] == [Decimal("19.99"), Decimal("5.00")]
    assert rpc.auditor.inbox_count() == 2
    assert payment["amount"] == Decimal("19.99")


def test_concurrent_duplicate_deliveries_apply_once(start_service, rpc, nameko_config):
    start_service(probes.AuditorService, max_workers=4)
    envelope = {
        "id": str(uuid.uuid4()), "type": "ledger.payment_recorded", "version": 1,
        "occurred_at": dt.datetime.now(dt.timezone.utc).isoformat(), "source": "ledger",
        "correlation_id": "dup", "payload": {"payment_id": 1, "amount": "7.10", "currency": "EUR", "slow": True},
    }
    publisher = OutboxPublisher(nameko_config)
    for _ in range(3):
        publisher.publish(envelope)
    wait_for(lambda: rpc.auditor.entries(), message="event applied")
    eventlet_sleep_past_handlers()
    assert [e["amount"] for e in rpc.auditor.entries()] == [Decimal("7.10")]
    assert rpc.auditor.inbox_count() == 1


def eventlet_sleep_past_handlers():
    import eventlet

    eventlet.sleep(1.0)  # the slow handler takes 0.3 s; give every copy time to finish


def test_failed_worker_publishes_nothing(start_service, rpc, amqp, nameko_config):
    ledger = start_service(probes.LedgerService)
    with subscribe(amqp, nameko_config, "ledger.payment_recorded") as received:
        with pytest.raises(Exception) as failure:
            rpc.ledger.record_then_fail(Decimal("1.00"))
        assert "the worker failed after writing" in str(failure.value)
        assert rpc.ledger.total() == Decimal("0")
        assert outbox_rows(ledger) == []
        import eventlet
        eventlet.sleep(0.8)  # longer than the relay's grace and tick
        assert received() == []


def test_handler_that_keeps_failing_ends_in_dead_letter_queue(start_service, rpc, amqp):
    dead_letters = "evt-ledger-payment_recorded--brokenauditor.on_payment_recorded.dead-letter"
    purge(amqp, dead_letters)
    probes.handler_calls.pop("brokenauditor", None)
    start_service(probes.BrokenAuditorService)
    start_service(probes.LedgerService)

    rpc.ledger.record(Decimal("42.00"), "EUR")

    wait_for(lambda: queue_depth(amqp, dead_letters) == 1, message="message in the dead-letter queue")
    assert probes.handler_calls["brokenauditor"] == 3  # EVENT_MAX_ATTEMPTS in the test config
    channel = amqp.channel()
    message = channel.basic_get(dead_letters, no_ack=True)
    channel.close()
    parked = json.loads(message.body)
    assert parked["type"] == "ledger.payment_recorded" and parked["payload"]["amount"] == "42.00"
    assert "this handler never succeeds" in message.headers["x-itinera-error"]


def test_decimal_money_survives_rpc_events_and_database_to_the_cent(start_service, rpc, amqp, nameko_config):
    start_service(probes.AuditorService)
    start_service(probes.LedgerService)

    value = {"amount": Decimal("1234567.89"), "rate": Decimal("0.000123456789"),
             "travel_date": dt.date(2027, 3, 1), "at": dt.datetime(2027, 3, 1, 8, 30, tzinfo=dt.timezone.utc)}
    echoed = rpc.ledger.echo(value)
    assert echoed == value and all(type(echoed[k]) is type(value[k]) for k in value)

    amounts = [Decimal("0.10"), Decimal("0.20"), Decimal("1999999.99"), Decimal("0.01")]
    with subscribe(amqp, nameko_config, "ledger.payment_recorded") as received:
        for amount in amounts:
            assert rpc.ledger.record(amount, "EUR")["amount"] == amount
        events = wait_for(lambda: len(received()) == 4 and received(), message="four events")
    assert rpc.ledger.total() == Decimal("2000000.30")
    # On the wire, money is a string: exact for any AMQP client.
    assert [body["payload"]["amount"] for body, _ in events] == ["0.10", "0.20", "1999999.99", "0.01"]
    entries = wait_for(lambda: (e := rpc.auditor.entries()) and len(e) == 4 and e, message="audited")
    assert sum(e["amount"] for e in entries) == Decimal("2000000.30")


def test_event_envelope_carries_the_callers_correlation_id(start_service, rpc, amqp, nameko_config):
    start_service(probes.LedgerService)
    with subscribe(amqp, nameko_config, "ledger.payment_recorded") as received:
        rpc.ledger.record(Decimal("3.00"), "USD")
        [(envelope, message)] = wait_for(received, message="event")
    assert set(envelope) == {"id", "type", "version", "occurred_at", "source", "correlation_id", "payload"}
    assert envelope["type"] == "ledger.payment_recorded" and envelope["source"] == "ledger"
    assert envelope["correlation_id"] == rpc._worker_ctx.data["correlation_id"]
    assert dt.datetime.fromisoformat(envelope["occurred_at"]).tzinfo is not None
    assert message.properties["message_id"] == envelope["id"]


def test_health_reports_database_and_schema_version(start_service, rpc):
    from services.crm.service import CrmService

    start_service(CrmService)
    health = rpc.crm.health()
    assert health["service"] == "crm" and health["database"] == "ok"
    head = ScriptDirectory(str(REPO_ROOT / "services" / "crm" / "migrations")).get_current_head()
    assert health["schema_version"] == head


def test_an_undecodable_message_is_parked_and_the_service_goes_on(start_service, rpc, amqp):
    queue = "evt-ledger-payment_recorded--auditor.on_payment_recorded"
    purge(amqp, queue + ".dead-letter")
    start_service(probes.AuditorService)
    producer = amqp.Producer()
    producer.publish(b'{"id": "broken', routing_key=queue, exchange="", content_type="application/json",
                     content_encoding="utf-8")
    producer.publish(b"\x00\x01", routing_key=queue, exchange="", content_type="application/x-pickle",
                     content_encoding="binary")
    wait_for(lambda: queue_depth(amqp, queue + ".dead-letter") == 2, message="both parked")
    start_service(probes.LedgerService)
    rpc.ledger.record(Decimal("8.80"), "EUR")
    entries = wait_for(rpc.auditor.entries, message="the next good event handled")
    assert [e["amount"] for e in entries] == [Decimal("8.80")]
