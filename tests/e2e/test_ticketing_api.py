"""Ticketing through the gateway: staff selling seats, suppliers pushing inventory."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from services.ticketing.service import TicketingService

pytestmark = pytest.mark.e2e

DAY = date.today() + timedelta(days=30)


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


@pytest.fixture
def desk(run_services, client):
    """A supplier with a key, and a hotel room type with 4 rooms a night for a week."""
    run_services(TicketingService)
    supplier = ok(client.post("/api/v1/suppliers", json={
        "name": "Hotel Arts Barcelona", "kind": "hotel",
        "contacts": [{"name": "Reservas", "email": "reservas@example.es"}]}), 201)
    key = ok(client.post(f"/api/v1/suppliers/{supplier['id']}/api-key"), 201)["api_key"]
    room = ok(client.post("/api/v1/products", json={
        "supplier_id": supplier["id"], "supplier_code": "DBL-SEA", "kind": "hotel",
        "name": "Double sea view, breakfast", "location": "Barcelona",
        "attributes": {"room_type": "DBL", "board": "BB"}, "currency": "EUR"}), 201)
    ok(client.put(f"/api/v1/products/{room['id']}/inventory", json={
        "start": DAY.isoformat(), "end": (DAY + timedelta(6)).isoformat(),
        "capacity": 4, "net_price": "150.00", "sell_price": "189.00"}))
    return {"supplier": supplier, "key": key, "room": room}


def rows(suite_config, sql) -> int:
    engine = create_engine(suite_config["DATABASE_URLS"]["ticketing"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def test_search_hold_confirm_change_cancel_refund(client, desk):
    room = desk["room"]["id"]
    found = ok(client.get("/api/v1/availability", query_string={
        "kind": "hotel", "location": "barcelona", "start": DAY.isoformat(), "end": DAY.isoformat(),
        "quantity": 2}))
    assert [(p["product"]["id"], p["days"][0]["available"], p["days"][0]["bookable"]) for p in found] == \
        [(room, 4, True)]

    hold = ok(client.post("/api/v1/holds", json={"channel": "consultant", "reference": "Q-77", "lines": [
        {"product_id": room, "day": DAY.isoformat(), "quantity": 2,
         "travellers": [{"name": "Carmen Ruiz"}, {"name": "Luis Ruiz"}]},
        {"product_id": room, "day": (DAY + timedelta(1)).isoformat(), "quantity": 2}]}), 201)
    assert hold["status"] == "active"
    booking = ok(client.post(f"/api/v1/holds/{hold['id']}/confirm"), 201)
    assert booking["status"] == "confirmed" and len(booking["locator"]) == 6
    assert ok(client.get(f"/api/v1/bookings/{booking['locator']}"))["id"] == booking["id"]

    calendar = ok(client.get("/api/v1/availability/calendar", query_string={"month": DAY.strftime("%Y-%m")}))
    assert calendar["products"][0]["days"][DAY.isoformat()]["available"] == 2

    first = booking["lines"][0]
    changed = ok(client.post(f"/api/v1/bookings/{booking['locator']}/lines/{first['id']}/change",
                             json={"day": (DAY + timedelta(3)).isoformat(), "reason": "customer_request"}))
    assert changed["fare_difference"] == "0.00"
    ok(client.post(f"/api/v1/bookings/{booking['locator']}/lines/{first['id']}/refunds",
                   json={"amount": "378.00", "reason": "date change, no fee"}), 201)
    over = client.post(f"/api/v1/bookings/{booking['locator']}/lines/{first['id']}/refunds", json={"amount": "0.01"})
    assert over.status_code == 409

    cancelled = ok(client.post(f"/api/v1/bookings/{booking['locator']}/cancel", json={"reason": "customer_request"}))
    assert cancelled["status"] == "cancelled"
    days = ok(client.get(f"/api/v1/products/{room}/inventory", query_string={
        "start": DAY.isoformat(), "end": (DAY + timedelta(6)).isoformat()}))
    assert all(d["available"] == 4 for d in days)


def test_a_sold_out_date_is_a_409_and_a_released_hold_frees_it(client, desk):
    room = desk["room"]["id"]
    line = {"product_id": room, "day": DAY.isoformat(), "quantity": 4}
    hold = ok(client.post("/api/v1/holds", json={"lines": [line]}), 201)
    refused = client.post("/api/v1/holds", json={"lines": [dict(line, quantity=1)]})
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert "Only 0 left" in refused.json["detail"]
    ok(client.post(f"/api/v1/holds/{hold['id']}/release"))
    assert client.post(f"/api/v1/holds/{hold['id']}/confirm").status_code == 409
    ok(client.post("/api/v1/holds", json={"lines": [dict(line, quantity=1)]}), 201)


@pytest.mark.parametrize("line, field", [
    ({"quantity": 0}, "quantity"),
    ({"quantity": -1}, "quantity"),
    ({"quantity": 51}, "quantity"),
    ({"quantity": "2"}, "quantity"),
    ({"day": "2020-01-01"}, "day"),
    ({"day": "tomorrow"}, "day"),
])
def test_bad_hold_lines_are_422_and_hold_nothing(client, desk, suite_config, line, field):
    body = {"lines": [{"product_id": desk["room"]["id"], "day": DAY.isoformat(), "quantity": 1} | line]}
    response = client.post("/api/v1/holds", json=body)
    assert response.status_code == 422, response.json
    assert field in str(response.json["errors"])
    assert rows(suite_config, "SELECT count(*) FROM holds") == 0


def test_unknown_product_is_404_and_holds_nothing(client, desk, suite_config):
    response = client.post("/api/v1/holds", json={"lines": [
        {"product_id": desk["room"]["id"], "day": DAY.isoformat(), "quantity": 1},
        {"product_id": "no-such-product", "day": DAY.isoformat(), "quantity": 1}]})
    assert response.status_code == 404
    assert rows(suite_config, "SELECT count(*) FROM holds") == 0


def test_supplier_push_applies_its_own_products_in_order(client, desk, suite_config):
    key = {"X-Api-Key": desk["key"]}
    start, end = DAY.isoformat(), (DAY + timedelta(6)).isoformat()
    pushed = ok(client.post("/api/v1/supplier/inventory", headers=key, json={"updates": [
        {"product_code": "DBL-SEA", "start": start, "end": end, "weekdays": [5, 6], "capacity": 6, "sequence": 100},
        {"product_code": "DBL-SEA", "start": start, "end": end, "capacity": 1, "sequence": 99},
        {"product_code": "NOT-MINE", "start": start, "end": end, "capacity": 1, "sequence": 1},
        {"product_code": "DBL-SEA", "start": start, "end": end, "capacity": -5, "sequence": 101},
    ]}))
    statuses = [r["status"] for r in pushed["results"]]
    assert statuses[0] == "applied" and statuses[2:] == ["rejected", "rejected"]
    assert pushed["results"][0]["applied_days"] == 2  # the Friday and Saturday of the week
    days = ok(client.get(f"/api/v1/supplier/products/{desk['room']['id']}/inventory", headers=key,
                         query_string={"start": start, "end": end}))
    weekend = {d["day"]: d["capacity"] for d in days if date.fromisoformat(d["day"]).isoweekday() in (5, 6)}
    assert set(weekend.values()) == {6}
    changes = ok(client.get(f"/api/v1/products/{desk['room']['id']}/inventory-changes",
                            query_string={"start": start, "end": end}))
    assert any(c["source"] == "supplier_json" and c["actor"] == f"supplier:{desk['supplier']['id']}"
               for c in changes)


def test_supplier_keys_are_checked_and_suppliers_see_only_their_own(client, desk):
    start = DAY.isoformat()
    body = {"updates": [{"product_code": "DBL-SEA", "start": start, "end": start, "capacity": 2, "sequence": 1}]}
    assert client.post("/api/v1/supplier/inventory", json=body).status_code == 401
    assert client.post("/api/v1/supplier/inventory", json=body,
                       headers={"X-Api-Key": desk["key"] + "x"}).status_code == 401
    other = ok(client.post("/api/v1/suppliers", json={"name": "Renfe", "kind": "rail"}), 201)
    other_key = ok(client.post(f"/api/v1/suppliers/{other['id']}/api-key"), 201)["api_key"]
    foreign = client.get(f"/api/v1/supplier/products/{desk['room']['id']}/inventory",
                         headers={"Authorization": f"Bearer {other_key}"},
                         query_string={"start": start, "end": start})
    assert foreign.status_code == 403
    revoked = client.delete(f"/api/v1/suppliers/{desk['supplier']['id']}/api-key")
    assert (revoked.status_code, revoked.data) == (204, b"")
    assert ok(client.get(f"/api/v1/suppliers/{desk['supplier']['id']}"))["api_key_active"] is False
    assert client.post("/api/v1/supplier/inventory", json=body,
                       headers={"X-Api-Key": desk["key"]}).status_code == 401


def test_confirming_a_confirmed_hold_again_returns_its_booking(client, desk, suite_config):
    room = desk["room"]["id"]
    hold = ok(client.post("/api/v1/holds", json={"lines": [
        {"product_id": room, "day": DAY.isoformat(), "quantity": 2}]}), 201)
    first = ok(client.post(f"/api/v1/holds/{hold['id']}/confirm"), 201)
    again = ok(client.post(f"/api/v1/holds/{hold['id']}/confirm"), 200)
    assert again == first and "already_confirmed" not in again
    assert [l["ticket_number"] for l in again["lines"]] == [f"{first['locator']}-01"]
    assert rows(suite_config, "SELECT count(*) FROM bookings") == 1
    assert rows(suite_config, "SELECT count(*) FROM outbox WHERE event_type = 'ticketing.booking_confirmed'") == 1
    spec = client.get("/api/v1/openapi.json").json
    assert {"200", "201"} <= set(spec["paths"]["/api/v1/holds/{hold_id}/confirm"]["post"]["responses"])


def test_every_date_on_a_ticketing_answer_is_iso_8601(client, desk):
    room = desk["room"]["id"]
    hold = ok(client.post("/api/v1/holds", json={"lines": [
        {"product_id": room, "day": DAY.isoformat(), "quantity": 3}]}), 201)
    assert hold["lines"][0]["day"] == DAY.isoformat()
    assert ok(client.get(f"/api/v1/holds/{hold['id']}"))["lines"][0]["day"] == DAY.isoformat()
    # The supplier cuts below what is held: the overbooked dates come back as dates too.
    cut = ok(client.put(f"/api/v1/products/{room}/inventory", json={
        "start": DAY.isoformat(), "end": DAY.isoformat(), "capacity": 1}))
    assert cut["overbooked"] == [{"day": DAY.isoformat(), "capacity": 1, "booked": 0, "held": 3, "short_by": 2}]
    [day] = ok(client.get(f"/api/v1/products/{room}/inventory", query_string={
        "start": DAY.isoformat(), "end": DAY.isoformat()}))
    assert (day["day"], day["overbooked"], day["status"]) == (DAY.isoformat(), True, "overbooked")
    for stamp in (hold["created_at"], hold["expires_at"]):
        assert datetime.fromisoformat(stamp).tzinfo is not None


def test_kinds_of_service_are_the_itinerary_words_and_the_old_ones_are_refused(client, desk, suite_config):
    product = {"supplier_id": desk["supplier"]["id"], "supplier_code": "MUSEU", "name": "Museu Picasso",
               "location": "Barcelona", "currency": "EUR"}
    for old in ("hotel_room", "attraction_ticket"):
        refused = client.post("/api/v1/products", json=product | {"kind": old})
        assert refused.status_code == 422, refused.json
        assert "hotel, attraction" in refused.json["errors"]["kind"][0], refused.json
        listed = client.get("/api/v1/products", query_string={"kind": old})
        assert listed.status_code == 422 and "hotel, attraction" in listed.json["errors"]["kind"][0]
    assert rows(suite_config, "SELECT count(*) FROM products") == 1
    museum = ok(client.post("/api/v1/products", json=product | {"kind": "attraction"}), 201)
    assert [p["id"] for p in ok(client.get("/api/v1/products", query_string={"kind": "attraction"}))["items"]] == \
        [museum["id"]]
    assert desk["room"]["kind"] == "hotel"


def test_new_records_answer_201_with_where_to_read_them(client, desk):
    supplier = client.post("/api/v1/suppliers", json={"name": "Renfe", "kind": "rail"})
    assert supplier.status_code == 201
    assert ok(client.get(supplier.headers["Location"]))["id"] == supplier.json["id"]
    key = client.post(f"/api/v1/suppliers/{supplier.json['id']}/api-key")
    assert key.status_code == 201
    assert ok(client.get(key.headers["Location"]))["api_key_prefix"] == key.json["api_key"].split("_")[1]
    train = client.post("/api/v1/products", json={
        "supplier_id": supplier.json["id"], "supplier_code": "AVE-03071", "kind": "train", "name": "AVE 03071",
        "location": "MAD-BCN", "destination": "Barcelona", "currency": "EUR"})
    assert train.status_code == 201 and ok(client.get(train.headers["Location"]))["id"] == train.json["id"]

    hold = client.post("/api/v1/holds", json={"lines": [
        {"product_id": desk["room"]["id"], "day": DAY.isoformat(), "quantity": 1}]})
    assert hold.status_code == 201 and ok(client.get(hold.headers["Location"]))["id"] == hold.json["id"]
    booking = client.post(f"/api/v1/holds/{hold.json['id']}/confirm")
    assert booking.status_code == 201
    assert booking.headers["Location"] == f"/api/v1/bookings/{booking.json['locator']}"
    assert ok(client.get(booking.headers["Location"]))["id"] == booking.json["id"]
    again = client.post(f"/api/v1/holds/{hold.json['id']}/confirm")
    assert again.status_code == 200 and again.json == booking.json

    line = booking.json["lines"][0]["id"]
    ok(client.post(f"/api/v1/bookings/{booking.json['locator']}/lines/{line}/cancel", json={"reason": "customer_request"}))
    refund = client.post(f"/api/v1/bookings/{booking.json['locator']}/lines/{line}/refunds",
                         json={"amount": "50.00", "reason": "goodwill"})
    assert refund.status_code == 201
    assert ok(client.get(refund.headers["Location"])) == refund.json
    other_line = client.get(f"/api/v1/bookings/{booking.json['locator']}/lines/{line + 1}/refunds/"
                            f"{refund.json['id']}")
    assert other_line.status_code == 404


def test_inventory_changes_with_a_stale_etag_are_412_and_change_nothing(client, desk, suite_config):
    room = desk["room"]["id"]
    week = {"start": DAY.isoformat(), "end": (DAY + timedelta(6)).isoformat()}
    read = client.get(f"/api/v1/products/{room}/inventory", query_string=week)
    assert read.status_code == 200 and read.headers["ETag"]

    # Another clerk raises the price first, with the ETag both read.
    first = client.put(f"/api/v1/products/{room}/inventory", json=week | {"sell_price": "199.00"},
                       headers={"If-Match": read.headers["ETag"]})
    assert first.status_code == 200, first.json
    assert {d["sell_price"] for d in first.json["days"]} == {"199.00"}
    reread = client.get(f"/api/v1/products/{room}/inventory", query_string=week)
    assert first.headers["ETag"] == reread.headers["ETag"] != read.headers["ETag"]

    stale = client.put(f"/api/v1/products/{room}/inventory", json=week | {"capacity": 2},
                       headers={"If-Match": read.headers["ETag"]})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert {d["capacity"] for d in ok(client.get(f"/api/v1/products/{room}/inventory", query_string=week))} == {4}

    # A hold on one of the dates changes what was read (units held), so it too makes the ETag stale.
    ok(client.post("/api/v1/holds", json={"lines": [
        {"product_id": room, "day": DAY.isoformat(), "quantity": 1}]}), 201)
    assert client.put(f"/api/v1/products/{room}/inventory", json=week | {"capacity": 2},
                      headers={"If-Match": reread.headers["ETag"]}).status_code == 412
    # An ETag of another range never matches, even over the same dates' data.
    day_one = client.get(f"/api/v1/products/{room}/inventory", query_string={"start": week["start"],
                                                                            "end": week["start"]})
    assert client.put(f"/api/v1/products/{room}/inventory", json=week | {"capacity": 2},
                      headers={"If-Match": day_one.headers["ETag"]}).status_code == 412
    assert rows(suite_config, "SELECT count(*) FROM daily_inventory WHERE capacity = 2") == 0

    current = client.get(f"/api/v1/products/{room}/inventory", query_string=week).headers["ETag"]
    changed = client.put(f"/api/v1/products/{room}/inventory", json=week | {"capacity": 2},
                         headers={"If-Match": current})
    assert changed.status_code == 200 and [d["held"] for d in changed.json["days"]][:2] == [1, 0]
    # Without If-Match the change applies to whatever is current.
    ok(client.put(f"/api/v1/products/{room}/inventory", json=week | {"capacity": 3}))
