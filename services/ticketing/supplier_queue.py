"""Supplier pushes over AMQP, for suppliers with a high volume of updates; and the message log.

A supplier publishes to the durable direct exchange `ticketing.supplier-inventory`, routing key
`ticketing.supplier-inventory`, which feeds the durable queue of the same name
(SUPPLIER_INVENTORY_QUEUE in the nameko config names another; the exchange is named after it).
A broker account for suppliers then needs write permission on that exchange only, never on the
default exchange, which reaches every queue. The body is JSON {"updates": [...]} exactly as the
JSON push, with the API key in the header `x-api-key` and a unique `message_id` property. The result is published to the queue named in
`reply_to`, if any, with the message's `correlation_id` (or its message_id).

How a message is settled:

- applied: the transaction commits, the result is published to reply_to, then the message is
  acknowledged. A crash before the ack redelivers it, and the message log answers it as a
  duplicate: nothing is applied twice.
- a message_id already answered for this supplier: the stored result again, with "duplicate": true.
- refused (not JSON, no or a wrong API key, no message_id, an invalid batch): nothing is written,
  the rejection goes to reply_to and the message is acknowledged. It is never retried: sending
  it again cannot make it right.
- anything else (database down, a bug): the message is retried with growing delays through
  `<queue>.retry`, then parked in `<queue>.dead-letter` (without its API key) and a "failed"
  reply is sent.

nameko's own Consumer acknowledges before the database dependency commits (handle_result runs
before worker_result), and its queue consumer decodes bodies with the service's serializers (a
body that does not decode stops the consumer). This entrypoint reads the raw body itself and
settles the transaction before it replies and acknowledges, like services.common.entrypoints.
"""
import json
import logging
import sys
import traceback
import uuid
from datetime import date, datetime, timedelta
from functools import partial

from kombu import Exchange, Queue
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer, QueueConsumer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from services.common.db import utcnow
from services.common.entrypoints import service_database
from services.common.errors import DomainError, Unauthorized, ValidationFailed, validated
from services.common.redelivery import DEFAULT_EXCHANGE, Redelivery, dead_letter_queue_name, retry_queue_name
from services.common.serialization import to_plain

from . import pushes, suppliers
from .models import SupplierMessage
from .wire import SupplierPushSchema

log = logging.getLogger(__name__)

QUEUE_CONFIG_KEY = "SUPPLIER_INVENTORY_QUEUE"
DEFAULT_QUEUE = "ticketing.supplier-inventory"
API_KEY_HEADER = "x-api-key"
MESSAGE_TYPE = "amqp_inventory"
MAX_MESSAGE_ID = 120


def queue_names(name: str = DEFAULT_QUEUE) -> dict[str, str]:
    """The exchange suppliers publish to (routing key: the queue's name), and the queues."""
    return {"exchange": name, "queue": name, "retry": retry_queue_name(name), "dead_letter": dead_letter_queue_name(name)}


def declare_queue(name: str = DEFAULT_QUEUE) -> Queue:
    """The queue, bound to the direct exchange of the same name that suppliers publish to."""
    return Queue(name, exchange=Exchange(name, type="direct", durable=True), routing_key=name, durable=True)


# --- the message log (OTA EchoTokens and AMQP message ids) ---------------------------------

def answered(session, supplier_id: str, message_type: str, message_id: str) -> SupplierMessage | None:
    return session.scalars(select(SupplierMessage).where(
        SupplierMessage.supplier_id == supplier_id, SupplierMessage.message_type == message_type,
        SupplierMessage.message_id == message_id)).first()


def claim(session, supplier_id: str, message_type: str, message_id: str, *,
          channel: str) -> tuple[SupplierMessage, bool]:
    """Record, before applying it, that this worker answers the message: (record, True).

    When another worker got there first (it committed meanwhile, or on PostgreSQL is committing:
    the insert waits for it), returns (its record, False) and this worker must apply nothing.
    """
    record = SupplierMessage(supplier_id=supplier_id, message_type=message_type, message_id=message_id,
                             channel=channel, status=0, response="", received_at=utcnow())
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:   # the savepoint is rolled back and the record dropped from the session
        log.info("%s %s of supplier %s was answered meanwhile by another worker", message_type, message_id,
                 supplier_id)
        return answered(session, supplier_id, message_type, message_id), False
    return record, True


def record_answer(session, record: SupplierMessage, status: int, response: str):
    record.status, record.response = status, response
    session.flush()


RETENTION_CONFIG_KEY = "SUPPLIER_MESSAGE_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30
PRUNE_BATCH = 5000


def retention(config: dict) -> timedelta:
    """How long an answered message is kept, from the service config (days, at least 1)."""
    days = float(config.get(RETENTION_CONFIG_KEY) or DEFAULT_RETENTION_DAYS)
    return timedelta(days=max(days, 1))


def prune(session, older_than: datetime, limit: int = PRUNE_BATCH) -> int:
    """Forget messages answered before `older_than`, oldest first, at most `limit` at a time.

    Nothing needed for ordering goes with them: a stale or repeated update is recognised by the
    supplier sequence kept on each date's allotment (daily_inventory.supplier_sequence), not by
    this log. The log only replays the first answer to a re-sent message; a message re-sent after
    the retention is applied again, and its sequence, no newer than what each date already has,
    makes it change nothing (each date is reported stale).
    """
    ids = list(session.scalars(select(SupplierMessage.id).where(SupplierMessage.received_at < older_than)
                               .order_by(SupplierMessage.id).limit(limit)))
    if ids:
        session.execute(delete(SupplierMessage).where(SupplierMessage.id.in_(ids)))
    return len(ids)


# --- processing one message (the worker) ---------------------------------------------------

def receive(unit, data, *, api_key: str | None, message_id: str | None, today: date) -> dict:
    """Apply one AMQP push; raises Unauthorized or ValidationFailed (nothing written) when refused."""
    session = unit.session
    try:
        supplier = suppliers.authenticate(session, api_key or "")
    except suppliers.InvalidApiKey:
        raise Unauthorized(f"A valid supplier API key is required in the {API_KEY_HEADER} header.") from None
    if not message_id or len(message_id) > MAX_MESSAGE_ID:
        raise ValidationFailed("Every message needs a unique message_id property.",
                               {"message_id": [f"Required, 1 to {MAX_MESSAGE_ID} characters."]})
    known = answered(session, supplier.id, MESSAGE_TYPE, message_id)
    if known is not None:
        return json.loads(known.response) | {"duplicate": True}
    batch = validated(SupplierPushSchema(), data)
    record, first = claim(session, supplier.id, MESSAGE_TYPE, message_id, channel="supplier_amqp")
    if not first:
        return json.loads(record.response) | {"duplicate": True}
    results, events = pushes.apply_batch(session, supplier, batch["updates"], source="supplier_amqp",
                                         message_id=message_id, today=today)
    for event, payload in events:
        unit.emit(event, payload)
    result = to_plain({"status": "processed", "message_id": message_id, "supplier_id": supplier.id,
                       "results": results})
    record_answer(session, record, 200, json.dumps(result, ensure_ascii=False))
    return result


# --- the entrypoint ------------------------------------------------------------------------

class RawQueueConsumer(QueueConsumer):
    """A queue consumer of its own (its own connection and prefetch, apart from RPC and events)
    that hands its providers the raw message: no decoding by the service's serializers."""

    def get_consumers(self, consumer_cls, channel):
        for provider in self._providers:
            consumer = consumer_cls(queues=[provider.queue], on_message=partial(self.handle_message, provider, None))
            consumer.qos(prefetch_count=self.prefetch_count)
            self._consumers[provider] = consumer
        return self._consumers.values()


class SupplierInventoryConsumer(Consumer):
    queue_consumer = RawQueueConsumer()

    def __init__(self, **kwargs):
        kwargs.setdefault("expected_exceptions", (DomainError,))
        kwargs.setdefault("sensitive_arguments", ("api_key",))
        super().__init__(queue=None, **kwargs)

    def setup(self):
        config = self.container.config
        name = config.get(QUEUE_CONFIG_KEY) or DEFAULT_QUEUE
        self.queue = declare_queue(name)
        self.redelivery = Redelivery(config, name)
        self.publisher = self.redelivery.publisher
        super().setup()

    def handle_message(self, body, message):
        # An exception here would stop the service's consumer (and the container): never raise.
        try:
            self._handle(message)
        except Exception:
            log.exception("supplier message %s could not be handed to a worker",
                          (message.properties or {}).get("message_id"))
            try:
                self._retry_or_dead_letter(message, sys.exc_info())
            except Exception:
                log.exception("could not retry or park it either; requeued")
                self.queue_consumer.requeue_message(message)
                return
            self.queue_consumer.ack_message(message)

    def _handle(self, message):
        properties = message.properties or {}
        headers = message.headers or {}
        raw = message.body or b""
        try:
            # py-amqp hands over text when the message names a content_encoding, bytes otherwise.
            data = json.loads(raw if isinstance(raw, str) else bytes(raw).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            log.warning("supplier message %s refused: body is not JSON", properties.get("message_id"))
            self._reply(message, {"status": "rejected", "message_id": properties.get("message_id"),
                                  "error": {"status": 400, "title": "Bad request",
                                            "detail": f"The body must be UTF-8 JSON: {exc}"}})
            self.queue_consumer.ack_message(message)
            return
        api_key = headers.get(API_KEY_HEADER)
        kwargs = {"api_key": api_key if isinstance(api_key, str) else None,
                  "message_id": properties.get("message_id")}
        context = {"correlation_id": properties.get("correlation_id") or uuid.uuid4().hex}
        try:
            self.container.spawn_worker(self, (data,), kwargs, context_data=context,
                                        handle_result=partial(self.handle_result, message))
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        database = service_database(self.container)
        if database is not None:
            exc_info = database.settle(worker_ctx, exc_info)   # commit before anything is told
        message_id = (message.properties or {}).get("message_id")
        if exc_info is None:
            self._reply(message, result)
        elif isinstance(exc_info[1], DomainError):
            error = exc_info[1]
            self._reply(message, {"status": "rejected", "message_id": message_id, "error": to_plain({
                "status": error.status, "title": error.title, "detail": error.message, "errors": error.details})})
        else:
            try:
                self._retry_or_dead_letter(message, exc_info)
            except Exception:   # the broker refused the copy: keep the original instead
                log.exception("could not retry or park supplier message %s; requeued", message_id)
                self.queue_consumer.requeue_message(message)
                return result, exc_info
        # Acknowledge only once the effect is committed and the reply, retry or dead letter is sent.
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _reply(self, message, body: dict):
        properties = message.properties or {}
        reply_to = properties.get("reply_to")
        if not reply_to:
            return
        try:
            self.publisher.publish(body, exchange=DEFAULT_EXCHANGE, routing_key=reply_to, serializer="json",
                                   correlation_id=properties.get("correlation_id") or properties.get("message_id"))
        except Exception:   # a reply is a courtesy: the outcome is committed, a re-send gets it again
            log.exception("could not reply to %s for supplier message %s", reply_to, properties.get("message_id"))

    def _retry_or_dead_letter(self, message, exc_info):
        message_id = (message.properties or {}).get("message_id")
        attempt = self.redelivery.attempt(message)
        error = "".join(traceback.format_exception_only(*exc_info[:2])).strip()
        delay = self.redelivery.retry_or_park(message, error, without_api_key)
        if delay is not None:
            log.warning("supplier message %s failed (attempt %d of %d); retrying in %d ms",
                        message_id, attempt, self.redelivery.max_attempts, delay)
            return
        log.error("supplier message %s failed %d times; parked in %s", message_id, attempt,
                  self.redelivery.dead_letter_queue.name)
        self._reply(message, {"status": "failed", "message_id": message_id,
                              "error": {"status": 500, "title": "Internal server error",
                                        "detail": "The message could not be processed; it was kept for our "
                                                  "operators to look at."}})


def without_api_key(headers: dict) -> dict:
    """Parked for someone to look at: the key stays out of the dead-letter queue, its prefix names it."""
    headers = dict(headers)
    key = headers.pop(API_KEY_HEADER, None)
    if isinstance(key, str) and key.count("_") >= 2:
        headers["x-itinera-api-key-prefix"] = key.split("_")[1]
    return headers


consume_supplier_inventory = SupplierInventoryConsumer.decorator
