"""Suppliers: who sells to us, their contacts and API keys."""
from marshmallow import Schema, validate

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema

__all__ = [
    "SUPPLIER_KINDS", "ContactSchema", "SupplierCreateSchema", "SupplierSchema", "ApiKeySchema",
    "SupplierQuerySchema", "SupplierPageSchema",
]

SUPPLIER_KINDS = ("airline", "rail", "hotel", "attraction", "ground_handler", "guide")


class ContactSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    role = fields.String(load_default=None, validate=validate.Length(max=60))
    email = fields.Email(load_default=None, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))


class SupplierCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(SUPPLIER_KINDS))
    contacts = fields.List(fields.Nested(ContactSchema), load_default=list, validate=validate.Length(max=20))


class SupplierSchema(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    contacts = fields.List(fields.Dict())
    api_key_prefix = fields.String(allow_none=True)
    api_key_active = fields.Boolean()
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class ApiKeySchema(Schema):
    supplier_id = fields.String()
    api_key = fields.String(metadata={"description": "Shown once; store it now."})


class SupplierQuerySchema(PageQuerySchema):
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                         metadata={"description": "Part of the name, case aside"})
    kind = fields.String(load_default=None, validate=validate.OneOf(SUPPLIER_KINDS))


class SupplierPageSchema(PageSchema):
    items = fields.List(fields.Nested(SupplierSchema))
