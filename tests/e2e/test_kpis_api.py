"""KPIs, sales targets, teams, the two feedback reports and their improvement actions at the gateway,
through RPC over the real RabbitMQ to real feedback and ticketing containers. A booking the desk
changes or cancels through the gateway must say why, and the booking error rate counts the agency's."""
import csv
import io
from datetime import timedelta

import pytest

from services.common.db import utcnow
from services.feedback.service import FeedbackService
from services.ticketing.service import TicketingService
from tests.conftest import wait_for
from tests.e2e.test_ticketing_reports import book, created, open_product
from tests.service.test_feedback_kpis import FEB, MARCH, Feed, contract, survey

pytestmark = pytest.mark.e2e


@pytest.fixture
def config(suite_config, run_services):
    run_services(TicketingService, FeedbackService)
    return suite_config


def kpi(group, name):
    return next(k for k in group["kpis"] if k["kpi"] == name)


def test_managers_read_the_kpis_set_targets_and_teams_and_get_the_reports(config, client, staff_client):
    manager, finance, consultant = staff_client("manager"), staff_client("finance"), staff_client("consultant")
    feed = Feed(config)
    contract(feed, "OF-1", "alice", "1000.00", 10, FEB)
    contract(feed, "OF-2", "alice", "1250.00", 10)
    survey(feed, "s1", "alice", 5, 4, 10, comment="Gracias")
    survey(feed, "s2", "alice", 3, 2, 5)

    # Who may: managers everything, finance reads the figures, a consultant nothing.
    assert consultant.get(f"/api/v1/kpis?month={MARCH}").status_code == 403
    assert finance.put("/api/v1/sales-targets", json={"staff": "alice", "month": MARCH, "amount": "1000.00",
                                                      "currency": "EUR"}).status_code == 403
    target = created(manager.put("/api/v1/sales-targets", json={"staff": "alice", "month": MARCH,
                                                                "amount": "1000.00", "currency": "EUR"}))
    assert (target["amount"], target["updated_by"]) == ("1000.00", "user:user0-manager")  # who set it
    assert created(finance.get(f"/api/v1/sales-targets?month={MARCH}"))[0]["staff"] == "alice"

    def alice():
        rows = created(finance.get(f"/api/v1/kpis?month={MARCH}"))["staff"]
        found = next((r for r in rows if r["staff"] == "alice"), None)
        return found if found and kpi(found, "customer_satisfaction")["denominator"] == "2" else None

    row = wait_for(alice, timeout=15, message="the contracts and answers taken in")
    # 1250.00 against 1000.00 in February: +25.00 %; 125.00 % of the target; 1 of 2 answers scored 4-5.
    assert (kpi(row, "sales_growth")["value"], kpi(row, "sales_growth")["met"]) == ("25.00", True)
    assert kpi(row, "sales_target_attainment")["value"] == "125.00"
    assert (kpi(row, "customer_satisfaction")["value"], kpi(row, "customer_satisfaction")["met"]) == ("50.00", False)
    assert kpi(row, "net_promoter_score")["value"] == "0.00"  # one promoter, one detractor

    # Bad input: 422 per field, nothing written.
    for query, field in (("month=2027-13", "month"), ("month=", "month"), (f"month={MARCH}&team=pilots", "team")):
        response = finance.get(f"/api/v1/kpis?{query}")
        assert response.status_code == 422 and field in response.json["errors"], response.json
    refused = manager.put("/api/v1/sales-targets", json={"staff": "alice", "month": "03-2027", "amount": "0",
                                                         "currency": "EUR"})
    assert refused.status_code == 422 and {"month", "amount"} <= set(refused.json["errors"])
    assert manager.put("/api/v1/staff-teams/alice", json={"team": "pilots"}).status_code == 422
    assert created(manager.put("/api/v1/staff-teams/alice", json={"team": "consultants"}))["team"] == "consultants"

    # The customer feedback report with an improvement action, as JSON and CSV.
    period = "start=2027-03-01&end=2027-03-31"
    made = manager.post("/api/v1/improvement-actions", json={
        "period_start": "2027-03-01", "period_end": "2027-03-31", "topic": "transport",
        "action": "Check the transfer company's drivers", "owner": "manager1", "due_on": "2027-04-30"})
    assert made.status_code == 201 and made.headers["Location"] == f"/api/v1/improvement-actions/{made.json['id']}"
    done = created(manager.patch(f"/api/v1/improvement-actions/{made.json['id']}", json={"status": "done"}))
    assert done["status"] == "done"
    assert manager.patch("/api/v1/improvement-actions/999", json={"status": "done"}).status_code == 404
    report = created(manager.get(f"/api/v1/reports/customer-feedback?{period}"))
    assert report["answers"] == 2 and report["titles"]["es"] == "Informe de opinión de clientes"
    assert report["lowest_aspects"][0] == "transport"  # 4 and 2: 3.00
    assert [a["status"] for a in report["actions"]] == ["done"]
    download = manager.get(f"/api/v1/reports/customer-feedback.csv?{period}")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.data.decode("utf-8"))))
    assert {(r["section"], r["topic"]) for r in rows} >= {("aspect", "transport"), ("action", "transport")}
    assert manager.get("/api/v1/reports/customer-feedback?start=2027-03-31&end=2027-03-01").status_code == 422
    assert finance.get(f"/api/v1/reports/supplier-evaluation?{period}").status_code == 403


def test_the_desk_says_why_a_booking_changed_and_the_error_rate_counts_it(config, client, staff_client):
    desk = staff_client("ticketing")
    day = utcnow().date() + timedelta(days=30)
    supplier = created(desk.post("/api/v1/suppliers", json={"name": "Air China", "kind": "airline"}))
    product = open_product(desk, supplier, "CA101", "CA101 PEK-SHA", "PEK-SHA", "CNY", day, "800.00", "1000.00")
    created(desk.put(f"/api/v1/products/{product['id']}/inventory", json={
        "start": (day + timedelta(1)).isoformat(), "end": (day + timedelta(1)).isoformat(), "capacity": 10,
        "net_price": "800.00", "sell_price": "1000.00"}))
    first, second = book(desk, product, day, 1), book(desk, product, day, 1)
    line = first["lines"][0]["id"]
    url = f"/api/v1/bookings/{first['locator']}/lines/{line}/change"
    missing = desk.post(url, json={"day": (day + timedelta(1)).isoformat()})
    assert missing.status_code == 422 and "reason" in missing.json["errors"]
    assert desk.post(f"/api/v1/bookings/{second['locator']}/cancel", json={}).status_code == 422
    assert created(desk.get(f"/api/v1/bookings/{second['locator']}"))["status"] == "confirmed"  # nothing written
    changed = created(desk.post(url, json={"day": (day + timedelta(1)).isoformat(), "reason": "agency_error"}))
    assert changed["booking"]["lines"][0]["change_reason"] == "agency_error"
    created(desk.post(f"/api/v1/bookings/{second['locator']}/cancel", json={"reason": "customer_request"}))

    booker = first["created_by"].removeprefix("user:")  # the KPIs name staff by username
    month = utcnow().strftime("%Y-%m")

    def rate():
        rows = created(client.get(f"/api/v1/kpis?month={month}&team=ticketing"))["staff"]
        row = next((r for r in rows if r["staff"] == booker), None)
        return row and kpi(row, "booking_error_rate")["denominator"] == "2" and kpi(row, "booking_error_rate")

    found = wait_for(lambda: rate() if rate() and rate()["numerator"] == "1" else None, timeout=15,
                     message="the bookings and the change taken in")
    assert (found["value"], found["met"], found["target"]) == ("50.00", False, "<= 2")
