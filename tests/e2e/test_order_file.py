"""The order file through the gateway, end to end with the real services: a quote accepted ->
contract drafted -> documents checked -> signed remotely through the link -> deposit paid ->
receipt and invoice PDFs -> amendment blocked until the hotel confirms, then signed -> the customer
cancels 20 days before departure -> fee from the tier, credit note, refund -> the day closed and a
camt.053 statement reconciled, every total exact to the cent."""
import base64
import hashlib
import io
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService

pytestmark = pytest.mark.e2e

CENT = Decimal("0.01")
START = date.today() + timedelta(days=20)


@pytest.fixture
def suite_config(suite_on_backend):
    return suite_on_backend


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.get_json(silent=True))
    return response.get_json(silent=True)


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def camt053(order_number: str, deposit: Decimal, refund: Decimal, day: date) -> bytes:
    """The bank's day: the deposit in (quoting the order number), the refund out, a bank fee."""
    opening = Decimal("10000.00")
    closing = opening + deposit - refund - Decimal("3.50")

    def entry(n, amount, sign, ref, party):
        role = "Dbtr" if sign == "CRDT" else "Cdtr"
        return f"""<Ntry><NtryRef>{n}</NtryRef><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>
          <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>
          <AcctSvcrRef>BANK-{n}</AcctSvcrRef><NtryDtls><TxDtls><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>
          <RltdPties><{role}><Pty><Nm>{party}</Nm></Pty></{role}></RltdPties><RmtInf><Ustrd>{ref}</Ustrd></RmtInf>
          </TxDtls></NtryDtls></Ntry>"""

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
  <GrpHdr><MsgId>STMT-{day}</MsgId><CreDtTm>{day}T22:00:00+01:00</CreDtTm></GrpHdr>
  <Stmt><Id>S-{day}</Id><CreDtTm>{day}T22:00:00+01:00</CreDtTm>
    <Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy></Acct>
    <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <Dt><Dt>{day}</Dt></Dt></Bal>
    <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <Dt><Dt>{day}</Dt></Dt></Bal>
    {entry(1, deposit, "CRDT", f"Deposit {order_number} Wang", "WANG XIAOMING")}
    {entry(2, refund, "DBIT", f"Refund {order_number}", "WANG XIAOMING")}
    {entry(3, Decimal("3.50"), "DBIT", "Commission", "BANCO")}
  </Stmt></BkToCstmrStmt></Document>""".encode()


def test_from_an_accepted_quote_to_a_reconciled_bank_day(run_services, client, staff_client, anonymous):
    run_services(CrmService, ItineraryService, ContractsService)
    consultant, desk, finance, manager = (staff_client(r) for r in ("consultant", "front_desk", "finance", "manager"))

    # The agency's terms: 30 % deposit, balance 7 days before departure; the standard cancellation tiers.
    settings = ok(manager.get("/api/v1/pricing-settings"))
    terms = {**settings["terms"], "payment": {"deposit_percent": "30", "deposit_due_days": 3,
                                              "balance_due_days_before_departure": 7}}
    ok(manager.put("/api/v1/pricing-settings", json={**{k: v for k, v in settings.items()
                                                        if k not in ("updated_at", "updated_by")}, "terms": terms}))
    ok(manager.post("/api/v1/markup-rules", json={"method": "percent", "value": "15"}), 201)
    customer = ok(desk.post("/api/v1/customers", json={
        "full_name": "王小明", "email": "wang@example.cn", "preferred_language": "zh", "date_of_birth": "1985-03-02",
        "documents": [{"type": "passport", "number": "E12345678", "country": "CN",
                       "expiry": (START + timedelta(days=400)).isoformat()}]}), 201)

    # A quote accepted: the order file opens by itself, its contract drafted.
    trip = ok(consultant.post("/api/v1/itineraries", json={
        "title": "巴黎 - 罗马 五日游", "customer_id": customer["id"], "party": {"adults": 1},
        "start_date": START.isoformat(), "days": 5, "currency": "EUR"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/days/1/items", json={
        "kind": "hotel", "description": "Hotel Lutetia", "supplier_name": "Hotel Lutetia", "nights": 2,
        "unit_cost": "210.00", "currency": "EUR", "location": "Paris"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/days/3/items", json={
        "kind": "attraction", "description": "Colosseum", "supplier_name": "Roma Guides", "unit_cost": "33.33",
        "currency": "EUR", "location": "Rome"}), 201)
    quote = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes/{quote['version']}/accept", json={}))
    deadline = time.monotonic() + 15
    while not (page := ok(desk.get(f"/api/v1/order-files?customer_id={customer['id']}")))["items"]:
        assert time.monotonic() < deadline, "no order file opened from the accepted quote"
        time.sleep(0.1)
    order_id = page["items"][0]["id"]
    order = ok(desk.get(f"/api/v1/order-files/{order_id}"))
    number, total = order["order_number"], Decimal(order["total"])
    assert total == Decimal(quote["total"]) and order["status"] == "drafted"
    deposit = Decimal(order["schedule"][0]["amount"])
    assert deposit == (total * Decimal("0.30")).quantize(CENT)
    assert sum(Decimal(s["amount"]) for s in order["schedule"]) == total

    # Documents checked; the contract in Chinese names the traveller, masked passport and all.
    assert ok(consultant.get(f"/api/v1/order-files/{order_id}/document-check"))["complete"]
    contract = pdf_text(consultant.get(f"/api/v1/order-files/{order_id}/contract.pdf"))
    assert "王小明" in contract and number in contract and "E12345678" not in contract

    # Signed remotely through the one-time link: the SHA-256 of the exact PDF shown is recorded.
    link = ok(consultant.post(f"/api/v1/order-files/{order_id}/signing-link", json={"valid_days": 3}), 201)
    view = ok(anonymous.get(f"/api/v1/signing/{link['token']}"))
    shown = anonymous.get(f"/api/v1/signing/{link['token']}/contract.pdf").data
    assert hashlib.sha256(shown).hexdigest() == view["document_sha256"]
    ok(anonymous.post(f"/api/v1/signing/{link['token']}", json={
        "name": "王小明", "document_sha256": view["document_sha256"], "accept": True}))
    assert ok(anonymous.get(f"/api/v1/signing/{link['token']}"), 404) is not None
    signed = ok(desk.get(f"/api/v1/order-files/{order_id}"))
    assert signed["status"] == "signed" and signed["versions"][0]["document_sha256"] == view["document_sha256"]

    # The deposit paid by transfer at the desk: once, whatever the repeats; a receipt and an invoice.
    payment_body = {"amount": str(deposit), "currency": "EUR", "method": "bank_transfer", "desk": "madrid-1"}
    paid = ok(desk.post(f"/api/v1/order-files/{order_id}/payments", json=payment_body,
                        headers={"Idempotency-Key": "deposit-1"}), 201)
    again = ok(desk.post(f"/api/v1/order-files/{order_id}/payments", json=payment_body,
                         headers={"Idempotency-Key": "deposit-1"}), 201)
    assert again["id"] == paid["id"]
    assert len(ok(desk.get(f"/api/v1/order-files/{order_id}/payments"))) == 1
    receipt = pdf_text(desk.get(f"/api/v1/payments/{paid['id']}/receipt.pdf"))
    assert paid["receipt_number"] in receipt
    ok(desk.post(f"/api/v1/order-files/{order_id}/invoices", json={"amount": str(deposit)}), 403)
    invoice = ok(finance.post(f"/api/v1/order-files/{order_id}/invoices", json={"amount": str(deposit)}), 201)
    assert Decimal(invoice["total"]) == deposit
    assert invoice["display_number"] in pdf_text(finance.get(f"/api/v1/invoices/{invoice['id']}/document.pdf"))

    # An amendment waits for the hotel's confirmation, then is signed; the schedule takes the difference.
    raised = total + Decimal("95.00")
    ok(consultant.post(f"/api/v1/order-files/{order_id}/amendments", json={
        "reason": "customer_request", "changes": "A third night at Hotel Lutetia", "total": str(raised),
        "affected_suppliers": ["Hotel Lutetia"]}), 201)
    blocked = ok(consultant.post(f"/api/v1/order-files/{order_id}/sign", json={"signed_by": "王小明"}), 409)
    assert [m["supplier"] for m in blocked["missing"]] == ["Hotel Lutetia"]
    ok(consultant.post(f"/api/v1/order-files/{order_id}/versions/2/confirmations", json={
        "supplier": "Hotel Lutetia", "confirmed_by": "Mme Roux", "reference": "LUT-889"}), 201)
    amended = ok(consultant.post(f"/api/v1/order-files/{order_id}/sign", json={"signed_by": "王小明"}))
    assert Decimal(amended["total"]) == raised
    assert sum(Decimal(s["amount"]) for s in amended["schedule"]) == raised

    # Cancelled 20 days before departure: the 30-day tier's 25 %, a credit note, a refund to approve.
    cancelled = ok(consultant.post(f"/api/v1/order-files/{order_id}/cancel", json={"reason": "Family emergency"}))
    fee = (raised * Decimal("0.25")).quantize(CENT)
    refund_due = max(deposit - fee, Decimal("0.00"))
    assert Decimal(cancelled["cancellation"]["fee"]) == fee
    assert Decimal(cancelled["cancellation"]["refund"]) == refund_due
    invoices = ok(finance.get(f"/api/v1/order-files/{order_id}/invoices"))
    credit_notes = [i for i in invoices if i["kind"] == "credit_note"]
    assert sum(Decimal(i["total"]) for i in invoices) == min(deposit, fee)
    assert all(n["corrects"] == invoice["display_number"] for n in credit_notes)
    assert len(credit_notes) == (1 if deposit > fee else 0)
    [refund] = ok(finance.get(f"/api/v1/order-files/{order_id}/refunds"))
    assert Decimal(refund["amount"]) == refund_due
    ok(finance.post(f"/api/v1/refunds/{refund['id']}/approve"))
    paid_back = ok(finance.post(f"/api/v1/refunds/{refund['id']}/pay", json={
        "method": "bank_transfer", "desk": "madrid-1"}), 201)
    assert Decimal(paid_back["amount"]) == -refund_due

    # The desk's day closed, exact; a closed day takes no more payment; finance confirms it.
    day = ok(desk.post("/api/v1/desk-days/close", json={"desk": "madrid-1"}))
    assert Decimal(day["totals"]["EUR"]["total"]) == deposit - refund_due
    assert day["totals"]["EUR"]["bank_transfer"]["count"] == 2
    ok(desk.post(f"/api/v1/order-files/{order_id}/payments", json={**payment_body, "amount": "1.00"}), 409)
    assert ok(finance.post("/api/v1/desk-days/confirm", json={"desk": "madrid-1"}))["status"] == "confirmed"

    # The bank's statement of the day reconciles the deposit; the same file again changes nothing.
    content = base64.b64encode(camt053(number, deposit, refund_due, date.today())).decode()
    statement = ok(finance.post("/api/v1/bank-statements", json={"format": "camt053", "content_base64": content}), 201)
    assert (statement["matched"], statement["unmatched_lines"]) == (1, 2)
    lines = ok(finance.get(f"/api/v1/bank-statements/{statement['id']}"))["lines"]
    [matched] = [line for line in lines if line["payment_id"]]
    assert matched["payment_id"] == paid["id"] and Decimal(matched["amount"]) == deposit
    again = ok(finance.post("/api/v1/bank-statements", json={"format": "camt053", "content_base64": content}), 201)
    assert again["id"] == statement["id"] and again["already_imported"]
    ok(finance.post(f"/api/v1/bank-statements/{statement['id']}/lines/{matched['line_no']}/confirm"))
    final = ok(desk.get(f"/api/v1/order-files/{order_id}"))
    assert Decimal(final["paid"]) == deposit - refund_due
    assert Decimal(final["refunded"]) == refund_due
    assert Decimal(final["invoiced"]) == min(deposit, fee)
    assert Decimal(final["outstanding"]) == max(fee - deposit, Decimal("0.00"))


def test_bad_money_is_refused_with_its_field_and_writes_nothing(run_services, staff_client):
    run_services(CrmService, ItineraryService, ContractsService)
    desk = staff_client("front_desk")
    missing = ok(desk.post("/api/v1/order-files/nope/payments", json={
        "amount": "10.00", "currency": "EUR", "method": "cash", "desk": "d"}), 404)
    assert missing["status"] == 404
    for body, field in (({"amount": "0", "currency": "EUR", "method": "cash", "desk": "d"}, "amount"),
                        ({"amount": "-5.00", "currency": "EUR", "method": "cash", "desk": "d"}, "amount"),
                        ({"amount": "5.001", "currency": "EUR", "method": "cash", "desk": "d"}, "amount"),
                        ({"amount": "5.00", "currency": "euro", "method": "cash", "desk": "d"}, "currency"),
                        ({"amount": "5.00", "currency": "EUR", "method": "gold", "desk": "d"}, "method")):
        problem = ok(desk.post("/api/v1/order-files/any/payments", json=body), 422)
        assert field in problem["errors"], problem
    statement = ok(staff_client("finance").post("/api/v1/bank-statements", json={
        "format": "camt053", "content_base64": base64.b64encode(b"not xml at all").decode()}), 422)
    assert statement["status"] == 422
