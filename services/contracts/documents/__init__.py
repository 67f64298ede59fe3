"""The order file's printed documents: the travel contract, the booking confirmation letter, the
payment receipt, the invoice or credit note, and the trip documents, as PDF bytes.

Plain functions of plain dicts, no database and no broker, each `x(data, *, language) -> bytes`
with language "zh", "es" or "en" (anything else prints in English). The service builds the dicts
below from its records; the shapes are TypedDicts for the reader, not checked at run time.

- Money: Decimal or decimal text, printed to the currency's minor unit in the language's way
  (Babel); never through float. Percentages are given in percent ("25", "7.5").
- Dates: date or ISO text; timestamps (signed_at, received_at, issued_at): aware datetimes or ISO
  text, printed in UTC.
- Travel document numbers are printed masked (****4567), whether they arrive masked or not.
- The same input gives the same bytes (reportlab's invariant mode): what a remote signer saw is
  what its SHA-256 names.
- Fonts: Helvetica, and an embedded TrueType subset for the rest (services.common.documents),
  so a Chinese name prints in an English contract too.
"""
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, NotRequired, TypedDict

from .contracts import confirmation_letter, contract
from .invoices import invoice
from .receipts import receipt
from .trip_documents import trip_documents

Money = Decimal | str
Day = date | str
Moment = datetime | str


class Agency(TypedDict):
    name: str
    address: str
    tax_id: str
    phone: str
    email: str
    licence: str  # the tourism licence number the law asks the agency to print


class Customer(TypedDict):
    full_name: str
    email: NotRequired[str | None]
    phone: NotRequired[str | None]


class TravelDocument(TypedDict):
    type: str  # passport, id_card, residence_permit, travel_permit, visa; others print as given
    number: str  # printed masked
    country: str | None
    expiry: Day | None


class Traveller(TypedDict):
    full_name: str  # as in the travel document
    type: Literal["adult", "child"]
    date_of_birth: Day | None
    document: TravelDocument | None


class QuoteLine(TypedDict, total=False):
    """A quote line as the accepted quote froze it (itinerary's QuotedLineSchema); the contract
    prints day, line, kind, description, supplier_name, service_date, check_in, check_out, nights,
    from_location, to_location, location, basis, quantity and notes."""
    line: int
    day: int
    kind: str
    description: str
    supplier_name: str | None
    service_date: Day
    check_in: Day | None
    check_out: Day | None
    nights: int | None
    from_location: str | None
    to_location: str | None
    location: str | None
    basis: str  # per_person, per_night, per_unit
    quantity: int
    notes: str | None


class PerPerson(TypedDict, total=False):
    """itinerary's PerPersonSchema: adult, child and single_supplement are printed."""
    adult: Money
    child: Money | None
    single_supplement: Money


class Fee(TypedDict):
    code: str  # services, discount, service_fee, tax, package, single_supplement, tax_included, total
    label: str  # printed only for a code the wording does not know
    amount: Money


class ScheduleItem(TypedDict):
    n: int
    kind: Literal["deposit", "balance", "instalment"]
    due_on: Day
    amount: Money
    paid: Money
    status: str  # pending, due, partly_paid, paid, overdue, cancelled


class CancellationTier(TypedDict):
    days_before: int  # from this many days before departure down to the next tier
    penalty_percent: Money


class Signature(TypedDict):
    signed_by: str
    signed_at: Moment
    method: Literal["in_person", "remote"]
    document_sha256: str  # of the unsigned contract the signer was shown


class Booking(TypedDict, total=False):
    locator: str | None  # None: to follow
    product: str
    supplier: str | None
    service_date: Day | None
    status: str | None  # confirmed, held, pending, ticketed, cancelled


class Order(TypedDict):
    order_number: str
    version: int
    language: str
    title: str
    start_date: Day
    end_date: Day
    currency: str
    agency: Agency
    customer: Customer
    travellers: list[Traveller]
    lines: list[QuoteLine]
    per_person: PerPerson | None
    fees: list[Fee]
    total: Money
    schedule: list[ScheduleItem]
    cancellation_tiers: list[CancellationTier]
    special_arrangements: str | None
    terms: str | None  # the agency's further terms, printed after the general ones
    signature: Signature | None
    bookings: NotRequired[list[Booking]]  # the confirmation letter's locators


class Payment(TypedDict):
    receipt_number: str
    order_number: str
    language: str
    agency: Agency
    customer: Customer
    amount: Money
    currency: str
    method: str  # cash, card, bank_transfer, wechat_pay, alipay, bizum, cheque, other
    reference: str | None
    received_at: Moment
    received_by: str
    desk: str


class Buyer(TypedDict):
    name: str
    tax_id: str | None
    address: str | None


class InvoiceLine(TypedDict):
    description: str
    quantity: Money
    unit_price: Money  # before tax
    tax_rate: Money  # percent
    tax: Money
    total: Money  # with tax


class TaxTotal(TypedDict):
    rate: Money  # percent
    base: Money
    tax: Money


class Invoice(TypedDict):
    kind: Literal["invoice", "credit_note"]
    series: str
    number: int
    display_number: str  # e.g. A-2026-000017
    issued_at: Moment
    language: str
    agency: Agency  # the seller
    buyer: Buyer
    order_number: str
    lines: list[InvoiceLine]
    tax_totals: list[TaxTotal]
    subtotal: Money
    tax_total: Money
    total: Money
    currency: str
    corrects: str | None  # a credit note: the display number of the invoice it corrects
    fiscal_number: str | None  # e.g. a fapiao number
    reason: str | None  # a credit note: why


class TripDay(TypedDict):
    day: int
    date: Day
    items: list[dict]  # kind, description, location, from_location, to_location, nights, check_out


class TripDocuments(TypedDict):
    """What trip_documents(data, language) prints; services.contracts.trip_documents builds it."""
    order_number: str
    language: str
    title: str
    start_date: Day
    end_date: Day
    agency: Agency
    travellers: list[dict]  # full_name, type
    meeting: dict | None  # at (aware datetime or ISO), place, optionally timezone (IANA) to print local time
    days: list[TripDay]
    bookings: list[dict]  # locator, ticket_number, product, service_date, status
    confirmations: list[dict]  # supplier, description, service_date, reference
    emergency_contacts: list[dict]  # name, phone
    notes: dict  # visa, insurance: sentences in the document's language


__all__ = ["contract", "confirmation_letter", "receipt", "invoice", "trip_documents", "TripDocuments", "Agency", "Customer", "TravelDocument",
           "Traveller", "QuoteLine", "PerPerson", "Fee", "ScheduleItem", "CancellationTier", "Signature", "Booking",
           "Order", "Payment", "Buyer", "InvoiceLine", "TaxTotal", "Invoice"]
