"""What the agency owes its suppliers, on the real broker and database with real ticketing, CRM,
itinerary and contracts services: bookings placed with reference = the order number become the
order file's supplier costs through ticketing's events; the margin, a supplier's payables and
its invoices follow them to the cent."""
import base64
import io
from datetime import timedelta
from decimal import Decimal as D

import eventlet
import pytest
from pypdf import PdfReader

from services.common.errors import Conflict, NotFound, ValidationFailed
from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService
from tests.conftest import wait_for
from tests.service.test_contracts import END, START, accepted_quote, opened, passport, rows

pytestmark = pytest.mark.service


def product(rpc, supplier_id: str, code: str, currency: str, net: str, sell: str) -> str:
    made = rpc.ticketing.create_product({
        "supplier_id": supplier_id, "supplier_code": code, "kind": "hotel", "name": f"Room {code}",
        "location": "Rome", "currency": currency})
    rpc.ticketing.set_inventory(made["id"], {"start": START.isoformat(), "end": END.isoformat(), "capacity": 10,
                                             "net_price": net, "sell_price": sell})
    return made["id"]


def book(rpc, reference: str | None, *lines) -> dict:
    hold = rpc.ticketing.place_hold({"reference": reference, "lines": [
        {"product_id": p, "day": day.isoformat(), "quantity": quantity} for p, day, quantity in lines]})
    return rpc.ticketing.confirm_hold(hold["id"])


@pytest.fixture
def trip(start_service, rpc, database_url):
    url = database_url("contracts")
    start_service(CrmService)
    start_service(ItineraryService)
    start_service(TicketingService)
    start_service(ContractsService, DATABASE_URLS={"contracts": url})
    rpc.itinerary.create_markup_rule({"method": "percent", "value": "15"})
    customer = rpc.crm.create_customer({"full_name": "Ana Gómez", "preferred_language": "es",
                                        "date_of_birth": "1980-01-02", "documents": [passport(END + timedelta(400))]})
    itinerary, _ = accepted_quote(rpc, customer["id"])
    order = opened(rpc, itinerary)
    hotel = rpc.ticketing.create_supplier({"name": "Hotel Artemide", "kind": "hotel"})
    other = rpc.ticketing.create_supplier({"name": "Beijing Ground Handling", "kind": "ground_handler"})
    return {"url": url, "order": order, "supplier": hotel, "other_supplier": other,
            "room": product(rpc, hotel["id"], "ART-DBL", "EUR", "95.55", "130.00"),
            "suite": product(rpc, hotel["id"], "ART-STE", "EUR", "210.10", "300.00"),
            "guide": product(rpc, other["id"], "BJ-GUIDE", "CNY", "680.00", "900.00")}


def margin_when(rpc, order_id: str, predicate) -> dict:
    return wait_for(lambda: (lambda m: m if predicate(m) else None)(rpc.contracts.order_file_margin(order_id)),
                    timeout=15, message="the booking events taken in")


def test_an_order_files_bookings_are_its_costs_and_its_margin_is_exact_to_the_cent(trip, rpc):
    order = trip["order"]
    stranger = book(rpc, "QUOTE-77", (trip["room"], START, 1))  # no order file of that number
    booking = book(rpc, order["order_number"], (trip["room"], START, 2), (trip["suite"], START + timedelta(1), 1),
                   (trip["guide"], START + timedelta(2), 3))

    margin = margin_when(rpc, order["id"], lambda m: len(m["lines"]) == 3)
    total = D(order["total"])
    costs = D("95.55") * 2 + D("210.10")  # 401.20 EUR; the CNY guide is not converted into it
    assert (margin["revenue"], margin["costs"], margin["margin"]) == (total, costs, total - costs)
    assert margin["margin_percent"] == ((total - costs) * 100 / total).quantize(D("0.01"))
    assert margin["other_currency_costs"] == [{"currency": "CNY", "amount": D("2040.00"), "lines": 1}]
    room = next(line for line in margin["lines"] if line["product_id"] == trip["room"])
    assert (room["supplier_id"], room["locator"], room["quantity"], room["net_price"], room["cost"], room["status"]) \
        == (trip["supplier"]["id"], booking["locator"], 2, D("95.55"), D("191.10"), "confirmed")
    # The confirmation letter names the booking's locator, in the customer's language.
    letter = rpc.contracts.confirmation_letter(order["id"])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(base64.b64decode(letter["content_base64"]))).pages)
    assert booking["locator"] in text and order["order_number"] in text
    eventlet.sleep(0.5)  # the stranger's confirmation went out first: it has been taken in by now
    assert rows(trip["url"], f"SELECT count(*) FROM supplier_costs WHERE booking_id = '{stranger['id']}'") == [(0,)]

    # A cancelled line is no longer a cost; a changed one gives way to its replacement.
    suite_line = next(line["id"] for line in booking["lines"] if line["product_id"] == trip["suite"])
    rpc.ticketing.cancel_booking(booking["id"], suite_line)
    room_line = next(line["id"] for line in booking["lines"] if line["product_id"] == trip["room"])
    rpc.ticketing.change_booking_line(booking["id"], room_line, {"day": (START + timedelta(1)).isoformat()})
    margin = margin_when(rpc, order["id"], lambda m: len(m["lines"]) == 4 and m["costs"] == D("191.10")
                         and not any(line["status"] == "confirmed" and line["product_id"] == trip["suite"]
                                     for line in m["lines"]))
    assert sorted(line["status"] for line in margin["lines"]) == ["cancelled", "changed", "confirmed", "confirmed"]
    replacement = next(line for line in margin["lines"] if line["replaces_line_id"] == room_line)
    assert (replacement["status"], replacement["day"]) == ("confirmed", START + timedelta(1))
    assert margin["margin"] == total - D("191.10")

    # Once cancelled, the revenue is the fee the customer owes.
    cancelled = rpc.contracts.cancel_order_file(order["id"], {"reason": "Illness"})
    fee = D(cancelled["cancellation"]["fee"])
    assert rpc.contracts.order_file_margin(order["id"])["margin"] == fee - D("191.10")


def test_a_suppliers_payables_match_the_period_its_invoices_show_the_difference_and_are_paid_once(trip, rpc):
    order, supplier = trip["order"], trip["supplier"]
    booking = book(rpc, order["order_number"], (trip["room"], START, 2), (trip["suite"], END, 1),
                   (trip["guide"], START, 1))
    margin_when(rpc, order["id"], lambda m: len(m["lines"]) == 3)

    owed = rpc.contracts.supplier_payables(supplier["id"], {"start": START.isoformat(), "end": END.isoformat()})
    assert owed["supplier_name"] == "Hotel Artemide"
    assert owed["totals"] == [{"currency": "EUR", "amount": D("401.20"), "lines": 2}]
    assert [(line["day"], line["cost"], line["order_number"]) for line in owed["lines"]] == [
        (START, D("191.10"), order["order_number"]), (END, D("210.10"), order["order_number"])]
    first_day = rpc.contracts.supplier_payables(supplier["id"], {"start": START.isoformat(),
                                                                 "end": START.isoformat()})
    assert first_day["totals"] == [{"currency": "EUR", "amount": D("191.10"), "lines": 1}]
    with pytest.raises(ValidationFailed):
        rpc.contracts.supplier_payables(supplier["id"], {"start": END.isoformat(), "end": START.isoformat()})
    with pytest.raises(NotFound):
        rpc.contracts.supplier_payables("no-such-supplier", {"start": START.isoformat(), "end": END.isoformat()})

    period = {"start": START.isoformat(), "end": END.isoformat(), "currency": "EUR"}
    invoice = rpc.contracts.record_supplier_invoice(supplier["id"], {**period, "number": "ART-0042",
                                                                     "amount": "421.20"})
    assert (invoice["expected"], invoice["difference"], invoice["matches"], invoice["status"]) \
        == (D("401.20"), D("20.00"), False, "recorded")
    again = rpc.contracts.record_supplier_invoice(supplier["id"], {**period, "number": "ART-0042",
                                                                   "amount": "421.20"})
    assert (again["id"], again["already_recorded"]) == (invoice["id"], True)
    with pytest.raises(Conflict):
        rpc.contracts.record_supplier_invoice(supplier["id"], {**period, "number": "ART-0042", "amount": "401.20"})
    assert rows(trip["url"], "SELECT count(*) FROM supplier_invoices") == [(1,)]

    # The supplier's cancelled suite leaves the bookings' side: the difference follows.
    suite_line = next(line["id"] for line in booking["lines"] if line["product_id"] == trip["suite"])
    rpc.ticketing.cancel_booking(booking["id"], suite_line)
    margin_when(rpc, order["id"], lambda m: m["costs"] == D("191.10"))
    assert rpc.contracts.get_supplier_invoice(invoice["id"])["difference"] == D("230.10")
    matching = rpc.contracts.record_supplier_invoice(supplier["id"], {**period, "number": "ART-0043",
                                                                      "amount": "191.10"})
    assert (matching["difference"], matching["matches"]) == (D("0.00"), True)

    paid = rpc.contracts.pay_supplier_invoice(matching["id"], {"paid_on": END.isoformat(), "reference": "TR-991"})
    assert (paid["status"], paid["paid_on"], paid["payment_reference"]) == ("paid", END, "TR-991")
    with pytest.raises(Conflict):
        rpc.contracts.pay_supplier_invoice(matching["id"], {"paid_on": END.isoformat(), "reference": "TR-992"})
    assert rpc.contracts.get_supplier_invoice(matching["id"])["payment_reference"] == "TR-991"
    with pytest.raises(NotFound):
        rpc.contracts.record_supplier_invoice("no-such-supplier", {**period, "number": "X-1", "amount": "1.00"})
    listed = rpc.contracts.supplier_payables(supplier["id"], {"start": START.isoformat(), "end": END.isoformat()})
    assert [(i["number"], i["status"]) for i in listed["invoices"]] == [("ART-0042", "recorded"), ("ART-0043", "paid")]
