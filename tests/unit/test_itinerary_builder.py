"""Itinerary builder and quote rules on SQLite, no broker: days, items, dates, prices, versions."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from services.common.errors import Conflict, ValidationFailed
from services.itinerary import checks, costing, itineraries, pricing, quotes, wire
from services.itinerary.inventory import InventoryData, route_ends
from services.itinerary.models import Base

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
START = date(2027, 5, 3)


def manual(kind, description, cost, **kw):
    return {"kind": kind, "description": description, "supplier_name": kw.pop("supplier_name", "Agency partner"),
            "unit_cost": D(cost), "currency": kw.pop("currency", "EUR"), **kw}


def new_trip(session, days=5, product=None, **fields):
    return itineraries.create(session, {"party": {"adults": 2, "children": [{"age": 10}]}, "start_date": START,
                                        "days": days, "currency": "EUR", "customer_id": "c1", "inquiry_id": "q1",
                                        **fields}, settings=pricing.settings(session), actor="user:ana", now=NOW,
                              product=product)


def add(trip, day, fields, data=None):
    return itineraries.add_item(trip, day, fields, data or InventoryData(), actor="user:ana", now=NOW)


def flight_data(pid="p-fl", kind="flight", prices=None) -> InventoryData:
    data = InventoryData(fetched={pid})
    data.products[pid] = {"id": pid, "kind": kind, "name": "AZ331 Paris-Rome", "location": "Paris-Rome",
                          "currency": "EUR", "supplier_id": "s-az", "attributes": {"flight": "AZ331"}}
    data.suppliers["s-az"] = {"id": "s-az", "name": "ITA Airways"}
    for on, price in (prices or {}).items():
        data.days[(pid, on)] = {"net_price": D(price), "sell_price": D(price) + 20, "status": "available",
                                "available": 9}
    return data


def test_a_new_itinerary_takes_the_settings_defaults(session):
    trip = new_trip(session)
    record = itineraries.as_dict(trip)
    assert (record["origin"], record["status"], record["revision"]) == ("inquiry", "draft", 1)
    assert record["child_factor"] == D("0.75") and record["end_date"] == START + timedelta(days=4)
    assert [d["date"] for d in record["days"]][:2] == [START, START + timedelta(days=1)]
    assert record["party"] == {"adults": 2, "children": [{"age": 10}]}


def test_items_take_their_day_date_and_quantities_follow_the_party(session):
    trip = new_trip(session)
    hotel = add(trip, 2, manual("hotel", "Hotel Lutetia", "200", nights=3, location="Paris"))
    tickets = add(trip, 3, manual("attraction", "Louvre", "22", location="Paris"))
    assert (hotel.service_date, hotel.basis, hotel.position) == (START + timedelta(days=1), "per_night", 1)
    party = itineraries.party_of(trip)
    assert itineraries.item_dict(hotel, party)["check_out"] == START + timedelta(days=4)
    assert itineraries.item_dict(hotel, party)["resolved_quantity"] == 2   # 3 travellers, 2 to a room
    assert itineraries.item_dict(tickets, party)["resolved_quantity"] == 3  # everyone
    assert trip.revision == 3


@pytest.mark.parametrize("adults, ages, occupancy, product, quantity, rooms", [
    (2, [], None, None, None, 1),         # a couple: one double room
    (2, [8], None, None, None, 2),        # a family of three in doubles: two rooms
    (2, [8], None, "3", None, 1),         # ... in the product's triple room: one
    (2, [8, 5], 3, "2", None, 2),         # the planner's occupancy wins over the product's
    (2, [8], None, "lots", None, 2),      # a product attribute that is not a number is ignored
    (2, [8], 3, None, 2, 2),              # the planner's room count wins over everything
    (5, [], None, None, None, 3),
])
def test_hotel_rooms_follow_the_party_and_the_room_occupancy(session, adults, ages, occupancy, product, quantity,
                                                             rooms):
    trip = new_trip(session, party={"adults": adults, "children": [{"age": a} for a in ages]})
    fields = manual("hotel", "Lijiang Old Town Inn", "300", nights=2, occupancy=occupancy, quantity=quantity,
                    attributes={"max_occupancy": product} if product else {})
    hotel = add(trip, 1, fields)
    assert itineraries.item_dict(hotel, itineraries.party_of(trip))["resolved_quantity"] == rooms
    line = costing.cost_sheet(itineraries.plan_of(trip), costing.Pricing(), [],
                              costing.RateBook([], START))["lines"][0]
    assert (line["quantity"], line["units"], line["net_cost"]) == (rooms, rooms * 2, D(300 * rooms * 2))


def test_the_single_supplement_is_for_an_adult_alone_in_a_double_room(session):
    trip = new_trip(session, party={"adults": 3, "children": []})
    double = add(trip, 1, manual("hotel", "Double", "100", nights=1))
    triple = add(trip, 2, manual("hotel", "Triple", "150", nights=1, occupancy=3))
    session.flush()
    lines = {line["item_id"]: line for line in costing.cost_sheet(
        itineraries.plan_of(trip), costing.Pricing(), [], costing.RateBook([], START))["lines"]}
    assert lines[double.id]["single_supplement"] == D("50.00")  # half of one of the 2 rooms
    assert (lines[triple.id]["quantity"], lines[triple.id]["single_supplement"]) == (1, D("0"))


def test_an_inventory_item_takes_its_product_and_prices_and_may_miss_a_date(session):
    trip = new_trip(session)
    data = flight_data(prices={START + timedelta(days=2): "140.00"})
    item = add(trip, 3, {"kind": "flight", "inventory_product_id": "p-fl"}, data)
    assert (item.description, item.currency, item.supplier_name) == ("AZ331 Paris-Rome", "EUR", "ITA Airways")
    assert (item.from_location, item.to_location, item.attributes) == ("Paris", "Rome", {"flight": "AZ331"})
    assert itineraries.unit_costs(item) == (D("140.00"),)
    later = add(trip, 4, {"kind": "flight", "inventory_product_id": "p-fl"}, data)  # no price that day
    assert itineraries.unit_costs(later) is None and later.costs == []
    with pytest.raises(ValidationFailed) as caught:
        add(trip, 3, {"kind": "hotel", "inventory_product_id": "p-fl", "nights": 1}, data)
    assert "inventory_product_id" in caught.value.details
    assert route_ends("Aix-en-Provence") == (None, None) and route_ends("Rome - Barcelona") == ("Rome", "Barcelona")


def test_removing_a_day_drops_its_items_and_moves_the_later_ones(session):
    trip = new_trip(session)
    first = add(trip, 1, manual("meal", "Welcome dinner", "50", location="Paris"))
    add(trip, 2, manual("guide", "Paris walk", "120", location="Paris"))
    last = add(trip, 4, manual("hotel", "Hotel Roma", "150", nights=1, location="Rome"))
    session.flush()
    itineraries.remove_day(session, trip, 2, actor="user:ana", now=NOW)
    session.flush()
    assert [d.number for d in trip.days] == [1, 2, 3, 4]
    assert [i.description for i in trip.items] == ["Welcome dinner", "Hotel Roma"]
    assert (first.day_number, first.service_date) == (1, START)
    assert (last.day_number, last.service_date) == (3, START + timedelta(days=2))
    with pytest.raises(Conflict):
        for number in (4, 3, 2, 1):
            itineraries.remove_day(session, trip, number, actor="user:ana", now=NOW)


def test_a_new_start_date_moves_every_item_and_inventory_is_priced_again(session):
    trip = new_trip(session)
    data = flight_data(prices={START + timedelta(days=2): "140.00"})
    item = add(trip, 3, {"kind": "flight", "inventory_product_id": "p-fl"}, data)
    new_start = START + timedelta(days=7)
    assert itineraries.start_shift_needs(trip, new_start) == {"p-fl": {new_start + timedelta(days=2)}}
    itineraries.update(trip, {"start_date": new_start}, actor="user:ana", now=NOW)
    assert item.service_date == new_start + timedelta(days=2) and itineraries.unit_costs(item) is None
    changed = itineraries.reprice(trip, flight_data(prices={new_start + timedelta(days=2): "99.00"}), NOW)
    assert changed == [item.id] and itineraries.unit_costs(item) == (D("99.00"),)


def test_an_update_is_merged_and_moving_day_resets_the_date(session):
    trip = new_trip(session)
    item = add(trip, 2, manual("attraction", "Louvre", "22", location="Paris"))
    day, fields = itineraries.merged_fields(item, {"day_number": 4, "unit_cost": D("25")})
    assert (day, fields["service_date"], fields["unit_cost"], fields["description"]) == (4, None, D("25"), "Louvre")
    day, fields = itineraries.merged_fields(item, {"inventory_product_id": "p-tk"})
    assert (fields["supplier_name"], fields["unit_cost"], fields["currency"], fields["description"]) == \
        (None, None, None, None)


def issue(session, trip, **fields):
    policy = pricing.settings(session)
    sheet = costing.cost_sheet(itineraries.plan_of(trip), pricing.pricing_for(trip, policy), [
        costing.MarkupRule(1, "percent", D("20"))], costing.RateBook([], NOW.date()))
    return quotes.issue(session, trip, sheet, checks.check(itineraries.plan_of(trip)), fields, policy=policy,
                        approval=None, actor="user:ana", now=NOW, actor_name="Ana García")


def test_versions_supersede_each_other_and_only_a_valid_latest_one_is_accepted(session):
    trip = new_trip(session)
    add(trip, 2, manual("attraction", "Louvre", "22", location="Paris"))
    session.flush()
    v1, _ = issue(session, trip)
    assert (v1.version, v1.status, v1.valid_until) == (1, "issued", NOW.date() + timedelta(days=14))
    assert v1.snapshot["totals"]["total"] == "79.20" and v1.snapshot["itinerary"]["inquiry_id"] == "q1"
    assert (v1.snapshot["quote"]["issued_by"], v1.snapshot["quote"]["issued_by_name"]) == ("user:ana", "Ana García")
    v2, superseded = issue(session, trip, valid_until=NOW.date() + timedelta(days=3))
    assert (v2.version, superseded.id, v1.status) == (2, v1.id, "superseded")
    assert wire.QUOTE_ISSUED.payload(v2)["supersedes"] == {"quote_id": v1.id, "version": 1}
    with pytest.raises(Conflict, match="superseded"):
        quotes.accept(session, trip, 1, None, actor="user:ana", now=NOW)
    with pytest.raises(Conflict, match="expired"):
        quotes.accept(session, trip, 2, None, actor="user:ana", now=NOW + timedelta(days=4))
    expired = quotes.expire_due(session, now=NOW + timedelta(days=4), actor="service:itinerary")
    assert [(q.version, q.status) for q, _ in expired] == [(2, "expired")] and trip.status == "draft"
    v3, _ = issue(session, trip)
    accepted = quotes.accept(session, trip, 3, "ok", actor="user:ana", now=NOW)
    assert (accepted.status, trip.status) == ("accepted", "accepted")
    payload = wire.QUOTE_ACCEPTED.payload(accepted)
    assert wire.QuoteAcceptedSchema().validate(payload) == {}  # what is sent, its own schema accepts
    assert (payload["customer_id"], payload["inquiry_id"], payload["total"]) == ("c1", "q1", "79.20")
    assert payload["lines"][0]["sell_amount"] == "79.20" and payload["payment_terms"]["deposit_due_days"] == 3
    with pytest.raises(Conflict):
        issue(session, trip)


def test_a_quote_needs_a_customer_and_cannot_outlive_departure(session):
    trip = new_trip(session, customer_id=None, inquiry_id=None)
    add(trip, 1, manual("meal", "Dinner", "40"))
    with pytest.raises(ValidationFailed, match="customer"):
        issue(session, trip)
    trip.customer_id = "c2"
    with pytest.raises(ValidationFailed) as caught:
        issue(session, trip, valid_until=START + timedelta(days=1))
    assert "valid_until" in caught.value.details
    assert issue(session, trip)[0].valid_until == NOW.date() + timedelta(days=14)


def test_a_rate_for_a_pair_and_date_that_has_one_is_a_new_row_and_the_old_one_is_kept_superseded(session):
    pair = {"base": "EUR", "quote": "CNY", "valid_from": date(2027, 1, 1)}
    first, replaced = pricing.set_rate(session, {**pair, "rate": D("7.80")}, actor="user:fin", now=NOW, today=START)
    assert replaced is None and first.replaces_id is None
    later = NOW + timedelta(hours=1)
    second, replaced = pricing.set_rate(session, {**pair, "rate": D("7.90")}, actor="user:boss", now=later,
                                        today=START)
    assert replaced is first and second.id != first.id and second.replaces_id == first.id
    assert (first.superseded_at, first.superseded_by) == (later, "user:boss")
    answer = pricing.set_rate_answer(second, replaced)
    assert answer["replaced"] == {"id": first.id, "rate": D("7.80"), "created_at": NOW, "created_by": "user:fin"}
    assert [r.rate for r in pricing.list_rates(session)] == [D("7.90")]
    assert [r.rate for r in pricing.list_rates(session, history=True)] == [D("7.90"), D("7.80")]
    # Only the current row prices anything.
    assert pricing.rate_book(session, START).conversion("EUR", "CNY").rate.rate == D("7.90")


def test_a_catalog_trip_keeps_its_season_price_takes_the_new_seasons_when_moved_and_the_consultants_wins(session):
    from services.itinerary import catalog

    season = {"currency": "CNY", "child_price": D("4980.00")}
    product = catalog.create(session, {
        "code": "YUNNAN", "name": "Yunnan", "kind": "package", "duration_days": 3, "template": [],
        "published": True, "destination": None, "summary": None, "included_services": [], "excluded_services": [],
        "featured": True, "rank": 1, "seasons": [
            {"name": "Spring", "start": START, "end": START + timedelta(days=9), "adult_price": D("6980.00"),
             **season},
            {"name": "Summer", "start": START + timedelta(days=10), "end": START + timedelta(days=40),
             "adult_price": D("7980.00"), **season}]}, actor="user:ana", now=NOW)
    trip = new_trip(session, product=product)
    assert trip.package_price == {"source": "catalog", "season": "Spring", "currency": "CNY",
                                  "adult_price": "6980.00", "child_price": "4980.00"}
    itineraries.update(trip, {"start_date": START + timedelta(days=12)}, actor="user:ana", now=NOW, product=product)
    assert (trip.package_price["season"], trip.package_price["adult_price"]) == ("Summer", "7980.00")
    itineraries.update(trip, {"start_date": START + timedelta(days=50)}, actor="user:ana", now=NOW, product=product)
    assert trip.package_price is None  # no season: the lines' prices
    itineraries.update(trip, {"package_price": {"adult_price": D("6500"), "child_price": D("4500"),
                                                "currency": None}}, actor="user:ana", now=NOW)
    assert itineraries.package_of(trip) == costing.PackagePrice(D("6500"), D("4500"), "EUR", None, "consultant")
    itineraries.update(trip, {"start_date": START + timedelta(days=1)}, actor="user:ana", now=NOW, product=product)
    assert trip.package_price["source"] == "consultant"  # a consultant's price stays when the date moves
