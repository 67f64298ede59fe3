"""The availability questions every hold asks stay flat as holds and bookings pile up: on both
databases they search the (day, product) indexes of hold and booking lines and never read a table
that grows with the business (a regression fails here rather than in the bench)."""
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, text

from services.common.db import make_engine, refresh_statistics
from services.ticketing import inventory
from services.ticketing.models import Base, Booking, BookingLine, Hold, HoldLine

GROWING = {"holds", "hold_lines", "bookings", "booking_lines"}
NOW = datetime(2027, 1, 1, tzinfo=timezone.utc)
PRODUCTS = [f"product-{n}" for n in range(40)]
DAYS = [date(2027, 2, 1) + timedelta(days=n) for n in range(250)]


@pytest.fixture
def busy_ticketing(database_url):
    """10,000 active holds and 20,000 confirmed booking lines over 40 products and 250 days."""
    engine = make_engine(database_url("ticketing"))
    Base.metadata.create_all(engine)
    holds = [{"id": str(uuid.uuid4()), "channel": "desk", "status": "active", "expires_at": NOW + timedelta(hours=2),
              "created_at": NOW, "created_by": "bench"} for _ in range(10_000)]
    bookings = [{"id": str(uuid.uuid4()), "locator": f"{n:06d}", "status": "confirmed",
                 "created_at": NOW, "created_by": "bench"} for n in range(2_000)]
    with engine.begin() as connection:
        connection.execute(insert(Hold.__table__), holds)
        connection.execute(insert(HoldLine.__table__), [
            {"hold_id": hold["id"], "product_id": PRODUCTS[n % 40], "day": DAYS[n % 250], "quantity": 1,
             "travellers": []} for n, hold in enumerate(holds)])
        connection.execute(insert(Booking.__table__), bookings)
    yield engine
    engine.dispose()


def plan(engine, statement) -> list[str]:
    """What the database would do: SQLite's EXPLAIN QUERY PLAN lines, or PostgreSQL's nodes as
    '<node type> on <table>'."""
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return [row[3] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql))]
        [[document]] = connection.execute(text("EXPLAIN (FORMAT JSON) " + sql)).all()
    nodes, found = [document[0]["Plan"]], []
    while nodes:
        node = nodes.pop()
        found.append(f"{node['Node Type']} on {node.get('Relation Name', '-')}")
        nodes.extend(node.get("Plans", []))
    return found


def full_reads(steps: list[str], tables=GROWING) -> list[str]:
    """Steps that read a growing table whole: a SQLite SCAN (with or without an index: that only
    orders it) or a PostgreSQL Seq Scan."""
    return [step for step in steps
            if any(step.startswith(f"SCAN {table}") or step == f"Seq Scan on {table}" for table in tables)]


def seed_bookings(engine):
    with engine.begin() as connection:
        booking_ids = [row[0] for row in connection.execute(text("SELECT id FROM bookings"))]
        connection.execute(insert(BookingLine.__table__), [
            {"booking_id": booking_ids[n % len(booking_ids)], "product_id": PRODUCTS[n % 40],
             "day": DAYS[(n * 7) % 250], "quantity": 1, "travellers": [], "status": "confirmed",
             "ticket_number": f"T{n}", "destination": "Paris", "net_price": Decimal("80.00"),
             "sell_price": Decimal("100.00"), "currency": "EUR", "confirmed_at": NOW} for n in range(20_000)])


@pytest.mark.parametrize("statistics", [False, True], ids=["fresh database", "analysed"])
def test_a_hold_asks_by_index_however_many_holds_and_bookings_exist(busy_ticketing, statistics):
    seed_bookings(busy_ticketing)
    with busy_ticketing.begin() as connection:
        if statistics or connection.dialect.name == "postgresql":
            refresh_statistics(connection)
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("ANALYZE")
    # A fortnight's trip: a flight out and back and a hotel every night.
    keys = [(PRODUCTS[0], DAYS[0]), (PRODUCTS[1], DAYS[13])] + [(PRODUCTS[2], DAYS[n]) for n in range(14)]
    for statement in (inventory.held_units(keys, NOW), inventory.booked_units(keys)):
        steps = plan(busy_ticketing, statement)
        assert not full_reads(steps), steps
        assert any("ix_hold_lines_day_product_id" in s or "ix_booking_lines_day_product_id" in s
                   or s.startswith(("Index Scan", "Bitmap Index Scan", "Index Only Scan")) for s in steps), steps


def test_a_search_over_many_products_and_days_reads_only_those_days(busy_ticketing):
    """The lines are found by the days' range. Joining them to their holds, PostgreSQL may hash
    the holds table when the range holds many lines (here 10,000 holds, all active): its choice
    by cost, for a search, not for a hold."""
    seed_bookings(busy_ticketing)
    with busy_ticketing.begin() as connection:
        refresh_statistics(connection)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE")
    keys = [(product, day) for product in PRODUCTS[:10] for day in DAYS[:30]]  # past the exact-pairs form
    assert len(keys) > inventory.MAX_EXACT_KEYS
    for statement in (inventory.held_units(keys, NOW), inventory.booked_units(keys)):
        steps = plan(busy_ticketing, statement)
        assert not full_reads(steps, {"hold_lines", "booking_lines"}), steps


def test_usage_counts_only_the_keys_asked_for(busy_ticketing):
    """The range form may match other (product, day) pairs in the database: they are not counted."""
    from sqlalchemy.orm import Session

    keys = [(product, day) for product in PRODUCTS[:5] for day in DAYS[:30]]
    with Session(busy_ticketing) as session:
        counted = inventory.usage(session, keys, NOW)
        exact = {key: inventory.usage(session, [key], NOW)[key] for key in keys}
    assert set(counted) <= set(keys)
    assert {key: counted[key] for key in keys} == exact
    assert sum(held for _, held in exact.values()) > 0
