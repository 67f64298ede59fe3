"""Bookings: a confirmed hold with a locator and a voucher number per line; cancel, change, refund."""
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from services.common.errors import Conflict, NotFound, ValidationFailed

from . import holds, inventory
from .lists import travellers_of
from .locators import is_locator, new_locator, normalize_locator
from .models import Booking, BookingLine, Refund


def _unused_locator(session) -> str:
    # 31^6 ~ 887 million codes: a clash is rare, but a locator must never be shared.
    while True:
        locator = new_locator()
        if session.scalar(select(func.count()).select_from(Booking).where(Booking.locator == locator)) == 0:
            return locator


def confirm(session, hold_id: str, *, actor: str, now: datetime) -> tuple[Booking, bool]:
    """The hold's booking, and whether this call made it.

    Confirming a hold that is already confirmed returns its booking unchanged: a client that
    lost the answer and asks again must learn its locator, not get a conflict.
    """
    hold = holds.get_locked(session, hold_id)
    if hold.status == "confirmed":
        booking = session.scalars(select(Booking).where(Booking.hold_id == hold.id)).first()
        if booking is not None:
            return booking, False
    hold = holds.get_active(session, hold_id, now, hold)
    rows = holds.secure(session, holds.units_by_key([{"product_id": l.product_id, "day": l.day,
                                                      "quantity": l.quantity} for l in hold.lines]),
                        now, granted=True)
    hold.status = "confirmed"
    booking = Booking(id=str(uuid.uuid4()), locator=_unused_locator(session), hold_id=hold.id, status="confirmed",
                      reference=hold.reference, created_at=now, created_by=actor)
    for number, line in enumerate(hold.lines, start=1):
        row = rows[(line.product_id, line.day)]
        product = inventory.get_product(session, line.product_id)
        booking.lines.append(BookingLine(
            product_id=line.product_id, day=line.day, quantity=line.quantity, travellers=line.travellers,
            status="confirmed", ticket_number=f"{booking.locator}-{number:02d}", destination=product.destination,
            net_price=row.net_price,
            sell_price=row.sell_price, currency=product.currency, confirmed_at=now))
    session.add(booking)
    session.flush()
    session.add_all(travellers_of(booking))
    return booking, True


def totals(booking: Booking) -> dict:
    """Sell and net price x quantity summed over the lines, as booking_confirmed announces them."""
    return {"total_sell": sum(l.sell_price * l.quantity for l in booking.lines),
            "total_net": sum(l.net_price * l.quantity for l in booking.lines)}


def get(session, booking_ref: str, lock: bool = False) -> Booking:
    """By id or by locator (in any case)."""
    locator = normalize_locator(booking_ref)
    query = select(Booking).where(Booking.locator == locator if is_locator(locator) else Booking.id == booking_ref)
    booking = session.scalars(query.with_for_update() if lock else query).first()
    if booking is None:
        raise NotFound(f"No booking {booking_ref}.", {"booking": booking_ref})
    return booking


def _confirmed_line(booking: Booking, line_id: int) -> BookingLine:
    line = next((l for l in booking.lines if l.id == line_id), None)
    if line is None:
        raise NotFound(f"Booking {booking.locator} has no line {line_id}.", {"line_id": line_id})
    if line.status != "confirmed":
        raise Conflict(f"Line {line_id} of {booking.locator} is {line.status}.", {"status": line.status})
    return line


def cancel(session, booking_ref: str, *, now: datetime, line_id: int | None = None,
           reason: str = "customer_request") -> tuple[Booking, list]:
    """Cancel one line, or every confirmed line, for `reason`; the units return to the allotment at once."""
    booking = get(session, booking_ref, lock=True)
    if booking.status == "cancelled":
        raise Conflict(f"Booking {booking.locator} is already cancelled.", {"status": "cancelled"})
    lines = [_confirmed_line(booking, line_id)] if line_id is not None else \
        [l for l in booking.lines if l.status == "confirmed"]
    for line in lines:
        line.status, line.cancelled_at, line.change_reason = "cancelled", now, reason
    if all(l.status != "confirmed" for l in booking.lines):
        booking.status = "cancelled"
    return booking, lines


def change(session, booking_ref: str, line_id: int, new: dict, *, now: datetime) -> tuple[BookingLine, BookingLine]:
    """Rebook a line onto another product or date in one transaction: the new units are secured
    (locked and checked) before the old line lets its units go. Onto a past date is a mistake in
    the request (422), told before the booking is looked up."""
    if new.get("day") and new["day"] < now.date():
        raise ValidationFailed("Cannot change onto a past date.", {"day": ["Must not be in the past."]})
    booking = get(session, booking_ref, lock=True)
    old = _confirmed_line(booking, line_id)
    product_id = new.get("product_id") or old.product_id
    day = new.get("day") or old.day
    if (product_id, day) == (old.product_id, old.day):
        raise Conflict("The change names the line's own product and date.", {"reason": "no_change"})
    product = inventory.get_product(session, product_id)
    rows = inventory.lock_rows(session, [(old.product_id, old.day), (product_id, day)])
    booked, held = inventory.usage(session, [(product_id, day)], now)[(product_id, day)]
    inventory.require_bookable(rows.get((product_id, day)), (product_id, day), old.quantity, booked, held,
                               now.date())
    row = rows[(product_id, day)]
    replacement = BookingLine(
        product_id=product_id, day=day, quantity=old.quantity, travellers=old.travellers, status="confirmed",
        ticket_number=f"{booking.locator}-{len(booking.lines) + 1:02d}", destination=product.destination,
        net_price=row.net_price,
        sell_price=row.sell_price, currency=product.currency, replaces_line_id=old.id, confirmed_at=now)
    replacement.fare_difference = fare_difference(old, replacement)
    booking.lines.append(replacement)
    old.status, old.cancelled_at, old.change_reason = "changed", now, new.get("reason") or "customer_request"
    session.flush()
    return old, replacement


def fare_difference(old: BookingLine, new: BookingLine) -> Decimal:
    """What the customer pays (positive) or gets back (negative) for the change, in sell prices."""
    if old.currency != new.currency:
        raise Conflict("A change across currencies needs a manual fare calculation.",
                       {"old_currency": old.currency, "new_currency": new.currency})
    return (new.sell_price - old.sell_price) * old.quantity


def refund(session, booking_ref: str, line_id: int, amount: Decimal, reason: str | None, *, actor: str,
           now: datetime) -> Refund:
    """Record money returned for a cancelled or changed line; never more than was paid for it."""
    booking = get(session, booking_ref, lock=True)
    line = next((l for l in booking.lines if l.id == line_id), None)
    if line is None:
        raise NotFound(f"Booking {booking.locator} has no line {line_id}.", {"line_id": line_id})
    if line.status == "confirmed":
        raise Conflict("Cancel or change the line before refunding it.", {"status": line.status})
    # Summed in Python: SQLite keeps money as text, and SUM over text would go through floats.
    refundable = line.sell_price * line.quantity - sum(
        r.amount for r in session.scalars(select(Refund).where(Refund.booking_line_id == line.id)))
    if amount > refundable:
        raise Conflict(f"At most {refundable} {line.currency} is left to refund on this line.",
                       {"refundable": str(refundable)})
    record = Refund(booking_line_id=line.id, amount=amount, currency=line.currency, reason=reason,
                    created_at=now, created_by=actor)
    session.add(record)
    session.flush()
    return record


def get_refund(session, booking_ref: str, line_id: int, refund_id: int) -> Refund:
    booking = get(session, booking_ref)
    refund = session.get(Refund, refund_id)
    if refund is None or refund.booking_line_id != line_id or refund.line.booking_id != booking.id:
        raise NotFound(f"Line {line_id} of {booking.locator} has no refund {refund_id}.", {"refund_id": refund_id})
    return refund


def as_dict(booking: Booking) -> dict:
    return {"id": booking.id, "locator": booking.locator, "hold_id": booking.hold_id, "status": booking.status,
            "reference": booking.reference, "created_at": booking.created_at, "created_by": booking.created_by,
            "lines": [line_dict(l) for l in booking.lines]}


def line_dict(line: BookingLine) -> dict:
    return {"id": line.id, "product_id": line.product_id, "day": line.day, "quantity": line.quantity,
            "travellers": line.travellers, "status": line.status, "ticket_number": line.ticket_number,
            "destination": line.destination,
            "net_price": line.net_price, "sell_price": line.sell_price, "currency": line.currency,
            "replaces_line_id": line.replaces_line_id, "change_reason": line.change_reason,
            "fare_difference": line.fare_difference}
