"""Feedback's KPIs on the real broker and database: the events other services (and feedback's own
complaints and surveys) publish, sent as they would send them, taken in by the real feedback
container; kpis() gives every KPI of the table as computed by hand in the comments below, and the
reports follow the same facts. Bookings name products of a real ticketing (their supplier)."""
import copy
import uuid
from decimal import Decimal as D

import pytest
from sqlalchemy import text

from services.common.db import make_engine
from services.common.envelope import make_envelope
from services.common.errors import NotFound, ValidationFailed
from services.common.outbox import OutboxPublisher
from services.feedback.service import FeedbackService
from services.ticketing.service import TicketingService
from tests.conftest import wait_for

pytestmark = pytest.mark.service

MARCH, FEB = "2027-03", "2027-02"


def at(day: int, month: str = MARCH, hour: int = 10) -> str:
    return f"{month}-{day:02d}T{hour:02d}:00:00+00:00"


class Feed:
    def __init__(self, config):
        self.publisher = OutboxPublisher(config)
        self.sent = []

    def __call__(self, name: str, payload: dict, occurred_at: str | None = None) -> dict:
        envelope = make_envelope(name, payload, None)
        if occurred_at:
            envelope["occurred_at"] = occurred_at
        self.publisher.publish(envelope)
        self.sent.append(envelope)
        return envelope


def booking(feed, booking_id, staff, room, day, month=MARCH, sell="100.00"):
    return feed("ticketing.booking_confirmed", {
        "id": booking_id, "locator": booking_id[-6:].upper(), "hold_id": None, "status": "confirmed",
        "reference": None, "created_at": at(day, month), "created_by": staff, "total_sell": sell, "total_net": "80.00",
        "lines": [{"id": 1, "product_id": room, "day": "2027-06-01", "quantity": 1, "travellers": [],
                   "status": "confirmed", "ticket_number": "X", "destination": "Rome", "net_price": "80.00",
                   "sell_price": sell, "currency": "EUR", "replaces_line_id": None, "fare_difference": None}]},
        at(day, month))


def line(line_id):
    return {"id": line_id, "product_id": "p", "day": "2027-06-01", "quantity": 1, "status": "changed"}


def contract(feed, order_id, consultant, total, day, month=MARCH, version=1):
    feed("contracts.contract_signed", {
        "order_file_id": order_id, "order_number": order_id, "contract_id": order_id, "customer_id": "c1",
        "consultant": consultant, "quote_id": "q", "itinerary_id": "i", "title": "Trip", "start_date": "2027-06-01",
        "end_date": "2027-06-09", "currency": "EUR", "total": total, "version": version, "method": "in_person",
        "signed_by": "Ana", "signed_at": at(day, month), "document_sha256": "0" * 64}, at(day, month))


def amendment(feed, order_id, consultant, reason, version, day):
    feed("contracts.contract_amended", {
        "order_file_id": order_id, "order_number": order_id, "contract_id": order_id, "customer_id": "c1",
        "consultant": consultant, "quote_id": "q", "itinerary_id": "i", "title": "Trip", "start_date": "2027-06-01",
        "end_date": "2027-06-09", "currency": "EUR", "total": "1.00", "version": version, "reason": reason,
        "changes": "x", "previous_total": "1.00", "affected_suppliers": []}, at(day))


def complaint(feed, cid, handler, opened, *, team=None, responded=None, resolved=None, supplier=None, category="hotel"):
    """opened: (day, month); responded / resolved: (minutes, day) in March."""
    base = {"complaint_id": cid, "customer_id": "c1", "handler": handler, "team": team}
    feed("feedback.complaint_opened", {
        **base, "channel": "phone", "category": category, "severity": "normal", "summary": "s",
        "supplier_id": supplier and supplier["id"], "supplier_name": supplier and supplier["name"],
        "opened_at": at(*opened), "first_response_due_at": at(*opened), "resolution_due_at": at(*opened)})
    if responded:
        feed("feedback.complaint_responded", {**base, "opened_at": at(*opened), "responded_at": at(responded[1]),
                                              "minutes_to_first_response": responded[0], "on_time": True})
    if resolved:
        feed("feedback.complaint_resolved", {**base, "opened_at": at(*opened), "resolved_at": at(resolved[1]),
                                             "minutes_to_resolution": resolved[0], "on_time": True,
                                             "supplier_id": supplier and supplier["id"],
                                             "supplier_name": supplier and supplier["name"], "compensations": []})


def survey(feed, sid, consultant, consultant_score, transport, recommend, accommodation=None, suppliers=(),
           comment=None):
    feed("feedback.survey_answered", {
        "survey_id": sid, "customer_id": "c1", "order_file_id": "o", "order_number": f"OF-{sid}",
        "consultant": consultant, "recommend": recommend, "comment": comment, "answered_at": at(20),
        "scores": {"itinerary": 4, "accommodation": accommodation, "transport": transport, "guide": None,
                   "consultant": consultant_score},
        "suppliers": list(suppliers)})


def shown(value):
    """Decimals and counts as the gateway writes them."""
    return None if value is None else str(value)


def kpi(group, name):
    found = next(k for k in group["kpis"] if k["kpi"] == name)
    return found


def figures(report, *, staff=None, team=None):
    rows = report["staff"] if staff else report["teams"]
    return next(r for r in rows if (r["staff"] == staff if staff else r["team"] == team))


@pytest.fixture
def seeded(start_service, rpc, nameko_config, database_url):
    url = database_url("feedback")
    start_service(TicketingService)
    start_service(FeedbackService, DATABASE_URLS={"feedback": url})
    hotel = rpc.ticketing.create_supplier({"name": "Hotel Artemide", "kind": "hotel"})
    room = rpc.ticketing.create_product({"supplier_id": hotel["id"], "supplier_code": "ART-DBL", "kind": "hotel",
                                         "name": "Room", "location": "Rome", "currency": "EUR"})["id"]
    feed = Feed(nameko_config)
    # Bookings: tina 4 in March (b1-b4) and 1 in February; alice 1 in March (b5).
    ids = {n: str(uuid.uuid4()) for n in ("b0", "b1", "b2", "b3", "b4", "b5")}
    booking(feed, ids["b0"], "tina", room, 27, FEB)
    for n in ("b1", "b2", "b3", "b4"):
        first = booking(feed, ids[n], "tina", room, 3)
    booking(feed, ids["b5"], "alice", room, 4)
    wait_for(lambda: count(url, "kind = 'booking'") == 6, message="the bookings taken in")
    feed.publisher.publish(first)  # the same envelope again: the inbox skips it
    replayed = copy.deepcopy(first) | {"id": str(uuid.uuid4())}  # a replay under a new id: the fact is there
    feed.publisher.publish(replayed)
    # Changes and cancellations: b1 agency_error, b2 customer_request (changes), b3 agency_error, b5 supplier.
    for n, reason in (("b1", "agency_error"), ("b2", "customer_request")):
        feed("ticketing.booking_changed", {"booking_id": ids[n], "locator": "L", "reference": None, "reason": reason,
                                           "old_line": line(1), "new_line": line(2), "fare_difference": "0.00",
                                           "currency": "EUR", "changed_by": "carl"}, at(10))
    for n, reason in (("b3", "agency_error"), ("b5", "supplier")):
        feed("ticketing.booking_cancelled", {"booking_id": ids[n], "locator": "L", "reference": None,
                                             "reason": reason, "status": "cancelled", "cancelled_lines": [line(1)],
                                             "cancelled_by": "carl"}, at(11))
    # Contracts: alice 1000.00 in February, 600.00 + 500.00 in March (and a v2 signature: not a sale);
    # bob 2000.00 in March. Amendments: alice agency_error + customer_request, bob supplier_change.
    contract(feed, "OF-A0", "alice", "1000.00", 15, FEB)
    contract(feed, "OF-A1", "alice", "600.00", 5)
    contract(feed, "OF-A2", "alice", "500.00", 6)
    contract(feed, "OF-A1", "alice", "900.00", 7, version=2)
    contract(feed, "OF-B1", "bob", "2000.00", 8)
    amendment(feed, "OF-A1", "alice", "agency_error", 2, 7)
    amendment(feed, "OF-A2", "alice", "customer_request", 2, 9)
    amendment(feed, "OF-B1", "bob", "supplier_change", 2, 9)
    rpc.feedback.set_sales_target({"staff": "alice", "month": MARCH, "amount": "1000.00", "currency": "EUR"})
    rpc.feedback.set_sales_target({"staff": "bob", "month": MARCH, "amount": "2000.00", "currency": "EUR"})
    rpc.feedback.set_sales_target({"staff": "bob", "month": MARCH, "amount": "2500.00", "currency": "EUR"})  # replaces
    # Inquiries: alice i1 won, i2 lost, i3 (no consultant, then given to alice) won; bob i4 won.
    for iid, consultant in (("i1", "alice"), ("i2", "alice"), ("i3", None), ("i4", "bob")):
        feed("crm.inquiry_created", {"id": iid, "customer_id": "c1", "consultant": consultant, "status": "new"})
    wait_for(lambda: count(url, "1 = 1", "kpi_inquiry_owners") == 4, message="the inquiries' owners")
    feed("crm.inquiry_updated", {"id": "i3", "customer_id": "c1", "changed_fields": ["consultant"],
                                 "changes": {"consultant": "alice"}, "updated_at": at(2), "updated_by": "m"})
    wait_for(lambda: count(url, "consultant = 'alice'", "kpi_inquiry_owners") == 3, message="i3 given to alice")
    for iid, to in (("i1", "won"), ("i2", "lost"), ("i3", "won"), ("i4", "won")):
        feed("crm.inquiry_status_changed", {"inquiry_id": iid, "customer_id": "c1", "from_status": "quoted",
                                            "to_status": to, "reason": None, "changed_by": "manager1",
                                            "changed_at": at(12)})
    supplier = {"id": hotel["id"], "name": "Hotel Artemide"}
    # Complaints of alice: c1 (600 min to respond, 1800 to resolve), c2 (2000, open), c3 (300, 3000),
    # c4 opened in February, resolved in March (1000). carl's (ticketing desk) c5: 100, 200.
    complaint(feed, 1, "alice", (2, MARCH), responded=(600, 2), resolved=(1800, 3), supplier=supplier)
    complaint(feed, 2, "alice", (4, MARCH), responded=(2000, 6), category="transfer")
    complaint(feed, 3, "alice", (5, MARCH), responded=(300, 5), resolved=(3000, 8), supplier=supplier)
    complaint(feed, 4, "alice", (20, FEB), resolved=(1000, 1))
    complaint(feed, 5, "carl", (9, MARCH), team="ticketing", responded=(100, 9), resolved=(200, 9))
    for cid, satisfaction in ((1, 5), (3, 2)):
        feed("feedback.complaint_rated", {"complaint_id": cid, "customer_id": "c1", "handler": "alice",
                                          "satisfaction": satisfaction, "rated_at": at(12)})
    for cid, minutes in ((1, 90), (3, 30)):
        feed("feedback.complaint_supplier_answered", {"complaint_id": cid, "supplier_id": hotel["id"],
                                                      "supplier_name": "Hotel Artemide", "asked_at": at(2),
                                                      "answered_at": at(3), "minutes": minutes, "answer": "ok"})
    stay = [{"supplier_id": hotel["id"], "supplier_name": "Hotel Artemide", "aspect": "accommodation"}]
    # Surveys (consultant score, transport score, recommend): alice s1 (5, 4, 10), s2 (4, 2, 9), s3 (3, 5, 7),
    # s4 (2, -, 3), s5 (-, 1, 6); bob s6 (5, 5, 10).
    survey(feed, "s1", "alice", 5, 4, 10, accommodation=4, suppliers=stay, comment="Lovely guide")
    survey(feed, "s2", "alice", 4, 2, 9, accommodation=2, suppliers=stay)
    survey(feed, "s3", "alice", 3, 5, 7)
    survey(feed, "s4", "alice", 2, None, 3, comment="=HYPERLINK(1)")
    survey(feed, "s5", "alice", None, 1, 6)
    survey(feed, "s6", "bob", 5, 5, 10)
    wait_for(lambda: count(url, "1 = 1", "kpi_survey_answers") == 6 and count(url, "kind = 'supplier_answer'") == 2
             and count(url, "kind = 'inquiry_decision'") == 4 and count(url, "kind = 'contract_amendment'") == 3
             and count(url, "kind IN ('booking_change', 'booking_cancel')") == 4
             and count(url, "kind = 'complaint_resolved'") == 4 and count(url, "kind = 'complaint_responded'") == 4
             and count(url, "kind = 'complaint_rated'") == 2,
             timeout=20, message="every event taken in")
    return {"url": url, "hotel": hotel}


def count(url: str, where: str, table: str = "kpi_facts") -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar()
    except Exception:  # not migrated yet
        return -1
    finally:
        engine.dispose()


def test_every_kpi_of_the_table_is_the_hand_computed_figure(seeded, rpc):
    report = rpc.feedback.kpis({"month": MARCH})
    assert [r["staff"] for r in report["staff"]] == ["alice", "bob", "carl", "tina"]
    assert [(r["staff"], r["team"]) for r in report["staff"]] == [
        ("alice", "consultants"), ("bob", "consultants"), ("carl", "ticketing"), ("tina", "ticketing")]
    alice, bob = figures(report, staff="alice"), figures(report, staff="bob")
    tina, carl = figures(report, staff="tina"), figures(report, staff="carl")
    consultants, desk = figures(report, team="consultants"), figures(report, team="ticketing")

    def v(group, name):
        k = kpi(group, name)
        return shown(k["value"]), shown(k["numerator"]), shown(k["denominator"]), k["met"]

    # Satisfaction: alice's consultant scores 5, 4, 3, 2 -> 2 of 4 = 50.00 (< 80); bob 1 of 1.
    assert v(alice, "customer_satisfaction") == ("50.00", "2", "4", False)
    assert v(bob, "customer_satisfaction") == ("100.00", "1", "1", True)
    # Consultants: 3 of 5 = 60.00; the ticketing desk: transport 4, 2, 5, 1, 5 -> 3 of 5 = 60.00 (< 85).
    assert v(consultants, "customer_satisfaction") == ("60.00", "3", "5", False)
    assert kpi(consultants, "customer_satisfaction")["target"] == ">= 80"
    assert v(desk, "customer_satisfaction") == ("60.00", "3", "5", False)
    assert kpi(desk, "customer_satisfaction")["target"] == ">= 85"
    # First response: alice 600 + 2000 + 300 = 2900 / 3 = 966.67 min <= 1440; within 24 h: 2 of 3.
    first = kpi(alice, "complaint_first_response")
    assert (shown(first["value"]), first["met"], first["within_target"], shown(first["share_within_target"])) == \
        ("966.67", True, 2, "66.67")
    # Resolution time: resolved in March 1800, 3000, 1000 (c4, opened in February) = 5800 / 3 = 1933.33 <= 2880.
    resolution = kpi(alice, "complaint_resolution_time")
    assert (shown(resolution["value"]), resolution["met"], resolution["within_target"]) == ("1933.33", True, 2)
    # Resolution rate: opened in March c1, c2, c3; resolved c1, c3 -> 66.67 (< 90). carl: 1 of 1.
    assert v(alice, "complaint_resolution_rate") == ("66.67", "2", "3", False)
    assert v(carl, "complaint_resolution_rate") == ("100.00", "1", "1", True)
    assert v(carl, "complaint_first_response")[0] == "100.00"
    # Booking errors: tina's b1 change and b3 cancellation (agency_error) over her 4 March bookings = 50.00;
    # the redelivered and replayed b4 counts once; alice's b5 cancellation was the supplier's: 0 of 1.
    assert v(tina, "booking_error_rate") == ("50.00", "2", "4", False)
    assert v(alice, "booking_error_rate") == ("0.00", "0", "1", True)
    assert v(desk, "booking_error_rate") == ("50.00", "2", "4", False)  # carl has no bookings of his own
    # Contract errors: alice 1 agency_error of 2 contracts = 50.00; bob's supplier change is none: 0 of 1 (< 5).
    assert v(alice, "contract_error_rate") == ("50.00", "1", "2", False)
    assert v(bob, "contract_error_rate") == ("0.00", "0", "1", True)
    assert v(consultants, "contract_error_rate") == ("33.33", "1", "3", False)
    # Sales: alice 1100.00 in March against 1000.00 in February: +10.00% (>= 10), 110.00% of her 1000.00.
    assert v(alice, "sales_growth") == ("10.00", "100.00", "1000.00", True)
    assert v(alice, "sales_target_attainment") == ("110.00", "1100.00", "1000.00", True)
    assert kpi(alice, "sales_growth")["currency"] == "EUR"
    # bob: nothing in February (no growth to speak of), 2000.00 of 2500.00 = 80.00.
    assert v(bob, "sales_growth")[0] is None and v(bob, "sales_growth")[3] is None
    assert v(bob, "sales_target_attainment") == ("80.00", "2000.00", "2500.00", False)
    # Consultants: 3100.00 vs 1000.00 = +210.00; 3100.00 of 3500.00 = 88.57.
    assert v(consultants, "sales_growth")[0] == "210.00"
    assert v(consultants, "sales_target_attainment") == ("88.57", "3100.00", "3500.00", False)
    # Conversion: alice won i1, i3, lost i2 = 66.67; bob 1 of 1; the consultants 3 of 4 = 75.00; tracked only.
    assert v(alice, "inquiry_conversion") == ("66.67", "2", "3", None)
    assert v(consultants, "inquiry_conversion") == ("75.00", "3", "4", None)
    # NPS: alice's recommend 10, 9, 7, 3, 6: 40.00% promoters - 40.00% detractors = 0.00; the team's 6
    # answers: 50.00 - 33.33 = 16.67.
    assert v(alice, "net_promoter_score")[0] == "0.00"
    assert v(consultants, "net_promoter_score")[0] == "16.67"
    assert kpi(consultants, "net_promoter_score")["met"] is None

    # Filters: one staff member with their team, one team.
    only = rpc.feedback.kpis({"month": MARCH, "staff": "tina"})
    assert [r["staff"] for r in only["staff"]] == ["tina"] and [t["team"] for t in only["teams"]] == ["ticketing"]
    desk_only = rpc.feedback.kpis({"month": MARCH, "team": "ticketing"})
    assert [r["staff"] for r in desk_only["staff"]] == ["carl", "tina"]
    # A staff member moved to another team is counted there from then on.
    rpc.feedback.set_team("alice", {"team": "ticketing"})
    moved = rpc.feedback.kpis({"month": MARCH, "team": "ticketing"})
    assert [r["staff"] for r in moved["staff"]] == ["alice", "carl", "tina"]
    assert v(figures(moved, team="ticketing"), "booking_error_rate") == ("40.00", "2", "5", False)


def test_bad_queries_are_refused_field_by_field(seeded, rpc):
    for query, bad in (({"month": "2027-13"}, "month"), ({"month": "03/2027"}, "month"), ({}, "month"),
                       ({"month": MARCH, "team": "pilots"}, "team"), ({"month": MARCH, "staff": "x"}, "staff")):
        with pytest.raises(ValidationFailed) as caught:
            rpc.feedback.kpis(query)
        assert bad in caught.value.details
    with pytest.raises(ValidationFailed) as caught:
        rpc.feedback.set_sales_target({"staff": "alice", "month": MARCH, "amount": "-5", "currency": "eur"})
    assert set(caught.value.details) == {"amount", "currency"}
    with pytest.raises(ValidationFailed):
        rpc.feedback.set_team("alice", {"team": "pilots"})
    assert rpc.feedback.sales_targets({"month": MARCH})[0]["amount"] == D("1000.00")


def test_the_reports_and_their_improvement_actions(seeded, rpc):
    period = {"start": "2027-03-01", "end": "2027-03-31"}
    action = rpc.feedback.add_improvement_action({
        "period_start": "2027-03-01", "period_end": "2027-03-31", "topic": "transport",
        "action": "Brief the transfer companies on pick-up times", "owner": "manager1", "due_on": "2027-04-15"})
    rpc.feedback.update_improvement_action(action["id"], {"status": "in_progress"})
    with pytest.raises(NotFound):
        rpc.feedback.update_improvement_action(999, {"status": "done"})
    with pytest.raises(ValidationFailed) as caught:
        rpc.feedback.add_improvement_action({"period_start": "2027-03-31", "period_end": "2027-03-01", "topic": "",
                                             "action": "x", "owner": "manager1", "due_on": "2027-04-15"})
    assert set(caught.value.details) == {"period_end", "topic"}

    report = rpc.feedback.customer_feedback_report(period)
    assert report["answers"] == 6 and report["titles"]["zh"] == "客户反馈报告"
    aspects = {a["aspect"]: a for a in report["aspects"]}
    # transport 4, 2, 5, 1, 5: average 3.40, 3 of 5 = 60.00; accommodation 4, 2: 3.00, 50.00.
    assert (aspects["transport"]["average"], aspects["transport"]["share_4_5"]) == (D("3.40"), D("60.00"))
    assert (aspects["accommodation"]["average"], aspects["accommodation"]["share_4_5"]) == (D("3.00"), D("50.00"))
    assert report["lowest_aspects"] == ["accommodation", "transport"]  # consultant 3.80, itinerary 4.00
    assert {c["comment"] for c in report["comments"]} == {"Lovely guide", "=HYPERLINK(1)"}
    assert report["complaint_categories"] == [{"category": "hotel", "complaints": 3, "resolved": 3},
                                              {"category": "transfer", "complaints": 1, "resolved": 0}]
    assert [(a["topic"], a["status"]) for a in report["actions"]] == [("transport", "in_progress")]
    # Complaint handling rated 5 (c1) and 2 (c3): 3.50, 1 of 2 = 50.00.
    assert report["complaint_handling"] == {"answers": 2, "average": D("3.50"), "share_4_5": D("50.00")}
    csv = rpc.feedback.customer_feedback_report_csv(period)
    assert csv["filename"] == "customer-feedback_2027-03-01_2027-03-31.csv"
    assert "aspect,transport,5,3.40,60.00" in csv["content"] and "'=HYPERLINK(1)" in csv["content"]

    suppliers = rpc.feedback.supplier_evaluation_report(period)
    [hotel] = suppliers["suppliers"]
    # 5 March bookings (b1-b5; the February one is outside), complaints c1 and c3: 40.00 per 100;
    # accommodation 4 and 2: 3.00, 50.00; the hotel answered in 90 and 30 minutes: 60.00.
    assert (hotel["supplier"], hotel["supplier_name"], hotel["bookings"], hotel["complaints"],
            hotel["complaints_per_100_bookings"]) == (seeded["hotel"]["id"], "Hotel Artemide", 5, 2, D("40.00"))
    assert (hotel["scored_answers"], hotel["satisfaction_average"], hotel["satisfaction_share_4_5"]) == \
        (2, D("3.00"), D("50.00"))
    assert (hotel["supplier_answers"], hotel["average_response_minutes"]) == (2, D("60.00"))
    table = rpc.feedback.supplier_evaluation_report_csv(period | {"bom": True})["content"]
    assert table.startswith("\ufeffsupplier,supplier_name,bookings,complaints,complaints_per_100_bookings")
    assert f"{seeded['hotel']['id']},Hotel Artemide,5,2,40.00,2,3.00,50.00,2,60.00\r\n" in table


def test_real_ticketing_says_why_a_line_changed_and_the_error_rate_counts_the_agencys(start_service, nameko_config,
                                                                                      database_url):
    from datetime import timedelta

    from nameko.standalone.rpc import ClusterRpcProxy

    from services.common.db import utcnow
    from tests.service.test_ticketing import DAY, open_flight

    url = database_url("feedback")
    start_service(TicketingService)
    start_service(FeedbackService, DATABASE_URLS={"feedback": url})
    with ClusterRpcProxy(nameko_config, timeout=15, context_data={"actor": "tina"}) as rpc:
        product = open_flight(rpc, capacity=10)
        rpc.ticketing.set_inventory(product, {"start": (DAY + timedelta(1)).isoformat(),
                                              "end": (DAY + timedelta(1)).isoformat(), "capacity": 10,
                                              "net_price": "90.00", "sell_price": "120.00"})
        booked = [rpc.ticketing.confirm_hold(rpc.ticketing.place_hold({"lines": [
            {"product_id": product, "day": DAY.isoformat(), "quantity": 1}]})["id"]) for _ in range(4)]
        changed = rpc.ticketing.change_booking_line(booked[0]["locator"], booked[0]["lines"][0]["id"], {
            "day": (DAY + timedelta(1)).isoformat(), "reason": "agency_error"})
        assert changed["booking"]["lines"][0]["change_reason"] == "agency_error"
        rpc.ticketing.cancel_booking(booked[1]["locator"], None, {"reason": "supplier"})
        rpc.ticketing.cancel_booking(booked[2]["locator"])  # a service's call: customer_request
        assert rpc.ticketing.get_booking(booked[2]["locator"])["lines"][0]["change_reason"] == "customer_request"
        with pytest.raises(ValidationFailed) as caught:
            rpc.ticketing.cancel_booking(booked[3]["locator"], None, {"reason": "bad luck"})
        assert "reason" in caught.value.details
        assert rpc.ticketing.get_booking(booked[3]["locator"])["status"] == "confirmed"  # nothing written
    month = utcnow().strftime("%Y-%m")
    wait_for(lambda: count(url, "kind IN ('booking_change', 'booking_cancel')") == 3, timeout=15,
             message="the changes taken in")
    with ClusterRpcProxy(nameko_config, timeout=15) as rpc:
        tina = figures(rpc.feedback.kpis({"month": month}), staff="tina")
    # 4 bookings, one changed for the agency's error (the supplier's and the customer's are not): 25.00.
    assert (str(kpi(tina, "booking_error_rate")["value"]), kpi(tina, "booking_error_rate")["met"]) == ("25.00", False)


def test_a_change_taken_in_before_its_booking_counts_against_whoever_booked(start_service, rpc, nameko_config,
                                                                            database_url):
    url = database_url("feedback")
    start_service(TicketingService)
    start_service(FeedbackService, DATABASE_URLS={"feedback": url})
    hotel = rpc.ticketing.create_supplier({"name": "Hotel Artemide", "kind": "hotel"})
    room = rpc.ticketing.create_product({"supplier_id": hotel["id"], "supplier_code": "ART-DBL", "kind": "hotel",
                                         "name": "Room", "location": "Rome", "currency": "EUR"})["id"]
    feed, booking_id = Feed(nameko_config), str(uuid.uuid4())
    # Each event has its queue: the change may come first, and carl (who changed it) is all it names.
    feed("ticketing.booking_changed", {"booking_id": booking_id, "locator": "L", "reference": None,
                                       "reason": "agency_error", "old_line": line(1), "new_line": line(2),
                                       "fare_difference": "0.00", "currency": "EUR", "changed_by": "carl"}, at(10))
    wait_for(lambda: count(url, "kind = 'booking_change'") == 1, message="the change taken in")
    booking(feed, booking_id, "tina", room, 3)
    wait_for(lambda: count(url, "kind = 'booking'") == 1, message="the booking taken in")
    report = rpc.feedback.kpis({"month": MARCH})
    assert [r["staff"] for r in report["staff"]] == ["tina"]
    assert shown(kpi(figures(report, staff="tina"), "booking_error_rate")["value"]) == "100.00"


def test_a_cancelled_sale_counts_only_its_fee(start_service, rpc, nameko_config, database_url):
    """Carol signs 1000.00 and 500.00 in March; the first is cancelled in March with a 200.00 fee
    kept: her March sales are 200.00 + 500.00 = 700.00 (70.00 % of a 1000.00 target). A file
    cancelled before it was ever signed was never a sale and changes nothing."""
    url = database_url("feedback")
    start_service(FeedbackService, DATABASE_URLS={"feedback": url})
    feed = Feed(nameko_config)
    first, second, unsigned = (str(uuid.uuid4()) for _ in range(3))
    contract(feed, first, "carol", "1000.00", 2)
    contract(feed, second, "carol", "500.00", 3)
    wait_for(lambda: count(url, "kind = 'contract'") == 2, timeout=15, message="both sales taken in")
    for order_id, fee, day in ((first, "200.00", 10), (unsigned, "0.00", 11)):
        feed("contracts.contract_cancelled", {
            "order_file_id": order_id, "order_number": order_id, "contract_id": order_id, "customer_id": "c1",
            "consultant": "carol", "quote_id": "q", "itinerary_id": "i", "title": "Trip", "start_date": "2027-06-01",
            "end_date": "2027-06-09", "currency": "EUR", "total": "1000.00", "version": 1, "reason": "Visa refused",
            "fee": fee, "refund": "0.00", "days_before_departure": 60}, at(day))
    wait_for(lambda: count(url, "kind = 'contract_cancel'") == 2, timeout=15, message="both cancellations")
    rpc.feedback.set_sales_target({"staff": "carol", "month": MARCH, "amount": "1000.00", "currency": "EUR"})
    attainment = kpi(figures(rpc.feedback.kpis({"month": MARCH}), staff="carol"), "sales_target_attainment")
    assert (shown(attainment["value"]), shown(attainment["numerator"])) == ("70.00", "700.00")
