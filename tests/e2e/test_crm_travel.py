"""Travel that happened, through the gateway: a booking in ticketing becomes the customer's past
destination and last trip date in CRM only once its day has passed, and a rebooking moves it."""
from datetime import date, timedelta

import pytest
from nameko.testing.services import entrypoint_hook

import services.crm.service
from services.crm.service import CrmService
from services.ticketing.service import TicketingService
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e

DAY = date.today() + timedelta(days=10)


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def timeline_kinds(client, customer_id):
    return [e["kind"] for e in ok(client.get(f"/api/v1/customers/{customer_id}/timeline",
                                             query_string={"page_size": 100}))["items"]]


def lijiang_travellers(client):
    return [c["id"] for c in ok(client.get("/api/v1/segments/customers", query_string={
        "destinations": "Lijiang"}))["items"]]


def test_been_to_lijiang_picks_only_who_went_and_a_rebooking_moves_the_last_trip(run_services, client,
                                                                                 monkeypatch):
    crm, _ = run_services(CrmService, TicketingService)
    airline = ok(client.post("/api/v1/suppliers", json={"name": "China Eastern", "kind": "airline"}), 201)
    flight = ok(client.post("/api/v1/products", json={
        "supplier_id": airline["id"], "supplier_code": "MU5911-Y", "kind": "flight", "name": "MU5911 KMG-LJG",
        "location": "KMG-LJG", "destination": "Lijiang", "currency": "CNY"}), 201)
    assert flight["destination"] == "Lijiang"
    ok(client.put(f"/api/v1/products/{flight['id']}/inventory", json={
        "start": DAY.isoformat(), "end": (DAY + timedelta(3)).isoformat(), "capacity": 9,
        "net_price": "600.00", "sell_price": "780.00"}))
    wang = ok(client.post("/api/v1/customers", json={"full_name": "王小明", "marketing_consent": True}), 201)
    hold = ok(client.post("/api/v1/holds", json={"lines": [{
        "product_id": flight["id"], "day": DAY.isoformat(), "quantity": 1,
        "travellers": [{"name": "王小明", "customer_id": wang["id"]}]}]}), 201)
    booking = ok(client.post(f"/api/v1/holds/{hold['id']}/confirm"), 201)
    assert booking["lines"][0]["destination"] == "Lijiang"

    # Booked, not travelled: the profile and the segment wait for the day to pass.
    wait_for(lambda: "ticketing.booking_confirmed" in timeline_kinds(client, wang["id"]), timeout=30,
             message="the booking on the customer's timeline")
    customer = ok(client.get(f"/api/v1/customers/{wang['id']}"))
    assert (customer["past_destinations"], customer["last_trip_date"]) == ([], None)
    assert lijiang_travellers(client) == []

    # The delayed flight is rebooked two days later; then the days pass and the daily count runs.
    ok(client.post(f"/api/v1/bookings/{booking['locator']}/lines/{booking['lines'][0]['id']}/change",
                   json={"day": (DAY + timedelta(2)).isoformat()}))
    monkeypatch.setattr(services.crm.service, "_today", lambda: DAY + timedelta(5))

    def counted():
        with entrypoint_hook(crm, "count_travel") as count_travel:
            count_travel()
        return ok(client.get(f"/api/v1/customers/{wang['id']}"))["last_trip_date"] == (DAY + timedelta(2)).isoformat()

    wait_for(counted, timeout=30, interval=0.5, message="the rebooked flight's date as the last trip")
    assert ok(client.get(f"/api/v1/customers/{wang['id']}"))["past_destinations"] == ["Lijiang"]
    assert lijiang_travellers(client) == [wang["id"]]
