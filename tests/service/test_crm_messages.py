"""CRM's messages to customers, on a real CRM container, the real broker and a real SMTP server."""
import base64
import uuid
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import bindparam, create_engine, text

from services.common.db import UtcDateTime
from services.common.envelope import make_envelope
from services.common.errors import NotFound, ValidationFailed
from services.common.outbox import OutboxPublisher
from services.crm.service import CrmService
from tests.conftest import wait_for

pytestmark = pytest.mark.service

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# Fast retries for the tests: the timer looks every 0.2 s, the second attempt waits 0.3 s.
FAST = {"MESSAGE_RETRY_INTERVAL_SECONDS": 0.2, "SMTP_RETRY_DELAY_SECONDS": 0.3, "SMTP_TIMEOUT": 5}


def to(address):
    return lambda m: address in str(m["To"])


def test_trip_documents_arrive_in_chinese_with_the_pdf_and_show_as_sent(start_service, rpc, smtp_server):
    start_service(CrmService, **FAST)
    wang = rpc.crm.create_customer({"full_name": "王芳", "email": "wang.fang@example.cn", "preferred_language": "zh-CN"})
    message = rpc.crm.send_message({
        "customer_id": wang["id"], "kind": "trip_documents", "reference": "OF-2027-0001",
        "values": {"title": "京都赏樱", "order_number": "OF-2027-0001", "start_date": "2027-04-02"},
        "attachments": [{"filename": "行程单.pdf", "content_type": "application/pdf",
                         "content_base64": base64.b64encode(PDF).decode()}]})
    assert message["status"] == "queued" and message["language"] == "zh"
    assert message["attachments"] == [{"filename": "行程单.pdf", "content_type": "application/pdf", "size": len(PDF)}]

    email = smtp_server.wait_for(to("wang.fang@example.cn"))
    assert email["Subject"] == "您的旅行文件：京都赏樱"
    assert email["To"].addresses[0].display_name == "王芳"
    assert email["Message-ID"] == message["smtp_message_id"]
    body = email.get_body(("plain",)).get_content()
    assert "尊敬的王芳" in body and "2027年4月2日" in body
    [pdf] = list(email.iter_attachments())
    assert pdf.get_filename() == "行程单.pdf" and pdf.get_content() == PDF

    sent = wait_for(lambda: (m := rpc.crm.get_message(message["id"]))["status"] == "sent" and m)
    assert sent["attempts"] == 1 and sent["sent_at"] is not None
    entry = [e for e in rpc.crm.customer_timeline(wang["id"])["items"] if e["ref_type"] == "message"]
    assert [(e["kind"], e["payload"]["status"], e["payload"]["subject"]) for e in entry] == [
        ("crm.message_sent", "sent", "您的旅行文件：京都赏樱")]
    assert rpc.crm.list_messages({"reference": "OF-2027-0001"})["items"][0]["id"] == message["id"]


def test_a_customer_without_email_gets_an_undeliverable_message_on_the_timeline(start_service, rpc, smtp_server):
    start_service(CrmService, **FAST)
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez", "phone": "+34 600 000 001", "preferred_language": "es"})
    message = rpc.crm.send_message({"customer_id": ana["id"], "kind": "payment_reminder",
                                    "values": {"amount": "300.00", "currency": "EUR", "due_on": "2027-03-01"}})
    assert message["status"] == "undeliverable" and "no email" in message["last_error"]
    assert message["subject"] == "Recordatorio de pago" and "300,00" in message["body_text"]
    [entry] = [e for e in rpc.crm.customer_timeline(ana["id"])["items"] if e["ref_type"] == "message"]
    assert entry["kind"] == "crm.message_undeliverable"
    eventlet.sleep(0.5)
    assert smtp_server.messages == []


def test_bad_requests_are_refused_and_write_nothing(start_service, rpc, smtp_server):
    start_service(CrmService, **FAST)
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez", "email": "ana@example.es"})
    with pytest.raises(NotFound):
        rpc.crm.send_message({"customer_id": "nobody", "kind": "booking_confirmation"})
    with pytest.raises(ValidationFailed) as refused:
        rpc.crm.send_message({"customer_id": ana["id"], "kind": "contract_for_signature",
                              "values": {"due_on": "soon"},
                              "attachments": [{"filename": "a.pdf", "content_type": "application/pdf",
                                               "content_base64": "not base64!"}]})
    assert set(refused.value.details) == {"values", "attachments"}
    assert set(refused.value.details["values"]) == {"due_on", "signing_url"}
    with pytest.raises(ValidationFailed) as refused:
        rpc.crm.send_message({"customer_id": ana["id"], "kind": "newsletter"})
    assert "kind" in refused.value.details
    assert rpc.crm.list_messages({"customer_id": ana["id"]})["total"] == 0


def test_a_repeated_command_sends_once(start_service, nameko_config, rpc, smtp_server):
    start_service(CrmService, **FAST)
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez", "email": "ana@example.es"})
    request = {"customer_id": ana["id"], "kind": "contract_for_signature",
               "values": {"order_number": "OF-1", "signing_url": "https://agency.example/sign/abc"}}
    request_id = uuid.uuid4().hex
    answers = []
    for _ in range(2):
        with ClusterRpcProxy(nameko_config, timeout=15, context_data={"request_id": request_id}) as client:
            answers.append(client.crm.send_message(request))
    assert answers[0] == answers[1]
    smtp_server.wait_for(to("ana@example.es"))
    wait_for(lambda: rpc.crm.get_message(answers[0]["id"])["status"] == "sent")
    eventlet.sleep(0.8)
    assert len(smtp_server.messages) == 1
    assert rpc.crm.list_messages({"customer_id": ana["id"]})["total"] == 1
    assert "https://agency.example/sign/abc" in smtp_server.messages[0].get_body(("plain",)).get_content()


def test_the_queued_event_delivered_twice_sends_once(start_service, nameko_config, rpc, smtp_server):
    start_service(CrmService, **FAST)
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez", "email": "ana@example.es"})
    message = rpc.crm.send_message({"customer_id": ana["id"], "kind": "booking_confirmation",
                                    "values": {"order_number": "OF-2"}})
    wait_for(lambda: rpc.crm.get_message(message["id"])["status"] == "sent")
    publisher = OutboxPublisher(nameko_config)
    # A copy of the same event (the inbox skips it) and a new event about the same attempt (the claim refuses it).
    again = make_envelope("crm.message_queued", {"id": message["id"], "customer_id": ana["id"],
                                                 "kind": "booking_confirmation", "status": "queued", "attempts": 0},
                          None)
    publisher.publish(again)
    publisher.publish(again)
    eventlet.sleep(1.0)
    assert len(smtp_server.messages) == 1
    assert rpc.crm.get_message(message["id"])["attempts"] == 1


def test_a_message_waits_while_the_server_is_down_and_goes_when_it_is_back(start_service, rpc, smtp_server):
    start_service(CrmService, **FAST, SMTP_MAX_ATTEMPTS=20)
    smtp_server.stop()
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez", "email": "ana@example.es", "preferred_language": "en"})
    message = rpc.crm.send_message({"customer_id": ana["id"], "kind": "change_notice",
                                    "values": {"locator": "QX7P2M", "old_flight": "IB3170 08:05",
                                               "new_flight": "IB3172 11:40"}})
    retrying = wait_for(lambda: (m := rpc.crm.get_message(message["id"]))["attempts"] >= 2 and m)
    assert retrying["status"] == "queued" and "Connection" in retrying["last_error"]
    smtp_server.start()
    email = smtp_server.wait_for(to("ana@example.es"))
    assert "Now: IB3172 11:40" in email.get_body(("plain",)).get_content()
    sent = wait_for(lambda: (m := rpc.crm.get_message(message["id"]))["status"] == "sent" and m)
    assert sent["last_error"] is None and email["Message-ID"] == sent["smtp_message_id"]


def test_a_message_fails_after_its_last_attempt_and_says_why(start_service, rpc, smtp_server):
    start_service(CrmService, **FAST, SMTP_MAX_ATTEMPTS=2)
    smtp_server.stop()
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez", "email": "ana@example.es"})
    message = rpc.crm.send_message({"customer_id": ana["id"], "kind": "survey_invitation",
                                    "values": {"survey_url": "https://agency.example/s/1"}})
    failed = wait_for(lambda: (m := rpc.crm.get_message(message["id"]))["status"] == "failed" and m)
    assert failed["attempts"] == 2 and failed["last_error"]
    [entry] = [e for e in rpc.crm.customer_timeline(ana["id"])["items"] if e["ref_type"] == "message"]
    assert entry["kind"] == "crm.message_failed" and "failed after 2 attempt(s)" in entry["summary"]
    assert rpc.crm.list_messages({"status": "failed"})["total"] == 1


def test_an_attempt_that_never_reported_back_is_made_again_after_its_lease(start_service, rpc, smtp_server):
    crm = start_service(CrmService, **dict(FAST, SMTP_RETRY_DELAY_SECONDS=600))
    smtp_server.stop()
    ana = rpc.crm.create_customer({"full_name": "Ana Gómez", "email": "ana@example.es"})
    message = rpc.crm.send_message({"customer_id": ana["id"], "kind": "booking_confirmation"})
    # Attempt 1 refused and recorded: the next one is 10 minutes away.
    wait_for(lambda: (m := rpc.crm.get_message(message["id"]))["attempts"] == 1 and m["last_error"])
    smtp_server.start()
    # As a process that claimed attempt 2 and died mid-send leaves it: claimed, its lease run out.
    engine = create_engine(crm.config["DATABASE_URLS"]["crm"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE messages SET attempts = 2, next_attempt_at = :past WHERE id = :id")
                     .bindparams(bindparam("past", type_=UtcDateTime)),
                     {"past": datetime.now(timezone.utc) - timedelta(seconds=1), "id": message["id"]})
    engine.dispose()
    email = smtp_server.wait_for(to("ana@example.es"))
    sent = wait_for(lambda: (m := rpc.crm.get_message(message["id"]))["status"] == "sent" and m)
    assert sent["attempts"] == 3 and email["Message-ID"] == message["smtp_message_id"]
    eventlet.sleep(0.6)
    assert len(smtp_server.messages) == 1
