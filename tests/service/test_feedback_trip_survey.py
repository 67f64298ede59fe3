"""The real trip ends and its survey goes out: real CRM, itinerary, ticketing, contracts and feedback,
a real SMTP server, contracts' clock moved past the return (tests/service/test_trip.py's Paris trip).
Nothing publishes trip_completed by hand here: contracts' calendar does, as in production."""
import re
from datetime import timedelta

import pytest

from services.feedback.service import FeedbackService
from tests.clock import travel_to
from tests.conftest import wait_for
from tests.service.test_trip import END, START, pay, signed_order, stage, suite  # noqa: F401 (suite: a fixture)

pytestmark = pytest.mark.service

LINK = re.compile(r"https://agency\.example/survey/([A-Za-z0-9_-]+)")


def test_the_completed_trip_emails_its_survey_and_the_answer_scores_its_suppliers(
        smtp_server, suite, start_service, rpc, monkeypatch):   # smtp_server first: CRM reads its address
    start_service(FeedbackService, SURVEY_BASE_URL="https://agency.example", SURVEY_TICK_SECONDS=0.2)
    order = signed_order(rpc, suite)
    [guide] = order["trip"]["supplier_requests"]
    stage(rpc, order["id"], "held")
    pay(rpc, order, 1)
    stage(rpc, order["id"], "booked")
    rpc.contracts.answer_supplier_request(order["id"], guide["id"], {"confirmed": True, "reference": "PG-1"})
    pay(rpc, order, 2)
    stage(rpc, order["id"], "ready")

    travel_to(monkeypatch, START)
    stage(rpc, order["id"], "travelling", timeout=15)
    travel_to(monkeypatch, END + timedelta(days=1))
    stage(rpc, order["id"], "completed", timeout=15)

    invitation = smtp_server.wait_for(lambda m: bool(LINK.search(m.get_body(("plain",)).get_content())), timeout=20)
    assert invitation["To"].addresses[0].addr_spec == "wang@example.cn"
    assert invitation["Subject"] == f"您的{order['title']}之旅行体验如何？"
    [token] = LINK.findall(invitation.get_body(("plain",)).get_content())
    view = rpc.feedback.survey_view(token)
    assert (view["language"], view["order_number"]) == ("zh", order["order_number"])

    [survey] = rpc.feedback.list_surveys({"order_file_id": order["id"]})["items"]
    assert {(s["supplier_name"], s["aspect"]) for s in survey["suppliers"]} == {
        ("Air China", "transport"), ("Hôtel du Louvre", "accommodation"), ("Paris Guides", "guide")}
    rpc.feedback.answer_survey(token, {"scores": {"itinerary": 4, "accommodation": 5, "transport": 2, "guide": 5,
                                                  "consultant": 4}, "recommend": 8})
    scores = {s["supplier_name"]: str(s["average"]) for s in rpc.feedback.supplier_scores({})}
    assert scores == {"Air China": "2.00", "Hôtel du Louvre": "5.00", "Paris Guides": "5.00"}
    wait_for(lambda: rpc.crm.get_satisfaction(suite["customer"]["id"])["surveys_answered"] == 1,
             message="the answer in CRM")
