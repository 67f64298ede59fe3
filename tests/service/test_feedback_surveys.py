"""Surveys on the real broker and databases, with real CRM, itinerary, contracts and feedback, and a
real SMTP server: a completed trip sends its survey (once, however often the event comes), the
customer answers through the emailed link, and CRM's timeline and profile show the answer."""
import re
from datetime import date, timedelta

import pytest

from services.common.envelope import make_envelope
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.common.outbox import OutboxPublisher
from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.feedback import survey_entrypoints, wire
from services.feedback.service import FeedbackService
from services.itinerary.service import ItineraryService
from tests.conftest import wait_for
from tests.events import assert_honour_contract, outbox_envelopes

pytestmark = pytest.mark.service

START = date.today() + timedelta(days=40)
FAST_MAIL = {"MESSAGE_RETRY_INTERVAL_SECONDS": 0.2, "SMTP_RETRY_DELAY_SECONDS": 0.3, "SMTP_TIMEOUT": 5}
LINK = re.compile(r"https://agency\.example/survey/([A-Za-z0-9_-]+)")
ANSWER = {"scores": {"itinerary": 5, "accommodation": 4, "transport": None, "guide": 3, "consultant": 5},
          "recommend": 9, "comment": "服务很好"}


@pytest.fixture
def start_suite(start_service, rpc, database_url, smtp_server):
    def start(reminder_seconds: float = 3600):
        urls = {name: database_url(name) for name in ("crm", "feedback")}
        start_service(CrmService, DATABASE_URLS={"crm": urls["crm"]}, **smtp_server.config, **FAST_MAIL)
        start_service(ItineraryService)
        start_service(ContractsService)
        start_service(FeedbackService, DATABASE_URLS={"feedback": urls["feedback"]},
                      SURVEY_BASE_URL="https://agency.example", SURVEY_TICK_SECONDS=0.2,
                      SURVEY_REMINDER_SECONDS=reminder_seconds, SURVEY_REMINDERS=1)
        rpc.itinerary.create_markup_rule({"method": "percent", "value": "15"})
        customer = rpc.crm.create_customer({"full_name": "王小明", "email": "wang@example.cn",
                                            "preferred_language": "zh"})
        return {"urls": urls, "customer": customer}
    return start


@pytest.fixture
def suite(start_suite):
    return start_suite()


def order_file(rpc, customer: dict) -> dict:
    """Kyoto quoted with a hotel and a guide entered by hand, accepted: contracts opens its order file."""
    plan = rpc.itinerary.create_itinerary({"title": "京都之春", "customer_id": customer["id"],
                                           "party": {"adults": 2, "children": []}, "start_date": START.isoformat(),
                                           "days": 4, "currency": "EUR"})
    rpc.itinerary.add_item(plan["id"], 1, {"kind": "hotel", "description": "Granvia double", "nights": 3,
                                           "supplier_name": "Hotel Granvia", "unit_cost": "200.00", "currency": "EUR",
                                           "location": "Kyoto"})
    rpc.itinerary.add_item(plan["id"], 2, {"kind": "guide", "description": "Gion walk (Mandarin)",
                                           "supplier_name": "Kyoto Walks", "unit_cost": "150.00", "currency": "EUR",
                                           "location": "Kyoto"})
    quote = rpc.itinerary.issue_quote(plan["id"])
    rpc.itinerary.accept_quote(plan["id"], quote["version"])
    summary = wait_for(lambda: next((o for o in rpc.contracts.list_order_files({"customer_id": customer["id"]})["items"]
                                     if o["title"] == plan["title"]), None), timeout=15, message="order file opened")
    return rpc.contracts.get_order_file(summary["id"])


def trip_completed(order: dict) -> dict:
    """The envelope contracts publishes when the travellers are back (services/contracts/wire TripPayload)."""
    return make_envelope("contracts.trip_completed", {
        "order_file_id": order["id"], "order_number": order["order_number"], "contract_id": order["order_number"],
        "customer_id": order["customer_id"], "consultant": "alice", "quote_id": "q", "itinerary_id": "i",
        "title": order["title"], "start_date": START, "end_date": START + timedelta(days=3), "currency": "EUR",
        "total": "1000.00", "version": 1, "stage": "completed", "hold_id": None, "locator": None, "lines": [],
        "change": None}, None)


def emailed_links(smtp_server) -> list[str]:
    return [m for message in smtp_server.messages for m in LINK.findall(message.get_body(("plain",)).get_content())]


def test_a_completed_trip_sends_one_survey_and_the_answer_reaches_crm(suite, rpc, nameko_config, smtp_server):
    order = order_file(rpc, suite["customer"])
    envelope = trip_completed(order)
    publisher = OutboxPublisher(nameko_config)
    publisher.publish(envelope)
    publisher.publish(envelope)   # redelivered
    publisher.publish(trip_completed(order))   # or announced twice: still one survey per order file

    invitation = smtp_server.wait_for(lambda m: m["To"].addresses[0].addr_spec == "wang@example.cn", timeout=15)
    assert "京都之春" in invitation["Subject"]
    [token] = LINK.findall(invitation.get_body(("plain",)).get_content())
    [survey] = wait_for(lambda: [s for s in rpc.feedback.list_surveys({"customer_id": suite["customer"]["id"]})["items"]
                                 if s["status"] == "sent"], message="survey sent")
    assert (survey["order_number"], survey["language"], survey["consultant"]) == (order["order_number"], "zh", "alice")
    assert {(s["supplier_name"], s["aspect"]) for s in survey["suppliers"]} == {
        ("Hotel Granvia", "accommodation"), ("Kyoto Walks", "guide")}

    view = rpc.feedback.survey_view(token)
    assert (view["language"], view["title"], view["answered"]) == ("zh", "京都之春", False)
    with pytest.raises(ValidationFailed) as refused:
        rpc.feedback.answer_survey(token, {**ANSWER, "scores": {**ANSWER["scores"], "guide": 6}})
    assert "scores" in refused.value.details
    assert rpc.feedback.get_survey(survey["id"])["status"] == "sent"   # nothing written

    rpc.feedback.answer_survey(token, ANSWER)
    with pytest.raises(Conflict):
        rpc.feedback.answer_survey(token, {**ANSWER, "recommend": 0})
    answered = rpc.feedback.get_survey(survey["id"])
    assert (answered["status"], answered["recommend"], answered["scores"]["transport"]) == ("answered", 9, None)

    satisfaction = wait_for(lambda: (lambda s: s if s["surveys_answered"] else None)(
        rpc.crm.get_satisfaction(suite["customer"]["id"])), message="the answer in CRM's profile")
    assert satisfaction["last"]["recommend"] == 9 and satisfaction["last"]["comment"] == "服务很好"
    assert str(satisfaction["average_score"]) == "4.25"
    timeline = rpc.crm.customer_timeline(suite["customer"]["id"], {})["items"]
    [entry] = [e for e in timeline if e["kind"] == "feedback.survey_answered"]
    assert order["order_number"] in entry["summary"] and "would recommend 9/10" in entry["summary"]

    scores = {(s["supplier_name"], s["aspect"]): s["answers"] for s in rpc.feedback.supplier_scores({})}
    assert scores == {("Hotel Granvia", "accommodation"): 1, ("Kyoto Walks", "guide"): 1}

    # One survey, one invitation, however often trip_completed came (the reminder was withdrawn).
    assert rpc.feedback.list_surveys({"order_file_id": order["id"]})["total"] == 1
    assert len(emailed_links(smtp_server)) == 1
    envelopes = outbox_envelopes(suite["urls"]["feedback"])
    assert [e["type"] for e in envelopes] == ["feedback.survey_sent", "feedback.survey_answered"]
    assert_honour_contract(envelopes, wire.EVENTS, all_emitted=False)


def test_an_unanswered_survey_is_reminded_with_a_fresh_link_and_closes_when_it_expires(
        start_suite, rpc, nameko_config, smtp_server, monkeypatch):
    suite = start_suite(reminder_seconds=1.5)
    order = order_file(rpc, suite["customer"])
    OutboxPublisher(nameko_config).publish(trip_completed(order))
    reminded = wait_for(lambda: (lambda links: links if len(links) == 2 else None)(emailed_links(smtp_server)),
                        timeout=20, message="the invitation and one reminder")
    first, second = reminded
    assert first != second
    [survey] = rpc.feedback.list_surveys({"order_file_id": order["id"]})["items"]
    assert survey["reminders_sent"] == 1
    assert rpc.feedback.survey_view(first)["order_number"] == rpc.feedback.survey_view(second)["order_number"]
    with pytest.raises(NotFound):
        rpc.feedback.survey_view(first[:-2])

    # Thirty-one days on, the survey is closed: both links refuse (410), nothing is written.
    later = survey_entrypoints.utcnow() + timedelta(days=31)
    monkeypatch.setattr(survey_entrypoints, "utcnow", lambda: later)
    with pytest.raises(wire.SurveyClosed):
        rpc.feedback.answer_survey(second, ANSWER)
    assert rpc.feedback.list_surveys({"status": "expired"})["total"] == 1
    assert [e["type"] for e in outbox_envelopes(suite["urls"]["feedback"])] == ["feedback.survey_sent"]


def test_a_check_in_during_the_trip_is_recorded_for_the_order_file(suite, rpc):
    order = order_file(rpc, suite["customer"])
    with pytest.raises(ValidationFailed) as refused:
        rpc.feedback.record_check_in(order["id"], {"mood": 6})
    assert "mood" in refused.value.details
    with pytest.raises(NotFound):
        rpc.feedback.record_check_in("no-such-order-file", {"mood": 3})
    row = rpc.feedback.record_check_in(order["id"], {"mood": 2, "note": "The hotel room is noisy"})
    assert (row["customer_id"], row["order_number"], row["recorded_by"]) == (
        suite["customer"]["id"], order["order_number"], "service:feedback")
    assert [c["mood"] for c in rpc.feedback.list_check_ins(order["id"])] == [2]
    [event] = outbox_envelopes(suite["urls"]["feedback"])
    assert event["type"] == "feedback.check_in_recorded" and event["payload"]["note"] == "The hotel room is noisy"
    assert_honour_contract([event], wire.EVENTS, all_emitted=False)
