"""Segments for after-sales marketing: the filters and the rows."""
from marshmallow import Schema, validate

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema

from .values import CONSENT, LANGUAGE


class SegmentQuerySchema(PageQuerySchema):
    interests = fields.List(fields.String(validate=validate.Length(min=1, max=60)), load_default=None,
                            validate=validate.Length(max=20), metadata={"description": "Any of these (repeat)"})
    destinations = fields.List(fields.String(validate=validate.Length(min=1, max=120)), load_default=None,
                               validate=validate.Length(max=20),
                               metadata={"description": "Travelled to any of these (repeat)"})
    tag = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    preferred_language = fields.String(load_default=None, validate=LANGUAGE)
    last_trip_before = fields.Date(load_default=None, metadata={"description": "Latest trip ended before this date"})
    last_trip_after = fields.Date(load_default=None, metadata={
        "description": "Latest trip ended on or after this date"})
    consent = fields.String(load_default="given", validate=validate.OneOf(CONSENT), metadata={
        "description": "given (default): only customers who accept marketing"})


class SegmentCustomerSchema(Schema):
    id = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    preferred_language = fields.String(allow_none=True)
    nationality = fields.String(allow_none=True)
    interests = fields.List(fields.String())
    past_destinations = fields.List(fields.String())
    last_trip_date = fields.Date(allow_none=True)
    marketing_consent = fields.Boolean()
    marketing_consent_at = fields.AwareDateTime(allow_none=True)
    tags = fields.List(fields.String())


class SegmentPageSchema(PageSchema):
    items = fields.List(fields.Nested(SegmentCustomerSchema))
