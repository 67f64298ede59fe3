"""Small services that exercise the kernel on the real broker and database.

They have no migration history (Database without `migrations` creates the tables directly):
they exist only for the tests.
"""
from decimal import Decimal

from marshmallow import Schema
from sqlalchemy import String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common import fields
from services.common.contract import Event
from services.common.db import Money, as_dict, service_metadata
from services.common.entrypoints import event_handler, rpc
from services.common.errors import Conflict
from services.common.service import ServiceBase
from services.common.unit_of_work import Database

handler_calls: dict[str, int] = {}


class PaymentRecordedPayload(Schema):
    payment_id = fields.Integer(required=True)
    amount = fields.Decimal(required=True, as_string=True)
    currency = fields.String(required=True)


PAYMENT_RECORDED = Event("ledger.payment_recorded", PaymentRecordedPayload, "A payment was recorded.")


class LedgerBase(DeclarativeBase):
    metadata = service_metadata()


class Payment(LedgerBase):
    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))


class LedgerService(ServiceBase):
    """Publishes ledger.payment_recorded through the outbox."""

    name = "ledger"
    uow = Database(LedgerBase.metadata)

    @rpc
    def record(self, amount: Decimal, currency: str) -> dict:
        payment = Payment(amount=amount, currency=currency)
        self.uow.session.add(payment)
        self.uow.session.flush()
        self.uow.emit(PAYMENT_RECORDED, {"payment_id": payment.id, "amount": amount, "currency": currency})
        return as_dict(payment)

    @rpc
    def record_then_fail(self, amount: Decimal) -> None:
        self.uow.session.add(Payment(amount=amount, currency="EUR"))
        self.uow.emit(PAYMENT_RECORDED, {"payment_id": 0, "amount": amount, "currency": "EUR"})
        raise ValueError("the worker failed after writing")

    @rpc
    def record_then_refuse(self, amount: Decimal) -> None:
        self.uow.session.add(Payment(amount=amount, currency="EUR"))
        self.uow.emit(PAYMENT_RECORDED, {"payment_id": 0, "amount": amount, "currency": "EUR"})
        raise Conflict("refused after writing")

    @rpc
    def record_slowly(self, amount: Decimal) -> dict:
        """Holds its transaction open a while: two deliveries of one command overlap."""
        import eventlet

        payment = Payment(amount=amount, currency="EUR")
        self.uow.session.add(payment)
        self.uow.session.flush()
        eventlet.sleep(0.3)
        return as_dict(payment)

    @rpc
    def pause(self, seconds: float) -> None:
        """Keeps the service's only worker busy, so later requests wait in the queue."""
        import eventlet

        eventlet.sleep(seconds)

    @rpc
    def total(self) -> Decimal:
        amounts = self.uow.session.scalars(select(Payment.amount)).all()
        return sum(amounts, Decimal("0"))

    @rpc
    def echo(self, value):
        return value


class AuditBase(DeclarativeBase):
    metadata = service_metadata()


class AuditEntry(AuditBase):
    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    amount: Mapped[Decimal] = mapped_column(Money)


class AuditorService(ServiceBase):
    """An idempotent subscriber: each payment event becomes one audit entry."""

    name = "auditor"
    uow = Database(AuditBase.metadata)

    @event_handler("ledger.payment_recorded")
    def on_payment_recorded(self, event):
        handler_calls["auditor"] = handler_calls.get("auditor", 0) + 1
        self.uow.session.add(AuditEntry(event_id=event["id"], amount=Decimal(event["payload"]["amount"])))
        if event["payload"].get("slow"):
            import eventlet
            eventlet.sleep(0.3)

    @rpc
    def entries(self) -> list[dict]:
        return [as_dict(e) for e in self.uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]

    @rpc
    def inbox_count(self) -> int:
        inbox = AuditBase.metadata.tables["inbox"]
        return self.uow.session.execute(select(func.count()).select_from(inbox)).scalar()


class BrokenBase(DeclarativeBase):
    metadata = service_metadata()


class BrokenAuditorService(ServiceBase):
    """A subscriber whose handler always fails: its events must end in the dead-letter queue."""

    name = "brokenauditor"
    uow = Database(BrokenBase.metadata)

    @event_handler("ledger.payment_recorded")
    def on_payment_recorded(self, event):
        handler_calls["brokenauditor"] = handler_calls.get("brokenauditor", 0) + 1
        raise RuntimeError("this handler never succeeds")
