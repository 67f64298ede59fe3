"""The trip on the real broker and databases, with real CRM, itinerary, ticketing and contracts:
signed -> held (in ticketing, under the order number) -> deposit -> booked (locators) -> the hand
entered services confirmed -> balance -> ready -> departed -> completed, and each way it stops or
is undone: sold out, a supplier declining, a cancellation at each step, a step sent twice."""
from datetime import date, timedelta
from decimal import Decimal

import eventlet
import pytest
from sqlalchemy import create_engine, text

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService
from tests.clock import travel_to
from tests.conftest import wait_for
from tests.events import outbox_envelopes

pytestmark = pytest.mark.service

START = date.today() + timedelta(days=60)
END = START + timedelta(days=4)


def day(n: int) -> date:
    return START + timedelta(days=n - 1)


def sql(url: str, statement: str, **params):
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else result.rowcount
    finally:
        engine.dispose()


@pytest.fixture
def suite(start_service, rpc, database_url):
    urls = {name: database_url(name) for name in ("contracts", "ticketing", "crm")}
    start_service(CrmService, DATABASE_URLS={"crm": urls["crm"]})
    start_service(ItineraryService)
    start_service(TicketingService, DATABASE_URLS={"ticketing": urls["ticketing"]})
    start_service(ContractsService, DATABASE_URLS={"contracts": urls["contracts"]}, TRIP_DESK_OWNER="consultant1")
    rpc.itinerary.create_markup_rule({"method": "percent", "value": "15"})
    airline = rpc.ticketing.create_supplier({"name": "Air China", "kind": "airline"})
    hotelier = rpc.ticketing.create_supplier({"name": "Hôtel du Louvre", "kind": "hotel"})
    outbound = rpc.ticketing.create_product({
        "supplier_id": airline["id"], "supplier_code": "CA933-Y", "kind": "flight", "name": "CA933 Beijing-Paris",
        "location": "Beijing-Paris", "currency": "EUR"})
    back = rpc.ticketing.create_product({
        "supplier_id": airline["id"], "supplier_code": "CA934-Y", "kind": "flight", "name": "CA934 Paris-Beijing",
        "location": "Paris-Beijing", "currency": "EUR"})
    room = rpc.ticketing.create_product({
        "supplier_id": hotelier["id"], "supplier_code": "DBL", "kind": "hotel", "name": "Louvre double",
        "location": "Paris", "currency": "EUR"})
    for product, first, last, capacity, net in ((outbound, 1, 1, 9, "480.00"), (back, 5, 5, 9, "470.00"),
                                                (room, 1, 4, 3, "180.00")):
        rpc.ticketing.set_inventory(product["id"], {"start": day(first).isoformat(), "end": day(last).isoformat(),
                                                    "capacity": capacity, "net_price": net, "sell_price": net})
    customer = rpc.crm.create_customer({
        "full_name": "王小明", "email": "wang@example.cn", "preferred_language": "zh", "date_of_birth": "1985-03-02",
        "documents": [{"type": "passport", "number": "E12345678", "country": "CN",
                       "expiry": (END + timedelta(days=400)).isoformat()}]})
    return {"urls": urls, "customer": customer, "outbound": outbound, "back": back, "room": room}


def signed_order(rpc, suite, *, rooms: int = 1) -> dict:
    """The Paris trip quoted, accepted, its order file signed in person."""
    plan = rpc.itinerary.create_itinerary({"title": f"Paris {rooms}", "customer_id": suite["customer"]["id"],
                                           "party": {"adults": 2, "children": []}, "start_date": START.isoformat(),
                                           "days": 5, "currency": "EUR"})
    rpc.itinerary.add_item(plan["id"], 1, {"kind": "flight", "inventory_product_id": suite["outbound"]["id"]})
    rpc.itinerary.add_item(plan["id"], 1, {"kind": "hotel", "inventory_product_id": suite["room"]["id"],
                                           "nights": 4, "quantity": rooms})
    rpc.itinerary.add_item(plan["id"], 2, {"kind": "guide", "description": "Louvre guide (Mandarin)",
                                           "supplier_name": "Paris Guides", "unit_cost": "150.00", "currency": "EUR",
                                           "location": "Paris"})
    rpc.itinerary.add_item(plan["id"], 5, {"kind": "flight", "inventory_product_id": suite["back"]["id"]})
    quote = rpc.itinerary.issue_quote(plan["id"])
    rpc.itinerary.accept_quote(plan["id"], quote["version"])
    summary = wait_for(lambda: next((o for o in rpc.contracts.list_order_files({})["items"]
                                     if o["title"] == plan["title"]), None), timeout=15, message="order file opened")
    return rpc.contracts.sign_in_person(summary["id"], {"signed_by": "王小明"})


def stage(rpc, order_id: str, wanted: str, timeout: float = 20) -> dict:
    def reached():
        order = rpc.contracts.get_order_file(order_id)
        return order if order["trip"]["stage"] == wanted else None
    return wait_for(reached, timeout=timeout, message=f"trip stage {wanted}")


def pay(rpc, order: dict, n: int) -> dict:
    due = next(s for s in rpc.contracts.get_order_file(order["id"])["schedule"] if s["n"] == n)
    return rpc.contracts.record_payment(order["id"], {"amount": str(due["amount"]), "currency": "EUR",
                                                      "method": "card", "desk": "front"})


def held_units(rpc, product_id: str, on: date) -> tuple[int, int]:
    [entry] = rpc.ticketing.get_inventory(product_id, on, on)
    return entry["booked"], entry["held"]


def test_signed_held_deposit_booked_confirmed_paid_ready(suite, rpc):
    order = signed_order(rpc, suite)
    assert order["trip"]["stage"] == "holding"
    [guide] = order["trip"]["supplier_requests"]
    assert (guide["supplier"], guide["status"]) == ("Paris Guides", "requested")

    held = stage(rpc, order["id"], "held")
    hold = rpc.ticketing.get_hold(held["trip"]["hold_id"])
    assert hold["reference"] == order["order_number"] and hold["status"] == "active"
    deposit_due = held["schedule"][0]["due_on"]
    assert hold["expires_at"].date() in (deposit_due, deposit_due + timedelta(days=1))  # end of its due day
    assert held_units(rpc, suite["outbound"]["id"], day(1)) == (0, 2)
    assert held_units(rpc, suite["room"]["id"], day(4)) == (0, 1)

    pay(rpc, order, 1)
    booked = stage(rpc, order["id"], "booked")
    booking = booked["trip"]["booking"]
    assert rpc.ticketing.get_booking(booking["locator"])["reference"] == order["order_number"]
    assert len(booking["lines"]) == 6 and all(line["ticket_number"].startswith(booking["locator"])
                                              for line in booking["lines"])
    assert held_units(rpc, suite["outbound"]["id"], day(1)) == (2, 0)

    # Ready only when the guide is confirmed *and* the balance is paid.
    rpc.contracts.answer_supplier_request(order["id"], guide["id"], {"confirmed": True, "reference": "PG-2201",
                                                                     "answered_by": "Mme Laurent"})
    assert rpc.contracts.get_order_file(order["id"])["trip"]["stage"] == "booked"
    pay(rpc, order, 2)
    ready = stage(rpc, order["id"], "ready")
    assert ready["outstanding"] == Decimal("0.00")
    # Every step ran once, each under its own id.
    steps = ready["trip"]["steps"]
    assert [s["action"] for s in steps if s["action"] in ("hold", "book")] == ["hold", "book"]
    assert all(s["status"] == "done" for s in steps if s["action"] in ("hold", "book"))


def test_sold_out_holds_nothing_names_the_lines_and_asks_the_consultant(suite, rpc):
    order = signed_order(rpc, suite, rooms=4)  # the hotel has 3 rooms a night
    stuck = stage(rpc, order["id"], "unavailable")
    [attention] = stuck["trip"]["attention"]
    assert attention["reason"] == "unavailable"
    short = attention["details"]["lines"]
    assert {line["day"] for line in short} == {day(n).isoformat() for n in range(1, 5)}
    assert all(line["product_id"] == suite["room"]["id"] and line["available"] == 3 for line in short)
    assert held_units(rpc, suite["outbound"]["id"], day(1)) == (0, 0)  # all or nothing
    page = rpc.contracts.needing_attention({})
    assert [(a["order_number"], a["reason"]) for a in page["items"]] == [(order["order_number"], "unavailable")]

    follow_up = wait_for(lambda: next(iter(rpc.crm.search_follow_ups(
        {"customer_id": suite["customer"]["id"]})["items"]), None), timeout=15, message="follow-up for the consultant")
    assert follow_up["owner"] == "consultant1" and order["order_number"] in follow_up["note"]


def test_a_supplier_declining_puts_the_order_file_on_the_list(suite, rpc):
    order = signed_order(rpc, suite)
    [guide] = order["trip"]["supplier_requests"]
    answered = rpc.contracts.answer_supplier_request(order["id"], guide["id"], {"confirmed": False,
                                                                                "note": "No Mandarin guide that day"})
    assert answered["status"] == "declined"
    reasons = [a["reason"] for a in rpc.contracts.get_order_file(order["id"])["trip"]["attention"]]
    assert "supplier_declined" in reasons


@pytest.mark.parametrize("when", ["held", "booked"])
def test_cancelling_releases_the_holds_or_cancels_the_booking(suite, rpc, when):
    order = signed_order(rpc, suite)
    stage(rpc, order["id"], "held")
    if when == "booked":
        pay(rpc, order, 1)
        stage(rpc, order["id"], "booked")
    rpc.contracts.cancel_order_file(order["id"], {"reason": "Family emergency"})

    def undone():
        current = rpc.contracts.get_order_file(order["id"])
        return current if all(s["status"] != "pending" for s in current["trip"]["steps"]) else None
    done = wait_for(undone, timeout=20, message="compensations sent")
    assert done["trip"]["stage"] == "cancelled" and done["status"] == "cancelled"
    assert held_units(rpc, suite["outbound"]["id"], day(1)) == (0, 0)
    assert held_units(rpc, suite["room"]["id"], day(2)) == (0, 0)
    assert [r["status"] for r in done["trip"]["supplier_requests"]] == ["withdrawn"]
    if when == "booked":
        assert rpc.ticketing.get_booking(done["trip"]["booking"]["locator"])["status"] == "cancelled"
        assert Decimal(done["cancellation"]["paid"]) > 0


def test_a_step_sent_again_after_a_lost_answer_changes_nothing(suite, rpc):
    """As if contracts had crashed after ticketing placed the hold and before recording it: the
    step is pending again, and the runner sends the same command under the same request id."""
    order = signed_order(rpc, suite)
    held = stage(rpc, order["id"], "held")
    url = suite["urls"]["contracts"]
    assert sql(url, "UPDATE trip_steps SET status = 'pending', done_at = NULL WHERE action = 'hold' "
                    "AND order_file_id = :o", o=order["id"]) == 1
    sql(url, "UPDATE order_files SET trip = 'holding' WHERE id = :o", o=order["id"])
    again = stage(rpc, order["id"], "held")
    assert again["trip"]["hold_id"] == held["trip"]["hold_id"]
    assert sql(suite["urls"]["ticketing"], "SELECT count(*) FROM holds WHERE reference = :r",
               r=order["order_number"]) == [(1,)]
    assert held_units(rpc, suite["outbound"]["id"], day(1)) == (0, 2)


def test_departs_and_completes_by_the_travel_dates(suite, rpc, monkeypatch):
    order = signed_order(rpc, suite)
    [guide] = order["trip"]["supplier_requests"]
    stage(rpc, order["id"], "held")
    pay(rpc, order, 1)
    stage(rpc, order["id"], "booked")
    rpc.contracts.answer_supplier_request(order["id"], guide["id"], {"confirmed": True, "reference": "PG-1"})
    pay(rpc, order, 2)
    stage(rpc, order["id"], "ready")

    travel_to(monkeypatch, START)
    stage(rpc, order["id"], "travelling", timeout=15)
    travel_to(monkeypatch, END + timedelta(days=1))
    done = stage(rpc, order["id"], "completed", timeout=15)
    assert not done["trip"]["attention"]


def test_a_redelivered_rebooking_changes_nothing_more(suite, rpc, monkeypatch, nameko_config):
    """Ticketing rebooks the return flight during the trip; the same event delivered again (as a
    broker redelivery would) adds no second line, notice or incident."""
    import json

    from nameko.amqp.publish import Publisher
    from nameko.standalone.events import get_event_exchange

    order = signed_order(rpc, suite)
    [guide] = order["trip"]["supplier_requests"]
    stage(rpc, order["id"], "held")
    pay(rpc, order, 1)
    booked = stage(rpc, order["id"], "booked")
    rpc.contracts.answer_supplier_request(order["id"], guide["id"], {"confirmed": True, "reference": "PG-1"})
    pay(rpc, order, 2)
    stage(rpc, order["id"], "ready")
    travel_to(monkeypatch, START)
    stage(rpc, order["id"], "travelling", timeout=15)

    locator = booked["trip"]["booking"]["locator"]
    back = next(line for line in booked["trip"]["booking"]["lines"] if line["product_id"] == suite["back"]["id"])
    rpc.ticketing.set_inventory(suite["back"]["id"], {"start": day(6).isoformat(), "end": day(6).isoformat(),
                                                      "capacity": 9, "net_price": "470.00", "sell_price": "470.00"})
    rpc.ticketing.change_booking_line(locator, back["line_id"], {"day": day(6).isoformat()})

    def changed():
        current = rpc.contracts.get_trip(order["id"])
        return current if len(current["booking"]["lines"]) == 7 else None
    wait_for(changed, timeout=15, message="the rebooked line on the order file")
    [envelope] = [e for e in outbox_envelopes(suite["urls"]["ticketing"]) if e["type"] == "ticketing.booking_changed"]
    publisher = Publisher(nameko_config["AMQP_URI"], serializer="json")
    publisher.publish(json.loads(json.dumps(envelope)), exchange=get_event_exchange("ticketing", nameko_config),
                      routing_key="booking_changed")
    eventlet.sleep(3)
    after = rpc.contracts.get_order_file(order["id"])
    assert len(after["trip"]["booking"]["lines"]) == 7
    notices = [s for s in after["trip"]["steps"] if s["action"] == "message" and s["request_id"].endswith(":message:3")]
    assert len([s for s in after["trip"]["steps"] if s["action"] == "message"]) == 3  # letter, documents, one notice
    assert len(notices) == 1
    assert len(rpc.contracts.list_incidents(order["id"])) == 1
