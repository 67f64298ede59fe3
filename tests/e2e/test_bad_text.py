"""Text PostgreSQL cannot hold (a NUL character) is a 422 naming the field, on every backend.

SQLite stores such text; PostgreSQL refuses it in a query, which was a 500. The shared String
field refuses it in bodies and queries, the gateway's path-value check in paths.
"""
import pytest

from services.common.config import SERVICES
from services.crm.service import CrmService
from services.ticketing.service import TicketingService

pytestmark = pytest.mark.e2e


@pytest.fixture
def suite_config(nameko_config, database_url):
    return dict(nameko_config, DATABASE_URLS={s: database_url(s) for s in SERVICES})


def problem(response) -> dict:
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json"
    return response.json


def test_text_with_a_nul_character_is_a_422_naming_the_field(run_services, client):
    run_services(CrmService, TicketingService)
    for path, field in (("/api/v1/customers/a%00b", "customer_id"), ("/api/v1/bookings/a%00b", "booking_ref"),
                        ("/api/v1/products/a%00b", "product_id")):
        assert field in problem(client.get(path))["errors"], path
    assert "full_name" in problem(client.post("/api/v1/customers", json={"full_name": "Ana\u0000"}))["errors"]
    assert "name" in problem(client.post("/api/v1/suppliers", json={"name": "\u0000", "kind": "hotel"}))["errors"]
    assert client.get("/api/v1/customers").json["total"] == 0
