"""Itineraries and their days: create, change, read, list (a page at a time), check, refresh."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema
from services.common.validators import CURRENCY

from .items import ItemSchema
from .vocabulary import ITINERARY_STATUSES, MAX_DAYS, MAX_PARTY, NOT_BLANK, amount, not_past, percentage

__all__ = ["ChildSchema", "TravelPartySchema", "PricingFieldsMixin", "ItineraryCreateSchema", "PackagePriceSchema",
           "ItineraryUpdateSchema", "DayFieldsSchema", "DayUpdateSchema", "DaySchema", "TravelPartyOutSchema",
           "ItinerarySchema", "ItinerarySummarySchema", "ItineraryQuerySchema", "ItineraryPageSchema",
           "ProblemSchema", "ChecksSchema", "RefreshResultSchema"]


class ChildSchema(Schema):
    age = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=17))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))


class TravelPartySchema(Schema):
    adults = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_PARTY))
    children = fields.List(fields.Nested(ChildSchema), load_default=list, validate=validate.Length(max=MAX_PARTY))

    @validates_schema
    def _size(self, data, **kwargs):
        if data.get("adults", 0) + len(data.get("children") or []) > MAX_PARTY:
            raise ValidationError(f"At most {MAX_PARTY} travellers; a larger group is a group contract.", "children")


class PricingFieldsMixin:
    child_factor = fields.Decimal(as_string=True, load_default=None, allow_none=True,
                                  validate=validate.Range(min=0, max=1),
                                  metadata={"description": "A child's share of an adult's price; default from "
                                                           "the pricing settings (0.75)"})
    discount_percent = percentage(load_default=None, allow_none=True)
    service_fee = amount(load_default=None, allow_none=True,
                         metadata={"description": "A fixed agency fee in the itinerary currency (replaces the %)"})
    service_fee_percent = percentage(load_default=None, allow_none=True)
    tax_percent = percentage(load_default=None, allow_none=True)


class ItineraryCreateSchema(PricingFieldsMixin, Schema):
    title = fields.String(load_default=None, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    customer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))
    inquiry_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36),
                               metadata={"description": "The CRM inquiry this answers: its customer, party, "
                                                        "travel dates and destinations fill what is not given"})
    catalog_product_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36),
                                       metadata={"description": "Start from this catalog product's template"})
    party = fields.Nested(TravelPartySchema, load_default=None, allow_none=True,
                          metadata={"description": "Required unless the inquiry has one"})
    start_date = fields.Date(load_default=None, allow_none=True, validate=not_past,
                             metadata={"description": "Required unless the inquiry has a start date"})
    days = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1, max=MAX_DAYS),
                          metadata={"description": "Number of days; defaults to the catalog product's, else the "
                                                   "inquiry's dates, else 1"})
    currency = fields.String(required=True, validate=CURRENCY)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))

    @validates_schema
    def _party_and_start(self, data, **kwargs):
        if data.get("inquiry_id"):
            return  # the inquiry gives what is missing (checked once it is read)
        errors = {key: ["Missing data for required field (or give an inquiry_id that has it)."]
                  for key in ("party", "start_date") if data.get(key) is None}
        if errors:
            raise ValidationError(errors)


class PackagePriceSchema(Schema):
    adult_price = amount(required=True)
    child_price = amount(required=True)
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY,
                             metadata={"description": "Defaults to the itinerary's currency"})


class ItineraryUpdateSchema(Schema):
    """Only what is sent changes; null clears an optional field (pricing fields: back to the settings)."""

    title = fields.String(validate=[validate.Length(min=1, max=200), NOT_BLANK])
    customer_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    inquiry_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    party = fields.Nested(TravelPartySchema)
    start_date = fields.Date(validate=not_past,
                             metadata={"description": "Moving it moves every item by the same number of days"})
    currency = fields.String(validate=CURRENCY)
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))
    child_factor = fields.Decimal(as_string=True, allow_none=True, validate=validate.Range(min=0, max=1))
    discount_percent = percentage(allow_none=True)
    service_fee = amount(allow_none=True)
    service_fee_percent = percentage(allow_none=True)
    tax_percent = percentage(allow_none=True)
    package_price = fields.Nested(PackagePriceSchema, allow_none=True, metadata={
        "description": "The price per adult and per child the customer is quoted, all included (a catalog "
                       "trip starts at its season's); null: price from the lines (net + markup, fee, taxes)"})


class DayFieldsSchema(Schema):
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class DayUpdateSchema(Schema):
    title = fields.String(allow_none=True, validate=validate.Length(max=200))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))


class DaySchema(Schema):
    number = fields.Integer()
    date = fields.Date()
    title = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ItemSchema))


class TravelPartyOutSchema(Schema):
    adults = fields.Integer()
    children = fields.List(fields.Dict())


class ItinerarySchema(Schema):
    id = fields.String()
    title = fields.String()
    status = fields.String(metadata={"description": "draft, quoted (a version is open), accepted"})
    origin = fields.String(metadata={"description": "blank, inquiry or catalog"})
    customer_id = fields.String(allow_none=True)
    inquiry_id = fields.String(allow_none=True)
    catalog_product_id = fields.String(allow_none=True)
    party = fields.Nested(TravelPartyOutSchema)
    start_date = fields.Date()
    end_date = fields.Date()
    currency = fields.String()
    child_factor = fields.Decimal(as_string=True)
    discount_percent = fields.Decimal(as_string=True)
    service_fee = fields.Decimal(as_string=True, allow_none=True)
    service_fee_percent = fields.Decimal(as_string=True, allow_none=True)
    tax_percent = fields.Decimal(as_string=True, allow_none=True)
    package_price = fields.Dict(allow_none=True, metadata={
        "description": "The advertised price quoted all included: source (catalog or consultant), season, "
                       "currency, adult_price, child_price; null: the lines' prices"})
    notes = fields.String(allow_none=True)
    revision = fields.Integer()
    days = fields.List(fields.Nested(DaySchema))
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class ItinerarySummarySchema(Schema):
    id = fields.String()
    title = fields.String()
    status = fields.String()
    customer_id = fields.String(allow_none=True)
    inquiry_id = fields.String(allow_none=True)
    start_date = fields.Date()
    end_date = fields.Date()
    currency = fields.String()
    revision = fields.Integer()
    updated_at = fields.AwareDateTime()


class ItineraryQuerySchema(PageQuerySchema):
    customer_id = fields.String(load_default=None, validate=validate.Length(max=36))
    inquiry_id = fields.String(load_default=None, validate=validate.Length(max=36))
    status = fields.String(load_default=None, validate=validate.OneOf(ITINERARY_STATUSES))


class ItineraryPageSchema(PageSchema):
    items = fields.List(fields.Nested(ItinerarySummarySchema), metadata={"description": "Latest changed first"})


class ProblemSchema(Schema):
    code = fields.String()
    message = fields.String()
    item_id = fields.Integer(allow_none=True)
    day = fields.Integer(allow_none=True)
    date = fields.String(allow_none=True)


class ChecksSchema(Schema):
    itinerary_id = fields.String()
    revision = fields.Integer()
    availability_checked = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemSchema))


class RefreshResultSchema(Schema):
    itinerary = fields.Nested(ItinerarySchema)
    changed_items = fields.List(fields.Integer())
