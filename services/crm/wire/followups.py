"""Follow-ups: tasks on customers and inquiries, as RPC arguments and results."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema
from services.common.validators import USERNAME

from .values import NOT_BLANK


class FollowUpCreateSchema(Schema):
    customer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))
    inquiry_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))
    owner = fields.String(required=True, validate=USERNAME)
    due_at = fields.AwareDateTime(required=True, metadata={
        "description": "With a time zone, e.g. 2026-05-01T10:00:00+02:00"})
    note = fields.String(required=True, validate=[validate.Length(min=1, max=2000), NOT_BLANK])

    @validates_schema
    def _subject(self, data, **kwargs):
        if not data.get("customer_id") and not data.get("inquiry_id"):
            raise ValidationError("Give the customer_id or the inquiry_id the task is about.", "customer_id")


class FollowUpSchema(Schema):
    id = fields.String()
    customer_id = fields.String()
    inquiry_id = fields.String(allow_none=True)
    owner = fields.String()
    due_at = fields.AwareDateTime()
    note = fields.String()
    done = fields.Boolean()
    done_at = fields.AwareDateTime(allow_none=True)
    done_by = fields.String(allow_none=True)
    overdue = fields.Boolean()
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class FollowUpQuerySchema(PageQuerySchema):
    owner = fields.String(load_default=None, validate=USERNAME)
    customer_id = fields.String(load_default=None, validate=validate.Length(max=36))
    inquiry_id = fields.String(load_default=None, validate=validate.Length(max=36))
    done = fields.Boolean(load_default=None)
    overdue = fields.Boolean(load_default=False, metadata={"description": "Only tasks not done and past due"})


class FollowUpPageSchema(PageSchema):
    items = fields.List(fields.Nested(FollowUpSchema))
