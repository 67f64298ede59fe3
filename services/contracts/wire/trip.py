"""The trip's RPC arguments: a supplier's answer to a confirmation request, the meeting point,
resolving an item on the "needs attention" list. The stages are services/contracts/trip.py's."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema
from .order_files import NOT_BLANK, TRIP_STAGES

__all__ = ["ATTENTION_REASONS", "ServiceAnswerSchema", "MeetingSchema", "AttentionResolveSchema",
           "AttentionQuerySchema", "TripQuerySchema", "SendDocumentsSchema", "SupplierRequestSchema", "AttentionSchema",
           "AttentionPageSchema", "TripStepSchema", "TripSchema"]

ATTENTION_REASONS = ("unavailable", "hold_lapsed", "supplier_declined", "supplier_silent", "balance_overdue",
                     "not_ready", "rebook", "message_refused")


class ServiceAnswerSchema(Schema):
    confirmed = fields.Boolean(required=True, metadata={"description": "true: confirmed; false: declined"})
    reference = fields.String(load_default=None, validate=[validate.Length(min=1, max=120), NOT_BLANK],
                              metadata={"description": "The supplier's reference (required to confirm)"})
    answered_by = fields.String(load_default=None, validate=validate.Length(max=200),
                                metadata={"description": "Who answered at the supplier"})
    note = fields.String(load_default=None, validate=validate.Length(max=2000))

    @validates_schema
    def _reference(self, data, **kwargs):
        if data.get("confirmed") and not data.get("reference"):
            raise ValidationError("A confirmation needs the supplier's reference.", "reference")


class MeetingSchema(Schema):
    at = fields.AwareDateTime(required=True, metadata={"description": "When the group meets, with its time zone"})
    place = fields.String(required=True, validate=[validate.Length(min=1, max=300), NOT_BLANK])


class AttentionResolveSchema(Schema):
    resolution = fields.String(required=True, validate=[validate.Length(min=1, max=2000), NOT_BLANK])


class AttentionQuerySchema(PageQuerySchema):
    reason = fields.String(validate=validate.OneOf(ATTENTION_REASONS))


class TripQuerySchema(PageQuerySchema):
    stage = fields.String(validate=validate.OneOf(TRIP_STAGES))


class SendDocumentsSchema(Schema):
    resend = fields.Boolean(load_default=False, metadata={"description": "Send again though sent before"})


class SupplierRequestSchema(Schema):
    id = fields.Integer()
    line = fields.Integer(metadata={"description": "The contract line it is for"})
    supplier = fields.String()
    description = fields.String()
    service_date = fields.Date(allow_none=True)
    status = fields.String(metadata={"description": "requested, confirmed, declined or withdrawn"})
    reference = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    requested_at = fields.AwareDateTime()
    reminders = fields.Integer()
    last_reminded_at = fields.AwareDateTime(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    recorded_by = fields.String(allow_none=True)


class AttentionSchema(Schema):
    id = fields.Integer()
    order_file_id = fields.String()
    order_number = fields.String()
    reason = fields.String(metadata={"description": ", ".join(ATTENTION_REASONS)})
    message = fields.String()
    details = fields.Dict()
    raised_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)


class AttentionPageSchema(PageSchema):
    items = fields.List(fields.Nested(AttentionSchema))


class TripStepSchema(Schema):
    id = fields.Integer()
    action = fields.String(metadata={"description": "hold, extend_hold, book, release_hold, cancel_booking, "
                                                    "follow_up or message"})
    request_id = fields.String(metadata={"description": "The command's id in the other service"})
    status = fields.String(metadata={"description": "pending, done or refused"})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    done_at = fields.AwareDateTime(allow_none=True)


class TripSchema(Schema):
    stage = fields.String(allow_none=True, metadata={"description": "None before signing; " + ", ".join(TRIP_STAGES)})
    hold_id = fields.String(allow_none=True)
    hold_expires_at = fields.AwareDateTime(allow_none=True)
    booking = fields.Dict(allow_none=True, metadata={"description": "locator, status and lines (ticket numbers)"})
    meeting = fields.Dict(allow_none=True)
    documents_sent_at = fields.AwareDateTime(allow_none=True)
    supplier_requests = fields.List(fields.Nested(SupplierRequestSchema))
    attention = fields.List(fields.Nested(AttentionSchema))
    steps = fields.List(fields.Nested(TripStepSchema))
