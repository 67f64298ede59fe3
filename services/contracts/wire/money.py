"""The order file's money on the wire: payments and receipts, invoices and credit notes, refunds,
the desk's day, overdue instalments and bank statements. Amounts are decimal strings with at most
two decimals, in the contract's currency."""
from marshmallow import Schema, ValidationError, validate

from services.common import fields
from services.common.paging import PageSchema
from services.common.validators import CURRENCY

from .order_files import MAX_MONEY, NOT_BLANK, Money, to_the_cent

__all__ = [
    "PAYMENT_METHODS", "STATEMENT_FORMATS", "PaymentCreateSchema", "PaymentSchema", "InvoiceCreateSchema",
    "CreditNoteCreateSchema", "FiscalNumberSchema", "InvoiceSchema", "ContractRefundSchema", "RefundOpenSchema",
    "RefundPaySchema",
    "DayCloseSchema",
    "DeskDayQuerySchema", "DeskDaySchema", "OverdueQuerySchema", "OverdueSchema", "StatementImportSchema",
    "BankLineSchema", "StatementSchema", "ManualMatchSchema", "StatementPageSchema",
]

PAYMENT_METHODS = ("cash", "card", "bank_transfer", "wechat_pay", "alipay", "bizum", "cheque", "other")
STATEMENT_FORMATS = ("csv", "mt940", "camt053")


class PaymentCreateSchema(Schema):
    amount = Money(required=True, validate=[validate.Range(min=0, min_inclusive=False, max=MAX_MONEY,
                                                           error="More than 0 and at most {max}."), to_the_cent])
    currency = fields.String(required=True, validate=CURRENCY,
                             metadata={"description": "Must be the contract's currency"})
    method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120),
                              metadata={"description": "The card slip, transfer or wallet reference"})
    desk = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK],
                         metadata={"description": "Where it was received (a desk, an office, 'bank')"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class PaymentSchema(Schema):
    id = fields.Integer()
    order_file_id = fields.String()
    order_number = fields.String()
    receipt_number = fields.String()
    amount = Money(metadata={"description": "Received (> 0) or refunded (< 0)"})
    currency = fields.String()
    method = fields.String()
    reference = fields.String(allow_none=True)
    desk = fields.String()
    business_day = fields.Date()
    refund_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()
    received_by = fields.String()
    reconciled = fields.Boolean(metadata={"description": "Matched to a bank statement line"})


class InvoiceCreateSchema(Schema):
    amount = Money(load_default=None, validate=[validate.Range(min=0, min_inclusive=False, max=MAX_MONEY),
                                                to_the_cent],
                   metadata={"description": "Defaults to what of the contract is not invoiced yet"})
    buyer_name = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    buyer_tax_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    buyer_address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CreditNoteCreateSchema(Schema):
    amount = Money(required=True, validate=[validate.Range(min=0, min_inclusive=False, max=MAX_MONEY),
                                            to_the_cent])
    reason = fields.String(required=True, validate=[validate.Length(min=3, max=1000), NOT_BLANK])


class FiscalNumberSchema(Schema):
    fiscal_number = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK],
                                  metadata={"description": "The tax authority's number, e.g. a fapiao number"})


class InvoiceLineSchema(Schema):
    description = fields.String()
    quantity = fields.Integer()
    unit_price = Money()
    tax_rate = Money()
    tax = Money()
    total = Money()


class InvoiceSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "invoice or credit_note"})
    series = fields.String()
    number = fields.Integer()
    display_number = fields.String()
    order_file_id = fields.String()
    order_number = fields.String()
    corrects = fields.String(allow_none=True, metadata={"description": "The invoice a credit note corrects"})
    buyer = fields.Dict()
    lines = fields.List(fields.Nested(InvoiceLineSchema))
    tax_totals = fields.List(fields.Dict())
    subtotal = Money()
    tax_total = Money()
    total = Money(metadata={"description": "Negative for a credit note"})
    currency = fields.String()
    reason = fields.String(allow_none=True)
    fiscal_number = fields.String(allow_none=True)
    issued_at = fields.AwareDateTime()
    issued_by = fields.String()


class ContractRefundSchema(Schema):
    id = fields.Integer()
    order_file_id = fields.String()
    amount = Money()
    currency = fields.String()
    reason = fields.String()
    status = fields.String(metadata={"description": "pending_approval, approved or paid"})
    needs_manager = fields.Boolean(metadata={"description": "Over the finance approval limit"})
    approved_by = fields.String(allow_none=True)
    approved_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class RefundOpenSchema(Schema):
    amount = Money(required=True, validate=[validate.Range(min=0, min_inclusive=False, max=MAX_MONEY,
                                                           error="More than 0 and at most {max}."), to_the_cent])
    currency = fields.String(required=True, validate=CURRENCY, metadata={"description": "The contract's currency"})
    reason = fields.String(required=True, validate=[validate.Length(min=3, max=1000), NOT_BLANK])


class RefundPaySchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    desk = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK])
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class DayCloseSchema(Schema):
    desk = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK])
    day = fields.Date(load_default=None, metadata={"description": "Defaults to today"})


class DeskDayQuerySchema(Schema):
    desk = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK])
    day = fields.Date(load_default=None)


class DeskDaySchema(Schema):
    desk = fields.String()
    day = fields.Date()
    status = fields.String(metadata={"description": "open, closed or confirmed"})
    totals = fields.Dict(metadata={"description": "Per currency and method: count and amount"})
    payments = fields.Integer()
    closed_at = fields.AwareDateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    confirmed_at = fields.AwareDateTime(allow_none=True)
    confirmed_by = fields.String(allow_none=True)


class OverdueQuerySchema(Schema):
    as_of = fields.Date(load_default=None, metadata={"description": "Defaults to today"})


class OverdueSchema(Schema):
    order_file_id = fields.String()
    order_number = fields.String()
    customer_id = fields.String(allow_none=True)
    n = fields.Integer()
    kind = fields.String()
    due_on = fields.Date()
    outstanding = Money()
    currency = fields.String()
    days_overdue = fields.Integer()
    bucket = fields.String(metadata={"description": "0-30, 31-60, 61-90 or 90+"})


class StatementImportSchema(Schema):
    format = fields.String(required=True, validate=validate.OneOf(STATEMENT_FORMATS))
    content_base64 = fields.String(required=True, validate=validate.Length(min=1, max=28_000_000))


class BankLineSchema(Schema):
    id = fields.Integer()
    line_no = fields.Integer()
    booked_on = fields.Date()
    value_on = fields.Date(allow_none=True)
    amount = Money()
    currency = fields.String()
    reference = fields.String(allow_none=True)
    counterparty = fields.String(allow_none=True)
    bank_reference = fields.String(allow_none=True)
    payment_id = fields.Integer(allow_none=True)
    receipt_number = fields.String(allow_none=True)
    match_rule = fields.String(allow_none=True)
    confirmed = fields.Boolean(metadata={"description": "Finance confirmed the match"})


class StatementSchema(Schema):
    id = fields.Integer()
    format = fields.String()
    account = fields.String(allow_none=True)
    statement_id = fields.String(allow_none=True)
    currency = fields.String()
    opening_balance = Money(allow_none=True)
    closing_balance = Money(allow_none=True)
    checksum = fields.String()
    imported_at = fields.AwareDateTime()
    imported_by = fields.String()
    already_imported = fields.Boolean(metadata={"description": "The same file was imported before: nothing changed"})
    lines = fields.List(fields.Nested(BankLineSchema))
    matched = fields.Integer()
    unmatched_lines = fields.Integer()
    unmatched_payments = fields.List(fields.Nested(PaymentSchema), metadata={
        "description": "Payments by bank transfer in the statement's currency and period no line matched"})


class StatementPageSchema(PageSchema):
    items = fields.List(fields.Nested(StatementSchema(exclude=("lines", "unmatched_payments"))))


class ManualMatchSchema(Schema):
    payment_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                                allow_none=True, metadata={"description": "None: undo the match"})
