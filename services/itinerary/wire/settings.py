"""The agency's pricing policy: terms, settings, exchange rates, markup rules."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.validators import CURRENCY

from .vocabulary import KINDS, MAX_MONEY, NOT_BLANK, percentage

__all__ = ["CancellationTierSchema", "PaymentTermsSchema", "TermsSchema", "PricingSettingsSchema",
           "PricingSettingsOutSchema", "ExchangeRateCreateSchema", "ExchangeRateSchema", "ReplacedRateSchema",
           "ExchangeRateSetSchema", "ExchangeRateQuerySchema", "MarkupRuleCreateSchema", "MarkupRuleUpdateSchema",
           "MarkupRuleSchema"]


class CancellationTierSchema(Schema):
    days_before = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=365),
                                 metadata={"description": "Cancelling this many days or fewer before departure"})
    penalty_percent = percentage(required=True, metadata={"description": "... costs this % of the total"})


class PaymentTermsSchema(Schema):
    deposit_percent = percentage(required=True)
    deposit_due_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=90),
                                      metadata={"description": "Days after acceptance"})
    balance_due_days_before_departure = fields.Integer(required=True, strict=True,
                                                       validate=validate.Range(min=0, max=365))


class TermsSchema(Schema):
    cancellation = fields.List(fields.Nested(CancellationTierSchema), required=True,
                               validate=validate.Length(min=1, max=10))
    payment = fields.Nested(PaymentTermsSchema, required=True)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))

    @validates_schema
    def _tiers(self, data, **kwargs):
        days = [t["days_before"] for t in data.get("cancellation") or []]
        if len(days) != len(set(days)):
            raise ValidationError("One tier per days_before.", "cancellation")


class PricingSettingsSchema(Schema):
    min_margin_percent = percentage(required=True)
    max_discount_percent = percentage(required=True)
    default_child_factor = fields.Decimal(as_string=True, required=True, validate=validate.Range(min=0, max=1))
    service_fee_percent = percentage(required=True)
    tax_percent = percentage(required=True)
    quote_validity_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=365))
    terms = fields.Nested(TermsSchema, required=True)


class PricingSettingsOutSchema(PricingSettingsSchema):
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class ExchangeRateCreateSchema(Schema):
    base = fields.String(required=True, validate=CURRENCY)
    quote = fields.String(required=True, validate=CURRENCY)
    rate = fields.Decimal(as_string=True, required=True,
                          validate=validate.Range(min=0, min_inclusive=False, max=1_000_000),
                          metadata={"description": "1 base = rate quote"})
    valid_from = fields.Date(load_default=None, metadata={"description": "Defaults to today"})

    @validates_schema
    def _pair(self, data, **kwargs):
        if data.get("base") and data.get("base") == data.get("quote"):
            raise ValidationError("A rate converts between two different currencies.", "quote")


class ExchangeRateSchema(Schema):
    id = fields.Integer()
    base = fields.String()
    quote = fields.String()
    rate = fields.Decimal(as_string=True)
    valid_from = fields.Date()
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    current = fields.Boolean(metadata={"description": "False: superseded by a later correction"})
    replaces_id = fields.Integer(allow_none=True, metadata={"description": "The rate this one corrected"})
    superseded_at = fields.AwareDateTime(allow_none=True)
    superseded_by = fields.String(allow_none=True)


class ReplacedRateSchema(Schema):
    id = fields.Integer()
    rate = fields.Decimal(as_string=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class ExchangeRateSetSchema(ExchangeRateSchema):
    replaced = fields.Nested(ReplacedRateSchema, allow_none=True, metadata={
        "description": "The rate for the same pair and date that this one replaces (kept, marked superseded); "
                       "null when there was none"})


class ExchangeRateQuerySchema(Schema):
    base = fields.String(load_default=None, validate=CURRENCY)
    quote = fields.String(load_default=None, validate=CURRENCY)
    history = fields.Boolean(load_default=False,
                             metadata={"description": "Include superseded rates (corrections keep the old row)"})


class MarkupRuleCreateSchema(Schema):
    item_kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(KINDS))
    supplier = fields.String(load_default=None, allow_none=True, validate=[validate.Length(min=1, max=200), NOT_BLANK],
                             metadata={"description": "A ticketing supplier id or a supplier name"})
    method = fields.String(required=True, validate=validate.OneOf(("percent", "fixed")))
    value = fields.Decimal(as_string=True, required=True, validate=validate.Range(min=0, max=MAX_MONEY),
                           metadata={"description": "A percentage of net cost, or an amount per unit"})
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY,
                             metadata={"description": "Fixed markups only"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def _method(self, data, partial=None, **kwargs):
        if partial:
            return
        if data.get("method") == "fixed" and not data.get("currency"):
            raise ValidationError("A fixed markup needs its currency.", "currency")
        if data.get("method") == "percent":
            if data.get("currency"):
                raise ValidationError("A percentage has no currency.", "currency")
            if data.get("value") is not None and data["value"] > 1000:
                raise ValidationError("At most 1000 %.", "value")


class MarkupRuleUpdateSchema(MarkupRuleCreateSchema):
    """Any of the rule's fields (load with partial=True); the changed rule is checked as a whole."""


class MarkupRuleSchema(Schema):
    id = fields.Integer()
    item_kind = fields.String(allow_none=True)
    supplier = fields.String(allow_none=True)
    scope = fields.String(metadata={"description": "kind and supplier, supplier, kind or default"})
    method = fields.String()
    value = fields.Decimal(as_string=True)
    currency = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()
