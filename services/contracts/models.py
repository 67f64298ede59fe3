"""Contracts's own tables: the order file and its money. No other service reads them.

What is paid on an instalment is not stored: payments are applied to the schedule in due order
(schedule.apply_payments), so a payment, a refund or an amendment needs no bookkeeping of its own.
Numbers that must have no gaps (order files, receipts, invoices) come from `number_series`, whose
row is locked by the transaction that takes a number, so a rolled-back issue gives it back.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.db import Money, UtcDateTime, service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


class NumberSeries(Base):
    """The last number taken in a series ("OF-2026", "receipt-2026", "A-2026"...)."""

    __tablename__ = "number_series"

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class OrderFile(Base):
    """The order file: one per accepted quote version, from contract to the money it brings."""

    __tablename__ = "order_files"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_number: Mapped[str] = mapped_column(String(20), unique=True)
    quote_id: Mapped[str] = mapped_column(String(36), unique=True)
    quote_number: Mapped[str | None] = mapped_column(String(40))
    quote_version: Mapped[int] = mapped_column(Integer)
    itinerary_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    inquiry_id: Mapped[str | None] = mapped_column(String(36))
    consultant: Mapped[str | None] = mapped_column(String(120))  # who issued the quote: the file's owner
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(5))
    # drafted -> signed -> cancelled; where the trip stands is `trip` (services/contracts/trip.py)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # None until signed, then holding -> held -> booking -> booked -> ready -> travelling ->
    # completed, or unavailable / cancelled (trip.STAGES).
    trip: Mapped[str | None] = mapped_column(String(20), index=True)
    hold_id: Mapped[str | None] = mapped_column(String(36))
    hold_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The booking ticketing made of the hold: {"booking_id", "locator", "lines": [...]}.
    booking: Mapped[dict | None] = mapped_column(JSON)
    # Where and when the group meets on the first day: {"at", "place"}.
    meeting: Mapped[dict | None] = mapped_column(JSON)
    trip_documents_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # What the customer accepted, frozen: lines, per-person prices, fees, totals, party.
    quote: Mapped[dict] = mapped_column(JSON)
    payment_terms: Mapped[dict] = mapped_column(JSON)
    cancellation_tiers: Mapped[list] = mapped_column(JSON)
    terms_notes: Mapped[str | None] = mapped_column(Text)
    special_arrangements: Mapped[str | None] = mapped_column(Text)
    # Travellers as CRM had them when added (names as in their documents, masked numbers).
    travellers: Mapped[list] = mapped_column(JSON, default=list)
    # What the destination asks of travellers: {"passport_required", "visa_required"}.
    entry_requirements: Mapped[dict] = mapped_column(JSON, default=dict)
    document_override: Mapped[dict | None] = mapped_column(JSON)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancellation: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    versions: Mapped[list["ContractVersion"]] = relationship(
        back_populates="order_file", order_by="ContractVersion.version")
    instalments: Mapped[list["Instalment"]] = relationship(order_by="Instalment.n")
    payments: Mapped[list["Payment"]] = relationship(order_by="Payment.id")
    steps: Mapped[list["TripStep"]] = relationship(order_by="TripStep.id", back_populates="order_file")
    service_requests: Mapped[list["ServiceRequest"]] = relationship(order_by="ServiceRequest.id")
    attention: Mapped[list["Attention"]] = relationship(order_by="Attention.id")


class ContractVersion(Base):
    """One version of the contract: version 1 from the quote, each amendment a new one.

    Once signed it never changes: the signed document's bytes and SHA-256 are kept with it."""

    __tablename__ = "contract_versions"
    __table_args__ = (UniqueConstraint("order_file_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"))
    version: Mapped[int] = mapped_column(Integer)
    # draft -> signed; a draft replaced by a newer one is superseded
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30))  # initial, customer_request, agency_error, supplier_change
    changes: Mapped[str | None] = mapped_column(Text)
    total: Mapped[Decimal] = mapped_column(Money)
    lines: Mapped[list] = mapped_column(JSON)
    affected_suppliers: Mapped[list] = mapped_column(JSON, default=list)
    signing_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    signing_token_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    signature: Mapped[dict | None] = mapped_column(JSON)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_document: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))

    order_file: Mapped[OrderFile] = relationship(back_populates="versions")
    confirmations: Mapped[list["SupplierConfirmation"]] = relationship(order_by="SupplierConfirmation.id")


class SupplierConfirmation(Base):
    """A supplier's word on an amendment: who confirmed it, when, and their reference."""

    __tablename__ = "supplier_confirmations"
    __table_args__ = (UniqueConstraint("contract_version_id", "supplier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract_version_id: Mapped[int] = mapped_column(ForeignKey("contract_versions.id"))
    supplier: Mapped[str] = mapped_column(String(200))
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(120))
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str | None] = mapped_column(String(120))


class TripStep(Base):
    """One command of the trip process, sent to another service under its own request id.

    The row is written with the change that makes it due and marked done with the answer, so a
    crash or a redelivery between the two sends the same command again under the same id, which
    the other service answers from its command log: a hold is never placed twice."""

    __tablename__ = "trip_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"), index=True)
    # hold, extend_hold, book, release_hold, cancel_booking, follow_up, message
    action: Mapped[str] = mapped_column(String(30))
    request_id: Mapped[str] = mapped_column(String(200), unique=True)
    args: Mapped[dict] = mapped_column(JSON)
    # pending -> done | refused (the other service said no: its answer is the outcome)
    status: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[dict | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    order_file: Mapped[OrderFile] = relationship(back_populates="steps")

    __table_args__ = (Index("ix_trip_steps_pending", "status", "due_at"),)


class ServiceRequest(Base):
    """A confirmation asked of a supplier for an item that is not ticketing inventory (a ground
    handler, a guide, a restaurant, a hotel entered by hand): requested -> confirmed (with the
    supplier's reference) | declined; withdrawn when the trip is cancelled."""

    __tablename__ = "service_requests"
    __table_args__ = (UniqueConstraint("order_file_id", "line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)  # the quote line it is for
    supplier: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500))
    service_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)
    reference: Mapped[str | None] = mapped_column(String(120))
    answered_by: Mapped[str | None] = mapped_column(String(200))  # who at the supplier
    note: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str | None] = mapped_column(String(120))


class Attention(Base):
    """Why an order file cannot go on by itself (sold out, a supplier declined, the balance is
    overdue): on the desk's "needs attention" list until someone resolves it."""

    __tablename__ = "attention"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    resolution: Mapped[str | None] = mapped_column(Text)


class Instalment(Base):
    """One due amount of the payment schedule (deposit, instalment, balance)."""

    __tablename__ = "instalments"
    __table_args__ = (UniqueConstraint("order_file_id", "n"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"))
    n: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    # The day instalment_overdue went out for it, so the alert is raised once.
    overdue_announced_on: Mapped[date | None] = mapped_column(Date)


class Payment(Base):
    """Money the customer paid in (amount > 0), or a refund paid back to them (amount < 0)."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_desk_day", "desk", "business_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"), index=True)
    receipt_number: Mapped[str] = mapped_column(String(30), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(120), index=True)
    desk: Mapped[str] = mapped_column(String(60))
    business_day: Mapped[date] = mapped_column(Date)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    corrects_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    note: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_by: Mapped[str] = mapped_column(String(120))


class Invoice(Base):
    """An issued invoice or credit note. Never changed once issued: a correction is a credit note."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("series", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # invoice, credit_note
    series: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer)
    display_number: Mapped[str] = mapped_column(String(60), unique=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    buyer: Mapped[dict] = mapped_column(JSON)
    lines: Mapped[list] = mapped_column(JSON)
    tax_totals: Mapped[list] = mapped_column(JSON)  # per rate: base and tax
    subtotal: Mapped[Decimal] = mapped_column(Money)
    tax_total: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(Text)
    fiscal_number: Mapped[str | None] = mapped_column(String(60))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(120))


class Refund(Base):
    """Money owed back to the customer (a cancellation, a price cut): approved, then paid."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    # pending_approval -> approved -> paid
    status: Mapped[str] = mapped_column(String(20))
    needs_manager: Mapped[bool] = mapped_column(default=False)
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))


class DeskDay(Base):
    """A desk's business day: open (takes payments), closed by the desk, confirmed by finance.

    Every payment locks its day's row, and so does closing it: a payment and the close of its day
    take turns, so the closed totals are exactly the payments the day kept."""

    __tablename__ = "desk_days"

    desk: Mapped[str] = mapped_column(String(60), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # open, closed, confirmed
    totals: Mapped[dict | None] = mapped_column(JSON)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(120))
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(120))


class BankStatement(Base):
    """An imported bank statement; the file's SHA-256 makes a re-import a no-op."""

    __tablename__ = "bank_statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(10))
    account: Mapped[str | None] = mapped_column(String(60))
    statement_id: Mapped[str | None] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    opening_balance: Mapped[Decimal | None] = mapped_column(Money)
    closing_balance: Mapped[Decimal | None] = mapped_column(Money)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by: Mapped[str] = mapped_column(String(120))

    lines: Mapped[list["BankLine"]] = relationship(order_by="BankLine.line_no")


class BankLine(Base):
    """One entry of a statement, and the payment it was matched to (automatically or by hand)."""

    __tablename__ = "bank_lines"
    __table_args__ = (UniqueConstraint("statement_id", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    booked_on: Mapped[date] = mapped_column(Date)
    value_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str | None] = mapped_column(Text)
    counterparty: Mapped[str | None] = mapped_column(String(200))
    bank_reference: Mapped[str | None] = mapped_column(String(120))
    # A payment is matched to at most one line: the unique key settles two imports racing.
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), unique=True)
    match_rule: Mapped[str | None] = mapped_column(String(40))  # the rule that matched, or "manual"
    # matched (proposed) -> confirmed by finance
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(120))


class Attachment(Base):
    """A file the back office keeps (a signed contract's scan, a passport copy, a supplier's fax),
    filed to an order file, a customer or a supplier. The bytes live in the archive's storage
    under `storage_key`; once its retention removes them the row stays, with `deleted_at`, as the
    record of what was kept. One row per owner and content: filing the same file twice finds it."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("owner_type", "owner_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_type: Mapped[str] = mapped_column(String(20))  # order_file, customer, supplier
    owner_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Shared by every owner's row of the same content: bytes go only when no kept row needs them.
    storage_key: Mapped[str] = mapped_column(String(200), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    keep_until: Mapped[date] = mapped_column(Date, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
# --- supplier costs and payables (payables.py) -------------------------------------------------

class SupplierCost(Base):
    """One booking line placed for an order file (its `reference` is the order number), as ticketing's
    booking events told it: what the agency owes its supplier at net price.

    status: confirmed, changed (rebooked: its replacement is a line of its own) or cancelled; only a
    confirmed line is a cost. The supplier is the product's, asked of ticketing when the line first came."""

    __tablename__ = "supplier_costs"
    __table_args__ = (UniqueConstraint("booking_id", "line_id"),
                      Index("ix_supplier_costs_supplier_day", "supplier_id", "day"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"), index=True)
    booking_id: Mapped[str] = mapped_column(String(36))
    locator: Mapped[str] = mapped_column(String(12))
    line_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(36))
    supplier_id: Mapped[str] = mapped_column(String(36))
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    net_price: Mapped[Decimal] = mapped_column(Money)
    sell_price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    replaces_line_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SupplierInvoice(Base):
    """A supplier's invoice for a period, recorded to be matched against the bookings and paid once.

    One per (supplier, number). What the bookings say is not stored: it is computed when the invoice
    is read, so a late cancellation shows in the difference."""

    __tablename__ = "supplier_invoices"
    __table_args__ = (UniqueConstraint("supplier_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[str] = mapped_column(String(36))
    number: Mapped[str] = mapped_column(String(60))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))  # recorded -> paid
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str | None] = mapped_column(String(120))
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paid_by: Mapped[str | None] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))


# --- the incident log (incidents.py) -----------------------------------------------------------

class Incident(Base):
    """Something that went wrong on an order file's trip (a booking that failed, a delayed flight, a
    complaint, an emergency) and how the desk dealt with it: who handles it, what they did, the
    alternative arranged, when and how the customer was told. Closed once handled; never deleted."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_order_file", "status", "order_file_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"), index=True)
    # booking_failed, delay, complaint, emergency, supplier, other
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)  # what happened
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    locator: Mapped[str | None] = mapped_column(String(40))  # the booking or ticket it concerns, if any
    handler: Mapped[str] = mapped_column(String(120))  # the staff member who handles it
    status: Mapped[str] = mapped_column(String(10))  # open -> closed
    alternative: Mapped[str | None] = mapped_column(Text)  # what was arranged instead
    alternative_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    alternative_by: Mapped[str | None] = mapped_column(String(120))
    customer_informed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    customer_informed_how: Mapped[str | None] = mapped_column(String(20))
    customer_informed_by: Mapped[str | None] = mapped_column(String(120))
    resolution: Mapped[str | None] = mapped_column(Text)
    not_informed_reason: Mapped[str | None] = mapped_column(Text)  # why it closed without telling the customer
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(120))

    order_file: Mapped[OrderFile] = relationship()
    actions: Mapped[list["IncidentAction"]] = relationship(order_by="IncidentAction.id")


class IncidentAction(Base):
    """One step taken on an incident (called the airline, rebooked on the next flight), in order."""

    __tablename__ = "incident_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)


# --- group departures (departures.py) --------------------------------------------------------

class Guide(Base):
    """A tour guide the back office sends with groups."""

    __tablename__ = "guides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    languages: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class Departure(Base):
    """A group departure of a catalog product on a date, gathering many order files up to its capacity
    (travellers). Assigning its guide locks the guide's row, so two overlapping assignments take turns
    and the second sees the first. The rooming list is kept whole: it is put as one list and checked
    as one (a traveller in one room only)."""

    __tablename__ = "departures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    product_id: Mapped[str | None] = mapped_column(String(36), index=True)  # itinerary's catalog product
    product_name: Mapped[str] = mapped_column(String(200))
    ticketing_product_ids: Mapped[list] = mapped_column(JSON, default=list)
    departure_date: Mapped[date] = mapped_column(Date, index=True)
    return_date: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)  # open, closed, departed, cancelled
    notes: Mapped[str | None] = mapped_column(Text)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("guides.id"), index=True)
    # [{"label", "room_type", "occupants": [{"customer_id", "full_name", "order_file_id"}], "notes"}]
    rooms: Mapped[list] = mapped_column(JSON, default=list)
    # Once announced to the suppliers, every change of the group is a notice to them.
    announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))

    guide: Mapped[Guide | None] = relationship()
    members: Mapped[list["DepartureMember"]] = relationship(order_by="DepartureMember.id")
    notices: Mapped[list["DepartureNotice"]] = relationship(order_by="DepartureNotice.id")


class DepartureMember(Base):
    """An order file travelling with a departure: on one departure at most (the unique key)."""

    __tablename__ = "departure_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    departure_id: Mapped[str] = mapped_column(ForeignKey("departures.id"), index=True)
    order_file_id: Mapped[str] = mapped_column(ForeignKey("order_files.id"), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    joined_by: Mapped[str] = mapped_column(String(120))

    order_file: Mapped[OrderFile] = relationship()


class DepartureNotice(Base):
    """What a supplier is to be told of a change to an announced group, with the counts after it."""

    __tablename__ = "departure_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    departure_id: Mapped[str] = mapped_column(ForeignKey("departures.id"), index=True)
    supplier_id: Mapped[str | None] = mapped_column(String(36))
    supplier_name: Mapped[str] = mapped_column(String(200))
    change: Mapped[str] = mapped_column(String(30))  # announced, joined, left, rooming, guide, dates, cancelled
    summary: Mapped[str] = mapped_column(Text)
    counts: Mapped[dict] = mapped_column(JSON)  # {"travellers", "adults", "children", "rooms"}
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
