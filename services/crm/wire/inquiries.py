"""Inquiries: the consultation register and its status pipeline, as RPC arguments and results."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema
from services.common.validators import CURRENCY, USERNAME

from .customers import CustomerCreateSchema
from .values import CHANNELS, STATUSES, labels


class TravelWindowSchema(Schema):
    """Fixed dates (start and end) or a flexible month (YYYY-MM, optionally with a number of nights)."""

    start = fields.Date(load_default=None, allow_none=True)
    end = fields.Date(load_default=None, allow_none=True)
    month = fields.Month(load_default=None, allow_none=True)
    nights = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=365))

    @validates_schema
    def _window(self, data, **kwargs):
        start, end, month = data.get("start"), data.get("end"), data.get("month")
        if month and (start or end):
            raise ValidationError("Give either fixed dates or a flexible month, not both.", "month")
        if not month:
            if not start:
                raise ValidationError("Give start and end dates, or a flexible month.", "start")
            if not end:
                raise ValidationError("Give the end date too.", "end")
            if end < start:
                raise ValidationError("Must not be before start.", "end")
            if (end - start).days > 366:
                raise ValidationError("A trip of at most a year.", "end")


class TravelWindowOutSchema(Schema):
    start = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)
    month = fields.String(allow_none=True)
    nights = fields.Integer(allow_none=True)


class PartySchema(Schema):
    adults = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=500))
    children = fields.List(fields.Integer(strict=True, validate=validate.Range(min=0, max=17)),
                           load_default=list, validate=validate.Length(max=100),
                           metadata={"description": "One age (0-17) per child"})


class BudgetSchema(Schema):
    amount = fields.Decimal(required=True, as_string=True, places=2,
                            validate=validate.Range(min=0, min_inclusive=False, max=100_000_000))
    currency = fields.String(required=True, validate=CURRENCY)


class InquiryCreateSchema(Schema):
    """A new consultation, for a known customer (customer_id) or a new one (customer)."""

    customer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))
    customer = fields.Nested(CustomerCreateSchema, load_default=None, allow_none=True, metadata={
        "description": "Register the customer together with the inquiry"})
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    destinations = labels(max_length=120, load_default=list)
    travel_window = fields.Nested(TravelWindowSchema, load_default=None, allow_none=True)
    party = fields.Nested(PartySchema, load_default=None, allow_none=True)
    budget = fields.Nested(BudgetSchema, load_default=None, allow_none=True)
    interests = labels(load_default=list)
    special_requests = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    consultant = fields.String(load_default=None, allow_none=True, validate=USERNAME,
                               metadata={"description": "The assigned consultant's username"})
    source_campaign = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))

    @validates_schema
    def _one_customer(self, data, **kwargs):
        if bool(data.get("customer_id")) == bool(data.get("customer")):
            raise ValidationError("Give either customer_id or a new customer, not both.", "customer_id")


class InquiryUpdateSchema(Schema):
    """PATCH: everything but the status (which moves through transitions)."""

    destinations = labels(max_length=120)
    travel_window = fields.Nested(TravelWindowSchema, allow_none=True)
    party = fields.Nested(PartySchema, allow_none=True)
    budget = fields.Nested(BudgetSchema, allow_none=True)
    interests = labels()
    special_requests = fields.String(allow_none=True, validate=validate.Length(max=2000))
    consultant = fields.String(allow_none=True, validate=USERNAME)
    source_campaign = fields.String(allow_none=True, validate=validate.Length(max=120))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.", "_schema")


class InquirySchema(Schema):
    id = fields.String()
    customer_id = fields.String()
    channel = fields.String()
    status = fields.String()
    destinations = fields.List(fields.String())
    travel_window = fields.Nested(TravelWindowOutSchema, allow_none=True)
    party = fields.Nested(PartySchema, allow_none=True)
    budget = fields.Nested(BudgetSchema, allow_none=True)
    interests = fields.List(fields.String())
    special_requests = fields.String(allow_none=True)
    consultant = fields.String(allow_none=True)
    source_campaign = fields.String(allow_none=True)
    lost_reason = fields.String(allow_none=True)
    status_changed_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class TransitionCreateSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(STATUSES[1:]),
                       metadata={"description": "new -> qualified -> quoted -> won | lost; lost from any open status"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000),
                           metadata={"description": "Required when moving to lost"})

    @validates_schema
    def _reason(self, data, **kwargs):
        if data.get("to") == "lost" and not (data.get("reason") or "").strip():
            raise ValidationError("Say why the inquiry was lost.", "reason")


class TransitionSchema(Schema):
    inquiry_id = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    reason = fields.String(allow_none=True)
    changed_by = fields.String()
    changed_at = fields.AwareDateTime()


class InquiryQuerySchema(PageQuerySchema):
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)), load_default=None,
                         validate=validate.Length(max=len(STATUSES)), metadata={"description": "Repeat for several"})
    channel = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), load_default=None,
                          validate=validate.Length(max=len(CHANNELS)))
    consultant = fields.String(load_default=None, validate=USERNAME)
    customer_id = fields.String(load_default=None, validate=validate.Length(max=36))
    destination = fields.String(load_default=None, validate=validate.Length(min=1, max=120), metadata={
        "description": "Part of a destination; accents and case do not matter"})
    travel_month = fields.Month(load_default=None, metadata={
        "description": "Flexible month equal to it, or fixed dates overlapping it"})
    created_from = fields.AwareDateTime(load_default=None, metadata={"description": "Inclusive"})
    created_to = fields.AwareDateTime(load_default=None, metadata={"description": "Exclusive"})

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("created_from") and data.get("created_to") and data["created_to"] < data["created_from"]:
            raise ValidationError("Must not be before created_from.", "created_to")


class InquiryPageSchema(PageSchema):
    items = fields.List(fields.Nested(InquirySchema))
