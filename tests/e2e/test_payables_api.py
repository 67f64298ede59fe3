"""What the agency owes its suppliers, through the gateway: who may see margins and payables, money
as strings to the cent, bad periods refused, a supplier invoice recorded once and paid once."""
import time
from datetime import timedelta

import pytest

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService
from tests.service.test_contracts import END, START, accepted_quote, opened

pytestmark = pytest.mark.e2e


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.get_json(silent=True))
    return response.get_json(silent=True)


def test_finance_sees_margin_and_payables_and_records_and_pays_a_supplier_invoice(run_services, rpc, staff_client):
    run_services(CrmService, ItineraryService, TicketingService, ContractsService)
    finance, desk = staff_client("finance"), staff_client("front_desk")
    rpc.itinerary.create_markup_rule({"method": "percent", "value": "15"})
    customer = rpc.crm.create_customer({"full_name": "Ana Gómez"})
    trip, _ = accepted_quote(rpc, customer["id"])
    order = opened(rpc, trip)
    supplier = rpc.ticketing.create_supplier({"name": "Hotel Artemide", "kind": "hotel"})
    room = rpc.ticketing.create_product({"supplier_id": supplier["id"], "supplier_code": "ART-DBL", "kind": "hotel",
                                         "name": "Double room", "location": "Rome", "currency": "EUR"})
    rpc.ticketing.set_inventory(room["id"], {"start": START.isoformat(), "end": END.isoformat(), "capacity": 5,
                                             "net_price": "95.55", "sell_price": "130.00"})
    hold = rpc.ticketing.place_hold({"reference": order["order_number"], "lines": [
        {"product_id": room["id"], "day": START.isoformat(), "quantity": 3}]})
    rpc.ticketing.confirm_hold(hold["id"])

    ok(desk.get(f"/api/v1/order-files/{order['id']}/margin"), 403)
    deadline = time.monotonic() + 15
    while not (margin := ok(finance.get(f"/api/v1/order-files/{order['id']}/margin")))["lines"]:
        assert time.monotonic() < deadline, "the booking never became a cost of the order file"
        time.sleep(0.1)
    assert (margin["costs"], margin["revenue"]) == ("286.65", str(order["total"]))
    assert margin["other_currency_costs"] == []

    period = f"start={START.isoformat()}&end={END.isoformat()}"
    owed = ok(finance.get(f"/api/v1/suppliers/{supplier['id']}/payables?{period}"))
    assert owed["totals"] == [{"currency": "EUR", "amount": "286.65", "lines": 1}]
    bad = ok(finance.get(f"/api/v1/suppliers/{supplier['id']}/payables?start={END}&end={START}"), 422)
    assert "end" in bad["errors"]
    ok(finance.get(f"/api/v1/suppliers/no-such-supplier/payables?{period}"), 404)

    body = {"number": "ART-7", "start": START.isoformat(), "end": (START + timedelta(days=30)).isoformat(),
            "amount": "300.00", "currency": "EUR"}
    ok(desk.post(f"/api/v1/suppliers/{supplier['id']}/invoices", json=body), 403)
    ok(finance.post(f"/api/v1/suppliers/{supplier['id']}/invoices", json={**body, "amount": "300.001"}), 422)
    invoice = ok(finance.post(f"/api/v1/suppliers/{supplier['id']}/invoices", json=body), 201)
    assert (invoice["expected"], invoice["difference"], invoice["matches"]) == ("286.65", "13.35", False)
    again = ok(finance.post(f"/api/v1/suppliers/{supplier['id']}/invoices", json=body), 201)
    assert (again["id"], again["already_recorded"]) == (invoice["id"], True)

    pay = {"paid_on": END.isoformat(), "reference": "TR-1"}
    paid = ok(finance.post(f"/api/v1/supplier-invoices/{invoice['id']}/pay", json=pay))
    assert (paid["status"], paid["paid_on"]) == ("paid", END.isoformat())
    second = finance.post(f"/api/v1/supplier-invoices/{invoice['id']}/pay", json={**pay, "reference": "TR-2"})
    assert second.status_code == 409 and second.mimetype == "application/problem+json"
    assert ok(finance.get(f"/api/v1/supplier-invoices/{invoice['id']}"))["payment_reference"] == "TR-1"
