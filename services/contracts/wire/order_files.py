"""The order file on the wire: opening it, its travellers, the document check, signing, amendments
and cancellation."""
from decimal import Decimal

from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema

__all__ = [
    "to_the_cent", "LANGUAGES", "AMENDMENT_REASONS", "VISA_STATUSES", "ORDER_STATUSES", "TRIP_STAGES", "MAX_MONEY",
    "NOT_BLANK", "Money",
    "OrderFileOpenSchema", "TravellerRefSchema", "OrderFileUpdateSchema", "OrderFileQuerySchema",
    "SignInPersonSchema", "SigningLinkSchema", "RemoteSignatureSchema", "OverrideSchema",
    "AmendmentCreateSchema", "SupplierConfirmationCreateSchema", "CancellationCreateSchema",
    "OrderTravellerSchema", "ScheduleLineSchema", "ContractVersionSchema", "OrderFileSchema", "OrderFileSummarySchema",
    "OrderFilePageSchema", "SigningLinkOutSchema", "SigningViewSchema", "DocumentProblemSchema",
    "DocumentCheckSchema", "CancellationSchema", "AttachmentSchema",
]

LANGUAGES = ("zh", "es", "en")
AMENDMENT_REASONS = ("customer_request", "agency_error", "supplier_change")
VISA_STATUSES = ("not_needed", "applied", "granted", "refused")
ORDER_STATUSES = ("drafted", "signed", "cancelled")
# Where an order file's trip stands once signed (services/contracts/trip.py draws the process).
TRIP_STAGES = ("holding", "held", "unavailable", "booking", "booked", "ready", "travelling", "completed", "cancelled")
MAX_MONEY = 10_000_000
NOT_BLANK = validate.Regexp(r"\S", error="Cannot be blank.")


def to_the_cent(value: Decimal):
    if not -MAX_MONEY <= value <= MAX_MONEY:
        # Out of range, as Range says; quantizing 1E+964228 would overflow, and so would abs() of
        # an exponent past the context's (1E+7092541240): a comparison never does.
        return
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("At most two decimals (to the cent).")


def Money(**kwargs):
    """An exact amount, a decimal string on the wire."""
    return fields.Decimal(as_string=True, **kwargs)


class OrderFileOpenSchema(Schema):
    itinerary_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000),
                             metadata={"description": "The accepted quote version"})


class TravellerRefSchema(Schema):
    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=36),
                                metadata={"description": "The traveller's CRM record (names as in their documents)"})
    type = fields.String(load_default="adult", validate=validate.OneOf(("adult", "child")))
    visa = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(VISA_STATUSES),
                         metadata={"description": "Where the destination needs a visa: its status"})


class EntryRequirementsSchema(Schema):
    passport_required = fields.Boolean(load_default=True, metadata={
        "description": "A passport valid 6 months after the return"})
    visa_required = fields.Boolean(load_default=False)


class OrderFileUpdateSchema(Schema):
    """What the consultant completes before signing (a signed contract changes by amendment only)."""

    travellers = fields.List(fields.Nested(TravellerRefSchema), validate=validate.Length(min=1, max=50))
    entry_requirements = fields.Nested(EntryRequirementsSchema)
    special_arrangements = fields.String(allow_none=True, validate=validate.Length(max=5000))
    language = fields.String(validate=validate.OneOf(LANGUAGES),
                             metadata={"description": "The contract's language (zh, es, en)"})

    @validates_schema
    def _one_each(self, data, **kwargs):
        ids = [t["customer_id"] for t in data.get("travellers") or []]
        if len(ids) != len(set(ids)):
            raise ValidationError("Each traveller once.", "travellers")


class OrderFileQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))
    trip_stage = fields.String(validate=validate.OneOf(TRIP_STAGES))
    customer_id = fields.String(validate=validate.Length(max=36))
    order_number = fields.String(validate=validate.Length(max=20))


class SignInPersonSchema(Schema):
    signed_by = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK],
                              metadata={"description": "Who signed for the customer"})
    signed_as = fields.String(load_default="customer", validate=validate.Length(min=1, max=100),
                              metadata={"description": "customer, legal guardian, company representative..."})


class SigningLinkSchema(Schema):
    valid_days = fields.Integer(load_default=7, strict=True, validate=validate.Range(min=1, max=30))
    send_to_customer = fields.Boolean(load_default=False, metadata={
        "description": "Email the link and the contract PDF to the customer (CRM sends it)"})


class RemoteSignatureSchema(Schema):
    """What the customer sends from the signing page."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK],
                         metadata={"description": "The signer's name, typed"})
    document_sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"),
                                    metadata={"description": "The SHA-256 of the document the page showed"})
    accept = fields.Boolean(required=True, validate=validate.Equal(True, error="Tick to accept the contract."))


class OverrideSchema(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=3, max=1000), NOT_BLANK])


class AmendmentCreateSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(AMENDMENT_REASONS))
    changes = fields.String(required=True, validate=[validate.Length(min=3, max=5000), NOT_BLANK],
                            metadata={"description": "What changed, as the customer will read it"})
    total = Money(required=True, validate=[validate.Range(min=0, max=MAX_MONEY), to_the_cent],
                  metadata={"description": "The new contract total; the schedule takes the difference"})
    affected_suppliers = fields.List(
        fields.String(validate=[validate.Length(min=1, max=200), NOT_BLANK]), required=True,
        validate=validate.Length(max=50),
        metadata={"description": "Every line operator and ground handler that must confirm the change"})
    lines = fields.List(fields.Dict(), load_default=None, validate=validate.Length(max=500),
                        metadata={"description": "The amended lines; unchanged when left out"})


class SupplierConfirmationCreateSchema(Schema):
    supplier = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    confirmed_by = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK],
                                 metadata={"description": "Who confirmed it at the supplier"})
    reference = fields.String(required=True, validate=[validate.Length(min=1, max=120), NOT_BLANK],
                              metadata={"description": "The supplier's reference"})


class CancellationCreateSchema(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=3, max=1000), NOT_BLANK])
    cancelled_on = fields.Date(load_default=None, metadata={"description": "Defaults to today"})


class OrderTravellerSchema(Schema):
    customer_id = fields.String()
    full_name = fields.String()
    type = fields.String()
    date_of_birth = fields.Date(allow_none=True)
    nationality = fields.String(allow_none=True)
    documents = fields.List(fields.Dict(), metadata={"description": "As CRM shows them: numbers masked"})
    visa = fields.String(allow_none=True)


class ScheduleLineSchema(Schema):
    n = fields.Integer()
    kind = fields.String(metadata={"description": "deposit, instalment or balance"})
    due_on = fields.Date()
    amount = Money()
    paid = Money()
    outstanding = Money()
    status = fields.String(metadata={"description": "paid, partly_paid, due or overdue"})
    days_overdue = fields.Integer()


class SupplierConfirmationSchema(Schema):
    supplier = fields.String()
    confirmed = fields.Boolean()
    confirmed_by = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    confirmed_at = fields.AwareDateTime(allow_none=True)
    recorded_by = fields.String(allow_none=True)


class ContractVersionSchema(Schema):
    version = fields.Integer()
    status = fields.String(metadata={"description": "draft, signed or superseded"})
    reason = fields.String(metadata={"description": "initial, customer_request, agency_error or supplier_change"})
    changes = fields.String(allow_none=True)
    total = Money()
    suppliers = fields.List(fields.Nested(SupplierConfirmationSchema))
    signature = fields.Dict(allow_none=True, metadata={
        "description": "method (in_person or remote), signed_by, signed_as, signed_at, recorded_by or address"})
    document_sha256 = fields.String(allow_none=True, metadata={"description": "Of the signed document"})
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class OrderFileSummarySchema(Schema):
    id = fields.String()
    order_number = fields.String()
    status = fields.String(metadata={"description": "drafted, signed or cancelled"})
    customer_id = fields.String(allow_none=True)
    title = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    currency = fields.String()
    total = Money()
    paid = Money()
    outstanding = Money()
    trip_stage = fields.String(allow_none=True, metadata={"description": "Where the trip stands (see trip.stage)"})
    consultant = fields.String(allow_none=True, metadata={"description": "Who issued the quote: the file's owner"})


class OrderFileSchema(OrderFileSummarySchema):
    quote_id = fields.String()
    quote_number = fields.String(allow_none=True)
    quote_version = fields.Integer()
    itinerary_id = fields.String()
    inquiry_id = fields.String(allow_none=True)
    language = fields.String()
    travellers = fields.List(fields.Nested(OrderTravellerSchema))
    entry_requirements = fields.Dict()
    special_arrangements = fields.String(allow_none=True)
    payment_terms = fields.Dict()
    cancellation_tiers = fields.List(fields.Dict())
    terms_notes = fields.String(allow_none=True)
    quote = fields.Dict(metadata={"description": "The accepted quote, frozen: lines, per_person, fees, totals, party"})
    current_version = fields.Integer()
    versions = fields.List(fields.Nested(ContractVersionSchema))
    schedule = fields.List(fields.Nested(ScheduleLineSchema))
    document_override = fields.Dict(allow_none=True)
    cancellation = fields.Dict(allow_none=True)
    refunded = Money()
    invoiced = Money(metadata={"description": "Invoices less credit notes"})
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    trip = fields.Nested("TripSchema", metadata={"description": "The trip process: services/contracts/trip.py"})


class OrderFilePageSchema(PageSchema):
    items = fields.List(fields.Nested(OrderFileSummarySchema))


class SigningLinkOutSchema(Schema):
    token = fields.String(metadata={"description": "Shown once: the customer's link is /sign/<token>"})
    url = fields.String(metadata={"description": "The link to send the customer (SIGNING_BASE_URL/sign/<token>)"})
    expires_at = fields.AwareDateTime()
    version = fields.Integer()


class SigningViewSchema(Schema):
    order_number = fields.String()
    version = fields.Integer()
    title = fields.String()
    language = fields.String()
    total = Money()
    currency = fields.String()
    document_sha256 = fields.String()
    signed = fields.Boolean()


class DocumentProblemSchema(Schema):
    customer_id = fields.String(allow_none=True)
    full_name = fields.String(allow_none=True)
    field = fields.String()
    message = fields.String()


class DocumentCheckSchema(Schema):
    complete = fields.Boolean()
    missing = fields.List(fields.Nested(DocumentProblemSchema))
    overridden = fields.Dict(allow_none=True, metadata={"description": "by, reason, at: a manager's override"})


class CancellationSchema(Schema):
    cancelled_on = fields.Date()
    days_before_departure = fields.Integer()
    tier = fields.Dict(allow_none=True)
    fee = Money()
    paid = Money()
    refund = Money()
    owed = Money()
    credit_note = fields.String(allow_none=True, metadata={"description": "Its display number, if one was issued"})
    refund_id = fields.Integer(allow_none=True)
    reason = fields.String()


class AttachmentSchema(Schema):
    filename = fields.String()
    content_type = fields.String()
    content_base64 = fields.String()
