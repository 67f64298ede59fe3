"""Supplier routes look at the key before the body, and honour Idempotency-Key per supplier.

The real gateway over a real ticketing container on RabbitMQ and SQLite.
"""
from datetime import date, timedelta

import pytest

from services.ticketing.service import TicketingService
from tests.e2e.test_ticketing_api import DAY, rows

from .test_bad_input import DEEP

pytestmark = pytest.mark.e2e


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


@pytest.fixture
def hotels(run_services, client):
    """Two suppliers with a key each; the first has a room type open for a week."""
    run_services(TicketingService)
    made = []
    for name in ("Hotel Uno", "Hotel Dos"):
        supplier = ok(client.post("/api/v1/suppliers", json={"name": name, "kind": "hotel"}), 201)
        key = ok(client.post(f"/api/v1/suppliers/{supplier['id']}/api-key"), 201)["api_key"]
        made.append({"supplier": supplier, "key": key})
    room = ok(client.post("/api/v1/products", json={
        "supplier_id": made[0]["supplier"]["id"], "supplier_code": "DBL", "kind": "hotel", "name": "Double",
        "location": "Sevilla", "currency": "EUR"}), 201)
    ok(client.put(f"/api/v1/products/{room['id']}/inventory", json={
        "start": DAY.isoformat(), "end": (DAY + timedelta(6)).isoformat(), "capacity": 4, "net_price": "90.00",
        "sell_price": "120.00"}))
    made[0]["room"] = room
    return made


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"),
    (DEEP, "application/json"),
    ('{"updates": "no list"}', "application/json"),
    ("<xml/>", "application/xml"),
])
@pytest.mark.parametrize("key", [None, "itk_nobody_0000", "not-even-a-key"])
def test_no_or_a_wrong_key_is_401_whatever_the_body(hotels, anonymous, body, content_type, key):
    headers = {"X-Api-Key": key} if key else {}
    response = anonymous.post("/api/v1/supplier/inventory", data=body, content_type=content_type, headers=headers)
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("key", [None, "itk_nobody_0000"])
def test_ota_without_a_valid_key_is_401_before_the_body_is_read(hotels, anonymous, key):
    headers = {"X-Api-Key": key} if key else {}
    for body, content_type in (("plain text", "text/plain"), ("<broken", "application/xml")):
        response = anonymous.post("/api/v1/supplier/ota", data=body, content_type=content_type, headers=headers)
        assert response.status_code == 401, response.get_data(as_text=True)
        assert response.mimetype == "application/xml"
        assert b"Errors" in response.data


def test_supplier_inventory_query_without_a_key_is_401_not_422(hotels, anonymous):
    response = anonymous.get(f"/api/v1/supplier/products/{hotels[0]['room']['id']}/inventory?start=nonsense")
    assert response.status_code == 401


def test_a_repeated_push_with_the_same_idempotency_key_is_replayed_not_applied_again(hotels, anonymous,
                                                                                       suite_config):
    mine = {"X-Api-Key": hotels[0]["key"], "Idempotency-Key": "push-1"}
    body = {"updates": [{"product_code": "DBL", "start": DAY.isoformat(), "end": DAY.isoformat(), "capacity": 3,
                         "sequence": 7}]}
    first = anonymous.post("/api/v1/supplier/inventory", json=body, headers=mine)
    again = anonymous.post("/api/v1/supplier/inventory", json=body, headers=mine)
    assert ok(first)["results"][0]["status"] == "applied"
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.data == first.data
    # Without the key the same push is a stale sequence: the replay above really did not run it.
    assert ok(anonymous.post("/api/v1/supplier/inventory", json=body,
                             headers={"X-Api-Key": hotels[0]["key"]}))["results"][0]["status"] != "applied"
    # A key is scoped per supplier: another supplier's "push-1" is its own request.
    other = anonymous.post("/api/v1/supplier/inventory", json=body,
                           headers={"X-Api-Key": hotels[1]["key"], "Idempotency-Key": "push-1"})
    assert other.status_code == 200 and "Idempotent-Replayed" not in other.headers
    assert ok(other)["results"][0]["status"] == "rejected"   # not its product
    # The same key with another body from the first supplier is refused.
    changed = anonymous.post("/api/v1/supplier/inventory", json={"updates": []}, headers=mine)
    assert changed.status_code == 422
