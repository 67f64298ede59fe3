"""Complaints on the real broker and databases, with real CRM: a complaint left alone escalates
when each clock runs out (clocks of seconds here, COMPLAINT_CLOCKS), the breach counted once per
clock, the event announced, and the manager's CRM follow-up created exactly once, even when the
timer runs again after losing CRM's answer (a crash between sending and recording)."""
import eventlet
import pytest
from sqlalchemy import create_engine, text

from services.crm.service import CrmService
from services.feedback.service import FeedbackService
from tests.conftest import wait_for
from tests.events import outbox_envelopes

pytestmark = pytest.mark.service


def sql(url: str, statement: str, **params):
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else result.rowcount
    finally:
        engine.dispose()


@pytest.fixture
def desk(start_service, rpc, database_url):
    urls = {"feedback": database_url("feedback")}
    start_service(CrmService)
    start_service(FeedbackService, DATABASE_URLS=urls, COMPLAINT_CLOCKS="critical=1s/3s",
                  COMPLAINT_ESCALATION_INTERVAL_SECONDS=0.3, COMPLAINT_ESCALATION_OWNER="duty-manager")
    customer = rpc.crm.create_customer({"full_name": "李娜", "email": "li.na@example.cn", "preferred_language": "zh"})
    return {"urls": urls, "customer": customer}


def open_complaint(rpc, customer, severity):
    return rpc.feedback.open_complaint({
        "customer_id": customer["id"], "channel": "phone", "category": "flight_delay", "severity": severity,
        "summary": "Missed the connection after a delayed flight; nobody called back.", "currency": "EUR",
        "team": "ticketing"})


def manager_follow_ups(rpc, customer) -> list[dict]:
    return rpc.crm.search_follow_ups({"owner": "duty-manager", "customer_id": customer["id"]})["items"]


def test_a_complaint_left_alone_escalates_each_clock_once_with_one_follow_up_each(rpc, desk):
    customer = desk["customer"]
    left_alone = open_complaint(rpc, customer, "critical")
    handled = open_complaint(rpc, customer, "normal")  # 24 h to answer: never escalated here
    assert left_alone["clocks"][0]["state"] == "running" and left_alone["clocks"][0]["seconds_left"] <= 1

    def escalated():
        complaint = rpc.feedback.get_complaint(left_alone["id"])
        return complaint if complaint["breaches"] == 2 and len(manager_follow_ups(rpc, customer)) == 2 else None
    complaint = wait_for(escalated, timeout=20, message="both clocks escalated, with their follow-ups")
    assert [(c["clock"], c["state"], c["breaches"]) for c in complaint["clocks"]] == [
        ("first_response", "breached", 1), ("resolution", "breached", 1)]
    assert complaint["escalated_at"] is not None

    # CRM's answers lost after it created the follow-ups: the timer sends the same commands again.
    assert sql(desk["urls"]["feedback"], "UPDATE complaint_escalations SET status = 'pending'") == 2
    wait_for(lambda: sql(desk["urls"]["feedback"], "SELECT count(*) FROM complaint_escalations "
                                                   "WHERE status = 'done'") == [(2,)],
             timeout=10, message="the follow-ups sent again and recorded")
    eventlet.sleep(1)  # a few more ticks
    follow_ups = manager_follow_ups(rpc, customer)
    assert len(follow_ups) == 2
    assert all(f"Complaint {left_alone['id']} (critical, flight_delay)" in f["note"] for f in follow_ups)

    escalations = [e["payload"] for e in outbox_envelopes(desk["urls"]["feedback"])
                   if e["type"] == "feedback.complaint_escalated"]
    assert sorted((e["complaint_id"], e["clock"], e["escalated_to"]) for e in escalations) == [
        (left_alone["id"], "first_response", "duty-manager"), (left_alone["id"], "resolution", "duty-manager")]

    managers_view = rpc.feedback.list_complaints({"escalated": True})
    assert [c["id"] for c in managers_view["items"]] == [left_alone["id"]]
    assert rpc.feedback.get_complaint(handled["id"])["breaches"] == 0


def test_a_complaint_answered_in_time_escalates_only_its_resolution(rpc, desk):
    customer = desk["customer"]
    complaint = open_complaint(rpc, customer, "critical")
    rpc.feedback.add_complaint_step(complaint["id"], {"kind": "customer_contacted",
                                                      "text": "Called the traveller; rebooking on the next flight."})
    wait_for(lambda: rpc.feedback.get_complaint(complaint["id"])["breaches"] == 1, timeout=15,
             message="the resolution clock escalated")
    eventlet.sleep(1)
    current = rpc.feedback.get_complaint(complaint["id"])
    assert [(c["clock"], c["state"], c["breaches"]) for c in current["clocks"]] == [
        ("first_response", "met", 0), ("resolution", "breached", 1)]
    wait_for(lambda: len(manager_follow_ups(rpc, customer)) == 1, timeout=10, message="one follow-up")


def test_rated_only_once_resolved_and_reopening_runs_the_resolution_clock_again(rpc, desk):
    from services.common.errors import Conflict, ValidationFailed

    complaint = open_complaint(rpc, desk["customer"], "normal")
    with pytest.raises(Conflict):
        rpc.feedback.rate_complaint(complaint["id"], {"satisfaction": 4})
    with pytest.raises(ValidationFailed) as refused:
        rpc.feedback.add_complaint_step(complaint["id"], {"kind": "agency_compensation", "compensation": "discount",
                                                          "value": "20.00", "currency": "CNY"})
    assert "currency" in refused.value.details
    assert rpc.feedback.get_complaint(complaint["id"])["steps"] == []

    resolved = rpc.feedback.resolve_complaint(complaint["id"], {"resolution": "Rebooked on the next flight."})
    rpc.feedback.rate_complaint(complaint["id"], {"satisfaction": 2})
    reopened = rpc.feedback.reopen_complaint(complaint["id"], {"reason": "The luggage is still missing."})
    assert (reopened["status"], reopened["reopened"], reopened["satisfaction"]) == ("open", 1, None)
    assert reopened["resolution_due_at"] > resolved["resolution_due_at"]
    assert reopened["clocks"][1]["state"] == "running"
    assert [s["kind"] for s in reopened["steps"]] == ["resolved", "rated", "reopened"]
    kinds = [e["type"] for e in outbox_envelopes(desk["urls"]["feedback"])]
    assert {"feedback.complaint_resolved", "feedback.complaint_rated", "feedback.complaint_reopened"} <= set(kinds)
