"""Commands sent straight to the services over AMQP: a repeated request id changes nothing the
second time, and a request whose caller gave up never runs."""
import time
import uuid

import pytest
from nameko.exceptions import UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from services.common import commands  # noqa: F401 (registers RequestExpired, so it re-raises typed)

from .harness import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]


def _hold(inventory, reference):
    return {"lines": [{"product_id": inventory["product_id"], "day": inventory["day"], "quantity": 1}],
            "reference": reference, "expires_in_minutes": 600}


def _available(suite, rpc, inventory):
    days = rpc.ticketing.get_inventory(inventory["product_id"], *(2 * [_day(inventory)]))
    return days[0]["available"]


def _day(inventory):
    from datetime import date

    return date.fromisoformat(inventory["day"])


def test_a_repeated_command_changes_nothing_the_second_time(healthy, inventory, figures):
    request_id = "faults-" + uuid.uuid4().hex
    reference = uuid.uuid4().hex
    context = {"request_id": request_id, "correlation_id": request_id, "actor": "fault-tier"}
    config = healthy.nameko_config()
    # Reads go without the request id: a request id makes any call a command with one outcome.
    with ClusterRpcProxy(config, timeout=15, context_data={"actor": "fault-tier"}) as reader, \
            ClusterRpcProxy(config, timeout=15, context_data=context) as rpc:
        available = _available(healthy, reader, inventory)
        first = rpc.ticketing.place_hold(_hold(inventory, reference))
        second = rpc.ticketing.place_hold(_hold(inventory, reference))
        customer = rpc.crm.create_customer({"full_name": "Repetida Una Vez", "notes": reference})
        customer_again = rpc.crm.create_customer({"full_name": "Repetida Una Vez", "notes": reference})
        available_after = _available(healthy, reader, inventory)

    holds = healthy.query("ticketing", "SELECT id FROM holds WHERE reference = ?", (reference,))
    customers = healthy.query("crm", "SELECT id FROM customers WHERE notes = ?", (reference,))
    figures["redelivered command (same request_id twice)"] = {
        "commands_sent": 4, "holds_created": len(holds), "customers_created": len(customers),
        "units_taken": available - available_after, "duplicate_rows": len(holds) + len(customers) - 2}
    assert second == first and customer_again == customer, "the repeat returns the first outcome"
    assert [h[0] for h in holds] == [first["id"]] and [c[0] for c in customers] == [customer["id"]]
    assert available - available_after == 1


def test_a_request_whose_caller_gave_up_never_runs(healthy, api, inventory, figures):
    """While ticketing is stopped: a request with an AMQP expiration and a deadline, one with only
    the deadline, and one through the gateway (which answers 503/504). Once it is back: one that
    arrives after its deadline. None of them may ever run. (With nobody consuming, a request may
    also be refused at once as unroutable: that is not running it either.)"""
    references = {way: uuid.uuid4().hex for way in ("expiration", "deadline", "gateway", "late arrival")}
    refused_at_once = 0
    healthy.stop_process("ticketing")
    try:
        config = healthy.nameko_config()
        for way in ("expiration", "deadline"):
            with ClusterRpcProxy(config, timeout=15, context_data=_context(time.time() + 2)) as rpc:
                if way == "expiration":
                    rpc.ticketing.options["expiration"] = 2  # seconds: the broker drops it after that
                try:
                    rpc.ticketing.place_hold.call_async(_hold(inventory, references[way]))
                except UnknownService:
                    refused_at_once += 1
        started = time.monotonic()
        answer = api.call("POST", "/api/v1/holds", _hold(inventory, references["gateway"]),
                          key=references["gateway"], retry=False)
        gateway_seconds = round(time.monotonic() - started, 1)
        time.sleep(3)  # every deadline above has passed
    finally:
        healthy.start_process("ticketing")
    healthy.wait_ready(60)
    with ClusterRpcProxy(healthy.nameko_config(), timeout=15, context_data=_context(time.time() - 1)) as rpc:
        try:
            late = rpc.ticketing.place_hold(_hold(inventory, references["late arrival"]))
        except Exception as exc:  # noqa: BLE001 (the refusal is what we expect; recorded below)
            late = type(exc).__name__
        time.sleep(2)  # anything still queued ahead of that call has had its chance to run

    ran = {way: len(healthy.query("ticketing", "SELECT id FROM holds WHERE reference = ?", (ref,)))
           for way, ref in references.items()}
    figures["expired request (caller gave up)"] = {
        "requests_sent": 4, "refused_unroutable": refused_at_once,
        "gateway_answer": answer.status_code if answer is not None else None,
        "gateway_answer_seconds": gateway_seconds, "late_arrival_answer": str(late)[:60],
        "ran": sum(ran.values()), "ran_by_way": ran}
    assert answer is not None and answer.status_code in (503, 504), answer and answer.text
    assert ran == {way: 0 for way in references}, ran


def _context(deadline: float) -> dict:
    return {"request_id": "faults-" + uuid.uuid4().hex, "deadline": str(deadline),
            "correlation_id": "faults-expired", "actor": "fault-tier"}


def test_the_same_request_message_delivered_twice_runs_once(healthy, inventory, figures):
    """One AMQP request message, byte for byte, published twice (what a redelivery after a lost
    ack looks like to the service): two replies with the same hold, one hold in the database."""
    from kombu import Connection, Queue
    from nameko.rpc import get_rpc_exchange

    reference = uuid.uuid4().hex
    exchange = get_rpc_exchange(healthy.nameko_config())
    replies = Queue("faults-replies-" + reference, exchange=exchange, routing_key="faults-replies-" + reference,
                    auto_delete=True)
    headers = {"nameko.request_id": "faults-" + reference, "nameko.correlation_id": "faults-" + reference,
               "nameko.actor": "fault-tier"}
    body = {"args": [_hold(inventory, reference)], "kwargs": {}}
    answers = []
    with Connection(healthy.broker.uri) as connection:
        channel = connection.default_channel
        bound = replies(channel)
        bound.declare()
        producer = connection.Producer(channel)
        for _ in range(2):
            producer.publish(body, exchange=exchange, routing_key="ticketing.place_hold", serializer="json",
                             headers=headers, reply_to=replies.routing_key, correlation_id=reference,
                             mandatory=True)

        def collect():
            while (message := bound.get(no_ack=True)) is not None:
                answers.append(message.payload)
            return len(answers) == 2
        wait_until(collect, 30, "two replies")

    holds = healthy.query("ticketing", "SELECT id FROM holds WHERE reference = ?", (reference,))
    figures["the same request message delivered twice"] = {
        "messages_published": 2, "replies": len(answers), "holds_created": len(holds),
        "duplicate_rows": max(0, len(holds) - 1)}
    assert [a["error"] for a in answers] == [None, None], answers
    assert answers[0]["result"]["id"] == answers[1]["result"]["id"]
    assert [h[0] for h in holds] == [answers[0]["result"]["id"]]
