"""Ticketing on the real broker and database: never oversold, under any concurrency."""
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone

import eventlet
import pytest
from nameko.exceptions import UnknownService
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from services.common.config import REPO_ROOT
from services.common.errors import Conflict
from services.ticketing.service import TicketingService
from tests.conftest import wait_for
from tests.events import subscribe

pytestmark = pytest.mark.service

DAY = date.today() + timedelta(days=60)


def open_flight(rpc, capacity: int, code="AF1204-Y") -> str:
    supplier = rpc.ticketing.create_supplier({"name": "Air France", "kind": "airline"})
    product = rpc.ticketing.create_product({
        "supplier_id": supplier["id"], "supplier_code": code, "kind": "flight", "name": "AF1204 CDG-FCO",
        "location": "CDG-FCO", "attributes": {"flight": "AF1204", "class": "Y"}, "currency": "EUR"})
    rpc.ticketing.set_inventory(product["id"], {"start": DAY.isoformat(), "end": DAY.isoformat(),
                                                "capacity": capacity, "net_price": "90.00", "sell_price": "120.00"})
    return product["id"]


def race_for_holds(config, product_id: str, requests: int, concurrency: int) -> tuple[int, int, list]:
    """Fire `requests` one-unit holds from `concurrency` clients at once; count granted and refused."""
    granted, refused, other = [], [], []

    def client(n):
        with ClusterRpcProxy(config, timeout=60) as rpc:
            for _ in range(n):
                try:
                    granted.append(rpc.ticketing.place_hold({"channel": "online", "lines": [
                        {"product_id": product_id, "day": DAY.isoformat(), "quantity": 1}]})["id"])
                except Conflict:
                    refused.append(1)
                except Exception as exc:  # anything else is a bug and must show in the assertion
                    other.append(repr(exc))

    pool = eventlet.GreenPool(concurrency)
    per_client = requests // concurrency
    for _ in range(concurrency):
        pool.spawn(client, per_client)
    pool.waitall()
    return len(granted), len(refused), other


def units_held(database_url: str, product_id: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT coalesce(sum(quantity), 0) FROM hold_lines WHERE product_id = :p"),
                                {"p": product_id}).scalar()
    finally:
        engine.dispose()


def test_racing_holds_for_the_last_seats_grant_exactly_the_capacity(start_service, rpc, nameko_config):
    container = start_service(TicketingService, max_workers=10)
    product_id = open_flight(rpc, capacity=7)

    granted, refused, errors = race_for_holds(nameko_config, product_id, requests=60, concurrency=12)

    assert errors == []
    assert (granted, refused) == (7, 53)
    assert units_held(container.config["DATABASE_URLS"]["ticketing"], product_id) == 7
    [day] = rpc.ticketing.get_inventory(product_id, DAY, DAY)
    assert (day["held"], day["available"], day["status"]) == (7, 0, "sold_out")


def _nameko_instance(env: dict, log_path) -> subprocess.Popen:
    with open(log_path, "w") as log:  # a file, not a pipe: an undrained pipe would block the service
        return subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", "deploy/nameko.yml",
             "services.ticketing.service:TicketingService"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def test_two_service_instances_never_oversell(database_url, nameko_config, tmp_path):
    url = database_url("ticketing")
    env = dict(os.environ, TICKETING_DATABASE_URL=url, MAX_WORKERS="8", LOG_LEVEL="WARNING",
               ITINERA_VAR_DIR=str(tmp_path), PYTHONWARNINGS="ignore")
    first = _nameko_instance(env, tmp_path / "first.log")
    time.sleep(2)  # let the first apply the migrations, so the second finds the schema in place
    second = _nameko_instance(env, tmp_path / "second.log")
    try:
        with ClusterRpcProxy(nameko_config, timeout=30) as rpc:
            def both_answer() -> bool:
                try:
                    return len({rpc.ticketing.health()["instance"] for _ in range(8)}) == 2
                except UnknownService:  # neither consumes its RPC queue yet (a slow start on a busy machine)
                    return False

            instances = wait_for(both_answer, timeout=60, interval=0.2, message="both instances answering")
            assert instances
            product_id = open_flight(rpc, capacity=9, code="AZ0611-Y")
            granted, refused, errors = race_for_holds(nameko_config, product_id, requests=64, concurrency=16)
        assert errors == []
        assert (granted, refused) == (9, 55)
        assert units_held(url, product_id) == 9
    finally:
        for process in (first, second):
            process.terminate()
        for process in (first, second):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_booking_lifecycle_announces_each_fact(start_service, rpc, amqp, nameko_config):
    start_service(TicketingService)
    product_id = open_flight(rpc, capacity=4)
    names = ["hold_placed", "booking_confirmed", "booking_changed", "booking_cancelled", "booking_refunded"]
    with subscribe(amqp, nameko_config, "ticketing.*") as received:
        rpc.ticketing.set_inventory(product_id, {"start": (DAY + timedelta(1)).isoformat(),
                                                 "end": (DAY + timedelta(1)).isoformat(),
                                                 "capacity": 4, "net_price": "95.00", "sell_price": "135.50"})
        hold = rpc.ticketing.place_hold({"channel": "consultant", "reference": "Q-1001 v2", "lines": [
            {"product_id": product_id, "day": DAY.isoformat(), "quantity": 2,
             "travellers": [{"name": "Pierre Durand"}, {"name": "Marie Durand"}]}]})
        booking = rpc.ticketing.confirm_hold(hold["id"])
        change = rpc.ticketing.change_booking_line(booking["locator"], booking["lines"][0]["id"],
                                                   {"day": (DAY + timedelta(1)).isoformat()})
        rpc.ticketing.cancel_booking(booking["locator"])
        rpc.ticketing.refund_booking_line(booking["locator"], booking["lines"][0]["id"],
                                          {"amount": "50.00", "reason": "change fee waived"})
        events = wait_for(lambda: len(received()) >= 6 and received(), message="six events")
    by_type = {body["type"]: body["payload"] for body, _ in events}
    assert set(by_type) >= {f"ticketing.{n}" for n in names} | {"ticketing.inventory_changed"}
    confirmed = by_type["ticketing.booking_confirmed"]
    assert confirmed["locator"] == booking["locator"] and confirmed["total_sell"] == "240.00"
    assert confirmed["lines"][0]["travellers"][1]["name"] == "Marie Durand"
    assert by_type["ticketing.booking_changed"]["fare_difference"] == "31.00"
    assert str(change["fare_difference"]) == "31.00"
    refunded = by_type["ticketing.booking_refunded"]
    assert (refunded["locator"], refunded["amount"], refunded["line"]["travellers"][0]["name"]) == \
        (booking["locator"], "50.00", "Pierre Durand")


def test_expired_holds_are_released_by_the_timer(start_service, rpc, amqp, nameko_config):
    container = start_service(TicketingService)
    product_id = open_flight(rpc, capacity=2)
    hold = rpc.ticketing.place_hold({"channel": "online", "lines": [
        {"product_id": product_id, "day": DAY.isoformat(), "quantity": 2}]})
    engine = create_engine(container.config["DATABASE_URLS"]["ticketing"])
    with engine.begin() as conn:  # the clock moves on: the option lapses
        conn.execute(text("UPDATE holds SET expires_at = :t WHERE id = :h"),
                     {"t": "2000-01-01 00:00:00", "h": hold["id"]})
    engine.dispose()
    assert rpc.ticketing.get_inventory(product_id, DAY, DAY)[0]["available"] == 2
    with subscribe(amqp, nameko_config, "ticketing.hold_expired") as received:
        [(event, _)] = wait_for(received, timeout=15, message="hold_expired")
    assert event["payload"]["id"] == hold["id"]
    assert rpc.ticketing.get_hold(hold["id"])["status"] == "expired"


def test_holds_granted_before_a_supplier_cut_confirm_while_bookings_fit(start_service, rpc, amqp, nameko_config,
                                                                        backend):
    start_service(TicketingService)
    product_id = open_flight(rpc, capacity=10)
    granted = [rpc.ticketing.place_hold({"channel": "consultant", "lines": [
        {"product_id": product_id, "day": DAY.isoformat(), "quantity": 1}]})["id"] for _ in range(4)]
    with subscribe(amqp, nameko_config, "ticketing.overbooked") as received:
        cut = rpc.ticketing.set_inventory(product_id, {"start": DAY.isoformat(), "end": DAY.isoformat(),
                                                       "capacity": 2})
        [(event, _)] = wait_for(received, message="ticketing.overbooked")
    assert cut["overbooked"] == [{"day": DAY, "capacity": 2, "booked": 0, "held": 4, "short_by": 2}]
    assert {k: event["payload"][k] for k in ("day", "capacity", "booked", "held", "short_by")} == \
        {"day": DAY.isoformat(), "capacity": 2, "booked": 0, "held": 4, "short_by": 2}
    [day] = rpc.ticketing.get_inventory(product_id, DAY, DAY)
    assert (day["overbooked"], day["status"], day["available"]) == (True, "overbooked", 0)

    outcomes = []
    for hold_id in granted:
        try:
            outcomes.append(rpc.ticketing.confirm_hold(hold_id)["status"])
        except Conflict as refused:
            outcomes.append(str(refused))
    assert outcomes[:2] == ["confirmed", "confirmed"]
    assert all("Only 0 left" in refusal for refusal in outcomes[2:]), outcomes
    [day] = rpc.ticketing.get_inventory(product_id, DAY, DAY)
    assert (day["booked"], day["held"], day["overbooked"]) == (2, 2, True)
    for hold_id in granted[2:]:
        rpc.ticketing.release_hold(hold_id)
    [day] = rpc.ticketing.get_inventory(product_id, DAY, DAY)
    assert (day["booked"], day["held"], day["overbooked"], day["status"]) == (2, 0, False, "sold_out")


def test_the_prune_timer_forgets_supplier_messages_past_the_retention(start_service, rpc):
    from nameko.testing.services import entrypoint_hook

    container = start_service(TicketingService, SUPPLIER_MESSAGE_RETENTION_DAYS=7)
    supplier = rpc.ticketing.create_supplier({"name": "Hôtel du Lac", "kind": "hotel"})
    engine = create_engine(container.config["DATABASE_URLS"]["ticketing"])
    try:
        with engine.begin() as conn:
            for message_id, days in (("old", 8), ("recent", 6)):
                conn.execute(text("INSERT INTO supplier_messages (supplier_id, message_type, message_id, channel, "
                                  "status, response, received_at) VALUES (:s, 'amqp_inventory', :m, "
                                  "'supplier_amqp', 200, '{}', :t)"),
                             {"s": supplier["id"], "m": message_id,
                              "t": datetime.now(timezone.utc) - timedelta(days=days)})
        with entrypoint_hook(container, "prune_supplier_messages") as prune:
            assert prune() == 1
        with engine.connect() as conn:
            assert conn.execute(text("SELECT message_id FROM supplier_messages")).scalars().all() == ["recent"]
    finally:
        engine.dispose()
