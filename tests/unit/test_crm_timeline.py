"""The timeline, follow-ups and other services' events, with SQLite and no broker."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from services.common.db import utcnow
from services.common.envelope import make_envelope
from services.common.errors import NotFound, ValidationFailed, validated
from services.crm import customers, followups, inquiries, intake, timeline
from services.crm.models import Base, TimelineEntry
from services.crm.wire import CustomerCreateSchema, FollowUpCreateSchema, InquiryCreateSchema

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)


def new_customer(session, name="Ana Gómez"):
    return customers.create_customer(session, validated(CustomerCreateSchema(), {"full_name": name}), "user:desk")


def new_inquiry(session, customer, **data):
    inquiry, _ = inquiries.create_inquiry(session, validated(InquiryCreateSchema(), {
        "customer_id": customer.id, "channel": "phone", **data}), "user:desk")
    return inquiry


def entries(session, customer, **kwargs):
    return timeline.entries(session, customer.id, page_size=100, **kwargs)[0]


def follow_up(session, now=NOW, **data):
    return followups.create(session, validated(FollowUpCreateSchema(), {"owner": "lucia", "note": "call back",
                                                                        **data}), "user:desk", now)


# --- follow-ups ----------------------------------------------------------------------------------

def test_overdue_means_not_done_and_past_due(session):
    ana = new_customer(session)
    late = follow_up(session, customer_id=ana.id, due_at=(NOW - timedelta(hours=2)).isoformat())
    later = follow_up(session, customer_id=ana.id, due_at=(NOW - timedelta(minutes=1)).isoformat())
    soon = follow_up(session, customer_id=ana.id, due_at=(NOW + timedelta(minutes=1)).isoformat())
    done = follow_up(session, customer_id=ana.id, due_at=(NOW - timedelta(days=1)).isoformat())
    followups.complete(session, done.id, "user:lucia", NOW)
    follow_up(session, customer_id=ana.id, owner="pedro", due_at=(NOW - timedelta(days=2)).isoformat())

    def overdue(owner, now):
        return [f.id for f in followups.search(session, owner=owner, overdue=True, now=now)[0]]

    assert overdue("lucia", NOW) == [late.id, later.id]
    assert overdue("LUCIA", NOW + timedelta(minutes=2)) == [late.id, later.id, soon.id]
    assert followups.as_dict(late, NOW)["overdue"] and not followups.as_dict(done, NOW)["overdue"]
    items, total = followups.search(session, overdue=True, now=NOW)
    assert total == 3  # every owner's


def test_a_follow_up_on_an_inquiry_belongs_to_its_customer(session):
    ana, li = new_customer(session), new_customer(session, "Li Wei")
    inquiry = new_inquiry(session, ana)
    task = follow_up(session, inquiry_id=inquiry.id, due_at="2026-05-05T09:00:00+02:00")
    assert task.customer_id == ana.id and task.due_at == datetime(2026, 5, 5, 7, 0, tzinfo=timezone.utc)
    with pytest.raises(ValidationFailed) as refused:
        follow_up(session, inquiry_id=inquiry.id, customer_id=li.id, due_at="2026-05-05T09:00:00Z")
    assert "inquiry_id" in refused.value.details
    with pytest.raises(NotFound):
        follow_up(session, customer_id="nobody", due_at="2026-05-05T09:00:00Z")


def test_completing_twice_keeps_the_first_completion(session):
    task = follow_up(session, customer_id=new_customer(session).id, due_at="2026-05-05T09:00:00Z")
    followups.complete(session, task.id, "user:lucia", NOW)
    followups.complete(session, task.id, "user:pedro", NOW + timedelta(hours=1))
    assert task.done and task.done_by == "user:lucia" and task.done_at == NOW


@pytest.mark.parametrize("data, field", [
    ({"customer_id": "c", "due_at": "2026-05-05T09:00:00"}, "due_at"),          # no time zone
    ({"customer_id": "c", "due_at": "tomorrow"}, "due_at"),
    ({"due_at": "2026-05-05T09:00:00Z"}, "customer_id"),                         # about nothing
    ({"customer_id": "c", "due_at": "2026-05-05T09:00:00Z", "owner": "x"}, "owner"),
    ({"customer_id": "c", "due_at": "2026-05-05T09:00:00Z", "note": ""}, "note"),
])
def test_follow_up_fields_are_checked(data, field):
    with pytest.raises(ValidationFailed) as failure:
        validated(FollowUpCreateSchema(), {"owner": "lucia", "note": "call", **data})
    assert set(failure.value.details) == {field}


# --- the timeline of CRM's own records -------------------------------------------------------------

def test_timeline_is_chronological_and_pages(session):
    ana = new_customer(session)
    inquiry = new_inquiry(session, ana, destinations=["Kyoto"])
    inquiries.transition(session, inquiry.id, "qualified", None, "user:lucia")
    task = follow_up(session, now=utcnow(), inquiry_id=inquiry.id, due_at="2030-01-01T09:00:00Z")
    followups.complete(session, task.id, "user:lucia")
    customers.update_customer(session, ana.id, {"tags": ["vip"]}, "user:lucia")
    kinds = [e.kind for e in entries(session, ana)]
    assert kinds == ["crm.customer_created", "crm.inquiry_created", "crm.inquiry_status_changed",
                     "crm.follow_up_created", "crm.follow_up_done", "crm.customer_updated"]
    assert [e.kind for e in entries(session, ana, order="desc")] == kinds[::-1]
    page, total = timeline.entries(session, ana.id, page=2, page_size=4)
    assert total == 6 and [e.kind for e in page] == kinds[4:]
    assert "Kyoto" in entries(session, ana)[1].summary


# --- other services' events ------------------------------------------------------------------------

def booking_event(*travellers_per_line, locator="ABC123"):
    return make_envelope("ticketing.booking_confirmed", {
        "id": str(uuid.uuid4()), "locator": locator, "status": "confirmed",
        "lines": [{"id": i + 1, "product_id": "p1", "day": f"2026-07-0{i + 1}", "quantity": len(travellers),
                   "destination": "Kyoto" if i == 0 else "Osaka", "net_price": "10.00", "sell_price": "12.00",
                   "travellers": travellers} for i, travellers in enumerate(travellers_per_line)],
    }, "corr-1")


def test_a_booking_is_on_the_timeline_of_each_traveller_once(session):
    ana, li = new_customer(session), new_customer(session, "Li Wei")
    envelope = booking_event([{"name": "Ana", "customer_id": ana.id}, {"name": "Guest"}],
                             [{"name": "Ana", "customer_id": ana.id}, {"name": "Li", "customer_id": li.id}])
    intake.record_event(session, envelope)
    intake.record_event(session, envelope)  # delivered again: no second entry
    for customer in (ana, li):
        [entry] = [e for e in entries(session, customer) if e.kind == "ticketing.booking_confirmed"]
        assert entry.source == "ticketing" and entry.source_event_id == envelope["id"]
        assert entry.actor == "service:ticketing" and "ABC123" in entry.summary
    ana_entry = [e for e in entries(session, ana) if e.source == "ticketing"][0]
    assert len(ana_entry.payload["lines"]) == 2 and "sell_price" not in ana_entry.payload["lines"][0]
    assert ana.past_destinations == ["Kyoto", "Osaka"] and ana.last_trip_date == date(2026, 7, 2)
    assert li.past_destinations == ["Osaka"] and li.last_trip_date == date(2026, 7, 2)


@pytest.mark.parametrize("event_type, payload, words", [
    ("itinerary.quote_issued", {"quote_id": "Q-7", "version": 2, "total": "2400.00", "currency": "EUR"},
     ["Q-7", "2400.00 EUR"]),
    ("contracts.payment_received", {"amount": "500.00", "currency": "CNY", "contract_id": "K-1"},
     ["500.00 CNY", "K-1"]),
    ("contracts.contract_drafted", {"order_number": "OF-2026-000007", "total": "3120.00", "currency": "EUR"},
     ["OF-2026-000007 drafted", "3120.00 EUR"]),
    ("contracts.contract_signed", {"order_number": "OF-2026-000007", "version": 1, "method": "remote"},
     ["OF-2026-000007 signed", "version 1", "remotely"]),
    ("contracts.contract_amended", {"order_number": "OF-2026-000007", "version": 2, "reason": "supplier_change",
                                    "changes": "Hotel moved", "total": "3200.00", "currency": "EUR"},
     ["amended", "supplier_change", "Hotel moved", "3200.00 EUR"]),
    ("contracts.contract_cancelled", {"order_number": "OF-2026-000007", "fee": "780.00", "refund": "160.00",
                                      "currency": "EUR"}, ["cancelled", "fee 780.00", "refund 160.00 EUR"]),
    ("contracts.payment_refunded", {"amount": "-160.00", "currency": "EUR", "contract_id": "OF-2026-000007"},
     ["Refund paid", "-160.00 EUR"]),
    ("contracts.invoice_issued", {"display_number": "F-2026-000003", "total": "3120.00", "currency": "EUR"},
     ["Invoice F-2026-000003", "3120.00 EUR"]),
    ("contracts.credit_note_issued", {"display_number": "CN-2026-000001", "corrects": "F-2026-000003",
                                      "total": "-2340.00", "currency": "EUR"}, ["CN-2026-000001 for F-2026-000003"]),
    ("contracts.instalment_overdue", {"order_number": "OF-2026-000007", "n": 2, "due_on": "2026-11-01",
                                      "outstanding": "2184.00", "currency": "EUR"},
     ["instalment 2 overdue since 2026-11-01", "2184.00 EUR"]),
    ("contracts.incident_opened", {"order_number": "OF-2026-000007", "incident_id": 3, "kind": "delay",
                                   "summary": "IB3166 delayed 9 hours"},
     ["OF-2026-000007", "delay incident opened", "IB3166 delayed 9 hours"]),
    ("contracts.incident_closed", {"order_number": "OF-2026-000007", "incident_id": 3, "kind": "delay",
                                   "resolution": "Travelling tomorrow", "alternative": "CA908 at 10:40"},
     ["delay incident closed", "Travelling tomorrow", "CA908 at 10:40"]),
    ("feedback.complaint_opened", {"summary": "Hotel was noisy", "severity": "high"}, ["(high)", "Hotel was noisy"]),
    ("feedback.complaint_resolved", {"complaint_id": 4, "on_time": False, "compensations": [
        {"kind": "voucher", "value": "50.00", "currency": "EUR"}]}, ["resolved late", "voucher 50.00 EUR"]),
    ("feedback.complaint_escalated", {"complaint_id": 4, "clock": "first_response", "escalated_to": "admin"},
     ["escalated to admin", "first response"]),
    ("feedback.survey_answered", {"survey_id": 4, "order_number": "OF-2026-000007", "recommend": 9,
                                  "scores": {"itinerary": 5, "guide": None, "transport": 3}},
     ["OF-2026-000007: survey answered", "itinerary 5/5", "transport 3/5", "would recommend 9/10"]),
])
def test_events_about_a_customer_are_on_their_timeline(session, event_type, payload, words):
    ana = new_customer(session)
    envelope = make_envelope(event_type, {"customer_id": ana.id, **payload}, None)
    assert intake.record_event(session, envelope) == []
    [entry] = [e for e in entries(session, ana) if e.kind == event_type]
    assert all(word in entry.summary for word in words)
    assert entry.occurred_at == datetime.fromisoformat(envelope["occurred_at"])


@pytest.mark.parametrize("envelope", [
    make_envelope("feedback.complaint_opened", {"customer_id": "nobody"}, None),
    make_envelope("feedback.complaint_opened", {"subject": "no customer named"}, None),
    make_envelope("ticketing.booking_confirmed", {"lines": [{"travellers": [{"name": "walk-in guest"}]}]}, None),
    make_envelope("itinerary.quote_issued", {"inquiry_id": "no-such-inquiry"}, None),
    {"id": "x", "type": "feedback.complaint_opened", "payload": "not a dict"},
    {"id": "y", "type": "someone.else_happened", "payload": {"customer_id": "c"}},
])
def test_events_naming_no_known_customer_are_recorded_nowhere(session, envelope):
    new_customer(session)
    before = session.scalar(select(func.count()).select_from(TimelineEntry))
    assert intake.record_event(session, envelope) == []
    assert session.scalar(select(func.count()).select_from(TimelineEntry)) == before


# --- quote events move the inquiry ---------------------------------------------------------------

def quote_event(fact, customer, inquiry, **extra):
    return make_envelope(f"itinerary.quote_{fact}", {"quote_id": "Q-1", "customer_id": customer.id,
                                                      "inquiry_id": inquiry.id, **extra}, None)


def test_quote_events_move_the_inquiry_they_name(session):
    ana = new_customer(session)
    inquiry = new_inquiry(session, ana, destinations=["Bali"], travel_window={"month": "2026-09"})
    inquiries.transition(session, inquiry.id, "qualified", None, "user:lucia")
    [(_, moved)] = intake.record_event(session, quote_event("issued", ana, inquiry))
    assert (moved.from_status, moved.to_status, moved.changed_by) == ("qualified", "quoted", "service:itinerary")
    assert intake.record_event(session, quote_event("issued", ana, inquiry, version=2)) == []  # already quoted
    [(_, won)] = intake.record_event(session, quote_event("accepted", ana, inquiry))
    assert won.to_status == "won" and inquiry.status == "won"
    assert ana.past_destinations == [] and ana.last_trip_date is None  # won is not travelled
    assert intake.record_event(session, quote_event("rejected", ana, inquiry)) == []  # won is final
    assert inquiry.status == "won"


def test_a_rejected_quote_loses_the_inquiry(session):
    ana = new_customer(session)
    inquiry = new_inquiry(session, ana)
    inquiries.transition(session, inquiry.id, "qualified", None, "user:lucia")
    intake.record_event(session, quote_event("issued", ana, inquiry))
    [(_, lost)] = intake.record_event(session, quote_event("rejected", ana, inquiry))
    assert lost.to_status == "lost" and inquiry.lost_reason == "quote rejected"


def test_a_quote_issued_for_a_new_inquiry_does_not_skip_qualification(session):
    ana = new_customer(session)
    inquiry = new_inquiry(session, ana)
    assert intake.record_event(session, quote_event("issued", ana, inquiry)) == []
    assert inquiry.status == "new"
    assert [e.kind for e in entries(session, ana)][-1] == "itinerary.quote_issued"  # still on the timeline


def test_an_acceptance_overtaking_its_issue_goes_through_quoted(session):
    ana = new_customer(session)
    inquiry = new_inquiry(session, ana)
    inquiries.transition(session, inquiry.id, "qualified", None, "user:lucia")
    moves = intake.record_event(session, quote_event("accepted", ana, inquiry))
    assert [(m.from_status, m.to_status) for _, m in moves] == [("qualified", "quoted"), ("quoted", "won")]
    assert intake.record_event(session, quote_event("issued", ana, inquiry)) == []


def test_a_quote_event_for_another_customers_inquiry_moves_nothing(session):
    ana, li = new_customer(session), new_customer(session, "Li Wei")
    inquiry = new_inquiry(session, ana)
    inquiries.transition(session, inquiry.id, "qualified", None, "user:lucia")
    assert intake.record_event(session, quote_event("issued", li, inquiry)) == []
    assert inquiry.status == "qualified"


def test_a_quote_event_naming_only_the_inquiry_is_about_its_customer(session):
    ana = new_customer(session)
    inquiry = new_inquiry(session, ana)
    inquiries.transition(session, inquiry.id, "qualified", None, "user:lucia")
    envelope = make_envelope("itinerary.quote_issued", {"quote_id": "Q-9", "inquiry_id": inquiry.id}, None)
    assert len(intake.record_event(session, envelope)) == 1 and inquiry.status == "quoted"
    assert any(e.kind == "itinerary.quote_issued" for e in entries(session, ana))


def test_a_change_a_cancellation_and_a_refund_are_on_the_travellers_timeline(session):
    ana, li = new_customer(session), new_customer(session, "Li Wei")

    def line(number, day, *who, destination="Lijiang", status="confirmed"):
        return {"id": number, "day": day, "destination": destination, "status": status,
                "ticket_number": f"QX7P2M-0{number}", "travellers": [{"name": c.full_name, "customer_id": c.id}
                                                                      for c in who]}

    events = [
        make_envelope("ticketing.booking_changed", {
            "booking_id": "b1", "locator": "QX7P2M", "old_line": line(1, "2026-12-09", ana, status="changed"),
            "new_line": line(3, "2026-12-11", ana), "fare_difference": "200.00", "currency": "CNY"}, None),
        make_envelope("ticketing.booking_refunded", {
            "booking_id": "b1", "locator": "QX7P2M", "refund_id": 7, "line": line(1, "2026-12-09", ana),
            "amount": "150.00", "currency": "CNY", "reason": "fare rule"}, None),
        make_envelope("ticketing.booking_cancelled", {
            "booking_id": "b1", "locator": "QX7P2M", "status": "confirmed",
            "cancelled_lines": [line(2, "2026-12-12", ana, li, destination="Dali", status="cancelled")]}, None),
        make_envelope("ticketing.booking_cancelled", {
            "booking_id": "b1", "locator": "QX7P2M", "status": "cancelled",
            "cancelled_lines": [line(3, "2026-12-11", ana, status="cancelled")]}, None),
    ]
    for envelope in events:
        intake.record_event(session, envelope, today=date(2026, 12, 1))
        intake.record_event(session, envelope, today=date(2026, 12, 1))  # again: nothing more
    summaries = [e.summary for e in entries(session, ana) if e.source == "ticketing"]
    assert summaries == [
        "Booking QX7P2M changed: QX7P2M-01 from 2026-12-09 to 2026-12-11, fare difference 200.00 CNY",
        "Refund on booking QX7P2M: 150.00 CNY (fare rule)",
        "Booking QX7P2M: 1 line(s) cancelled",
        "Booking QX7P2M cancelled"]
    assert [e.kind for e in entries(session, li) if e.source == "ticketing"] == ["ticketing.booking_cancelled"]
    refund = [e for e in entries(session, ana) if e.kind == "ticketing.booking_refunded"][0]
    assert refund.payload["amount"] == "150.00" and refund.payload["lines"][0]["ticket_number"] == "QX7P2M-01"
