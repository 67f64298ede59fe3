"""nameko entrypoints that settle the worker's transaction before answering.

- `rpc`: commit (or roll back), then reply; a failed commit is reported to the caller. A command
  (a request id in the context) runs once: its outcome is recorded with its effect and a repeat
  gets it again (commands.py); a request past its deadline is not run. A reply that cannot be
  sent leaves the request to be redelivered instead of stopping the service.
- `event_handler("crm.customer_created")`: skip events this handler already processed (inbox),
  commit the effect together with the inbox row, then acknowledge. A handler that raises is
  retried through a delay queue; after EVENT_MAX_ATTEMPTS the message is parked in the
  handler's dead-letter queue (<queue>.dead-letter), never dropped.
"""
import functools
import logging
import sys
import traceback

import amqp.exceptions
import kombu.exceptions
import kombu.serialization
from kombu import Connection, Queue
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.events import EventHandler as NamekoEventHandler
from nameko.exceptions import ContainerBeingKilled, MalformedRequest, UnserializableValueError, serialize
from nameko.messaging import QueueConsumer as NamekoQueueConsumer
from nameko.rpc import RPC_QUEUE_TEMPLATE, Rpc as NamekoRpc, RpcConsumer as NamekoRpcConsumer, get_rpc_exchange

from . import commands, inbox
from .unit_of_work import Database
from .errors import DomainError
from .redelivery import Redelivery

log = logging.getLogger(__name__)

# What kombu, py-amqp and sockets raise when the broker is down, restarting or gone: ECONNREFUSED
# and resets are OSError; kombu wraps failed (re)connections in OperationalError; py-amqp raises
# its own ConnectionError family (and a ChannelError when, e.g., the vhost vanished).
BROKER_ERRORS = (OSError, kombu.exceptions.OperationalError, amqp.exceptions.AMQPError)


def service_database(container) -> Database | None:
    """The service's Database dependency: the transaction an entrypoint settles before it answers."""
    for dependency in container.dependencies:
        if isinstance(dependency, Database):
            return dependency
    return None


def rpc_queue(config: dict, service_name: str) -> Queue:
    """The service's RPC queue lives exactly as long as an instance consumes it (auto-delete).

    nameko declares it durable: after the last instance stops, the queue keeps taking requests
    that nobody answers, the caller waits for its timeout (504), and a late instance runs them
    long after their callers gave up. Without a queue, the gateway's mandatory publish comes back
    unroutable at once (UnknownService: 503). Requests still queued when the last instance goes
    are dropped with the queue; their callers time out and may repeat them under the same
    request id, which the command log answers if they had run. Non-durable because a request
    outliving a broker restart has no caller left to answer.
    """
    return Queue(RPC_QUEUE_TEMPLATE.format(service_name), exchange=get_rpc_exchange(config),
                 routing_key=f"{service_name}.*", durable=False, auto_delete=True)


def replace_durable_queue(config: dict, queue: Queue):
    """Delete a queue left by an older version with other arguments (durable): redeclaring it
    differently fails, and while it stays bound it would swallow requests nobody consumes."""
    with Connection(config[AMQP_URI_CONFIG_KEY]) as connection:
        try:
            connection.channel().queue_declare(queue.name, passive=True)
        except amqp.exceptions.NotFound:
            return  # the consumer declares it
        try:
            queue(connection.channel()).declare()
        except amqp.exceptions.PreconditionFailed:
            log.warning("replacing %s, declared by an older version with other arguments", queue.name)
            connection.channel().queue_delete(queue.name)


def acknowledge(queue_consumer, message, requeue: bool = False):
    """Ack (or requeue) a message; if its connection is gone the broker has it back already, so a
    socket error here must not end the worker (nameko would kill the container)."""
    try:
        if requeue:
            queue_consumer.requeue_message(message)
        else:
            queue_consumer.ack_message(message)
    except Exception as exc:
        log.warning("could not %s a message (%s: %s); the broker redelivers it", "requeue" if requeue else "ack",
                    type(exc).__name__, exc)


def reply_payload(message, result, exc_info):
    """What a reply carries, as nameko's Responder builds it: (payload, result, exc_info)."""
    serializer = kombu.serialization.registry.type_to_name[message.properties["content_type"]]
    try:
        kombu.serialization.dumps(result, serializer)
    except Exception:
        error = serialize(UnserializableValueError(result))
        return {"result": None, "error": error}, None, sys.exc_info()
    error = serialize(exc_info[1]) if exc_info is not None else None
    return {"result": result, "error": error}, result, exc_info


class RpcConsumer(NamekoRpcConsumer):
    """The service's RPC queue, and replies whose failure never takes the service down."""

    def setup(self):
        if self.queue is None:
            self.queue = rpc_queue(self.container.config, self.container.service_name)
            replace_durable_queue(self.container.config, self.queue)
            self.queue_consumer.register_provider(self)
            self._registered = True

    def handle_result(self, message, result, exc_info):
        """A reply for a request no worker took (unknown method, wrong arguments)."""
        payload, result, exc_info = reply_payload(message, result, exc_info)
        self.reply(message, payload)
        return result, exc_info

    def reply(self, message, payload: dict) -> bool:
        """Send the reply, then acknowledge the request.

        When the broker is going away (ECONNREFUSED, connection reset), nameko's own raises and
        the container dies. Here the request is left to the broker instead: requeued if this
        connection still lives, else the broker returns it by itself; after reconnecting, the
        redelivery is answered from the command log without running the method again.
        """
        config = self.container.config
        properties = message.properties
        if not properties.get("reply_to"):
            log.warning("%s came without reply_to: nobody to answer", message.delivery_info.get("routing_key"))
            acknowledge(self.queue_consumer, message)
            return False
        try:
            Publisher(config[AMQP_URI_CONFIG_KEY], ssl=config.get(AMQP_SSL_CONFIG_KEY),
                      login_method=config.get(LOGIN_METHOD_CONFIG_KEY)).publish(
                payload, serializer=kombu.serialization.registry.type_to_name[properties["content_type"]],
                exchange=get_rpc_exchange(config), routing_key=properties["reply_to"],
                correlation_id=properties.get("correlation_id"))
        except BROKER_ERRORS as exc:
            log.error("could not reply to %s (%s: %s); the request is left for redelivery",
                      message.delivery_info.get("routing_key"), type(exc).__name__, exc)
            acknowledge(self.queue_consumer, message, requeue=True)
            return False
        except Exception:  # not the broker: sending it again would fail again
            log.exception("could not reply to %s; the caller will time out", message.delivery_info.get("routing_key"))
            acknowledge(self.queue_consumer, message)
            return False
        acknowledge(self.queue_consumer, message)
        return True


class Rpc(NamekoRpc):
    """nameko's rpc, transactional: the worker's transaction is settled before the reply.

    A request past its caller's deadline is answered RequestExpired without running. A request
    with a request id already in the command log is answered with its recorded outcome without
    running; otherwise its outcome is recorded in the transaction of its effect.
    """

    rpc_consumer = RpcConsumer()

    def __init__(self, **kwargs):
        # A domain error (sold out, not found) is an answer, not a failure of the service.
        kwargs.setdefault("expected_exceptions", DomainError)
        super().__init__(**kwargs)

    def setup(self):
        super().setup()
        self.crash_after_commit = commands.CrashPoint.from_env(f"{self.container.service_name}.{self.method_name}")

    def handle_message(self, body, message):
        try:
            args, kwargs = body["args"], body["kwargs"]
        except (KeyError, TypeError):
            raise MalformedRequest("Message missing `args` or `kwargs`") from None
        self.check_signature(args, kwargs)
        context_data = self.unpack_message_headers(message)
        # The id names this command only: calls the worker makes to other services must not
        # carry it, or each would be answered as the first call of its method under this id.
        command = commands.Command.from_context(context_data.pop(commands.REQUEST_ID, None), self.method_name)
        if commands.expired(context_data.get(commands.DEADLINE)):
            log.warning("%s not run: its caller's deadline passed", self.method_name)
            expired = commands.RequestExpired("The request expired before the service could run it.")
            self.rpc_consumer.handle_result(message, None, (type(expired), expired, None))
            return
        database = service_database(self.container)
        if command is not None and database is not None:
            with database.reading() as session:
                recorded = commands.recorded(session, database.metadata, command)
            if recorded is not None:
                log.info("%s %s ran before: answering its recorded outcome", self.method_name, command.request_id)
                self.rpc_consumer.reply(message, recorded)
                return
        try:
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=functools.partial(self.handle_result, message, command))
        except ContainerBeingKilled:
            acknowledge(self.rpc_consumer.queue_consumer, message, requeue=True)

    def handle_result(self, message, command, worker_ctx, result, exc_info):
        payload, result, exc_info = reply_payload(message, result, exc_info)
        database = service_database(self.container)
        if database is not None:
            if command is not None:
                command.outcome = payload
            settled = database.settle(worker_ctx, exc_info, command=command)
            if command is not None and command.replay is not None:
                payload = command.replay
            elif settled is not exc_info:  # the commit failed
                payload, result, exc_info = reply_payload(message, None, settled)
            unit = database.units.get(worker_ctx)
            if self.crash_after_commit is not None and unit is not None and unit.committed:
                self.crash_after_commit()
        self.rpc_consumer.reply(message, payload)
        return result, exc_info


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
        database = service_database(self.container)
        event_id = self._event_id(body)
        try:
            done = database is not None and event_id and inbox.already_processed(database, event_id, self.handler_id)
        except Exception:  # database unreachable: run the handler; the inbox row still guards the commit
            log.exception("inbox check for %s %s failed", self.event_name, event_id)
            done = False
        if done:
            log.info("skipping %s %s: already processed by %s", self.event_name, event_id, self.handler_id)
            acknowledge(self.queue_consumer, message)
            return
        super().handle_message(body, message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        database = service_database(self.container)
        event_id = self._event_id(worker_ctx.args[0] if worker_ctx.args else None)
        if database is not None:
            inbox_key = (event_id, self.handler_id, self.event_name) if event_id else None
            exc_info = database.settle(worker_ctx, exc_info, inbox_key=inbox_key)
        if exc_info is not None:
            try:
                self._retry_or_dead_letter(message, exc_info)
            except Exception as exc:  # broker going away: nameko would kill the container
                log.error("%s could not retry or park %s (%s: %s); left for redelivery", self.handler_id,
                          self.event_name, type(exc).__name__, exc)
                acknowledge(self.queue_consumer, message, requeue=True)
                return result, exc_info
        # Acknowledge only after the retry copy or dead letter is safely with the broker.
        acknowledge(self.queue_consumer, message)
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
        try:
            provider.dead_letter(message, f"undecodable: {exc}")
        except Exception as error:  # broker going away: left unacknowledged, it comes back later
            log.error("could not park an undecodable message on %s: %s", provider.queue.name, error)
            return
        log.error("undecodable message on %s parked: %s", provider.queue.name, exc)
        message.ack()  # on_decode_error runs in this consumer's own thread: ack directly


EventHandler.queue_consumer = QueueConsumer()


event_handler = EventHandler.decorator
