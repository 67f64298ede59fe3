"""The incident log on the wire: what went wrong on an order file's trip and how the desk handled it.

An incident is opened (what happened, when, who handles it), acted on (each step a dated action),
given the alternative arranged and the moment the customer was told, and closed with how it ended.
Closing needs at least one action, and either the customer informed or the reason they were not.
"""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields

from .order_files import NOT_BLANK

__all__ = ["INCIDENT_KINDS", "INCIDENT_STATUSES", "INFORMED_HOW", "IncidentCreateSchema", "IncidentUpdateSchema",
           "IncidentActionCreateSchema", "IncidentQuerySchema", "IncidentActionSchema", "IncidentSchema"]

INCIDENT_KINDS = ("booking_failed", "delay", "complaint", "emergency", "supplier", "other")
INCIDENT_STATUSES = ("open", "closed")
INFORMED_HOW = ("phone", "email", "message", "in_person", "other")  # how the customer was told

_TEXT = [validate.Length(min=3, max=5000), NOT_BLANK]
_STAFF = [validate.Length(min=1, max=120), NOT_BLANK]


class IncidentCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(INCIDENT_KINDS))
    summary = fields.String(required=True, validate=_TEXT, metadata={"description": "What happened"})
    occurred_at = fields.AwareDateTime(load_default=None, metadata={"description": "When it happened; default now"})
    locator = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                            metadata={"description": "The booking locator or ticket it concerns, if any"})
    handler = fields.String(load_default=None, allow_none=True, validate=_STAFF,
                            metadata={"description": "Who handles it (default: whoever opens it)"})


class IncidentUpdateSchema(Schema):
    """Any of: a new handler, the alternative arranged, the customer informed, or closing it."""

    handler = fields.String(validate=_STAFF)
    alternative = fields.String(validate=_TEXT, metadata={"description": "What was arranged instead"})
    customer_informed_at = fields.AwareDateTime(metadata={"description": "When the customer was told; default now"})
    customer_informed_how = fields.String(validate=validate.OneOf(INFORMED_HOW),
                                          metadata={"description": "How the customer was told"})
    status = fields.String(validate=validate.Equal("closed", error="Only closed: an incident is opened by POST."))
    resolution = fields.String(validate=_TEXT, metadata={"description": "How it ended: needed to close"})
    not_informed_reason = fields.String(validate=_TEXT, metadata={
        "description": "To close without the customer informed: why they need not be"})

    @validates_schema
    def _complete(self, data, **kwargs):
        if not data:
            raise ValidationError("Nothing to change.", "_schema")
        if "customer_informed_at" in data and "customer_informed_how" not in data:
            raise ValidationError("Say how the customer was told.", "customer_informed_how")
        if data.get("status") == "closed" and not data.get("resolution"):
            raise ValidationError("Say how it ended to close it.", "resolution")
        if "resolution" in data and data.get("status") != "closed":
            raise ValidationError("A resolution closes the incident: send status closed with it.", "status")


class IncidentActionCreateSchema(Schema):
    text = fields.String(required=True, validate=_TEXT, metadata={"description": "What was done"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "When; default now"})


class IncidentQuerySchema(Schema):
    open = fields.Boolean(load_default=True, metadata={"description": "Only open incidents (the default)"})
    departing_within_days = fields.Integer(load_default=7, validate=validate.Range(min=0, max=60),
                                           metadata={"description": "Trips running today or departing this soon"})
    as_of = fields.Date(load_default=None, metadata={"description": "The day to count from; default today"})


class IncidentActionSchema(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    by = fields.String()
    text = fields.String()


class IncidentSchema(Schema):
    id = fields.Integer()
    order_file_id = fields.String()
    order_number = fields.String()
    customer_id = fields.String(allow_none=True)
    title = fields.String(metadata={"description": "The order file's trip"})
    start_date = fields.Date()
    end_date = fields.Date()
    kind = fields.String(metadata={"description": ", ".join(INCIDENT_KINDS)})
    summary = fields.String()
    occurred_at = fields.AwareDateTime()
    locator = fields.String(allow_none=True)
    handler = fields.String()
    status = fields.String(metadata={"description": "open or closed"})
    alternative = fields.String(allow_none=True)
    alternative_at = fields.AwareDateTime(allow_none=True)
    alternative_by = fields.String(allow_none=True)
    customer_informed_at = fields.AwareDateTime(allow_none=True)
    customer_informed_how = fields.String(allow_none=True, metadata={"description": ", ".join(INFORMED_HOW)})
    customer_informed_by = fields.String(allow_none=True, metadata={"description": "Who told them"})
    resolution = fields.String(allow_none=True)
    not_informed_reason = fields.String(allow_none=True)
    actions = fields.List(fields.Nested(IncidentActionSchema))
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
