"""Holds (options): all lines or none, until they expire, are released, or become a booking."""
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select

from services.common.errors import NotFound, ValidationFailed

from . import inventory
from .models import Hold, HoldLine
from .wire import HoldNotActive

# How long an option lasts when the caller does not say: short online, longer for a consultant.
DEFAULT_EXPIRY = {
    "online": timedelta(minutes=30),
    "consultant": timedelta(hours=48),
    "phone": timedelta(hours=24),
    "walk_in": timedelta(hours=24),
    "partner": timedelta(hours=72),
}


def units_by_key(lines) -> dict:
    """Total units per (product, day): two lines on the same date draw on the same allotment."""
    wanted = defaultdict(int)
    for line in lines:
        wanted[(line["product_id"], line["day"])] += line["quantity"]
    return wanted


def secure(session, wanted: dict, now: datetime, *, granted: bool = False):
    """Lock the allotments in order, then check every one again: all can be taken, or NotBookable.

    New units compete with every confirmed booking and every live hold: none is granted while
    booked + held >= capacity. Units a hold was already `granted` compete only with confirmed
    bookings: after a supplier cut below booked + held, holds confirm in turn while bookings stay
    within the new capacity, and the rest are refused naming what is left (capacity - booked).
    """
    rows = inventory.lock_rows(session, wanted)
    used = inventory.usage(session, list(wanted), now)
    for key in sorted(wanted):
        booked, held = used[key]
        inventory.require_bookable(rows.get(key), key, wanted[key], booked, 0 if granted else held, now.date())
    return rows


def place(session, data: dict, *, actor: str, now: datetime) -> Hold:
    """Hold every line or none. A past date is a mistake in the request (422 naming the lines),
    told before anything is looked up."""
    past = [i for i, line in enumerate(data["lines"]) if line["day"] < now.date()]
    if past:
        raise ValidationFailed("Dates in the past cannot be held.",
                               {"lines": {i: {"day": ["Must not be in the past."]} for i in past}})
    for line in data["lines"]:
        inventory.get_product(session, line["product_id"])
    secure(session, units_by_key(data["lines"]), now)
    expires_in = timedelta(minutes=data["expires_in_minutes"]) if data.get("expires_in_minutes") \
        else DEFAULT_EXPIRY[data["channel"]]
    hold = Hold(id=str(uuid.uuid4()), channel=data["channel"], status="active", expires_at=now + expires_in,
                reference=data.get("reference"), created_at=now, created_by=actor)
    hold.lines = [HoldLine(product_id=line["product_id"], day=line["day"], quantity=line["quantity"],
                           travellers=line.get("travellers") or []) for line in data["lines"]]
    session.add(hold)
    session.flush()
    return hold


def get(session, hold_id: str) -> Hold:
    hold = session.get(Hold, hold_id)
    if hold is None:
        raise NotFound(f"No hold {hold_id}.", {"hold_id": hold_id})
    return hold


def get_locked(session, hold_id: str) -> Hold:
    hold = session.scalars(select(Hold).where(Hold.id == hold_id).with_for_update()).first()
    if hold is None:
        raise NotFound(f"No hold {hold_id}.", {"hold_id": hold_id})
    return hold


def get_active(session, hold_id: str, now: datetime, hold: Hold | None = None) -> Hold:
    """The hold, locked, if it can still be extended, released or confirmed."""
    hold = hold or get_locked(session, hold_id)
    if hold.status == "active" and hold.expires_at <= now:
        raise HoldNotActive(f"Hold {hold_id} expired at {hold.expires_at.isoformat()}.", {"status": "expired"})
    if hold.status != "active":
        raise HoldNotActive(f"Hold {hold_id} is {hold.status}.", {"status": hold.status})
    return hold


def extend(session, hold_id: str, minutes: int, now: datetime) -> Hold:
    hold = get_active(session, hold_id, now)
    hold.expires_at = now + timedelta(minutes=minutes)
    return hold


def release(session, hold_id: str, now: datetime) -> Hold:
    hold = get_active(session, hold_id, now)
    hold.status = "released"
    return hold


def expire_due(session, now: datetime, limit: int = 500) -> list[Hold]:
    """Mark lapsed holds expired. Availability never waited for this: it ignores lapsed holds."""
    due = list(session.scalars(select(Hold).where(Hold.status == "active", Hold.expires_at <= now)
                               .order_by(Hold.expires_at).limit(limit).with_for_update(skip_locked=True)))
    for hold in due:
        hold.status = "expired"
    return due


def as_dict(hold: Hold) -> dict:
    return {"id": hold.id, "channel": hold.channel, "status": hold.status, "expires_at": hold.expires_at,
            "reference": hold.reference, "created_at": hold.created_at, "created_by": hold.created_by,
            "lines": [{"product_id": l.product_id, "day": l.day, "quantity": l.quantity,
                       "travellers": l.travellers} for l in hold.lines]}
