"""Listen to real events on the broker, as an outside subscriber would."""
import uuid
from contextlib import contextmanager

from kombu import Consumer, Queue
from nameko.standalone.events import get_event_exchange


@contextmanager
def subscribe(connection, config, event_name: str):
    """Yield a list that fills with (envelope, message) as `event_name` events arrive."""
    source, _, fact = event_name.partition(".")
    exchange = get_event_exchange(source, config)
    queue = Queue(f"test-{event_name}-{uuid.uuid4().hex[:8]}", exchange=exchange, routing_key=fact,
                  auto_delete=True, exclusive=True)
    received = []
    channel = connection.channel()
    with Consumer(channel, queues=[queue], accept=["json"],
                             callbacks=[lambda body, message: (received.append((body, message)), message.ack())]):
        def drain():
            try:
                connection.drain_events(timeout=0.05)
            except TimeoutError:
                pass
            except OSError:  # socket.timeout
                pass
            return received

        yield drain
    channel.close()
