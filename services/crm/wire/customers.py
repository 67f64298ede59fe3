"""Customers: the record, its search and the duplicate check, as RPC arguments and results."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema

from .values import COUNTRY, DOCUMENT_TYPES, LANGUAGE, NOT_BLANK, PHONE, check_birth_date, labels


class TravelDocumentSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
    number = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9 \-<]{2,39}$", error="3 to 40 letters, digits, spaces, - or <."))
    country = fields.String(required=True, validate=COUNTRY, metadata={"description": "Issuing country"})
    expiry = fields.Date(load_default=None, allow_none=True)


class TravelDocumentOutSchema(Schema):
    type = fields.String()
    number = fields.String(metadata={"description": "Masked (****1234) unless revealed"})
    country = fields.String()
    expiry = fields.Date(allow_none=True)
    masked = fields.Boolean()


class CustomerCreateSchema(Schema):
    """A new customer. `email` / `phone` are the primary contact; `emails` / `phones` may add more."""

    full_name = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    emails = fields.List(fields.Email(validate=validate.Length(max=254)), load_default=list,
                         validate=validate.Length(max=10))
    phones = fields.List(fields.String(validate=PHONE), load_default=list, validate=validate.Length(max=10))
    preferred_language = fields.String(load_default=None, allow_none=True, validate=LANGUAGE)
    date_of_birth = fields.Date(load_default=None, allow_none=True, validate=check_birth_date)
    nationality = fields.String(load_default=None, allow_none=True, validate=COUNTRY)
    documents = fields.List(fields.Nested(TravelDocumentSchema), load_default=list,
                            validate=validate.Length(max=10))
    preferences = labels(load_default=list, max_length=120)
    interests = labels(load_default=list)
    dietary_needs = labels(max_items=10, max_length=200, load_default=list)
    accessibility_needs = labels(max_items=10, max_length=200, load_default=list)
    marketing_consent = fields.Boolean(load_default=False)
    tags = labels(max_items=30, max_length=40, load_default=list)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CustomerUpdateSchema(Schema):
    """PATCH: only the fields given change. Lists are replaced whole; null clears an optional field.

    `email` / `phone` make that address or number the primary one (first of `emails` / `phones`).
    """

    full_name = fields.String(validate=[validate.Length(min=1, max=200), NOT_BLANK])
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(validate=PHONE)
    emails = fields.List(fields.Email(validate=validate.Length(max=254)), validate=validate.Length(max=10))
    phones = fields.List(fields.String(validate=PHONE), validate=validate.Length(max=10))
    preferred_language = fields.String(allow_none=True, validate=LANGUAGE)
    date_of_birth = fields.Date(allow_none=True, validate=check_birth_date)
    nationality = fields.String(allow_none=True, validate=COUNTRY)
    documents = fields.List(fields.Nested(TravelDocumentSchema), validate=validate.Length(max=10))
    preferences = labels(max_length=120)
    interests = labels()
    dietary_needs = labels(max_items=10, max_length=200)
    accessibility_needs = labels(max_items=10, max_length=200)
    marketing_consent = fields.Boolean()
    tags = labels(max_items=30, max_length=40)
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.", "_schema")


class CustomerSchema(Schema):
    id = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True, metadata={"description": "The primary email"})
    phone = fields.String(allow_none=True, metadata={"description": "The primary phone"})
    emails = fields.List(fields.String())
    phones = fields.List(fields.String())
    preferred_language = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    nationality = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(TravelDocumentOutSchema))
    preferences = fields.List(fields.String())
    interests = fields.List(fields.String())
    dietary_needs = fields.List(fields.String())
    accessibility_needs = fields.List(fields.String())
    marketing_consent = fields.Boolean()
    marketing_consent_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When the current consent value was recorded"})
    tags = fields.List(fields.String())
    notes = fields.String(allow_none=True)
    past_destinations = fields.List(fields.String(), metadata={
        "description": "Where booked trips took the customer, once their day has passed"})
    last_trip_date = fields.Date(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class CustomerQuerySchema(PageQuerySchema):
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=200), metadata={
        "description": "Part of the name; accents and case do not matter (Nunez finds Núñez)"})
    phone = fields.String(load_default=None, validate=validate.Regexp(r"^[+0-9 ()\-.]{3,40}$",
                                                                       error="Digits of a phone number."),
                          metadata={"description": "Digits of the number; matches anywhere in it"})
    email = fields.String(load_default=None, validate=validate.Length(min=1, max=254))
    tag = fields.String(load_default=None, validate=validate.Length(min=1, max=40))


class CustomerGetQuerySchema(Schema):
    reveal_documents = fields.Boolean(load_default=False, metadata={
        "description": "Show travel document numbers unmasked"})


class DuplicateQuerySchema(Schema):
    confirm_duplicate = fields.Boolean(load_default=False, metadata={
        "description": "Create even though a customer with the same email or phone exists"})


class CustomerPageSchema(PageSchema):
    items = fields.List(fields.Nested(CustomerSchema))
