"""Products and their daily inventory: allotments, prices, release days, stop-sell, availability."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema
from services.common.validators import CODE, CURRENCY

__all__ = [
    "PRODUCT_KINDS", "MAX_QUANTITY", "MAX_RANGE_DAYS", "MONEY", "ProductCreateSchema", "ProductSchema",
    "ProductQuerySchema", "ProductPageSchema", "DateRangeMixin", "DateRangeQuerySchema", "InventoryUpdateSchema",
    "DailyInventorySchema", "InventoryChangeSchema", "OverbookedDaySchema", "InventorySetResultSchema",
    "AvailabilityQuerySchema", "AvailabilityDaySchema", "AvailabilityResultSchema", "CalendarQuerySchema",
    "CalendarCellSchema", "CalendarRowSchema", "CalendarSchema",
]

PRODUCT_KINDS = ("flight", "train", "hotel", "attraction", "transfer", "guide", "other")
MAX_QUANTITY = 50          # units on one line: a group larger than this is a group contract
MAX_RANGE_DAYS = 400       # a push or search covers at most about a year
MONEY = dict(as_string=True, places=2, validate=validate.Range(min=0, max=10_000_000))


class ProductCreateSchema(Schema):
    supplier_id = fields.String(required=True, validate=validate.Length(max=36))
    supplier_code = fields.String(required=True, validate=CODE)
    kind = fields.String(required=True, validate=validate.OneOf(PRODUCT_KINDS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    location = fields.String(required=True, validate=validate.Length(min=1, max=120))
    destination = fields.String(load_default=None, validate=validate.Length(min=1, max=120), metadata={
        "description": "Where the traveller goes (Rome for a PAR-ROM flight); the location when not given"})
    attributes = fields.Dict(keys=fields.String(validate=validate.Length(max=40)),
                             values=fields.Raw(), load_default=dict,
                             metadata={"description": "flight/train number and class, room type and board..."})
    currency = fields.String(required=True, validate=CURRENCY)


class ProductSchema(Schema):
    id = fields.String()
    supplier_id = fields.String()
    supplier_code = fields.String()
    kind = fields.String()
    name = fields.String()
    location = fields.String()
    destination = fields.String()
    attributes = fields.Dict()
    currency = fields.String()
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class ProductQuerySchema(PageQuerySchema):
    supplier_id = fields.String(load_default=None, validate=validate.Length(max=36))
    kind = fields.String(load_default=None, validate=validate.OneOf(PRODUCT_KINDS))
    location = fields.String(load_default=None, validate=validate.Length(min=1, max=120),
                             metadata={"description": "Part of the city or route, case aside"})
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                      metadata={"description": "Part of the name or of the supplier's code, case aside"})


class ProductPageSchema(PageSchema):
    items = fields.List(fields.Nested(ProductSchema))


class DateRangeMixin:
    @validates_schema
    def _range(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError("Must not be before start.", "end")
            if (end - start).days > MAX_RANGE_DAYS:
                raise ValidationError(f"At most {MAX_RANGE_DAYS} days at once.", "end")


class DateRangeQuerySchema(DateRangeMixin, Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class InventoryUpdateSchema(DateRangeMixin, Schema):
    """Set the allotment of one product over a range of dates (weekdays: 1 = Monday ... 7 = Sunday)."""

    start = fields.Date(required=True)
    end = fields.Date(required=True)
    weekdays = fields.List(fields.Integer(validate=validate.Range(min=1, max=7)), load_default=None,
                           validate=validate.Length(min=1, max=7))
    capacity = fields.Integer(load_default=None, validate=validate.Range(min=0, max=100_000))
    available = fields.Integer(load_default=None, validate=validate.Range(min=0, max=100_000), metadata={
        "description": "Units left to sell, as a channel manager counts them: each date's capacity becomes this "
                       "plus what is already booked and held there (at most `capacity` when both are given)"})
    net_price = fields.Decimal(load_default=None, **MONEY)
    sell_price = fields.Decimal(load_default=None, **MONEY)
    release_days = fields.Integer(load_default=None, validate=validate.Range(min=0, max=365))
    stop_sell = fields.Boolean(load_default=None)

    @validates_schema
    def _something(self, data, **kwargs):
        if all(data.get(k) is None for k in ("capacity", "available", "net_price", "sell_price", "release_days",
                                             "stop_sell")):
            raise ValidationError("Give at least one of capacity, available, net_price, sell_price, release_days, "
                                  "stop_sell.", "_schema")


class DailyInventorySchema(Schema):
    product_id = fields.String()
    day = fields.Date()
    capacity = fields.Integer()
    net_price = fields.Decimal(as_string=True)
    sell_price = fields.Decimal(as_string=True)
    release_days = fields.Integer()
    stop_sell = fields.Boolean()
    overbooked = fields.Boolean()
    booked = fields.Integer()
    held = fields.Integer()
    available = fields.Integer()
    status = fields.String(metadata={"description": "available, sold_out, on_request, stop_sell, overbooked"})


class InventoryChangeSchema(Schema):
    id = fields.Integer()
    product_id = fields.String()
    day = fields.Date()
    actor = fields.String()
    source = fields.String()
    source_message = fields.String(allow_none=True)
    old = fields.Dict(allow_none=True)
    new = fields.Dict()
    changed_at = fields.AwareDateTime()


class OverbookedDaySchema(Schema):
    day = fields.Date()
    capacity = fields.Integer()
    booked = fields.Integer()
    held = fields.Integer()
    short_by = fields.Integer(metadata={"description": "booked + held - capacity"})


class InventorySetResultSchema(Schema):
    applied_days = fields.Integer()
    overbooked = fields.List(fields.Nested(OverbookedDaySchema),
                             metadata={"description": "Dates this change left with more booked and held than capacity"})
    days = fields.List(fields.Nested(DailyInventorySchema), metadata={
        "description": "The product's inventory from start to end after the change, as GET .../inventory of that "
                       "range reads it (the ETag header is its version)"})


class AvailabilityQuerySchema(DateRangeMixin, Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(PRODUCT_KINDS))
    location = fields.String(load_default=None, validate=validate.Length(max=120))
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_QUANTITY))


class AvailabilityDaySchema(DailyInventorySchema):
    bookable = fields.Boolean(metadata={"description": "available and enough units for the quantity asked"})


class AvailabilityResultSchema(Schema):
    product = fields.Nested(ProductSchema)
    days = fields.List(fields.Nested(AvailabilityDaySchema))


class CalendarQuerySchema(Schema):
    month = fields.Month(required=True)
    kind = fields.String(load_default=None, validate=validate.OneOf(PRODUCT_KINDS))
    location = fields.String(load_default=None, validate=validate.Length(max=120))


class CalendarCellSchema(Schema):
    available = fields.Integer()
    status = fields.String()
    sell_price = fields.Decimal(as_string=True)


class CalendarRowSchema(Schema):
    product = fields.Nested(ProductSchema)
    days = fields.Dict(keys=fields.String(), values=fields.Nested(CalendarCellSchema))


class CalendarSchema(Schema):
    month = fields.String()
    days = fields.List(fields.Date())
    products = fields.List(fields.Nested(CalendarRowSchema))
