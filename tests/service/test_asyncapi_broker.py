"""An outside system subscribes from the AsyncAPI document alone, on the real RabbitMQ.

It declares the exchange as the channel binding describes it (RabbitMQ refuses a declaration
that differs from the publisher's), binds a queue with the channel's address, and gets what the
outbox publisher sends: a message the document's schema, content type and bindings describe.
"""
import time
import uuid
from datetime import date
from decimal import Decimal
from urllib.parse import quote, urlsplit

import pytest
from kombu import Connection, Exchange, Queue

from gateway import asyncapi
from services.common.envelope import make_envelope
from services.common.outbox import OutboxPublisher
from tests.unit.test_asyncapi_document import PICKUP_SCHEDULED, made_up_services, message_validator  # noqa: F401

pytestmark = pytest.mark.service


def subscriber_url(doc: dict, amqp_uri: str) -> str:
    """The broker as the document names it, with an account of ours (the document has none)."""
    server = doc["servers"]["rabbitmq"]
    account = urlsplit(amqp_uri)
    return f"{server['protocol']}://{account.username}:{account.password}@{server['host']}/" \
           f"{quote(server['pathname'], safe='')}"


def test_a_subscriber_built_from_the_document_receives_what_the_service_publishes(made_up_services,
                                                                                   nameko_config):
    doc = asyncapi.document(nameko_config["AMQP_URI"])
    channel = doc["channels"][PICKUP_SCHEDULED.name]
    binding = channel["bindings"]["amqp"]["exchange"]
    operation = doc["operations"][PICKUP_SCHEDULED.name]
    message_doc = doc["components"]["messages"][PICKUP_SCHEDULED.name]

    with Connection(subscriber_url(doc, nameko_config["AMQP_URI"])) as connection:
        exchange = Exchange(binding["name"], type=binding["type"], durable=binding["durable"],
                            auto_delete=binding["autoDelete"])
        queue = Queue(f"partner-{uuid.uuid4().hex[:8]}", exchange=exchange, routing_key=channel["address"],
                      exclusive=True, auto_delete=True)
        bound = queue(connection.channel())
        bound.declare()

        envelope = make_envelope(PICKUP_SCHEDULED.name, PICKUP_SCHEDULED.payload(
            {"booking_id": "BK-9", "pickup_date": date(2027, 5, 2), "fare": Decimal("38.00"), "currency": "EUR",
             "vehicle": {"kind": "sedan", "seats": 3}}), "req-42")
        OutboxPublisher(nameko_config).publish(envelope)

        deadline = time.monotonic() + 10
        message = None
        while message is None and time.monotonic() < deadline:
            message = bound.get(no_ack=True, accept=["json"])
            if message is None:
                time.sleep(0.05)
        assert message is not None, "nothing arrived on the queue bound as the document says"

        body = message.decode()
        assert body["id"] == envelope["id"]
        assert list(message_validator(doc, PICKUP_SCHEDULED.name).iter_errors(body)) == []
        assert message.content_type == doc["defaultContentType"] == message_doc["contentType"]
        assert message.properties["type"] == message_doc["bindings"]["amqp"]["messageType"]
        assert message.properties["message_id"] == envelope["id"]
        assert message.delivery_info["exchange"] == binding["name"]
        assert message.properties["delivery_mode"] == operation["bindings"]["amqp"]["deliveryMode"]
        assert message.headers["nameko.correlation_id"] == "req-42"
        assert set(message.headers) >= set(message_doc["headers"]["properties"])
