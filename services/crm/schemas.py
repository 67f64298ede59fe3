"""What crosses the wire for CRM: RPC arguments and results, event payloads, gateway bodies.

Input schemas reject unknown fields (marshmallow's default), bound every length and check every
enumeration, so a bad request gets one message per field and writes nothing. The same schemas
validate at the gateway (HTTP) and again in the service (RPC), which is what other callers use.
"""
from datetime import date

from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.validators import CURRENCY, USERNAME

LANGUAGE = validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$", error="Use a language tag such as es, zh or zh-Hant.")
COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="An ISO 3166 alpha-2 country code such as ES or CN.")
PHONE = validate.Regexp(r"^\+?[0-9 ()\-.]{5,30}$", error="Not a phone number.")


def NOT_BLANK(value: str):  # noqa: N802 (used like the validators above)
    if not value.strip():
        raise ValidationError("Must not be blank.")


CHANNELS = ("phone", "web", "walk_in", "email", "partner")
STATUSES = ("new", "qualified", "quoted", "won", "lost")
DOCUMENT_TYPES = ("passport", "id_card", "visa")
CONSENT = ("given", "not_given", "any")
MAX_PAGE_SIZE = 100


def labels(max_items: int = 20, max_length: int = 60, **kwargs):
    """A list of short strings (interests, tags, destinations...)."""
    return fields.List(fields.String(validate=[validate.Length(min=1, max=max_length), NOT_BLANK]),
                       validate=validate.Length(max=max_items), **kwargs)


def _check_birth_date(value: date):
    if value > date.today():
        raise ValidationError("Must not be in the future.")
    if value < date(1900, 1, 1):
        raise ValidationError("Must not be before 1900.")


# --- paging ------------------------------------------------------------------------------------

class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageSchema(Schema):
    total = fields.Integer(metadata={"description": "How many match in all pages."})
    page = fields.Integer()
    page_size = fields.Integer()


# --- customers ---------------------------------------------------------------------------------

class TravelDocumentSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
    number = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9 \-<]{2,39}$", error="3 to 40 letters, digits, spaces, - or <."))
    country = fields.String(required=True, validate=COUNTRY, metadata={"description": "Issuing country"})
    expiry = fields.Date(load_default=None, allow_none=True)


class TravelDocumentOutSchema(Schema):
    type = fields.String()
    number = fields.String(metadata={"description": "Masked (****1234) unless revealed"})
    country = fields.String()
    expiry = fields.Date(allow_none=True)
    masked = fields.Boolean()


class CustomerCreateSchema(Schema):
    """A new customer. `email` / `phone` are the primary contact; `emails` / `phones` may add more."""

    full_name = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    emails = fields.List(fields.Email(validate=validate.Length(max=254)), load_default=list,
                         validate=validate.Length(max=10))
    phones = fields.List(fields.String(validate=PHONE), load_default=list, validate=validate.Length(max=10))
    preferred_language = fields.String(load_default=None, allow_none=True, validate=LANGUAGE)
    date_of_birth = fields.Date(load_default=None, allow_none=True, validate=_check_birth_date)
    nationality = fields.String(load_default=None, allow_none=True, validate=COUNTRY)
    documents = fields.List(fields.Nested(TravelDocumentSchema), load_default=list,
                            validate=validate.Length(max=10))
    preferences = labels(load_default=list, max_length=120)
    interests = labels(load_default=list)
    dietary_needs = labels(max_items=10, max_length=200, load_default=list)
    accessibility_needs = labels(max_items=10, max_length=200, load_default=list)
    marketing_consent = fields.Boolean(load_default=False)
    tags = labels(max_items=30, max_length=40, load_default=list)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CustomerUpdateSchema(Schema):
    """PATCH: only the fields given change. Lists are replaced whole; null clears an optional field.

    `email` / `phone` make that address or number the primary one (first of `emails` / `phones`).
    """

    full_name = fields.String(validate=[validate.Length(min=1, max=200), NOT_BLANK])
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(validate=PHONE)
    emails = fields.List(fields.Email(validate=validate.Length(max=254)), validate=validate.Length(max=10))
    phones = fields.List(fields.String(validate=PHONE), validate=validate.Length(max=10))
    preferred_language = fields.String(allow_none=True, validate=LANGUAGE)
    date_of_birth = fields.Date(allow_none=True, validate=_check_birth_date)
    nationality = fields.String(allow_none=True, validate=COUNTRY)
    documents = fields.List(fields.Nested(TravelDocumentSchema), validate=validate.Length(max=10))
    preferences = labels(max_length=120)
    interests = labels()
    dietary_needs = labels(max_items=10, max_length=200)
    accessibility_needs = labels(max_items=10, max_length=200)
    marketing_consent = fields.Boolean()
    tags = labels(max_items=30, max_length=40)
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.", "_schema")


class CustomerSchema(Schema):
    id = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True, metadata={"description": "The primary email"})
    phone = fields.String(allow_none=True, metadata={"description": "The primary phone"})
    emails = fields.List(fields.String())
    phones = fields.List(fields.String())
    preferred_language = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    nationality = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(TravelDocumentOutSchema))
    preferences = fields.List(fields.String())
    interests = fields.List(fields.String())
    dietary_needs = fields.List(fields.String())
    accessibility_needs = fields.List(fields.String())
    marketing_consent = fields.Boolean()
    marketing_consent_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When the current consent value was recorded"})
    tags = fields.List(fields.String())
    notes = fields.String(allow_none=True)
    past_destinations = fields.List(fields.String(), metadata={
        "description": "From won inquiries and confirmed bookings"})
    last_trip_date = fields.Date(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class CustomerCreatedPayload(CustomerSchema):
    """Payload of crm.customer_created (version 1; fields beyond the first eight were added later).

    Travel document numbers are always masked in events.
    """


class CustomerUpdatedPayload(Schema):
    """Payload of crm.customer_updated (version 1): the new values of the fields that changed."""

    id = fields.String()
    changed_fields = fields.List(fields.String())
    changes = fields.Dict(keys=fields.String(), values=fields.Raw())
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class CustomerQuerySchema(PageQuerySchema):
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=200), metadata={
        "description": "Part of the name; accents and case do not matter (Nunez finds Núñez)"})
    phone = fields.String(load_default=None, validate=validate.Regexp(r"^[+0-9 ()\-.]{3,40}$",
                                                                       error="Digits of a phone number."),
                          metadata={"description": "Digits of the number; matches anywhere in it"})
    email = fields.String(load_default=None, validate=validate.Length(min=1, max=254))
    tag = fields.String(load_default=None, validate=validate.Length(min=1, max=40))


class CustomerGetQuerySchema(Schema):
    reveal_documents = fields.Boolean(load_default=False, metadata={
        "description": "Show travel document numbers unmasked"})


class DuplicateQuerySchema(Schema):
    confirm_duplicate = fields.Boolean(load_default=False, metadata={
        "description": "Create even though a customer with the same email or phone exists"})


class CustomerPageSchema(PageSchema):
    items = fields.List(fields.Nested(CustomerSchema))


# --- inquiries ---------------------------------------------------------------------------------

class TravelWindowSchema(Schema):
    """Fixed dates (start and end) or a flexible month (YYYY-MM, optionally with a number of nights)."""

    start = fields.Date(load_default=None, allow_none=True)
    end = fields.Date(load_default=None, allow_none=True)
    month = fields.Month(load_default=None, allow_none=True)
    nights = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=365))

    @validates_schema
    def _window(self, data, **kwargs):
        start, end, month = data.get("start"), data.get("end"), data.get("month")
        if month and (start or end):
            raise ValidationError("Give either fixed dates or a flexible month, not both.", "month")
        if not month:
            if not start:
                raise ValidationError("Give start and end dates, or a flexible month.", "start")
            if not end:
                raise ValidationError("Give the end date too.", "end")
            if end < start:
                raise ValidationError("Must not be before start.", "end")
            if (end - start).days > 366:
                raise ValidationError("A trip of at most a year.", "end")


class TravelWindowOutSchema(Schema):
    start = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)
    month = fields.String(allow_none=True)
    nights = fields.Integer(allow_none=True)


class PartySchema(Schema):
    adults = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=500))
    children = fields.List(fields.Integer(strict=True, validate=validate.Range(min=0, max=17)),
                           load_default=list, validate=validate.Length(max=100),
                           metadata={"description": "One age (0-17) per child"})


class BudgetSchema(Schema):
    amount = fields.Decimal(required=True, as_string=True, places=2,
                            validate=validate.Range(min=0, min_inclusive=False, max=100_000_000))
    currency = fields.String(required=True, validate=CURRENCY)


class InquiryCreateSchema(Schema):
    """A new consultation, for a known customer (customer_id) or a new one (customer)."""

    customer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))
    customer = fields.Nested(CustomerCreateSchema, load_default=None, allow_none=True, metadata={
        "description": "Register the customer together with the inquiry"})
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    destinations = labels(max_length=120, load_default=list)
    travel_window = fields.Nested(TravelWindowSchema, load_default=None, allow_none=True)
    party = fields.Nested(PartySchema, load_default=None, allow_none=True)
    budget = fields.Nested(BudgetSchema, load_default=None, allow_none=True)
    interests = labels(load_default=list)
    special_requests = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    consultant = fields.String(load_default=None, allow_none=True, validate=USERNAME,
                               metadata={"description": "The assigned consultant's username"})
    source_campaign = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))

    @validates_schema
    def _one_customer(self, data, **kwargs):
        if bool(data.get("customer_id")) == bool(data.get("customer")):
            raise ValidationError("Give either customer_id or a new customer, not both.", "customer_id")


class InquiryUpdateSchema(Schema):
    """PATCH: everything but the status (which moves through transitions)."""

    destinations = labels(max_length=120)
    travel_window = fields.Nested(TravelWindowSchema, allow_none=True)
    party = fields.Nested(PartySchema, allow_none=True)
    budget = fields.Nested(BudgetSchema, allow_none=True)
    interests = labels()
    special_requests = fields.String(allow_none=True, validate=validate.Length(max=2000))
    consultant = fields.String(allow_none=True, validate=USERNAME)
    source_campaign = fields.String(allow_none=True, validate=validate.Length(max=120))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.", "_schema")


class InquirySchema(Schema):
    id = fields.String()
    customer_id = fields.String()
    channel = fields.String()
    status = fields.String()
    destinations = fields.List(fields.String())
    travel_window = fields.Nested(TravelWindowOutSchema, allow_none=True)
    party = fields.Nested(PartySchema, allow_none=True)
    budget = fields.Nested(BudgetSchema, allow_none=True)
    interests = fields.List(fields.String())
    special_requests = fields.String(allow_none=True)
    consultant = fields.String(allow_none=True)
    source_campaign = fields.String(allow_none=True)
    lost_reason = fields.String(allow_none=True)
    status_changed_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class InquiryCreatedPayload(InquirySchema):
    """Payload of crm.inquiry_created (version 1)."""


class TransitionCreateSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(STATUSES[1:]),
                       metadata={"description": "new -> qualified -> quoted -> won | lost; lost from any open status"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000),
                           metadata={"description": "Required when moving to lost"})

    @validates_schema
    def _reason(self, data, **kwargs):
        if data.get("to") == "lost" and not (data.get("reason") or "").strip():
            raise ValidationError("Say why the inquiry was lost.", "reason")


class TransitionSchema(Schema):
    inquiry_id = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    reason = fields.String(allow_none=True)
    changed_by = fields.String()
    changed_at = fields.AwareDateTime()


class InquiryStatusChangedPayload(TransitionSchema):
    """Payload of crm.inquiry_status_changed (version 1)."""

    customer_id = fields.String()


class InquiryQuerySchema(PageQuerySchema):
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)), load_default=None,
                         validate=validate.Length(max=len(STATUSES)), metadata={"description": "Repeat for several"})
    channel = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), load_default=None,
                          validate=validate.Length(max=len(CHANNELS)))
    consultant = fields.String(load_default=None, validate=USERNAME)
    customer_id = fields.String(load_default=None, validate=validate.Length(max=36))
    destination = fields.String(load_default=None, validate=validate.Length(min=1, max=120), metadata={
        "description": "Part of a destination; accents and case do not matter"})
    travel_month = fields.Month(load_default=None, metadata={
        "description": "Flexible month equal to it, or fixed dates overlapping it"})
    created_from = fields.AwareDateTime(load_default=None, metadata={"description": "Inclusive"})
    created_to = fields.AwareDateTime(load_default=None, metadata={"description": "Exclusive"})

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("created_from") and data.get("created_to") and data["created_to"] < data["created_from"]:
            raise ValidationError("Must not be before created_from.", "created_to")


class InquiryPageSchema(PageSchema):
    items = fields.List(fields.Nested(InquirySchema))


# --- follow-ups --------------------------------------------------------------------------------

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


# --- timeline ----------------------------------------------------------------------------------

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


# --- segments ----------------------------------------------------------------------------------

class SegmentQuerySchema(PageQuerySchema):
    interests = fields.List(fields.String(validate=validate.Length(min=1, max=60)), load_default=None,
                            validate=validate.Length(max=20), metadata={"description": "Any of these (repeat)"})
    destinations = fields.List(fields.String(validate=validate.Length(min=1, max=120)), load_default=None,
                               validate=validate.Length(max=20),
                               metadata={"description": "Travelled to any of these (repeat)"})
    tag = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    preferred_language = fields.String(load_default=None, validate=LANGUAGE)
    last_trip_before = fields.Date(load_default=None, metadata={"description": "Latest trip ended before this date"})
    last_trip_after = fields.Date(load_default=None, metadata={
        "description": "Latest trip ended on or after this date"})
    consent = fields.String(load_default="given", validate=validate.OneOf(CONSENT), metadata={
        "description": "given (default): only customers who accept marketing"})


class SegmentCustomerSchema(Schema):
    id = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    preferred_language = fields.String(allow_none=True)
    nationality = fields.String(allow_none=True)
    interests = fields.List(fields.String())
    past_destinations = fields.List(fields.String())
    last_trip_date = fields.Date(allow_none=True)
    marketing_consent = fields.Boolean()
    marketing_consent_at = fields.AwareDateTime(allow_none=True)
    tags = fields.List(fields.String())


class SegmentPageSchema(PageSchema):
    items = fields.List(fields.Nested(SegmentCustomerSchema))
