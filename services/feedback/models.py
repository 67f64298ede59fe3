"""Feedback's own tables. No other service reads them."""
from sqlalchemy.orm import DeclarativeBase

from services.common.db import service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


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
