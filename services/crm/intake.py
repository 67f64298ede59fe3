"""Other services' events, taken in through the inbox: timeline entries, trips, inquiry moves.

Which customer an event is about, and how it reads on the timeline: services.crm.timeline. What a
booking event does to the customer's trips: services.crm.trips. What a quote event does to the
inquiry it names: services.crm.inquiries.
"""
import logging
from datetime import date

from sqlalchemy import select

from services.common.db import utcnow

from . import inquiries, timeline, trips
from .models import Customer, TimelineEntry

log = logging.getLogger(__name__)


def record_event(session, envelope: dict, today: date | None = None) -> list:
    """Take in another service's event: timeline entries, trips, inquiry moves.

    Returns the inquiry transitions it made (for the caller to announce). Idempotent per event.
    `today` (UTC) tells which trips have happened.
    """
    event_type, event_id = envelope.get("type"), envelope.get("id")
    payload = envelope.get("payload")
    if event_type not in set(timeline.FOREIGN_EVENTS) | set(trips.BOOKING_EVENTS) or not isinstance(payload, dict):
        log.warning("ignoring %s %s: not an event CRM takes in, or no payload", event_type, event_id)
        return []
    source = envelope.get("source") or event_type.partition(".")[0]
    actor = f"service:{source}"
    occurred_at = timeline.occurred_at(envelope)

    named = timeline.customers_named(event_type, payload)
    inquiry = inquiries.inquiry_named(session, payload) if event_type in inquiries.QUOTE_MOVES else None
    if not named and inquiry is not None:
        named = [inquiry.customer_id]
    known = set(session.scalars(select(Customer.id).where(Customer.id.in_(named)))) if named else set()
    customer_ids = [c for c in named if c in known]
    if not customer_ids:
        log.info("%s %s names no known customer; nothing recorded", event_type, event_id)
        return []

    if event_type in trips.BOOKING_EVENTS:
        now = utcnow()
        for customer_id in customer_ids:
            trips.record(session, event_type, payload, session.get(Customer, customer_id),
                         today=today or now.date(), now=now)
    if event_type not in timeline.FOREIGN_EVENTS:
        return []

    already = set(session.scalars(select(TimelineEntry.customer_id).where(
        TimelineEntry.source_event_id == event_id))) if event_id else set()
    for customer_id in customer_ids:
        if customer_id in already:
            continue
        kept = timeline.subset(event_type, payload)
        lines = None
        if event_type in timeline.LINE_KEYS:
            lines = timeline.lines_of(event_type, payload, customer_id)
            kept["lines"] = lines
        timeline.add(session, customer_id, event_type, timeline.summary(event_type, payload, lines), occurred_at,
                     actor=actor, source=source, source_event_id=event_id, ref_type=event_type.partition(".")[2],
                     ref_id=str(payload.get("id") or payload.get("booking_id") or payload.get("quote_id")
                                or payload.get("locator") or "")[:64] or None,
                     payload=kept)

    if inquiry is not None and inquiry.customer_id in customer_ids:
        return inquiries.follow_quote_event(session, inquiry, event_type, actor, occurred_at, event_id)
    return []
