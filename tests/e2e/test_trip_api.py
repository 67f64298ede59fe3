"""The trip through the gateway, end to end with the real services and a real SMTP server: the
ten-day Beijing–Paris–Rome–Barcelona case from an accepted quote to its completion — signed, held
in ticketing, deposit, booked with locators, the Rome hotel (entered by hand) confirmed by its
supplier, balance paid, trip documents emailed in Chinese with the PDF attached, the return flight
rebooked during the trip and the customer told, completed by the calendar — and the same case
cancelled at three steps with inventory, money and documents consistent each time."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService
from tests.clock import travel_to
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e

START = date.today() + timedelta(days=40)
END = START + timedelta(days=9)


def day(n: int) -> date:
    return START + timedelta(days=n - 1)


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.get_json(silent=True))
    return response.get_json(silent=True)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def desk(run_services, smtp_server, client, staff_client):
    """The services, the agency's terms, the inventory, the customer: who does what at the agency."""
    run_services(CrmService, ItineraryService, TicketingService, ContractsService)
    staff = {r: staff_client(r) for r in ("consultant", "front_desk", "ticketing", "finance", "manager")}
    manager = staff["manager"]
    settings = ok(manager.get("/api/v1/pricing-settings"))
    terms = {**settings["terms"], "payment": {"deposit_percent": "30", "deposit_due_days": 3,
                                              "balance_due_days_before_departure": 14}}
    ok(manager.put("/api/v1/pricing-settings", json={**{k: v for k, v in settings.items()
                                                        if k not in ("updated_at", "updated_by")}, "terms": terms}))
    ok(manager.post("/api/v1/markup-rules", json={"method": "percent", "value": "15"}), 201)
    clerk = staff["ticketing"]
    airline = ok(clerk.post("/api/v1/suppliers", json={"name": "Air China", "kind": "airline"}), 201)
    hotelier = ok(clerk.post("/api/v1/suppliers", json={"name": "Hôtel du Louvre", "kind": "hotel"}), 201)
    products = {}
    for code, kind, name, place, supplier in (
            ("CA933", "flight", "CA933 Beijing-Paris", "Beijing-Paris", airline),
            ("CA846", "flight", "CA846 Barcelona-Beijing", "Barcelona-Beijing", airline),
            ("CA848", "flight", "CA848 Barcelona-Beijing", "Barcelona-Beijing", airline),
            ("LOUVRE", "hotel", "Hôtel du Louvre double", "Paris", hotelier)):
        products[code] = ok(clerk.post("/api/v1/products", json={
            "supplier_id": supplier["id"], "supplier_code": code, "kind": kind, "name": name, "location": place,
            "currency": "EUR"}), 201)
    for code, first, last, net in (("CA933", 1, 1, "520.00"), ("CA846", 10, 10, "498.00"), ("CA848", 10, 11, "505.00"),
                                   ("LOUVRE", 1, 3, "190.00")):
        ok(clerk.put(f"/api/v1/products/{products[code]['id']}/inventory", json={
            "start": day(first).isoformat(), "end": day(last).isoformat(), "capacity": 9, "net_price": net,
            "sell_price": net}))
    customer = ok(staff["front_desk"].post("/api/v1/customers", json={
        "full_name": "王小明", "email": "wang@example.cn", "preferred_language": "zh", "date_of_birth": "1985-03-02",
        "documents": [{"type": "passport", "number": "E12345678", "country": "CN",
                       "expiry": (END + timedelta(days=400)).isoformat()}]}), 201)
    return {**staff, "products": products, "customer": customer, "smtp": smtp_server}


def signed_europe_trip(desk) -> dict:
    """The ten-day case quoted, accepted and signed: its order file."""
    consultant, p = desk["consultant"], desk["products"]
    plan = ok(consultant.post("/api/v1/itineraries", json={
        "title": "巴黎 - 罗马 - 巴塞罗那 十日游", "customer_id": desk["customer"]["id"], "party": {"adults": 2},
        "start_date": START.isoformat(), "days": 10, "currency": "EUR"}), 201)

    def item(n, body):
        ok(consultant.post(f"/api/v1/itineraries/{plan['id']}/days/{n}/items", json=body), 201)
    item(1, {"kind": "flight", "inventory_product_id": p["CA933"]["id"]})
    item(1, {"kind": "hotel", "inventory_product_id": p["LOUVRE"]["id"], "nights": 3, "quantity": 1})
    item(4, {"kind": "hotel", "description": "Hotel Quirinale Roma", "supplier_name": "Hotel Quirinale",
             "nights": 3, "quantity": 1, "unit_cost": "160.00", "currency": "EUR", "location": "Rome"})
    item(7, {"kind": "hotel", "description": "Hotel Arts Barcelona", "supplier_name": "Hotel Arts",
             "nights": 3, "quantity": 1, "unit_cost": "210.00", "currency": "EUR", "location": "Barcelona"})
    item(10, {"kind": "flight", "inventory_product_id": p["CA846"]["id"]})
    quote = ok(consultant.post(f"/api/v1/itineraries/{plan['id']}/quotes", json={}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{plan['id']}/quotes/{quote['version']}/accept", json={}))
    summary = wait_for(lambda: next(iter(ok(consultant.get(
        f"/api/v1/order-files?customer_id={desk['customer']['id']}"))["items"]), None), timeout=15,
        message="the order file opened from the accepted quote")
    return ok(consultant.post(f"/api/v1/order-files/{summary['id']}/sign", json={"signed_by": "王小明"}))


def trip_at(desk, order_id: str, stage: str, timeout: float = 20) -> dict:
    def reached():
        current = ok(desk["consultant"].get(f"/api/v1/order-files/{order_id}"))
        return current if current["trip"]["stage"] == stage else None
    return wait_for(reached, timeout=timeout, message=f"the trip {stage}")


def pay(desk, order: dict, n: int) -> dict:
    due = next(s for s in ok(desk["front_desk"].get(f"/api/v1/order-files/{order['id']}"))["schedule"]
               if s["n"] == n)
    return ok(desk["front_desk"].post(f"/api/v1/order-files/{order['id']}/payments", json={
        "amount": due["amount"], "currency": "EUR", "method": "wechat_pay", "desk": "front"}), 201)


def units(desk, code: str, on: date) -> tuple[int, int]:
    [entry] = ok(desk["ticketing"].get(f"/api/v1/products/{desk['products'][code]['id']}/inventory"
                                       f"?start={on}&end={on}"))
    return entry["booked"], entry["held"]


def confirm_hotels(desk, order: dict):
    for request in order["trip"]["supplier_requests"]:
        ok(desk["ticketing"].post(f"/api/v1/order-files/{order['id']}/trip/supplier-requests/{request['id']}/answer",
                                  json={"confirmed": True, "reference": f"R-{request['id']}",
                                        "answered_by": "Reservations"}))


def settled(desk, order_id: str) -> dict:
    def quiet():
        current = ok(desk["consultant"].get(f"/api/v1/order-files/{order_id}"))
        return current if all(s["status"] != "pending" for s in current["trip"]["steps"]) else None
    return wait_for(quiet, timeout=30, message="every step of the trip answered")


def test_the_europe_trip_from_signature_to_return(desk, monkeypatch):
    order = signed_europe_trip(desk)
    number, smtp = order["order_number"], desk["smtp"]
    assert order["trip"]["stage"] == "holding"
    assert sorted(r["supplier"] for r in order["trip"]["supplier_requests"]) == ["Hotel Arts", "Hotel Quirinale"]

    held = trip_at(desk, order["id"], "held")
    assert units(desk, "CA933", day(1)) == (0, 2) and units(desk, "LOUVRE", day(3)) == (0, 1)
    hold = ok(desk["ticketing"].get(f"/api/v1/holds/{held['trip']['hold_id']}"))
    assert hold["reference"] == number

    pay(desk, order, 1)  # the deposit confirms the holds
    booked = trip_at(desk, order["id"], "booked")
    locator = booked["trip"]["booking"]["locator"]
    assert ok(desk["ticketing"].get(f"/api/v1/bookings/{locator}"))["reference"] == number
    assert units(desk, "CA933", day(1)) == (2, 0)
    letter = smtp.wait_for(lambda m: number in m["Subject"] and any(
        a.get_filename().startswith("confirmation") for a in m.iter_attachments()), timeout=20)
    assert letter["To"].addresses[0].addr_spec == "wang@example.cn"

    confirm_hotels(desk, booked)
    assert trip_at(desk, order["id"], "booked")["trip"]["stage"] == "booked"  # the balance is still due
    pay(desk, order, 2)
    ready = trip_at(desk, order["id"], "ready")
    assert Decimal(ready["outstanding"]) == 0

    documents = smtp.wait_for(lambda m: any(a.get_filename() == f"trip-documents-{number}.pdf"
                                            for a in m.iter_attachments()), timeout=20)
    [pdf] = [a for a in documents.iter_attachments() if a.get_filename().startswith("trip-documents")]
    text = pdf_text(pdf.get_content())
    assert "王小明" in text and locator in text and "R-" in text
    assert order["title"] in documents["Subject"]

    # Under way: the return flight is rebooked by the ticketing desk; the order file and the customer know.
    travel_to(monkeypatch, START)
    trip_at(desk, order["id"], "travelling", timeout=15)
    back = next(line for line in ready["trip"]["booking"]["lines"]
                if line["product_id"] == desk["products"]["CA846"]["id"])
    changed = ok(desk["ticketing"].post(f"/api/v1/bookings/{locator}/lines/{back['line_id']}/change",
                                        json={"product_id": desk["products"]["CA848"]["id"], "reason": "supplier"}))
    assert changed["fare_difference"] == "14.00"  # two seats, 7.00 each

    def rebooked():
        lines = ok(desk["consultant"].get(f"/api/v1/order-files/{order['id']}/trip"))["booking"]["lines"]
        return lines if any(line["product_id"] == desk["products"]["CA848"]["id"] for line in lines) else None
    lines = wait_for(rebooked, timeout=15, message="the rebooked flight on the order file")
    assert next(line for line in lines if line["line_id"] == back["line_id"])["status"] != "confirmed"
    notice = smtp.wait_for(lambda m: "CA848 Barcelona-Beijing" in m.get_body(("plain",)).get_content(), timeout=20)
    body = notice.get_body(("plain",)).get_content()
    assert "CA846 Barcelona-Beijing" in body and locator in body and number in notice["Subject"]
    incidents = ok(desk["consultant"].get(f"/api/v1/order-files/{order['id']}/incidents"))
    [incident] = incidents["items"] if isinstance(incidents, dict) else incidents
    assert incident["locator"] == locator and incident["status"] == "open"

    travel_to(monkeypatch, END + timedelta(days=1))
    done = trip_at(desk, order["id"], "completed", timeout=15)
    assert done["status"] == "signed" and not done["trip"]["attention"]


@pytest.mark.parametrize("step", ["held", "booked", "ready"])
def test_the_europe_trip_cancelled_at_each_step(desk, step):
    order = signed_europe_trip(desk)
    trip_at(desk, order["id"], "held")
    paid = Decimal("0")
    if step in ("booked", "ready"):
        paid += Decimal(pay(desk, order, 1)["amount"])
        booked = trip_at(desk, order["id"], "booked")
        invoice = ok(desk["finance"].post(f"/api/v1/order-files/{order['id']}/invoices", json={}), 201)
    if step == "ready":
        confirm_hotels(desk, booked)
        paid += Decimal(pay(desk, order, 2)["amount"])
        trip_at(desk, order["id"], "ready")

    cancelled = ok(desk["consultant"].post(f"/api/v1/order-files/{order['id']}/cancel",
                                           json={"reason": "Visa refused"}))
    done = settled(desk, order["id"])
    assert done["status"] == "cancelled" and done["trip"]["stage"] == "cancelled"
    # Inventory: nothing held or booked for this trip any more.
    for code, on in (("CA933", day(1)), ("LOUVRE", day(2)), ("CA846", day(10))):
        assert units(desk, code, on) == (0, 0), code
    if step != "held":
        assert ok(desk["ticketing"].get(f"/api/v1/bookings/{done['trip']['booking']['locator']}"))["status"] \
            == "cancelled"
    # Suppliers: every request withdrawn.
    assert {r["status"] for r in done["trip"]["supplier_requests"]} == {"withdrawn"}
    # Money: the tier's fee kept, the rest to refund, to the cent; what was invoiced beyond the fee credited.
    fee, refund = Decimal(cancelled["cancellation"]["fee"]), Decimal(cancelled["cancellation"]["refund"])
    assert Decimal(cancelled["cancellation"]["paid"]) == paid
    assert refund == max(paid - fee, Decimal("0"))
    refunds = ok(desk["finance"].get(f"/api/v1/order-files/{order['id']}/refunds"))
    assert sum(Decimal(r["amount"]) for r in refunds) == refund
    if step != "held":
        notes = cancelled["cancellation"]["credit_notes"]
        assert bool(notes) == (Decimal(invoice["total"]) > fee)


def test_the_contract_goes_to_the_customer_with_its_signing_link(desk, anonymous):
    consultant = desk["consultant"]
    plan = ok(consultant.post("/api/v1/itineraries", json={
        "title": "Madrid 周末", "customer_id": desk["customer"]["id"], "party": {"adults": 1},
        "start_date": START.isoformat(), "days": 2, "currency": "EUR"}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{plan['id']}/days/1/items", json={
        "kind": "hotel", "description": "Hotel Urban", "supplier_name": "Hotel Urban", "nights": 1,
        "unit_cost": "120.00", "currency": "EUR", "location": "Madrid"}), 201)
    quote = ok(consultant.post(f"/api/v1/itineraries/{plan['id']}/quotes", json={}), 201)
    ok(consultant.post(f"/api/v1/itineraries/{plan['id']}/quotes/{quote['version']}/accept", json={}))
    order = wait_for(lambda: next(iter(ok(consultant.get(
        f"/api/v1/order-files?customer_id={desk['customer']['id']}"))["items"]), None), timeout=15,
        message="the order file")
    link = ok(consultant.post(f"/api/v1/order-files/{order['id']}/signing-link",
                              json={"valid_days": 5, "send_to_customer": True}), 201)
    mail = desk["smtp"].wait_for(lambda m: link["url"] in m.get_body(("plain",)).get_content(), timeout=20)
    [contract] = list(mail.iter_attachments())
    assert contract.get_filename() == f"contract-{order['order_number']}-v1.pdf"
    assert "王小明" in pdf_text(contract.get_content())
    # The link works once, from the email; the order file keeps no copy of it.
    token = link["url"].rsplit("/", 1)[1]
    assert ok(anonymous.get(f"/api/v1/signing/{token}"))["order_number"] == order["order_number"]
    steps = ok(consultant.get(f"/api/v1/order-files/{order['id']}/trip"))["steps"]
    assert [s["status"] for s in steps if s["action"] == "message"] == ["done"]
