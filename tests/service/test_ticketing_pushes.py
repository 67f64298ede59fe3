"""A supplier push on both databases, no broker: one batch mixing new, changed, stale, unchanged
and missing dates gives exactly these results, events, rows and change log, and what the
session read before the push reads the push after it."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.ticketing import holds, inventory, pushes, suppliers
from services.ticketing.models import Base, DailyInventory, InventoryChange

NOW = datetime.now(timezone.utc)
TODAY = NOW.date()
D1, D2, D3, D4, D5, D6 = (TODAY + timedelta(days=30 + n) for n in range(6))


def update(sequence: int, start: date, end: date, **fields) -> dict:
    return {"product_code": "R-1", "start": start.isoformat(), "end": end.isoformat(), "sequence": sequence} | fields


@pytest.fixture
def session(database_url):
    engine = make_engine(database_url("ticketing"))
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def test_a_batch_mixing_new_changed_stale_and_missing_dates(session):
    supplier = suppliers.create(session, {"name": "Lijiang Inn", "kind": "hotel", "contacts": []}, actor="t", now=NOW)
    room = inventory.create_product(session, {
        "supplier_id": supplier.id, "supplier_code": "R-1", "kind": "hotel", "name": "Double",
        "location": "Lijiang", "attributes": {}, "currency": "CNY"}, actor="t", now=NOW)
    opened, _ = pushes.apply_batch(session, supplier, [
        update(5, D1, D3, capacity=4, net_price="90.00", sell_price="120.00"),
        update(7, D3, D3, sell_price="125.00")], source="supplier_json", message_id="m0", today=TODAY)
    assert [r["status"] for r in opened] == ["applied", "applied"]
    # Held now, not at NOW (the module's import): an online hold lasts 30 minutes, and a long suite
    # reaches this test later than that.
    holds.place(session, {"channel": "online", "lines": [{"product_id": room.id, "day": D2, "quantity": 2}]},
                actor="t", now=datetime.now(timezone.utc))
    session.commit()
    # Read before the push, through the ORM: the push must not leave these stale.
    before = session.get(DailyInventory, (room.id, D2))
    assert before.capacity == 4
    assert inventory.days_of(session, room.id, D1, D3, today=TODAY)[1]["available"] == 2

    results, events = pushes.apply_batch(session, supplier, [
        # D1..D3 exist (D3 at sequence 7: stale), D4 and D5 are new; 1 left to sell, at most 5.
        update(6, D1, D5, available=1, capacity=5, net_price="91.50", sell_price="120.00"),
        update(8, D2, D2, capacity=1),         # below the 2 held: overbooked by 1
        update(9, D1, D1, capacity=1),         # what D1 already has: applied, nothing to log
        update(10, D6, D6, capacity=3),        # no allotment yet: missing
    ], source="supplier_json", message_id="m1", today=TODAY)
    session.commit()

    assert results == [
        {"index": 0, "status": "applied", "product_code": "R-1", "applied_days": 4, "stale_days": 1},
        {"index": 1, "status": "applied", "product_code": "R-1", "applied_days": 1, "stale_days": 0},
        {"index": 2, "status": "applied", "product_code": "R-1", "applied_days": 1, "stale_days": 0},
        {"index": 3, "status": "rejected", "product_code": "R-1", "applied_days": 0, "stale_days": 0,
         "missing_days": [D6.isoformat()], "reason": "no_allotment",
         "detail": "No allotment yet on some dates: send capacity, net_price and sell_price to open them."}]
    assert [(e.name, p.get("days"), p.get("day"), p.get("short_by")) for e, p in events] == [
        ("ticketing.inventory_changed", [D1, D2, D4, D5], None, None),
        ("ticketing.inventory_changed", [D2], None, None),
        ("ticketing.overbooked", None, D2, 1),
        ("ticketing.inventory_changed", [D1], None, None)]
    assert events[2][1] == {"product_id": room.id, "supplier_id": supplier.id, "day": D2, "capacity": 1,
                            "booked": 0, "held": 2, "short_by": 1}

    rows = session.execute(select(DailyInventory.__table__).order_by(DailyInventory.day)).mappings().all()
    assert [(r["day"], r["capacity"], r["net_price"], r["sell_price"], r["release_days"], r["stop_sell"],
             r["overbooked"], r["supplier_sequence"], r["updated_by"]) for r in rows] == [
        (D1, 1, Decimal("91.50"), Decimal("120.00"), 0, False, False, "9", f"supplier:{supplier.id}"),
        (D2, 1, Decimal("91.50"), Decimal("120.00"), 0, False, True, "8", f"supplier:{supplier.id}"),
        (D3, 4, Decimal("90.00"), Decimal("125.00"), 0, False, False, "7", f"supplier:{supplier.id}"),
        (D4, 1, Decimal("91.50"), Decimal("120.00"), 0, False, False, "6", f"supplier:{supplier.id}"),
        (D5, 1, Decimal("91.50"), Decimal("120.00"), 0, False, False, "6", f"supplier:{supplier.id}")]
    assert rows[0]["updated_at"] >= NOW

    log = session.execute(select(InventoryChange.__table__, InventoryChange.old.is_(None).label("old_is_null"))
                          .where(InventoryChange.source_message == "m1").order_by(InventoryChange.id)).mappings().all()
    assert {(r["actor"], r["source"]) for r in log} == {(f"supplier:{supplier.id}", "supplier_json")}
    assert [(r["day"], r["old"], r["new"], r["old_is_null"]) for r in log] == [
        (D1, {"capacity": 4, "net_price": "90.00", "sell_price": "120.00"},
         {"capacity": 1, "net_price": "91.50", "sell_price": "120.00"}, False),
        (D2, {"capacity": 4, "net_price": "90.00", "sell_price": "120.00"},
         {"capacity": 3, "net_price": "91.50", "sell_price": "120.00"}, False),
        (D4, None, {"capacity": 1, "net_price": "91.50", "sell_price": "120.00"}, False),
        (D5, None, {"capacity": 1, "net_price": "91.50", "sell_price": "120.00"}, False),
        (D2, {"capacity": 3}, {"capacity": 1}, False)]
    assert all(r["changed_at"] >= NOW for r in log)

    # What the session had loaded reads the push, in the next transaction and in this one.
    assert (before.capacity, before.overbooked, before.supplier_sequence) == (1, True, "8")
    assert session.get(DailyInventory, (room.id, D2)).net_price == Decimal("91.50")
    assert [(d["day"], d["capacity"], d["status"]) for d in inventory.days_of(session, room.id, D1, D5, today=TODAY)] == [
        (D1, 1, "available"), (D2, 1, "overbooked"), (D3, 4, "available"), (D4, 1, "available"),
        (D5, 1, "available")]


def test_rows_are_locked_and_returned_in_product_then_day_order(session):
    supplier = suppliers.create(session, {"name": "Lijiang Inn", "kind": "hotel", "contacts": []}, actor="t", now=NOW)
    rooms = [inventory.create_product(session, {
        "supplier_id": supplier.id, "supplier_code": code, "kind": "hotel", "name": code, "location": "Lijiang",
        "attributes": {}, "currency": "CNY"}, actor="t", now=NOW) for code in ("R-1", "R-2")]
    for room in rooms:
        inventory.apply_update(session, room, [D1, D2, D3], {"capacity": 2, "net_price": Decimal("90.00"),
                                                             "sell_price": Decimal("120.00")}, actor="t", source="staff")
    first, second = sorted(room.id for room in rooms)
    rows = inventory.lock_rows(session, [(second, D2), (first, D3), (second, D1), (first, D1), (first, D6)])
    assert list(rows) == [(first, D1), (first, D3), (second, D1), (second, D2)]  # D6 has no allotment
    assert {(r.capacity, r.net_price, r.stop_sell) for r in rows.values()} == {(2, Decimal("90.00"), False)}
