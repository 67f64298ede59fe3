"""The ticketing desk's delayed flight, end to end through the gateway with the real services: the
trip leaves tomorrow, the outbound flight is delayed; ticketing logs the incident, records what it
did, rebooks the travellers, tells the customer and closes it; the desk's list shows it while open.
Bad input is a 422 naming its field and writes nothing; finance does not handle incidents."""
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService

pytestmark = pytest.mark.e2e

START = date.today() + timedelta(days=1)


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.get_json(silent=True))
    return response.get_json(silent=True)


def order_file(consultant, desk, manager) -> dict:
    """An order file opened from an accepted quote for a trip that leaves tomorrow."""
    ok(manager.post("/api/v1/markup-rules", json={"method": "percent", "value": "15"}), 201)
    customer = ok(desk.post("/api/v1/customers", json={"full_name": "王小明", "preferred_language": "zh"}), 201)
    trip = ok(consultant.post("/api/v1/itineraries", json={
        "title": "马德里 三日游", "customer_id": customer["id"], "party": {"adults": 1},
        "start_date": START.isoformat(), "days": 3, "currency": "EUR"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/days/1/items", json={
        "kind": "flight", "description": "IB3166 Beijing - Madrid", "supplier_name": "Iberia",
        "unit_cost": "610.00", "currency": "EUR", "from_location": "Beijing", "to_location": "Madrid"}), 201)
    quote = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes/{quote['version']}/accept", json={}))
    deadline = time.monotonic() + 15
    while not (page := ok(desk.get(f"/api/v1/order-files?customer_id={customer['id']}")))["items"]:
        assert time.monotonic() < deadline, "no order file opened from the accepted quote"
        time.sleep(0.1)
    return page["items"][0]


def test_the_delayed_flight_from_logged_to_closed(run_services, staff_client):
    run_services(CrmService, ItineraryService, ContractsService)
    consultant, desk, ticketing = (staff_client(r) for r in ("consultant", "front_desk", "ticketing"))
    order = order_file(consultant, desk, staff_client("manager"))
    delayed_at = datetime.now(timezone.utc) - timedelta(minutes=20)

    incident = ok(ticketing.post(f"/api/v1/order-files/{order['id']}/incidents", json={
        "kind": "delay", "summary": "IB3166 delayed 9 hours: the connection in Madrid is lost",
        "occurred_at": delayed_at.isoformat(), "locator": "NX7Q2B"}), 201)
    assert incident["status"] == "open" and incident["handler"].startswith("user:")
    assert datetime.fromisoformat(incident["occurred_at"]) == delayed_at
    location = f"/api/v1/incidents/{incident['id']}"

    # The desk sees it on its list while the trip runs (or, here, leaves tomorrow).
    watch = ok(desk.get("/api/v1/incidents?open=true"))
    assert [(i["id"], i["order_number"]) for i in watch] == [(incident["id"], order["order_number"])]
    # Closing before anything was done: refused, nothing changed.
    ok(ticketing.patch(location, json={"status": "closed", "resolution": "Rebooked"}), 409)

    ok(ticketing.post(f"{location}/actions", json={"text": "Called Iberia: no seat on the evening flight"}), 201)
    ok(ticketing.post(f"{location}/actions", json={"text": "Rebooked on CA908 tomorrow 10:40, ticket reissued"}),
       201)
    ok(ticketing.patch(location, json={"alternative": "CA908 tomorrow 10:40 and a night at the airport hotel"}))
    informed = ok(ticketing.patch(location, json={"customer_informed_how": "phone"}))
    assert informed["customer_informed_how"] == "phone" and informed["customer_informed_at"]
    closed = ok(ticketing.patch(location, json={"status": "closed",
                                                "resolution": "Travellers left a day later; hotel night paid"}))
    assert (closed["status"], closed["alternative"]) == \
        ("closed", "CA908 tomorrow 10:40 and a night at the airport hotel")
    assert [a["text"] for a in closed["actions"]] == ["Called Iberia: no seat on the evening flight",
                                                     "Rebooked on CA908 tomorrow 10:40, ticket reissued"]
    assert closed["closed_by"] == closed["created_by"]

    # Off the desk's list, still on the order file's log; and closed for good.
    assert ok(desk.get("/api/v1/incidents?open=true")) == []
    assert [i["status"] for i in ok(consultant.get(f"/api/v1/order-files/{order['id']}/incidents"))] == ["closed"]
    ok(ticketing.post(f"{location}/actions", json={"text": "One more thing"}), 409)
    assert len(ok(desk.get(location))["actions"]) == 2


def test_bad_input_is_a_422_naming_its_field_and_writes_nothing(run_services, staff_client):
    run_services(CrmService, ItineraryService, ContractsService)
    consultant, desk = staff_client("consultant"), staff_client("front_desk")
    order = order_file(consultant, desk, staff_client("manager"))
    url = f"/api/v1/order-files/{order['id']}/incidents"
    future = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    for body, field in (({"kind": "meteor", "summary": "Something"}, "kind"),
                        ({"kind": "delay"}, "summary"),
                        ({"kind": "delay", "summary": "   "}, "summary"),
                        ({"kind": "delay", "summary": "Flight late", "occurred_at": "2026-05-01T10:00:00"},
                         "occurred_at"),
                        ({"kind": "delay", "summary": "Flight late", "occurred_at": future}, "occurred_at")):
        problem = ok(desk.post(url, json=body), 422)
        assert field in problem["errors"], problem
    assert ok(desk.get(url)) == []
    ok(desk.post("/api/v1/order-files/no-such-file/incidents", json={"kind": "delay", "summary": "Late"}), 404)
    ok(staff_client("finance").get("/api/v1/incidents"), 403)

    incident = ok(desk.post(url, json={"kind": "complaint", "summary": "Room was noisy"}), 201)
    location = f"/api/v1/incidents/{incident['id']}"
    for body, field in (({}, "_schema"), ({"status": "closed"}, "resolution"),
                        ({"customer_informed_how": "pigeon"}, "customer_informed_how"),
                        ({"handler": ""}, "handler")):
        problem = ok(desk.patch(location, json=body), 422)
        assert field in problem["errors"], problem
    ok(desk.post(f"{location}/actions", json={"text": ""}), 422)
    ok(desk.get("/api/v1/incidents?departing_within_days=99"), 422)
    unchanged = ok(desk.get(location))
    assert (unchanged["status"], unchanged["actions"], unchanged["handler"]) == \
        ("open", [], incident["handler"])
