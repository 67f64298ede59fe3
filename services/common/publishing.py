"""Producers kept between messages, for the replies and the outbox.

nameko's Publisher builds a kombu Connection and checks a producer out of kombu's global pool for
every message, then hands it back with its channel dropped: a reply or an event paid that
bookkeeping each time (docs/bench.md, "Replies on a kept publisher", prices it). Here a producer
keeps its connection and channel between messages, publishing exactly as the Publisher did
(publish confirms, persistent, the same retries), so nothing sent is lost silently.

A producer serves one publisher at a time: a green thread waiting for its confirm holds its own
producer, so concurrent replies never read each other's acks off one channel. There are as many as
were ever busy at once (about the service's workers). A producer whose publish failed is closed
and dropped, so the next message goes out on a new connection.
"""
import logging
from contextlib import contextmanager

from kombu import Connection, Producer
from kombu.exceptions import ChannelError
from nameko.amqp.publish import UndeliverableMessage
from nameko.constants import DEFAULT_RETRY_POLICY, DEFAULT_TRANSPORT_OPTIONS, PERSISTENT

log = logging.getLogger(__name__)


class KeptProducers:
    use_confirms = True  # a class attribute so bench/kernel_costs.py can price the confirms
    producer_cls = Producer

    def __init__(self, amqp_uri: str, *, ssl=None, login_method=None, retry_policy=None):
        self.amqp_uri, self.ssl, self.login_method = amqp_uri, ssl, login_method
        self.retry_policy = dict(retry_policy or DEFAULT_RETRY_POLICY)
        self._idle: list[Producer] = []  # LIFO: the warmest connection goes first
        self._closed = False

    def _new(self) -> Producer:
        # As nameko's Publisher connects: its transport options (connection retries), confirms on.
        options = dict(DEFAULT_TRANSPORT_OPTIONS, confirm_publish=self.use_confirms)
        connection = Connection(self.amqp_uri, transport_options=options, ssl=self.ssl,
                                login_method=self.login_method)
        return self.producer_cls(connection)

    @contextmanager
    def producer(self):
        """A producer for this green thread alone, kept for the next message only if this one went out.

        Any failure drops it, not only the broker's: a publish interrupted after its frame was sent
        (a killed green thread) would leave that message's confirm unread on the channel, and the
        next publisher would take it for its own.
        """
        producer = self._idle.pop() if self._idle else self._new()
        try:
            yield producer
        except BaseException:
            self._drop(producer)
            raise
        if self._closed:
            self._drop(producer)
        else:
            self._idle.append(producer)

    def publish(self, payload, *, mandatory: bool = False, declare=(), **kwargs):
        """Publish with confirms, persistent, retried on connection errors (nameko's defaults).
        Raises UndeliverableMessage for an unroutable mandatory message, as nameko does."""
        with self.producer() as producer:
            try:
                producer.publish(payload, delivery_mode=PERSISTENT, mandatory=mandatory, declare=list(declare),
                                 retry=True, retry_policy=self.retry_policy, **kwargs)
            except ChannelError as exc:
                if "NO_ROUTE" in str(exc):
                    raise UndeliverableMessage() from exc
                raise

    @staticmethod
    def _drop(producer):
        try:
            producer.__connection__.close()  # not .connection: that would open a channel
        except Exception as exc:  # already broken: closing only frees what is left of it
            log.debug("closing a dropped producer's connection: %s", exc)

    def close(self):
        """Close the idle connections; any in use close when they come back."""
        self._closed = True
        while self._idle:
            self._drop(self._idle.pop())
