"""Customer communications: the messages CRM sends (email), as RPC arguments and results.

Other services ask CRM to write to a customer (`crm.send_message`) rather than mailing them
themselves: CRM holds the address and the language, renders the letter, records it on the
customer's timeline and sends it through its outbox (docs/communications.md).
"""
import base64
import binascii
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema

from .values import NOT_BLANK

MESSAGE_KINDS = ("booking_confirmation", "contract_for_signature", "payment_reminder", "trip_documents",
                 "change_notice", "survey_invitation")
# queued: waiting for its (next) attempt; sent: the SMTP server accepted it; failed: refused for good
# or out of attempts; undeliverable: the customer has no email address, nothing was tried.
MESSAGE_STATUSES = ("queued", "sent", "failed", "undeliverable")
# What each kind cannot do without: the letter's whole point.
REQUIRED_VALUES = {"contract_for_signature": ("signing_url",), "survey_invitation": ("survey_url",)}
# Values read as an amount or a travel date, formatted for the customer's language.
MONEY_VALUES = ("amount", "total", "outstanding", "fare_difference")
DATE_SUFFIXES = ("_on", "_date", "_until")
MAX_VALUES = 40
MAX_VALUE_LENGTH = 2000
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 15_000_000  # decoded, all attachments together: what mail servers commonly take
MAX_AMOUNT = Decimal("1e12")
VALUE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


def is_date_value(key: str) -> bool:
    return key.endswith(DATE_SUFFIXES)


def _check_values(values: dict) -> dict:
    """Per key messages for the template's values (empty when they are all fine)."""
    problems = {}
    for key, value in values.items():
        if not isinstance(key, str) or not VALUE_KEY.match(key):
            problems[str(key)[:40]] = ["Keys are lowercase words with underscores (a-z, 0-9, _), up to 40."]
        elif isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
            problems[key] = ["A text or a number."]
        elif isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
            problems[key] = [f"At most {MAX_VALUE_LENGTH} characters."]
        elif key in MONEY_VALUES:
            try:
                amount = Decimal(str(value))
                if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) >= MAX_AMOUNT:
                    raise InvalidOperation
            except InvalidOperation:
                problems[key] = ["An amount such as 1250.00 (to the cent)."]
        elif key == "currency" and not (isinstance(value, str) and CURRENCY.match(value)):
            problems[key] = ["An ISO 4217 code such as EUR or CNY."]
        elif is_date_value(key):
            try:
                date.fromisoformat(str(value))
            except ValueError:
                problems[key] = ["A date as YYYY-MM-DD."]
    return problems


class AttachmentSchema(Schema):
    filename = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    content_type = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$", flags=re.I,
        error="A MIME type such as application/pdf."))
    content_base64 = fields.String(required=True, validate=validate.Length(min=1))

    @validates_schema
    def _decodes(self, data, **kwargs):
        try:
            base64.b64decode(data.get("content_base64") or "", validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("Not base64.", "content_base64") from None


class MessageRequestSchema(Schema):
    """What staff send by hand (the customer is in the path) and other services with customer_id."""

    kind = fields.String(required=True, validate=validate.OneOf(MESSAGE_KINDS))
    values = fields.Dict(load_default=dict, metadata={
        "description": "What the letter fills in, text or numbers: order_number, title, signing_url, amount, "
                       "currency, due_on, locator, old_flight, new_flight, survey_url, start_date... Amounts are "
                       "to the cent, dates YYYY-MM-DD; a value the letter has no place for is ignored."})
    attachments = fields.List(fields.Nested(AttachmentSchema), load_default=list,
                              validate=validate.Length(max=MAX_ATTACHMENTS))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=120),
                              metadata={"description": "What it is about, e.g. the order number: for search"})

    @validates_schema(skip_on_field_errors=False)  # bad values are reported beside bad attachments
    def _values(self, data, **kwargs):
        values = data.get("values") or {}
        if len(values) > MAX_VALUES:
            raise ValidationError(f"At most {MAX_VALUES} values.", "values")
        problems = _check_values(values)
        for key in REQUIRED_VALUES.get(data.get("kind"), ()):
            if not str(values.get(key) or "").strip():
                problems[key] = ["Required for this kind of message."]
        if problems:
            raise ValidationError(problems, "values")

    @validates_schema
    def _size(self, data, **kwargs):
        size = sum(len(base64.b64decode(a["content_base64"], validate=True)) for a in data.get("attachments") or ())
        if size > MAX_ATTACHMENT_BYTES:
            raise ValidationError(f"Attachments take {size} bytes together; at most {MAX_ATTACHMENT_BYTES}.",
                                  "attachments")


class MessageCreateSchema(MessageRequestSchema):
    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class AttachmentOutSchema(Schema):
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "Bytes"})


class MessageSchema(Schema):
    id = fields.String()
    customer_id = fields.String()
    kind = fields.String()
    channel = fields.String(metadata={"description": "email"})
    language = fields.String(metadata={"description": "zh, es or en: the customer's preferred language"})
    to_address = fields.String(allow_none=True)
    subject = fields.String()
    body_text = fields.String()
    body_html = fields.String(allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentOutSchema))
    reference = fields.String(allow_none=True)
    status = fields.String(metadata={"description": " | ".join(MESSAGE_STATUSES)})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    smtp_message_id = fields.String(metadata={"description": "The Message-ID header: the same on every attempt"})
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    sent_at = fields.AwareDateTime(allow_none=True)


class MessageQuerySchema(PageQuerySchema):
    customer_id = fields.String(load_default=None, validate=validate.Length(max=36))
    kind = fields.String(load_default=None, validate=validate.OneOf(MESSAGE_KINDS))
    reference = fields.String(load_default=None, validate=validate.Length(min=1, max=120))
    status = fields.String(load_default=None, validate=validate.OneOf(MESSAGE_STATUSES))


class CustomerMessageQuerySchema(PageQuerySchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(MESSAGE_KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(MESSAGE_STATUSES))


class MessagePageSchema(PageSchema):
    items = fields.List(fields.Nested(MessageSchema))
