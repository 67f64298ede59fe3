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
                   json={"day": (DAY + timedelta(2)).isoformat(), "reason": "customer_request"}))
    monkeypatch.setattr(services.crm.service, "_today", lambda: DAY + timedelta(5))

    def counted():
        with entrypoint_hook(crm, "count_travel") as count_travel:
            count_travel()
        return ok(client.get(f"/api/v1/customers/{wang['id']}"))["last_trip_date"] == (DAY + timedelta(2)).isoformat()

    wait_for(counted, timeout=30, interval=0.5, message="the rebooked flight's date as the last trip")
    assert ok(client.get(f"/api/v1/customers/{wang['id']}"))["past_destinations"] == ["Lijiang"]
    assert lijiang_travellers(client) == [wang["id"]]


def test_the_customer_timeline_shows_a_bookings_change_refund_and_cancellation(run_services, client):
    run_services(CrmService, TicketingService)
    hotel = ok(client.post("/api/v1/suppliers", json={"name": "Hotel Arts Barcelona", "kind": "hotel"}), 201)
    room = ok(client.post("/api/v1/products", json={
        "supplier_id": hotel["id"], "supplier_code": "DBL-SEA", "kind": "hotel", "name": "Double sea view",
        "location": "Barcelona", "currency": "EUR"}), 201)
    ok(client.put(f"/api/v1/products/{room['id']}/inventory", json={
        "start": DAY.isoformat(), "end": (DAY + timedelta(3)).isoformat(), "capacity": 4,
        "net_price": "150.00", "sell_price": "189.00"}))
    ana = ok(client.post("/api/v1/customers", json={"full_name": "Ana Gómez"}), 201)
    hold = ok(client.post("/api/v1/holds", json={"lines": [
        {"product_id": room["id"], "day": DAY.isoformat(), "quantity": 1,
         "travellers": [{"name": "Ana Gómez", "customer_id": ana["id"]}]},
        {"product_id": room["id"], "day": (DAY + timedelta(1)).isoformat(), "quantity": 1,
         "travellers": [{"name": "Ana Gómez", "customer_id": ana["id"]}]}]}), 201)
    booking = ok(client.post(f"/api/v1/holds/{hold['id']}/confirm"), 201)
    locator, (first, second) = booking["locator"], booking["lines"]

    ok(client.post(f"/api/v1/bookings/{locator}/lines/{first['id']}/change",
                   json={"day": (DAY + timedelta(2)).isoformat(), "reason": "customer_request"}))
    ok(client.post(f"/api/v1/bookings/{locator}/lines/{first['id']}/refunds",
                   json={"amount": "20.00", "reason": "goodwill"}), 201)
    ok(client.post(f"/api/v1/bookings/{locator}/lines/{second['id']}/cancel", json={"reason": "customer_request"}))

    expected = {"ticketing.booking_confirmed", "ticketing.booking_changed", "ticketing.booking_refunded",
                "ticketing.booking_cancelled"}
    wait_for(lambda: expected <= set(timeline_kinds(client, ana["id"])), timeout=30,
             message="the booking's change, refund and cancellation on the timeline")
    entries = {e["kind"]: e for e in ok(client.get(f"/api/v1/customers/{ana['id']}/timeline",
                                                   query_string={"page_size": 100}))["items"]}
    assert entries["ticketing.booking_changed"]["summary"] == \
        f"Booking {locator} changed: {first['ticket_number']} from {DAY} to {DAY + timedelta(2)}, " \
        "fare difference 0.00 EUR"
    assert entries["ticketing.booking_refunded"]["summary"] == f"Refund on booking {locator}: 20.00 EUR (goodwill)"
    assert entries["ticketing.booking_cancelled"]["summary"] == f"Booking {locator}: 1 line(s) cancelled"
