"""The desk's day: payments are taken on an open day, the desk closes it with its totals by
method, and finance confirms it. A closed day takes no payment: a correction goes on the next day,
naming what it corrects."""
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.common.errors import Conflict

from .models import DeskDay, Payment


def _row(session, desk: str, day: date) -> DeskDay:
    """The day's row, created open if new, and locked until the transaction ends."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(DeskDay).values(desk=desk, day=day, status="open").on_conflict_do_nothing())
    # An UPDATE that changes nothing still takes the row lock (SELECT ... FOR UPDATE is not SQLite's).
    session.execute(update(DeskDay).where(DeskDay.desk == desk, DeskDay.day == day).values(status=DeskDay.status))
    row = session.get(DeskDay, (desk, day), populate_existing=True)
    return row


def lock_open(session, desk: str, day: date) -> DeskDay:
    row = _row(session, desk, day)
    if row.status != "open":
        raise Conflict(f"The day {day.isoformat()} of desk {desk} is {row.status}: it takes no more payments; "
                       f"record a correction on the next day.", {"desk": desk, "day": day.isoformat(),
                                                                 "status": row.status})
    return row


def totals(session, desk: str, day: date) -> tuple[dict, int]:
    """{currency: {method: {"count", "amount"}, "total": amount}} of the day's payments, and how many."""
    out: dict = defaultdict(lambda: defaultdict(lambda: {"count": 0, "amount": Decimal("0.00")}))
    payments = session.scalars(select(Payment).where(Payment.desk == desk, Payment.business_day == day)).all()
    for p in payments:
        entry = out[p.currency][p.method]
        entry["count"] += 1
        entry["amount"] += p.amount
    result = {}
    for currency, methods in sorted(out.items()):
        result[currency] = {m: {"count": v["count"], "amount": str(v["amount"])} for m, v in sorted(methods.items())}
        result[currency]["total"] = str(sum((v["amount"] for v in methods.values()), Decimal("0.00")))
    return result, len(payments)


def as_dict(session, desk: str, day: date) -> dict:
    row = session.get(DeskDay, (desk, day))
    figures, count = totals(session, desk, day)
    return {"desk": desk, "day": day, "status": row.status if row else "open",
            "totals": row.totals if row is not None and row.totals is not None else figures, "payments": count,
            "closed_at": row and row.closed_at, "closed_by": row and row.closed_by,
            "confirmed_at": row and row.confirmed_at, "confirmed_by": row and row.confirmed_by}


def close(session, desk: str, day: date, *, actor: str, now: datetime) -> dict:
    row = lock_open(session, desk, day)
    row.totals, count = totals(session, desk, day)
    row.status, row.closed_at, row.closed_by = "closed", now, actor
    session.flush()
    return as_dict(session, desk, day)


def confirm(session, desk: str, day: date, *, actor: str, now: datetime) -> dict:
    row = _row(session, desk, day)
    if row.status != "closed":
        raise Conflict(f"The day {day.isoformat()} of desk {desk} is {row.status}: the desk closes it first, "
                       f"then finance confirms it.", {"status": row.status})
    row.status, row.confirmed_at, row.confirmed_by = "confirmed", now, actor
    session.flush()
    return as_dict(session, desk, day)
