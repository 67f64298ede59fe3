"""Feedback's own tables. No other service reads them."""
from sqlalchemy.orm import DeclarativeBase

from services.common.db import service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


# --- kpis ---
# Compact facts taken in from events (ticketing's bookings, contracts' contracts, CRM's inquiries,
# feedback's own complaints and surveys): one row per fact, so a month's KPIs are a few grouped
# counts over an index, and the whole lot can be rebuilt by replaying the events.
from datetime import date as _date, datetime as _datetime  # noqa: E402
from decimal import Decimal as _Decimal  # noqa: E402

from sqlalchemy import Boolean, Date, Index, Integer, String, Text, UniqueConstraint  # noqa: E402
from sqlalchemy.orm import Mapped, mapped_column  # noqa: E402

from services.common.db import Money, UtcDateTime  # noqa: E402


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
