"""Two clerks editing one record through the gateway: ETag on reads, If-Match on PATCH, 412 on a stale
one; and where new CRM records live (Location). On SQLite and PostgreSQL: an ETag must survive the
database's round trip (a PATCH's answer and the next read are the same version)."""
import pytest
from sqlalchemy import create_engine, text

from services.crm.service import CrmService

pytestmark = pytest.mark.e2e


@pytest.fixture
def suite_config(suite_on_backend):
    return suite_on_backend


def outbox_count(config) -> int:
    engine = create_engine(config["DATABASE_URLS"]["crm"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM outbox")).scalar()
    finally:
        engine.dispose()


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response


def test_new_crm_records_say_where_they_live(run_services, client):
    run_services(CrmService)
    created = ok(client.post("/api/v1/customers", json={"full_name": "Ana Gómez"}), 201)
    assert created.headers["Location"].endswith(f"/api/v1/customers/{created.json['id']}")
    assert ok(client.get(created.headers["Location"])).json == created.json

    inquiry = ok(client.post("/api/v1/inquiries", json={"customer_id": created.json["id"], "channel": "phone"}), 201)
    assert inquiry.headers["Location"].endswith(f"/api/v1/inquiries/{inquiry.json['id']}")
    assert ok(client.get(inquiry.headers["Location"])).json["id"] == inquiry.json["id"]

    task = ok(client.post("/api/v1/follow-ups", json={"inquiry_id": inquiry.json["id"], "owner": "lucia",
                                                      "due_at": "2026-06-01T09:00:00+02:00", "note": "call"}), 201)
    assert task.headers["Location"].endswith(f"/api/v1/follow-ups/{task.json['id']}")
    assert ok(client.get(task.headers["Location"])).json["note"] == "call"


def test_a_stale_customer_edit_is_412_and_changes_nothing(run_services, client, suite_config):
    run_services(CrmService)
    customer = ok(client.post("/api/v1/customers", json={"full_name": "José Pérez", "documents": [
        {"type": "passport", "number": "G12345678", "country": "MX"}]}), 201).json
    url = f"/api/v1/customers/{customer['id']}"
    lucia_read = ok(client.get(url))
    pedro_read = ok(client.get(url))
    assert lucia_read.headers["ETag"] == pedro_read.headers["ETag"]

    # Lucia saves first: her answer is the new version, the one the next read returns.
    lucia = ok(client.patch(url, json={"tags": ["VIP"]}, headers={"If-Match": lucia_read.headers["ETag"]}))
    assert lucia.json["tags"] == ["VIP"]
    assert lucia.headers["ETag"] != lucia_read.headers["ETag"]
    assert ok(client.get(url)).headers["ETag"] == lucia.headers["ETag"]

    # Pedro saves from what he read before: refused, and Lucia's change stands.
    events = outbox_count(suite_config)
    stale = client.patch(url, json={"tags": ["late payer"]}, headers={"If-Match": pedro_read.headers["ETag"]})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert stale.json["etag"] == lucia.headers["ETag"]
    assert ok(client.get(url)).json["tags"] == ["VIP"] and outbox_count(suite_config) == events

    # Read again, change again.
    again = ok(client.patch(url, json={"tags": ["VIP", "late payer"]}, headers={"If-Match": stale.json["etag"]}))
    assert again.json["tags"] == ["VIP", "late payer"]

    # A clerk who read the documents revealed edits from that version just the same.
    revealed = ok(client.get(url + "?reveal_documents=true"))
    assert revealed.json["documents"][0]["number"] == "G12345678"
    assert revealed.headers["ETag"] != again.headers["ETag"]
    ok(client.patch(url, json={"notes": "window seat"}, headers={"If-Match": revealed.headers["ETag"]}))

    # Without If-Match the change applies to whatever is current.
    assert ok(client.patch(url, json={"notes": "aisle seat"})).json["notes"] == "aisle seat"


def test_a_stale_inquiry_edit_is_412_and_changes_nothing(run_services, client, suite_config):
    run_services(CrmService)
    inquiry = ok(client.post("/api/v1/inquiries", json={
        "customer": {"full_name": "王芳"}, "channel": "walk_in", "destinations": ["Lijiang"],
        "budget": {"amount": "30000", "currency": "CNY"}}), 201).json
    url = f"/api/v1/inquiries/{inquiry['id']}"
    read = ok(client.get(url))

    # The inquiry moves along its pipeline meanwhile: that is a change too.
    ok(client.post(url + "/transitions", json={"to": "qualified"}))
    events = outbox_count(suite_config)
    stale = client.patch(url, json={"consultant": "pedro"}, headers={"If-Match": read.headers["ETag"]})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert ok(client.get(url)).json["consultant"] is None and outbox_count(suite_config) == events

    fresh = ok(client.get(url))
    patched = ok(client.patch(url, json={"consultant": "pedro", "budget": {"amount": "32000", "currency": "CNY"}},
                              headers={"If-Match": fresh.headers["ETag"]}))
    assert patched.json["consultant"] == "pedro" and patched.json["budget"]["amount"] == "32000.00"
    assert patched.headers["ETag"] not in (fresh.headers["ETag"], read.headers["ETag"])
    assert ok(client.get(url)).headers["ETag"] == patched.headers["ETag"]
    assert ok(client.patch(url, json={"destinations": ["Dali"]}, headers={"If-Match": patched.headers["ETag"]}))

    assert ok(client.patch(url, json={"special_requests": "no early flights"})).json["special_requests"]


def test_openapi_documents_etags_and_locations(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/customers/{customer_id}", "/api/v1/inquiries/{inquiry_id}"):
        assert "ETag" in paths[path]["get"]["responses"]["200"]["headers"], path
        patch = paths[path]["patch"]
        assert "If-Match" in {p["name"] for p in patch["parameters"]}, path
        assert "412" in patch["responses"] and "ETag" in patch["responses"]["200"]["headers"], path
    for path in ("/api/v1/customers", "/api/v1/inquiries", "/api/v1/follow-ups"):
        assert "Location" in paths[path]["post"]["responses"]["201"]["headers"], path
