"""The complaints' rules, no broker (a throw-away SQLite session): the clocks per severity and their
time left, the first response, compensations only in the complaint's currency, resolving only with
a resolution, rating after it, reopening restarting the resolution clock, escalation once per clock
and round, and a voucher redeemed once."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.common.errors import Conflict, ValidationFailed, validated
from services.feedback import complaints, wire
from services.feedback.models import Base  # noqa: F401 (the session fixture's tables)

NOW = datetime(2026, 5, 3, 9, 0, tzinfo=timezone.utc)
CLOCKS = complaints.parse_clocks("normal=24/48,critical=2s/5s")


def opened(session, **changes):
    fields = validated(wire.ComplaintOpenSchema(), {
        "customer_id": "c-1", "channel": "during_trip", "category": "hotel_service", "severity": "normal",
        "summary": "The room at the Hôtel du Louvre was not cleaned for two days.", "supplier_name": "Hôtel du Louvre",
        "currency": "EUR", **changes})
    return complaints.open(session, fields, order=None, clocks=CLOCKS, actor="alice", now=NOW)


def step(**data):
    return validated(wire.ComplaintStepCreateSchema(), data)


def test_clocks_come_per_severity_from_the_setting_in_hours_minutes_or_seconds():
    assert CLOCKS["normal"] == complaints.Clocks(timedelta(hours=24), timedelta(hours=48))
    assert CLOCKS["critical"] == complaints.Clocks(timedelta(seconds=2), timedelta(seconds=5))
    assert CLOCKS["low"].resolution == timedelta(hours=72)  # a severity left out keeps its default
    assert complaints.parse_clocks("high=90m/3h")["high"] == complaints.Clocks(timedelta(minutes=90),
                                                                               timedelta(hours=3))
    with pytest.raises(ValueError):
        complaints.parse_clocks("high=soon/later")


def test_a_new_complaint_shows_the_time_left_on_both_clocks(session):
    complaint = opened(session)
    first, resolution = complaints.clock_states(complaint, NOW + timedelta(hours=20))
    assert (first["clock"], first["state"], first["seconds_left"]) == ("first_response", "running", 4 * 3600)
    assert (resolution["state"], resolution["seconds_left"]) == ("running", 28 * 3600)
    first, _ = complaints.clock_states(complaint, NOW + timedelta(hours=25))
    assert (first["state"], first["seconds_left"]) == ("breached", -3600)


def test_the_first_customer_contact_is_the_first_response_announced_once(session):
    complaint = opened(session)
    _, facts = complaints.add_step(complaint, step(kind="customer_contacted", text="Called, apologised."),
                                   actor="alice", now=NOW + timedelta(hours=2))
    assert facts == [("responded", {
        "complaint_id": complaint.id, "customer_id": "c-1", "handler": "alice", "team": None, "opened_at": NOW,
        "responded_at": NOW + timedelta(hours=2), "minutes_to_first_response": 120, "on_time": True})]
    _, again = complaints.add_step(complaint, step(kind="customer_contacted", text="Called back."),
                                   actor="bob", now=NOW + timedelta(hours=3))
    assert again == []
    assert complaints.clock_states(complaint, NOW + timedelta(days=5))[0]["state"] == "met"


def test_the_supplier_answer_names_how_long_it_took_and_needs_the_question_first(session):
    complaint = opened(session)
    with pytest.raises(Conflict):
        complaints.add_step(complaint, step(kind="supplier_answered", text="We will clean it."), actor="alice",
                            now=NOW)
    complaints.add_step(complaint, step(kind="supplier_contacted", text="Asked the manager."), actor="alice",
                        now=NOW + timedelta(minutes=10))
    _, [(fact, payload)] = complaints.add_step(
        complaint, step(kind="supplier_answered", text="Housekeeping missed it; 5000 points."), actor="alice",
        now=NOW + timedelta(minutes=70))
    assert (fact, payload["minutes"], payload["supplier_name"]) == ("supplier_answered", 60, "Hôtel du Louvre")


def test_a_compensation_in_another_currency_is_refused_and_not_recorded(session):
    complaint = opened(session)
    with pytest.raises(ValidationFailed) as refused:
        complaints.add_step(complaint, step(kind="supplier_compensation", value="80.00", currency="USD",
                                            text="A night refunded"), actor="alice", now=NOW)
    assert "EUR" in refused.value.details["currency"][0]
    with pytest.raises(ValidationFailed):
        complaints.issue_voucher(session, complaint, step(kind="agency_compensation", compensation="voucher",
                                                          value="50.00", currency="CNY"),
                                 validity_days=365, actor="alice", now=NOW)
    assert complaint.steps == []


def test_resolving_needs_a_resolution_and_rating_needs_it_resolved(session):
    complaint = opened(session)
    with pytest.raises(ValidationFailed) as refused:
        validated(wire.ComplaintResolveSchema(), {})
    assert "resolution" in refused.value.details
    with pytest.raises(Conflict):
        complaints.rate(complaint, 5, None, actor="alice", now=NOW)
    payload = complaints.resolve(complaint, "Room upgraded, voucher given.", actor="alice",
                                 now=NOW + timedelta(hours=30))
    assert (payload["minutes_to_resolution"], payload["on_time"]) == (30 * 60, True)
    with pytest.raises(ValidationFailed):
        validated(wire.ComplaintRateSchema(), {"satisfaction": 6})
    assert complaints.rate(complaint, 5, None, actor="alice", now=NOW)["satisfaction"] == 5


def test_reopening_restarts_the_resolution_clock_for_a_new_round(session):
    complaint = opened(session)
    complaints.resolve(complaint, "Apologised.", actor="alice", now=NOW + timedelta(hours=1))
    later = NOW + timedelta(days=3)
    complaints.reopen(complaint, "The customer says nothing changed.", clocks=CLOCKS, actor="bob", now=later)
    assert (complaint.status, complaint.reopened) == ("open", 1)
    assert complaint.resolution_due_at == later + timedelta(hours=48)
    assert [s.kind for s in complaint.steps] == ["resolved", "reopened"]


def test_a_clock_that_runs_out_escalates_once_per_clock_and_round(session):
    complaint = opened(session, severity="critical")
    assert complaints.overdue(session, NOW + timedelta(seconds=1)) == []
    late = NOW + timedelta(seconds=10)
    assert sorted(complaints.overdue(session, late)) == [(complaint.id, "first_response"), (complaint.id, "resolution")]
    first = complaints.escalate(complaint, "first_response", owner="boss", now=late)
    assert first.request_id == f"complaint:{complaint.id}:first_response:0:escalation"
    assert complaints.escalate(complaint, "first_response", owner="boss", now=late) is None
    complaints.escalate(complaint, "resolution", owner="boss", now=late)
    session.flush()
    assert complaints.overdue(session, late) == []
    assert complaint.breaches == 2
    assert [c["breaches"] for c in complaints.clock_states(complaint, late)] == [1, 1]

    complaints.resolve(complaint, "Handled by the manager.", actor="boss", now=late)
    complaints.reopen(complaint, "Again.", clocks=CLOCKS, actor="boss", now=late)
    session.flush()
    assert complaints.overdue(session, late + timedelta(seconds=10)) == [(complaint.id, "resolution")]


def test_a_follow_up_left_unanswered_stays_owed_and_a_refusal_is_an_outcome(session):
    complaint = opened(session, severity="critical")
    escalation = complaints.escalate(complaint, "first_response", owner="boss", now=NOW + timedelta(seconds=5))
    session.flush()
    complaints.follow_up_answered(escalation, {"unanswered": "RpcTimeout"}, NOW)
    assert complaints.pending_follow_ups(session) == [escalation]
    complaints.follow_up_answered(escalation, {"result": {"id": "f-1"}}, NOW)
    assert (escalation.status, escalation.attempts) == ("done", 2)
    assert complaints.pending_follow_ups(session) == []


def test_a_voucher_is_redeemed_once_by_its_customer_in_its_currency(session):
    complaint = opened(session)
    _, voucher = complaints.issue_voucher(
        session, complaint, step(kind="agency_compensation", compensation="voucher", value="50.00", currency="EUR"),
        validity_days=365, actor="alice", now=NOW)
    assert voucher.code.startswith("V-") and len(voucher.code) == 11
    assert complaints.voucher(session, voucher.code.lower().replace("-", "")) is voucher
    request = {"code": voucher.code, "customer_id": "c-1", "quote_id": "q-1", "currency": "EUR"}
    with pytest.raises(ValidationFailed) as refused:
        complaints.redeem(voucher, {**request, "customer_id": "c-2", "currency": "USD"}, actor="x", now=NOW,
                          today=NOW.date())
    assert set(refused.value.details) == {"customer_id", "currency"}
    with pytest.raises(ValidationFailed):
        complaints.redeem(voucher, request, actor="x", now=NOW, today=date(2027, 6, 1))
    assert complaints.redeem(voucher, request, actor="x", now=NOW, today=NOW.date()) is True
    assert complaints.redeem(voucher, request, actor="x", now=NOW, today=NOW.date()) is False  # the same quote
    with pytest.raises(Conflict):
        complaints.redeem(voucher, {**request, "quote_id": "q-2"}, actor="x", now=NOW, today=NOW.date())
    assert voucher.value == Decimal("50.00")


def test_points_are_counted_not_priced(session):
    complaint = opened(session)
    complaints.add_step(complaint, step(kind="agency_compensation", compensation="points", value="5000"),
                        actor="alice", now=NOW)
    payload = complaints.resolve(complaint, "Points given.", actor="alice", now=NOW)
    assert payload["compensations"] == [{"kind": "points", "value": Decimal("5000"), "currency": "PTS"}]
