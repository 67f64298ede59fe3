"""Hostile input at the real gateway over real services: a 4xx problem with per-field messages, never a 500.

Each class is refused in one place: JSON nesting (the gateway's body parser), dates and months out of
range (services.common.fields / validators), integers the database cannot hold (the gateway's path
converter and the shared Integer field).
"""
import pytest

from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService

pytestmark = pytest.mark.e2e

DEEP = "[" * 1000 + "]" * 1000


def is_problem(response, status):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/problem+json"
    return response.json


@pytest.mark.parametrize("body", [DEEP, '{"a":' * 1000 + "1" + "}" * 1000, '{"updates": ' + DEEP + "}"])
def test_json_nested_too_deep_is_refused_before_parsing(client, body):
    for path in ("/api/v1/customers", "/api/v1/holds"):
        problem = is_problem(client.post(path, data=body, content_type="application/json"), 422)
        assert "nested" in str(problem["errors"]).lower()


def test_json_nesting_is_counted_outside_strings(run_services, client):
    run_services(CrmService)
    brackets = "[" * 100 + "{" * 100
    response = client.post("/api/v1/customers", json={"full_name": "Ana Brackets", "notes": brackets,
                                                      "email": "ana@example.com"})
    assert response.status_code == 201, response.json


def test_supplier_push_nested_too_deep_with_a_key_is_a_422(run_services, client):
    run_services(TicketingService)
    supplier = client.post("/api/v1/suppliers", json={"name": "Deep", "kind": "hotel"}).json
    key = client.post(f"/api/v1/suppliers/{supplier['id']}/api-key").json["api_key"]
    response = client.post("/api/v1/supplier/inventory", data='{"updates": ' + DEEP + "}",
                           content_type="application/json", headers={"X-Api-Key": key})
    assert "nested" in str(is_problem(response, 422)["errors"])


@pytest.mark.parametrize("path, field", [
    ("/api/v1/availability/calendar?month=0000-01", "month"),
    ("/api/v1/availability/calendar?month=2200-01", "month"),
    ("/api/v1/inquiries?travel_month=0000-01", "travel_month"),
    ("/api/v1/reports/sales?start=9999-12-31&end=9999-12-31", "start"),
    ("/api/v1/reports/sales.csv?start=9999-12-31&end=9999-12-31", "end"),
    ("/api/v1/reports/top-sellers?start=9999-12-31&end=9999-12-31", "start"),
    ("/api/v1/reports/top-sellers?start=0001-01-01&end=0001-01-01", "end"),
])
def test_dates_out_of_range_are_a_422_naming_the_field(run_services, client, path, field):
    run_services(CrmService, TicketingService)
    problem = is_problem(client.get(path), 422)
    assert field in problem["errors"], problem


def test_a_date_out_of_range_in_a_body_is_refused_by_the_service_schema_too(run_services, client):
    run_services(CrmService)
    problem = is_problem(client.post("/api/v1/customers", json={"full_name": "Old", "date_of_birth": "0001-01-01"}),
                         422)
    assert "date_of_birth" in problem["errors"]


@pytest.mark.parametrize("path", [
    "/api/v1/itineraries/x/quotes/2805686247716388077568",
    "/api/v1/itineraries/x/quotes/2147483648/accept",
    "/api/v1/markup-rules/9223372036854775808",
])
def test_path_integers_the_database_cannot_hold_are_a_422(run_services, client, path):
    run_services(ItineraryService)
    method = client.post if path.endswith("accept") else client.delete if "markup" in path else client.get
    problem = is_problem(method(path), 422)
    assert set(problem["errors"]) & {"version", "rule_id"}, problem


def test_body_integers_the_database_cannot_hold_are_a_422(run_services, client):
    run_services(CrmService)
    problem = is_problem(client.get("/api/v1/customers?page=2805686247716388077568"), 422)
    assert "page" in problem["errors"]
