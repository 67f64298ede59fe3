"""The transactional outbox: events are rows written with the state change they announce.

After the commit the rows are published at once; a relay (a timer in every service)
re-publishes any row still unpublished (broker down, crash between commit and publish),
counting attempts and backing off. Publishing twice is harmless: consumers keep an inbox.
"""
import json
import logging
from datetime import timedelta

from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange
from sqlalchemy import insert, or_, select, update

from . import config as cfg
from .envelope import make_envelope, split_event_name
from .db import utcnow

log = logging.getLogger(__name__)

RELAY_BATCH = 200


def add_to_outbox(session, metadata, event_name, payload, correlation_id, version=1) -> dict:
    envelope = make_envelope(event_name, payload, correlation_id, version)
    session.execute(insert(metadata.tables["outbox"]).values(
        id=envelope["id"], event_type=event_name, envelope=json.dumps(envelope, ensure_ascii=False),
        created_at=utcnow(), attempts=0,
    ))
    return envelope


class OutboxPublisher:
    def __init__(self, nameko_config: dict):
        self.config = nameko_config
        self.amqp_uri = nameko_config.get("AMQP_URI") or cfg.amqp_uri()
        # Rows younger than this are left to the worker that committed them.
        self.grace = timedelta(seconds=float(nameko_config.get("OUTBOX_RELAY_GRACE_SECONDS", 5)))
        self.max_backoff = float(nameko_config.get("OUTBOX_MAX_BACKOFF_SECONDS", 300))
        self._publisher = Publisher(self.amqp_uri, serializer="json", use_confirms=True,
                                    retry=True, retry_policy={"max_retries": 1})

    def publish(self, envelope: dict):
        """Send one envelope to its service's topic exchange, routed by the fact's name."""
        source, fact = split_event_name(envelope["type"])
        exchange = get_event_exchange(source, self.config)
        self._publisher.publish(
            envelope, exchange=exchange, routing_key=fact, declare=[exchange],
            message_id=envelope["id"], type=envelope["type"],
            headers={"nameko.correlation_id": envelope.get("correlation_id") or ""},
        )

    def publish_committed(self, database, envelopes: list[dict]):
        """Right after a commit. A failure here loses nothing: the relay will pick the rows up."""
        sent = []
        for envelope in envelopes:
            try:
                self.publish(envelope)
                sent.append(envelope["id"])
            except Exception as exc:  # broker down: leave the rest to the relay
                log.warning("publish of %s deferred to the relay: %s", envelope["type"], exc)
                break
        if sent:
            self._mark_published(database, sent)

    def _mark_published(self, database, ids):
        outbox = database.metadata.tables["outbox"]
        try:
            with database.transaction() as session:
                session.execute(update(outbox).where(outbox.c.id.in_(ids)).values(published_at=utcnow()))
        except Exception:  # the relay will publish again; consumers drop the duplicate
            log.exception("could not mark events published")

    def relay_once(self, database) -> int:
        """Publish what is due; returns how many rows were published."""
        outbox = database.metadata.tables["outbox"]
        now = utcnow()
        published = 0
        due = (outbox.c.published_at.is_(None), outbox.c.created_at <= now - self.grace,
               or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now))
        with database.reading() as session:  # mostly nothing is due: ask without the write lock
            if session.execute(select(outbox.c.id).where(*due).limit(1)).first() is None:
                return 0
        with database.transaction() as session:
            query = (
                select(outbox.c.id, outbox.c.envelope, outbox.c.attempts)
                .where(*due)
                .order_by(outbox.c.created_at)
                .limit(RELAY_BATCH)
            )
            if session.bind.dialect.name == "postgresql":
                # Two instances of a service split the backlog instead of both sending it.
                query = query.with_for_update(skip_locked=True)
            for row in session.execute(query).all():
                try:
                    self.publish(json.loads(row.envelope))
                except Exception as exc:
                    attempts = row.attempts + 1
                    backoff = min(self.max_backoff, 2 ** attempts)
                    session.execute(update(outbox).where(outbox.c.id == row.id).values(
                        attempts=attempts, last_error=str(exc)[:2000],
                        next_attempt_at=now + timedelta(seconds=backoff)))
                    log.warning("relay could not publish %s (attempt %d): %s", row.id, attempts, exc)
                    break
                session.execute(update(outbox).where(outbox.c.id == row.id).values(
                    published_at=utcnow(), attempts=row.attempts + 1, last_error=None))
                published += 1
        if published:
            log.info("relay published %d event(s)", published)
        return published
