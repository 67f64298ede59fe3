"""Ticketing rules on SQLite, no broker: availability from rows, holds, bookings, pushes, keys."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.common.errors import Conflict, Forbidden, PreconditionFailed, ValidationFailed
from services.common.etags import etag_of
from services.ticketing import bookings, holds, inventory, pushes, suppliers
from services.ticketing.locators import ALPHABET, new_locator
from services.ticketing.models import Base, InventoryChange

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
DAY = date(2027, 4, 10)


@pytest.fixture
def supplier(session):
    return suppliers.create(session, {"name": "Iberia", "kind": "airline", "contacts": []}, actor="t", now=NOW)


def make_product(session, supplier, code="IB3250-Y", currency="EUR"):
    return inventory.create_product(session, {
        "supplier_id": supplier.id, "supplier_code": code, "kind": "flight", "name": f"{code} MAD-FCO",
        "location": "MAD-FCO", "attributes": {"flight": code, "class": "Y"}, "currency": currency},
        actor="t", now=NOW)


@pytest.fixture
def flight(session, supplier):
    product = make_product(session, supplier)
    inventory.apply_update(session, product, [DAY, DAY + timedelta(1)],
                           {"capacity": 3, "net_price": Decimal("80.00"), "sell_price": Decimal("100.00")},
                           actor="t", source="staff")
    return product


def hold(session, product, quantity=1, day=DAY, channel="online"):
    return holds.place(session, {"lines": [{"product_id": product.id, "day": day, "quantity": quantity}],
                                 "channel": channel}, actor="t", now=NOW)


def confirm(session, held, now=NOW):
    booking, made = bookings.confirm(session, held.id, actor="t", now=now)
    assert made
    return booking


def available(session, product, day=DAY, now=NOW):
    row = session.get(inventory.DailyInventory, (product.id, day))
    return inventory.describe(row, *inventory.usage(session, [(product.id, day)], now)[(product.id, day)], TODAY)


def test_availability_is_capacity_minus_bookings_minus_live_holds(session, flight):
    booked = hold(session, flight, 1)
    confirm(session, booked)
    hold(session, flight, 1)
    day = available(session, flight)
    assert (day["booked"], day["held"], day["available"], day["status"]) == (1, 1, 1, "available")
    # An expired hold stops counting at once, before any timer marks it.
    later = NOW + timedelta(hours=1)
    assert available(session, flight, now=later)["available"] == 2


def test_last_unit_goes_once_and_the_next_request_is_refused(session, flight):
    hold(session, flight, 3)
    with pytest.raises(Conflict) as refused:
        hold(session, flight, 1)
    assert refused.value.details["reason"] == "sold_out" and refused.value.details["available"] == 0


def test_a_hold_takes_all_its_lines_or_none(session, flight):
    with pytest.raises(Conflict):
        holds.place(session, {"channel": "online", "lines": [
            {"product_id": flight.id, "day": DAY, "quantity": 2},
            {"product_id": flight.id, "day": DAY + timedelta(1), "quantity": 4}]}, actor="t", now=NOW)
    assert available(session, flight)["available"] == 3


def test_two_lines_on_the_same_date_draw_on_one_allotment(session, flight):
    with pytest.raises(Conflict):
        holds.place(session, {"channel": "online", "lines": [
            {"product_id": flight.id, "day": DAY, "quantity": 2},
            {"product_id": flight.id, "day": DAY, "quantity": 2}]}, actor="t", now=NOW)


def test_default_expiry_depends_on_the_channel(session, flight):
    assert hold(session, flight, channel="online").expires_at == NOW + timedelta(minutes=30)
    assert hold(session, flight, channel="consultant").expires_at == NOW + timedelta(hours=48)


def test_inside_release_days_a_request_is_on_request(session, flight):
    inventory.apply_update(session, flight, [DAY], {"release_days": 45}, actor="t", source="staff")
    with pytest.raises(Conflict) as refused:
        hold(session, flight)
    assert refused.value.details["reason"] == "on_request"


def test_stop_sell_and_missing_allotment_refuse_holds(session, flight):
    inventory.apply_update(session, flight, [DAY], {"stop_sell": True}, actor="t", source="staff")
    with pytest.raises(Conflict, match="stop sell"):
        hold(session, flight)
    with pytest.raises(Conflict) as refused:
        hold(session, flight, day=DAY + timedelta(5))
    assert refused.value.details["reason"] == "no_allotment"


def test_capacity_cut_below_sold_is_accepted_and_marked_overbooked(session, flight):
    booking = confirm(session, hold(session, flight, 3))
    outcome = inventory.apply_update(session, flight, [DAY], {"capacity": 1}, actor="supplier:x", source="supplier_json")
    assert outcome["overbooked"] == [{"day": DAY, "capacity": 1, "booked": 3, "held": 0, "short_by": 2}]
    assert available(session, flight)["status"] == "overbooked"
    assert booking.status == "confirmed"


def big_flight(session, supplier, capacity=10):
    product = make_product(session, supplier, code="IB3000-Y")
    inventory.apply_update(session, product, [DAY], {"capacity": capacity, "net_price": Decimal("80.00"),
                                                     "sell_price": Decimal("100.00")}, actor="t", source="staff")
    return product


def test_holds_granted_before_a_cut_confirm_while_bookings_fit_the_new_capacity(session, supplier):
    flight = big_flight(session, supplier)
    granted = [hold(session, flight, 1) for _ in range(4)]
    outcome = inventory.apply_update(session, flight, [DAY], {"capacity": 2}, actor="supplier:x", source="s")
    assert outcome["overbooked"] == [{"day": DAY, "capacity": 2, "booked": 0, "held": 4, "short_by": 2}]
    day = available(session, flight)
    assert (day["overbooked"], day["status"], day["available"]) == (True, "overbooked", 0)
    with pytest.raises(Conflict, match="Only 0 left"):   # no new units while booked + held >= capacity
        hold(session, flight, 1)

    confirm(session, granted[0])
    confirm(session, granted[1])
    for late in granted[2:]:
        with pytest.raises(Conflict, match="Only 0 left") as refused:
            bookings.confirm(session, late.id, actor="t", now=NOW)
        assert refused.value.details["available"] == 0
    assert (available(session, flight)["booked"], available(session, flight)["overbooked"]) == (2, True)
    # Once the refused holds are gone, booked fits the capacity again: no longer overbooked.
    for late in granted[2:]:
        holds.release(session, late.id, NOW)
    assert (available(session, flight)["overbooked"], available(session, flight)["status"]) == (False, "sold_out")


def test_a_partial_cut_leaves_what_bookings_do_not_use_to_the_first_holds(session, supplier):
    flight = big_flight(session, supplier)
    confirm(session, hold(session, flight, 2))
    granted = [hold(session, flight, 2) for _ in range(3)]
    inventory.apply_update(session, flight, [DAY], {"capacity": 5}, actor="supplier:x", source="s")
    confirm(session, granted[0])              # booked 4 of 5
    with pytest.raises(Conflict, match="Only 1 left"):
        bookings.confirm(session, granted[1].id, actor="t", now=NOW)


def test_held_beyond_capacity_is_overbooked_though_nothing_is_booked(session, supplier):
    flight = big_flight(session, supplier, capacity=15)
    hold(session, flight, 15)
    outcome = inventory.apply_update(session, flight, [DAY], {"capacity": 5}, actor="supplier:x", source="s")
    assert [o["short_by"] for o in outcome["overbooked"]] == [10]
    assert available(session, flight)["overbooked"] is True
    # Cut again, deeper: announced again; back up but still short: not announced.
    assert [o["short_by"] for o in inventory.apply_update(session, flight, [DAY], {"capacity": 3}, actor="s",
                                                          source="s")["overbooked"]] == [12]
    assert inventory.apply_update(session, flight, [DAY], {"capacity": 4}, actor="s", source="s")["overbooked"] == []
    # An expired hold no longer counts: the date is not overbooked any more, with no change made.
    assert available(session, flight, now=NOW + timedelta(hours=1))["overbooked"] is False


@pytest.mark.parametrize("capacity, booked, held, overbooked", [
    (5, 5, 0, False), (5, 4, 1, False), (5, 6, 0, True), (5, 0, 6, True), (5, 3, 3, True), (0, 0, 0, False)])
def test_overbooked_means_more_booked_and_held_than_the_capacity(capacity, booked, held, overbooked):
    assert inventory.is_overbooked(capacity, booked, held) is overbooked


def test_available_to_sell_is_added_to_what_is_booked_and_held(session, flight):
    confirm(session, hold(session, flight, 1))
    hold(session, flight, 1)
    inventory.apply_update(session, flight, [DAY, DAY + timedelta(1)], {"available": 4}, actor="s", source="s")
    assert [available(session, flight, d)["capacity"] for d in (DAY, DAY + timedelta(1))] == [6, 4]
    assert available(session, flight)["available"] == 4
    # A physical count given beside it is a ceiling.
    inventory.apply_update(session, flight, [DAY], {"available": 4, "capacity": 5}, actor="s", source="s")
    assert available(session, flight)["capacity"] == 5


def test_every_change_is_logged_with_old_and_new_values(session, flight):
    inventory.apply_update(session, flight, [DAY], {"sell_price": Decimal("120.00")}, actor="user:li",
                           source="staff")
    [change] = [c for c in inventory.changes_for(session, flight.id, DAY, DAY) if c.actor == "user:li"]
    assert (change.old, change.new) == ({"sell_price": "100.00"}, {"sell_price": "120.00"})


def test_supplier_sequence_makes_stale_and_repeated_updates_change_nothing(session, flight):
    first = inventory.apply_update(session, flight, [DAY], {"capacity": 9}, actor="s", source="s", sequence=5)
    repeated = inventory.apply_update(session, flight, [DAY], {"capacity": 9}, actor="s", source="s", sequence=5)
    older = inventory.apply_update(session, flight, [DAY], {"capacity": 1}, actor="s", source="s", sequence=4)
    assert (len(first["applied"]), len(repeated["stale"]), len(older["stale"])) == (1, 1, 1)
    assert available(session, flight)["capacity"] == 9
    assert session.query(InventoryChange).filter_by(actor="s").count() == 1


def test_weekday_mask_picks_dates():
    days = inventory.days_in(date(2027, 3, 1), date(2027, 3, 14), [1, 5])  # Mondays and Fridays
    assert [d.isoformat() for d in days] == ["2027-03-01", "2027-03-05", "2027-03-08", "2027-03-12"]


def test_confirmed_booking_has_a_locator_and_a_voucher_per_line(session, flight):
    h = holds.place(session, {"channel": "consultant", "lines": [
        {"product_id": flight.id, "day": DAY, "quantity": 2},
        {"product_id": flight.id, "day": DAY + timedelta(1), "quantity": 2}]}, actor="t", now=NOW)
    booking = confirm(session, h)
    assert len(booking.locator) == 6 and set(booking.locator) <= set(ALPHABET)
    assert [l.ticket_number for l in booking.lines] == [f"{booking.locator}-01", f"{booking.locator}-02"]
    assert h.status == "confirmed" and available(session, flight)["booked"] == 2
    # Asked again (even after the hold's expiry): the same booking, nothing new.
    again, made = bookings.confirm(session, h.id, actor="t", now=NOW + timedelta(days=5))
    assert (again.id, made) == (booking.id, False) and available(session, flight)["booked"] == 2


def test_an_expired_hold_cannot_be_confirmed(session, flight):
    h = hold(session, flight)
    with pytest.raises(Conflict, match="expired"):
        bookings.confirm(session, h.id, actor="t", now=NOW + timedelta(hours=1))


def test_change_secures_the_new_date_before_releasing_the_old(session, flight):
    booking = confirm(session, hold(session, flight, 2))
    confirm(session, hold(session, flight, 2, day=DAY + timedelta(1)))
    with pytest.raises(Conflict):  # only 1 left on the new date: nothing changes
        bookings.change(session, booking.locator, booking.lines[0].id, {"day": DAY + timedelta(1)}, now=NOW)
    assert booking.lines[0].status == "confirmed" and available(session, flight)["booked"] == 2
    inventory.apply_update(session, flight, [DAY + timedelta(1)],
                           {"capacity": 5, "sell_price": Decimal("130.00")}, actor="t", source="staff")
    old, new = bookings.change(session, booking.locator, booking.lines[0].id, {"day": DAY + timedelta(1)}, now=NOW)
    assert (old.status, new.status, new.replaces_line_id) == ("changed", "confirmed", old.id)
    assert bookings.fare_difference(old, new) == Decimal("60.00")
    assert available(session, flight)["booked"] == 0


def test_cancel_one_line_then_the_rest(session, flight):
    h = holds.place(session, {"channel": "online", "lines": [
        {"product_id": flight.id, "day": DAY, "quantity": 1},
        {"product_id": flight.id, "day": DAY + timedelta(1), "quantity": 1}]}, actor="t", now=NOW)
    booking = confirm(session, h)
    bookings.cancel(session, booking.locator, now=NOW, line_id=booking.lines[0].id)
    assert booking.status == "confirmed" and available(session, flight)["booked"] == 0
    _, cancelled = bookings.cancel(session, booking.id, now=NOW)
    assert booking.status == "cancelled" and len(cancelled) == 1


def test_refunds_never_exceed_what_the_line_sold_for(session, flight):
    booking = confirm(session, hold(session, flight, 2))
    line = booking.lines[0]
    with pytest.raises(Conflict, match="Cancel or change"):
        bookings.refund(session, booking.locator, line.id, Decimal("10.00"), None, actor="t", now=NOW)
    bookings.cancel(session, booking.locator, now=NOW)
    bookings.refund(session, booking.locator, line.id, Decimal("150.00"), "fee kept", actor="t", now=NOW)
    with pytest.raises(Conflict, match="50.00"):
        bookings.refund(session, booking.locator, line.id, Decimal("50.01"), None, actor="t", now=NOW)
    bookings.refund(session, booking.locator, line.id, Decimal("50.00"), None, actor="t", now=NOW)


def test_supplier_push_results_per_update(session, supplier, flight):
    other = suppliers.create(session, {"name": "Renfe", "kind": "rail", "contacts": []}, actor="t", now=NOW)
    make_product(session, other, code="AVE-1")
    results, events = pushes.apply_batch(session, supplier, [
        {"product_code": "IB3250-Y", "start": "2027-04-10", "end": "2027-04-11", "capacity": 7, "sequence": 10},
        {"product_code": "IB3250-Y", "start": "2027-04-10", "end": "2027-04-10", "capacity": 1, "sequence": 9},
        {"product_code": "AVE-1", "start": "2027-04-10", "end": "2027-04-10", "capacity": 1, "sequence": 1},
        {"product_code": "IB3250-Y", "start": "2027-04-10", "end": "2027-04-09", "sequence": 11},
        {"product_code": "IB3250-Y", "start": "2027-04-20", "end": "2027-04-20", "capacity": 2, "sequence": 12},
    ], source="supplier_json", message_id="m1", today=TODAY)
    assert [r["status"] for r in results] == ["applied", "ignored_stale", "rejected", "rejected", "rejected"]
    assert results[2]["reason"] == "unknown_product"  # another supplier's code is not found for this one
    assert results[4]["reason"] == "no_allotment"
    assert [e.name for e, _ in events] == ["ticketing.inventory_changed"]
    assert available(session, flight)["capacity"] == 7


def test_a_push_update_whose_code_is_not_text_is_rejected_alone(session, supplier, flight):
    # Codes are looked up before each update is validated: a list or an object must not break that.
    results, _ = pushes.apply_batch(session, supplier, [
        {"product_code": ["IB3250-Y"], "start": "2027-04-10", "end": "2027-04-10", "capacity": 1, "sequence": 1},
        {"product_code": {"a": 1}, "sequence": 2},
        {"product_code": "IB3250-Y", "start": "2027-04-10", "end": "2027-04-10", "capacity": 6, "sequence": 3},
    ], source="supplier_json", message_id="m1", today=TODAY)
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("rejected", "invalid"), ("rejected", "invalid"), ("applied", None)]
    assert "product_code" in results[0]["errors"]


def test_api_keys_are_shown_once_stored_hashed_and_revocable(session, supplier):
    key = suppliers.issue_api_key(session, supplier.id)
    assert key not in (supplier.api_key_digest, supplier.api_key_prefix)
    assert suppliers.authenticate(session, key).id == supplier.id
    with pytest.raises(suppliers.InvalidApiKey):
        suppliers.authenticate(session, key[:-1] + ("A" if key[-1] != "A" else "B"))
    suppliers.revoke_api_key(session, supplier.id, NOW)
    with pytest.raises(suppliers.InvalidApiKey):
        suppliers.authenticate(session, key)


def test_locators_avoid_look_alike_characters():
    assert not set("01IOL") & set(ALPHABET)
    assert all(len(new_locator()) == 6 for _ in range(100))


def test_supplier_messages_older_than_the_retention_are_pruned_oldest_first(session, supplier):
    from services.ticketing import supplier_queue
    from services.ticketing.models import SupplierMessage

    for n, age in enumerate([40, 31, 30, 2, 0]):
        session.add(SupplierMessage(supplier_id=supplier.id, message_type="amqp_inventory", message_id=f"m{n}",
                                    channel="supplier_amqp", status=200, response="{}",
                                    received_at=NOW - timedelta(days=age, seconds=1 if age else 0)))
    session.flush()
    cutoff = NOW - supplier_queue.retention({"SUPPLIER_MESSAGE_RETENTION_DAYS": "30"})
    assert supplier_queue.prune(session, cutoff, limit=1) == 1
    assert supplier_queue.answered(session, supplier.id, "amqp_inventory", "m0") is None
    assert supplier_queue.prune(session, cutoff) == 2
    assert [m.message_id for m in session.query(SupplierMessage).order_by(SupplierMessage.id)] == ["m3", "m4"]
    assert supplier_queue.prune(session, cutoff) == 0
    assert supplier_queue.retention({}) == timedelta(days=30)


def test_a_message_re_sent_after_its_log_entry_is_pruned_changes_nothing(session, supplier, flight):
    update = {"product_code": "IB3250-Y", "start": "2027-04-10", "end": "2027-04-10", "capacity": 7, "sequence": 10}
    pushes.apply_batch(session, supplier, [update], source="supplier_amqp", message_id="m1", today=TODAY)
    # The log entry of m1 is gone; the supplier sends m1 again, with what it said then.
    results, events = pushes.apply_batch(session, supplier, [update | {"capacity": 2}], source="supplier_amqp",
                                         message_id="m1", today=TODAY)
    assert [r["status"] for r in results] == ["ignored_stale"] and events == []
    assert available(session, flight)["capacity"] == 7


def test_past_dates_are_refused_as_bad_input_before_anything_is_looked_up(session, flight):
    with pytest.raises(ValidationFailed) as held:
        holds.place(session, {"channel": "online", "lines": [
            {"product_id": "no-such-product", "day": DAY, "quantity": 1},
            {"product_id": flight.id, "day": TODAY - timedelta(1), "quantity": 1}]}, actor="t", now=NOW)
    assert held.value.details == {"lines": {1: {"day": ["Must not be in the past."]}}}
    with pytest.raises(ValidationFailed) as changed:
        bookings.change(session, "NOSUCH", 1, {"day": TODAY - timedelta(1)}, now=NOW)
    assert list(changed.value.details) == ["day"]
    with pytest.raises(ValidationFailed) as staff:
        inventory.set_by_staff(session, flight.id, {"start": TODAY - timedelta(1), "end": DAY, "capacity": 9},
                               actor="t", today=TODAY)
    assert list(staff.value.details) == ["start"]
    # Today is not the past: it goes on to the allotment (none here).
    with pytest.raises(Conflict, match="No allotment"):
        hold(session, flight, day=TODAY)


def test_staff_change_only_what_they_read_when_they_send_its_etag(session, flight):
    week = {"start": DAY, "end": DAY + timedelta(1)}  # the two dates the flight has
    read = etag_of(inventory.days_of(session, flight.id, **week, today=TODAY))
    hold(session, flight)  # someone holds a seat after the clerk read the dates
    with pytest.raises(PreconditionFailed) as stale:
        inventory.set_by_staff(session, flight.id, week | {"capacity": 1}, actor="t", today=TODAY, if_match=read)
    current = inventory.days_of(session, flight.id, **week, today=TODAY)
    assert stale.value.details == {"etag": etag_of(current)}
    assert [d["capacity"] for d in current] == [3, 3]

    _, outcome = inventory.set_by_staff(session, flight.id, week | {"capacity": 1}, actor="t", today=TODAY,
                                        if_match=etag_of(current))
    assert len(outcome["applied"]) == 2 and outcome["overbooked"] == []
    _, outcome = inventory.set_by_staff(session, flight.id, week | {"capacity": 2}, actor="t", today=TODAY)
    assert len(outcome["applied"]) == 2  # without If-Match, whatever is current


def test_staff_open_new_dates_only_with_capacity_and_prices(session, flight):
    with pytest.raises(ValidationFailed) as refused:
        inventory.set_by_staff(session, flight.id, {"start": DAY, "end": DAY + timedelta(2), "capacity": 5},
                               actor="t", today=TODAY)
    assert list(refused.value.details) == ["capacity"]


def test_a_supplier_reaches_only_its_own_products(session, supplier, flight):
    assert inventory.product_of_supplier(session, flight.id, supplier.id) is flight
    other = suppliers.create(session, {"name": "Vueling", "kind": "airline", "contacts": []}, actor="t", now=NOW)
    with pytest.raises(Forbidden):
        inventory.product_of_supplier(session, flight.id, other.id)


def test_the_month_grid_has_every_date_and_a_row_per_product(session, flight):
    grid = inventory.month_grid(session, month="2027-04", today=TODAY)
    assert (grid["days"][0], grid["days"][-1], len(grid["days"])) == (date(2027, 4, 1), date(2027, 4, 30), 30)
    assert [row["product"]["id"] for row in grid["products"]] == [flight.id]
    assert grid["products"][0]["days"]["2027-04-10"] == {"available": 3, "status": "available",
                                                         "sell_price": Decimal("100.00")}
    assert inventory.month_grid(session, month="2027-04", kind="hotel", today=TODAY)["products"] == []


def test_a_booking_totals_sell_and_net_over_its_lines(session, flight):
    booking = confirm(session, hold(session, flight, 2))
    assert bookings.totals(booking) == {"total_sell": Decimal("200.00"), "total_net": Decimal("160.00")}
