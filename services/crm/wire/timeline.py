"""A customer's timeline, as the RPC pages it."""
from marshmallow import Schema, validate

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema


class TimelineQuerySchema(PageQuerySchema):
    order = fields.String(load_default="asc", validate=validate.OneOf(("asc", "desc")),
                          metadata={"description": "asc: oldest first (chronological); desc: newest first"})


class TimelineEntrySchema(Schema):
    id = fields.Integer()
    customer_id = fields.String()
    occurred_at = fields.AwareDateTime()
    kind = fields.String(metadata={
        "description": "The event type, e.g. crm.inquiry_created, ticketing.booking_confirmed"})
    summary = fields.String()
    source = fields.String()
    source_event_id = fields.String(allow_none=True)
    ref_type = fields.String(allow_none=True)
    ref_id = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    payload = fields.Dict()


class TimelinePageSchema(PageSchema):
    items = fields.List(fields.Nested(TimelineEntrySchema))
