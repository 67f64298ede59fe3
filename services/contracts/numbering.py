"""Numbers without gaps: order files, receipts, invoices and credit notes.

A number is taken by incrementing the series' row inside the transaction that uses it. The
UPDATE holds the row until that transaction ends, so two issues at once take turns (PostgreSQL's
row lock; SQLite's single writer), numbers follow commit order, and a transaction that rolls back
gives its number back: no gap, no duplicate. A sequence would be faster but leaves gaps.
"""
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .models import NumberSeries


def take(session, series: str) -> int:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(NumberSeries).values(series=series, last_number=0).on_conflict_do_nothing())
    return session.execute(update(NumberSeries).where(NumberSeries.series == series)
                           .values(last_number=NumberSeries.last_number + 1)
                           .returning(NumberSeries.last_number)).scalar_one()


def order_number(session, year: int) -> str:
    return f"OF-{year}-{take(session, f'OF-{year}'):06d}"


def receipt_number(session, year: int) -> str:
    return f"R-{year}-{take(session, f'R-{year}'):06d}"


def invoice_number(session, prefix: str, year: int) -> tuple[str, int, str]:
    """(series, number, display number) of the next invoice or credit note of `prefix` this year."""
    series = f"{prefix}-{year}"
    number = take(session, series)
    return series, number, f"{series}-{number:06d}"
