"""What crosses the wire for ticketing: RPC arguments, gateway bodies, event payloads."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema
from services.common.validators import CODE, CURRENCY

SUPPLIER_KINDS = ("airline", "rail", "hotel", "attraction", "ground_handler", "guide")
PRODUCT_KINDS = ("flight", "train", "hotel", "attraction", "transfer", "guide", "other")
CHANNELS = ("online", "consultant", "phone", "walk_in", "partner")
MAX_QUANTITY = 50          # units on one line: a group larger than this is a group contract
MAX_HOLD_LINES = 30
MAX_RANGE_DAYS = 400       # a push or search covers at most about a year
MONEY = dict(as_string=True, places=2, validate=validate.Range(min=0, max=10_000_000))


class ContactSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    role = fields.String(load_default=None, validate=validate.Length(max=60))
    email = fields.Email(load_default=None, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))


class SupplierCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(SUPPLIER_KINDS))
    contacts = fields.List(fields.Nested(ContactSchema), load_default=list, validate=validate.Length(max=20))


class SupplierSchema(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    contacts = fields.List(fields.Dict())
    api_key_prefix = fields.String(allow_none=True)
    api_key_active = fields.Boolean()
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class ApiKeySchema(Schema):
    supplier_id = fields.String()
    api_key = fields.String(metadata={"description": "Shown once; store it now."})


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


class DateRangeMixin:
    @validates_schema
    def _range(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError("Must not be before start.", "end")
            if (end - start).days > MAX_RANGE_DAYS:
                raise ValidationError(f"At most {MAX_RANGE_DAYS} days at once.", "end")


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


class SupplierUpdateSchema(InventoryUpdateSchema):
    """One update of a supplier's push: its own product code, and its sequence for ordering."""

    product_code = fields.String(required=True, validate=CODE)
    sequence = fields.BigInteger(required=True, strict=True, validate=validate.Range(min=0),
                                 metadata={"description": "Increasing per product: a push number or a Unix "
                                                          "timestamp in ms. Stale or repeated updates change nothing."})


class SupplierPushSchema(Schema):
    updates = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=5000))


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


class AvailabilityQuerySchema(DateRangeMixin, Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(PRODUCT_KINDS))
    location = fields.String(load_default=None, validate=validate.Length(max=120))
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_QUANTITY))


class CalendarQuerySchema(Schema):
    month = fields.Month(required=True)
    kind = fields.String(load_default=None, validate=validate.OneOf(PRODUCT_KINDS))
    location = fields.String(load_default=None, validate=validate.Length(max=120))


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


# --- lists the desk looks things up in -------------------------------------------------------

HOLD_STATUSES = ("active", "released", "expired", "confirmed")
BOOKING_STATUSES = ("confirmed", "cancelled")


class SupplierQuerySchema(PageQuerySchema):
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                         metadata={"description": "Part of the name, case aside"})
    kind = fields.String(load_default=None, validate=validate.OneOf(SUPPLIER_KINDS))


class SupplierPageSchema(PageSchema):
    items = fields.List(fields.Nested(SupplierSchema))


class ProductQuerySchema(PageQuerySchema):
    supplier_id = fields.String(load_default=None, validate=validate.Length(max=36))
    kind = fields.String(load_default=None, validate=validate.OneOf(PRODUCT_KINDS))
    location = fields.String(load_default=None, validate=validate.Length(min=1, max=120),
                             metadata={"description": "Part of the city or route, case aside"})
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                      metadata={"description": "Part of the name or of the supplier's code, case aside"})


class ProductPageSchema(PageSchema):
    items = fields.List(fields.Nested(ProductSchema))


class HoldQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(HOLD_STATUSES))
    product_id = fields.String(load_default=None, validate=validate.Length(max=36))
    travel_date = fields.Date(load_default=None)
    reference = fields.String(load_default=None, validate=validate.Length(min=1, max=120))


class HoldPageSchema(PageSchema):
    items = fields.List(fields.Nested(HoldSchema))


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

    @validates_schema
    def _something(self, data, **kwargs):
        if data.get("product_id") is None and data.get("day") is None:
            raise ValidationError("Give a new product_id, a new day, or both.", "_schema")


class RefundCreateSchema(Schema):
    amount = fields.Decimal(required=True, as_string=True, places=2,
                            validate=validate.Range(min=0, min_inclusive=False, max=10_000_000))
    reason = fields.String(load_default=None, validate=validate.Length(max=1000))


class AvailabilityDaySchema(DailyInventorySchema):
    bookable = fields.Boolean(metadata={"description": "available and enough units for the quantity asked"})


class AvailabilityResultSchema(Schema):
    product = fields.Nested(ProductSchema)
    days = fields.List(fields.Nested(AvailabilityDaySchema))


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


class DateRangeQuerySchema(DateRangeMixin, Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


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


class PushUpdateResultSchema(Schema):
    index = fields.Integer(metadata={"description": "The update's position in the batch, from 0"})
    status = fields.String(metadata={"description": "applied, ignored_stale or rejected"})
    product_code = fields.String()
    applied_days = fields.Integer()
    stale_days = fields.Integer()
    missing_days = fields.List(fields.String(), metadata={"description": "Dates without an allotment yet (ISO 8601)"})
    reason = fields.String(metadata={"description": "invalid, unknown_product, past_dates or no_allotment"})
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "Per-field messages of an invalid update"})


class PushResultSchema(Schema):
    supplier_id = fields.String()
    results = fields.List(fields.Nested(PushUpdateResultSchema))


class LineChangeResultSchema(Schema):
    booking = fields.Nested(BookingSchema)
    fare_difference = fields.Decimal(as_string=True)
    currency = fields.String()


class RefundSchema(Schema):
    id = fields.Integer()
    booking_line_id = fields.Integer()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()


# --- sales reports ----------------------------------------------------------------------------
# The rules and what each figure means: services/ticketing/reports/__init__.py.

MAX_REPORT_DAYS = 366
REPORT_GRANULARITIES = ("day", "week", "month")
REPORT_GROUP_BY = ("product", "kind", "supplier", "destination")
MAX_REPORT_LIMIT = 100


class ReportPeriodSchema(Schema):
    """A period of UTC dates, both ends included, at most MAX_REPORT_DAYS days."""

    start = fields.Date(required=True, metadata={"description": "First UTC date of the period (inclusive)"})
    end = fields.Date(required=True, metadata={"description": "Last UTC date of the period (inclusive)"})

    @validates_schema
    def _period(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError("Must not be before start.", "end")
            if (end - start).days + 1 > MAX_REPORT_DAYS:
                raise ValidationError(f"A report covers at most {MAX_REPORT_DAYS} days.", "end")


class SalesReportQuerySchema(ReportPeriodSchema):
    granularity = fields.String(load_default="day", validate=validate.OneOf(REPORT_GRANULARITIES),
                                metadata={"description": "day, week (ISO, Monday to Sunday) or month"})
    group_by = fields.String(load_default="product", validate=validate.OneOf(REPORT_GROUP_BY),
                             metadata={"description": "product, kind, supplier or destination (where the line takes the traveller)"})


class ReportCsvOptionsMixin:
    bom = fields.Boolean(load_default=False, metadata={
        "description": "Start with a UTF-8 byte order mark, so Excel shows Chinese names without an import step"})


class SalesReportCsvQuerySchema(ReportCsvOptionsMixin, SalesReportQuerySchema):
    pass


class SellersQuerySchema(ReportPeriodSchema):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_REPORT_LIMIT))


class SupplierBookingsQuerySchema(ReportPeriodSchema):
    pass


class SupplierBookingsCsvQuerySchema(ReportCsvOptionsMixin, SupplierBookingsQuerySchema):
    pass


class SalesBucketSchema(Schema):
    bucket = fields.String(metadata={"description": "2027-03-01, 2027-W09 (ISO week) or 2027-03"})
    start = fields.Date(metadata={"description": "First day of the bucket inside the period"})
    end = fields.Date(metadata={"description": "Last day of the bucket inside the period"})


class SalesFiguresSchema(Schema):
    """One currency's figures. Sales on the UTC date of confirmation; cancellations and changes on
    the UTC date they happened; balance = sold - cancelled - changed."""

    currency = fields.String()
    units_sold = fields.Integer()
    bookings = fields.Integer(metadata={"description": "Distinct bookings with a sale"})
    sell_total = fields.Decimal(as_string=True)
    net_total = fields.Decimal(as_string=True)
    margin = fields.Decimal(as_string=True, metadata={"description": "sell_total - net_total"})
    units_cancelled = fields.Integer()
    cancelled_sell_total = fields.Decimal(as_string=True)
    cancelled_net_total = fields.Decimal(as_string=True)
    units_changed = fields.Integer(metadata={"description": "Units of lines rebooked onto another product or date"})
    changed_sell_total = fields.Decimal(as_string=True)
    changed_net_total = fields.Decimal(as_string=True)
    balance_units = fields.Integer()
    balance_sell_total = fields.Decimal(as_string=True)
    balance_net_total = fields.Decimal(as_string=True)
    balance_margin = fields.Decimal(as_string=True)
    fare_difference_total = fields.Decimal(as_string=True, metadata={
        "description": "Fare differences of the changes made (on the date, and in the group, of the new line)"})


class SalesRowSchema(SalesFiguresSchema):
    bucket = fields.String()
    bucket_start = fields.Date()
    bucket_end = fields.Date()
    group_key = fields.String(metadata={"description": "Product id, kind, supplier id or destination"})
    group_label = fields.String(metadata={"description": "Product name, kind, supplier name or destination"})


class SalesReportSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    granularity = fields.String()
    group_by = fields.String()
    buckets = fields.List(fields.Nested(SalesBucketSchema))
    rows = fields.List(fields.Nested(SalesRowSchema), metadata={"description": "One per bucket, group and currency"})
    totals = fields.List(fields.Nested(SalesFiguresSchema), metadata={"description": "One per currency"})


class SellerSchema(Schema):
    rank = fields.Integer()
    product_id = fields.String()
    product_code = fields.String()
    product_name = fields.String()
    kind = fields.String()
    destination = fields.String()
    supplier_id = fields.String()
    supplier_name = fields.String()
    currency = fields.String()
    units_sold = fields.Integer()
    units_cancelled = fields.Integer()
    units_changed = fields.Integer()
    balance_units = fields.Integer(metadata={"description": "units_sold - units_cancelled - units_changed: the rank"})
    bookings = fields.Integer()
    sell_total = fields.Decimal(as_string=True)
    net_total = fields.Decimal(as_string=True)
    margin = fields.Decimal(as_string=True)
    balance_sell_total = fields.Decimal(as_string=True)
    allotment = fields.Integer(metadata={"description": "Capacity on travel dates in the period"})
    allotment_booked = fields.Integer(metadata={"description": "Confirmed units on travel dates in the period"})
    available_allotment = fields.Integer(metadata={
        "description": "Unsold capacity on travel dates in the period, stop-sell dates excluded"})


class SellersReportSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    limit = fields.Integer()
    products = fields.List(fields.Nested(SellerSchema))


class SupplierBookingRowSchema(Schema):
    locator = fields.String()
    ticket_number = fields.String()
    product_id = fields.String()
    product_code = fields.String()
    product_name = fields.String()
    travel_date = fields.Date()
    quantity = fields.Integer()
    net_price = fields.Decimal(as_string=True)
    net_total = fields.Decimal(as_string=True)
    currency = fields.String()
    status = fields.String(metadata={"description": "confirmed, cancelled or changed, as of now"})
    confirmed_at = fields.AwareDateTime()
    cancelled_at = fields.AwareDateTime(allow_none=True)
    replaces_ticket_number = fields.String(allow_none=True)


class SupplierBookingTotalSchema(Schema):
    currency = fields.String()
    status = fields.String()
    lines = fields.Integer()
    units = fields.Integer()
    net_total = fields.Decimal(as_string=True)


class SupplierBookingsReportSchema(Schema):
    supplier_id = fields.String()
    supplier_name = fields.String()
    start = fields.Date()
    end = fields.Date()
    lines = fields.List(fields.Nested(SupplierBookingRowSchema))
    totals = fields.List(fields.Nested(SupplierBookingTotalSchema), metadata={"description": "Per currency and status"})


# --- manifests ----------------------------------------------------------------------------------

class ManifestQuerySchema(Schema):
    travel_date = fields.Date(required=True)
    supplier_id = fields.String(load_default=None, validate=validate.Length(max=36))
    product_id = fields.String(load_default=None, validate=validate.Length(max=36),
                               metadata={"description": "One departure or room type only"})

    @validates_schema
    def _whose(self, data, **kwargs):
        if not data.get("supplier_id") and not data.get("product_id"):
            raise ValidationError("Give a supplier_id, a product_id, or both.", "supplier_id")


class ManifestCsvQuerySchema(ReportCsvOptionsMixin, ManifestQuerySchema):
    pass


class ManifestTravellerSchema(Schema):
    name = fields.String()
    document = fields.String(allow_none=True)


class ManifestProductSchema(Schema):
    product_id = fields.String()
    product_code = fields.String()
    product_name = fields.String()


class ManifestLineSchema(ManifestProductSchema):
    locator = fields.String()
    ticket_number = fields.String(metadata={"description": "The line's voucher number"})
    reference = fields.String(allow_none=True)
    quantity = fields.Integer()
    travellers = fields.List(fields.Nested(ManifestTravellerSchema))


class ManifestProductTotalSchema(ManifestProductSchema):
    bookings = fields.Integer()
    units = fields.Integer()


class ManifestSchema(Schema):
    travel_date = fields.Date()
    supplier_id = fields.String()
    supplier_name = fields.String()
    product_id = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(ManifestLineSchema), metadata={
        "description": "Confirmed lines travelling that date, by product code, then locator"})
    totals = fields.List(fields.Nested(ManifestProductTotalSchema), metadata={"description": "Per product"})
