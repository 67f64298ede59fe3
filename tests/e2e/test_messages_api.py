"""Messages to customers through the gateway: HTTP -> RPC -> CRM -> a real SMTP server, and back."""
import base64

import pytest

from services.crm.service import CrmService
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def suite_config(suite_config):
    # The timer that retries and re-announces messages looks often in tests.
    return dict(suite_config, MESSAGE_RETRY_INTERVAL_SECONDS=0.2, SMTP_RETRY_DELAY_SECONDS=0.3)


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def test_the_front_desk_sends_a_booking_confirmation_and_follows_it(run_services, smtp_server, client,
                                                                    staff_client):
    run_services(CrmService)
    desk = staff_client("front_desk")
    ana = ok(client.post("/api/v1/customers", json={"full_name": "María José Núñez", "email": "mj@example.es",
                                                    "preferred_language": "es-ES"}), 201)
    letter = base64.b64encode(b"%PDF-1.4 confirmation").decode()
    body = {"kind": "booking_confirmation", "reference": "OF-2027-0007",
            "values": {"order_number": "OF-2027-0007", "title": "Kioto y Osaka", "start_date": "2027-10-03",
                       "amount": "9000", "currency": "EUR"},
            "attachments": [{"filename": "confirmación.pdf", "content_type": "application/pdf",
                             "content_base64": letter}]}
    sent = desk.post(f"/api/v1/customers/{ana['id']}/messages", json=body, headers={"Idempotency-Key": "conf-7"})
    message = ok(sent, 201)
    assert sent.headers["Location"].endswith(f"/api/v1/messages/{message['id']}")
    again = ok(desk.post(f"/api/v1/customers/{ana['id']}/messages", json=body,
                         headers={"Idempotency-Key": "conf-7"}), 201)
    assert again["id"] == message["id"]

    email = smtp_server.wait_for(lambda m: "mj@example.es" in str(m["To"]))
    assert email["Subject"] == "Su reserva OF-2027-0007 está confirmada: Kioto y Osaka"
    text = email.get_body(("plain",)).get_content()
    assert "María José Núñez" in text and "3 de octubre de 2027" in text and "9.000,00\xa0€" in text
    assert [a.get_filename() for a in email.iter_attachments()] == ["confirmación.pdf"]

    wait_for(lambda: ok(desk.get(f"/api/v1/messages/{message['id']}"))["status"] == "sent")
    shown = ok(desk.get(f"/api/v1/messages/{message['id']}"))
    assert shown["attachments"] == [{"filename": "confirmación.pdf", "content_type": "application/pdf",
                                     "size": len(b"%PDF-1.4 confirmation")}]
    assert "content_base64" not in str(shown)
    mine = ok(desk.get(f"/api/v1/customers/{ana['id']}/messages"))
    assert [m["id"] for m in mine["items"]] == [message["id"]] and mine["total"] == 1
    assert ok(desk.get("/api/v1/messages?reference=OF-2027-0007&status=sent"))["total"] == 1
    assert ok(desk.get("/api/v1/messages?reference=OF-2027-0007&status=failed"))["total"] == 0
    timeline = ok(desk.get(f"/api/v1/customers/{ana['id']}/timeline"))["items"]
    assert [e["kind"] for e in timeline if e["ref_type"] == "message"] == ["crm.message_sent"]
    assert len(smtp_server.messages) == 1


def test_bad_requests_and_unknown_records_get_problems_and_send_nothing(run_services, smtp_server, client,
                                                                        staff_client):
    run_services(CrmService)
    ana = ok(client.post("/api/v1/customers", json={"full_name": "Ana Gómez", "email": "ana@example.es"}), 201)
    bad = client.post(f"/api/v1/customers/{ana['id']}/messages", json={
        "kind": "contract_for_signature", "values": {"amount": "ten"},
        "attachments": [{"filename": "c.pdf", "content_type": "application/pdf", "content_base64": "%%%"}]})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert set(bad.json["errors"]) == {"values", "attachments"}
    assert set(bad.json["errors"]["values"]) == {"amount", "signing_url"}
    unknown = client.post("/api/v1/customers/nobody/messages", json={"kind": "booking_confirmation"})
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    assert client.get("/api/v1/customers/nobody/messages").status_code == 404
    assert client.get("/api/v1/messages/nobody").status_code == 404
    assert client.get("/api/v1/messages?status=lost").status_code == 422
    assert staff_client("finance").post(f"/api/v1/customers/{ana['id']}/messages",
                                        json={"kind": "booking_confirmation"}).status_code == 403
    assert ok(client.get("/api/v1/messages"))["total"] == 0
    assert smtp_server.messages == []
