"""A message no one can decode is parked where someone can see it, and the service keeps serving."""
import time

import pytest
from kombu import Connection, Exchange, Queue

from .harness import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.timeout(180)]

POISON = b'{"id": "poison", "payload": \xff not json'


def _publish_raw(suite, queue_name: str):
    with Connection(suite.broker.uri) as connection:
        connection.Producer().publish(POISON, exchange=Exchange("", type="direct"), routing_key=queue_name,
                                      content_type="application/json", content_encoding="binary",
                                      delivery_mode=2)


def _depth(suite, queue_name: str) -> int:
    with Connection(suite.broker.uri) as connection:
        try:
            return Queue(queue_name, channel=connection.default_channel).queue_declare(passive=True).message_count
        except Exception:  # noqa: BLE001 (not declared: nothing in it)
            return 0


def test_poison_event_is_parked_and_the_service_keeps_serving(healthy, figures):
    queue = "evt-ticketing-booking_confirmed--crm.on_booking_confirmed"
    dead = queue + ".dead-letter"
    pids, parked_before = healthy.pids(), _depth(healthy, dead)

    _publish_raw(healthy, queue)

    wait_until(lambda: _depth(healthy, dead) == parked_before + 1, 30, f"the poison message parked in {dead}")
    healthy.wait_ready(30)
    figures["poison message (event queue)"] = {"published": 1, "parked": _depth(healthy, dead) - parked_before,
                                               "left_in_queue": _depth(healthy, queue),
                                               "process_restarts": int(healthy.pids()["crm"] != pids["crm"])}
    assert healthy.pids()["crm"] == pids["crm"], "crm kept running"
    assert _depth(healthy, queue) == 0


def test_poison_rpc_request_does_not_stop_the_service(healthy, figures):
    pids = healthy.pids()

    _publish_raw(healthy, "rpc-crm")

    time.sleep(2)  # crm has received it by now
    healthy.wait_ready(30)
    figures["poison message (RPC queue)"] = {"published": 1, "left_in_queue": _depth(healthy, "rpc-crm"),
                                             "process_restarts": int(healthy.pids()["crm"] != pids["crm"])}
    assert healthy.pids()["crm"] == pids["crm"], f"crm exited on an undecodable request:\n{healthy.log_tail('crm')}"
    assert _depth(healthy, "rpc-crm") == 0, "the request is not redelivered forever"
