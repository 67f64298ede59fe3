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


# --- kpis ---
# Compact facts taken in from events (ticketing's bookings, contracts' contracts, CRM's inquiries,
# feedback's own complaints and surveys): one row per fact, so a month's KPIs are a few grouped
# counts over an index, and the whole lot can be rebuilt by replaying the events.
from datetime import date as _date, datetime as _datetime  # noqa: E402
from decimal import Decimal as _Decimal  # noqa: E402

from sqlalchemy import Boolean, Date, Index, Integer, String, Text, UniqueConstraint  # noqa: E402
from sqlalchemy.orm import Mapped, mapped_column  # noqa: E402

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


# --- surveys ---
from datetime import datetime  # noqa: E402  (each part's section keeps its own imports)

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint  # noqa: E402
from sqlalchemy.orm import Mapped, mapped_column  # noqa: E402

from services.common.db import UtcDateTime  # noqa: E402


class Survey(Base):
    """The post-trip survey of one order file (at most one: a redelivered trip_completed finds it)."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(String(36), unique=True)
    order_number: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    consultant: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8))
    # [{supplier_id, supplier_name, aspect}] from the order file's quote: whose service is scored
    suppliers: Mapped[list] = mapped_column(JSON)
    # pending (invitation not yet accepted by CRM) -> sent -> answered; expired is read from expires_at
    status: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    scores: Mapped[dict | None] = mapped_column(JSON)
    recommend: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)


class SurveyLink(Base):
    """One emailed link of a survey: the invitation's and each reminder's. Only the token's SHA-256
    is kept; every link of the survey opens it until it is answered or expires."""

    __tablename__ = "survey_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SurveyMessage(Base):
    """An invitation or reminder for CRM to send, under its own request id (a resend runs once).
    `values` holds the link's raw token only until CRM accepted the message."""

    __tablename__ = "survey_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # invite | reminder
    request_id: Mapped[str] = mapped_column(String(200), unique=True)
    values: Mapped[dict] = mapped_column(JSON)
    # pending -> done | refused (CRM said no) | withdrawn (answered or expired before it went)
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CheckIn(Base):
    """How the trip is going, as the consultant heard it from the customer on the road."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_file_id: Mapped[str] = mapped_column(String(36), index=True)
    order_number: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    mood: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SupplierScore(Base):
    """A supplier's running score on one aspect: answers and their sum, so the mean needs no rescan."""

    __tablename__ = "supplier_scores"
    __table_args__ = (UniqueConstraint("supplier_key", "aspect"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # the supplier's id in ticketing, or "name:<casefolded name>" for suppliers entered by hand
    supplier_key: Mapped[str] = mapped_column(String(240))
    aspect: Mapped[str] = mapped_column(String(20))
    supplier_id: Mapped[str | None] = mapped_column(String(36))
    supplier_name: Mapped[str] = mapped_column(String(200))
    answers: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)


class KpiFact(Base):
    __tablename__ = "kpi_facts"
    # A redelivered or replayed event finds its fact already there: (kind, ref) is unique.
    __table_args__ = (UniqueConstraint("kind", "ref"),
                      Index("ix_kpi_facts_month_kind_staff", "month", "kind", "staff"),
                      Index("ix_kpi_facts_kind_subject", "kind", "subject"),
                      Index("ix_kpi_facts_kind_supplier_month", "kind", "supplier", "month"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # booking, booking_change, booking_cancel, supplier_booking, contract, contract_amendment,
    # contract_cancel, inquiry_decision, complaint_opened, complaint_responded, complaint_resolved,
    # complaint_rated, supplier_answer
    kind: Mapped[str] = mapped_column(String(30))
    ref: Mapped[str] = mapped_column(String(200))     # unique per fact of a kind
    subject: Mapped[str] = mapped_column(String(120))  # what it is about: a booking, a complaint, an order file
    month: Mapped[str] = mapped_column(String(7))     # "2027-03", the UTC month it happened in
    at: Mapped[_datetime] = mapped_column(UtcDateTime)
    staff: Mapped[str | None] = mapped_column(String(120))
    team: Mapped[str] = mapped_column(String(40))     # the fact's default team; staff_teams overrides it
    reason: Mapped[str | None] = mapped_column(String(40))  # agency_error, customer_request, supplier; won, lost
    flag: Mapped[bool | None] = mapped_column(Boolean)      # agency error; won
    minutes: Mapped[int | None] = mapped_column(Integer)    # to first response, to resolution, supplier answer
    score: Mapped[int | None] = mapped_column(Integer)      # a complaint's satisfaction rating
    amount: Mapped[_Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    supplier: Mapped[str | None] = mapped_column(String(200))  # supplier id, else its name
    supplier_name: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(80))


class KpiSurveyAnswer(Base):
    """One answered survey, its scores side by side (null: not answered)."""

    __tablename__ = "kpi_survey_answers"
    __table_args__ = (Index("ix_kpi_survey_answers_month_consultant", "month", "consultant"),)

    survey_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    answered_at: Mapped[_datetime] = mapped_column(UtcDateTime)
    customer_id: Mapped[str | None] = mapped_column(String(120))
    order_number: Mapped[str | None] = mapped_column(String(120))
    consultant: Mapped[str | None] = mapped_column(String(120))
    itinerary: Mapped[int | None] = mapped_column(Integer)
    accommodation: Mapped[int | None] = mapped_column(Integer)
    transport: Mapped[int | None] = mapped_column(Integer)
    guide: Mapped[int | None] = mapped_column(Integer)
    consultant_score: Mapped[int | None] = mapped_column(Integer)
    recommend: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)


class KpiSurveySupplier(Base):
    """A supplier an answer scores, with the score of its aspect."""

    __tablename__ = "kpi_survey_suppliers"
    __table_args__ = (Index("ix_kpi_survey_suppliers_supplier_month", "supplier", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survey_id: Mapped[str] = mapped_column(String(120), index=True)
    month: Mapped[str] = mapped_column(String(7))
    supplier: Mapped[str] = mapped_column(String(200))
    supplier_name: Mapped[str] = mapped_column(String(200))
    aspect: Mapped[str] = mapped_column(String(20))
    score: Mapped[int | None] = mapped_column(Integer)


class KpiInquiryOwner(Base):
    """Whose inquiry it is (CRM's status events do not say): the consultant at creation or since."""

    __tablename__ = "kpi_inquiry_owners"

    inquiry_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    consultant: Mapped[str | None] = mapped_column(String(120))


class KpiProduct(Base):
    """A product's supplier as ticketing has it (booking lines name only the product)."""

    __tablename__ = "kpi_products"

    product_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(String(36))
    supplier_name: Mapped[str] = mapped_column(String(200))


class StaffTeam(Base):
    __tablename__ = "staff_teams"

    staff: Mapped[str] = mapped_column(String(120), primary_key=True)
    team: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[_datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class SalesTarget(Base):
    __tablename__ = "sales_targets"

    staff: Mapped[str] = mapped_column(String(120), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    amount: Mapped[_Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[_datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class ImprovementAction(Base):
    """What the agency will do about an aspect or a complaint category the feedback report shows."""

    __tablename__ = "improvement_actions"
    __table_args__ = (Index("ix_improvement_actions_period", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period_start: Mapped[_date] = mapped_column(Date)
    period_end: Mapped[_date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(80))  # an aspect (accommodation...) or a complaint category
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[_date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))  # open, in_progress, done
    created_at: Mapped[_datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[_datetime | None] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(120))
