"""What the ticketing desk looks things up in, through the gateway: lists of suppliers, products,
holds and bookings, manifests for a travel date, and what a change leaves on the booking."""
from datetime import date, timedelta

import pytest

from services.ticketing.service import TicketingService

pytestmark = pytest.mark.e2e

DAY = date.today() + timedelta(days=20)


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def book(client, lines, reference=None):
    hold = ok(client.post("/api/v1/holds", json={"reference": reference, "lines": lines}), 201)
    return ok(client.post(f"/api/v1/holds/{hold['id']}/confirm"), 201)


@pytest.fixture
def desk(run_services, client):
    """Two suppliers: an airline with a flight to Lijiang, a hotel with a room in Barcelona."""
    run_services(TicketingService)
    airline = ok(client.post("/api/v1/suppliers", json={"name": "China Eastern", "kind": "airline"}), 201)
    hotel = ok(client.post("/api/v1/suppliers", json={"name": "Hotel Arts Barcelona", "kind": "hotel"}), 201)
    flight = ok(client.post("/api/v1/products", json={
        "supplier_id": airline["id"], "supplier_code": "MU5911-Y", "kind": "flight", "name": "MU5911 KMG-LJG",
        "location": "KMG-LJG", "destination": "Lijiang", "currency": "CNY"}), 201)
    room = ok(client.post("/api/v1/products", json={
        "supplier_id": hotel["id"], "supplier_code": "DBL-SEA", "kind": "hotel",
        "name": "Double sea view", "location": "Barcelona", "currency": "EUR"}), 201)
    for product, net, sell in ((flight, "600.00", "780.00"), (room, "150.00", "189.00")):
        ok(client.put(f"/api/v1/products/{product['id']}/inventory", json={
            "start": DAY.isoformat(), "end": (DAY + timedelta(6)).isoformat(), "capacity": 9,
            "net_price": net, "sell_price": sell}))
    return {"airline": airline, "hotel": hotel, "flight": flight, "room": room}


def test_staff_list_suppliers_products_and_holds(client, desk):
    found = ok(client.get("/api/v1/suppliers", query_string={"name": "hotel arts"}))
    assert [s["id"] for s in found["items"]] == [desk["hotel"]["id"]] and found["total"] == 1
    assert ok(client.get("/api/v1/suppliers", query_string={"kind": "airline"}))["items"][0]["name"] == "China Eastern"
    everyone = ok(client.get("/api/v1/suppliers", query_string={"page_size": 1, "page": 2}))
    assert (everyone["total"], everyone["page"], [s["name"] for s in everyone["items"]]) == \
        (2, 2, ["Hotel Arts Barcelona"])

    assert [p["id"] for p in ok(client.get("/api/v1/products", query_string={
        "supplier_id": desk["airline"]["id"]}))["items"]] == [desk["flight"]["id"]]
    assert [p["id"] for p in ok(client.get("/api/v1/products", query_string={"q": "mu5911"}))["items"]] == \
        [desk["flight"]["id"]]
    assert [p["id"] for p in ok(client.get("/api/v1/products", query_string={
        "kind": "hotel", "location": "barce"}))["items"]] == [desk["room"]["id"]]

    first = ok(client.post("/api/v1/holds", json={"reference": "Q-1", "lines": [
        {"product_id": desk["room"]["id"], "day": DAY.isoformat(), "quantity": 1}]}), 201)
    second = ok(client.post("/api/v1/holds", json={"reference": "Q-2", "lines": [
        {"product_id": desk["flight"]["id"], "day": (DAY + timedelta(1)).isoformat(), "quantity": 1}]}), 201)
    ok(client.post(f"/api/v1/holds/{second['id']}/release"))
    assert [h["id"] for h in ok(client.get("/api/v1/holds", query_string={"status": "active"}))["items"]] == \
        [first["id"]]
    assert [h["id"] for h in ok(client.get("/api/v1/holds", query_string={
        "travel_date": (DAY + timedelta(1)).isoformat()}))["items"]] == [second["id"]]
    assert ok(client.get("/api/v1/holds"))["total"] == 2


def test_bookings_are_found_by_locator_in_any_case_traveller_product_supplier_and_date(client, desk):
    flight, room = desk["flight"]["id"], desk["room"]["id"]
    wang = book(client, [{"product_id": flight, "day": DAY.isoformat(), "quantity": 1,
                          "travellers": [{"name": "王小明", "phone": "+86 139-1234-5678"}]}])
    ruiz = book(client, [{"product_id": room, "day": (DAY + timedelta(2)).isoformat(), "quantity": 2,
                          "travellers": [{"name": "María Núñez", "phone": "+34 600 11 22 33", "customer_id": "c-77"},
                                         {"name": "Luis Ruiz"}]}])

    locator = wang["locator"]
    assert ok(client.get(f"/api/v1/bookings/{locator.lower()}"))["id"] == wang["id"]

    def found(**query):
        return [b["id"] for b in ok(client.get("/api/v1/bookings", query_string=query))["items"]]

    assert found(locator=locator.lower()) == [wang["id"]]
    assert found(locator=locator[:3].lower() + locator[3:]) == [wang["id"]]
    assert found(customer_id="c-77") == [ruiz["id"]]
    assert found(name="maria nunez") == [ruiz["id"]]
    assert found(name="小明") == [wang["id"]]
    assert found(phone="600112233") == [ruiz["id"]]
    assert found(phone="139 1234") == [wang["id"]]
    assert found(product_id=room) == [ruiz["id"]]
    assert found(supplier_id=desk["airline"]["id"]) == [wang["id"]]
    assert found(travel_date=DAY.isoformat()) == [wang["id"]]
    assert found(travel_date=DAY.isoformat(), supplier_id=desk["hotel"]["id"]) == []
    assert found() == [ruiz["id"], wang["id"]]  # newest first
    assert ok(client.get("/api/v1/bookings", query_string={"page_size": 1}))["total"] == 2

    # A line moved to another date is found on the new date, not the old one.
    line = ruiz["lines"][0]["id"]
    ok(client.post(f"/api/v1/bookings/{ruiz['locator']}/lines/{line}/change",
                   json={"day": (DAY + timedelta(4)).isoformat(), "reason": "customer_request"}))
    assert found(travel_date=(DAY + timedelta(2)).isoformat()) == []
    assert found(travel_date=(DAY + timedelta(4)).isoformat()) == [ruiz["id"]]


@pytest.mark.parametrize("query, field", [
    ({"locator": "HJ2"}, "locator"), ({"phone": "12"}, "phone"), ({"name": "x"}, "name"),
    ({"travel_date": "31/12/2026"}, "travel_date"), ({"page_size": 1000}, "page_size"), ({"status": "x"}, "status")])
def test_a_bad_booking_search_is_a_422_per_field(client, desk, query, field):
    response = client.get("/api/v1/bookings", query_string=query)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert field in str(response.json)


def test_a_change_keeps_its_fare_difference_on_the_booking_and_in_the_sales_report(client, desk):
    flight = desk["flight"]["id"]
    later = DAY + timedelta(3)
    ok(client.put(f"/api/v1/products/{flight}/inventory", json={
        "start": later.isoformat(), "end": later.isoformat(), "sell_price": "880.00"}))
    booking = book(client, [{"product_id": flight, "day": DAY.isoformat(), "quantity": 2,
                             "travellers": [{"name": "王小明"}, {"name": "李娜"}]}])
    old = booking["lines"][0]
    changed = ok(client.post(f"/api/v1/bookings/{booking['locator']}/lines/{old['id']}/change",
                             json={"day": later.isoformat(), "reason": "agency_error"}))
    assert changed["fare_difference"] == "200.00"

    lines = ok(client.get(f"/api/v1/bookings/{booking['locator']}"))["lines"]
    assert [(l["status"], l["replaces_line_id"], l["fare_difference"]) for l in lines] == \
        [("changed", None, None), ("confirmed", old["id"], "200.00")]

    today = date.today().isoformat()
    report = ok(client.get("/api/v1/reports/sales", query_string={"start": today, "end": today}))
    assert [(t["currency"], t["fare_difference_total"]) for t in report["totals"]] == [("CNY", "200.00")]
    by_product = {r["group_key"]: r["fare_difference_total"] for r in report["rows"]}
    assert by_product == {flight: "200.00"}
    csv_text = client.get("/api/v1/reports/sales.csv", query_string={"start": today, "end": today}).text
    header, row = csv_text.splitlines()[:2]
    assert dict(zip(header.split(","), row.split(",")))["fare_difference_total"] == "200.00"


def test_the_manifest_of_a_travel_date_lists_what_travels_with_csv(client, desk):
    flight, room = desk["flight"]["id"], desk["room"]["id"]
    wang = book(client, [{"product_id": flight, "day": DAY.isoformat(), "quantity": 2, "travellers": [
        {"name": "=SUM(A1)"}, {"name": "王小明", "document": "E12345678"}]}], reference="Q-9")
    moved = book(client, [{"product_id": flight, "day": DAY.isoformat(), "quantity": 1,
                           "travellers": [{"name": "Ana Gómez"}]}])
    ok(client.post(f"/api/v1/bookings/{moved['locator']}/lines/{moved['lines'][0]['id']}/change",
                   json={"day": (DAY + timedelta(1)).isoformat(), "reason": "customer_request"}))
    gone = book(client, [{"product_id": flight, "day": DAY.isoformat(), "quantity": 1}])
    ok(client.post(f"/api/v1/bookings/{gone['locator']}/cancel", json={"reason": "customer_request"}))
    book(client, [{"product_id": room, "day": DAY.isoformat(), "quantity": 1}])  # another supplier
    book(client, [{"product_id": flight, "day": (DAY + timedelta(2)).isoformat(), "quantity": 3}])  # another day

    manifest = ok(client.get("/api/v1/reports/manifest", query_string={
        "travel_date": DAY.isoformat(), "supplier_id": desk["airline"]["id"]}))
    assert (manifest["supplier_name"], manifest["travel_date"]) == ("China Eastern", DAY.isoformat())
    assert [(l["locator"], l["ticket_number"], l["quantity"], l["reference"], [t["name"] for t in l["travellers"]])
            for l in manifest["lines"]] == [(wang["locator"], f"{wang['locator']}-01", 2, "Q-9", ["=SUM(A1)", "王小明"])]
    assert [(t["product_code"], t["bookings"], t["units"]) for t in manifest["totals"]] == [("MU5911-Y", 1, 2)]
    assert ok(client.get("/api/v1/reports/manifest", query_string={
        "travel_date": DAY.isoformat(), "product_id": flight}))["lines"] == manifest["lines"]

    response = client.get("/api/v1/reports/manifest.csv", query_string={
        "travel_date": DAY.isoformat(), "supplier_id": desk["airline"]["id"], "bom": "true"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, row = response.data.decode("utf-8-sig").splitlines()
    record = dict(zip(header.split(","), row.split(",")))
    assert (record["locator"], record["quantity"], record["travellers"], record["documents"]) == \
        (wang["locator"], "2", "'=SUM(A1); 王小明", "; E12345678")  # a formula never runs


@pytest.mark.parametrize("query, status, field", [
    ({"supplier_id": "x"}, 422, "travel_date"), ({"travel_date": DAY.isoformat()}, 422, "supplier_id"),
    ({"travel_date": DAY.isoformat(), "supplier_id": "no-such-supplier"}, 404, "supplier_id")])
def test_a_manifest_needs_a_date_and_a_known_supplier_or_product(client, desk, query, status, field):
    response = client.get("/api/v1/reports/manifest", query_string=query)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert field in str(response.json)
