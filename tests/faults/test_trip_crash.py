"""The trip under crashes, with the real processes under supervisord: ticketing killed between
committing the trip's hold and answering it, contracts killed while its steps are due. Each time
the process resumes by itself, and ticketing and the order file agree afterwards: one hold, one
booking, the units counted once."""
import uuid
from datetime import date, timedelta

import pytest

from .harness import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]


def _signed_order_file(api, inventory) -> dict:
    """A customer's one-item quote on the tier's product, accepted and signed."""
    key = uuid.uuid4().hex
    api.call("POST", "/api/v1/markup-rules", {"method": "percent", "value": "15"}, key="trip-crash-markup")
    customer = api.ok("POST", "/api/v1/customers", {
        "full_name": f"王小明 {key[:6]}", "email": f"{key[:8]}@example.cn", "date_of_birth": "1985-03-02",
        "documents": [{"type": "passport", "number": "E12345678", "country": "CN",
                       "expiry": (date.today() + timedelta(days=800)).isoformat()}]}, key=key + "c")
    plan = api.ok("POST", "/api/v1/itineraries", {
        "title": f"Madrid - Sevilla {key[:6]}", "customer_id": customer["id"], "party": {"adults": 2},
        "start_date": inventory["day"], "days": 1, "currency": "EUR"}, key=key + "i")
    api.ok("POST", f"/api/v1/itineraries/{plan['id']}/days/1/items",
           {"kind": "train", "inventory_product_id": inventory["product_id"]}, key=key + "t")
    quote = api.ok("POST", f"/api/v1/itineraries/{plan['id']}/quotes", {}, key=key + "q")
    api.ok("POST", f"/api/v1/itineraries/{plan['id']}/quotes/{quote['version']}/accept", {}, key=key + "a")
    summary = wait_until(lambda: next(iter(api.ok("GET", f"/api/v1/order-files?customer_id={customer['id']}")
                                           ["items"]), None), 30, "the order file opened")
    return api.ok("POST", f"/api/v1/order-files/{summary['id']}/sign", {"signed_by": customer["full_name"]},
                  key=key + "s")


def _stage(api, order_id: str, wanted: str, timeout: float = 90) -> dict:
    return wait_until(lambda: (lambda o: o if o["trip"]["stage"] == wanted else None)(
        api.ok("GET", f"/api/v1/order-files/{order_id}")), timeout, f"the trip {wanted}")


def _pay(api, order: dict, n: int):
    due = next(s for s in api.ok("GET", f"/api/v1/order-files/{order['id']}")["schedule"] if s["n"] == n)
    api.ok("POST", f"/api/v1/order-files/{order['id']}/payments",
           {"amount": due["amount"], "currency": "EUR", "method": "card", "desk": "front"}, key=uuid.uuid4().hex)


def test_ticketing_killed_after_placing_the_trips_hold_places_it_once(healthy, api, inventory, figures):
    """ITINERA_CRASH_AFTER_COMMIT=ticketing.place_hold: ticketing exits once the trip's hold is
    committed and before it answers. Contracts hears nothing, sends the same step again under the
    same request id to the restarted ticketing, and gets the hold it made the first time."""
    before = healthy.pids()["ticketing"]
    healthy.crash_marker.unlink()  # arms the hook for the next place_hold: the trip's
    order = _signed_order_file(api, inventory)
    held = _stage(api, order["id"], "held")

    assert healthy.crash_marker.exists(), "the crash hook did not fire"
    assert healthy.pids()["ticketing"] != before, "supervisord restarted ticketing"
    holds = healthy.query("ticketing", "SELECT id, status FROM holds WHERE reference = ?", (order["order_number"],))
    [hold_step] = [s for s in held["trip"]["steps"] if s["action"] == "hold"]
    figures["trip: ticketing killed between the hold's commit and its answer"] = {
        "holds_for_the_order_file": len(holds), "hold_step_attempts": hold_step["attempts"],
        "duplicate_rows": max(0, len(holds) - 1)}
    assert holds == [(held["trip"]["hold_id"], "active")], "one hold, the one the order file names"
    assert hold_step["attempts"] >= 2, "the step was sent again after the lost answer"


def test_contracts_killed_with_the_booking_due_books_once(healthy, api, inventory, figures):
    """The deposit is recorded (the booking step is due) and contracts is killed at once; the
    restarted contracts books the hold once, and a second kill after booking changes nothing."""
    order = _signed_order_file(api, inventory)
    held = _stage(api, order["id"], "held")
    before = healthy.pids()["contracts"]
    _pay(api, order, 1)
    healthy.kill("contracts")
    wait_until(lambda: healthy.pids()["contracts"] not in (0, before), 60, "supervisord restarting contracts")
    healthy.wait_ready(90)
    booked = _stage(api, order["id"], "booked")
    again = healthy.pids()["contracts"]
    healthy.kill("contracts")
    wait_until(lambda: healthy.pids()["contracts"] not in (0, again), 60, "supervisord restarting contracts")
    healthy.wait_ready(90)

    bookings = healthy.query("ticketing", "SELECT locator, status FROM bookings WHERE reference = ?",
                             (order["order_number"],))
    holds = healthy.query("ticketing", "SELECT status FROM holds WHERE reference = ?", (order["order_number"],))
    steps = healthy.query("contracts", "SELECT action, status FROM trip_steps WHERE order_file_id = ? "
                                       "AND action IN ('hold', 'book')", (order["id"],))
    figures["trip: contracts killed with its booking step due"] = {
        "bookings_for_the_order_file": len(bookings), "holds": len(holds), "duplicate_rows": max(0, len(bookings) - 1)}
    assert bookings == [(booked["trip"]["booking"]["locator"], "confirmed")]
    assert holds == [("confirmed",)] and held["trip"]["hold_id"] == booked["trip"]["hold_id"]
    assert sorted(steps) == [("book", "done"), ("hold", "done")]
