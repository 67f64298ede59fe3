"""Ticketing desk rules on SQLite, no broker: finding bookings, manifests, fare differences."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from services.ticketing import bookings, holds, inventory, lists, suppliers
from services.ticketing.locators import normalize_locator
from services.ticketing.models import Base  # noqa: F401 (the session fixture makes its tables)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
DAY = date(2027, 4, 10)


@pytest.fixture
def flight(session):
    supplier = suppliers.create(session, {"name": "Iberia", "kind": "airline", "contacts": []}, actor="t", now=NOW)
    product = inventory.create_product(session, {
        "supplier_id": supplier.id, "supplier_code": "IB3250-Y", "kind": "flight", "name": "IB3250 MAD-FCO",
        "location": "MAD-FCO", "attributes": {}, "currency": "EUR"}, actor="t", now=NOW)
    inventory.apply_update(session, product, [DAY, date(2027, 4, 11)],
                           {"capacity": 9, "net_price": Decimal("80.00"), "sell_price": Decimal("100.00")},
                           actor="t", source="staff")
    return product


def booked(session, product, travellers, day=DAY):
    hold = holds.place(session, {"lines": [{"product_id": product.id, "day": day, "quantity": len(travellers),
                                            "travellers": travellers}], "channel": "phone"}, actor="t", now=NOW)
    return bookings.confirm(session, hold.id, actor="t", now=NOW)[0]


def test_phones_compare_by_digits_and_locators_in_capitals():
    assert lists.phone_digits("+34 600-11 22 33") == "34600112233"
    assert lists.phone_digits("") is None and lists.phone_digits(None) is None
    assert normalize_locator(" hj29gw ") == "HJ29GW"


def test_each_traveller_is_searchable_once_by_folded_name_and_phone(session, flight):
    booking = booked(session, flight, [{"name": "María  NÚÑEZ", "phone": "+34 600 11 22 33", "customer_id": "c1"},
                                       {"name": "María Núñez", "phone": "0034-600-11-22-33 "},
                                       {"name": "Luis Ruiz"}])
    rows = sorted((t.name_search, t.phone_digits, t.customer_id) for t in lists.travellers_of(booking))
    assert rows == [("luis ruiz", None, None), ("maria nunez", "0034600112233", None),
                    ("maria nunez", "34600112233", "c1")]


def test_booking_search_filters_combine_and_page(session, flight):
    first = booked(session, flight, [{"name": "Ana Gómez", "phone": "+34 611 000 111"}])
    second = booked(session, flight, [{"name": "Ana Pérez"}], day=date(2027, 4, 11))

    def ids(**query):
        items, total = lists.bookings(session, page=1, page_size=10, **query)
        assert total == len(items)
        return [b.id for b in items]

    assert set(ids(name="ana")) == {first.id, second.id}
    assert ids(name="ANA GOMEZ") == [first.id]
    assert ids(name="ana", travel_date=date(2027, 4, 11)) == [second.id]
    assert ids(phone="611000111", travel_date=date(2027, 4, 11)) == []
    assert ids(locator=second.locator.lower()) == [second.id]
    assert ids(name="100%") == []  # LIKE wildcards in the text are matched literally
    items, total = lists.bookings(session, page=2, page_size=1)
    assert total == 2 and len(items) == 1


def test_a_change_keeps_its_fare_difference_and_the_report_sums_it_with_the_new_line(session, flight):
    from services.ticketing import reports

    inventory.apply_update(session, flight, [date(2027, 4, 11)], {"sell_price": Decimal("85.50")},
                           actor="t", source="staff")
    booking = booked(session, flight, [{"name": "Ana"}, {"name": "Luis"}])
    old, new = bookings.change(session, booking.locator, booking.lines[0].id, {"day": date(2027, 4, 11)}, now=NOW)
    assert (old.fare_difference, new.fare_difference) == (None, Decimal("-29.00"))
    report = reports.sales(session, start=NOW.date(), end=NOW.date())
    assert [t["fare_difference_total"] for t in report["totals"]] == [Decimal("-29.00")]
    assert "fare_difference_total" in reports.sales_csv(report).splitlines()[0].split(",")


def test_the_manifest_holds_only_standing_lines_of_that_date_and_supplier(session, flight):
    from services.common.errors import NotFound
    from services.ticketing import reports

    kept = booked(session, flight, [{"name": "Ana", "document": "X1"}, {"name": "Luis"}])
    cancelled = booked(session, flight, [{"name": "Eva"}])
    bookings.cancel(session, cancelled.locator, now=NOW)
    moved = booked(session, flight, [{"name": "Pau"}])
    bookings.change(session, moved.locator, moved.lines[0].id, {"day": date(2027, 4, 11)}, now=NOW)

    found = reports.manifest(session, travel_date=DAY, supplier_id=flight.supplier_id)
    assert [(l["locator"], l["quantity"], l["travellers"]) for l in found["lines"]] == \
        [(kept.locator, 2, [{"name": "Ana", "document": "X1"}, {"name": "Luis", "document": None}])]
    assert [l["locator"] for l in reports.manifest(session, travel_date=date(2027, 4, 11),
                                                   product_id=flight.id)["lines"]] == [moved.locator]
    other = suppliers.create(session, {"name": "Vueling", "kind": "airline", "contacts": []}, actor="t", now=NOW)
    with pytest.raises(NotFound):
        reports.manifest(session, travel_date=DAY, supplier_id=other.id, product_id=flight.id)


def test_lines_keep_the_products_destination_and_sales_group_by_it(session, flight):
    from services.ticketing import reports

    to_lijiang = inventory.create_product(session, {
        "supplier_id": flight.supplier_id, "supplier_code": "MU5911-Y", "kind": "flight", "name": "MU5911",
        "location": "KMG-LJG", "destination": "Lijiang", "attributes": {}, "currency": "EUR"}, actor="t", now=NOW)
    inventory.apply_update(session, to_lijiang, [DAY], {"capacity": 9, "net_price": Decimal("80.00"),
                                                        "sell_price": Decimal("100.00")}, actor="t", source="staff")
    assert flight.destination == "MAD-FCO"  # no destination given: the location
    booking = booked(session, to_lijiang, [{"name": "王小明"}])
    assert booking.lines[0].destination == "Lijiang"
    report = reports.sales(session, start=NOW.date(), end=NOW.date(), group_by="destination")
    assert [r["group_key"] for r in report["rows"]] == ["Lijiang"]
