"""Contracts on the real broker and database, with real CRM and itinerary services: the order
file from an accepted quote through signing, payments, invoices, amendments, cancellation and the
desk's day."""
import base64
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.contracts import wire
from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from tests.conftest import wait_for
from tests.events import assert_honour_contract, outbox_envelopes

pytestmark = pytest.mark.service

START = date.today() + timedelta(days=90)
END = START + timedelta(days=4)


def as_staff(config, *roles, **context):
    return ClusterRpcProxy(config, timeout=15, context_data={
        "correlation_id": "contracts-test", "actor": f"user:{roles[0] if roles else 'staff'}",
        "actor_roles": list(roles), **context})


def rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def passport(expiry: date) -> dict:
    return {"type": "passport", "number": "E12345678", "country": "CN", "expiry": expiry.isoformat()}


@pytest.fixture
def suite(start_service, rpc, database_url):
    url = database_url("contracts")
    start_service(CrmService)
    start_service(ItineraryService)
    start_service(ContractsService, REFUND_APPROVAL_LIMIT="500", DATABASE_URLS={"contracts": url})
    rpc.itinerary.create_markup_rule({"method": "percent", "value": "15"})
    customer = rpc.crm.create_customer({"full_name": "王小明", "email": "wang@example.cn", "preferred_language": "zh",
                                        "date_of_birth": "1985-03-02", "documents": [passport(END + timedelta(days=400))]})
    return {"customer": customer, "url": url}


def accepted_quote(rpc, customer_id: str, start: date = START) -> tuple[dict, dict]:
    trip = rpc.itinerary.create_itinerary({"title": "Paris and Rome", "customer_id": customer_id,
                                           "party": {"adults": 2, "children": []}, "start_date": start.isoformat(),
                                           "days": 5, "currency": "EUR"})
    rpc.itinerary.add_item(trip["id"], 1, {"kind": "hotel", "description": "Hotel Lutetia", "nights": 2,
                                           "supplier_name": "Hotel Lutetia", "unit_cost": "210.00",
                                           "currency": "EUR", "location": "Paris", "quantity": 1})
    rpc.itinerary.add_item(trip["id"], 3, {"kind": "attraction", "description": "Colosseum", "location": "Rome",
                                           "supplier_name": "Roma Guides", "unit_cost": "33.33", "currency": "EUR"})
    quote = rpc.itinerary.issue_quote(trip["id"])
    return trip, rpc.itinerary.accept_quote(trip["id"], quote["version"])


def opened(rpc, trip: dict) -> dict:
    """The order file the quote_accepted event opened."""
    def find():
        page = rpc.contracts.list_order_files({})
        return next((o for o in page["items"] if o["title"] == trip["title"]), None)
    summary = wait_for(find, timeout=15, message="order file opened from quote_accepted")
    return rpc.contracts.get_order_file(summary["id"])


def test_an_accepted_quote_opens_one_order_file_with_its_schedule_and_nothing_repriced(suite, rpc):
    trip, quote = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    assert order["order_number"].startswith(f"OF-{date.today().year}-")
    assert order["status"] == "drafted" and order["language"] == "zh"
    assert Decimal(order["total"]) == Decimal(quote["total"])
    assert order["quote"]["lines"] and order["cancellation_tiers"][0]["days_before"] == 45
    deposit, balance = order["schedule"]
    assert (deposit["kind"], balance["kind"]) == ("deposit", "balance")
    assert Decimal(deposit["amount"]) + Decimal(balance["amount"]) == Decimal(quote["total"])
    assert deposit["amount"] == (Decimal(quote["total"]) * Decimal("0.30")).quantize(Decimal("0.01"))
    assert balance["due_on"] == START - timedelta(days=30)
    [traveller] = order["travellers"]
    assert traveller["full_name"] == "王小明"
    assert traveller["documents"][0]["number"] != "E12345678"  # masked as CRM shows it

    # Opening it on demand finds the same file: one order file per accepted quote.
    again = rpc.contracts.open_order_file({"itinerary_id": trip["id"], "version": quote["version"]})
    assert again["id"] == order["id"]
    assert rows(suite["url"], "SELECT count(*) FROM order_files") == [(1,)]


def test_signing_waits_for_complete_documents_or_a_managers_override(suite, rpc, nameko_config):
    no_papers = rpc.crm.create_customer({"full_name": "Luis Ruiz", "preferred_language": "es"})
    trip, _ = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    rpc.contracts.update_order_file(order["id"], {"travellers": [
        {"customer_id": suite["customer"]["id"]}, {"customer_id": no_papers["id"]}]})
    check = rpc.contracts.check_documents(order["id"])
    assert not check["complete"]
    assert {(m["full_name"], m["field"]) for m in check["missing"]} == {("Luis Ruiz", "passport"),
                                                                       ("Luis Ruiz", "date_of_birth")}
    with pytest.raises(wire.SigningBlocked) as blocked:
        rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    assert "Luis Ruiz" in str(blocked.value)
    with as_staff(nameko_config, "consultant") as consultant, pytest.raises(Forbidden):
        consultant.contracts.override_documents(order["id"], {"reason": "Passport renewal under way"})
    with as_staff(nameko_config, "manager") as manager:
        assert manager.contracts.override_documents(order["id"], {"reason": "Passport renewal under way"})["overridden"]
    signed = rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    assert signed["status"] == "signed"
    v1 = signed["versions"][0]
    assert v1["status"] == "signed" and len(v1["document_sha256"]) == 64
    # A signed version never changes: the same bytes come back, and the draft can no longer be edited.
    first = rpc.contracts.contract_document(order["id"], 1)["content_base64"]
    assert rpc.contracts.contract_document(order["id"], 1)["content_base64"] == first
    with pytest.raises(Conflict):
        rpc.contracts.update_order_file(order["id"], {"special_arrangements": "Late check-in"})


def test_remote_signature_records_the_exact_document_and_the_link_works_once(suite, rpc):
    trip, _ = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    link = rpc.contracts.create_signing_link(order["id"], {"valid_days": 3})
    assert link["url"].endswith(f"/sign/{link['token']}")
    view = rpc.contracts.signing_view(link["token"])
    assert view["order_number"] == order["order_number"] and not view["signed"]
    with pytest.raises(ValidationFailed) as stale:
        rpc.contracts.sign_remotely(link["token"], {"name": "王小明", "document_sha256": "0" * 64, "accept": True})
    assert "document_sha256" in stale.value.details
    done = rpc.contracts.sign_remotely(link["token"], {"name": "王小明", "document_sha256": view["document_sha256"],
                                                      "accept": True}, "203.0.113.7")
    assert done["signed"]
    signed = rpc.contracts.get_order_file(order["id"])["versions"][0]
    assert signed["document_sha256"] == view["document_sha256"]
    assert signed["signature"]["address"] == "203.0.113.7" and signed["signature"]["method"] == "remote"
    with pytest.raises(NotFound):
        rpc.contracts.signing_view(link["token"])


def test_payments_are_exact_once_and_never_more_than_owed(suite, rpc, nameko_config):
    trip, quote = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    total = Decimal(order["total"])
    with pytest.raises(ValidationFailed) as bad:
        rpc.contracts.record_payment(order["id"], {"amount": "10.00", "currency": "USD", "method": "cash",
                                                   "desk": "madrid-1"})
    assert "currency" in bad.value.details
    with pytest.raises(ValidationFailed) as bad:
        rpc.contracts.record_payment(order["id"], {"amount": "-5", "currency": "EUR", "method": "cash",
                                                   "desk": "madrid-1"})
    assert "amount" in bad.value.details
    with pytest.raises(ValidationFailed):
        rpc.contracts.record_payment(order["id"], {"amount": "1.005", "currency": "EUR", "method": "cash",
                                                   "desk": "madrid-1"})
    with pytest.raises(Conflict):
        rpc.contracts.record_payment(order["id"], {"amount": str(total + 1), "currency": "EUR", "method": "card",
                                                   "desk": "madrid-1"})
    deposit = Decimal(order["schedule"][0]["amount"])
    # Unpaid, the deposit (due in 3 days) is overdue 40 days later: in the 31-60 bucket.
    [late] = [o for o in rpc.contracts.overdue_instalments({"as_of": date.today() + timedelta(days=43)})
              if o["order_number"] == order["order_number"]]
    assert (late["kind"], late["outstanding"], late["days_overdue"], late["bucket"]) == ("deposit", deposit, 40, "31-60")
    request_id = uuid.uuid4().hex
    payment = {"amount": str(deposit), "currency": "EUR", "method": "wechat_pay", "desk": "madrid-1",
               "reference": "WX-1"}
    with as_staff(nameko_config, "front_desk", request_id=request_id) as desk:
        first = desk.contracts.record_payment(order["id"], payment)
        again = desk.contracts.record_payment(order["id"], payment)  # a repeated submission
    assert again == first and first["receipt_number"].startswith("R-")
    after = rpc.contracts.get_order_file(order["id"])
    assert Decimal(after["paid"]) == deposit and after["schedule"][0]["status"] == "paid"
    assert not [o for o in rpc.contracts.overdue_instalments({"as_of": date.today() + timedelta(days=43)})
                if o["order_number"] == order["order_number"]]

    # Two payments racing for the balance: one is taken, the other refused; the totals add up.
    balance = {"amount": str(total - deposit), "currency": "EUR", "method": "bank_transfer", "desk": "madrid-1"}
    calls = [rpc.contracts.record_payment.call_async(order["id"], balance) for _ in range(2)]
    outcomes = []
    for call in calls:
        try:
            outcomes.append(call.result())
        except Conflict as exc:
            outcomes.append(exc)
    assert sum(isinstance(o, dict) for o in outcomes) == 1
    final = rpc.contracts.get_order_file(order["id"])
    assert Decimal(final["paid"]) == total and Decimal(final["outstanding"]) == 0
    receipt = rpc.contracts.receipt(first["id"])
    assert receipt["content_type"] == "application/pdf" and receipt["filename"].endswith(".pdf")


def test_invoices_issued_at_once_are_numbered_without_gaps_and_credit_notes_reference_them(suite, rpc):
    trip, _ = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    calls = [rpc.contracts.issue_invoice.call_async(order["id"], {"amount": "10.00"}) for _ in range(6)]
    numbers = sorted(c.result()["number"] for c in calls)
    assert numbers == list(range(numbers[0], numbers[0] + 6)) and numbers[0] == 1
    invoice = rpc.contracts.list_invoices(order["id"])[0]
    with pytest.raises(Conflict):
        rpc.contracts.issue_credit_note(invoice["id"], {"amount": "10.01", "reason": "Too much"})
    note = rpc.contracts.issue_credit_note(invoice["id"], {"amount": "4.00", "reason": "Breakfast not served"})
    assert note["kind"] == "credit_note" and note["corrects"] == invoice["display_number"]
    assert Decimal(note["total"]) == Decimal("-4.00")
    fiscal = rpc.contracts.set_fiscal_number(invoice["id"], {"fiscal_number": "044001900111-12345678"})
    assert fiscal["fiscal_number"] == "044001900111-12345678"
    with pytest.raises(Conflict):
        rpc.contracts.set_fiscal_number(invoice["id"], {"fiscal_number": "another"})
    assert Decimal(rpc.contracts.get_order_file(order["id"])["invoiced"]) == Decimal("56.00")


def test_an_amendment_is_signed_only_after_every_supplier_confirmed_and_moves_the_schedule(suite, rpc):
    trip, _ = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    new_total = Decimal(order["total"]) + Decimal("120.50")
    amended = rpc.contracts.amend_contract(order["id"], {
        "reason": "customer_request", "changes": "One more night at Hotel Lutetia", "total": str(new_total),
        "affected_suppliers": ["Hotel Lutetia", "Roma Guides"]})
    assert amended["current_version"] == 2
    with pytest.raises(wire.SigningBlocked) as blocked:
        rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    assert {m["supplier"] for m in blocked.value.details["missing"]} == {"Hotel Lutetia", "Roma Guides"}
    rpc.contracts.confirm_supplier(order["id"], 2, {"supplier": "Hotel Lutetia", "confirmed_by": "Mme Roux",
                                                    "reference": "LUT-889"})
    with pytest.raises(wire.SigningBlocked) as blocked:
        rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    assert [m["supplier"] for m in blocked.value.details["missing"]] == ["Roma Guides"]
    rpc.contracts.confirm_supplier(order["id"], 2, {"supplier": "roma guides", "confirmed_by": "Marco",
                                                    "reference": "RG-12"})
    signed = rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    assert [v["status"] for v in signed["versions"]] == ["signed", "signed"]
    assert Decimal(signed["total"]) == new_total
    assert sum(Decimal(s["amount"]) for s in signed["schedule"]) == new_total


def test_cancellation_takes_the_tier_fee_credits_the_invoice_and_refunds_with_approval(suite, rpc, nameko_config):
    trip, _ = accepted_quote(rpc, suite["customer"]["id"], start=date.today() + timedelta(days=20))
    order = opened(rpc, trip)
    total = Decimal(order["total"])
    rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    rpc.contracts.record_payment(order["id"], {"amount": str(total), "currency": "EUR", "method": "card",
                                               "desk": "madrid-1"})
    invoice = rpc.contracts.issue_invoice(order["id"], {})
    assert Decimal(invoice["total"]) == total
    cancelled = rpc.contracts.cancel_order_file(order["id"], {"reason": "Family emergency"})
    fee = (total * Decimal("0.25")).quantize(Decimal("0.01"))  # 20 days before: the 30-day tier, 25 %
    assert cancelled["status"] == "cancelled"
    assert Decimal(cancelled["cancellation"]["fee"]) == fee
    assert Decimal(cancelled["cancellation"]["refund"]) == total - fee
    assert Decimal(cancelled["invoiced"]) == fee  # the credit note took back the rest
    with pytest.raises(Conflict):
        rpc.contracts.record_payment(order["id"], {"amount": "1.00", "currency": "EUR", "method": "cash",
                                                   "desk": "madrid-1"})
    [refund] = rpc.contracts.list_refunds(order["id"])
    assert refund["status"] == "pending_approval" and refund["needs_manager"] == (total - fee > 500)
    with as_staff(nameko_config, "finance") as finance:
        if refund["needs_manager"]:
            with pytest.raises(Forbidden):
                finance.contracts.approve_refund(refund["id"])
    with as_staff(nameko_config, "manager") as manager:
        manager.contracts.approve_refund(refund["id"])
        paid_back = manager.contracts.pay_refund(refund["id"], {"method": "card", "desk": "madrid-1"})
    assert Decimal(paid_back["amount"]) == fee - total
    final = rpc.contracts.get_order_file(order["id"])
    assert Decimal(final["paid"]) == fee and Decimal(final["refunded"]) == total - fee


def test_a_closed_day_takes_no_payment_and_its_totals_are_the_days_payments(suite, rpc):
    trip, _ = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    for amount, method in (("100.00", "cash"), ("50.25", "cash"), ("20.00", "alipay")):
        rpc.contracts.record_payment(order["id"], {"amount": amount, "currency": "EUR", "method": method,
                                                   "desk": "beijing-2"})
    closed = rpc.contracts.close_day({"desk": "beijing-2"})
    assert closed["status"] == "closed" and closed["payments"] == 3
    assert closed["totals"]["EUR"]["cash"] == {"count": 2, "amount": "150.25"}
    assert closed["totals"]["EUR"]["total"] == "170.25"
    with pytest.raises(Conflict):
        rpc.contracts.record_payment(order["id"], {"amount": "1.00", "currency": "EUR", "method": "cash",
                                                   "desk": "beijing-2"})
    with pytest.raises(Conflict):
        rpc.contracts.close_day({"desk": "beijing-2"})
    confirmed = rpc.contracts.confirm_day({"desk": "beijing-2"})
    assert confirmed["status"] == "confirmed" and confirmed["confirmed_by"]


def test_every_declared_event_honours_its_contract(suite, rpc):
    """The flows above emit each declared event; each envelope matches its payload schema."""
    trip, _ = accepted_quote(rpc, suite["customer"]["id"], start=date.today() + timedelta(days=20))
    order = opened(rpc, trip)
    rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    rpc.contracts.amend_contract(order["id"], {"reason": "agency_error", "changes": "Wrong hotel name",
                                               "total": order["total"], "affected_suppliers": []})
    rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    rpc.contracts.record_payment(order["id"], {"amount": "100.00", "currency": "EUR", "method": "cash",
                                               "desk": "d"})
    rpc.contracts.issue_invoice(order["id"], {"amount": "100.00"})
    rpc.contracts.cancel_order_file(order["id"], {"reason": "Changed plans"})
    rpc.contracts.close_day({"desk": "d"})
    assert_honour_contract(outbox_envelopes(suite["url"]), wire.EVENTS, all_emitted=False)


def statement_csv(rows: list[tuple[str, str, str]]) -> str:
    """Our CSV layout (docs/statements.md): one line per (booked_on, amount, reference)."""
    lines = ["booked_on;value_on;amount;currency;reference;counterparty;bank_reference"]
    lines += [f"{day};{day};{amount};EUR;{ref};Wang Xiaoming;B-{i}" for i, (day, amount, ref) in enumerate(rows, 1)]
    return "\n".join(lines) + "\n"


def test_a_statement_is_matched_to_transfers_once_even_imported_twice_at_once(suite, rpc):
    trip, _ = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    today = date.today().isoformat()
    first = rpc.contracts.record_payment(order["id"], {"amount": "300.00", "currency": "EUR",
                                                       "method": "bank_transfer", "desk": "bank"})
    second = rpc.contracts.record_payment(order["id"], {"amount": "45.10", "currency": "EUR",
                                                        "method": "bank_transfer", "desk": "bank",
                                                        "reference": "TRF-88"})
    content = statement_csv([(today, "300.00", f"Deposit {order['order_number']}"),
                             (today, "99.99", "Unknown payer"), (today, "-12.00", "Bank fee")])
    body = {"format": "csv", "content_base64": base64.b64encode(content.encode()).decode()}
    calls = [rpc.contracts.import_statement.call_async(body) for _ in range(2)]
    answers = [c.result() for c in calls]
    assert answers[0]["id"] == answers[1]["id"] and sorted(a["already_imported"] for a in answers) == [False, True]
    statement = rpc.contracts.get_statement(answers[0]["id"])
    by_no = {line["line_no"]: line for line in statement["lines"]}
    assert by_no[1]["payment_id"] == first["id"] and by_no[1]["match_rule"] == "order_number"
    assert by_no[2]["payment_id"] is None and by_no[3]["payment_id"] is None
    assert [p["id"] for p in statement["unmatched_payments"]] == [second["id"]]
    assert rows(suite["url"], "SELECT count(*) FROM bank_statements") == [(1,)]
    assert rows(suite["url"], "SELECT count(*) FROM bank_lines") == [(3,)]

    with pytest.raises(ValidationFailed):  # the amounts differ
        rpc.contracts.match_statement_line(statement["id"], 2, {"payment_id": second["id"]})
    with pytest.raises(Conflict):
        rpc.contracts.confirm_statement_line(statement["id"], 2)
    confirmed = rpc.contracts.confirm_statement_line(statement["id"], 1)
    assert [line["confirmed"] for line in confirmed["lines"]] == [True, False, False]
    assert [p["reconciled"] for p in rpc.contracts.list_payments(order["id"])] == [True, False]
    with pytest.raises(ValidationFailed) as bad:
        rpc.contracts.import_statement({"format": "camt053", "content_base64": body["content_base64"]})
    assert bad.value.details


def test_an_amendment_below_what_was_paid_opens_a_refund_to_approve(suite, rpc):
    trip, _ = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    deposit = order["schedule"][0]["amount"]
    rpc.contracts.record_payment(order["id"], {"amount": str(deposit), "currency": "EUR", "method": "card",
                                               "desk": "madrid-1"})
    lower = (deposit - Decimal("40.00"))
    rpc.contracts.amend_contract(order["id"], {"reason": "supplier_change", "changes": "The hotel closed: a cheaper one",
                                               "total": str(lower), "affected_suppliers": []})
    signed = rpc.contracts.sign_in_person(order["id"], {"signed_by": "王小明"})
    assert signed["total"] == lower and sum(s["amount"] for s in signed["schedule"]) == lower
    [refund] = rpc.contracts.list_refunds(order["id"])
    assert refund["amount"] == Decimal("40.00") and refund["status"] == "pending_approval"
    assert not refund["needs_manager"]  # under the 500 limit: finance may approve it
