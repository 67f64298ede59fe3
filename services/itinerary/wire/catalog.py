"""The catalog: regular routes and packages with template days and seasons; its brochure."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema
from services.common.validators import CODE, CURRENCY

from .items import ItemFieldsSchema
from .vocabulary import CATALOG_KINDS, MAX_DAYS, MAX_ITEMS_PER_DAY, amount, text

__all__ = ["MAX_BROCHURE_PRODUCTS", "TemplateDaySchema", "SeasonSchema", "CatalogFieldsMixin",
           "CatalogProductCreateSchema", "CatalogProductUpdateSchema", "SeasonOutSchema", "CatalogProductSchema",
           "CatalogQuerySchema", "CatalogPageSchema", "BrochureQuerySchema"]

MAX_BROCHURE_PRODUCTS = 200  # a brochure is the whole published catalog, up to this many


class TemplateDaySchema(Schema):
    day = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_DAYS))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    items = fields.List(fields.Nested(ItemFieldsSchema), load_default=list,
                        validate=validate.Length(max=MAX_ITEMS_PER_DAY))


class SeasonSchema(Schema):
    name = text(120, required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    currency = fields.String(required=True, validate=CURRENCY)
    adult_price = amount(required=True)
    child_price = amount(required=True)

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("Must not be before start.", "end")


def _check_seasons(seasons):
    ordered = sorted(seasons, key=lambda s: s["start"])
    for a, b in zip(ordered, ordered[1:]):
        if b["start"] <= a["end"]:
            raise ValidationError(f"Seasons {a['name']} and {b['name']} overlap.", "seasons")


class CatalogFieldsMixin:
    @validates_schema
    def _template(self, data, partial=None, **kwargs):
        if data.get("seasons"):
            _check_seasons(data["seasons"])
        template = data.get("template") or []
        numbers = [d["day"] for d in template]
        if len(numbers) != len(set(numbers)):
            raise ValidationError("One entry per day.", "template")
        duration = data.get("duration_days")
        if duration and any(n > duration for n in numbers):
            raise ValidationError(f"Days run from 1 to duration_days ({duration}).", "template")


class CatalogProductCreateSchema(CatalogFieldsMixin, Schema):
    code = fields.String(required=True, validate=CODE)
    name = text(200, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CATALOG_KINDS),
                         metadata={"description": "route (a regular route) or package"})
    destination = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    summary = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    duration_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_DAYS))
    template = fields.List(fields.Nested(TemplateDaySchema), load_default=list,
                           validate=validate.Length(max=MAX_DAYS))
    included_services = fields.List(text(200), load_default=list, validate=validate.Length(max=50))
    excluded_services = fields.List(text(200), load_default=list, validate=validate.Length(max=50))
    featured = fields.Boolean(load_default=False, metadata={"description": "On the first pages of the folder"})
    rank = fields.Integer(load_default=100, strict=True, validate=validate.Range(min=0, max=10_000),
                          metadata={"description": "Featured products are listed by rank, lowest first"})
    published = fields.Boolean(load_default=False)
    seasons = fields.List(fields.Nested(SeasonSchema), load_default=list, validate=validate.Length(max=50))


class CatalogProductUpdateSchema(CatalogFieldsMixin, Schema):
    name = text(200)
    kind = fields.String(validate=validate.OneOf(CATALOG_KINDS))
    destination = fields.String(allow_none=True, validate=validate.Length(max=120))
    summary = fields.String(allow_none=True, validate=validate.Length(max=5000))
    duration_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_DAYS))
    template = fields.List(fields.Nested(TemplateDaySchema), validate=validate.Length(max=MAX_DAYS))
    included_services = fields.List(text(200), validate=validate.Length(max=50))
    excluded_services = fields.List(text(200), validate=validate.Length(max=50))
    featured = fields.Boolean()
    rank = fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000))
    published = fields.Boolean()
    seasons = fields.List(fields.Nested(SeasonSchema), validate=validate.Length(max=50))


class SeasonOutSchema(Schema):
    name = fields.String()
    start = fields.Date()
    end = fields.Date()
    currency = fields.String()
    adult_price = fields.Decimal(as_string=True)
    child_price = fields.Decimal(as_string=True)


class CatalogProductSchema(Schema):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    destination = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    duration_days = fields.Integer()
    template = fields.List(fields.Dict())
    included_services = fields.List(fields.String())
    excluded_services = fields.List(fields.String())
    featured = fields.Boolean()
    rank = fields.Integer()
    published = fields.Boolean()
    published_at = fields.AwareDateTime(allow_none=True)
    seasons = fields.List(fields.Nested(SeasonOutSchema))
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class CatalogQuerySchema(PageQuerySchema):
    destination = fields.String(load_default=None, validate=validate.Length(max=120))
    kind = fields.String(load_default=None, validate=validate.OneOf(CATALOG_KINDS))
    featured = fields.Boolean(load_default=None)


class CatalogPageSchema(PageSchema):
    items = fields.List(fields.Nested(CatalogProductSchema))


class BrochureQuerySchema(Schema):
    destination = fields.String(load_default=None, validate=validate.Length(max=120))
    kind = fields.String(load_default=None, validate=validate.OneOf(CATALOG_KINDS))
    featured = fields.Boolean(load_default=None)
