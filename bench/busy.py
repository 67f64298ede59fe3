"""Busy tables for the hold rows: 10,000 active holds and 100,000 bookings put straight into the
ticketing database by the bench process, with bulk Core inserts (110,000 RPCs would take longer
than the rest of the run).

The rows sit on the products and dates the load rows hold on, so every availability question of a
measured hold meets them: about 14 booking lines and one or two active hold lines per product-day
of the 20 x 364 the load draws from, capacity 1000 each, so no hold is refused for want of seats.
Then the statistics a running system would have: SQLite's sampled ANALYZE (the services' hourly
timer), PostgreSQL's ANALYZE (what autovacuum does after that many new rows).
"""
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, insert, select

from services.common.db import SqliteWriterLock, make_engine, refresh_statistics
from services.ticketing.models import Booking, BookingLine, Hold, HoldLine

ACTIVE_HOLDS = 10_000
BOOKINGS = 100_000
CHUNK = 10_000  # rows per INSERT ... VALUES batch: bounded memory, few round trips


@dataclass
class Seeded:
    backend: str
    holds: int             # active holds (and hold lines) inserted
    bookings: int          # bookings (and booking lines) inserted
    active_holds: int      # active holds in the table afterwards, the bench's own included
    booking_lines: int     # booking lines in the table afterwards
    seconds: float


def _chunks(make, total):
    for start in range(0, total, CHUNK):
        yield [make(n) for n in range(start, min(total, start + CHUNK))]


def seed(url: str, backend: str, product_ids: list[str], first_day, days: int) -> Seeded:
    """Insert the holds and bookings; first_day + 1 .. first_day + days - 1 are the dates used."""
    engine = make_engine(url)
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    slots = [(product, first_day + timedelta(offset)) for offset in range(1, days) for product in product_ids]
    # Active for the whole run: an online hold's default 30 minutes would do, two hours is safe.
    expires = now + timedelta(hours=2)
    run = uuid.uuid4().hex[:6]  # two runs against one database (never today) would not collide
    # On SQLite, take the writer's turn as the service does, so its timers wait on the flock
    # rather than spin in busy_timeout.
    writer = SqliteWriterLock(engine.url.database) if engine.dialect.name == "sqlite" else None
    try:
        hold_ids = [str(uuid.uuid4()) for _ in range(ACTIVE_HOLDS)]
        booking_ids = [str(uuid.uuid4()) for _ in range(BOOKINGS)]
        if writer is not None:
            writer.acquire()
        with engine.begin() as connection:
            for rows in _chunks(lambda n: {"id": hold_ids[n], "channel": "consultant", "status": "active",
                                           "expires_at": expires, "reference": "bench-busy", "created_at": now,
                                           "created_by": "bench"}, ACTIVE_HOLDS):
                connection.execute(insert(Hold.__table__), rows)
            for rows in _chunks(lambda n: {"hold_id": hold_ids[n], "product_id": slots[n % len(slots)][0],
                                           "day": slots[n % len(slots)][1], "quantity": 1, "travellers": []},
                                ACTIVE_HOLDS):
                connection.execute(insert(HoldLine.__table__), rows)
            # Locators of digits only: the service's alphabet has no 0 or 1, so none can clash.
            for rows in _chunks(lambda n: {"id": booking_ids[n], "locator": f"{n:06d}", "hold_id": None,
                                           "status": "confirmed", "reference": "bench-busy", "created_at": now,
                                           "created_by": "bench"}, BOOKINGS):
                connection.execute(insert(Booking.__table__), rows)
            # Spread with a stride so a product-day's lines are not one contiguous run of ids.
            for rows in _chunks(lambda n: {"booking_id": booking_ids[n], "product_id": slots[(n * 7) % len(slots)][0],
                                           "day": slots[(n * 7) % len(slots)][1], "quantity": 1, "travellers": [],
                                           "status": "confirmed", "ticket_number": f"BENCH-{run}-{n:07d}",
                                           "destination": "Rome", "net_price": Decimal("90.00"),
                                           "sell_price": Decimal("120.00"), "currency": "EUR", "confirmed_at": now},
                                BOOKINGS):
                connection.execute(insert(BookingLine.__table__), rows)
        with engine.begin() as connection:
            refresh_statistics(connection)
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("ANALYZE")
        if writer is not None:
            writer.release()
            writer = None
        seconds = time.perf_counter() - started
        with engine.connect() as connection:
            active = connection.scalar(select(func.count()).select_from(Hold.__table__)
                                       .where(Hold.status == "active", Hold.expires_at > now))
            lines = connection.scalar(select(func.count()).select_from(BookingLine.__table__))
        return Seeded(backend, ACTIVE_HOLDS, BOOKINGS, active, lines, seconds)
    finally:
        if writer is not None:
            writer.release()
        engine.dispose()
