"""The events ticketing publishes, each produced by dumping its payload schema
(services.common.contract). Adding a field keeps an event's version; removing or renaming one
makes a new version.

CRM's timeline and trips read the booking events: a line's travellers (with their customer_id),
day, destination and status.
"""
from marshmallow import Schema

from services.common import fields
from services.common.contract import Event, events_by_name

from .bookings import BookingLineSchema, BookingSchema, HoldSchema

__all__ = [
    "HoldPayload", "BookingConfirmedPayload", "BookingCancelledPayload", "BookingChangedPayload",
    "BookingRefundedPayload", "ChangedFieldsSchema", "InventoryChangedPayload", "OverbookedPayload",
    "HOLD_PLACED", "HOLD_RELEASED", "HOLD_EXPIRED", "BOOKING_CONFIRMED", "BOOKING_CANCELLED", "BOOKING_CHANGED",
    "BOOKING_REFUNDED", "INVENTORY_CHANGED", "OVERBOOKED", "EVENTS",
]


class HoldPayload(HoldSchema):
    """The hold as `get_hold` returns it, after the change the event announces."""


class BookingConfirmedPayload(BookingSchema):
    """The booking as `get_booking` returns it, with what it sold for."""

    total_sell = fields.Decimal(as_string=True, required=True, metadata={
        "description": "Sum of sell_price x quantity over the lines (the lines' currency)"})
    total_net = fields.Decimal(as_string=True, required=True, metadata={
        "description": "Sum of net_price x quantity over the lines"})


class _BookingRef(Schema):
    booking_id = fields.String(required=True)
    locator = fields.String(required=True)
    reference = fields.String(required=True, allow_none=True, metadata={
        "description": "The caller's reference of the hold it came from (a quote or an order)"})


class BookingCancelledPayload(_BookingRef):
    status = fields.String(required=True, metadata={
        "description": "The booking's status after it: cancelled once no line is left confirmed"})
    cancelled_lines = fields.List(fields.Nested(BookingLineSchema), required=True)
    reason = fields.String(metadata={"description": "agency_error, customer_request or supplier"})
    cancelled_by = fields.String(metadata={"description": "Who cancelled (the gateway's actor, or service:<name>)"})


class BookingChangedPayload(_BookingRef):
    old_line = fields.Nested(BookingLineSchema, required=True, metadata={"description": "Now status changed"})
    new_line = fields.Nested(BookingLineSchema, required=True, metadata={
        "description": "The line that replaces it (replaces_line_id names the old one)"})
    fare_difference = fields.Decimal(as_string=True, required=True, metadata={
        "description": "What the customer pays (+) or gets back (-) for the change, in sell prices"})
    currency = fields.String(required=True)
    reason = fields.String(metadata={"description": "agency_error, customer_request or supplier"})
    changed_by = fields.String(metadata={"description": "Who changed it (the gateway's actor, or service:<name>)"})


class BookingRefundedPayload(_BookingRef):
    refund_id = fields.Integer(required=True)
    line = fields.Nested(BookingLineSchema, required=True)
    amount = fields.Decimal(as_string=True, required=True)
    currency = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True)


class ChangedFieldsSchema(Schema):
    """The fields an update set (only those it gave)."""

    capacity = fields.Integer()
    available = fields.Integer(metadata={"description": "Units left to sell, as the update gave them"})
    net_price = fields.Decimal(as_string=True)
    sell_price = fields.Decimal(as_string=True)
    release_days = fields.Integer()
    stop_sell = fields.Boolean()


class InventoryChangedPayload(Schema):
    product_id = fields.String(required=True)
    supplier_id = fields.String(required=True)
    supplier_code = fields.String(required=True)
    kind = fields.String(required=True)
    location = fields.String(required=True)
    days = fields.List(fields.Date(), required=True, metadata={"description": "The dates the update changed"})
    changes = fields.Nested(ChangedFieldsSchema, required=True)
    changed_by = fields.String(required=True, metadata={
        "description": "Who: user:<username> (staff), supplier:<supplier id>, or service:<name> when no one is named"})


class OverbookedPayload(Schema):
    product_id = fields.String(required=True)
    supplier_id = fields.String(required=True)
    day = fields.Date(required=True)
    capacity = fields.Integer(required=True)
    booked = fields.Integer(required=True)
    held = fields.Integer(required=True)
    short_by = fields.Integer(required=True, metadata={
        "description": "booked + held - capacity: units the desk must find elsewhere or cancel"})


HOLD_PLACED = Event("ticketing.hold_placed", HoldPayload, "Units were put on hold (an option) until expires_at.")
HOLD_RELEASED = Event("ticketing.hold_released", HoldPayload, "A hold was let go before it expired.")
HOLD_EXPIRED = Event("ticketing.hold_expired", HoldPayload, "A hold lapsed unconfirmed; its units are free.")
BOOKING_CONFIRMED = Event("ticketing.booking_confirmed", BookingConfirmedPayload,
                          "A hold became a booking with a locator and a voucher number per line.")
BOOKING_CANCELLED = Event("ticketing.booking_cancelled", BookingCancelledPayload,
                          "One line or every confirmed line of a booking was cancelled.")
BOOKING_CHANGED = Event("ticketing.booking_changed", BookingChangedPayload,
                        "A booking line was rebooked onto another product or date.")
BOOKING_REFUNDED = Event("ticketing.booking_refunded", BookingRefundedPayload,
                         "Money was refunded on a cancelled or changed booking line.")
INVENTORY_CHANGED = Event("ticketing.inventory_changed", InventoryChangedPayload,
                          "Staff or a supplier changed a product's allotment, prices, release days or stop-sell.")
OVERBOOKED = Event("ticketing.overbooked", OverbookedPayload,
                   "An inventory change left a date with more units booked and held than its capacity.")

EVENTS = events_by_name(HOLD_PLACED, HOLD_RELEASED, HOLD_EXPIRED, BOOKING_CONFIRMED, BOOKING_CANCELLED,
                        BOOKING_CHANGED, BOOKING_REFUNDED, INVENTORY_CHANGED, OVERBOOKED)
