"""What the agency owes its suppliers: each rule of the margin and payables arithmetic, and the
booking lines kept right whatever order ticketing's events arrive in."""
from datetime import date, datetime, timezone
from decimal import Decimal as D

import pytest
from marshmallow import ValidationError
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.contracts import payables, wire
from services.contracts.models import Base, ContractVersion, OrderFile, SupplierCost

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def line(status="confirmed", net="90.00", quantity=1, currency="EUR") -> dict:
    return {"status": status, "net_price": D(net), "quantity": quantity, "currency": currency}


def test_a_line_costs_its_net_price_times_its_quantity_to_the_cent():
    assert payables.line_cost(D("33.33"), 3) == D("99.99")
    assert payables.line_cost("0.10", 3) == D("0.30")  # exact, where floats give 0.30000000000000004


def test_totals_count_only_confirmed_lines_each_currency_apart():
    lines = [line(net="90.00", quantity=2), line(net="0.01"), line("cancelled", net="500.00"),
             line("changed", net="70.00"), line(net="680.00", currency="CNY")]
    assert payables.totals(lines) == [{"currency": "CNY", "amount": D("680.00"), "lines": 1},
                                      {"currency": "EUR", "amount": D("180.01"), "lines": 2}]


def test_the_margin_is_revenue_less_costs_in_the_contracts_currency_others_listed_apart():
    result = payables.margin(D("1000.00"), "EUR", [line(net="210.00", quantity=2), line(net="33.33", quantity=3),
                                                   line(net="800.00", currency="CNY")])
    assert (result["revenue"], result["costs"], result["margin"]) == (D("1000.00"), D("519.99"), D("480.01"))
    assert result["margin_percent"] == D("48.00")  # 48.001 % to two decimals
    assert result["other_currency_costs"] == [{"currency": "CNY", "amount": D("800.00"), "lines": 1}]


def test_a_loss_is_a_negative_margin_and_no_revenue_has_no_percent():
    assert payables.margin(D("100.00"), "EUR", [line(net="150.00")])["margin_percent"] == D("-50.00")
    nothing = payables.margin(D("0.00"), "EUR", [line(net="20.00")])
    assert (nothing["margin"], nothing["margin_percent"]) == (D("-20.00"), None)


def test_the_percent_rounds_half_up_to_two_decimals():
    assert payables.percent(D("1"), D("3")) == D("33.33")
    assert payables.percent(D("2"), D("3")) == D("66.67")
    assert payables.percent(D("1"), D("0.00")) is None


# --- booking events, in any order ---------------------------------------------------------------

@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(OrderFile(id="of-1", order_number="OF-2026-000001", quote_id="q", quote_version=1, itinerary_id="i",
                        title="Rome", start_date=date(2026, 5, 1), end_date=date(2026, 5, 5), currency="EUR",
                        language="en", status="signed", quote={}, payment_terms={}, cancellation_tiers=[],
                        travellers=[], entry_requirements={}, created_at=NOW, created_by="t", updated_at=NOW))
        s.add(ContractVersion(order_file_id="of-1", version=1, status="signed", reason="initial", total=D("1000.00"),
                              lines=[], created_at=NOW, created_by="t"))
        s.flush()
        yield s
    engine.dispose()


def booking_line(id, product="p-1", day="2026-05-01", net="90.00", replaces=None) -> dict:
    return {"id": id, "product_id": product, "day": day, "quantity": 2, "net_price": net, "sell_price": "120.00",
            "currency": "EUR", "status": "confirmed", "replaces_line_id": replaces}


CONFIRMED = ("ticketing.booking_confirmed", {"id": "b-1", "locator": "ABC123", "reference": "of-2026-000001 ",
                                             "lines": [booking_line(1), booking_line(2, day="2026-05-02")]})
CHANGED = ("ticketing.booking_changed", {"booking_id": "b-1", "locator": "ABC123", "reference": "OF-2026-000001",
                                         "old_line": booking_line(1), "new_line": booking_line(3, net="95.00",
                                                                                               replaces=1)})
CANCELLED = ("ticketing.booking_cancelled", {"booking_id": "b-1", "locator": "ABC123",
                                             "reference": "OF-2026-000001", "status": "confirmed",
                                             "cancelled_lines": [booking_line(2, day="2026-05-02")]})


def take_in(session, *events) -> dict[int, str]:
    order = session.get(OrderFile, "of-1")
    for kind, payload in events:
        payables.record(session, order, kind, payload, {"p-1": "s-1"}, now=NOW)
    return {r.line_id: r.status for r in session.query(SupplierCost)}


@pytest.mark.parametrize("order", [(CONFIRMED, CHANGED, CANCELLED), (CANCELLED, CHANGED, CONFIRMED),
                                   (CHANGED, CONFIRMED, CANCELLED), (CANCELLED, CONFIRMED, CHANGED)])
def test_lines_end_the_same_whatever_order_the_events_arrive_in(session, order):
    # A change or a cancellation is for good: a confirmation arriving after it does not revive the line.
    assert take_in(session, *order) == {1: "changed", 2: "cancelled", 3: "confirmed"}
    margin = payables.order_margin(session, session.get(OrderFile, "of-1"))
    assert (margin["costs"], margin["margin"]) == (D("190.00"), D("810.00"))  # only the replacement: 2 x 95.00


def test_an_event_taken_in_twice_keeps_one_row_per_line(session):
    assert take_in(session, CONFIRMED, CONFIRMED) == {1: "confirmed", 2: "confirmed"}
    assert session.query(SupplierCost).count() == 2


def test_the_reference_names_the_order_file_in_any_case_and_a_booking_without_one_names_none():
    assert payables.order_number_of({"reference": " of-2026-000001"}) == "OF-2026-000001"
    assert payables.order_number_of({"reference": None}) is None
    assert payables.order_number_of({"reference": "  "}) is None
    assert payables.product_ids(*CHANGED) == {"p-1"}


@pytest.mark.parametrize("amount", ["7.73809047E7092541240", "-1E+964228", "10000000.01", "0", "12.345"])
def test_a_supplier_invoice_amount_out_of_range_or_past_the_cent_is_refused_not_overflowed(amount):
    body = {"number": "A-1", "start": "2026-05-01", "end": "2026-05-31", "amount": amount, "currency": "EUR"}
    with pytest.raises(ValidationError) as refused:
        wire.SupplierInvoiceCreateSchema().load(body)
    assert list(refused.value.messages) == ["amount"]
    with pytest.raises(ValidationError):  # the payment schema shares the cent check
        wire.PaymentCreateSchema().load({"amount": amount, "currency": "EUR", "method": "cash", "desk": "d"})
