"""Itinerary on the real broker and database, with a real ticketing service for prices and availability."""
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from services.common.errors import Conflict, NotFound, ValidationFailed
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService
from tests.conftest import wait_for
from services.itinerary import wire
from tests.events import assert_honour_contract, outbox_envelopes, subscribe

pytestmark = pytest.mark.service

START = date.today() + timedelta(days=60)


def day(n: int) -> date:
    return START + timedelta(days=n - 1)


@pytest.fixture
def suite(start_service, rpc):
    """Ticketing with a flight (CDG-FCO, day 3) and a Rome hotel room (days 3-5); CRM with the
    customer and the inquiry; itinerary running."""
    ticketing = start_service(TicketingService)
    itinerary = start_service(ItineraryService)
    start_service(CrmService)
    inquiry = rpc.crm.create_inquiry({"channel": "phone", "customer": {"full_name": "Claire Dubois"},
                                      "destinations": ["Paris", "Rome"]})
    airline = rpc.ticketing.create_supplier({"name": "Air France", "kind": "airline"})
    hotelier = rpc.ticketing.create_supplier({"name": "Hotel Quirinale", "kind": "hotel"})
    flight = rpc.ticketing.create_product({
        "supplier_id": airline["id"], "supplier_code": "AF1404-Y", "kind": "flight", "name": "AF1404 Paris-Rome",
        "location": "Paris-Rome", "attributes": {"flight": "AF1404"}, "currency": "EUR"})
    room = rpc.ticketing.create_product({
        "supplier_id": hotelier["id"], "supplier_code": "DBL", "kind": "hotel", "name": "Quirinale double",
        "location": "Rome", "currency": "EUR"})
    rpc.ticketing.set_inventory(flight["id"], {"start": day(3).isoformat(), "end": day(3).isoformat(),
                                               "capacity": 9, "net_price": "120.00", "sell_price": "150.00"})
    rpc.ticketing.set_inventory(room["id"], {"start": day(3).isoformat(), "end": day(4).isoformat(),
                                             "capacity": 5, "net_price": "160.00", "sell_price": "199.00"})
    rpc.ticketing.set_inventory(room["id"], {"start": day(5).isoformat(), "end": day(5).isoformat(),
                                             "capacity": 5, "net_price": "175.50", "sell_price": "210.00"})
    rpc.itinerary.set_exchange_rate({"base": "USD", "quote": "EUR", "rate": "0.9", "valid_from": "2020-01-01"})
    rpc.itinerary.create_markup_rule({"method": "percent", "value": "15"})
    return {"ticketing": ticketing, "itinerary": itinerary, "flight": flight, "room": room,
            "airline": airline, "customer_id": inquiry["customer_id"], "inquiry_id": inquiry["id"]}


def new_itinerary(rpc, suite, **overrides) -> dict:
    return rpc.itinerary.create_itinerary({
        "title": "Paris and Rome", "customer_id": suite["customer_id"], "inquiry_id": suite["inquiry_id"],
        "party": {"adults": 2, "children": [{"age": 9}]}, "start_date": START.isoformat(), "days": 6,
        "currency": "EUR", **overrides})


def build_trip(rpc, suite) -> dict:
    trip = new_itinerary(rpc, suite)
    rpc.itinerary.add_item(trip["id"], 1, {"kind": "hotel", "description": "Hotel Lutetia", "nights": 2,
                                           "supplier_name": "Hotel Lutetia", "unit_cost": "210.00",
                                           "currency": "EUR", "location": "Paris", "quantity": 2})
    rpc.itinerary.add_item(trip["id"], 2, {"kind": "attraction", "description": "Louvre tickets", "location": "Paris",
                                           "supplier_name": "Louvre", "unit_cost": "22.00", "currency": "USD"})
    rpc.itinerary.add_item(trip["id"], 3, {"kind": "flight", "inventory_product_id": suite["flight"]["id"]})
    rpc.itinerary.add_item(trip["id"], 3, {"kind": "hotel", "inventory_product_id": suite["room"]["id"],
                                           "nights": 3, "quantity": 2})
    return rpc.itinerary.get_itinerary(trip["id"])


def rows(database_url: str, sql: str):
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return result.scalar() if result.returns_rows else result.rowcount
    finally:
        engine.dispose()


def test_inventory_items_take_their_prices_and_places_from_ticketing(suite, rpc):
    trip = build_trip(rpc, suite)
    flight, hotel = trip["days"][2]["items"]
    assert (flight["description"], flight["from_location"], flight["to_location"]) == \
        ("AF1404 Paris-Rome", "Paris", "Rome")
    assert (flight["supplier_name"], flight["resolved_quantity"], flight["priced"]) == ("Air France", 3, True)
    assert flight["attributes"] == {"flight": "AF1404"}
    assert [c["net_price"] for c in hotel["costs"]] == ["160.00", "160.00", "175.50"]
    assert (hotel["check_in"], hotel["check_out"], hotel["location"]) == (day(3), day(6), "Rome")

    sheet = rpc.itinerary.cost_sheet(trip["id"])
    lines = {line["description"]: line for line in sheet["lines"]}
    assert lines["AF1404 Paris-Rome"]["net_cost"] == "360.00"           # 3 travellers x 120
    assert lines["Quirinale double"]["net_cost"] == "991.00"            # 2 rooms x (160 + 160 + 175.50)
    assert lines["Louvre tickets"]["net_cost"] == "59.40"               # 3 x 22 USD x 0.9
    assert lines["Hotel Lutetia"]["net_cost"] == "840.00"               # 2 rooms x 2 nights x 210
    assert sheet["totals"]["cost"] == "2250.40"
    assert Decimal(sheet["totals"]["sell"]) == sum(Decimal(line["sell_amount"]) for line in sheet["lines"])
    assert sheet["rates"] == [{"base": "USD", "quote": "EUR", "rate": "0.9", "valid_from": "2020-01-01"}]


def test_issue_revise_and_accept_announce_each_fact(suite, rpc, amqp, nameko_config):
    trip = build_trip(rpc, suite)
    with subscribe(amqp, nameko_config, "itinerary.*") as received:
        v1 = rpc.itinerary.issue_quote(trip["id"], {"note": "First proposal"})
        rpc.itinerary.update_item(trip["id"], trip["days"][0]["items"][0]["id"],
                                  {"description": "Hotel Le Marais", "supplier_name": "Hotel Le Marais",
                                   "unit_cost": "185.00"})
        v2 = rpc.itinerary.issue_quote(trip["id"])
        accepted = rpc.itinerary.accept_quote(trip["id"], 2, {"note": "Signed at the counter"})
        events = wait_for(lambda: len(received()) >= 3 and received(), message="three itinerary events")
    assert (v1["version"], v2["version"], accepted["status"]) == (1, 2, "accepted")
    assert Decimal(v2["total"]) < Decimal(v1["total"])
    assert rpc.itinerary.get_quote(trip["id"], 1)["status"] == "superseded"
    by_type = {}
    for body, _ in events:
        by_type.setdefault(body["type"], []).append(body["payload"])
    issued = by_type["itinerary.quote_issued"]
    ids = (suite["customer_id"], suite["inquiry_id"])
    assert [(e["version"], e["customer_id"], e["inquiry_id"]) for e in issued] == [(1, *ids), (2, *ids)]
    assert issued[1]["supersedes"]["version"] == 1
    [payload] = by_type["itinerary.quote_accepted"]
    assert (payload["customer_id"], payload["inquiry_id"], payload["version"]) == (*ids, 2)
    assert payload["quote_number"] == issued[0]["quote_number"] == v1["snapshot"]["quote"]["number"]
    assert payload["total"] == str(v2["total"]) and payload["currency"] == "EUR"
    assert payload["party"] == {"adults": 2, "children": [{"age": 9}]}
    assert [t["type"] for t in payload["travellers"]] == ["adult", "adult", "child"]
    assert sum(Decimal(t["price"]) for t in payload["travellers"]) == Decimal(payload["total"])
    flight = next(line for line in payload["lines"] if line["kind"] == "flight")
    assert (flight["inventory_product_id"], flight["service_date"], flight["quantity"]) == \
        (suite["flight"]["id"], day(3).isoformat(), 3)
    rome = next(line for line in payload["lines"] if line["inventory_product_id"] == suite["room"]["id"])
    assert (rome["check_in"], rome["nights"], rome["quantity"]) == (day(3).isoformat(), 3, 2)
    assert payload["cancellation_terms"][0] == {"days_before": 45, "penalty_percent": "10"}
    assert payload["payment_terms"]["deposit_percent"] == "30"
    assert payload["totals"]["total"] == payload["total"]
    assert rpc.itinerary.get_itinerary(trip["id"])["status"] == "accepted"
    with pytest.raises(Conflict):
        rpc.itinerary.add_day(trip["id"])


def test_rejected_and_superseded_versions_cannot_be_accepted(suite, rpc, amqp, nameko_config):
    trip = build_trip(rpc, suite)
    rpc.itinerary.issue_quote(trip["id"])
    rpc.itinerary.issue_quote(trip["id"])
    with pytest.raises(Conflict, match="superseded"):
        rpc.itinerary.accept_quote(trip["id"], 1)
    with subscribe(amqp, nameko_config, "itinerary.quote_rejected") as received:
        rpc.itinerary.reject_quote(trip["id"], 2, {"note": "Too expensive"})
        [(event, _)] = wait_for(received, message="quote_rejected")
    assert (event["payload"]["customer_id"], event["payload"]["inquiry_id"], event["payload"]["reason"]) == \
        (suite["customer_id"], suite["inquiry_id"], "Too expensive")
    with pytest.raises(Conflict, match="already rejected"):
        rpc.itinerary.accept_quote(trip["id"], 2)
    assert rpc.itinerary.get_itinerary(trip["id"])["status"] == "draft"
    with pytest.raises(NotFound):
        rpc.itinerary.accept_quote(trip["id"], 9)


def test_the_timer_expires_quotes_past_their_validity(suite, rpc, amqp, nameko_config):
    trip = build_trip(rpc, suite)
    quote = rpc.itinerary.issue_quote(trip["id"])
    url = suite["itinerary"].config["DATABASE_URLS"]["itinerary"]
    rows(url, f"UPDATE quotes SET valid_until = '2001-01-01' WHERE id = '{quote['id']}'")
    with pytest.raises(Conflict, match="expired"):  # refused even before the timer runs
        rpc.itinerary.accept_quote(trip["id"], 1)
    with subscribe(amqp, nameko_config, "itinerary.quote_expired") as received:
        [(event, _)] = wait_for(received, timeout=15, message="quote_expired")
    assert (event["payload"]["quote_id"], event["payload"]["customer_id"], event["payload"]["inquiry_id"]) == \
        (quote["id"], suite["customer_id"], suite["inquiry_id"])
    assert rpc.itinerary.get_quote(trip["id"], 1)["status"] == "expired"
    assert rpc.itinerary.get_itinerary(trip["id"])["status"] == "draft"


def test_every_event_itinerary_declares_is_emitted_as_its_wire_contract_says(suite, rpc):
    """Issue, supersede, expire, reject and accept: each fact's outbox envelope against wire.EVENTS."""
    trip = build_trip(rpc, suite)
    url = suite["itinerary"].config["DATABASE_URLS"]["itinerary"]
    first = rpc.itinerary.issue_quote(trip["id"])
    rows(url, f"UPDATE quotes SET valid_until = '2001-01-01' WHERE id = '{first['id']}'")
    wait_for(lambda: rpc.itinerary.get_quote(trip["id"], 1)["status"] == "expired", timeout=15,
             message="the timer expires version 1")
    rpc.itinerary.issue_quote(trip["id"])
    rpc.itinerary.reject_quote(trip["id"], 2, {"note": "Too expensive"})
    rpc.itinerary.issue_quote(trip["id"])
    rpc.itinerary.issue_quote(trip["id"], {"note": "With the Louvre at opening time"})  # supersedes 3
    rpc.itinerary.accept_quote(trip["id"], 4)
    envelopes = outbox_envelopes(url)
    assert_honour_contract(envelopes, wire.EVENTS)
    issued = [e["payload"] for e in envelopes if e["type"] == "itinerary.quote_issued"]
    assert [(p["version"], p["supersedes"]) for p in issued] == [
        (1, None), (2, None), (3, None), (4, {"quote_id": issued[2]["quote_id"], "version": 3})]


def test_bad_items_are_refused_and_write_nothing(suite, rpc):
    trip = new_itinerary(rpc, suite)
    url = suite["itinerary"].config["DATABASE_URLS"]["itinerary"]
    with pytest.raises(ValidationFailed) as unknown:
        rpc.itinerary.add_item(trip["id"], 1, {"kind": "flight", "inventory_product_id": "no-such-product"})
    assert "inventory_product_id" in unknown.value.details
    with pytest.raises(ValidationFailed) as wrong_kind:
        rpc.itinerary.add_item(trip["id"], 1, {"kind": "train", "inventory_product_id": suite["room"]["id"]})
    assert "hotel" in wrong_kind.value.details["inventory_product_id"][0]
    with pytest.raises(ValidationFailed) as negative:
        rpc.itinerary.add_item(trip["id"], 1, {"kind": "meal", "description": "Dinner", "supplier_name": "Bistrot",
                                               "unit_cost": "-5", "currency": "EUR"})
    assert "unit_cost" in negative.value.details
    with pytest.raises(ValidationFailed) as no_rate:
        rpc.itinerary.add_item(trip["id"], 1, {"kind": "meal", "description": "Dinner", "supplier_name": "Pub",
                                               "unit_cost": "25", "currency": "GBP"})
    assert "GBP to EUR" in no_rate.value.details["currency"][0]
    with pytest.raises(ValidationFailed) as ageless:
        new_itinerary(rpc, suite, party={"adults": 2, "children": [{"name": "Lucía"}]})
    assert ageless.value.details["party"]["children"]["0"]["age"] == ["Missing data for required field."]
    assert rows(url, "SELECT count(*) FROM itinerary_items") == 0
    assert rows(url, "SELECT count(*) FROM itineraries") == 1
    assert rpc.itinerary.get_itinerary(trip["id"])["revision"] == 1


def test_checks_list_problems_and_ask_ticketing_for_availability(suite, rpc):
    trip = build_trip(rpc, suite)
    # The Rome hotel's third night is closed; a transfer is dated after the trip.
    rpc.ticketing.set_inventory(suite["room"]["id"], {"start": day(5).isoformat(), "end": day(5).isoformat(),
                                                      "stop_sell": True})
    rpc.itinerary.add_item(trip["id"], 6, {"kind": "transfer", "description": "Hotel to FCO",
                                           "supplier_name": "Rome Cars", "unit_cost": "60", "currency": "EUR",
                                           "from_location": "Rome", "to_location": "Fiumicino",
                                           "service_date": (START + timedelta(days=9)).isoformat()})
    result = rpc.itinerary.check_itinerary(trip["id"])
    problems = {(p["code"], p["item_id"]) for p in result["problems"]}
    items = {i["description"]: i["id"] for d in rpc.itinerary.get_itinerary(trip["id"])["days"] for i in d["items"]}
    assert ("not_available", items["Quirinale double"]) in problems
    assert ("outside_trip", items["Hotel to FCO"]) in problems
    assert not any(code == "not_available" and item == items["AF1404 Paris-Rome"] for code, item in problems)
    offline = rpc.itinerary.check_itinerary(trip["id"], False)
    assert offline["availability_checked"] is False
    assert not any(p["code"] == "not_available" for p in offline["problems"])


def test_a_low_margin_needs_a_managers_approval_of_that_revision(suite, rpc):
    rules = rpc.itinerary.list_markup_rules()
    rpc.itinerary.update_markup_rule(rules[0]["id"], {"value": "5"})
    trip = build_trip(rpc, suite)
    sheet = rpc.itinerary.cost_sheet(trip["id"])
    assert sheet["approval"]["needed"] and "margin" in sheet["approval"]["reasons"][0]
    with pytest.raises(Conflict, match="approval"):
        rpc.itinerary.issue_quote(trip["id"])
    approval = rpc.itinerary.approve(trip["id"], {"note": "Repeat customer"})
    assert approval["revision"] == rpc.itinerary.get_itinerary(trip["id"])["revision"]
    assert rpc.itinerary.cost_sheet(trip["id"])["approval"]["approved"]["note"] == "Repeat customer"
    rpc.itinerary.update_itinerary(trip["id"], {"discount_percent": "2"})
    with pytest.raises(Conflict, match="approval"):  # a new revision, a new price: approve again
        rpc.itinerary.issue_quote(trip["id"])
    rpc.itinerary.approve(trip["id"])
    quote = rpc.itinerary.issue_quote(trip["id"])
    assert quote["snapshot"]["approval"]["approved_by"] == "service:itinerary"  # no gateway user here
    assert "margin" in quote["snapshot"]["approval"]["reasons"][0]


def test_moving_the_start_date_moves_the_items_and_reprices_them(suite, rpc):
    trip = build_trip(rpc, suite)
    moved = rpc.itinerary.update_itinerary(trip["id"], {"start_date": (START + timedelta(days=1)).isoformat()})
    items = {i["inventory_product_id"]: i for d in moved["days"] for i in d["items"] if i["inventory_product_id"]}
    flight, hotel = items[suite["flight"]["id"]], items[suite["room"]["id"]]
    assert (flight["service_date"], hotel["check_in"]) == (day(4), day(4))
    # Ticketing has no flight on the new date and no room on the new last night.
    assert (flight["priced"], hotel["priced"]) == (False, False)
    assert [c["date"] for c in hotel["costs"]] == [day(4).isoformat(), day(5).isoformat()]
    assert set(rpc.itinerary.cost_sheet(trip["id"])["unpriced_items"]) == {flight["id"], hotel["id"]}
    with pytest.raises(Conflict, match="no price"):
        rpc.itinerary.issue_quote(trip["id"])
    rpc.ticketing.set_inventory(suite["room"]["id"], {"start": day(6).isoformat(), "end": day(6).isoformat(),
                                                      "capacity": 5, "net_price": "150.00", "sell_price": "190.00"})
    rpc.ticketing.set_inventory(suite["flight"]["id"], {"start": day(4).isoformat(), "end": day(4).isoformat(),
                                                        "capacity": 5, "net_price": "99.00", "sell_price": "130.00"})
    refreshed = rpc.itinerary.refresh_prices(trip["id"])
    assert sorted(refreshed["changed_items"]) == sorted([flight["id"], hotel["id"]])
    assert refreshed["itinerary"]["revision"] > moved["revision"]
    assert rpc.itinerary.issue_quote(trip["id"])["version"] == 1


def test_catalog_lists_featured_then_newest_and_seeds_itineraries(suite, rpc):
    def product(code, **kw):
        return rpc.itinerary.create_catalog_product({
            "code": code, "name": code, "kind": "package", "duration_days": 3, "published": True, **kw})

    product("OLD")
    special = product("YUNNAN-TRAIN", featured=True, rank=2, destination="Yunnan")
    charter = product("CANCUN-CHARTER", featured=True, rank=1, destination="Cancun")
    product("DRAFT", published=False)
    newest = product("ROME-CITY", template=[
        {"day": 1, "title": "Arrival in Rome", "items": [
            {"kind": "flight", "inventory_product_id": suite["flight"]["id"]},
            {"kind": "hotel", "inventory_product_id": suite["room"]["id"], "nights": 2}]},
        {"day": 2, "title": "Vatican", "items": [
            {"kind": "guide", "description": "Vatican guide", "supplier_name": "Roma Guides", "unit_cost": "180",
             "currency": "EUR", "location": "Rome"}]}],
        seasons=[{"name": "Summer", "start": "2027-06-01", "end": "2027-08-31", "currency": "EUR",
                  "adult_price": "990.00", "child_price": "740.00"}])
    folder = [p["code"] for p in rpc.itinerary.published_catalog()["items"]]
    assert folder == ["CANCUN-CHARTER", "YUNNAN-TRAIN", "ROME-CITY", "OLD"]
    assert rpc.itinerary.list_catalog_products()["total"] == 5
    second = rpc.itinerary.published_catalog({"page": 2, "page_size": 3})
    assert ([p["code"] for p in second["items"]], second["total"]) == (["OLD"], 4)
    assert newest["seasons"][0]["adult_price"] == Decimal("990.00")
    assert special["featured"] and charter["rank"] == 1

    trip = rpc.itinerary.create_itinerary({
        "catalog_product_id": newest["id"], "party": {"adults": 2}, "start_date": day(3).isoformat(),
        "currency": "EUR", "customer_id": "cust-9"})
    assert (trip["origin"], trip["title"], len(trip["days"]), trip["revision"]) == ("catalog", "ROME-CITY", 3, 1)
    assert [d["title"] for d in trip["days"]] == ["Arrival in Rome", "Vatican", None]
    flight, hotel = trip["days"][0]["items"]
    assert (flight["priced"], hotel["priced"], hotel["check_in"]) == (True, True, day(3))
    with pytest.raises(ValidationFailed):
        rpc.itinerary.create_catalog_product({"code": "OLD", "name": "again", "kind": "route", "duration_days": 1})


def test_issuing_a_fourteen_day_quote_with_sixty_items(suite, rpc):
    """No RPC to ticketing at issue time: the latency is the service's own (printed, not asserted)."""
    trip = new_itinerary(rpc, suite, days=14, start_date=day(1).isoformat())
    for n in range(60):
        number = n // 5 + 1  # 5 items a day over 12 days, the flight on day 3
        if n % 20 == 2:
            rpc.itinerary.add_item(trip["id"], 3, {"kind": "flight", "inventory_product_id": suite["flight"]["id"]})
        else:
            rpc.itinerary.add_item(trip["id"], number, {
                "kind": ["attraction", "meal", "guide", "transfer"][n % 4], "description": f"Service {n}",
                "supplier_name": f"Supplier {n % 7}", "unit_cost": f"{10 + n}.{n % 100:02d}",
                "currency": "USD" if n % 3 else "EUR"})
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        quote = rpc.itinerary.issue_quote(trip["id"])
        timings.append((time.perf_counter() - began) * 1000)
    lines = quote["snapshot"]["lines"]
    assert len(lines) == 60 and quote["version"] == 5
    assert Decimal(quote["snapshot"]["totals"]["sell"]) == sum(Decimal(line["sell_amount"]) for line in lines)
    print(f"\nissue_quote, 14 days / 60 items, RPC round trip: best {min(timings):.1f} ms, "
          f"median {sorted(timings)[2]:.1f} ms")
