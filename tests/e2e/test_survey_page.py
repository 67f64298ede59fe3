"""The customer's survey at the real gateway over real RPC (CRM, itinerary, contracts, feedback, a
real SMTP server): the link from the email opens the page in the customer's language, the answer is
taken once, and bad answers, second answers and expired links are refused with nothing written."""
import re
from datetime import date, timedelta

import pytest

from services.common.envelope import make_envelope
from services.common.outbox import OutboxPublisher
from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.feedback import survey_entrypoints
from services.feedback.service import FeedbackService
from services.itinerary.service import ItineraryService
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e

START = date.today() + timedelta(days=30)
BROWSER = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}
LINK = re.compile(r"https://agency\.example/survey/([A-Za-z0-9_-]+)")
WORDS = {"zh": ("zh-Hans", "您的旅行体验如何？", "谢谢您的反馈！", "此问卷已填写"),
         "es": ("es", "¿Qué tal fue su viaje?", "¡Gracias por su opinión!", "Esta encuesta ya está respondida"),
         "en": ("en", "How was your trip?", "Thank you for your answers!", "This survey has been answered")}
ANSWER = {"scores": {"itinerary": 5, "accommodation": 4, "transport": None, "guide": None, "consultant": 4},
          "recommend": 8, "comment": "Great"}


@pytest.fixture
def suite_config(suite_config):
    return dict(suite_config, SURVEY_BASE_URL="https://agency.example", SURVEY_TICK_SECONDS=0.2,
                MESSAGE_RETRY_INTERVAL_SECONDS=0.2, SMTP_RETRY_DELAY_SECONDS=0.3)


@pytest.fixture
def agency(run_services, client, smtp_server):
    run_services(CrmService, ItineraryService, ContractsService, FeedbackService)
    ok(client.post("/api/v1/markup-rules", json={"method": "percent", "value": "15"}), 201)
    return client


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.json


def back_from_a_trip(client, nameko_config, smtp_server, language: str) -> tuple[dict, str]:
    """A customer's order file, its trip completed as contracts announces it: (order file, emailed token)."""
    email = f"traveller-{language}@example.com"
    customer = ok(client.post("/api/v1/customers", json={"full_name": "Lucía Pérez", "email": email,
                                                         "preferred_language": language}), 201)
    trip = ok(client.post("/api/v1/itineraries", json={
        "title": "Lisboa", "customer_id": customer["id"], "party": {"adults": 2, "children": []},
        "start_date": START.isoformat(), "days": 3, "currency": "EUR"}), 201)
    ok(client.post(f"/api/v1/itineraries/{trip['id']}/days/1/items", json={
        "kind": "hotel", "description": "Pestana Palace", "nights": 2, "supplier_name": "Pestana Palace",
        "unit_cost": "180.00", "currency": "EUR", "location": "Lisboa", "quantity": 1}), 201)
    quote = ok(client.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    ok(client.post(f"/api/v1/itineraries/{trip['id']}/quotes/{quote['version']}/accept", json={}))
    order = wait_for(lambda: ok(client.get("/api/v1/order-files", query_string={"customer_id": customer["id"]})
                                )["items"], timeout=15, message="order file opened")[0]
    OutboxPublisher(nameko_config).publish(make_envelope("contracts.trip_completed", {
        "order_file_id": order["id"], "order_number": order["order_number"], "contract_id": order["order_number"],
        "customer_id": customer["id"], "consultant": "alice", "quote_id": "q", "itinerary_id": "i",
        "title": "Lisboa", "start_date": START, "end_date": START + timedelta(days=2), "currency": "EUR",
        "total": "414.00", "version": 1, "stage": "completed", "hold_id": None, "locator": None, "lines": [],
        "change": None}, None))
    message = smtp_server.wait_for(lambda m: m["To"].addresses[0].addr_spec == email, timeout=15)
    [token] = LINK.findall(message.get_body(("plain",)).get_content())
    return order, token


def survey_of(client, order: dict) -> dict:
    [survey] = ok(client.get("/api/v1/surveys", query_string={"order_file_id": order["id"]}))["items"]
    return survey


@pytest.mark.parametrize("language", ["zh", "es", "en"])
def test_the_page_in_the_customers_language_takes_one_answer(agency, anonymous, nameko_config, smtp_server,
                                                             language):
    order, token = back_from_a_trip(agency, nameko_config, smtp_server, language)
    lang, title, thanks, answered = WORDS[language]

    page = anonymous.get(f"/survey/{token}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in text and title in text and order["order_number"] in text
    assert page.headers["Cache-Control"] == "no-store" and "default-src 'none'" in page.headers[
        "Content-Security-Policy"]

    # Out of range, from the page and from the API: 422 by the field, nothing written.
    refused = anonymous.post(f"/survey/{token}", headers=BROWSER, data={"score_itinerary": "7", "recommend": "8"})
    assert refused.status_code == 422 and 'id="itinerary-error"' in refused.get_data(as_text=True)
    problem = anonymous.post(f"/api/v1/surveys/public/{token}/answer", json={**ANSWER, "recommend": 11})
    assert problem.status_code == 422 and "recommend" in str(problem.json)
    assert survey_of(agency, order)["status"] == "sent"
    # A form posted from another site is refused before it is read.
    assert anonymous.post(f"/survey/{token}", headers={"Sec-Fetch-Site": "cross-site"},
                          data={"recommend": "8"}).status_code == 403

    done = anonymous.post(f"/survey/{token}", headers=BROWSER, data={
        "score_itinerary": "5", "score_accommodation": "4", "score_transport": "na", "score_guide": "na",
        "score_consultant": "4", "recommend": "8", "comment": "Great"})
    assert done.status_code == 200 and thanks in done.get_data(as_text=True)
    survey = survey_of(agency, order)
    assert (survey["status"], survey["recommend"], survey["scores"]["transport"], survey["comment"]) == (
        "answered", 8, None, "Great")

    # Once: the page says so in the customer's language, the API answers 409.
    again = anonymous.post(f"/survey/{token}", headers=BROWSER, data={"recommend": "0"})
    assert again.status_code == 409 and answered in again.get_data(as_text=True)
    assert anonymous.get(f"/survey/{token}").status_code == 409
    assert anonymous.post(f"/api/v1/surveys/public/{token}/answer", json=ANSWER).status_code == 409
    assert survey_of(agency, order)["recommend"] == 8


def test_the_json_api_answers_and_an_expired_link_is_gone(agency, anonymous, nameko_config, smtp_server,
                                                          monkeypatch):
    order, token = back_from_a_trip(agency, nameko_config, smtp_server, "es")
    view = ok(anonymous.get(f"/api/v1/surveys/public/{token}"))
    assert (view["language"], view["order_number"], view["answered"]) == ("es", order["order_number"], False)
    assert view["aspects"] == ["itinerary", "accommodation", "transport", "guide", "consultant"]
    assert anonymous.get(f"/api/v1/surveys/public/{token}x").status_code == 404
    assert anonymous.get("/api/v1/surveys").status_code == 401   # the staff list is not public

    later = survey_entrypoints.utcnow() + timedelta(days=31)
    monkeypatch.setattr(survey_entrypoints, "utcnow", lambda: later)
    gone = anonymous.post(f"/api/v1/surveys/public/{token}/answer", json=ANSWER)
    assert gone.status_code == 410
    page = anonymous.get(f"/survey/{token}")
    assert page.status_code == 410 and "Esta encuesta ha cerrado" in page.get_data(as_text=True)
    assert survey_of(agency, order)["status"] == "expired"
    assert ok(agency.get("/api/v1/surveys", query_string={"status": "expired"}))["total"] == 1


def test_the_consultant_records_a_check_in_and_reads_the_scores(agency, anonymous, nameko_config, smtp_server):
    order, token = back_from_a_trip(agency, nameko_config, smtp_server, "en")
    assert agency.post(f"/api/v1/order-files/{order['id']}/check-ins", json={"mood": 0}).status_code == 422
    row = ok(agency.post(f"/api/v1/order-files/{order['id']}/check-ins", json={"mood": 4, "note": "Loving it"}), 201)
    assert row["recorded_by"] == "admin" and row["mood"] == 4
    assert [c["note"] for c in ok(agency.get(f"/api/v1/order-files/{order['id']}/check-ins"))] == ["Loving it"]

    ok(anonymous.post(f"/api/v1/surveys/public/{token}/answer", json=ANSWER))
    [score] = ok(agency.get("/api/v1/supplier-scores"))
    assert (score["supplier_name"], score["aspect"], score["answers"], score["average"]) == (
        "Pestana Palace", "accommodation", 1, "4.00")
    customer_id = survey_of(agency, order)["customer_id"]
    satisfaction = wait_for(lambda: (lambda s: s if s["surveys_answered"] else None)(
        ok(agency.get(f"/api/v1/customers/{customer_id}/satisfaction"))), message="satisfaction in CRM")
    assert satisfaction["last"]["recommend"] == 8 and satisfaction["average_recommend"] == "8.00"
