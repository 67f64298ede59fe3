"""Bank statements kept and reconciled: the lines of an imported file matched to the payments
recorded, then confirmed (or matched by hand) by finance.

Parsing is services.contracts.statements, the matching rules services.contracts.reconciliation;
this module stores what they find. A file imported again (same SHA-256) changes nothing, also when
two imports of it race: the unique checksum lets one in, and the other answers with it.
"""
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from services.common.errors import Conflict, NotFound, ValidationFailed

from . import payments, reconciliation, statements
from .models import BankLine, BankStatement, OrderFile, Payment

# Payments this many days either side of the statement's dates are candidates for its lines.
MATCH_WINDOW = timedelta(days=10)


def find(session, checksum: str) -> BankStatement | None:
    return session.scalar(select(BankStatement).where(BankStatement.checksum == checksum))


def get(session, statement_id: int) -> BankStatement:
    found = session.get(BankStatement, statement_id)
    if found is None:
        raise NotFound(f"No bank statement {statement_id}.")
    return found


def _candidates(session, parsed) -> list[reconciliation.PaymentRef]:
    """Unmatched payments in the statement's currency around its dates."""
    days = [line.booked_on for line in parsed.lines]
    if not days:
        return []
    rows = session.execute(
        select(Payment.id, Payment.amount, Payment.currency, Payment.reference, OrderFile.order_number,
               Payment.business_day, Payment.method)
        .join(OrderFile, OrderFile.id == Payment.order_file_id)
        .where(Payment.currency == parsed.currency, Payment.amount > 0, _unmatched(),
               Payment.business_day >= min(days) - MATCH_WINDOW, Payment.business_day <= max(days) + MATCH_WINDOW))
    return [reconciliation.PaymentRef(*row) for row in rows]


def _unmatched():
    """No statement line took the payment yet (the unique index on bank_lines.payment_id answers)."""
    return ~select(BankLine.id).where(BankLine.payment_id == Payment.id).exists()


def import_statement(session, parsed: statements.Statement, *, actor: str, now: datetime) -> tuple[BankStatement, bool]:
    """(statement, imported now) for a parsed file (statements.parse)."""
    existing = find(session, parsed.checksum)
    if existing is not None:
        return existing, False
    statement = BankStatement(checksum=parsed.checksum, format=parsed.format, account=parsed.account,
                              statement_id=parsed.statement_id, currency=parsed.currency,
                              opening_balance=parsed.opening_balance, closing_balance=parsed.closing_balance,
                              imported_at=now, imported_by=actor)
    try:
        with session.begin_nested():
            session.add(statement)
            session.flush()
    except IntegrityError:
        return find(session, parsed.checksum), False
    result = reconciliation.match(parsed.lines, _candidates(session, parsed))
    matches = {line_no: (payment_id, rule) for line_no, payment_id, rule in result.matched}
    rows = []
    for line in parsed.lines:
        payment_id, rule = matches.get(line.line_no, (None, None))
        rows.append({"statement_id": statement.id, "line_no": line.line_no, "booked_on": line.booked_on,
                     "value_on": line.value_on, "amount": line.amount, "currency": line.currency,
                     "reference": line.reference, "counterparty": line.counterparty,
                     "bank_reference": line.bank_reference, "payment_id": payment_id, "match_rule": rule})
    # One executemany, not 10,000 ORM objects: the unit of work cost five times the matching.
    for start in range(0, len(rows), 1000):
        session.execute(insert(BankLine.__table__), rows[start:start + 1000])
    session.expire(statement, ["lines"])
    return statement, True


def get_line(session, statement: BankStatement, line_no: int) -> BankLine:
    line = next((x for x in statement.lines if x.line_no == line_no), None)
    if line is None:
        raise NotFound(f"Statement {statement.id} has no line {line_no}.")
    return line


def match_by_hand(session, line: BankLine, payment_id: int | None):
    """Finance matches a line to a payment (or undoes a match) before confirming it."""
    if line.confirmed_at is not None:
        raise Conflict(f"Line {line.line_no} is confirmed.", {"line_no": line.line_no})
    if payment_id is None:
        line.payment_id, line.match_rule = None, None
        return
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise ValidationFailed("No such payment.", {"payment_id": [f"No payment {payment_id}."]})
    if payment.amount != line.amount or payment.currency != line.currency:
        raise ValidationFailed("The payment is not the line's amount.", {"payment_id": [
            f"Payment {payment_id} is {payment.amount} {payment.currency}; the line is {line.amount} {line.currency}."]})
    other = session.scalar(select(BankLine).where(BankLine.payment_id == payment_id, BankLine.id != line.id))
    if other is not None:
        raise Conflict(f"Payment {payment_id} is already matched to line {other.line_no} of statement "
                       f"{other.statement_id}.", {"payment_id": payment_id})
    line.payment_id, line.match_rule = payment_id, "manual"


def confirm_line(line: BankLine, *, actor: str, now: datetime):
    if line.payment_id is None:
        raise Conflict(f"Line {line.line_no} matches no payment: match it first.", {"line_no": line.line_no})
    if line.confirmed_at is None:
        line.confirmed_at, line.confirmed_by = now, actor


def as_dict(session, statement: BankStatement, already_imported: bool = False, *, with_lines: bool = True) -> dict:
    record = {"id": statement.id, "format": statement.format, "account": statement.account,
              "statement_id": statement.statement_id, "currency": statement.currency,
              "opening_balance": statement.opening_balance, "closing_balance": statement.closing_balance,
              "checksum": statement.checksum, "imported_at": statement.imported_at,
              "imported_by": statement.imported_by, "already_imported": already_imported}
    counted = dict(session.execute(select(BankLine.payment_id.is_not(None), func.count())
                                   .where(BankLine.statement_id == statement.id)
                                   .group_by(BankLine.payment_id.is_not(None))).all())
    record.update(matched=counted.get(True, 0), unmatched_lines=counted.get(False, 0))
    if with_lines:
        receipts = dict(session.execute(select(Payment.id, Payment.receipt_number).where(
            Payment.id.in_([x.payment_id for x in statement.lines if x.payment_id]))).all())
        record["lines"] = [{"id": x.id, "line_no": x.line_no, "booked_on": x.booked_on, "value_on": x.value_on,
                            "amount": x.amount, "currency": x.currency, "reference": x.reference,
                            "counterparty": x.counterparty, "bank_reference": x.bank_reference,
                            "payment_id": x.payment_id, "receipt_number": receipts.get(x.payment_id),
                            "match_rule": x.match_rule, "confirmed": x.confirmed_at is not None}
                           for x in statement.lines]
        record["unmatched_payments"] = [payments.as_dict(p, number) for p, number in unmatched_transfers(session, statement)]
    return record


def unmatched_transfers(session, statement: BankStatement) -> list[tuple[Payment, str]]:
    """Bank transfers in the statement's currency and period that no line of any statement matched."""
    days = [x.booked_on for x in statement.lines]
    if not days:
        return []
    return list(session.execute(
        select(Payment, OrderFile.order_number).join(OrderFile, OrderFile.id == Payment.order_file_id)
        .where(Payment.currency == statement.currency, Payment.method == "bank_transfer", Payment.amount > 0,
               _unmatched(), Payment.business_day >= min(days) - MATCH_WINDOW,
               Payment.business_day <= max(days) + MATCH_WINDOW).order_by(Payment.id)).all())
