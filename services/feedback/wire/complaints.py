"""Feedback's complaints on the wire: opening a complaint, the steps the desk records (customer and
supplier contacted, the supplier's answer, compensations, resolution, the customer's rating,
reopening), its two clocks with the time left, the vouchers an agency compensation issues and a
later quote redeems once; and the events about them.
"""
from decimal import Decimal

from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.contract import Event
from services.common.paging import PageQuerySchema, PageSchema
from services.common.validators import CURRENCY

__all__ = [
    "CHANNELS", "SEVERITIES", "STEP_KINDS", "AGENCY_COMPENSATIONS", "CLOCKS", "COMPLAINT_STATUSES",
    "ComplaintOpenSchema", "ComplaintStepCreateSchema", "ComplaintResolveSchema", "ComplaintRateSchema",
    "ComplaintReopenSchema", "ComplaintQuerySchema", "ComplaintStepSchema", "ClockSchema", "ComplaintSummarySchema",
    "ComplaintSchema",
    "ComplaintPageSchema", "VoucherSchema", "VoucherRedeemSchema",
    "CompensationSchema", "ComplaintOpenedPayload", "ComplaintRespondedPayload", "SupplierAnsweredPayload",
    "ComplaintResolvedPayload", "ComplaintRatedPayload", "ComplaintEscalatedPayload", "ComplaintReopenedPayload",
    "VoucherIssuedPayload", "VoucherRedeemedPayload",
    "COMPLAINT_OPENED", "COMPLAINT_RESPONDED", "COMPLAINT_SUPPLIER_ANSWERED", "COMPLAINT_RESOLVED",
    "COMPLAINT_RATED", "COMPLAINT_ESCALATED", "COMPLAINT_REOPENED", "VOUCHER_ISSUED", "VOUCHER_REDEEMED",
    "COMPLAINTS_EVENTS",
]

CHANNELS = ("phone", "email", "desk", "during_trip", "web")
SEVERITIES = ("low", "normal", "high", "critical")
CLOCKS = ("first_response", "resolution")
COMPLAINT_STATUSES = ("open", "resolved")
# What the desk records as it handles a complaint (resolved, rated and reopened have their own RPCs too).
STEP_KINDS = ("customer_contacted", "supplier_contacted", "supplier_answered", "supplier_compensation",
              "agency_compensation", "note", "resolved", "rated", "reopened")
AGENCY_COMPENSATIONS = ("voucher", "discount", "refund", "points")
MAX_MONEY = 10_000_000
NOT_BLANK = validate.Regexp(r"\S", error="Cannot be blank.")
_TEXT = [validate.Length(min=1, max=5000), NOT_BLANK]
_NAME = [validate.Length(min=1, max=200), NOT_BLANK]
_ID = validate.Length(min=1, max=36)


def Money(**kwargs):
    return fields.Decimal(as_string=True, **kwargs)


def _to_the_cent(value: Decimal):
    if -MAX_MONEY <= value <= MAX_MONEY and value != value.quantize(Decimal("0.01")):
        raise ValidationError("At most two decimals (to the cent).")


_AMOUNT = [validate.Range(min=0, min_inclusive=False, max=MAX_MONEY, error="More than 0 and at most {max}."),
           _to_the_cent]


class ComplaintOpenSchema(Schema):
    customer_id = fields.String(required=True, validate=_ID)
    order_file_id = fields.String(load_default=None, allow_none=True, validate=_ID,
                                  metadata={"description": "The order file it concerns (its currency is the "
                                                           "complaint's)"})
    booking_locator = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    supplier_id = fields.String(load_default=None, allow_none=True, validate=_ID)
    supplier_name = fields.String(load_default=None, allow_none=True, validate=_NAME)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    category = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK],
                             metadata={"description": "e.g. hotel_service, flight_delay, guide, billing"})
    severity = fields.String(load_default="normal", validate=validate.OneOf(SEVERITIES))
    summary = fields.String(required=True, validate=_TEXT, metadata={"description": "What the customer says"})
    handler = fields.String(load_default=None, allow_none=True, validate=[validate.Length(min=1, max=120), NOT_BLANK],
                            metadata={"description": "Who owns it (default: whoever opens it)"})
    team = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=60),
                         metadata={"description": "The handler's desk, e.g. consultants or ticketing"})
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY, metadata={
        "description": "Of its compensations; needed without an order file (which has its own)"})
    opened_at = fields.AwareDateTime(load_default=None,
                                     metadata={"description": "When the customer complained; default now"})

    @validates_schema
    def _currency(self, data, **kwargs):
        if not data.get("order_file_id") and not data.get("currency"):
            raise ValidationError("Give the currency of its compensations (or the order file).", "currency")


class ComplaintStepCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(
        ("customer_contacted", "supplier_contacted", "supplier_answered", "supplier_compensation",
         "agency_compensation", "note")), metadata={"description": "resolved, rated, reopened: their own routes"})
    text = fields.String(load_default=None, allow_none=True, validate=_TEXT,
                         metadata={"description": "What was said or done (supplier_answered: the answer)"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "When; default now"})
    compensation = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(AGENCY_COMPENSATIONS),
                                 metadata={"description": "agency_compensation: voucher, discount, refund or points"})
    value = Money(load_default=None, allow_none=True, validate=_AMOUNT,
                  metadata={"description": "Compensations: the amount (for points, how many)"})
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY,
                             metadata={"description": "Compensations in money: must be the complaint's"})
    expires_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "A voucher's last day"})

    @validates_schema
    def _complete(self, data, **kwargs):
        kind = data["kind"]
        if kind in ("supplier_answered", "note", "customer_contacted") and not data.get("text"):
            raise ValidationError("Say what was said.", "text")
        if kind == "agency_compensation" and not data.get("compensation"):
            raise ValidationError("Say which: voucher, discount, refund or points.", "compensation")
        if kind in ("agency_compensation", "supplier_compensation"):
            if data.get("value") is None:
                raise ValidationError("A compensation has a value.", "value")
            if data.get("compensation") != "points" and not data.get("currency"):
                raise ValidationError("A compensation in money has a currency.", "currency")
        elif data.get("value") is not None or data.get("compensation"):
            raise ValidationError("Only compensations have a value.", "value")


class ComplaintResolveSchema(Schema):
    resolution = fields.String(required=True, validate=_TEXT, metadata={"description": "How it ended"})


class ComplaintRateSchema(Schema):
    satisfaction = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5),
                                  metadata={"description": "The customer's satisfaction with the outcome, 1-5"})
    comment = fields.String(load_default=None, allow_none=True, validate=_TEXT)


class ComplaintReopenSchema(Schema):
    reason = fields.String(required=True, validate=_TEXT)


class ComplaintQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(COMPLAINT_STATUSES))
    customer_id = fields.String(load_default=None, validate=_ID)
    order_file_id = fields.String(load_default=None, validate=_ID)
    supplier = fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                             metadata={"description": "The supplier's id or part of its name"})
    handler = fields.String(load_default=None, validate=validate.Length(min=1, max=120))
    escalated = fields.Boolean(load_default=None, metadata={"description": "Open and escalated to a manager"})
    breached = fields.Boolean(load_default=None, metadata={"description": "Missed a clock at least once"})


class ComplaintStepSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    at = fields.AwareDateTime()
    by = fields.String()
    text = fields.String(allow_none=True)
    compensation = fields.String(allow_none=True)
    value = Money(allow_none=True)
    currency = fields.String(allow_none=True)
    voucher_code = fields.String(allow_none=True)
    refund_id = fields.Integer(allow_none=True, metadata={"description": "The refund contracts opened"})


class ClockSchema(Schema):
    clock = fields.String(metadata={"description": "first_response or resolution"})
    due_at = fields.AwareDateTime()
    stopped_at = fields.AwareDateTime(allow_none=True, metadata={"description": "When it was met"})
    state = fields.String(metadata={"description": "running, met, late (met after its due time) or breached"})
    seconds_left = fields.Integer(allow_none=True, metadata={"description": "While running; negative when overdue"})
    breaches = fields.Integer(metadata={"description": "How many times this clock ran out (escalated)"})


class ComplaintSummarySchema(Schema):
    """A complaint as lists show it: everything but its steps."""

    id = fields.Integer()
    customer_id = fields.String()
    order_file_id = fields.String(allow_none=True)
    order_number = fields.String(allow_none=True)
    booking_locator = fields.String(allow_none=True)
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    channel = fields.String()
    category = fields.String()
    severity = fields.String()
    summary = fields.String()
    handler = fields.String()
    team = fields.String(allow_none=True)
    currency = fields.String()
    status = fields.String(metadata={"description": "open or resolved"})
    opened_at = fields.AwareDateTime()
    opened_by = fields.String()
    first_response_due_at = fields.AwareDateTime()
    first_responded_at = fields.AwareDateTime(allow_none=True)
    resolution_due_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    satisfaction = fields.Integer(allow_none=True)
    rated_at = fields.AwareDateTime(allow_none=True)
    reopened = fields.Integer(metadata={"description": "How many times it was reopened"})
    escalated_at = fields.AwareDateTime(allow_none=True, metadata={"description": "Escalated and still open"})
    breaches = fields.Integer()
    clocks = fields.List(fields.Nested(ClockSchema))
    updated_at = fields.AwareDateTime()


class ComplaintSchema(ComplaintSummarySchema):
    steps = fields.List(fields.Nested(ComplaintStepSchema))


class ComplaintPageSchema(PageSchema):
    items = fields.List(fields.Nested(ComplaintSummarySchema))


class VoucherSchema(Schema):
    id = fields.Integer()
    code = fields.String(metadata={"description": "What the customer quotes, e.g. V-7KQM-3XPT"})
    customer_id = fields.String()
    value = Money()
    currency = fields.String()
    complaint_id = fields.Integer(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    status = fields.String(metadata={"description": "issued or redeemed"})
    issued_at = fields.AwareDateTime()
    issued_by = fields.String()
    quote_id = fields.String(allow_none=True, metadata={"description": "The quote that redeemed it"})
    redeemed_at = fields.AwareDateTime(allow_none=True)


class VoucherRedeemSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    customer_id = fields.String(required=True, validate=_ID)
    quote_id = fields.String(required=True, validate=_ID)
    currency = fields.String(required=True, validate=CURRENCY)


# --- events ----------------------------------------------------------------------------------------

class CompensationSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "voucher, discount, refund, points or supplier"})
    value = Money(required=True)
    currency = fields.String(required=True)


class ComplaintOpenedPayload(Schema):
    complaint_id = fields.Integer(required=True)
    customer_id = fields.String(required=True)
    order_file_id = fields.String(allow_none=True)
    order_number = fields.String(allow_none=True)
    booking_locator = fields.String(allow_none=True)
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    channel = fields.String(required=True, metadata={"description": ", ".join(CHANNELS)})
    category = fields.String(required=True)
    severity = fields.String(required=True, metadata={"description": ", ".join(SEVERITIES)})
    summary = fields.String(required=True)
    handler = fields.String(required=True, metadata={"description": "The staff member who owns it"})
    team = fields.String(allow_none=True)
    opened_at = fields.AwareDateTime(required=True)
    first_response_due_at = fields.AwareDateTime(required=True)
    resolution_due_at = fields.AwareDateTime(required=True)


class ComplaintRespondedPayload(Schema):
    complaint_id = fields.Integer(required=True)
    customer_id = fields.String(required=True)
    handler = fields.String(required=True)
    team = fields.String(allow_none=True)
    opened_at = fields.AwareDateTime(required=True)
    responded_at = fields.AwareDateTime(required=True)
    minutes_to_first_response = fields.Integer(required=True)
    on_time = fields.Boolean(required=True)


class SupplierAnsweredPayload(Schema):
    complaint_id = fields.Integer(required=True)
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String(required=True)
    asked_at = fields.AwareDateTime(required=True)
    answered_at = fields.AwareDateTime(required=True)
    minutes = fields.Integer(required=True)
    answer = fields.String(required=True)


class ComplaintResolvedPayload(Schema):
    complaint_id = fields.Integer(required=True)
    customer_id = fields.String(required=True)
    handler = fields.String(required=True)
    team = fields.String(allow_none=True)
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    opened_at = fields.AwareDateTime(required=True)
    resolved_at = fields.AwareDateTime(required=True)
    minutes_to_resolution = fields.Integer(required=True)
    on_time = fields.Boolean(required=True)
    compensations = fields.List(fields.Nested(CompensationSchema), required=True)


class ComplaintRatedPayload(Schema):
    complaint_id = fields.Integer(required=True)
    customer_id = fields.String(required=True)
    handler = fields.String(required=True)
    satisfaction = fields.Integer(required=True)
    rated_at = fields.AwareDateTime(required=True)


class ComplaintEscalatedPayload(Schema):
    complaint_id = fields.Integer(required=True)
    customer_id = fields.String(required=True)
    handler = fields.String(required=True)
    clock = fields.String(required=True, metadata={"description": "first_response or resolution"})
    due_at = fields.AwareDateTime(required=True)
    escalated_at = fields.AwareDateTime(required=True)
    escalated_to = fields.String(required=True, metadata={"description": "The manager given the follow-up"})


class ComplaintReopenedPayload(Schema):
    complaint_id = fields.Integer(required=True)
    customer_id = fields.String(required=True)
    handler = fields.String(required=True)
    reopened_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)


class VoucherIssuedPayload(Schema):
    voucher_id = fields.Integer(required=True)
    code = fields.String(required=True)
    customer_id = fields.String(required=True)
    value = Money(required=True)
    currency = fields.String(required=True)
    complaint_id = fields.Integer(allow_none=True)
    expires_on = fields.Date(allow_none=True)


class VoucherRedeemedPayload(Schema):
    voucher_id = fields.Integer(required=True)
    code = fields.String(required=True)
    customer_id = fields.String(required=True)
    value = Money(required=True)
    currency = fields.String(required=True)
    quote_id = fields.String(required=True)
    redeemed_at = fields.AwareDateTime(required=True)


COMPLAINT_OPENED = Event("feedback.complaint_opened", ComplaintOpenedPayload,
                         "A customer complained (any channel): who handles it and when its two clocks run out.")
COMPLAINT_RESPONDED = Event("feedback.complaint_responded", ComplaintRespondedPayload,
                            "The customer was first contacted about their complaint: how long it took, on time or not.")
COMPLAINT_SUPPLIER_ANSWERED = Event("feedback.complaint_supplier_answered", SupplierAnsweredPayload,
                                    "The supplier concerned answered the agency's question about a complaint.")
COMPLAINT_RESOLVED = Event("feedback.complaint_resolved", ComplaintResolvedPayload,
                           "A complaint was resolved: how long it took and the compensations given.")
COMPLAINT_RATED = Event("feedback.complaint_rated", ComplaintRatedPayload,
                        "The customer rated their satisfaction (1-5) with how the complaint ended.")
COMPLAINT_ESCALATED = Event("feedback.complaint_escalated", ComplaintEscalatedPayload,
                            "A complaint's clock ran out: it was escalated to a manager (a CRM follow-up).")
COMPLAINT_REOPENED = Event("feedback.complaint_reopened", ComplaintReopenedPayload,
                           "A resolved complaint was reopened: its resolution clock runs again.")
VOUCHER_ISSUED = Event("feedback.voucher_issued", VoucherIssuedPayload,
                       "A voucher was issued to a customer (a complaint's compensation), to redeem once on a quote.")
VOUCHER_REDEEMED = Event("feedback.voucher_redeemed", VoucherRedeemedPayload,
                         "A voucher was redeemed on an accepted quote: its value deducted.")

COMPLAINTS_EVENTS: tuple = (COMPLAINT_OPENED, COMPLAINT_RESPONDED, COMPLAINT_SUPPLIER_ANSWERED, COMPLAINT_RESOLVED,
                            COMPLAINT_RATED, COMPLAINT_ESCALATED, COMPLAINT_REOPENED, VOUCHER_ISSUED,
                            VOUCHER_REDEEMED)
