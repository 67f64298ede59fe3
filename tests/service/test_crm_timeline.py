"""CRM takes in other services' events through the inbox, on the real broker and database."""
import uuid

import eventlet
import pytest
from kombu import Connection
from sqlalchemy import create_engine, text

from services.common.envelope import make_envelope
from services.common.outbox import OutboxPublisher
from services.crm.service import CrmService
from tests.conftest import wait_for
from tests.events import subscribe

pytestmark = pytest.mark.service


def kinds(rpc, customer_id) -> list[str]:
    return [e["kind"] for e in rpc.crm.customer_timeline(customer_id, {"page_size": 100})["items"]]


def inbox(container) -> list[tuple[str, str]]:
    engine = create_engine(container.config["DATABASE_URLS"]["crm"])
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT event_id, handler FROM inbox"))]
    finally:
        engine.dispose()


def queue_depth(config, name) -> int:
    with Connection(config["AMQP_URI"]) as connection:
        channel = connection.channel()
        try:
            return channel.queue_declare(name, passive=True).message_count
        except Exception:
            return 0
        finally:
            channel.close()


def test_the_same_event_delivered_twice_makes_one_entry(start_service, rpc, nameko_config):
    crm = start_service(CrmService)
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez"})
    li = rpc.crm.create_customer({"full_name": "Li Wei"})
    booking = make_envelope("ticketing.booking_confirmed", {
        "id": str(uuid.uuid4()), "locator": "QX7P2M", "status": "confirmed",
        "lines": [{"id": 1, "day": "2026-07-01", "destination": "Kyoto", "quantity": 2, "travellers": [
            {"name": "Ana Gómez", "customer_id": ana["id"]}, {"name": "Li Wei", "customer_id": li["id"]}]}],
    }, "corr-booking")
    publisher = OutboxPublisher(nameko_config)
    publisher.publish(booking)
    wait_for(lambda: "ticketing.booking_confirmed" in kinds(rpc, ana["id"]), message="booking on the timeline")
    publisher.publish(booking)
    publisher.publish(booking)
    eventlet.sleep(1.0)  # let the copies be delivered and skipped
    assert kinds(rpc, ana["id"]) == ["crm.customer_created", "ticketing.booking_confirmed"]
    assert kinds(rpc, li["id"]) == ["crm.customer_created", "ticketing.booking_confirmed"]
    entry = rpc.crm.customer_timeline(ana["id"])["items"][-1]
    assert entry["source_event_id"] == booking["id"] and "QX7P2M" in entry["summary"]
    assert inbox(crm) == [(booking["id"], "crm.on_booking_confirmed")]
    assert rpc.crm.get_customer(li["id"])["past_destinations"] == ["Kyoto"]


@pytest.mark.parametrize("event_type, payload", [
    ("itinerary.quote_issued", {"quote_id": "Q-1", "total": "999.00", "currency": "EUR"}),
    ("itinerary.quote_accepted", {"quote_id": "Q-1"}),
    ("contracts.payment_received", {"amount": "300.00", "currency": "EUR", "contract_id": "C-1"}),
    ("feedback.complaint_opened", {"subject": "late transfer"}),
    ("feedback.survey_answered", {"survey_id": 1, "order_number": "OF-2026-000007", "recommend": 10,
                                  "scores": {"itinerary": 5}, "answered_at": "2026-11-02T08:00:00+00:00"}),
])
def test_each_subscribed_event_reaches_the_customers_timeline(start_service, rpc, nameko_config, event_type,
                                                              payload):
    start_service(CrmService)
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez"})
    OutboxPublisher(nameko_config).publish(make_envelope(event_type, {"customer_id": ana["id"], **payload}, None))
    wait_for(lambda: event_type in kinds(rpc, ana["id"]), message=f"{event_type} on the timeline")


def test_an_event_naming_no_known_customer_is_acknowledged_not_retried(start_service, rpc, nameko_config):
    crm = start_service(CrmService)
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez"})
    stranger = make_envelope("feedback.complaint_opened", {"customer_id": str(uuid.uuid4()), "subject": "?"}, None)
    known = make_envelope("feedback.complaint_opened", {"customer_id": ana["id"], "subject": "noisy room"}, None)
    publisher = OutboxPublisher(nameko_config)
    publisher.publish(stranger)
    publisher.publish(known)
    wait_for(lambda: "feedback.complaint_opened" in kinds(rpc, ana["id"]), message="the known customer's entry")
    wait_for(lambda: len(inbox(crm)) == 2, message="both events acknowledged")
    queue = "evt-feedback-complaint_opened--crm.on_complaint_opened"
    assert queue_depth(nameko_config, queue + ".retry") == 0
    assert queue_depth(nameko_config, queue + ".dead-letter") == 0


def test_quote_events_move_the_inquiry_and_announce_it(start_service, rpc, amqp, nameko_config):
    start_service(CrmService)
    inquiry = rpc.crm.create_inquiry({"customer": {"full_name": "Ana Gómez"}, "channel": "phone",
                                      "destinations": ["Bali"], "travel_window": {"month": "2026-09"}})
    customer_id = inquiry["customer_id"]
    publisher = OutboxPublisher(nameko_config)
    quote = {"quote_id": "Q-1", "customer_id": customer_id, "inquiry_id": inquiry["id"]}
    with subscribe(amqp, nameko_config, "crm.inquiry_status_changed") as moves:
        rpc.crm.transition_inquiry(inquiry["id"], {"to": "qualified"})
        publisher.publish(make_envelope("itinerary.quote_issued", quote, "corr-q"))
        wait_for(lambda: rpc.crm.get_inquiry(inquiry["id"])["status"] == "quoted", message="quoted")
        publisher.publish(make_envelope("itinerary.quote_accepted", quote, "corr-q"))
        wait_for(lambda: rpc.crm.get_inquiry(inquiry["id"])["status"] == "won", message="won")
        announced = wait_for(lambda: len(moves()) == 3 and moves(), message="three status changes announced")
    # Events are published after the reply, so they are matched by content, not by arrival order.
    assert sorted((e["payload"]["to_status"], e["payload"]["changed_by"]) for e, _ in announced) == [
        ("qualified", "service:crm"), ("quoted", "service:itinerary"), ("won", "service:itinerary")]
    customer = rpc.crm.get_customer(customer_id)
    assert customer["past_destinations"] == [] and customer["last_trip_date"] is None  # won, not travelled
    # A rejection of a won inquiry is on the timeline but changes nothing.
    publisher.publish(make_envelope("itinerary.quote_rejected", quote, None))
    wait_for(lambda: "itinerary.quote_rejected" in kinds(rpc, customer_id), message="rejection on the timeline")
    assert rpc.crm.get_inquiry(inquiry["id"])["status"] == "won"
    assert [t["to_status"] for t in rpc.crm.inquiry_transitions(inquiry["id"])] == ["new", "qualified", "quoted",
                                                                                     "won"]
