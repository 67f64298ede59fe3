"""Where a message goes when its handler failed: back to its queue after a growing delay, or,
after EVENT_MAX_ATTEMPTS, parked in <queue>.dead-letter with the error, never dropped.

The delay is a per-message TTL on <queue>.retry, which dead-letters back to the queue itself.
Event handlers and the supplier-inventory consumer share this one mechanism.
"""
from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher

ATTEMPTS_HEADER = "x-itinera-attempts"
ERROR_HEADER = "x-itinera-error"
DEFAULT_EXCHANGE = Exchange("", type="direct")
# Message properties a copy keeps, so replies and tracing still work after a retry.
KEPT_PROPERTIES = ("message_id", "reply_to", "correlation_id", "type")


def retry_queue_name(queue_name: str) -> str:
    return f"{queue_name}.retry"


def dead_letter_queue_name(queue_name: str) -> str:
    return f"{queue_name}.dead-letter"


class Redelivery:
    def __init__(self, config: dict, queue_name: str):
        self.max_attempts = int(config.get("EVENT_MAX_ATTEMPTS", 5))
        self.retry_delay_ms = int(config.get("EVENT_RETRY_DELAY_MS", 1000))
        retry, dead = retry_queue_name(queue_name), dead_letter_queue_name(queue_name)
        self.retry_queue = Queue(retry, exchange=DEFAULT_EXCHANGE, routing_key=retry, durable=True,
                                 queue_arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue_name})
        self.dead_letter_queue = Queue(dead, exchange=DEFAULT_EXCHANGE, routing_key=dead, durable=True)
        self.publisher = Publisher(config["AMQP_URI"], use_confirms=True)

    @staticmethod
    def attempt(message) -> int:
        """Which attempt at this message just ran (1 for the first delivery)."""
        return int((message.headers or {}).get(ATTEMPTS_HEADER, 1))

    def retry_or_park(self, message, error: str, park_headers=None) -> int | None:
        """Send the message on: returns the retry delay in ms, or None when it was parked."""
        attempt = self.attempt(message)
        if attempt >= self.max_attempts:
            self.park(message, error, park_headers)
            return None
        delay = self.retry_delay_ms * 2 ** (attempt - 1)
        headers = dict(message.headers or {}, **{ATTEMPTS_HEADER: attempt + 1})
        self._send(message, self.retry_queue, headers, expiration=delay / 1000.0)
        return delay

    def park(self, message, error: str, extra_headers=None):
        """Put the message, body untouched, where someone can look at it and replay it."""
        headers = dict(message.headers or {}, **{ERROR_HEADER: error[:4000]})
        self._send(message, self.dead_letter_queue, (extra_headers or (lambda h: h))(headers))

    def _send(self, message, queue: Queue, headers: dict, **options):
        properties = message.properties or {}
        kept = {k: properties[k] for k in KEPT_PROPERTIES if properties.get(k) is not None}
        self.publisher.publish(message.body, exchange=DEFAULT_EXCHANGE, routing_key=queue.name, declare=[queue],
                               headers=headers, content_type=message.content_type or "application/octet-stream",
                               content_encoding=message.content_encoding or "binary", **kept, **options)
