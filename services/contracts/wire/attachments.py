"""The archive on the wire: files kept for an order file, a customer or a supplier.

`ATTACHMENT_READERS` is the one rule of who sees which kind of file: the service enforces it on
every read and filing, and the gateway lets through the roles it names. Identity papers are seen
by the desk that collects them and the consultant who needs them; contracts and invoices by the
consultant and finance; supplier confirmations also by the ticketing desk that obtains them.
"""
from marshmallow import Schema, validate

from services.common import fields

from .order_files import NOT_BLANK

__all__ = ["OWNER_TYPES", "ATTACHMENT_KINDS", "ATTACHMENT_CONTENT_TYPES", "ATTACHMENT_READERS",
           "ATTACHMENT_ROLES", "AttachmentCreateSchema", "AttachmentInfoSchema", "AttachmentContentSchema"]

OWNER_TYPES = ("order_file", "customer", "supplier")
ATTACHMENT_KINDS = ("signed_contract", "passport_copy", "visa", "supplier_confirmation", "invoice", "other")
# What the archive keeps: scans and faxes (TIFF is what fax machines and fax servers produce).
ATTACHMENT_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/tiff")

_IDENTITY = ("front_desk", "consultant", "manager")
_CONTRACT = ("consultant", "finance", "manager")
ATTACHMENT_READERS = {
    "passport_copy": _IDENTITY,
    "visa": _IDENTITY,
    "signed_contract": _CONTRACT,
    "invoice": _CONTRACT,
    "supplier_confirmation": ("consultant", "ticketing", "finance", "manager"),
    # Unclassified papers (a fax nobody sorted yet) may name anyone: kept to the desk and consultants.
    "other": _IDENTITY,
}
# Everyone who can read some kind: what the gateway's routes allow before the per-kind rule applies.
ATTACHMENT_ROLES = tuple(sorted({role for roles in ATTACHMENT_READERS.values() for role in roles}))

# base64 of the largest file ARCHIVE_MAX_BYTES may be set to (the service checks the real limit).
_MAX_BASE64 = 70_000_000


class AttachmentCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_KINDS))
    filename = fields.String(required=True, validate=[validate.Length(min=1, max=255), NOT_BLANK],
                             metadata={"description": "The file's name as the user knows it (no folders)"})
    content_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100), metadata={
        "description": "Optional: checked against the file's own bytes (PDF, JPEG, PNG or TIFF)"})
    content_base64 = fields.String(required=True, validate=validate.Length(min=1, max=_MAX_BASE64),
                                   metadata={"description": "The file, base64"})


class AttachmentInfoSchema(Schema):
    id = fields.Integer()
    owner_type = fields.String(metadata={"description": "order_file, customer or supplier"})
    owner_id = fields.String()
    kind = fields.String(metadata={"description": ", ".join(ATTACHMENT_KINDS)})
    filename = fields.String()
    content_type = fields.String(metadata={"description": "As the bytes are, not as declared"})
    size = fields.Integer(metadata={"description": "Bytes"})
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.AwareDateTime()
    keep_until = fields.Date(metadata={"description": "Removed after this day (ARCHIVE_RETENTION_DAYS per kind)"})
    deleted_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When its retention removed the file; the record stays"})


class AttachmentContentSchema(Schema):
    filename = fields.String()
    content_type = fields.String()
    content_base64 = fields.String()
