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


def outbox_envelopes(database_url: str) -> list[dict]:
    """Every event a service has emitted so far, as its outbox holds them (published or not)."""
    import json

    from sqlalchemy import text

    from services.common.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT envelope FROM outbox ORDER BY created_at")).scalars().all()
    finally:
        engine.dispose()
    return [json.loads(row) for row in rows]


def assert_honour_contract(envelopes: list[dict], events: dict, *, all_emitted: bool = True):
    """Each envelope is a declared event whose payload its wire schema accepts; with all_emitted,
    every declared event was emitted at least once (so no declared event goes untested)."""
    problems = {}
    for envelope in envelopes:
        event = events.get(envelope.get("type"))
        found = event.problems(envelope) if event else {"type": [f"{envelope.get('type')} is not declared"]}
        if found:
            problems.setdefault(envelope.get("type"), found)
    assert not problems, problems
    if all_emitted:
        missing = sorted(set(events) - {envelope["type"] for envelope in envelopes})
        assert not missing, f"declared but never emitted by this test: {missing}"
