"""The trip's rules without a broker: which lines ticketing holds (a hotel each night), which a
supplier confirms by hand, how long the hold lasts, and when the trip is ready."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.contracts import trip
from services.contracts.models import ContractVersion, Instalment, OrderFile, Payment, ServiceRequest

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=timezone.utc)
LINES = [
    {"line": 1, "kind": "flight", "inventory_product_id": "ca933", "service_date": "2027-05-01", "quantity": 2,
     "description": "CA933"},
    {"line": 2, "kind": "hotel", "inventory_product_id": "louvre", "service_date": "2027-05-01", "nights": 3,
     "quantity": 1, "description": "Louvre double"},
    {"line": 3, "kind": "hotel", "service_date": "2027-05-04", "nights": 3, "supplier_name": "Hotel Quirinale",
     "description": "Hotel Quirinale Roma"},
]


def order_file(deposit_due: date, paid: str = "0.00", total: str = "1000.00") -> OrderFile:
    order = OrderFile(id="of-1", order_number="OF-2027-000001", travellers=[], status="signed", trip="booked",
                      quote={"lines": LINES})
    order.versions = [ContractVersion(version=1, status="signed", total=Decimal(total), lines=LINES)]
    order.instalments = [Instalment(n=1, kind="deposit", due_on=deposit_due, amount=Decimal("300.00")),
                         Instalment(n=2, kind="balance", due_on=deposit_due + timedelta(days=30),
                                    amount=Decimal(total) - Decimal("300.00"))]
    order.payments = [Payment(amount=Decimal(paid))] if Decimal(paid) else []
    order.service_requests, order.attention, order.steps = [], [], []
    return order


def test_a_hotel_is_held_each_night_and_hand_entered_lines_go_to_their_supplier():
    held = trip.inventory_lines(LINES)
    assert [(w["product_id"], w["day"], w["quantity"]) for w in held] == [
        ("ca933", date(2027, 5, 1), 2), ("louvre", date(2027, 5, 1), 1), ("louvre", date(2027, 5, 2), 1),
        ("louvre", date(2027, 5, 3), 1)]
    assert [line["line"] for line in trip.service_lines(LINES)] == [3]


def test_the_hold_lasts_until_the_end_of_the_deposits_due_day_within_what_ticketing_grants():
    madrid = ZoneInfo("Europe/Madrid")
    ends = datetime(2027, 3, 5, tzinfo=madrid)  # the end of 4 March, desk time
    assert trip.hold_minutes(order_file(date(2027, 3, 4)), NOW, madrid) == int((ends - NOW).total_seconds() // 60)
    assert trip.hold_minutes(order_file(date(2027, 6, 1)), NOW, madrid) == trip.MAX_HOLD_MINUTES
    assert trip.hold_minutes(order_file(date(2027, 2, 1)), NOW, madrid) == trip.MIN_HOLD_MINUTES


def test_ready_only_with_every_supplier_confirmed_and_the_balance_paid():
    order = order_file(date(2027, 3, 4), paid="1000.00")
    order.service_requests = [ServiceRequest(line=3, supplier="Hotel Quirinale", status="requested")]
    assert trip.check_ready(order, NOW) == [] and order.trip == "booked"
    order.service_requests[0].status = "confirmed"
    assert trip.check_ready(order, NOW) == [("ready", None)] and order.trip == "ready"

    unpaid = order_file(date(2027, 3, 4), paid="300.00")
    assert trip.check_ready(unpaid, NOW) == [] and unpaid.trip == "booked"


def test_the_deposit_decides_whether_the_hold_is_confirmed():
    assert not trip.deposit_paid(order_file(date(2027, 3, 4), paid="299.99"))
    assert trip.deposit_paid(order_file(date(2027, 3, 4), paid="300.00"))


def test_a_rebooked_line_shows_beside_the_one_it_replaced():
    order = order_file(date(2027, 3, 4))
    order.booking = {"booking_id": "b", "locator": "HJ29GW", "status": "confirmed", "lines": [
        {"line_id": 7, "product_id": "ca934", "day": "2027-05-10", "quantity": 2, "ticket_number": "HJ29GW-07",
         "status": "confirmed"}]}
    change = trip.booking_changed(order, {"id": 7, "day": date(2027, 5, 10), "ticket_number": "HJ29GW-07",
                                          "status": "changed", "product_id": "ca934"},
                                  {"id": 9, "product_id": "ca848", "day": date(2027, 5, 11), "quantity": 2,
                                   "ticket_number": "HJ29GW-09", "status": "confirmed"},
                                  {"ca934": "CA934 Paris-Beijing", "ca848": "CA848 Barcelona-Beijing"})
    assert change["old_name"] == "CA934 Paris-Beijing" and change["new_day"] == "2027-05-11"
    assert [(line["line_id"], line["status"]) for line in order.booking["lines"]] == [(7, "changed"),
                                                                                      (9, "confirmed")]
