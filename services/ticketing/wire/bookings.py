"""Holds (options on units) and the bookings they become: changes and refunds of their lines."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema

from .products import MAX_QUANTITY

__all__ = [
    "CHANNELS", "MAX_HOLD_LINES", "HOLD_STATUSES", "BOOKING_STATUSES", "TravellerSchema", "HoldLineSchema",
    "HoldCreateSchema", "HoldExtendSchema", "HoldLineOutSchema", "HoldSchema", "HoldQuerySchema",
    "HoldPageSchema", "BookingLineSchema", "BookingSchema", "BookingQuerySchema", "BookingPageSchema",
    "LineChangeSchema", "LineChangeResultSchema", "RefundCreateSchema", "RefundSchema", "CHANGE_REASONS",
    "DEFAULT_CHANGE_REASON", "LineChangeRequestSchema", "CancelSchema", "CancelRequestSchema",
]

CHANNELS = ("online", "consultant", "phone", "walk_in", "partner")
MAX_HOLD_LINES = 30
HOLD_STATUSES = ("active", "released", "expired", "confirmed")
BOOKING_STATUSES = ("confirmed", "cancelled")
# Why a line was changed or cancelled: feedback's booking error rate counts agency_error.
CHANGE_REASONS = ("agency_error", "customer_request", "supplier")
# What a service's call that names no reason gets (contracts' trip process cancels bookings when the
# customer cancels the order file); staff must always say why (the gateway's request schemas).
DEFAULT_CHANGE_REASON = "customer_request"
_REASON_DOC = {"description": "Why: agency_error, customer_request or supplier"}


class TravellerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    customer_id = fields.String(load_default=None, validate=validate.Length(max=36))
    document = fields.String(load_default=None, validate=validate.Length(max=40))
    phone = fields.String(load_default=None, validate=validate.Regexp(
        r"^\+?[0-9 ()\-.]{5,30}$", error="Not a phone number."))


class HoldLineSchema(Schema):
    product_id = fields.String(required=True, validate=validate.Length(max=36))
    day = fields.Date(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY))
    travellers = fields.List(fields.Nested(TravellerSchema), load_default=list,
                             validate=validate.Length(max=MAX_QUANTITY))


class HoldCreateSchema(Schema):
    lines = fields.List(fields.Nested(HoldLineSchema), required=True,
                        validate=validate.Length(min=1, max=MAX_HOLD_LINES))
    channel = fields.String(load_default="consultant", validate=validate.OneOf(CHANNELS))
    expires_in_minutes = fields.Integer(load_default=None, validate=validate.Range(min=1, max=14 * 24 * 60))
    reference = fields.String(load_default=None, validate=validate.Length(max=120))


class HoldExtendSchema(Schema):
    expires_in_minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=14 * 24 * 60))


class HoldLineOutSchema(Schema):
    product_id = fields.String()
    day = fields.Date()
    quantity = fields.Integer()
    travellers = fields.List(fields.Dict())


class HoldSchema(Schema):
    id = fields.String()
    channel = fields.String()
    status = fields.String()
    expires_at = fields.AwareDateTime()
    reference = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    lines = fields.List(fields.Nested(HoldLineOutSchema))


class HoldQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(HOLD_STATUSES))
    product_id = fields.String(load_default=None, validate=validate.Length(max=36))
    travel_date = fields.Date(load_default=None)
    reference = fields.String(load_default=None, validate=validate.Length(min=1, max=120))


class HoldPageSchema(PageSchema):
    items = fields.List(fields.Nested(HoldSchema))


class BookingLineSchema(Schema):
    id = fields.Integer()
    product_id = fields.String()
    day = fields.Date()
    quantity = fields.Integer()
    travellers = fields.List(fields.Dict())
    status = fields.String()
    ticket_number = fields.String()
    destination = fields.String()
    net_price = fields.Decimal(as_string=True)
    sell_price = fields.Decimal(as_string=True)
    currency = fields.String()
    replaces_line_id = fields.Integer(allow_none=True)
    change_reason = fields.String(allow_none=True, metadata={
        "description": "On a changed or cancelled line: why (agency_error, customer_request, supplier)"})
    fare_difference = fields.Decimal(as_string=True, allow_none=True, metadata={
        "description": "On a line a change made: what the customer paid (+) or got back (-) for the change"})


class BookingSchema(Schema):
    id = fields.String()
    locator = fields.String()
    hold_id = fields.String(allow_none=True)
    status = fields.String()
    reference = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    lines = fields.List(fields.Nested(BookingLineSchema))


class BookingQuerySchema(PageQuerySchema):
    locator = fields.String(load_default=None, validate=validate.Regexp(
        r"^[A-Za-z0-9]{6}$", error="A 6-character locator."), metadata={"description": "In any case"})
    name = fields.String(load_default=None, validate=validate.Length(min=2, max=200),
                         metadata={"description": "Part of a traveller's name; accents and case do not matter"})
    phone = fields.String(load_default=None, validate=[validate.Length(max=30), validate.Regexp(
        r"^\+?(?:[ ()\-.]*[0-9]){4,}[ ()\-.]*$", error="At least 4 digits of a phone number.")],
        metadata={"description": "Part of a traveller's phone, compared by its digits"})
    customer_id = fields.String(load_default=None, validate=validate.Length(max=36))
    product_id = fields.String(load_default=None, validate=validate.Length(max=36))
    supplier_id = fields.String(load_default=None, validate=validate.Length(max=36))
    travel_date = fields.Date(load_default=None, metadata={"description": "A line travels on this date"})
    status = fields.String(load_default=None, validate=validate.OneOf(BOOKING_STATUSES))


class BookingPageSchema(PageSchema):
    items = fields.List(fields.Nested(BookingSchema))


class LineChangeSchema(Schema):
    product_id = fields.String(load_default=None, validate=validate.Length(max=36))
    day = fields.Date(load_default=None)
    reason = fields.String(load_default=DEFAULT_CHANGE_REASON, validate=validate.OneOf(CHANGE_REASONS),
                           metadata={"description": f"Why; {DEFAULT_CHANGE_REASON} when not given"})

    @validates_schema
    def _something(self, data, **kwargs):
        if data.get("product_id") is None and data.get("day") is None:
            raise ValidationError("Give a new product_id, a new day, or both.", "_schema")


class LineChangeRequestSchema(LineChangeSchema):
    """What staff send: the reason is theirs to give."""

    reason = fields.String(required=True, validate=validate.OneOf(CHANGE_REASONS), metadata=_REASON_DOC)


class CancelSchema(Schema):
    reason = fields.String(load_default=DEFAULT_CHANGE_REASON, validate=validate.OneOf(CHANGE_REASONS),
                           metadata={"description": f"Why; {DEFAULT_CHANGE_REASON} when not given"})


class CancelRequestSchema(CancelSchema):
    reason = fields.String(required=True, validate=validate.OneOf(CHANGE_REASONS), metadata=_REASON_DOC)


class LineChangeResultSchema(Schema):
    booking = fields.Nested(BookingSchema)
    fare_difference = fields.Decimal(as_string=True)
    currency = fields.String()


class RefundCreateSchema(Schema):
    amount = fields.Decimal(required=True, as_string=True, places=2,
                            validate=validate.Range(min=0, min_inclusive=False, max=10_000_000))
    reason = fields.String(load_default=None, validate=validate.Length(max=1000))


class RefundSchema(Schema):
    id = fields.Integer()
    booking_line_id = fields.Integer()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
