"""A group departure through the gateway, end to end with the real services: a walk-in family (two
adults and a child) and another party book the featured special-train tour, their order files join its
departure, a guide is assigned (a second overlapping assignment refused), the rooming list puts the
family in a family room and the other traveller in a single, the train's and the hotel's manifests
come as JSON and CSV with the Chinese names intact, and once announced, the party that leaves is a
notice to each supplier. Bad input is a 4xx that writes nothing."""
import csv
import io
import time
from datetime import date, timedelta

import pytest

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService

pytestmark = pytest.mark.e2e

LEAVES = date.today() + timedelta(days=45)
BACK = LEAVES + timedelta(days=6)
TRAIN, HOTEL = "Qinghai-Tibet Railway", "拉萨香格里拉酒店"


@pytest.fixture
def suite_config(suite_on_backend):
    return suite_on_backend


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.get_json(silent=True))
    return response.get_json(silent=True)


def customer(desk, name, born="1985-03-02"):
    return ok(desk.post("/api/v1/customers", json={
        "full_name": name, "preferred_language": "zh", "date_of_birth": born,
        "documents": [{"type": "passport", "number": "E12345678", "country": "CN",
                       "expiry": (BACK + timedelta(days=400)).isoformat()}]}), 201)


def order_file(consultant, product, title, travellers, adults, children=()):
    """The special-train tour quoted and accepted for a party: its order file, travellers named."""
    trip = ok(consultant.post("/api/v1/itineraries", json={
        "title": title, "customer_id": travellers[0][0]["id"], "catalog_product_id": product["id"],
        "party": {"adults": adults, "children": [{"age": a} for a in children]},
        "start_date": LEAVES.isoformat(), "days": 7, "currency": "CNY"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/days/1/items", json={
        "kind": "train", "description": "Z21 Beijing West - Lhasa", "supplier_name": TRAIN, "unit_cost": "1200.00",
        "currency": "CNY", "from_location": "Beijing", "to_location": "Lhasa", "overnight": True}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/days/3/items", json={
        "kind": "hotel", "description": "Shangri-La Lhasa", "supplier_name": HOTEL, "nights": 3,
        "unit_cost": "800.00", "currency": "CNY", "location": "Lhasa"}), 201)
    quote = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes/{quote['version']}/accept", json={}))
    deadline = time.monotonic() + 15
    while not (page := ok(consultant.get(f"/api/v1/order-files?customer_id={travellers[0][0]['id']}")))["items"]:
        assert time.monotonic() < deadline, "no order file opened from the accepted quote"
        time.sleep(0.1)
    return ok(consultant.patch(f"/api/v1/order-files/{page['items'][0]['id']}", json={
        "travellers": [{"customer_id": c["id"], "type": kind} for c, kind in travellers]}))


def test_a_walk_in_familys_special_train_group_departure(run_services, staff_client):
    run_services(CrmService, ItineraryService, ContractsService)
    consultant, desk, ops, manager = (staff_client(r) for r in ("consultant", "front_desk", "ticketing", "manager"))
    ok(manager.post("/api/v1/markup-rules", json={"method": "percent", "value": "15"}), 201)
    product = ok(manager.post("/api/v1/catalog/products", json={
        "code": "TIBET-TRAIN-7", "name": "7 days Tibet by special train", "kind": "package", "destination": "Lhasa",
        "duration_days": 7, "featured": True, "rank": 1, "published": True}), 201)

    # The walk-in family and another party, each with its order file.
    wang, li = customer(desk, "王小明"), customer(desk, "李梅")
    tao = customer(desk, "王涛", born="2016-07-01")
    ruiz = customer(desk, "Luis Ruiz")
    family = order_file(consultant, product, "Family Wang: Tibet", [(wang, "adult"), (li, "adult"), (tao, "child")],
                        2, [10])
    party = order_file(consultant, product, "Mr Ruiz: Tibet", [(ruiz, "adult")], 1)

    group = ok(consultant.post("/api/v1/departures", json={
        "product_id": product["id"], "capacity": 4, "departure_date": LEAVES.isoformat(),
        "return_date": BACK.isoformat()}), 201)
    assert group["product_name"] == "7 days Tibet by special train"  # from the catalog
    url = f"/api/v1/departures/{group['id']}"
    ok(ops.post(f"{url}/members", json={"order_file_id": family["id"]}))
    group = ok(ops.post(f"{url}/members", json={"order_file_id": party["id"]}))
    assert (group["travellers"], group["places_left"]) == (4, 0)

    # Bad input writes nothing: over capacity, an unknown order file, a capacity below who is on board.
    extra = order_file(consultant, product, "Ms Lee: Tibet", [(customer(desk, "Ann Lee"), "adult")], 1)
    full = ok(ops.post(f"{url}/members", json={"order_file_id": extra["id"]}), 409)
    assert "0 places left" in full["detail"]
    unknown = ok(ops.post(f"{url}/members", json={"order_file_id": "no-such-order-file"}), 422)
    assert unknown["errors"] == {"order_file_id": ["No order file no-such-order-file."]}
    ok(consultant.patch(url, json={"capacity": 3}), 409)
    assert ok(desk.get(url))["travellers"] == 4 and ok(desk.get(url))["capacity"] == 4
    ok(desk.post(f"{url}/members", json={"order_file_id": extra["id"]}), 403)  # the front desk only reads

    # The guide; a second departure overlapping this one cannot have them.
    guide = ok(consultant.post("/api/v1/guides", json={"name": "Tenzin Dorje", "phone": "+86 891 555 0101",
                                                       "languages": ["zh", "en"]}), 201)
    assert ok(ops.put(f"{url}/guide", json={"guide_id": guide["id"]}))["guide"]["name"] == "Tenzin Dorje"
    other = ok(consultant.post("/api/v1/departures", json={
        "product_name": "Lhasa city week", "capacity": 20, "departure_date": (BACK - timedelta(days=1)).isoformat(),
        "return_date": (BACK + timedelta(days=6)).isoformat()}), 201)
    refused = ok(ops.put(f"/api/v1/departures/{other['id']}/guide", json={"guide_id": guide["id"]}), 409)
    assert group["code"] in refused["detail"]
    assert ok(desk.get(f"/api/v1/departures/{other['id']}"))["guide"] is None

    # The rooming list: a traveller in two rooms is refused whole; then the family room and a single.
    twice = ok(ops.put(f"{url}/rooming-list", json={"rooms": [
        {"label": "501", "room_type": "family", "occupants": [{"customer_id": wang["id"]}]},
        {"label": "502", "room_type": "twin", "occupants": [{"customer_id": wang["id"]}]}]}), 422)
    assert twice["errors"]["rooms"]["1"]["occupants"] == ["王小明 is already in room 501."]
    assert ok(desk.get(f"{url}/rooming-list"))["rooms"] == []
    rooming = ok(ops.put(f"{url}/rooming-list", json={"rooms": [
        {"label": "501", "room_type": "family", "occupants": [{"customer_id": c["id"]} for c in (wang, li, tao)]},
        {"label": "502", "room_type": "single", "occupants": [{"customer_id": ruiz["id"]}]}]}))
    assert rooming["complete"] and rooming["not_roomed"] == []
    assert [(s["full_name"], s["room"]) for s in rooming["singles"]] == [("Luis Ruiz", "502")]

    # The train's and the hotel's manifests, as JSON and as CSV (BOM for Excel, the Chinese names intact).
    train = ok(ops.get(f"{url}/manifest", query_string={"supplier": TRAIN}))
    assert train["guide"]["name"] == "Tenzin Dorje" and train["counts"]["travellers"] == 4
    assert {(t["full_name"], t["type"], t["room"]) for t in train["travellers"]} == {
        ("王小明", "adult", None), ("李梅", "adult", None), ("王涛", "child", None), ("Luis Ruiz", "adult", None)}
    assert all(t["document"]["number"] != "E12345678" for t in train["travellers"])  # masked
    hotel = ok(ops.get(f"{url}/manifest", query_string={"supplier": HOTEL}))
    assert [(t["full_name"], t["room"], t["room_type"]) for t in hotel["travellers"]] == [
        ("李梅", "501", "family"), ("王小明", "501", "family"), ("王涛", "501", "family"),
        ("Luis Ruiz", "502", "single")]
    response = ops.get(f"{url}/manifest.csv", query_string={"supplier": HOTEL, "bom": "true"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="manifest_GD-')
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["full_name"], r["type"], r["room"], r["supplier"]) for r in table] == [
        ("李梅", "adult", "501", HOTEL), ("王小明", "adult", "501", HOTEL), ("王涛", "child", "501", HOTEL),
        ("Luis Ruiz", "adult", "502", HOTEL)]
    assert "E12345678" not in text
    ok(ops.get(f"{url}/manifest", query_string={"supplier": "Roma Guides"}), 404)

    # Announced to the suppliers; then Mr Ruiz's party leaves: a notice to the train and to the hotel.
    assert ok(consultant.get(f"{url}/notices")) == []
    ok(consultant.post(f"{url}/announce"))
    assert {n["supplier_name"] for n in ok(desk.get(f"{url}/notices"))} == {TRAIN, HOTEL}
    group = ok(ops.delete(f"{url}/members/{party['id']}"))
    assert group["travellers"] == 3 and group["places_left"] == 1
    left = [n for n in ok(desk.get(f"{url}/notices")) if n["change"] == "left"]
    assert {(n["supplier_name"], n["counts"]["travellers"], n["counts"]["rooms"]) for n in left} == {
        (TRAIN, 3, 1), (HOTEL, 3, 1)}
    assert all(party["order_number"] in n["summary"] for n in left)
    assert ok(desk.get(f"{url}/rooming-list"))["singles"] == []  # he left his room too
