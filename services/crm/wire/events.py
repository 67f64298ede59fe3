"""The events CRM publishes, each produced by dumping its payload schema (services.common.contract).

Travel document numbers are always masked in events. Adding a field keeps an event's version;
removing or renaming one makes a new version.
"""
from marshmallow import Schema

from services.common import fields
from services.common.contract import Event, events_by_name

from .customers import CustomerSchema
from .inquiries import InquirySchema, TransitionSchema


class CustomerCreatedPayload(CustomerSchema):
    """The customer as `get_customer` returns it (document numbers masked). Version 1: the first
    eight fields (id, full_name, email, phone, preferred_language, notes, created_at, created_by)
    were there from the start, the others were added since."""


class CustomerUpdatedPayload(Schema):
    id = fields.String()
    changed_fields = fields.List(fields.String(), metadata={"description": "Sorted"})
    changes = fields.Nested(CustomerSchema, metadata={
        "description": "The new value of each field that changed, as `get_customer` shows it (documents masked); "
                       "a new primary `email` / `phone` and a new `marketing_consent_at` show here too"})
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class InquiryCreatedPayload(InquirySchema):
    """The inquiry as `get_inquiry` returns it."""


class InquiryUpdatedPayload(Schema):
    id = fields.String()
    customer_id = fields.String()
    changed_fields = fields.List(fields.String(), metadata={"description": "Sorted"})
    changes = fields.Nested(InquirySchema, metadata={
        "description": "The new value of each field that changed, as `get_inquiry` shows it"})
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class MessagePayload(Schema):
    """One customer message and where it stands (its text and attachments stay in CRM)."""

    id = fields.String()
    customer_id = fields.String()
    kind = fields.String()
    reference = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "queued, sent, failed or undeliverable"})
    to = fields.String(allow_none=True, metadata={"description": "The address, masked: a***@example.com"})
    attempts = fields.Integer(metadata={"description": "SMTP attempts made so far"})
    smtp_message_id = fields.String(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "Why it failed or could not be sent"})
    at = fields.AwareDateTime()


class InquiryStatusChangedPayload(TransitionSchema):
    """One move of the pipeline, as `inquiry_transitions` lists it, and whose inquiry it is."""

    customer_id = fields.String()


CUSTOMER_CREATED = Event("crm.customer_created", CustomerCreatedPayload,
                         "A customer was registered (on their own or with an inquiry).")
CUSTOMER_UPDATED = Event("crm.customer_updated", CustomerUpdatedPayload,
                         "Some fields of a customer changed: their new values.")
INQUIRY_CREATED = Event("crm.inquiry_created", InquiryCreatedPayload,
                        "An inquiry was registered in the consultation register (status new).")
INQUIRY_UPDATED = Event("crm.inquiry_updated", InquiryUpdatedPayload,
                        "Some details of an inquiry changed (not its status): their new values.")
INQUIRY_STATUS_CHANGED = Event("crm.inquiry_status_changed", InquiryStatusChangedPayload,
                               "An inquiry moved along its pipeline, by a consultant or by a quote event.")
MESSAGE_QUEUED = Event("crm.message_queued", MessagePayload,
                       "A message to a customer was recorded and waits for its (next) SMTP attempt.")
MESSAGE_SENT = Event("crm.message_sent", MessagePayload, "The SMTP server accepted a message to a customer.")
MESSAGE_FAILED = Event("crm.message_failed", MessagePayload,
                       "A message to a customer will not be sent: refused, out of attempts, or no address "
                       "(status undeliverable).")

EVENTS = events_by_name(CUSTOMER_CREATED, CUSTOMER_UPDATED, INQUIRY_CREATED, INQUIRY_UPDATED,
                        INQUIRY_STATUS_CHANGED, MESSAGE_QUEUED, MESSAGE_SENT, MESSAGE_FAILED)
