"""Travel that happened: a customer's past destinations and last trip date.

CRM keeps the booking lines each customer travels on, from ticketing's events (taken in once each
through the inbox): `ticketing.booking_confirmed` books its lines, `ticketing.booking_changed`
marks the old line changed and books the new one, `ticketing.booking_cancelled` marks its lines
cancelled. A trip counts once its day has passed (day < today, UTC) and it is still booked:

- `past_destinations`: the destinations of those trips, earliest first, each once;
- `last_trip_date`: the latest of their days.

A booking in the future, or a won inquiry, is not travel. The hourly timer (`count_travel`)
counts trips whose day has just passed; an event about a trip already past counts at once.
"""
from datetime import date, datetime

from sqlalchemy import select

from .models import Customer, CustomerTrip
from .text import clean_labels, label_search

# Where each booking event carries its lines, and what it does to them.
BOOKING_EVENTS = {
    "ticketing.booking_confirmed": (("lines", "booked"),),
    "ticketing.booking_changed": (("old_line", "changed"), ("new_line", "booked")),
    "ticketing.booking_cancelled": (("cancelled_lines", "cancelled"),),
}
MAX_TEXT = 120


def _as_day(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def event_lines(event_type: str, payload: dict):
    """(line, status it gets) for each line a booking event carries; a key may hold one line or a list."""
    for key, status in BOOKING_EVENTS.get(event_type, ()):
        value = payload.get(key)
        for line in (value if isinstance(value, list) else [value]):
            if isinstance(line, dict):
                yield line, status


def travels(line: dict, customer_id: str) -> bool:
    return any(isinstance(t, dict) and t.get("customer_id") == customer_id for t in line.get("travellers") or ())


def record(session, event_type: str, payload: dict, customer: Customer, *, today: date, now: datetime) -> None:
    """Keep what a booking event says of the customer's trips; recount them if one is past."""
    booking_id = str(payload.get("booking_id") or payload.get("id") or "")[:36]
    past = False
    for line, status in event_lines(event_type, payload):
        day, line_id = _as_day(line.get("day")), line.get("id")
        if not booking_id or day is None or not isinstance(line_id, int) or not travels(line, customer.id):
            continue
        trip = session.scalars(select(CustomerTrip).where(
            CustomerTrip.customer_id == customer.id, CustomerTrip.booking_id == booking_id,
            CustomerTrip.line_id == line_id)).first()
        if trip is None:
            trip = CustomerTrip(customer_id=customer.id, booking_id=booking_id, line_id=line_id, counted=False)
            session.add(trip)
        destination = line.get("destination") or line.get("location")
        trip.destination = (destination if isinstance(destination, str) else "")[:MAX_TEXT]
        trip.day, trip.updated_at = day, now
        # A changed or cancelled line is so for good. Each event type has its own queue, so a
        # change can arrive before the confirmation that booked the line: it must not revive it.
        if trip.status in (None, "booked"):
            trip.status = status
        past = past or day < today
    if past:
        session.flush()
        recount(session, customer, today)


def recount(session, customer: Customer, today: date) -> None:
    """Derive the customer's past destinations and last trip date from their trips that happened."""
    trips = list(session.scalars(select(CustomerTrip).where(
        CustomerTrip.customer_id == customer.id, CustomerTrip.day < today).order_by(CustomerTrip.day, CustomerTrip.id)))
    happened = [t for t in trips if t.status == "booked"]
    destinations = clean_labels(t.destination for t in happened)
    if destinations != list(customer.past_destinations or ()):
        customer.past_destinations = destinations
        customer.destinations_search = label_search(destinations)
    customer.last_trip_date = max((t.day for t in happened), default=None)
    for trip in trips:
        trip.counted = True


def count_travel(session, today: date, limit: int = 500) -> int:
    """Recount the customers with a booked trip whose day has passed and is not counted yet; at most
    `limit` customers a run (the next run takes the rest). Returns how many."""
    due = list(session.scalars(select(CustomerTrip.customer_id).where(
        CustomerTrip.counted == False, CustomerTrip.day < today)  # noqa: E712
        .distinct().order_by(CustomerTrip.customer_id).limit(limit)))
    for customer in session.scalars(select(Customer).where(Customer.id.in_(due)).with_for_update()):
        recount(session, customer, today)
    return len(due)
