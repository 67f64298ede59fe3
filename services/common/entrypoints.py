"""nameko entrypoints that settle the worker's transaction before answering.

- `rpc`: commit (or roll back), then reply; a failed commit is reported to the caller.
- `event_handler("crm.customer_created")`: skip events this handler already processed (inbox),
  commit the effect together with the inbox row, then acknowledge. A handler that raises is
  retried through a delay queue; after EVENT_MAX_ATTEMPTS the message is parked in the
  handler's dead-letter queue (<queue>.dead-letter), never dropped.
"""
import functools
import logging
import traceback

from nameko.events import EventHandler as NamekoEventHandler
from nameko.messaging import QueueConsumer as NamekoQueueConsumer
from nameko.rpc import Rpc as NamekoRpc

from .db import Database
from .errors import DomainError
from .redelivery import Redelivery

log = logging.getLogger(__name__)


def service_database(container) -> Database | None:
    """The service's Database dependency: the transaction an entrypoint settles before it answers."""
    for dependency in container.dependencies:
        if isinstance(dependency, Database):
            return dependency
    return None


class Rpc(NamekoRpc):
    def __init__(self, **kwargs):
        # A domain error (sold out, not found) is an answer, not a failure of the service.
        kwargs.setdefault("expected_exceptions", DomainError)
        super().__init__(**kwargs)

    def handle_result(self, message, worker_ctx, result, exc_info):
        database = service_database(self.container)
        if database is not None:
            exc_info = database.settle(worker_ctx, exc_info)
            if exc_info is not None:
                result = None
        return super().handle_result(message, worker_ctx, result, exc_info)


rpc = Rpc.decorator


class EventHandler(NamekoEventHandler):
    def __init__(self, event_name: str, **kwargs):
        source, _, fact = event_name.partition(".")
        self.event_name = event_name
        super().__init__(source, fact, **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        self.handler_id = f"{self.container.service_name}.{self.method_name}"
        self.redelivery = Redelivery(config, self.queue.name)

    def _event_id(self, body) -> str | None:
        return body.get("id") if isinstance(body, dict) else None

    def handle_message(self, body, message):
        from .inbox import already_processed

        database = service_database(self.container)
        event_id = self._event_id(body)
        if database is not None and event_id and already_processed(database, event_id, self.handler_id):
            log.info("skipping %s %s: already processed by %s", self.event_name, event_id, self.handler_id)
            self.queue_consumer.ack_message(message)
            return
        super().handle_message(body, message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        database = service_database(self.container)
        event_id = self._event_id(worker_ctx.args[0] if worker_ctx.args else None)
        if database is not None:
            inbox_key = (event_id, self.handler_id, self.event_name) if event_id else None
            exc_info = database.settle(worker_ctx, exc_info, inbox_key=inbox_key)
        if exc_info is not None:
            self._retry_or_dead_letter(message, exc_info)
        # Acknowledge only after the retry copy or dead letter is safely with the broker.
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _retry_or_dead_letter(self, message, exc_info):
        error = "".join(traceback.format_exception_only(*exc_info[:2])).strip()
        attempt = self.redelivery.attempt(message)
        delay = self.redelivery.retry_or_park(message, error, self._signed)
        if delay is not None:
            log.warning("%s failed on %s (attempt %d of %d); retrying in %d ms", self.handler_id,
                        self.event_name, attempt, self.redelivery.max_attempts, delay)
        else:
            log.error("%s gave up on %s after %d attempts; parked in %s", self.handler_id,
                      self.event_name, attempt, self.redelivery.dead_letter_queue.name)

    def dead_letter(self, message, error: str):
        self.redelivery.park(message, error, self._signed)

    def _signed(self, headers: dict) -> dict:
        return dict(headers, **{"x-itinera-handler": self.handler_id})


class QueueConsumer(NamekoQueueConsumer):
    """Parks a message that cannot be decoded (broken JSON, a content type not accepted) in its
    handler's dead-letter queue. With nameko's own, the decoding error stops the whole service."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = functools.partial(self._undecodable, provider)
        return consumers

    def _undecodable(self, provider, message, exc):
        log.error("undecodable message on %s parked: %s", provider.queue.name, exc)
        provider.dead_letter(message, f"undecodable: {exc}")
        message.ack()  # on_decode_error runs in this consumer's own thread: ack directly


EventHandler.queue_consumer = QueueConsumer()


event_handler = EventHandler.decorator
