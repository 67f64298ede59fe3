"""Itinerary checks, no broker: dates, hotel nights, connections, availability, prices."""
from datetime import date, timedelta
from decimal import Decimal as D

from services.itinerary import checks
from services.itinerary.plan import Party, Plan, PlanItem

START = date(2027, 5, 3)  # day 1; a five-day trip ends on day 5, 2027-05-07


def on(day: int) -> date:
    return START + timedelta(days=day - 1)


def item(id, kind, day, **kw):
    return PlanItem(id=id, kind=kind, description=kw.pop("description", f"{kind} {id}"), service_date=on(day),
                    day=day, position=kw.pop("position", id), unit_costs=kw.pop("unit_costs", (D("1"),)), **kw)


def plan(*items, days=5, adults=2):
    return Plan(start=START, days=days, party=Party(adults), currency="EUR", items=list(items))


def codes(problems):
    return [(p["code"], p["item_id"]) for p in problems]


def paris_rome(overrides: dict | None = None):
    """Paris two nights, a train to Rome, Rome two nights: a trip without problems."""
    items = {
        1: item(1, "flight", 1, from_location="Madrid", to_location="Paris"),
        2: item(2, "hotel", 1, nights=2, location="Paris"),
        3: item(3, "attraction", 2, location="Paris"),
        4: item(4, "train", 3, from_location="Paris", to_location="Rome", position=1),
        5: item(5, "hotel", 3, nights=2, location="Rome", position=2),
        6: item(6, "flight", 5, from_location="Rome", to_location="Madrid"),
    }
    items.update(overrides or {})
    return plan(*[i for i in items.values() if i is not None])


def test_a_well_built_trip_has_no_problems():
    assert checks.check(paris_rome()) == []


def test_items_dated_outside_the_trip_are_listed():
    problems = checks.outside_trip(paris_rome({3: item(3, "attraction", 0, location="Paris"),
                                                 6: item(6, "flight", 6, from_location="Rome", to_location="Madrid")}))
    assert codes(problems) == [("outside_trip", 3), ("outside_trip", 6)]
    assert "2027-05-02" in problems[0]["message"] and problems[0]["date"] == on(0)


def test_a_hotel_may_check_out_on_the_last_day_but_not_after():
    assert checks.outside_trip(paris_rome({5: item(5, "hotel", 3, nights=2, location="Rome")})) == []
    late = checks.outside_trip(paris_rome({5: item(5, "hotel", 3, nights=3, location="Rome")}))
    assert codes(late) == [("outside_trip", 5)] and "checks out on 2027-05-08" in late[0]["message"]


def test_a_night_without_a_hotel_is_a_gap():
    problems = checks.hotel_nights(paris_rome({2: item(2, "hotel", 1, nights=1, location="Paris")}))
    assert codes(problems) == [("hotel_gap", None)]
    assert problems[0]["date"] == on(2) and "2027-05-04" in problems[0]["message"]


def test_consecutive_missing_nights_are_one_problem_and_a_trip_without_hotels_is_not_checked():
    problems = checks.hotel_nights(plan(item(1, "hotel", 1, nights=1, location="Paris"), days=5))
    assert [(p["code"], p["date"]) for p in problems] == [("hotel_gap", on(2))]
    assert "2027-05-04 to 2027-05-06" in problems[0]["message"]
    assert checks.hotel_nights(plan(item(1, "attraction", 1, location="Paris"))) == []


def test_a_night_on_board_is_not_a_gap():
    trip = paris_rome({2: item(2, "hotel", 1, nights=1, location="Paris"),
                         4: item(4, "train", 2, from_location="Paris", to_location="Rome", overnight=True),
                         3: item(3, "attraction", 1, location="Paris")})
    assert checks.hotel_nights(trip) == []


def test_overlapping_stays_are_listed_once():
    problems = checks.hotel_nights(paris_rome({5: item(5, "hotel", 2, nights=3, location="Rome")}))
    assert codes(problems) == [("hotel_overlap", 5)]
    assert problems[0]["date"] == on(2) and "2027-05-04" in problems[0]["message"]


def test_a_transport_must_leave_from_where_the_traveller_is():
    problems = checks.connections(paris_rome({4: item(4, "train", 3, from_location="Milan", to_location="Rome",
                                                        position=1)}))
    assert codes(problems) == [("not_connected", 4)]
    assert "leaves from Milan" in problems[0]["message"] and "in Paris" in problems[0]["message"]


def test_a_transport_must_arrive_where_the_next_item_is():
    problems = checks.connections(paris_rome({4: item(4, "train", 3, from_location="Paris",
                                                        to_location="Florence", position=1)}))
    assert codes(problems) == [("not_connected", 4)]
    assert "arrives in Florence" in problems[0]["message"]


def test_two_places_without_a_transport_between_them():
    problems = checks.connections(paris_rome({4: None}))
    assert codes(problems) == [("missing_transport", 5)]
    assert "from Paris" in problems[0]["message"] and "to Rome" in problems[0]["message"]


def test_locations_compare_without_case_or_spaces_and_a_transport_needs_both_ends():
    assert checks.connections(paris_rome({4: item(4, "train", 3, from_location=" paris ", to_location="ROME",
                                                    position=1)})) == []
    problems = checks.connections(paris_rome({4: item(4, "train", 3, from_location="Paris", position=1)}))
    assert ("missing_locations", 4) in codes(problems)


def test_the_order_within_a_day_is_the_items_position():
    # The Rome hotel listed before the train that takes the travellers there.
    trip = paris_rome({4: item(4, "train", 3, from_location="Paris", to_location="Rome", position=2),
                         5: item(5, "hotel", 3, nights=2, location="Rome", position=1)})
    assert {p["code"] for p in checks.connections(trip)} == {"missing_transport", "not_connected"}


def test_availability_from_ticketing_days():
    flight = item(1, "flight", 1, from_location="Madrid", to_location="Paris", inventory_product_id="fl",
                  quantity=None, basis="per_person")
    hotel = item(2, "hotel", 1, nights=2, location="Paris", inventory_product_id="ht", basis="per_night")
    ticket = item(3, "attraction", 2, location="Paris", inventory_product_id="tk", basis="per_person")
    manual = item(4, "meal", 2, location="Paris")
    trip = plan(flight, hotel, ticket, manual, days=3)
    days = {("fl", on(1)): {"status": "available", "available": 1},   # 2 seats needed
            ("ht", on(1)): {"status": "available", "available": 3},
            ("ht", on(2)): {"status": "stop_sell", "available": 3},
            ("tk", on(2)): {"status": "available", "available": 40}}
    problems = checks.availability(trip, days)
    assert codes(problems) == [("not_available", 1), ("not_available", 2)]
    assert "1 left, 2 needed" in problems[0]["message"]
    assert "2027-05-04: stop sell" in problems[1]["message"]
    days[("fl", on(1))]["available"] = 2
    del days[("tk", on(2))]
    assert [(p["item_id"], "no allotment" in p["message"]) for p in checks.availability(trip, days)] == \
        [(2, False), (3, True)]


def test_unpriced_items_are_a_problem_and_check_sorts_by_date():
    trip = paris_rome({6: item(6, "flight", 5, from_location="Rome", to_location="Madrid", unit_costs=None),
                         3: item(3, "meal", 9)})
    problems = checks.check(trip)
    assert [p["code"] for p in problems] == ["unpriced", "outside_trip"]
    assert checks.check(trip, {})[-1]["code"] == "outside_trip"  # no inventory items: nothing to add
