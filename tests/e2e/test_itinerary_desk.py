"""What the desk hit when it ran the agencies' own cases (issue 9), through the gateway with real
services: the walk-in family quoting a featured catalog tour, a trip built from a CRM inquiry,
exchange-rate corrections, hotel rooms from the party.
"""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from tests.e2e.conftest import sign_in
from tests.e2e.test_openapi_answers import documented
from tests.e2e.test_itinerary_api import sql

pytestmark = pytest.mark.e2e

START = date.today() + timedelta(days=40)


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def pdf_text(response) -> str:
    assert response.status_code == 200, response.json
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def desk(run_services, staff_client):
    run_services(CrmService, ItineraryService)
    manager = staff_client("manager")
    ok(manager.post("/api/v1/exchange-rates", json={"base": "EUR", "quote": "CNY", "rate": "7.8125",
                                                    "valid_from": "2020-01-01"}), 201)
    ok(manager.post("/api/v1/markup-rules", json={"method": "percent", "value": "12"}), 201)
    return {"manager": manager, "consultant": staff_client("consultant")}


def manual(kind, description, unit_cost, currency="CNY", **extra):
    return {"kind": kind, "description": description, "supplier_name": "Local DMC", "unit_cost": unit_cost,
            "currency": currency, **extra}


def test_a_rate_posted_again_for_the_same_pair_and_date_keeps_the_old_one_and_says_so(desk, suite_config):
    consultant, manager = desk["consultant"], desk["manager"]
    trip = ok(consultant.post("/api/v1/itineraries", json={
        "title": "Paris", "customer_id": "cust-1", "party": {"adults": 2}, "start_date": START.isoformat(),
        "currency": "CNY"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/days/1/items",
                       json=manual("attraction", "Louvre", "22.00", "EUR")), 201)
    v1 = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={"customer_name": "Li Lei"}), 201)
    [old] = ok(manager.get("/api/v1/exchange-rates"))
    assert old["current"] and old["replaces_id"] is None

    corrected = ok(manager.post("/api/v1/exchange-rates", json={"base": "EUR", "quote": "CNY", "rate": "7.9000",
                                                                "valid_from": "2020-01-01"}), 201)
    assert corrected["id"] != old["id"] and corrected["rate"] == "7.9000" and corrected["current"]
    assert corrected["replaced"]["id"] == old["id"] and corrected["replaced"]["rate"] == "7.8125"
    assert corrected["replaces_id"] == old["id"]
    fresh = ok(manager.post("/api/v1/exchange-rates", json={"base": "EUR", "quote": "CNY", "rate": "8.0",
                                                            "valid_from": "2021-01-01"}), 201)
    assert fresh["replaced"] is None
    spec = manager.get("/api/v1/openapi.json").json
    for answer in (corrected, fresh):  # as the OpenAPI document says
        documented(spec, "/api/v1/exchange-rates", "post", 201, "application/json").validate(answer)

    in_force = ok(manager.get("/api/v1/exchange-rates"))
    assert [(r["valid_from"], r["rate"]) for r in in_force] == [("2021-01-01", "8.0"), ("2020-01-01", "7.9000")]
    history = ok(manager.get("/api/v1/exchange-rates", query_string={"history": "true"}))
    superseded = [r for r in history if not r["current"]]
    assert [(r["id"], r["rate"]) for r in superseded] == [(old["id"], "7.8125")]
    assert superseded[0]["superseded_by"].startswith("user:") and superseded[0]["superseded_at"]
    assert sql(suite_config, "SELECT count(*) FROM exchange_rates") == 3

    # The new rate prices what is computed from now on; the issued quote keeps the rate it locked.
    sheet = ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/cost-sheet"))
    assert [r["rate"] for r in sheet["rates"]] == ["8.0"]
    again = ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/quotes/1"))
    assert again["snapshot"]["rates"] == v1["snapshot"]["rates"] == [
        {"base": "EUR", "quote": "CNY", "rate": "7.8125", "valid_from": "2020-01-01"}]
    assert again["total"] == v1["total"]


def test_hotel_rooms_follow_the_party_and_the_room_occupancy_and_the_consultant_can_change_them(
        desk, run_services, client, suite_config):
    from services.ticketing.service import TicketingService

    run_services(TicketingService)
    consultant = desk["consultant"]
    supplier = ok(client.post("/api/v1/suppliers", json={"name": "Lijiang Inns", "kind": "hotel"}), 201)
    family_room = ok(client.post("/api/v1/products", json={
        "supplier_id": supplier["id"], "supplier_code": "FAM", "kind": "hotel", "name": "Family room",
        "location": "Lijiang", "currency": "CNY", "attributes": {"max_occupancy": 3}}), 201)
    ok(client.put(f"/api/v1/products/{family_room['id']}/inventory", json={
        "start": START.isoformat(), "end": (START + timedelta(days=3)).isoformat(), "capacity": 5,
        "net_price": "400.00", "sell_price": "480.00"}))
    trip = ok(consultant.post("/api/v1/itineraries", json={
        "title": "丽江", "customer_id": "cust-1", "party": {"adults": 2, "children": [{"age": 8}]},
        "start_date": START.isoformat(), "days": 3, "currency": "CNY"}), 201)
    items = f"/api/v1/itineraries/{trip['id']}/days/1/items"

    family = ok(consultant.post(items, json={"kind": "hotel", "inventory_product_id": family_room["id"],
                                             "nights": 2}), 201)
    assert (family["resolved_quantity"], family["room_occupancy"], family["occupancy"]) == (1, 3, None)
    doubles = ok(consultant.post(items, json=manual("hotel", "Old Town Inn, double", "300.00", nights=2)), 201)
    assert (doubles["resolved_quantity"], doubles["room_occupancy"]) == (2, 2)   # 3 travellers, 2 to a room
    tickets = ok(consultant.post(items, json=manual("attraction", "Jade Dragon Snow Mountain", "180.00")), 201)
    assert tickets["resolved_quantity"] == 3 and tickets["room_occupancy"] is None

    # The consultant changes the room type, then the party grows: the rooms follow.
    doubles = ok(consultant.patch(f"/api/v1/itineraries/{trip['id']}/items/{doubles['id']}", json={"occupancy": 3}))
    assert doubles["resolved_quantity"] == 1
    ok(consultant.patch(f"/api/v1/itineraries/{trip['id']}", json={
        "party": {"adults": 4, "children": [{"age": 8}, {"age": 5}]}}))
    sheet = ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/cost-sheet"))
    quantities = {line["item_id"]: (line["quantity"], line["units"]) for line in sheet["lines"]}
    assert quantities[family["id"]] == (2, 4) and quantities[doubles["id"]] == (2, 4)  # 6 travellers, 3 a room
    assert quantities[tickets["id"]] == (6, 6)
    # ... or sets the rooms by hand.
    fixed = ok(consultant.patch(f"/api/v1/itineraries/{trip['id']}/items/{doubles['id']}", json={"quantity": 3}))
    assert fixed["resolved_quantity"] == 3

    for bad, field in (({"occupancy": 0}, "occupancy"), ({"occupancy": 11}, "occupancy")):
        response = consultant.patch(f"/api/v1/itineraries/{trip['id']}/items/{doubles['id']}", json=bad)
        assert response.status_code == 422 and field in response.json["errors"], response.json
    response = consultant.post(items, json=manual("attraction", "Impression Lijiang", "200.00", occupancy=2))
    assert response.status_code == 422 and "occupancy" in response.json["errors"]
    assert sql(suite_config, "SELECT count(*) FROM itinerary_items") == 3


def walk_in(front_desk, **inquiry) -> dict:
    """The front desk registers a walk-in family and what they asked for."""
    return ok(front_desk.post("/api/v1/inquiries", json={
        "channel": "walk_in", "customer": {"full_name": "王小明", "phone": "+8613800138000"},
        "destinations": ["Lijiang", "Dali"], "party": {"adults": 2, "children": [8]},
        "travel_window": {"start": START.isoformat(), "end": (START + timedelta(days=6)).isoformat()},
        **inquiry}), 201)


def test_an_itinerary_for_an_inquiry_takes_its_customer_party_and_dates_unless_the_request_says(
        desk, staff_client, suite_config):
    consultant = desk["consultant"]
    inquiry = walk_in(staff_client("front_desk"))
    trip = ok(consultant.post("/api/v1/itineraries", json={"inquiry_id": inquiry["id"], "currency": "CNY"}), 201)
    assert (trip["origin"], trip["customer_id"], trip["inquiry_id"]) == ("inquiry", inquiry["customer_id"],
                                                                         inquiry["id"])
    assert trip["party"] == {"adults": 2, "children": [{"age": 8}]}
    assert (trip["start_date"], trip["end_date"], len(trip["days"])) == (
        START.isoformat(), (START + timedelta(days=6)).isoformat(), 7)
    assert trip["title"] == "Lijiang, Dali"

    # What the request gives wins.
    own = ok(consultant.post("/api/v1/itineraries", json={
        "inquiry_id": inquiry["id"], "currency": "CNY", "title": "丽江大理", "party": {"adults": 3},
        "start_date": (START + timedelta(days=1)).isoformat(), "days": 4}), 201)
    assert (own["title"], own["party"], own["start_date"], len(own["days"])) == (
        "丽江大理", {"adults": 3, "children": []}, (START + timedelta(days=1)).isoformat(), 4)

    # What the inquiry cannot give, and an inquiry that is not there or not the customer's: 422.
    flexible = walk_in(staff_client("front_desk"), customer_id=None, customer={"full_name": "Ana Núñez"},
                       travel_window={"month": (START + timedelta(days=60)).strftime("%Y-%m")}, party=None)
    for body, field in (({"inquiry_id": flexible["id"]}, "start_date"),
                        ({"inquiry_id": flexible["id"]}, "party"),
                        ({"inquiry_id": "no-such-inquiry"}, "inquiry_id"),
                        ({"inquiry_id": inquiry["id"], "customer_id": flexible["customer_id"]}, "customer_id"),
                        ({"currency": "CNY"}, "party")):
        response = consultant.post("/api/v1/itineraries", json={"currency": "CNY", **body})
        assert response.status_code == 422 and field in response.json["errors"], (body, response.json)
    assert sql(suite_config, "SELECT count(*) FROM itineraries") == 2


def test_the_quote_names_the_customer_from_crm_and_the_consultant_by_full_name(desk, client, staff_client,
                                                                                suite_config):
    ok(client.post("/api/v1/users", json={"username": "mjnunez", "full_name": "María José Núñez",
                                          "password": "a long password 123", "roles": ["consultant"]}), 201)
    consultant = client.application.test_client()
    consultant.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + sign_in(consultant, "mjnunez", "a long password 123")
    inquiry = walk_in(staff_client("front_desk"))
    trip = ok(consultant.post("/api/v1/itineraries", json={"inquiry_id": inquiry["id"], "currency": "CNY"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/days/2/items",
                       json=manual("attraction", "Jade Dragon Snow Mountain", "180.00")), 201)

    quote = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    snapshot = quote["snapshot"]
    assert snapshot["itinerary"]["customer_name"] == "王小明"
    assert (snapshot["quote"]["issued_by"], snapshot["quote"]["issued_by_name"]) == ("user:mjnunez",
                                                                                     "María José Núñez")
    text = pdf_text(consultant.get(f"/api/v1/itineraries/{trip['id']}/quotes/1/sheet.pdf"))
    assert "Prepared for 王小明" in text and "Your consultant María José Núñez" in text
    assert "mjnunez" not in text

    # The snapshot keeps the name as it was; a name given when issuing wins over CRM's.
    ok(client.patch(f"/api/v1/customers/{inquiry['customer_id']}", json={"full_name": "王晓明"}))
    assert ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/quotes/1"))["snapshot"]["itinerary"][
        "customer_name"] == "王小明"
    v2 = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    assert v2["snapshot"]["itinerary"]["customer_name"] == "王晓明"
    v3 = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={"customer_name": "Mr Wang"}), 201)
    assert v3["snapshot"]["itinerary"]["customer_name"] == "Mr Wang"

    # A customer CRM does not know cannot be quoted without a name: 422, no quote written.
    stranger = ok(consultant.post("/api/v1/itineraries", json={
        "customer_id": "no-such-customer", "party": {"adults": 1}, "start_date": START.isoformat(),
        "currency": "CNY"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{stranger['id']}/days/1/items",
                       json=manual("meal", "Naxi dinner", "90.00")), 201)
    refused = consultant.post(f"/api/v1/itineraries/{stranger['id']}/quotes", json={})
    assert refused.status_code == 422 and "customer_id" in refused.json["errors"], refused.json
    assert sql(suite_config, "SELECT count(*) FROM quotes") == 3


def test_quote_sheets_and_brochures_embed_a_font_that_prints_chinese_and_spanish_names(desk, monkeypatch):
    from services.itinerary import documents
    from tests.unit.test_itinerary_documents import embedded_fonts

    if documents.discover_font() is None:
        pytest.skip("no Chinese TrueType font installed (.ci/run installs fonts-wqy-microhei)")
    consultant = desk["consultant"]
    ok(consultant.post("/api/v1/catalog/products", json={
        "code": "YUNNAN-7", "name": "云南七日游 con guía Núñez", "kind": "package", "duration_days": 7,
        "published": True}), 201)
    trip = ok(consultant.post("/api/v1/itineraries", json={
        "title": "丽江 · Lijiang", "customer_id": "cust-1", "party": {"adults": 2}, "start_date": START.isoformat(),
        "currency": "CNY"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/days/1/items",
                       json=manual("meal", "纳西晚餐 / cena", "90.00")), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={"customer_name": "王小明 y María Núñez"}),
       201)
    sheet = consultant.get(f"/api/v1/itineraries/{trip['id']}/quotes/1/sheet.pdf")
    brochure = consultant.get("/api/v1/catalog/brochure.pdf")
    assert "Prepared for 王小明 y María Núñez" in pdf_text(sheet)
    assert "云南七日游 con guía Núñez" in pdf_text(brochure)
    for content in (sheet.data, brochure.data):
        fonts = embedded_fonts(content)
        assert any(subtype == "/TrueType" and embedded for subtype, _, embedded in fonts), fonts
        assert not [f for f in fonts if f[0] == "/Type0"], fonts  # no CID font the viewer must supply


def test_the_walk_in_family_is_quoted_the_featured_tours_advertised_season_price(desk, staff_client, suite_config):
    consultant, front_desk = desk["consultant"], staff_client("front_desk")
    season_end = START + timedelta(days=60)
    ok(consultant.post("/api/v1/catalog/products", json={
        "code": "YUNNAN-TRAIN", "name": "云南专列七日游 (special train)", "kind": "package", "duration_days": 7,
        "published": True, "featured": True, "rank": 1,
        "seasons": [{"name": "Spring", "start": (START - timedelta(days=10)).isoformat(),
                     "end": season_end.isoformat(), "currency": "CNY", "adult_price": "6980.00",
                     "child_price": "4980.00"}],
        "template": [
            {"day": 1, "title": "Kunming, boarding", "items": [
                manual("train", "Special train, soft sleeper", "1450.00", overnight=True),
                manual("meal", "Dinner on board", "60.00")]},
            {"day": 2, "title": "Dali", "items": [manual("hotel", "Dali Old Town Inn", "320.00", nights=2)]},
            {"day": 4, "title": "Lijiang", "items": [manual("hotel", "Lijiang Inn", "360.00", nights=3),
                                                       manual("attraction", "Jade Dragon Snow Mountain",
                                                              "180.00")]}]}), 201)
    [tour] = ok(front_desk.get("/api/v1/catalog"))["items"]
    assert (tour["seasons"][0]["adult_price"], tour["seasons"][0]["child_price"]) == ("6980.00", "4980.00")
    inquiry = walk_in(front_desk)   # 2 adults and a child of 8, from START
    trip = ok(consultant.post("/api/v1/itineraries", json={
        "inquiry_id": inquiry["id"], "catalog_product_id": tour["id"], "currency": "CNY"}), 201)
    assert trip["package_price"] == {"source": "catalog", "season": "Spring", "currency": "CNY",
                                     "adult_price": "6980.00", "child_price": "4980.00"}
    assert len(trip["days"]) == 7 and trip["party"] == {"adults": 2, "children": [{"age": 8}]}

    sheet = ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/cost-sheet"))
    totals, package = sheet["totals"], sheet["totals"]["package"]
    assert totals["total"] == "18940.00"                           # 2 x 6980 + 4980, as advertised
    assert (sheet["per_person"]["adult"], sheet["per_person"]["child"]) == ("6980.00", "4980.00")
    components = sum(Decimal(line["sell_amount"]) for line in sheet["lines"])
    assert Decimal(package["components_sell"]) == components != Decimal("18940.00")  # both shown ...
    assert Decimal(package["difference"]) == Decimal("18940.00") - components      # ... and why they differ
    assert "Spring season price" in package["why"]
    documented(consultant.get("/api/v1/openapi.json").json, "/api/v1/itineraries/{itinerary_id}/cost-sheet", "get",
               200, "application/json").validate(sheet)

    quote = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    assert quote["total"] == "18940.00" and quote["snapshot"]["itinerary"]["customer_name"] == "王小明"
    text = pdf_text(consultant.get(f"/api/v1/itineraries/{trip['id']}/quotes/1/sheet.pdf"))
    assert "CNY 18,940.00" in text and "Spring season price" in text and "CNY 6,980.00" in text
    assert "CNY 4,980.00" in text

    # The consultant may change it: own prices, or the lines' prices (then fee and taxes on top).
    ok(consultant.patch(f"/api/v1/itineraries/{trip['id']}", json={
        "package_price": {"adult_price": "6500.00", "child_price": "4500.00"}}))
    assert ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/cost-sheet"))["totals"]["total"] == "17500.00"
    ok(consultant.patch(f"/api/v1/itineraries/{trip['id']}", json={"package_price": None}))
    lines_priced = ok(consultant.get(f"/api/v1/itineraries/{trip['id']}/cost-sheet"))["totals"]
    assert lines_priced["package"] is None and Decimal(lines_priced["total"]) == components
    bad = consultant.patch(f"/api/v1/itineraries/{trip['id']}", json={"package_price": {"adult_price": "-1",
                                                                                       "child_price": "1"}})
    assert bad.status_code == 422 and "adult_price" in bad.json["errors"]["package_price"]

    # A departure outside every season has no advertised price: the lines' prices apply.
    later = ok(consultant.post("/api/v1/itineraries", json={
        "catalog_product_id": tour["id"], "customer_id": inquiry["customer_id"], "party": {"adults": 2},
        "start_date": (season_end + timedelta(days=1)).isoformat(), "currency": "CNY"}), 201)
    assert later["package_price"] is None
