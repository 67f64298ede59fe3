"""Feedback's own tables. No other service reads them."""
from sqlalchemy.orm import DeclarativeBase

from services.common.db import service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


# --- complaints ---
from datetime import date, datetime  # noqa: E402
from decimal import Decimal  # noqa: E402

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint  # noqa: E402
from sqlalchemy.orm import Mapped, mapped_column, relationship  # noqa: E402

from services.common.db import Money, UtcDateTime  # noqa: E402


class Complaint(Base):
    """A customer's complaint, linked where known to the order file, booking and supplier, with two
    clocks: first response and resolution (services/feedback/complaints.py)."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    order_file_id: Mapped[str | None] = mapped_column(String(36), index=True)
    order_number: Mapped[str | None] = mapped_column(String(40))
    booking_locator: Mapped[str | None] = mapped_column(String(40))
    supplier_id: Mapped[str | None] = mapped_column(String(36))
    supplier_name: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text)
    handler: Mapped[str] = mapped_column(String(120), index=True)
    team: Mapped[str | None] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10))  # open | resolved
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opened_by: Mapped[str] = mapped_column(String(120))
    first_response_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    resolution: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reopened: Mapped[int] = mapped_column(Integer, default=0)  # also the round of the resolution clock
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    breaches: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    steps: Mapped[list["ComplaintStep"]] = relationship(
        back_populates="complaint", order_by="ComplaintStep.id", cascade="all, delete-orphan")
    escalations: Mapped[list["ComplaintEscalation"]] = relationship(
        back_populates="complaint", order_by="ComplaintEscalation.id", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_complaints_clocks", "status", "first_response_due_at", "resolution_due_at"),)


class ComplaintStep(Base):
    """What was done about a complaint, by whom and when (compensations with their value)."""

    __tablename__ = "complaint_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(120))
    text: Mapped[str | None] = mapped_column(Text)
    compensation: Mapped[str | None] = mapped_column(String(20))  # voucher, discount, refund, points, supplier
    value: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    voucher_code: Mapped[str | None] = mapped_column(String(20))
    refund_id: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)

    complaint: Mapped[Complaint] = relationship(back_populates="steps")


class ComplaintEscalation(Base):
    """A clock that ran out (one row per complaint, clock and round, so counted once) and the
    manager's CRM follow-up it owes: sent by the escalation timer under `request_id` until CRM
    answers, so a crash between sending and recording creates the follow-up once."""

    __tablename__ = "complaint_escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    clock: Mapped[str] = mapped_column(String(20))
    round: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    escalated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    escalated_to: Mapped[str] = mapped_column(String(120))
    request_id: Mapped[str] = mapped_column(String(200), unique=True)
    follow_up: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))  # pending -> done | refused
    outcome: Mapped[dict | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    complaint: Mapped[Complaint] = relationship(back_populates="escalations")

    __table_args__ = (UniqueConstraint("complaint_id", "clock", "round"),
                      Index("ix_complaint_escalations_pending", "status"))


class Voucher(Base):
    """A voucher the agency gave a customer: its code is redeemed once, on a later quote."""

    __tablename__ = "vouchers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    expires_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # issued | redeemed
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(120))
    quote_id: Mapped[str | None] = mapped_column(String(36))
    redeemed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    redeemed_by: Mapped[str | None] = mapped_column(String(120))
