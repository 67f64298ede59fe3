"""What crosses the wire for CRM: RPC arguments and results, event payloads, gateway bodies."""
from marshmallow import Schema, fields, validate

LANGUAGE = validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$", error="Use a language tag such as es, zh or zh-Hant.")


class CustomerCreateSchema(Schema):
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(r"^\+?[0-9 ()\-]{5,30}$", error="Not a phone number."))
    preferred_language = fields.String(load_default=None, allow_none=True, validate=LANGUAGE)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CustomerSchema(Schema):
    id = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    preferred_language = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class CustomerCreatedPayload(CustomerSchema):
    """Payload of crm.customer_created (version 1)."""
