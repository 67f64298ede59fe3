"""The front desk's day through the gateway: HTTP -> RPC over RabbitMQ -> CRM's database."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from services.crm.service import CrmService
from tests.conftest import wait_for
from tests.events import subscribe

pytestmark = pytest.mark.e2e

TABLES = ("customers", "inquiries", "inquiry_transitions", "follow_ups", "timeline_entries", "outbox")


def rows(config) -> dict:
    engine = create_engine(config["DATABASE_URLS"]["crm"])
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
    finally:
        engine.dispose()


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def test_walk_in_inquiry_for_a_new_customer_through_to_the_timeline(run_services, client, suite_config, amqp):
    run_services(CrmService)
    # A walk-in: the front desk registers the visitor and the inquiry in one go.
    with subscribe(amqp, suite_config, "crm.inquiry_created") as announced:
        inquiry = ok(client.post("/api/v1/inquiries", json={
            "customer": {"full_name": "María José Núñez", "phone": "+34 600 11 22 33", "email": "mj@example.es",
                         "preferred_language": "es", "interests": ["culture", "food"], "marketing_consent": True},
            "channel": "walk_in", "destinations": ["Kyoto", "Osaka"],
            "travel_window": {"start": "2026-10-03", "end": "2026-10-14"},
            "party": {"adults": 2, "children": [7]}, "budget": {"amount": "9000", "currency": "EUR"},
            "interests": ["temples"], "special_requests": "one vegetarian", "consultant": "lucia",
            "source_campaign": "autumn-fair"}), 201)
        wait_for(announced, message="crm.inquiry_created")
    assert inquiry["status"] == "new" and inquiry["budget"] == {"amount": "9000.00", "currency": "EUR"}
    assert inquiry["travel_window"]["start"] == "2026-10-03" and inquiry["party"] == {"adults": 2, "children": [7]}
    customer_id = inquiry["customer_id"]
    assert ok(client.get(f"/api/v1/customers/{customer_id}"))["full_name"] == "María José Núñez"

    # The consultant finds it and moves it along.
    mine = ok(client.get("/api/v1/inquiries?consultant=lucia&status=new"))
    assert mine["total"] == 1 and mine["items"][0]["id"] == inquiry["id"]
    for step in ("qualified", "quoted", "won"):
        assert ok(client.post(f"/api/v1/inquiries/{inquiry['id']}/transitions", json={"to": step}))["status"] == step
    history = ok(client.get(f"/api/v1/inquiries/{inquiry['id']}/transitions"))
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "new"), ("new", "qualified"), ("qualified", "quoted"), ("quoted", "won")]
    assert all(h["changed_at"].endswith("+00:00") for h in history)

    # A follow-up: call the customer after the trip.
    due = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()
    task = ok(client.post("/api/v1/follow-ups", json={"inquiry_id": inquiry["id"], "owner": "lucia",
                                                      "due_at": due, "note": "Call after the trip"}), 201)
    assert task["customer_id"] == customer_id and task["overdue"]
    overdue = ok(client.get("/api/v1/follow-ups?owner=lucia&overdue=true"))
    assert [f["id"] for f in overdue["items"]] == [task["id"]] and overdue["total"] == 1
    assert ok(client.post(f"/api/v1/follow-ups/{task['id']}/done"))["done"]
    assert ok(client.get("/api/v1/follow-ups?owner=lucia&overdue=true"))["total"] == 0

    # Everything about the customer, in order.
    history = ok(client.get(f"/api/v1/customers/{customer_id}/timeline"))
    assert [e["kind"] for e in history["items"]] == [
        "crm.customer_created", "crm.inquiry_created", "crm.inquiry_status_changed", "crm.inquiry_status_changed",
        "crm.inquiry_status_changed", "crm.follow_up_created", "crm.follow_up_done"]
    assert history["total"] == 7 and "Kyoto" in history["items"][1]["summary"]
    newest = ok(client.get(f"/api/v1/customers/{customer_id}/timeline?order=desc&page_size=1"))
    assert newest["items"][0]["kind"] == "crm.follow_up_done" and newest["total"] == 7

    # Won is sold, not travelled: she is in no segment of past Kyoto travellers before her trip
    # (tests/e2e/test_crm_travel.py follows a trip through to the segment).
    segment = ok(client.get("/api/v1/segments/customers?destinations=kyoto&interests=food"))
    assert segment["items"] == [] and ok(client.get(f"/api/v1/customers/{customer_id}"))["last_trip_date"] is None


def test_duplicate_customer_is_409_pointing_to_the_existing_one(run_services, client, suite_config):
    run_services(CrmService)
    first = ok(client.post("/api/v1/customers", json={"full_name": "王芳", "phone": "+86 138 0000 0000"}), 201)
    clash = client.post("/api/v1/customers", json={"full_name": "Wang Fang", "phones": ["+86-138-0000-0000"]})
    assert clash.status_code == 409 and clash.mimetype == "application/problem+json"
    assert clash.json["existing_customer_ids"] == [first["id"]]
    assert clash.json["duplicates"][0]["full_name"] == "王芳" and first["id"] in clash.json["detail"]
    # The same check when a new customer comes with an inquiry.
    clash = client.post("/api/v1/inquiries", json={"customer": {"full_name": "Wang Fang",
                                                                "phone": "+8613800000000"}, "channel": "phone"})
    assert clash.status_code == 409 and clash.json["existing_customer_ids"] == [first["id"]]
    assert rows(suite_config)["customers"] == 1 and rows(suite_config)["inquiries"] == 0
    confirmed = ok(client.post("/api/v1/customers?confirm_duplicate=true",
                               json={"full_name": "Wang Fang", "phone": "+86 138 0000 0000"}), 201)
    assert confirmed["id"] != first["id"] and rows(suite_config)["customers"] == 2


def test_invalid_transition_is_409_and_lost_needs_a_reason(run_services, client, suite_config):
    run_services(CrmService)
    customer = ok(client.post("/api/v1/customers", json={"full_name": "Ana"}), 201)
    inquiry = ok(client.post("/api/v1/inquiries", json={"customer_id": customer["id"], "channel": "email"}), 201)
    url = f"/api/v1/inquiries/{inquiry['id']}/transitions"
    skipped = client.post(url, json={"to": "won"})
    assert skipped.status_code == 409 and skipped.mimetype == "application/problem+json"
    assert skipped.json["current_status"] == "new" and skipped.json["allowed"] == ["qualified", "lost"]
    no_reason = client.post(url, json={"to": "lost"})
    assert no_reason.status_code == 422 and set(no_reason.json["errors"]) == {"reason"}
    ok(client.post(url, json={"to": "lost", "reason": "travelling with friends instead"}))
    reopened = client.post(url, json={"to": "qualified"})
    assert reopened.status_code == 409 and reopened.json["current_status"] == "lost"
    assert len(ok(client.get(url))) == 2


@pytest.mark.parametrize("method, path, body, fields", [
    ("post", "/api/v1/inquiries", {"channel": "fax", "customer": {"full_name": ""}, "party": {"adults": 0},
                                   "budget": {"amount": "-1", "currency": "EUR"}},
     {"channel", "customer", "party", "budget"}),
    ("post", "/api/v1/inquiries", {"channel": "web", "customer": {"full_name": "Ana"},
                                   "travel_window": {"start": "2026-05-02", "end": "2026-05-01"}},
     {"travel_window"}),
    ("post", "/api/v1/inquiries", {"channel": "web", "customer": {"full_name": "Ana"},
                                   "party": {"adults": 2, "children": [3, 19]}, "status": "won"},
     {"party", "status"}),
    ("post", "/api/v1/customers", {"full_name": "Ana", "nationality": "Spain", "documents": [
        {"type": "passport", "number": "X1234567", "country": "ES", "expiry": "soon"}]},
     {"nationality", "documents"}),
    ("post", "/api/v1/follow-ups", {"customer_id": "c1", "owner": "lucia", "note": "call",
                                    "due_at": "2026-05-01T10:00:00"}, {"due_at"}),
    ("post", "/api/v1/follow-ups", {"owner": "lucia", "note": "call", "due_at": "2026-05-01T10:00:00Z"},
     {"customer_id"}),
    ("get", "/api/v1/customers?page_size=101", None, {"page_size"}),
    ("get", "/api/v1/inquiries?status=pending&travel_month=2026-13", None, {"status", "travel_month"}),
    ("get", "/api/v1/follow-ups?overdue=perhaps", None, {"overdue"}),
    ("get", "/api/v1/segments/customers?consent=yes", None, {"consent"}),
    ("get", "/api/v1/segments/customers.csv?last_trip_before=someday", None, {"last_trip_before"}),
])
def test_bad_input_is_422_with_field_messages_and_writes_nothing(run_services, client, suite_config, method, path,
                                                                  body, fields):
    run_services(CrmService)
    before = rows(suite_config)
    response = getattr(client, method)(path, json=body) if body is not None else getattr(client, method)(path)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert set(response.json["errors"]) == fields
    assert all(response.json["errors"].values())
    assert rows(suite_config) == before


def test_patch_customer_and_search(run_services, client, suite_config, amqp):
    run_services(CrmService)
    created = ok(client.post("/api/v1/customers", json={
        "full_name": "José Pérez", "email": "jose@example.mx",
        "documents": [{"type": "passport", "number": "G12345678", "country": "MX", "expiry": "2030-05-01"}]}), 201)
    assert created["documents"][0]["number"] == "****5678" and created["documents"][0]["masked"]
    with subscribe(amqp, suite_config, "crm.customer_updated") as announced:
        patched = ok(client.patch(f"/api/v1/customers/{created['id']}",
                                  json={"tags": ["VIP"], "dietary_needs": ["halal"], "nationality": "MX"}))
        [(envelope, _)] = wait_for(announced, message="crm.customer_updated")
    assert envelope["payload"]["changed_fields"] == ["dietary_needs", "nationality", "tags"]
    assert patched["tags"] == ["VIP"] and patched["email"] == "jose@example.mx"
    assert client.patch(f"/api/v1/customers/{created['id']}", json={}).status_code == 422
    assert ok(client.get("/api/v1/customers?name=perez&tag=vip"))["total"] == 1
    assert ok(client.get("/api/v1/customers?email=JOSE@example.mx"))["items"][0]["id"] == created["id"]
    assert ok(client.get("/api/v1/customers?name=nobody"))["items"] == []
    revealed = ok(client.get(f"/api/v1/customers/{created['id']}?reveal_documents=true"))
    assert revealed["documents"][0]["number"] == "G12345678"


def test_segment_csv_export(run_services, client):
    run_services(CrmService)
    for name, consent in (("Ana Gómez", True), ("李伟", True), ("No Mail", False)):
        ok(client.post("/api/v1/customers", json={"full_name": name, "interests": ["diving"],
                                                  "marketing_consent": consent}), 201)
    response = client.get("/api/v1/segments/customers.csv?interests=Diving")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    parsed = list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))
    assert [r["full_name"] for r in parsed] == ["Ana Gómez", "李伟"]
    assert ok(client.get("/api/v1/segments/customers?consent=any"))["total"] == 3


def test_unknown_records_are_404(run_services, client):
    run_services(CrmService)
    for path in ("/api/v1/inquiries/nope", "/api/v1/inquiries/nope/transitions", "/api/v1/follow-ups/nope",
                 "/api/v1/customers/nope/timeline"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "application/problem+json", path
    assert client.post("/api/v1/follow-ups/nope/done").status_code == 404
    response = client.post("/api/v1/inquiries", json={"customer_id": "nope", "channel": "web"})
    assert response.status_code == 404


def test_openapi_documents_the_crm_resources(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    for path, methods in {
        "/api/v1/customers": {"post", "get"}, "/api/v1/customers/{customer_id}": {"get", "patch"},
        "/api/v1/customers/{customer_id}/timeline": {"get"}, "/api/v1/inquiries": {"post", "get"},
        "/api/v1/inquiries/{inquiry_id}": {"get"}, "/api/v1/inquiries/{inquiry_id}/transitions": {"post", "get"},
        "/api/v1/follow-ups": {"post", "get"}, "/api/v1/follow-ups/{follow_up_id}/done": {"post"},
        "/api/v1/segments/customers": {"get"}, "/api/v1/segments/customers.csv": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    assert "409" in paths["/api/v1/customers"]["post"]["responses"]
    assert {p["name"] for p in paths["/api/v1/inquiries"]["get"]["parameters"]} >= {
        "page", "page_size", "status", "consultant", "destination", "travel_month", "channel", "created_from"}
    schemas = spec["components"]["schemas"]
    assert {"InquiryCreate", "Inquiry", "InquiryPage", "FollowUp", "TimelineEntry", "SegmentCustomer"} <= set(schemas)
    assert schemas["InquiryPage"]["properties"]["total"]["type"] == "integer"
