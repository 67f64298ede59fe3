"""CRM on the real broker and database: customers, the consultation register, follow-ups, events."""
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from services.common.db import utcnow
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.crm.service import CrmService
from tests.conftest import wait_for
from tests.events import subscribe

pytestmark = pytest.mark.service


def count(container, table: str) -> int:
    engine = create_engine(container.config["DATABASE_URLS"]["crm"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    finally:
        engine.dispose()


def test_duplicate_customer_is_refused_naming_the_existing_one_unless_confirmed(start_service, rpc):
    crm = start_service(CrmService)
    first = rpc.crm.create_customer({"full_name": "María Núñez", "email": "Maria@Example.es"})
    with pytest.raises(Conflict) as clash:
        rpc.crm.create_customer({"full_name": "Maria Nunez", "emails": ["maria@example.ES"]})
    assert clash.value.details["existing_customer_ids"] == [first["id"]]
    assert clash.value.details["duplicates"][0]["matched_on"] == ["email"]
    assert count(crm, "customers") == 1
    second = rpc.crm.create_customer({"full_name": "Maria Nunez", "email": "maria@example.es"},
                                     confirm_duplicate=True)
    assert second["id"] != first["id"] and count(crm, "customers") == 2


def test_update_is_announced_with_the_changed_fields_and_documents_stay_masked(start_service, rpc, amqp,
                                                                               nameko_config):
    start_service(CrmService)
    customer = rpc.crm.create_customer({"full_name": "Li Wei", "phone": "+86 138 0000 0000", "documents": [
        {"type": "passport", "number": "E12345678", "country": "CN", "expiry": "2031-01-31"}]})
    assert customer["documents"][0]["number"] == "****5678"
    with subscribe(amqp, nameko_config, "crm.customer_updated") as received:
        updated = rpc.crm.update_customer(customer["id"], {
            "interests": ["calligraphy"], "marketing_consent": True,
            "documents": [{"type": "passport", "number": "E87654321", "country": "CN", "expiry": "2036-01-31"}]})
        [(envelope, _)] = wait_for(received, message="crm.customer_updated")
    payload = envelope["payload"]
    assert payload["id"] == customer["id"] and payload["updated_by"] == "service:crm"
    assert payload["changed_fields"] == ["documents", "interests", "marketing_consent", "marketing_consent_at"]
    assert payload["changes"]["interests"] == ["calligraphy"]
    assert payload["changes"]["documents"][0]["number"] == "****4321"
    assert "E87654321" not in str(envelope)
    assert updated["documents"][0]["number"] == "****4321"
    revealed = rpc.crm.get_customer(customer["id"], reveal_documents=True)
    assert revealed["documents"][0]["number"] == "E87654321" and revealed["phone"] == "+86 138 0000 0000"


def test_walk_in_inquiry_for_a_new_customer_through_the_pipeline(start_service, rpc, amqp, nameko_config):
    crm = start_service(CrmService)
    with subscribe(amqp, nameko_config, "crm.customer_created") as customers_created, \
            subscribe(amqp, nameko_config, "crm.inquiry_created") as inquiries_created, \
            subscribe(amqp, nameko_config, "crm.inquiry_status_changed") as moves:
        inquiry = rpc.crm.create_inquiry({
            "customer": {"full_name": "王芳", "phone": "+86 139 1111 2222", "preferred_language": "zh"},
            "channel": "walk_in", "destinations": ["Barcelona", "Madrid"],
            "travel_window": {"month": "2026-10", "nights": 8}, "party": {"adults": 2, "children": [6]},
            "budget": {"amount": "30000.00", "currency": "CNY"}, "consultant": "lucia"})
        [(customer_event, _)] = wait_for(customers_created, message="crm.customer_created")
        [(inquiry_event, _)] = wait_for(inquiries_created, message="crm.inquiry_created")
        assert customer_event["payload"]["id"] == inquiry["customer_id"]
        assert inquiry_event["payload"]["budget"] == {"amount": "30000.00", "currency": "CNY"}

        for step in ("qualified", "quoted"):
            assert rpc.crm.transition_inquiry(inquiry["id"], {"to": step})["status"] == step
        with pytest.raises(Conflict):
            rpc.crm.transition_inquiry(inquiry["id"], {"to": "qualified"})
        with pytest.raises(ValidationFailed) as refused:
            rpc.crm.transition_inquiry(inquiry["id"], {"to": "lost"})
        assert "reason" in refused.value.details
        lost = rpc.crm.transition_inquiry(inquiry["id"], {"to": "lost", "reason": "chose a cruise"})
        assert lost["status"] == "lost" and lost["lost_reason"] == "chose a cruise"
        announced = wait_for(lambda: len(moves()) == 3 and moves(), message="three status changes")
    assert [(e["payload"]["from_status"], e["payload"]["to_status"]) for e, _ in announced] == [
        ("new", "qualified"), ("qualified", "quoted"), ("quoted", "lost")]
    assert announced[-1][0]["payload"]["customer_id"] == inquiry["customer_id"]
    assert announced[-1][0]["payload"]["reason"] == "chose a cruise"
    history = rpc.crm.inquiry_transitions(inquiry["id"])
    assert [h["to_status"] for h in history] == ["new", "qualified", "quoted", "lost"]
    assert count(crm, "inquiry_transitions") == 4


def test_refused_inquiries_write_nothing(start_service, rpc):
    crm = start_service(CrmService)
    with pytest.raises(NotFound):
        rpc.crm.create_inquiry({"customer_id": "3f0e4f55-0000-0000-0000-000000000000", "channel": "phone"})
    with pytest.raises(ValidationFailed) as refused:
        rpc.crm.create_inquiry({"customer": {"full_name": "Ana"}, "channel": "carrier pigeon",
                                "party": {"adults": 0}})
    assert set(refused.value.details) == {"channel", "party"}
    assert count(crm, "customers") == 0 and count(crm, "inquiries") == 0 and count(crm, "outbox") == 0


def test_searches_are_paginated(start_service, rpc):
    start_service(CrmService)
    ids = [rpc.crm.create_customer({"full_name": name})["id"]
           for name in ("María José Núñez", "José Pérez", "王芳", "Nuñez Ltd")]
    page = rpc.crm.search_customers({"name": "nunez", "page_size": 1})
    assert page["total"] == 2 and page["page"] == 1 and len(page["items"]) == 1
    assert rpc.crm.search_customers({"name": "芳"})["items"][0]["id"] == ids[2]
    for customer_id, destination in zip(ids, ("Kyōto", "Paris", "Kyoto", "Roma")):
        rpc.crm.create_inquiry({"customer_id": customer_id, "channel": "web", "destinations": [destination]})
    found = rpc.crm.search_inquiries({"destination": "KYOTO", "status": ["new"], "page_size": 100})
    assert found["total"] == 2 and {i["customer_id"] for i in found["items"]} == {ids[0], ids[2]}
    with pytest.raises(ValidationFailed) as refused:
        rpc.crm.search_inquiries({"page_size": 500, "status": ["pending"]})
    assert set(refused.value.details) == {"page_size", "status"}


def test_overdue_follow_ups_per_owner(start_service, rpc):
    start_service(CrmService)
    customer = rpc.crm.create_customer({"full_name": "Ana"})
    now = utcnow()
    late = rpc.crm.create_follow_up({"customer_id": customer["id"], "owner": "lucia", "note": "send the quote",
                                     "due_at": now - timedelta(hours=1)})
    rpc.crm.create_follow_up({"customer_id": customer["id"], "owner": "lucia", "note": "call after trip",
                              "due_at": now + timedelta(days=30)})
    rpc.crm.create_follow_up({"customer_id": customer["id"], "owner": "pedro", "note": "visa check",
                              "due_at": now - timedelta(hours=2)})
    overdue = rpc.crm.search_follow_ups({"owner": "lucia", "overdue": True})
    assert [f["id"] for f in overdue["items"]] == [late["id"]] and overdue["items"][0]["overdue"]
    done = rpc.crm.complete_follow_up(late["id"])
    assert done["done"] and done["done_by"] == "service:crm" and not done["overdue"]
    assert rpc.crm.search_follow_ups({"owner": "lucia", "overdue": True})["total"] == 0
    assert rpc.crm.search_follow_ups({"owner": "lucia"})["total"] == 2
