"""Text no database can hold (NUL, lone surrogates) is a 422 naming the field, on SQLite and on
PostgreSQL (whose UTF-8 text and JSON hold neither), wherever it enters: a JSON body (values and
keys, inside free-form objects too), a query argument, a path segment, a header that is stored.
Nothing is written."""
import pytest
from sqlalchemy import create_engine, text

from services.crm.service import CrmService
from services.ticketing.service import TicketingService

pytestmark = pytest.mark.e2e

NUL, SURROGATE = "Ana\x00Nul", "Ana \ud800"


@pytest.fixture
def suite_config(suite_on_backend):
    return suite_on_backend


def refused(response, *path):
    """A 422 problem whose errors name the field at `path` (nested like the schema's messages)."""
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/problem+json"
    errors = response.json["errors"]
    for name in path:
        assert name in errors, (path, response.json)
        errors = errors[name]
    assert "NUL" in str(errors) or "surrogate" in str(errors), errors


def count(suite_config, service, table) -> int:
    engine = create_engine(suite_config["DATABASE_URLS"][service])
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize("value", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_a_text_field_the_database_cannot_hold_is_a_422_naming_it(run_services, client, suite_config, value):
    run_services(CrmService)
    refused(client.post("/api/v1/customers", json={"full_name": value}), "full_name")
    refused(client.post("/api/v1/customers", json={"full_name": "Ana", "tags": ["vip", value]}), "tags", "1")
    refused(client.post("/api/v1/customers", json={"full_name": "Ana", "notes": "ok", value: 1}), value)
    assert count(suite_config, "crm", "customers") == 0


def test_free_form_objects_are_checked_keys_and_values(run_services, client, suite_config):
    run_services(TicketingService)
    supplier = client.post("/api/v1/suppliers", json={"name": "Hotel Nul", "kind": "hotel"}).json
    product = {"supplier_id": supplier["id"], "supplier_code": "DBL", "kind": "hotel", "name": "Double",
               "location": "Annecy", "currency": "EUR"}
    refused(client.post("/api/v1/products", json=dict(product, attributes={"view": NUL})), "attributes", "view")
    refused(client.post("/api/v1/products", json=dict(product, attributes={"a\x00": 1})), "attributes")
    assert count(suite_config, "ticketing", "products") == 0


def test_query_arguments_and_path_segments_the_database_cannot_hold_are_a_422(run_services, client):
    run_services(CrmService)
    refused(client.get("/api/v1/customers?name=Ana%00"), "name")
    refused(client.get("/api/v1/customers/abc%00def"), "customer_id")
    refused(client.get("/api/v1/customers/abc%00def/timeline"), "customer_id")


def test_stored_headers_the_database_cannot_hold_are_a_422(run_services, client, suite_config):
    run_services(CrmService, TicketingService)
    refused(client.post("/api/v1/customers", json={"full_name": "Ana"}, headers={"Idempotency-Key": "k\x00"}),
            "Idempotency-Key")
    supplier = client.post("/api/v1/suppliers", json={"name": "Hotel Nul", "kind": "hotel"}).json
    key = client.post(f"/api/v1/suppliers/{supplier['id']}/api-key").json["api_key"]
    refused(client.post("/api/v1/supplier/inventory", json={"updates": [{"sequence": 1}]},
                        headers={"X-Api-Key": key, "X-Message-ID": "m\x00"}), "X-Message-ID")
    # A key no database can look up is no supplier's key.
    assert client.post("/api/v1/supplier/inventory", json={"updates": [{"sequence": 1}]},
                       headers={"X-Api-Key": "itk_\x00_x"}).status_code == 401
    assert count(suite_config, "crm", "customers") == 0
