"""What CRM emits is what services.crm.wire declares: a day at the desk, on the real broker and
database, drives every declared event, and each one in the outbox is checked against its schema."""
import uuid

import pytest

from services.common.envelope import make_envelope
from services.common.outbox import OutboxPublisher
from services.crm import wire
from services.crm.service import CrmService
from tests.conftest import wait_for
from tests.events import assert_honour_contract, outbox_envelopes

pytestmark = pytest.mark.service


def test_every_event_crm_emits_honours_its_wire_contract(start_service, rpc, nameko_config, smtp_server):
    crm = start_service(CrmService)
    database_url = crm.config["DATABASE_URLS"]["crm"]
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez", "email": "ana@example.es", "documents": [
        {"type": "passport", "number": "PAA123456", "country": "ES", "expiry": "2032-03-31"}]})
    rpc.crm.update_customer(ana["id"], {"date_of_birth": "1984-02-29", "interests": ["wine"],
                                        "marketing_consent": True, "documents": [
                                            {"type": "passport", "number": "PBB654321", "country": "ES"}]})
    inquiry = rpc.crm.create_inquiry({
        "customer": {"full_name": "王芳", "phone": "+86 139 1111 2222"}, "channel": "walk_in",
        "destinations": ["Lijiang"], "travel_window": {"month": "2026-10", "nights": 6},
        "party": {"adults": 2, "children": [6]}, "budget": {"amount": "30000", "currency": "CNY"}})
    rpc.crm.update_inquiry(inquiry["id"], {"travel_window": {"start": "2026-10-03", "end": "2026-10-09"},
                                           "budget": None, "consultant": "Lucia"})
    rpc.crm.transition_inquiry(inquiry["id"], {"to": "qualified"})
    # An accepted quote moves the inquiry too: those moves are announced with the same schema.
    OutboxPublisher(nameko_config).publish(make_envelope("itinerary.quote_accepted", {
        "id": str(uuid.uuid4()), "quote_number": "Q-2026-0042", "inquiry_id": inquiry["id"],
        "customer_id": inquiry["customer_id"], "total": "28800.00", "currency": "CNY"}, None))
    wait_for(lambda: rpc.crm.get_inquiry(inquiry["id"])["status"] == "won", message="the quote's moves")
    # A letter that goes (queued, then sent) and one to a customer without email (failed: undeliverable).
    letter = rpc.crm.send_message({"customer_id": ana["id"], "kind": "booking_confirmation",
                                   "values": {"order_number": "OF-1"}, "reference": "OF-1"})
    rpc.crm.send_message({"customer_id": inquiry["customer_id"], "kind": "payment_reminder"})
    wait_for(lambda: rpc.crm.get_message(letter["id"])["status"] == "sent", message="the letter sent")

    envelopes = outbox_envelopes(database_url)
    assert_honour_contract(envelopes, wire.EVENTS)
    by_type = {}
    for envelope in envelopes:
        by_type.setdefault(envelope["type"], []).append(envelope["payload"])
    assert [p["full_name"] for p in by_type["crm.customer_created"]] == ["Ana Gómez", "王芳"]
    [customer_update] = by_type["crm.customer_updated"]
    assert customer_update["changes"]["date_of_birth"] == "1984-02-29"
    assert customer_update["changes"]["documents"] == [
        {"type": "passport", "number": "****4321", "country": "ES", "expiry": None, "masked": True}]
    assert "PBB654321" not in str(envelopes) and "PAA123456" not in str(envelopes)
    [inquiry_update] = by_type["crm.inquiry_updated"]
    assert inquiry_update["changed_fields"] == ["budget", "consultant", "travel_window"]
    assert inquiry_update["changes"] == {
        "budget": None, "consultant": "lucia",
        "travel_window": {"start": "2026-10-03", "end": "2026-10-09", "month": None, "nights": None}}
    assert [(p["from_status"], p["to_status"]) for p in by_type["crm.inquiry_status_changed"]] == [
        ("new", "qualified"), ("qualified", "quoted"), ("quoted", "won")]
    assert [(p["status"], p["to"]) for p in by_type["crm.message_queued"] + by_type["crm.message_sent"]] == [
        ("queued", "a***@example.es"), ("sent", "a***@example.es")]
    assert [p["status"] for p in by_type["crm.message_failed"]] == ["undeliverable"]
