"""Ticketing keeps its published contract (services/ticketing/wire): every event it declares is
emitted as declared, with the fields its consumers read, and its own remote errors cross RPC typed."""
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from services.common.errors import Conflict
from services.ticketing import wire
from services.ticketing.service import TicketingService
from tests.conftest import wait_for
from tests.events import assert_honour_contract, outbox_envelopes

from .test_ticketing import DAY, open_flight

pytestmark = pytest.mark.service

NEXT_DAY = DAY + timedelta(days=1)


def _hold(rpc, product_id, quantity=1, day=DAY, **extra):
    return rpc.ticketing.place_hold({"channel": "consultant", "lines": [
        {"product_id": product_id, "day": day.isoformat(), "quantity": quantity, **extra}]})


def _payloads(url, name):
    return [envelope["payload"] for envelope in outbox_envelopes(url) if envelope["type"] == name]


def test_every_declared_event_is_emitted_as_declared(start_service, rpc):
    container = start_service(TicketingService)
    url = container.config["DATABASE_URLS"]["ticketing"]
    product_id = open_flight(rpc, capacity=6)   # staff open the date: inventory_changed
    product = rpc.ticketing.get_product(product_id)
    rpc.ticketing.set_inventory(product_id, {"start": NEXT_DAY.isoformat(), "end": NEXT_DAY.isoformat(),
                                             "capacity": 6, "net_price": "95.00", "sell_price": "135.50"})
    key = rpc.ticketing.issue_supplier_key(product["supplier_id"])["api_key"]
    pushed = rpc.ticketing.supplier_push(key, {"updates": [{
        "product_code": product["supplier_code"], "start": NEXT_DAY.isoformat(), "end": NEXT_DAY.isoformat(),
        "stop_sell": False, "sequence": 1}]})
    assert pushed["results"][0]["status"] == "applied"

    travellers = [{"name": "Pierre Durand", "customer_id": "c-1"}, {"name": "Marie Durand"}]
    hold = _hold(rpc, product_id, 2, travellers=travellers)
    booking = rpc.ticketing.confirm_hold(hold["id"])
    line_id = booking["lines"][0]["id"]
    rpc.ticketing.change_booking_line(booking["locator"], line_id, {"day": NEXT_DAY.isoformat()})
    rpc.ticketing.cancel_booking(booking["locator"])
    rpc.ticketing.refund_booking_line(booking["locator"], line_id, {"amount": "20.00", "reason": "fee waived"})

    rpc.ticketing.release_hold(_hold(rpc, product_id)["id"])
    lapsing = _hold(rpc, product_id)
    kept = [_hold(rpc, product_id, 2) for _ in range(2)]
    cut = rpc.ticketing.set_inventory(product_id, {"start": DAY.isoformat(), "end": DAY.isoformat(),
                                                   "capacity": 3})
    assert cut["overbooked"][0]["short_by"] == 2   # 5 held against 3: overbooked
    engine = create_engine(url)
    try:
        with engine.begin() as conn:   # the clock moves on for one option: the timer expires it
            conn.execute(text("UPDATE holds SET expires_at = :t WHERE id = :h"),
                         {"t": "2000-01-01 00:00:00", "h": lapsing["id"]})
    finally:
        engine.dispose()
    wait_for(lambda: _payloads(url, "ticketing.hold_expired"), timeout=15, message="hold_expired")

    assert_honour_contract(outbox_envelopes(url), wire.EVENTS)

    # What the consumers read is there, under today's names (CRM's timeline and trips).
    [confirmed] = _payloads(url, "ticketing.booking_confirmed")
    assert confirmed["locator"] == booking["locator"] and confirmed["total_sell"] == "240.00"
    assert confirmed["lines"][0]["travellers"][0]["customer_id"] == "c-1"
    assert set(confirmed) - {"total_sell", "total_net"} == set(rpc.ticketing.get_booking(booking["id"]))
    [cancelled] = _payloads(url, "ticketing.booking_cancelled")
    assert set(cancelled) == {"booking_id", "locator", "status", "reference", "cancelled_lines", "reason",
                              "cancelled_by"}
    assert (cancelled["reason"], cancelled["cancelled_by"]) == ("customer_request", "service:ticketing")
    line_fields = set(rpc.ticketing.get_booking(booking["id"])["lines"][0])
    assert set(cancelled["cancelled_lines"][0]) == line_fields
    [changed] = _payloads(url, "ticketing.booking_changed")
    assert (changed["old_line"]["day"], changed["new_line"]["day"], changed["fare_difference"]) == \
        (DAY.isoformat(), NEXT_DAY.isoformat(), "31.00")
    assert (changed["reason"], changed["old_line"]["change_reason"]) == ("customer_request", "customer_request")
    [refunded] = _payloads(url, "ticketing.booking_refunded")
    assert (refunded["amount"], refunded["reason"], refunded["line"]["id"]) == ("20.00", "fee waived", line_id)
    assert {p["changed_by"].split(":")[0] for p in _payloads(url, "ticketing.inventory_changed")} == \
        {"service", "supplier"}
    [expired] = _payloads(url, "ticketing.hold_expired")
    assert expired["id"] == lapsing["id"] and expired["status"] == "expired"
    assert {p["id"] for p in _payloads(url, "ticketing.hold_placed")} >= {h["id"] for h in kept}


def test_its_own_remote_errors_cross_rpc_typed(start_service, rpc):
    start_service(TicketingService)
    product_id = open_flight(rpc, capacity=2)
    with pytest.raises(wire.NotBookable) as sold_out:
        _hold(rpc, product_id, 3)
    assert isinstance(sold_out.value, Conflict)   # answered 409 like any conflict
    assert sold_out.value.details["reason"] == "sold_out" and "Only 2 left" in str(sold_out.value)
    hold = _hold(rpc, product_id, 1)
    rpc.ticketing.release_hold(hold["id"])
    with pytest.raises(wire.HoldNotActive) as released:
        rpc.ticketing.confirm_hold(hold["id"])
    assert released.value.details == {"status": "released"}
