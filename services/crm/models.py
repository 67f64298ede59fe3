"""CRM's own tables. No other service reads them.

Search helpers are stored beside the data they index, so every search is plain SQL that runs the
same on SQLite and PostgreSQL:
- `search_name` is the name folded for matching (NFKD without combining marks, casefolded):
  "Núñez" -> "nunez"; Chinese stays as it is and matches as a substring.
- `*_search` columns hold folded labels between bars ("|diving|food|") so one label matches
  exactly with LIKE '%|diving|%'.
- `customer_contacts` holds every email (lowercased) and phone (digits with a leading +) for the
  duplicate check and contact search.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import Money, UtcDateTime, service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(400), index=True, default="")
    # The primary email and phone (the first of the lists), as given; kept for compatibility.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    emails: Mapped[list] = mapped_column(JSON, default=list)
    phones: Mapped[list] = mapped_column(JSON, default=list)
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    nationality: Mapped[str | None] = mapped_column(String(2))
    # Unmasked here; services.crm.customers.as_dict masks the numbers unless asked to reveal them.
    documents: Mapped[list] = mapped_column(JSON, default=list)
    preferences: Mapped[list] = mapped_column(JSON, default=list)
    interests: Mapped[list] = mapped_column(JSON, default=list)
    interests_search: Mapped[str] = mapped_column(Text, default="")
    dietary_needs: Mapped[list] = mapped_column(JSON, default=list)
    accessibility_needs: Mapped[list] = mapped_column(JSON, default=list)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the current consent value (given or withdrawn) was recorded.
    marketing_consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    tags_search: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str | None] = mapped_column(Text)
    # Filled from won inquiries and confirmed bookings, for after-sales segments.
    past_destinations: Mapped[list] = mapped_column(JSON, default=list)
    destinations_search: Mapped[str] = mapped_column(Text, default="")
    last_trip_date: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(120))


class CustomerContact(Base):
    """One normalized email or phone of a customer: what the duplicate check and search look up."""

    __tablename__ = "customer_contacts"
    __table_args__ = (Index("ix_customer_contacts_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # email | phone
    value: Mapped[str] = mapped_column(String(254))


class Inquiry(Base):
    """One consultation: a phone call, web form, walk-in, email or partner lead."""

    __tablename__ = "inquiries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    destinations: Mapped[list] = mapped_column(JSON, default=list)
    destinations_search: Mapped[str] = mapped_column(Text, default="")
    travel_start: Mapped[date | None] = mapped_column(Date)
    travel_end: Mapped[date | None] = mapped_column(Date)
    travel_month: Mapped[str | None] = mapped_column(String(7), index=True)  # flexible: YYYY-MM
    nights: Mapped[int | None] = mapped_column(Integer)
    adults: Mapped[int | None] = mapped_column(Integer)
    children: Mapped[list] = mapped_column(JSON, default=list)  # ages 0-17
    budget_amount: Mapped[Decimal | None] = mapped_column(Money)
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    interests: Mapped[list] = mapped_column(JSON, default=list)
    special_requests: Mapped[str | None] = mapped_column(Text)
    consultant: Mapped[str | None] = mapped_column(String(120), index=True)
    source_campaign: Mapped[str | None] = mapped_column(String(120))
    lost_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(120))


class InquiryTransition(Base):
    """Every status change of an inquiry, the registration (from_status NULL -> new) included."""

    __tablename__ = "inquiry_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inquiry_id: Mapped[str] = mapped_column(ForeignKey("inquiries.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    source_event_id: Mapped[str | None] = mapped_column(String(36))


class FollowUp(Base):
    """A task on a customer (and maybe one of their inquiries) for a staff member, due at a time."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_owner_done_due", "owner", "done", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    inquiry_id: Mapped[str | None] = mapped_column(ForeignKey("inquiries.id"), index=True)
    owner: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))


class TimelineEntry(Base):
    """One line of a customer's history: CRM's own records and other services' events.

    source_event_id is the id of the event that produced the entry (NULL for CRM's own writes);
    the unique constraint backs up the inbox so an event never makes two entries for one customer.
    """

    __tablename__ = "timeline_entries"
    __table_args__ = (
        UniqueConstraint("source_event_id", "customer_id", name="uq_timeline_entries_source_event_id"),
        Index("ix_timeline_entries_customer_occurred", "customer_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(40))
    source_event_id: Mapped[str | None] = mapped_column(String(36))
    ref_type: Mapped[str | None] = mapped_column(String(40))
    ref_id: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(120))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CustomerTrip(Base):
    """A booking line the customer travels on, as ticketing's events told it: booked, then maybe
    changed (its replacement is a trip of its own) or cancelled.

    A customer's `past_destinations` and `last_trip_date` are derived from the booked trips whose
    day has passed (services.crm.trips); `counted` says a trip's passing is in them already.
    """

    __tablename__ = "customer_trips"
    __table_args__ = (
        UniqueConstraint("customer_id", "booking_id", "line_id", name="uq_customer_trips_customer_line"),
        Index("ix_customer_trips_due", "counted", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    booking_id: Mapped[str] = mapped_column(String(36))
    line_id: Mapped[int] = mapped_column(Integer)
    destination: Mapped[str] = mapped_column(String(120))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # booked, changed, cancelled
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Message(Base):
    """A message to a customer (email), rendered in their language when it was recorded.

    The text is kept as sent, so the record shows what the customer received. `next_attempt_at`
    is when the next SMTP attempt is due, and while one runs, how long it may take before it is
    presumed lost (services.crm.messages).
    """

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_status_next_attempt", "status", "next_attempt_at"),
                      Index("ix_messages_customer_created", "customer_id", "created_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    language: Mapped[str] = mapped_column(String(8))
    to_address: Mapped[str | None] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(120), index=True)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    smtp_message_id: Mapped[str] = mapped_column(String(300))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MessageAttachment(Base):
    """A file sent with a message; its bytes are kept until it is sent (and after, for the record)."""

    __tablename__ = "message_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    # Deferred: listing messages never loads the files.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class SurveyResult(Base):
    """A post-trip survey answer as feedback announced it (feedback.survey_answered): the
    customer's satisfaction, kept beside their profile for the consultant."""

    __tablename__ = "survey_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    survey_id: Mapped[int] = mapped_column(Integer, unique=True)
    order_number: Mapped[str | None] = mapped_column(String(20))
    consultant: Mapped[str | None] = mapped_column(String(120))
    scores: Mapped[dict] = mapped_column(JSON)
    recommend: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)
