"""Ticketing's own tables. No other service reads them.

Availability is never stored: it is computed from the allotment (capacity) minus confirmed
booking lines minus unexpired hold lines, so an expiry or a cancellation needs no bookkeeping.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.db import Money, UtcDateTime, service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    contacts: Mapped[list] = mapped_column(JSON, default=list)
    # The key itself is shown once; only its prefix (to find it) and SHA-256 digest are kept.
    api_key_prefix: Mapped[str | None] = mapped_column(String(16), unique=True)
    api_key_digest: Mapped[str | None] = mapped_column(String(64))
    api_key_revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))


class Product(Base):
    """Something a supplier sells by the day or departure: a flight, a room type, a ticket."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("supplier_id", "supplier_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"), index=True)
    supplier_code: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(120), index=True)  # city, or route "PAR-ROM"
    # Where the traveller goes with it ("Rome" for PAR-ROM): what CRM counts as a destination.
    destination: Mapped[str] = mapped_column(String(120))
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))

    supplier: Mapped[Supplier] = relationship()


class DailyInventory(Base):
    """The allotment of one product on one date (or departure)."""

    __tablename__ = "daily_inventory"

    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    net_price: Mapped[Decimal] = mapped_column(Money)
    sell_price: Mapped[Decimal] = mapped_column(Money)
    release_days: Mapped[int] = mapped_column(Integer, default=0)
    stop_sell: Mapped[bool] = mapped_column(Boolean, default=False)
    overbooked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The supplier's sequence number (or timestamp) of the last push applied to this date.
    supplier_sequence: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class InventoryChange(Base):
    """Who changed what on which date, from which message: the ticketing desk's trace."""

    __tablename__ = "inventory_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(String(36), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(30))  # staff, supplier_json, supplier_xml, supplier_amqp
    source_message: Mapped[str | None] = mapped_column(String(120))
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Hold(Base):
    """An option on seats or rooms, all lines or none, until it expires."""

    __tablename__ = "holds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)  # active, released, expired, confirmed
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    reference: Mapped[str | None] = mapped_column(String(120))  # e.g. the quote or order it is for
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)  # the hold list's order
    created_by: Mapped[str] = mapped_column(String(120))

    lines: Mapped[list["HoldLine"]] = relationship(back_populates="hold", order_by="HoldLine.id")


class HoldLine(Base):
    __tablename__ = "hold_lines"
    # The desk's hold list filters by travel date (and product).
    __table_args__ = (Index("ix_hold_lines_day_product_id", "day", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hold_id: Mapped[str] = mapped_column(ForeignKey("holds.id"), index=True)
    product_id: Mapped[str] = mapped_column(String(36), index=True)
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    travellers: Mapped[list] = mapped_column(JSON, default=list)

    hold: Mapped[Hold] = relationship(back_populates="lines")


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    locator: Mapped[str] = mapped_column(String(6), unique=True)
    hold_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # confirmed, cancelled
    reference: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)  # the booking list's order
    created_by: Mapped[str] = mapped_column(String(120))

    lines: Mapped[list["BookingLine"]] = relationship(back_populates="booking", order_by="BookingLine.id")


class BookingLine(Base):
    __tablename__ = "booking_lines"
    # Bookings and manifests are looked up by travel date, then product.
    __table_args__ = (Index("ix_booking_lines_day_product_id", "day", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), index=True)
    product_id: Mapped[str] = mapped_column(String(36), index=True)
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    travellers: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))  # confirmed, cancelled, changed
    ticket_number: Mapped[str] = mapped_column(String(40), unique=True)
    destination: Mapped[str] = mapped_column(String(120))  # the product's, when the line was made
    net_price: Mapped[Decimal] = mapped_column(Money)   # per unit, at booking time
    sell_price: Mapped[Decimal] = mapped_column(Money)  # per unit, at booking time
    currency: Mapped[str] = mapped_column(String(3))
    replaces_line_id: Mapped[int | None] = mapped_column(Integer)
    # Why it was changed or cancelled (agency_error, customer_request, supplier): feedback's error rate.
    change_reason: Mapped[str | None] = mapped_column(String(20))
    # On the line a change made: what the customer pays (+) or gets back (-) for the change, in
    # sell prices over the quantity. None on a line that no change made.
    fare_difference: Mapped[Decimal | None] = mapped_column(Money)
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    booking: Mapped[Booking] = relationship(back_populates="lines")


class BookingTraveller(Base):
    """A traveller of a booking as the desk searches for them: the name folded (accents and case
    aside) and the phone as digits. Written when the booking is made; the lines keep the rest."""

    __tablename__ = "booking_travellers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), index=True)
    name_search: Mapped[str] = mapped_column(String(200), index=True)
    phone_digits: Mapped[str | None] = mapped_column(String(40), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_line_id: Mapped[int] = mapped_column(ForeignKey("booking_lines.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))

    line: Mapped[BookingLine] = relationship()


class SupplierMessage(Base):
    """A supplier message already answered (OTA EchoToken, AMQP message_id), with its answer.

    The same message sent again by the same supplier gets this answer again and changes nothing.
    """

    __tablename__ = "supplier_messages"
    __table_args__ = (UniqueConstraint("supplier_id", "message_type", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"))
    # OTA_HotelInvCountNotifRQ, OTA_HotelAvailNotifRQ, or amqp_inventory
    message_type: Mapped[str] = mapped_column(String(60))
    message_id: Mapped[str] = mapped_column(String(120))  # the EchoToken, or the AMQP message_id
    channel: Mapped[str] = mapped_column(String(30))  # supplier_xml, supplier_amqp
    status: Mapped[int] = mapped_column(Integer)  # the HTTP status answered
    response: Mapped[str] = mapped_column(Text)  # the RS XML, or the JSON result
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
