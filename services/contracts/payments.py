"""Payments and refunds: money in at a desk or by transfer, money back once approved.

A payment locks its order file (two payments racing for the last instalment take turns, and the
second sees what the first paid) and its desk's day (a payment and the close of that day take
turns). Nobody pays more than is owed, into a closed day, in another currency or on a cancelled
order file; a refund is never more than was paid.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import desk_days, numbering, order_files
from .models import BankLine, OrderFile, Payment, Refund

ZERO = Decimal("0.00")


def _check_currency(order: OrderFile, currency: str):
    if currency != order.currency:
        raise ValidationFailed(f"Order file {order.order_number} is in {order.currency}.",
                               {"currency": [f"Must be the contract's currency, {order.currency}."]})


def owed(order: OrderFile) -> Decimal:
    """What the customer still has to pay: the total in force (the fee once cancelled) less what
    was paid."""
    due = Decimal((order.cancellation or {}).get("fee", ZERO)) if order.status == "cancelled" \
        else order_files.total(order)
    return max(due - order_files.paid(order), ZERO)


def record(session, order: OrderFile, fields: dict, *, day, actor: str, now: datetime) -> Payment:
    """Money the customer paid. `order` must have been read with lock=True."""
    if order.status == "cancelled":
        raise Conflict(f"Order file {order.order_number} is cancelled: it takes no payment.",
                       {"status": order.status})
    _check_currency(order, fields["currency"])
    desk_days.lock_open(session, fields["desk"], day)
    left = owed(order)
    if fields["amount"] > left:
        raise Conflict(f"{fields['amount']} {order.currency} is more than is owed on {order.order_number} "
                       f"({left} {order.currency}).", {"amount": str(fields["amount"]), "owed": str(left)})
    payment = Payment(order_file_id=order.id, receipt_number=numbering.receipt_number(session, now.year),
                      amount=fields["amount"], currency=order.currency, method=fields["method"],
                      reference=fields.get("reference"), desk=fields["desk"], business_day=day,
                      note=fields.get("note"), received_at=now, received_by=actor)
    order.payments.append(payment)
    session.flush()
    return payment


def get(session, payment_id: int) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"No payment {payment_id}.")
    return payment


def reconciled_ids(session, payment_ids) -> set[int]:
    return set(session.scalars(select(BankLine.payment_id).where(BankLine.payment_id.in_(list(payment_ids)))))


def as_dict(payment: Payment, order_number: str, reconciled: bool = False) -> dict:
    return {"id": payment.id, "order_file_id": payment.order_file_id, "order_number": order_number,
            "receipt_number": payment.receipt_number, "amount": payment.amount, "currency": payment.currency,
            "method": payment.method, "reference": payment.reference, "desk": payment.desk,
            "business_day": payment.business_day, "refund_id": payment.refund_id, "note": payment.note,
            "received_at": payment.received_at, "received_by": payment.received_by, "reconciled": reconciled}


def event(payment: Payment, order: OrderFile) -> dict:
    return {"order_file_id": order.id, "order_number": order.order_number, "contract_id": order.order_number,
            "customer_id": order.customer_id, "payment_id": payment.id, "receipt_number": payment.receipt_number,
            "amount": payment.amount, "currency": payment.currency, "method": payment.method, "desk": payment.desk,
            "paid_at": payment.received_at}


def receipt_data(payment: Payment, order: OrderFile, agency: dict) -> dict:
    customer = next((t for t in order.travellers if t["customer_id"] == order.customer_id), {})
    return {"receipt_number": payment.receipt_number, "order_number": order.order_number, "language": order.language,
            "agency": agency, "customer": {"full_name": customer.get("full_name")}, "amount": str(payment.amount),
            "currency": payment.currency, "method": payment.method, "reference": payment.reference,
            "received_at": payment.received_at.isoformat(), "received_by": payment.received_by, "desk": payment.desk}


# --- refunds ---------------------------------------------------------------------------------

def open_refund(session, order: OrderFile, amount: Decimal, reason: str, *, limit: Decimal, actor: str,
                now: datetime) -> Refund | None:
    """A refund of `amount` to approve (none for nothing); never more than was paid and not yet refunded."""
    if amount <= 0:
        return None
    pending = sum((r.amount for r in _refunds(session, order) if r.status != "paid"), ZERO)
    left = order_files.paid(order) - pending
    if amount > left:
        raise Conflict(f"{amount} {order.currency} is more than was paid and not refunded ({left}).",
                       {"amount": str(amount), "refundable": str(left)})
    refund = Refund(order_file_id=order.id, amount=amount, currency=order.currency, reason=reason,
                    status="pending_approval", needs_manager=amount > limit, created_at=now, created_by=actor)
    session.add(refund)
    session.flush()
    return refund


def _refunds(session, order: OrderFile) -> list[Refund]:
    return list(session.scalars(select(Refund).where(Refund.order_file_id == order.id).order_by(Refund.id)))


def refunds_of(session, order: OrderFile) -> list[Refund]:
    return _refunds(session, order)


def get_refund(session, refund_id: int, *, lock: bool = False) -> Refund:
    statement = select(Refund).where(Refund.id == refund_id)
    refund = session.scalar(statement.with_for_update() if lock else statement)
    if refund is None:
        raise NotFound(f"No refund {refund_id}.")
    return refund


def approve(refund: Refund, *, roles: set, limit: Decimal, actor: str, now: datetime):
    if refund.status != "pending_approval":
        raise Conflict(f"Refund {refund.id} is {refund.status}.", {"status": refund.status})
    if refund.needs_manager and not roles & {"manager", "admin"}:
        raise Forbidden(f"A refund over {limit} {refund.currency} needs a manager's approval.")
    if not roles & {"finance", "manager", "admin"}:
        raise Forbidden("Refunds are approved by finance or a manager.")
    refund.status, refund.approved_by, refund.approved_at = "approved", actor, now


def pay_refund(session, refund: Refund, order: OrderFile, fields: dict, *, day, actor: str, now: datetime) -> Payment:
    """Pay an approved refund back: a payment of -amount with its own receipt number."""
    if refund.status != "approved":
        raise Conflict(f"Refund {refund.id} is {refund.status}: only an approved refund is paid.",
                       {"status": refund.status})
    desk_days.lock_open(session, fields["desk"], day)
    payment = Payment(order_file_id=order.id, receipt_number=numbering.receipt_number(session, now.year),
                      amount=-refund.amount, currency=refund.currency, method=fields["method"],
                      reference=fields.get("reference"), desk=fields["desk"], business_day=day, refund_id=refund.id,
                      note=refund.reason, received_at=now, received_by=actor)
    order.payments.append(payment)
    refund.status = "paid"
    session.flush()
    return payment
