"""Quotes: issuing a version, deciding it, reading it and its quote sheet."""
from marshmallow import Schema, validate

from services.common import fields

from .settings import TermsSchema
from .vocabulary import NOT_BLANK

__all__ = ["QuoteIssueSchema", "QuoteSheetQuerySchema", "QuoteDecisionSchema", "QuoteSchema", "QuoteSummarySchema"]


class QuoteIssueSchema(Schema):
    valid_until = fields.Date(load_default=None, metadata={"description": "Defaults to today + the settings' validity"})
    terms = fields.Nested(TermsSchema, load_default=None, allow_none=True,
                          metadata={"description": "Defaults to the pricing settings' terms"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                         metadata={"description": "A message to the customer on the quote sheet"})
    customer_name = fields.String(load_default=None, allow_none=True, validate=[validate.Length(min=1, max=200),
                                                                                NOT_BLANK],
                                  metadata={"description": "The customer's name as the quote sheet prints it; "
                                                           "omitted: CRM's name for the itinerary's customer. "
                                                           "The snapshot keeps the name as it was at issue"})
    voucher_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20),
                                 metadata={"description": "A customer's voucher (feedback): its value is deducted "
                                                          "from the total, and it is redeemed when the quote is "
                                                          "accepted"})


class QuoteSheetQuerySchema(Schema):
    costs = fields.Boolean(load_default=False,
                           metadata={"description": "The agency's copy: each line's net cost, rate and markup, "
                                                    "and the margin (default: the customer's copy)"})


class QuoteDecisionSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                         metadata={"description": "Why (a rejection's reason), or any remark"})


class QuoteSchema(Schema):
    id = fields.String()
    itinerary_id = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={"description": "issued, accepted, rejected, expired or superseded"})
    currency = fields.String()
    total = fields.Decimal(as_string=True)
    valid_until = fields.Date()
    issued_at = fields.AwareDateTime()
    issued_by = fields.String()
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    snapshot = fields.Dict(metadata={"description": (
        "Everything the quote sheet shows, frozen at issue: itinerary (party, dates, customer), days with "
        "their lines, lines (net, markup, sell per line), totals, per-person prices, the exchange rates "
        "used, terms, approval and the problems known at issue. Money as decimal strings.")})


class QuoteSummarySchema(QuoteSchema):
    class Meta:
        exclude = ("snapshot",)
