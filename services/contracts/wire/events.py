"""The facts contracts publishes, each a payload schema with its version.

Every payload names the order file (id and number) and its customer, so CRM's timeline can show
it; the money events carry amounts as decimal strings in the contract's currency.
"""
from marshmallow import Schema

from services.common import fields
from services.common.contract import Event, events_by_name

from .order_files import Money

__all__ = [
    "OrderFileEventSchema", "ContractSignedPayload", "ContractAmendedPayload", "ContractCancelledPayload",
    "PaymentPayload", "InvoicePayload", "InstalmentOverduePayload", "DayClosedPayload", "IncidentPayload",
    "IncidentClosedPayload", "INCIDENT_OPENED", "INCIDENT_CLOSED",
    "CONTRACT_DRAFTED", "CONTRACT_SIGNED", "CONTRACT_AMENDED", "CONTRACT_CANCELLED", "PAYMENT_RECEIVED",
    "PAYMENT_REFUNDED", "INVOICE_ISSUED", "CREDIT_NOTE_ISSUED", "INSTALMENT_OVERDUE", "DAY_CLOSED",
    "TripPayload", "ServiceRequestPayload", "AttentionPayload", "TRIP_HELD", "TRIP_BOOKED", "TRIP_READY",
    "TRIP_STARTED", "TRIP_COMPLETED", "TRIP_CHANGED", "SERVICE_REQUESTED", "SERVICE_REMINDER_DUE", "SERVICE_ANSWERED",
    "SERVICE_WITHDRAWN", "ORDER_FILE_NEEDS_ATTENTION", "DepartureChangedPayload", "DEPARTURE_CHANGED",
    "EVENTS",
]


class _OrderFileRef(Schema):
    order_file_id = fields.String(required=True)
    order_number = fields.String(required=True)
    contract_id = fields.String(required=True, metadata={"description": "The order number, as CRM's timeline shows it"})
    customer_id = fields.String(required=True, allow_none=True)


class OrderFileEventSchema(_OrderFileRef):
    consultant = fields.String(allow_none=True, metadata={"description": "Who issued the quote (the file's owner)"})
    quote_id = fields.String(required=True)
    itinerary_id = fields.String(required=True)
    title = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    currency = fields.String(required=True)
    total = Money(required=True)
    version = fields.Integer(required=True, metadata={"description": "The contract version"})


class ContractSignedPayload(OrderFileEventSchema):
    method = fields.String(required=True, metadata={"description": "in_person or remote"})
    signed_by = fields.String(required=True)
    signed_at = fields.AwareDateTime(required=True)
    document_sha256 = fields.String(required=True)


class ContractAmendedPayload(OrderFileEventSchema):
    reason = fields.String(required=True, metadata={"description": "customer_request, agency_error or supplier_change"})
    changes = fields.String(required=True)
    previous_total = Money(required=True)
    affected_suppliers = fields.List(fields.String(), required=True)


class ContractCancelledPayload(OrderFileEventSchema):
    reason = fields.String(required=True)
    fee = Money(required=True)
    refund = Money(required=True)
    days_before_departure = fields.Integer(required=True)


class PaymentPayload(_OrderFileRef):
    payment_id = fields.Integer(required=True)
    receipt_number = fields.String(required=True)
    amount = Money(required=True, metadata={"description": "Negative for money paid back"})
    currency = fields.String(required=True)
    method = fields.String(required=True)
    desk = fields.String(required=True)
    paid_at = fields.AwareDateTime(required=True)


class InvoicePayload(_OrderFileRef):
    invoice_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    display_number = fields.String(required=True)
    corrects = fields.String(required=True, allow_none=True)
    total = Money(required=True)
    tax_total = Money(required=True)
    currency = fields.String(required=True)
    issued_at = fields.AwareDateTime(required=True)


class InstalmentOverduePayload(_OrderFileRef):
    n = fields.Integer(required=True)
    kind = fields.String(required=True)
    due_on = fields.Date(required=True)
    outstanding = Money(required=True)
    currency = fields.String(required=True)
    days_overdue = fields.Integer(required=True)


class DayClosedPayload(Schema):
    desk = fields.String(required=True)
    day = fields.Date(required=True)
    status = fields.String(required=True, metadata={"description": "closed (by the desk) or confirmed (by finance)"})
    totals = fields.Dict(required=True, metadata={"description": "Per currency and method: count and amount"})
    payments = fields.Integer(required=True)


class TripPayload(OrderFileEventSchema):
    stage = fields.String(required=True, metadata={"description": "Where the trip stands now"})
    hold_id = fields.String(allow_none=True)
    locator = fields.String(allow_none=True, metadata={"description": "The booking's locator, once booked"})
    lines = fields.List(fields.Dict(), metadata={"description": "Booked lines: product, day, quantity, ticket"})
    change = fields.Dict(allow_none=True, metadata={"description": "trip_changed: old and new day and ticket"})


class ServiceRequestPayload(_OrderFileRef):
    request_id = fields.Integer(required=True)
    supplier = fields.String(required=True)
    description = fields.String(required=True)
    service_date = fields.Date(required=True, allow_none=True)
    status = fields.String(required=True, metadata={"description": "requested, confirmed, declined or withdrawn"})
    reference = fields.String(allow_none=True)
    reminders = fields.Integer(required=True)


class AttentionPayload(_OrderFileRef):
    attention_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    message = fields.String(required=True)


class IncidentPayload(_OrderFileRef):
    incident_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={
        "description": "booking_failed, delay, complaint, emergency, supplier or other"})
    summary = fields.String(required=True, metadata={"description": "What happened"})
    occurred_at = fields.AwareDateTime(required=True)
    locator = fields.String(required=True, allow_none=True, metadata={"description": "The booking it concerns"})
    handler = fields.String(required=True, metadata={"description": "Who handles it"})


class IncidentClosedPayload(IncidentPayload):
    resolution = fields.String(required=True)
    alternative = fields.String(required=True, allow_none=True, metadata={"description": "What was arranged instead"})
    customer_informed_at = fields.AwareDateTime(required=True, allow_none=True)
    actions = fields.Integer(required=True, metadata={"description": "How many actions were taken"})
    closed_at = fields.AwareDateTime(required=True)
    closed_by = fields.String(required=True)


class _SupplierNotice(Schema):
    supplier_id = fields.String(required=True, allow_none=True)
    supplier_name = fields.String(required=True)
    notice_id = fields.Integer(required=True)
    counts = fields.Dict(required=True, metadata={
        "description": "After the change, of the travellers this supplier serves: travellers, adults, children, rooms"})


class DepartureChangedPayload(Schema):
    departure_id = fields.String(required=True)
    code = fields.String(required=True)
    product_name = fields.String(required=True)
    departure_date = fields.Date(required=True)
    return_date = fields.Date(required=True)
    status = fields.String(required=True)
    change = fields.String(required=True, metadata={
        "description": "announced, joined, left, rooming, guide, dates or cancelled"})
    summary = fields.String(required=True)
    travellers = fields.Integer(required=True, metadata={"description": "The whole group's travellers after it"})
    suppliers = fields.List(fields.Nested(_SupplierNotice), required=True, metadata={
        "description": "The suppliers concerned, each with the notice recorded for it"})


CONTRACT_DRAFTED = Event("contracts.contract_drafted", OrderFileEventSchema,
                         "An order file was opened from an accepted quote: its contract is drafted.")
CONTRACT_SIGNED = Event("contracts.contract_signed", ContractSignedPayload,
                        "A contract version was signed, in person or through the customer's link.")
CONTRACT_AMENDED = Event("contracts.contract_amended", ContractAmendedPayload,
                         "A new contract version was drafted for a change (what, why, the new total).")
CONTRACT_CANCELLED = Event("contracts.contract_cancelled", ContractCancelledPayload,
                           "The customer cancelled: the fee of the tier and the refund due.")
PAYMENT_RECEIVED = Event("contracts.payment_received", PaymentPayload,
                         "The customer paid: a numbered receipt was recorded.")
PAYMENT_REFUNDED = Event("contracts.payment_refunded", PaymentPayload,
                         "An approved refund was paid back to the customer.")
INVOICE_ISSUED = Event("contracts.invoice_issued", InvoicePayload, "An invoice was issued (numbered, final).")
CREDIT_NOTE_ISSUED = Event("contracts.credit_note_issued", InvoicePayload,
                           "A credit note corrected an issued invoice.")
INSTALMENT_OVERDUE = Event("contracts.instalment_overdue", InstalmentOverduePayload,
                           "An instalment passed its due date unpaid (raised once per instalment).")
DAY_CLOSED = Event("contracts.day_closed", DayClosedPayload,
                   "A desk closed its day (no more payments on it), or finance confirmed it.")
TRIP_HELD = Event("contracts.trip_held", TripPayload,
                  "Every inventory service of the signed contract is held in ticketing, until the deposit's due date.")
TRIP_BOOKED = Event("contracts.trip_booked", TripPayload,
                    "The deposit confirmed the holds into a booking: its locator and tickets.")
TRIP_READY = Event("contracts.trip_ready", TripPayload,
                   "Ready to travel: everything booked, every supplier confirmed, the balance paid.")
TRIP_STARTED = Event("contracts.trip_started", TripPayload, "The travellers left (the start date came).")
TRIP_COMPLETED = Event("contracts.trip_completed", TripPayload, "The travellers are back (the end date passed).")
TRIP_CHANGED = Event("contracts.trip_changed", TripPayload,
                     "Ticketing changed a booked service of the trip (a rebooked flight): the customer is told.")
SERVICE_REQUESTED = Event("contracts.service_requested", ServiceRequestPayload,
                          "A supplier is asked to confirm a service that is not ticketing inventory.")
SERVICE_REMINDER_DUE = Event("contracts.service_reminder_due", ServiceRequestPayload,
                             "A supplier has not answered a confirmation request: remind them.")
SERVICE_ANSWERED = Event("contracts.service_answered", ServiceRequestPayload,
                         "A supplier confirmed (with its reference) or declined a service.")
SERVICE_WITHDRAWN = Event("contracts.service_withdrawn", ServiceRequestPayload,
                          "A confirmation request was withdrawn (the trip was cancelled or the line amended away).")
ORDER_FILE_NEEDS_ATTENTION = Event("contracts.order_file_needs_attention", AttentionPayload,
                                   "The trip cannot go on by itself (sold out, a supplier declined, the balance "
                                   "overdue...): the order file is on the desk's list.")
INCIDENT_OPENED = Event("contracts.incident_opened", IncidentPayload,
                        "An incident was logged on an order file's trip (a failed booking, a delay, a complaint, "
                        "an emergency): what happened and who handles it.")
INCIDENT_CLOSED = Event("contracts.incident_closed", IncidentClosedPayload,
                        "An incident was handled: how it ended, the alternative arranged, when the customer was told.")
DEPARTURE_CHANGED = Event("contracts.departure_changed", DepartureChangedPayload,
                          "A group departure was announced to its suppliers, or changed after (a party joined or "
                          "left, the rooms, the guide, the dates, cancelled): a notice for each supplier concerned.")

EVENTS = events_by_name(CONTRACT_DRAFTED, CONTRACT_SIGNED, CONTRACT_AMENDED, CONTRACT_CANCELLED, PAYMENT_RECEIVED,
                        PAYMENT_REFUNDED, INVOICE_ISSUED, CREDIT_NOTE_ISSUED, INSTALMENT_OVERDUE, DAY_CLOSED,
                        TRIP_HELD, TRIP_BOOKED, TRIP_READY, TRIP_STARTED, TRIP_COMPLETED, TRIP_CHANGED,
                        SERVICE_REQUESTED, SERVICE_REMINDER_DUE, SERVICE_ANSWERED, SERVICE_WITHDRAWN,
                        ORDER_FILE_NEEDS_ATTENTION, INCIDENT_OPENED, INCIDENT_CLOSED, DEPARTURE_CHANGED)
