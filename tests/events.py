"""Listen to real events on the broker, as an outside subscriber would."""
import uuid
from contextlib import contextmanager

from kombu import Consumer, Queue
from nameko.standalone.events import get_event_exchange


@contextmanager
def subscribe(connection, config, event_name: str, where=lambda envelope: True):
    """Yield a drain() giving the (envelope, message) pairs of `event_name` events that arrived and
    satisfy `where`. Services publish after replying, so an event of an earlier call may still
    arrive once subscribed: `where` keeps only the ones the test is about."""
    source, _, fact = event_name.partition(".")
    exchange = get_event_exchange(source, config)
    queue = Queue(f"test-{event_name}-{uuid.uuid4().hex[:8]}", exchange=exchange, routing_key=fact,
                  auto_delete=True, exclusive=True)
    received = []
    channel = connection.channel()
    def on_message(body, message):
        if where(body):
            received.append((body, message))
        message.ack()

    with Consumer(channel, queues=[queue], accept=["json"], callbacks=[on_message]):
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
