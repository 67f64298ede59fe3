"""Itinerary design and quoting through the gateway: the consultant's classic case and bad input.

The classic case (a consultant's worked example): a ten-day Paris - Rome - Barcelona trip for two
from Beijing, with flights, trains between the cities, hotels and attraction tickets from
ticketing, quoted in CNY, revised once (v2 with a different hotel in Rome), and accepted.
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService
from tests.conftest import wait_for
from tests.events import subscribe

pytestmark = pytest.mark.e2e

START = date.today() + timedelta(days=45)


def day(n: int) -> str:
    return (START + timedelta(days=n - 1)).isoformat()


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def sql(suite_config, statement: str, service="itinerary"):
    engine = create_engine(suite_config["DATABASE_URLS"][service])
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement))
            return result.scalar() if result.returns_rows else result.rowcount
    finally:
        engine.dispose()


@pytest.fixture
def agency(run_services, client, staff_client):
    """Ticketing stocked for the trip; exchange rates, markups and pricing settings set by a manager;
    the customer's inquiry registered in CRM."""
    run_services(TicketingService, ItineraryService, CrmService)
    products = {}

    def stock(supplier, code, kind, name, location, currency, first, last, net, sell, capacity=20):
        product = ok(client.post("/api/v1/products", json={
            "supplier_id": supplier["id"], "supplier_code": code, "kind": kind, "name": name,
            "location": location, "currency": currency}), 201)
        ok(client.put(f"/api/v1/products/{product['id']}/inventory", json={
            "start": day(first), "end": day(last), "capacity": capacity, "net_price": net, "sell_price": sell}))
        products[code] = product["id"]

    def supplier(name, kind):
        return ok(client.post("/api/v1/suppliers", json={"name": name, "kind": kind}), 201)

    air_china, trenitalia = supplier("Air China", "airline"), supplier("Trenitalia", "rail")
    hotels, museums = supplier("Accor", "hotel"), supplier("Musei d'Europa", "attraction")
    stock(air_china, "CA933", "flight", "CA933 Beijing-Paris", "Beijing-Paris", "CNY", 1, 1, "4200.00", "4800.00")
    stock(air_china, "CA846", "flight", "CA846 Barcelona-Beijing", "Barcelona-Beijing", "CNY", 10, 10,
          "3900.00", "4500.00")
    stock(trenitalia, "FR9241", "train", "Frecciarossa Paris-Milan-Rome", "Paris-Rome", "EUR", 4, 4, "89.00", "110.00")
    stock(trenitalia, "RM-BCN", "train", "Rome-Barcelona rail", "Rome-Barcelona", "EUR", 7, 7, "120.00", "150.00")
    stock(hotels, "PAR-DBL", "hotel", "Pullman Paris Tour Eiffel, double", "Paris", "EUR", 1, 3,
          "210.00", "260.00", capacity=5)
    stock(hotels, "ROM-A", "hotel", "Hotel Quirinale, double", "Rome", "EUR", 4, 6, "180.00", "220.00", 5)
    stock(hotels, "ROM-B", "hotel", "Hotel Artemide, double", "Rome", "EUR", 4, 6, "150.00", "190.00", 5)
    stock(hotels, "BCN-DBL", "hotel", "Hotel Arts Barcelona, double", "Barcelona", "EUR", 7, 9,
          "240.00", "300.00", capacity=5)
    stock(museums, "LOUVRE", "attraction", "Louvre timed entry", "Paris", "EUR", 1, 10, "22.00", "22.00")
    stock(museums, "VATICAN", "attraction", "Vatican Museums", "Rome", "EUR", 1, 10, "27.00", "32.00")

    manager = staff_client("manager")
    ok(manager.post("/api/v1/exchange-rates", json={"base": "EUR", "quote": "CNY", "rate": "7.8125",
                                                    "valid_from": "2020-01-01"}), 201)
    ok(manager.post("/api/v1/markup-rules", json={"method": "percent", "value": "12"}), 201)
    ok(manager.post("/api/v1/markup-rules", json={"item_kind": "hotel", "method": "percent", "value": "15"}), 201)
    ok(manager.post("/api/v1/markup-rules", json={"item_kind": "flight", "supplier": "Air China", "method": "fixed",
                                                  "value": "300", "currency": "CNY"}), 201)
    settings = ok(manager.get("/api/v1/pricing-settings"))
    ok(manager.put("/api/v1/pricing-settings", json={**{k: v for k, v in settings.items()
                                                        if k not in ("updated_at", "updated_by")},
                                                     "service_fee_percent": "2", "tax_percent": "6"}))
    inquiry = ok(client.post("/api/v1/inquiries", json={
        "channel": "phone", "customer": {"full_name": "王小明"}, "destinations": ["Paris", "Rome", "Barcelona"],
        "party": {"adults": 2}}), 201)
    return {"products": products, "manager": manager, "consultant": staff_client("consultant"),
            "customer_id": inquiry["customer_id"], "inquiry_id": inquiry["id"]}


def new_trip(agency, **overrides):
    return agency["consultant"].post("/api/v1/itineraries", json={
        "title": "巴黎 - 罗马 - 巴塞罗那 十日游", "customer_id": agency["customer_id"], "inquiry_id": agency["inquiry_id"],
        "party": {"adults": 2}, "start_date": START.isoformat(), "days": 10, "currency": "CNY", **overrides})


def add(consultant, trip_id, day_number, item, status=201):
    return ok(consultant.post(f"/api/v1/itineraries/{trip_id}/days/{day_number}/items", json=item), status)


def test_the_classic_ten_day_paris_rome_barcelona_trip(agency, amqp, suite_config):
    consultant, products = agency["consultant"], agency["products"]
    trip = ok(new_trip(agency), 201)
    assert (trip["origin"], len(trip["days"]), trip["end_date"]) == ("inquiry", 10, day(10))
    trip_id = trip["id"]
    for number, title in [(1, "Beijing - Paris"), (4, "Paris - Rome by train"), (7, "Rome - Barcelona by train"),
                          (10, "Barcelona - Beijing")]:
        ok(consultant.patch(f"/api/v1/itineraries/{trip_id}/days/{number}", json={"title": title}))

    add(consultant, trip_id, 1, {"kind": "flight", "inventory_product_id": products["CA933"]})
    add(consultant, trip_id, 1, {"kind": "transfer", "description": "CDG to hotel, private car",
                                 "supplier_name": "Paris Chauffeurs", "unit_cost": "95.00", "currency": "EUR",
                                 "from_location": "Paris", "to_location": "Paris"})
    add(consultant, trip_id, 1, {"kind": "hotel", "inventory_product_id": products["PAR-DBL"], "nights": 3})
    add(consultant, trip_id, 2, {"kind": "attraction", "inventory_product_id": products["LOUVRE"]})
    add(consultant, trip_id, 4, {"kind": "train", "inventory_product_id": products["FR9241"]})
    rome = add(consultant, trip_id, 4, {"kind": "hotel", "inventory_product_id": products["ROM-A"], "nights": 3})
    add(consultant, trip_id, 5, {"kind": "attraction", "inventory_product_id": products["VATICAN"]})
    add(consultant, trip_id, 7, {"kind": "train", "inventory_product_id": products["RM-BCN"]})
    add(consultant, trip_id, 7, {"kind": "hotel", "inventory_product_id": products["BCN-DBL"], "nights": 3})
    add(consultant, trip_id, 8, {"kind": "attraction", "description": "Sagrada Família with guide",
                                 "supplier_name": "Sagrada Família", "unit_cost": "40.00", "currency": "EUR",
                                 "location": "Barcelona"})
    add(consultant, trip_id, 9, {"kind": "insurance", "description": "Schengen travel insurance",
                                 "supplier_name": "Ping An", "unit_cost": "260.00", "currency": "CNY"})
    add(consultant, trip_id, 10, {"kind": "flight", "inventory_product_id": products["CA846"]})
    assert rome["from_location"] is None and rome["location"] == "Rome" and rome["resolved_quantity"] == 1

    checks = ok(consultant.get(f"/api/v1/itineraries/{trip_id}/checks"))
    assert checks["availability_checked"] and checks["problems"] == []

    sheet = ok(consultant.get(f"/api/v1/itineraries/{trip_id}/cost-sheet"))
    lines = {line["description"]: line for line in sheet["lines"]}
    assert len(lines) == 12
    assert lines["CA933 Beijing-Paris"]["net_cost"] == "8400.00"           # 2 x 4200 CNY
    assert lines["CA933 Beijing-Paris"]["markup_amount"] == "600.00"       # Air China flights: 300 CNY a seat
    assert lines["Hotel Quirinale, double"]["net_cost"] == "4218.75"       # 3 nights x 180 EUR x 7.8125
    assert lines["Hotel Quirinale, double"]["markup"]["scope"] == "kind"   # hotels 15 %
    assert lines["Louvre timed entry"]["net_cost"] == "343.75"             # 2 x 22 EUR
    totals = sheet["totals"]
    assert Decimal(totals["cost"]) == sum(Decimal(line["net_cost"]) for line in sheet["lines"])
    assert Decimal(totals["sell"]) == sum(Decimal(line["sell_amount"]) for line in sheet["lines"])
    assert Decimal(totals["total"]) == (Decimal(totals["sell"]) - Decimal(totals["discount"])
                                        + Decimal(totals["service_fee"]) + Decimal(totals["tax"]))
    assert (totals["service_fee_percent"], totals["tax_percent"]) == ("2.00", "6.00")
    assert sum(Decimal(t["price"]) for t in sheet["per_person"]["travellers"]) == Decimal(totals["total"])
    assert sheet["approval"]["needed"] is False and Decimal(totals["margin_percent"]) > 10

    with subscribe(amqp, suite_config, "itinerary.*") as received:
        v1 = ok(consultant.post(f"/api/v1/itineraries/{trip_id}/quotes", json={"note": "As discussed"}), 201)
        # The customer prefers a cheaper hotel in Rome: v2.
        ok(consultant.patch(f"/api/v1/itineraries/{trip_id}/items/{rome['id']}",
                            json={"inventory_product_id": products["ROM-B"]}))
        v2 = ok(consultant.post(f"/api/v1/itineraries/{trip_id}/quotes", json={}), 201)
        superseded = consultant.post(f"/api/v1/itineraries/{trip_id}/quotes/1/accept", json={})
        assert superseded.status_code == 409 and "superseded" in superseded.json["detail"]
        accepted = ok(consultant.post(f"/api/v1/itineraries/{trip_id}/quotes/2/accept",
                                      json={"note": "Deposit by WeChat Pay"}))
        events = wait_for(lambda: len(received()) >= 3 and received(), message="issued, issued, accepted")

    assert (v1["version"], v2["version"], accepted["status"]) == (1, 2, "accepted")
    assert Decimal(v2["total"]) < Decimal(v1["total"])
    first = ok(consultant.get(f"/api/v1/itineraries/{trip_id}/quotes/1"))
    assert first["status"] == "superseded"
    hotels = lambda quote: [l["description"] for l in quote["snapshot"]["lines"] if l["kind"] == "hotel"]  # noqa: E731
    assert "Hotel Quirinale, double" in hotels(first)       # v1 is frozen as it was issued
    assert "Hotel Artemide, double" in hotels(accepted)
    snapshot = accepted["snapshot"]
    assert snapshot["itinerary"]["customer_id"] == agency["customer_id"] and snapshot["currency"] == "CNY"
    assert snapshot["itinerary"]["customer_name"] == "王小明"  # CRM's name for the customer
    assert [d["title"] for d in snapshot["days"]][:1] == ["Beijing - Paris"] and len(snapshot["days"]) == 10
    assert [f["code"] for f in snapshot["fees"]] == ["services", "service_fee", "tax", "total"]
    assert snapshot["rates"] == [{"base": "EUR", "quote": "CNY", "rate": "7.8125", "valid_from": "2020-01-01"}]
    assert snapshot["terms"]["payment"]["deposit_percent"] == "30"
    listed = ok(consultant.get(f"/api/v1/itineraries/{trip_id}/quotes"))
    assert [(q["version"], q["status"]) for q in listed] == [(1, "superseded"), (2, "accepted")]

    payloads = {}
    for body, _ in events:
        payloads.setdefault(body["type"], []).append(body["payload"])
    assert [p["version"] for p in payloads["itinerary.quote_issued"]] == [1, 2]
    [deal] = payloads["itinerary.quote_accepted"]
    assert (deal["customer_id"], deal["inquiry_id"], deal["total"], deal["currency"]) == \
        (agency["customer_id"], agency["inquiry_id"], v2["total"], "CNY")
    booked = {line["inventory_product_id"] for line in deal["lines"] if line["inventory_product_id"]}
    assert booked == {products[c] for c in ("CA933", "CA846", "FR9241", "RM-BCN", "PAR-DBL", "ROM-B", "BCN-DBL",
                                            "LOUVRE", "VATICAN")}
    assert deal["party"] == {"adults": 2, "children": []} and len(deal["travellers"]) == 2
    assert deal["cancellation_terms"] and deal["payment_terms"]["balance_due_days_before_departure"] == 30
    assert ok(consultant.get(f"/api/v1/itineraries/{trip_id}"))["status"] == "accepted"
    frozen = consultant.post(f"/api/v1/itineraries/{trip_id}/days/3/items", json={
        "kind": "meal", "description": "Dinner", "supplier_name": "Bistrot", "unit_cost": "30", "currency": "EUR"})
    assert frozen.status_code == 409


def test_catalog_for_the_counter_and_an_itinerary_from_it(agency, staff_client):
    consultant, products = agency["consultant"], agency["products"]
    folder = {"kind": "package", "duration_days": 3, "published": True}
    ok(consultant.post("/api/v1/catalog/products", json={"code": "PARIS-3", "name": "3 days Paris", **folder,
        "template": [{"day": 1, "title": "Arrival", "items": [
            {"kind": "hotel", "inventory_product_id": products["PAR-DBL"], "nights": 2}]},
            {"day": 2, "title": "Louvre", "items": [{"kind": "attraction", "inventory_product_id": products["LOUVRE"]}]}],
        "seasons": [{"name": "All year", "start": "2027-01-01", "end": "2027-12-31", "currency": "EUR",
                     "adult_price": "899.00", "child_price": "640.00"}]}), 201)
    ok(consultant.post("/api/v1/catalog/products", json={"code": "YUNNAN-TRAIN", "name": "7 days Yunnan by special "
                                                         "train", **folder, "featured": True, "rank": 1}), 201)
    ok(consultant.post("/api/v1/catalog/products", json={"code": "DRAFT", "name": "Not yet", **folder,
                                                         "published": False}), 201)
    front_desk = staff_client("front_desk")
    counter = ok(front_desk.get("/api/v1/catalog"))["items"]
    assert [p["code"] for p in counter] == ["YUNNAN-TRAIN", "PARIS-3"]
    assert counter[1]["seasons"][0]["adult_price"] == "899.00"
    assert front_desk.post("/api/v1/catalog/products", json={}).status_code == 403
    assert front_desk.post("/api/v1/itineraries", json={}).status_code == 403

    trip = ok(consultant.post("/api/v1/itineraries", json={
        "catalog_product_id": counter[1]["id"], "customer_id": "cust-li", "party": {"adults": 1},
        "start_date": START.isoformat(), "currency": "CNY"}), 201)
    assert (trip["origin"], trip["title"], len(trip["days"])) == ("catalog", "3 days Paris", 3)
    [hotel] = trip["days"][0]["items"]
    assert (hotel["description"], hotel["nights"], hotel["priced"]) == ("Pullman Paris Tour Eiffel, double", 2, True)
    people = ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/cost-sheet"))["per_person"]
    assert Decimal(people["single_supplement"]) > 0 and people["single_travellers"] == 1


# --- bad input ---------------------------------------------------------------------------------------

def test_an_unknown_inventory_product_is_422_and_writes_nothing(agency, suite_config):
    consultant = agency["consultant"]
    trip = ok(new_trip(agency), 201)
    response = consultant.post(f"/api/v1/itineraries/{trip['id']}/days/1/items",
                               json={"kind": "flight", "inventory_product_id": "no-such-flight"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "inventory_product_id" in response.json["errors"]
    assert sql(suite_config, "SELECT count(*) FROM itinerary_items") == 0
    assert ok(consultant.get(f"/api/v1/itineraries/{trip['id']}"))["revision"] == 1


@pytest.mark.parametrize("item, field", [
    ({"kind": "meal", "description": "Dinner", "supplier_name": "Bistrot", "unit_cost": "-0.01", "currency": "EUR"},
     "unit_cost"),
    ({"kind": "meal", "description": "Dinner", "supplier_name": "Bistrot", "currency": "EUR"}, "unit_cost"),
    ({"kind": "hotel", "description": "Ritz", "supplier_name": "Ritz", "unit_cost": "900", "currency": "EUR"},
     "nights"),
    ({"kind": "spaceship", "description": "?", "supplier_name": "?", "unit_cost": "1", "currency": "EUR"}, "kind"),
    ({"kind": "meal", "description": "Dinner", "supplier_name": "Pub", "unit_cost": "30", "currency": "GBP"},
     "currency"),   # no exchange rate from GBP to CNY
])
def test_bad_items_are_422_and_write_nothing(agency, suite_config, item, field):
    consultant = agency["consultant"]
    trip = ok(new_trip(agency), 201)
    response = consultant.post(f"/api/v1/itineraries/{trip['id']}/days/1/items", json=item)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert sql(suite_config, "SELECT count(*) FROM itinerary_items") == 0


def test_a_child_without_an_age_is_422(agency, suite_config):
    response = new_trip(agency, party={"adults": 2, "children": [{"age": 7}, {"name": "Xiaoming"}]})
    assert response.status_code == 422
    assert response.json["errors"]["party"]["children"]["1"]["age"] == ["Missing data for required field."]
    assert sql(suite_config, "SELECT count(*) FROM itineraries") == 0


def test_an_itinerary_in_a_currency_without_a_rate_cannot_be_costed(agency):
    consultant = agency["consultant"]
    trip = ok(new_trip(agency, currency="EUR"), 201)
    add(consultant, trip["id"], 2, {"kind": "attraction", "inventory_product_id": agency["products"]["LOUVRE"]})
    response = consultant.patch(f"/api/v1/itineraries/{trip['id']}", json={"currency": "USD"})
    assert response.status_code == 422 and "EUR to USD" in response.json["errors"]["currency"][0]
    assert ok(consultant.get(f"/api/v1/itineraries/{trip['id']}"))["currency"] == "EUR"


def test_an_item_dated_outside_the_trip_is_a_listed_problem(agency):
    consultant = agency["consultant"]
    trip = ok(new_trip(agency), 201)
    item = add(consultant, trip["id"], 10, {"kind": "transfer", "description": "Hotel to BCN airport",
                                            "supplier_name": "Barcelona Cabs", "unit_cost": "45", "currency": "EUR",
                                            "from_location": "Barcelona", "to_location": "Barcelona",
                                            "service_date": (START + timedelta(days=10)).isoformat()})
    problems = ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/checks"))["problems"]
    assert [(p["code"], p["item_id"]) for p in problems] == [("outside_trip", item["id"])]
    assert "outside the trip" in problems[0]["message"]


def test_accepting_an_expired_quote_is_409(agency, suite_config):
    consultant = agency["consultant"]
    trip = ok(new_trip(agency), 201)
    add(consultant, trip["id"], 2, {"kind": "attraction", "inventory_product_id": agency["products"]["LOUVRE"]})
    quote = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    sql(suite_config, f"UPDATE quotes SET valid_until = '2001-01-01' WHERE id = '{quote['id']}'")
    response = consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes/1/accept", json={})
    assert response.status_code == 409 and "expired" in response.json["detail"]
    assert ok(consultant.get(f"/api/v1/itineraries/{trip['id']}"))["status"] != "accepted"


def test_a_low_margin_quote_waits_for_a_manager(agency):
    consultant, manager = agency["consultant"], agency["manager"]
    trip = ok(new_trip(agency, discount_percent="9"), 201)
    add(consultant, trip["id"], 2, {"kind": "attraction", "inventory_product_id": agency["products"]["LOUVRE"]})
    sheet = ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/cost-sheet"))
    assert sheet["approval"]["needed"] and len(sheet["approval"]["reasons"]) == 2  # margin and discount
    refused = consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={})
    assert refused.status_code == 409 and "approval" in refused.json["detail"]
    assert consultant.post(f"/api/v1/itineraries/{trip['id']}/approval", json={}).status_code == 403
    approval = ok(manager.post(f"/api/v1/itineraries/{trip['id']}/approval", json={"note": "VIP"}), 201)
    assert approval["approved_by"].startswith("user:user") and approval["total"] == sheet["totals"]["total"]
    quote = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    assert quote["snapshot"]["approval"]["note"] == "VIP"


# --- one way to do each thing: pages, versions, Location, 204 ------------------------------------------

def test_itineraries_and_the_catalog_are_listed_a_page_at_a_time(agency):
    consultant = agency["consultant"]
    made = [ok(new_trip(agency, title=f"Trip {n}"), 201)["id"] for n in range(3)]
    first = ok(consultant.get("/api/v1/itineraries", query_string={"customer_id": agency["customer_id"],
                                                                   "page_size": 2}))
    second = ok(consultant.get("/api/v1/itineraries", query_string={"customer_id": agency["customer_id"],
                                                                    "page_size": 2, "page": 2}))
    assert (first["total"], first["page"], first["page_size"], len(first["items"])) == (3, 1, 2, 2)
    assert (second["total"], second["page"], len(second["items"])) == (3, 2, 1)
    # Latest changed first, and every itinerary on exactly one page.
    assert [i["id"] for i in first["items"] + second["items"]] == made[::-1]
    assert consultant.get("/api/v1/itineraries", query_string={"page_size": 101}).status_code == 422

    for n in range(3):
        ok(consultant.post("/api/v1/catalog/products", json={"code": f"CITY-{n}", "name": f"City {n}",
                                                             "kind": "route", "duration_days": 2,
                                                             "published": True, "rank": n, "featured": True}), 201)
    pages = [ok(consultant.get("/api/v1/catalog", query_string={"page": n, "page_size": 2})) for n in (1, 2)]
    assert [p["code"] for page in pages for p in page["items"]] == ["CITY-0", "CITY-1", "CITY-2"]
    assert pages[1]["total"] == 3 and pages[1]["page"] == 2
    everything = ok(consultant.get("/api/v1/catalog/products", query_string={"page": 2, "page_size": 2}))
    assert (everything["total"], [p["code"] for p in everything["items"]]) == (3, ["CITY-2"])


def test_a_stale_if_match_is_412_and_changes_nothing(agency):
    consultant = agency["consultant"]
    trip = ok(new_trip(agency), 201)
    url = f"/api/v1/itineraries/{trip['id']}"
    item = add(consultant, trip["id"], 2, {"kind": "attraction", "inventory_product_id": agency["products"]["LOUVRE"]})
    read = consultant.get(url)
    etag = read.headers["ETag"]
    renamed = consultant.patch(url, json={"title": "Paris first"}, headers={"If-Match": etag})
    assert renamed.status_code == 200 and renamed.json["title"] == "Paris first"
    assert renamed.headers["ETag"] != etag and renamed.headers["ETag"] == consultant.get(url).headers["ETag"]

    # A second clerk still holds the first version: each change they send is refused.
    for stale in (consultant.patch(url, json={"title": "Rome first"}, headers={"If-Match": etag}),
                  consultant.patch(f"{url}/days/2", json={"title": "Louvre"}, headers={"If-Match": etag}),
                  consultant.patch(f"{url}/items/{item['id']}", json={"notes": "Timed entry 9:00"},
                                   headers={"If-Match": etag})):
        assert stale.status_code == 412 and stale.json["etag"] == renamed.headers["ETag"], stale.json
    current = consultant.get(url).json
    assert current["title"] == "Paris first" and current["days"][1]["title"] is None
    assert current["days"][1]["items"][0]["notes"] is None

    # Days and items are part of the itinerary: its current ETag lets them change, and the
    # answers carry the itinerary's new ETag.
    day = consultant.patch(f"{url}/days/2", json={"title": "Louvre"}, headers={"If-Match": renamed.headers["ETag"]})
    assert day.status_code == 200 and day.headers["ETag"] == consultant.get(url).headers["ETag"]
    changed = consultant.patch(f"{url}/items/{item['id']}", json={"notes": "Timed entry 9:00"},
                               headers={"If-Match": day.headers["ETag"]})
    assert changed.status_code == 200 and changed.json["notes"] == "Timed entry 9:00"
    assert changed.headers["ETag"] == consultant.get(url).headers["ETag"]
    assert consultant.patch(url, json={"notes": "No If-Match: applies"}).status_code == 200

    product = ok(consultant.post("/api/v1/catalog/products", json={
        "code": "ROMA-2", "name": "Rome in two days", "kind": "route", "duration_days": 2,
        "seasons": [{"name": "Summer", "start": "2027-08-01", "end": "2027-08-31", "currency": "EUR",
                     "adult_price": "990", "child_price": "740.00"},
                    {"name": "Spring", "start": "2027-04-01", "end": "2027-05-31", "currency": "EUR",
                     "adult_price": "890.00", "child_price": "640.00"}]}), 201)
    product_url = f"/api/v1/catalog/products/{product['id']}"
    product_etag = consultant.get(product_url).headers["ETag"]
    published = consultant.patch(product_url, json={"published": True}, headers={"If-Match": product_etag})
    assert published.status_code == 200 and published.headers["ETag"] == consultant.get(product_url).headers["ETag"]
    stale = consultant.patch(product_url, json={"published": False}, headers={"If-Match": product_etag})
    assert stale.status_code == 412 and ok(consultant.get(product_url))["published"] is True


def test_new_records_say_where_they_live_and_deletes_answer_204_with_no_body(agency):
    consultant, manager = agency["consultant"], agency["manager"]
    created = new_trip(agency, days=3)
    assert created.status_code == 201
    trip = ok(consultant.get(created.headers["Location"]))
    assert trip["id"] == created.json["id"]

    day = consultant.post(f"/api/v1/itineraries/{trip['id']}/days", json={"title": "Spare day"})
    assert day.status_code == 201 and ok(consultant.get(day.headers["Location"]))["title"] == "Spare day"
    item = consultant.post(f"/api/v1/itineraries/{trip['id']}/days/4/items", json={
        "kind": "meal", "description": "Farewell dinner", "supplier_name": "Bistrot", "unit_cost": "45",
        "currency": "EUR"})
    assert item.status_code == 201 and ok(consultant.get(item.headers["Location"]))["id"] == item.json["id"]

    removed = consultant.delete(item.headers["Location"])
    assert (removed.status_code, removed.data) == (204, b"")
    assert consultant.get(item.headers["Location"]).status_code == 404
    removed = consultant.delete(day.headers["Location"])
    assert (removed.status_code, removed.data) == (204, b"")
    assert len(ok(consultant.get(created.headers["Location"]))["days"]) == 3

    rule = manager.post("/api/v1/markup-rules", json={"item_kind": "meal", "method": "percent", "value": "8"})
    assert rule.status_code == 201 and ok(manager.get(rule.headers["Location"]))["item_kind"] == "meal"
    removed = manager.delete(rule.headers["Location"])
    assert (removed.status_code, removed.data) == (204, b"")

    add(consultant, trip["id"], 2, {"kind": "attraction", "inventory_product_id": agency["products"]["LOUVRE"]})
    quote = consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={})
    assert quote.status_code == 201 and ok(consultant.get(quote.headers["Location"]))["version"] == 1
    product = consultant.post("/api/v1/catalog/products", json={"code": "LOIRE-1", "name": "Loire castles",
                                                                "kind": "route", "duration_days": 1})
    assert product.status_code == 201 and ok(consultant.get(product.headers["Location"]))["code"] == "LOIRE-1"
