"""What the agency owes its suppliers, on the wire: the supplier costs and margin of an order file,
a supplier's payables for a period, and the supplier invoices matched against them.

A booking belongs to an order file when its `reference` is the order number: the trip process
places its holds with reference = order number. Costs are net price x quantity of the confirmed
booking lines, exact to the cent, each in its own currency: nothing is converted.
"""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.validators import CURRENCY

from .order_files import MAX_MONEY, NOT_BLANK, Money, to_the_cent

__all__ = [
    "COST_STATUSES", "SUPPLIER_INVOICE_STATUSES", "MAX_PERIOD_DAYS", "PeriodQuerySchema", "SupplierCostSchema",
    "CurrencyTotalSchema", "OrderFileMarginSchema", "SupplierInvoiceCreateSchema", "SupplierInvoicePaySchema",
    "SupplierInvoiceSchema", "SupplierPayablesSchema",
]

COST_STATUSES = ("confirmed", "changed", "cancelled")
SUPPLIER_INVOICE_STATUSES = ("recorded", "paid")
MAX_PERIOD_DAYS = 400  # an invoice covers a month or a season; a year at most


class _Period:
    @validates_schema
    def _period(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError("Must not be before start.", "end")
            if (end - start).days > MAX_PERIOD_DAYS:
                raise ValidationError(f"At most {MAX_PERIOD_DAYS} days at once.", "end")


class PeriodQuerySchema(_Period, Schema):
    start = fields.Date(required=True, metadata={"description": "First travel day of the period"})
    end = fields.Date(required=True, metadata={"description": "Last travel day of the period (included)"})


class SupplierCostSchema(Schema):
    """One booking line placed for an order file, as ticketing's events told it."""

    order_file_id = fields.String()
    order_number = fields.String()
    booking_id = fields.String()
    locator = fields.String()
    line_id = fields.Integer()
    replaces_line_id = fields.Integer(allow_none=True, metadata={"description": "The line a change replaced"})
    product_id = fields.String()
    supplier_id = fields.String()
    day = fields.Date()
    quantity = fields.Integer()
    net_price = Money()
    sell_price = Money()
    currency = fields.String()
    status = fields.String(metadata={"description": "confirmed (a cost), changed (replaced) or cancelled"})
    cost = Money(metadata={"description": "net_price x quantity"})


class CurrencyTotalSchema(Schema):
    currency = fields.String()
    amount = Money(metadata={"description": "Sum of net_price x quantity of the confirmed lines"})
    lines = fields.Integer()


class OrderFileMarginSchema(Schema):
    order_file_id = fields.String()
    order_number = fields.String()
    status = fields.String()
    currency = fields.String(metadata={"description": "The contract's currency"})
    revenue = Money(metadata={"description": "The contract's total in force; the cancellation fee once cancelled"})
    costs = Money(metadata={"description": "Confirmed lines in the contract's currency, at net price"})
    margin = Money(metadata={"description": "revenue - costs"})
    margin_percent = fields.Decimal(as_string=True, allow_none=True, metadata={
        "description": "margin / revenue x 100, to two decimals; null when there is no revenue"})
    other_currency_costs = fields.List(fields.Nested(CurrencyTotalSchema), metadata={
        "description": "Confirmed lines in other currencies, per currency: not converted, not in costs or margin"})
    lines = fields.List(fields.Nested(SupplierCostSchema), metadata={
        "description": "Every booking line of the order file, the changed and cancelled ones too"})


class SupplierInvoiceCreateSchema(_Period, Schema):
    number = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK],
                           metadata={"description": "The supplier's invoice number: one record per supplier and number"})
    start = fields.Date(required=True, metadata={"description": "First travel day the invoice covers"})
    end = fields.Date(required=True, metadata={"description": "Last travel day it covers (included)"})
    amount = Money(required=True, validate=[validate.Range(min=0, min_inclusive=False, max=MAX_MONEY,
                                                           error="More than 0 and at most {max}."), to_the_cent])
    currency = fields.String(required=True, validate=CURRENCY)


class SupplierInvoicePaySchema(Schema):
    paid_on = fields.Date(required=True)
    reference = fields.String(required=True, validate=[validate.Length(min=1, max=120), NOT_BLANK],
                              metadata={"description": "The transfer's reference"})


class SupplierInvoiceSchema(Schema):
    id = fields.Integer()
    supplier_id = fields.String()
    number = fields.String()
    start = fields.Date()
    end = fields.Date()
    amount = Money(metadata={"description": "What the supplier invoiced"})
    currency = fields.String()
    expected = Money(metadata={
        "description": "What the bookings say now: the supplier's confirmed lines of the period in this currency"})
    difference = Money(metadata={"description": "amount - expected: 0 when the invoice matches the bookings"})
    matches = fields.Boolean()
    status = fields.String(metadata={"description": "recorded or paid"})
    paid_on = fields.Date(allow_none=True)
    payment_reference = fields.String(allow_none=True)
    paid_at = fields.AwareDateTime(allow_none=True)
    paid_by = fields.String(allow_none=True)
    recorded_at = fields.AwareDateTime()
    recorded_by = fields.String()
    already_recorded = fields.Boolean(metadata={"description": "This supplier's invoice of that number was recorded "
                                                               "before: this is that record, unchanged"})


class SupplierPayablesSchema(Schema):
    supplier_id = fields.String()
    supplier_name = fields.String()
    start = fields.Date()
    end = fields.Date()
    totals = fields.List(fields.Nested(CurrencyTotalSchema), metadata={"description": "Per currency"})
    lines = fields.List(fields.Nested(SupplierCostSchema), metadata={
        "description": "The supplier's confirmed lines travelling in the period, by day"})
    invoices = fields.List(fields.Nested(SupplierInvoiceSchema), metadata={
        "description": "The supplier's invoices whose period overlaps this one"})
