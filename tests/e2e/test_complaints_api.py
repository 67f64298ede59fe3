"""Complaints through the gateway with the real services: the hotel case of issue 13 — a customer
complains during the trip about the Paris hotel's service; the consultant calls at once (the first
response on time), asks the hotel's manager, records its answer and its compensation, gives the
customer a voucher, resolves it, and the customer rates it 5. Their next quote is issued with the
voucher (its value deducted, on the quote sheet too) and accepted: the voucher is redeemed, and a
second use is refused. Bad input (a compensation in another currency, resolving without saying how)
gets 422 and writes nothing."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.feedback.service import FeedbackService
from services.itinerary.service import ItineraryService
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e

START = date.today() + timedelta(days=30)


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.get_json(silent=True))
    return response.get_json(silent=True)


@pytest.fixture
def desk(run_services, client, staff_client):
    run_services(CrmService, ItineraryService, ContractsService, FeedbackService)
    staff = {r: staff_client(r) for r in ("consultant", "front_desk", "ticketing", "finance", "manager")}
    ok(staff["manager"].post("/api/v1/markup-rules", json={"method": "percent", "value": "15"}), 201)
    customer = ok(staff["front_desk"].post("/api/v1/customers", json={
        "full_name": "王小明", "email": "wang@example.cn", "preferred_language": "zh"}), 201)
    return {**staff, "customer": customer}


def quoted_trip(desk, title: str, voucher_code: str | None = None):
    """A Paris stay for the customer (a hotel entered by hand), and the answer to issuing its quote."""
    consultant = desk["consultant"]
    plan = ok(consultant.post("/api/v1/itineraries", json={
        "title": title, "customer_id": desk["customer"]["id"], "party": {"adults": 2},
        "start_date": START.isoformat(), "days": 4, "currency": "EUR"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{plan['id']}/days/1/items", json={
        "kind": "hotel", "description": "Hôtel du Louvre double", "supplier_name": "Hôtel du Louvre", "nights": 3,
        "quantity": 1, "unit_cost": "200.00", "currency": "EUR", "location": "Paris"}), 201)
    body = {"voucher_code": voucher_code} if voucher_code else {}
    return plan, consultant.post(f"/api/v1/itineraries/{plan['id']}/quotes", json=body)


def test_the_hotel_complaint_from_the_call_to_the_voucher_redeemed_on_the_next_quote(desk):
    consultant, customer = desk["consultant"], desk["customer"]
    plan, issued = quoted_trip(desk, "Paris, first stay")
    quote = ok(issued, 201)
    ok(consultant.post(f"/api/v1/itineraries/{plan['id']}/quotes/{quote['version']}/accept", json={}))
    order = wait_for(lambda: next(iter(ok(consultant.get(
        f"/api/v1/order-files?customer_id={customer['id']}"))["items"]), None), timeout=15,
        message="the order file opened from the accepted quote")

    complaint = ok(consultant.post("/api/v1/complaints", json={
        "customer_id": customer["id"], "order_file_id": order["id"], "supplier_name": "Hôtel du Louvre",
        "channel": "during_trip", "category": "hotel_service", "severity": "high", "team": "consultants",
        "summary": "The room was not cleaned for two days and reception was rude."}), 201)
    cid = complaint["id"]
    assert (complaint["currency"], complaint["order_number"]) == ("EUR", order["order_number"])
    assert [c["state"] for c in complaint["clocks"]] == ["running", "running"]
    assert 11 * 3600 < complaint["clocks"][0]["seconds_left"] <= 12 * 3600  # high: 12 h to respond

    def step(body, status=201):
        return ok(consultant.post(f"/api/v1/complaints/{cid}/steps", json=body), status)
    step({"kind": "customer_contacted", "text": "Called Mr Wang at once and apologised."})
    step({"kind": "supplier_contacted", "text": "Asked the hotel manager what happened, and for a compensation."})
    step({"kind": "supplier_answered", "text": "Housekeeping missed the room; the manager apologises."})
    step({"kind": "supplier_compensation", "value": "80.00", "currency": "EUR", "text": "One night refunded"})

    # Bad input: a compensation in another currency, resolving without a resolution; nothing written.
    refused = ok(consultant.post(f"/api/v1/complaints/{cid}/steps", json={
        "kind": "agency_compensation", "compensation": "voucher", "value": "50.00", "currency": "USD"}), 422)
    assert "EUR" in refused["errors"]["currency"][0], refused
    refused = ok(consultant.post(f"/api/v1/complaints/{cid}/resolve", json={}), 422)
    assert "resolution" in refused["errors"], refused
    unchanged = ok(consultant.get(f"/api/v1/complaints/{cid}"))
    assert (unchanged["status"], len(unchanged["steps"])) == ("open", 4)
    assert ok(consultant.get(f"/api/v1/customers/{customer['id']}/vouchers")) == []

    given = step({"kind": "agency_compensation", "compensation": "voucher", "value": "50.00", "currency": "EUR",
                  "text": "A voucher for the next trip"})
    code = given["steps"][-1]["voucher_code"]
    voucher = ok(consultant.get(f"/api/v1/vouchers/{code}"))
    assert (voucher["status"], voucher["value"], voucher["customer_id"]) == ("issued", "50.00", customer["id"])

    resolved = ok(consultant.post(f"/api/v1/complaints/{cid}/resolve", json={
        "resolution": "Apologised, the hotel refunded a night, a 50 EUR voucher for the next trip."}))
    rated = ok(consultant.post(f"/api/v1/complaints/{cid}/rate", json={"satisfaction": 5}))
    assert (rated["status"], rated["satisfaction"]) == ("resolved", 5)
    assert [(c["clock"], c["state"]) for c in resolved["clocks"]] == [("first_response", "met"),
                                                                       ("resolution", "met")]
    assert [s["kind"] for s in rated["steps"]] == [
        "customer_contacted", "supplier_contacted", "supplier_answered", "supplier_compensation",
        "agency_compensation", "resolved", "rated"]
    assert all(s["by"] == rated["handler"] and s["at"] for s in rated["steps"])
    listed = ok(desk["manager"].get(f"/api/v1/complaints?customer_id={customer['id']}&status=resolved"))
    assert [c["id"] for c in listed["items"]] == [cid]

    # The next trip: quoted with the voucher, its value deducted; redeemed only when accepted.
    plain_plan, plain = quoted_trip(desk, "Paris, second stay (without the voucher)")
    next_plan, with_voucher = quoted_trip(desk, "Paris, second stay", voucher_code=code.lower())
    without, deducted = ok(plain, 201), ok(with_voucher, 201)
    assert Decimal(deducted["total"]) == Decimal(without["total"]) - Decimal("50.00")
    assert {"code": "voucher", "label": f"Voucher {code}", "amount": "-50.00"} in [
        {**fee, "amount": str(Decimal(fee["amount"]))} for fee in deducted["snapshot"]["fees"]]
    sheet = consultant.get(f"/api/v1/itineraries/{next_plan['id']}/quotes/1/sheet.pdf")
    assert sheet.status_code == 200
    assert f"Voucher {code}" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.data)).pages)
    assert ok(consultant.get(f"/api/v1/vouchers/{code}"))["status"] == "issued"

    ok(consultant.post(f"/api/v1/itineraries/{next_plan['id']}/quotes/1/accept", json={}))
    redeemed = ok(consultant.get(f"/api/v1/vouchers/{code}"))
    assert (redeemed["status"], redeemed["quote_id"]) == ("redeemed", deducted["id"])

    # A second use: refused when quoting, and when accepting a quote issued before the first use.
    ok(quoted_trip(desk, "Paris, third stay", voucher_code=code)[1], 409)
    ok(consultant.post(f"/api/v1/itineraries/{plain_plan['id']}/quotes/1/accept", json={}))  # no voucher: fine


def test_a_voucher_quoted_twice_is_redeemed_by_the_first_acceptance_only(desk):
    consultant, customer = desk["consultant"], desk["customer"]
    stranger = ok(consultant.post("/api/v1/complaints", json={
        "customer_id": "no-such-customer", "channel": "desk", "category": "flight_delay", "currency": "EUR",
        "summary": "Missed the flight after a delay."}), 422)
    assert "customer_id" in stranger["errors"], stranger
    unknown = ok(quoted_trip(desk, "Paris, unknown voucher", voucher_code="V-AAAA-BBBB")[1], 422)
    assert "voucher_code" in unknown["errors"], unknown
    assert ok(consultant.get("/api/v1/complaints"))["total"] == 0
    complaint = ok(consultant.post("/api/v1/complaints", json={
        "customer_id": customer["id"], "channel": "desk", "category": "flight_delay", "currency": "EUR",
        "summary": "Missed the flight after a delay."}), 201)
    given = ok(consultant.post(f"/api/v1/complaints/{complaint['id']}/steps", json={
        "kind": "agency_compensation", "compensation": "voucher", "value": "30.00", "currency": "EUR"}), 201)
    code = given["steps"][-1]["voucher_code"]
    first, _ = quoted_trip(desk, "Paris A", voucher_code=code)
    second, _ = quoted_trip(desk, "Paris B", voucher_code=code)
    ok(consultant.post(f"/api/v1/itineraries/{first['id']}/quotes/1/accept", json={}))
    ok(consultant.post(f"/api/v1/itineraries/{second['id']}/quotes/1/accept", json={}), 409)
    assert ok(consultant.get(f"/api/v1/itineraries/{second['id']}/quotes/1"))["status"] == "issued"


def test_a_refund_given_for_a_complaint_is_opened_on_the_order_file_for_approval(desk):
    consultant, customer = desk["consultant"], desk["customer"]
    plan, issued = quoted_trip(desk, "Paris, refunded")
    ok(consultant.post(f"/api/v1/itineraries/{plan['id']}/quotes/{ok(issued, 201)['version']}/accept", json={}))
    order = wait_for(lambda: next(iter(ok(consultant.get(
        f"/api/v1/order-files?customer_id={customer['id']}"))["items"]), None), timeout=15, message="the order file")
    ok(desk["front_desk"].post(f"/api/v1/order-files/{order['id']}/payments", json={
        "amount": "100.00", "currency": "EUR", "method": "card", "desk": "front"}), 201)
    complaint = ok(consultant.post("/api/v1/complaints", json={
        "customer_id": customer["id"], "order_file_id": order["id"], "channel": "email", "category": "hotel_service",
        "summary": "No hot water for the whole stay."}), 201)
    url = f"/api/v1/complaints/{complaint['id']}/steps"

    too_much = ok(consultant.post(url, json={"kind": "agency_compensation", "compensation": "refund",
                                             "value": "500.00", "currency": "EUR"}), 409)
    assert "refundable" in too_much.get("details", too_much) or "paid" in too_much["detail"], too_much
    assert ok(consultant.get(f"/api/v1/complaints/{complaint['id']}"))["steps"] == []

    refunded = ok(consultant.post(url, json={"kind": "agency_compensation", "compensation": "refund",
                                             "value": "40.00", "currency": "EUR", "text": "A night's hot water"}), 201)
    [step] = refunded["steps"]
    [refund] = ok(desk["finance"].get(f"/api/v1/order-files/{order['id']}/refunds"))
    assert (step["refund_id"], refund["amount"], refund["status"]) == (refund["id"], "40.00", "pending_approval")
    assert refund["reason"].startswith(f"Complaint {complaint['id']}")
