"""Ticketing's Alembic history on SQLite and PostgreSQL: it matches the models, keeps old bookings
findable, and downgrades cleanly."""
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import services.ticketing
from services.common.db import make_engine
from services.common.migrations import alembic_config, upgrade
from services.ticketing.models import Base

pytestmark = pytest.mark.service

SCRIPTS = str(Path(services.ticketing.__file__).parent / "migrations")
HEAD = "ticketing_0009"


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url("ticketing"))
    yield engine
    engine.dispose()


def _at(engine, moment):
    return moment if engine.dialect.name == "postgresql" else moment.replace(tzinfo=None)


def test_upgrade_matches_the_models_and_keeps_old_bookings_findable_then_downgrades(engine):
    upgrade(engine, SCRIPTS, "ticketing_0003")
    now = _at(engine, datetime(2026, 5, 1, 9, tzinfo=timezone.utc))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO suppliers (id, name, kind, contacts, created_at, created_by) "
                          "VALUES ('s1', 'Air', 'airline', '[]', :at, 'user:old')"), {"at": now})
        conn.execute(text("INSERT INTO products (id, supplier_id, supplier_code, kind, name, location, attributes, "
                          "currency, created_at, created_by) VALUES ('p1', 's1', 'F1', 'flight', 'F1', 'Lijiang', "
                          "'{}', 'CNY', :at, 'user:old')"), {"at": now})
        conn.execute(text("INSERT INTO bookings (id, locator, status, created_at, created_by) "
                          "VALUES ('b1', 'HJ29GW', 'confirmed', :at, 'user:old')"), {"at": now})
        conn.execute(text(
            "INSERT INTO booking_lines (booking_id, product_id, day, quantity, travellers, status, ticket_number, "
            "net_price, sell_price, currency, confirmed_at) VALUES ('b1', 'p1', '2026-06-01', 2, :travellers, "
            "'confirmed', 'HJ29GW-01', '10.00', '12.00', 'EUR', :at)"),
            {"at": now, "travellers": json.dumps([{"name": "María NÚÑEZ", "phone": "+34 600-11 22 33"},
                                                  {"name": "Luis Ruiz"}])})
        conn.execute(text(  # a change made before fare differences were kept
            "INSERT INTO booking_lines (booking_id, product_id, day, quantity, travellers, status, ticket_number, "
            "net_price, sell_price, currency, replaces_line_id, confirmed_at) VALUES ('b1', 'p1', '2026-06-03', 2, "
            "'[]', 'confirmed', 'HJ29GW-02', '11.00', '15.50', 'EUR', 1, :at)"), {"at": now})

    upgrade(engine, SCRIPTS)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        found = sorted(tuple(r) for r in conn.execute(text(
            "SELECT DISTINCT booking_id, name_search, phone_digits FROM booking_travellers")))
        fares = [tuple(r) for r in conn.execute(text(
            "SELECT ticket_number, fare_difference FROM booking_lines ORDER BY id"))]
        destinations = {tuple(r) for r in conn.execute(text(
            "SELECT products.destination, booking_lines.destination FROM booking_lines, products"))}
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert found == [("b1", "luis ruiz", None), ("b1", "maria nunez", "34600112233")]
    assert [(number, fare if fare is None else Decimal(str(fare))) for number, fare in fares] == \
        [("HJ29GW-01", None), ("HJ29GW-02", Decimal("7.00"))]
    assert destinations == {("Lijiang", "Lijiang")}
    assert differences == [], differences

    with engine.begin() as connection:
        command.downgrade(alembic_config(SCRIPTS, connection), "ticketing_0003")
    assert "booking_travellers" not in inspect(engine).get_table_names()
    upgrade(engine, SCRIPTS)  # and up again


def test_products_of_the_old_kinds_take_the_itinerary_words_and_get_them_back_on_downgrade(engine):
    upgrade(engine, SCRIPTS, "ticketing_0007")
    now = _at(engine, datetime(2026, 5, 1, 9, tzinfo=timezone.utc))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO suppliers (id, name, kind, contacts, created_at, created_by) "
                          "VALUES ('s1', 'Roma', 'hotel', '[]', :at, 'user:old')"), {"at": now})
        for product_id, kind in (("room", "hotel_room"), ("museum", "attraction_ticket"), ("flight", "flight")):
            conn.execute(text(
                "INSERT INTO products (id, supplier_id, supplier_code, kind, name, location, destination, attributes, "
                "currency, created_at, created_by) VALUES (:id, 's1', :id, :kind, :id, 'Rome', 'Rome', '{}', 'EUR', "
                ":at, 'user:old')"), {"id": product_id, "kind": kind, "at": now})

    def kinds():
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT id, kind FROM products")).all())

    upgrade(engine, SCRIPTS)
    assert kinds() == {"room": "hotel", "museum": "attraction", "flight": "flight"}
    with engine.begin() as connection:
        command.downgrade(alembic_config(SCRIPTS, connection), "ticketing_0007")
    assert kinds() == {"room": "hotel_room", "museum": "attraction_ticket", "flight": "flight"}
