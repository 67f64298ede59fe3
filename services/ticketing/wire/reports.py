"""Sales reports, sellers, a supplier's bookings and manifests: the queries and what they answer.

The rules and what each figure means: services/ticketing/reports/__init__.py.
"""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields

__all__ = [
    "MAX_REPORT_DAYS", "REPORT_GRANULARITIES", "REPORT_GROUP_BY", "MAX_REPORT_LIMIT", "ReportPeriodSchema",
    "SalesReportQuerySchema", "ReportCsvOptionsMixin", "SalesReportCsvQuerySchema", "SellersQuerySchema",
    "SupplierBookingsQuerySchema", "SupplierBookingsCsvQuerySchema", "SalesBucketSchema", "SalesFiguresSchema",
    "SalesRowSchema", "SalesReportSchema", "SellerSchema", "SellersReportSchema", "SupplierBookingRowSchema",
    "SupplierBookingTotalSchema", "SupplierBookingsReportSchema", "ManifestQuerySchema", "ManifestCsvQuerySchema",
    "ManifestTravellerSchema", "ManifestProductSchema", "ManifestLineSchema", "ManifestProductTotalSchema",
    "ManifestSchema",
]

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
