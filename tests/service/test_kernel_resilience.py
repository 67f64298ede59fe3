"""When the broker or the database fails under an event handler, the service stays up and the
event is handled later: nameko would kill the container instead."""
from decimal import Decimal

import pytest
from sqlalchemy.exc import OperationalError

from services.common import inbox
from services.common.redelivery import Redelivery
from tests.conftest import wait_for

from . import probes
from .test_kernel import purge, queue_depth

pytestmark = pytest.mark.service


def test_a_retry_the_broker_refuses_leaves_the_event_for_redelivery(start_service, rpc, amqp, monkeypatch):
    dead_letters = "evt-ledger-payment_recorded--brokenauditor.on_payment_recorded.dead-letter"
    purge(amqp, dead_letters)
    probes.handler_calls.pop("brokenauditor", None)
    real = Redelivery.retry_or_park
    refused = []

    def broker_gone_once(self, *args, **kwargs):
        if not refused:
            refused.append(1)
            raise ConnectionRefusedError(111, "Connection refused")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Redelivery, "retry_or_park", broker_gone_once)
    auditor = start_service(probes.BrokenAuditorService)
    start_service(probes.LedgerService)

    rpc.ledger.record(Decimal("42.00"), "EUR")

    wait_for(lambda: queue_depth(amqp, dead_letters) == 1, message="message in the dead-letter queue")
    assert refused and not auditor._died.ready()
    assert probes.handler_calls["brokenauditor"] == 4  # the refused retry, then EVENT_MAX_ATTEMPTS


def test_an_inbox_check_that_fails_does_not_stop_the_handler(start_service, rpc, monkeypatch):
    failed = []

    def database_down_once(*args):
        if not failed:
            failed.append(1)
            raise OperationalError("SELECT", {}, Exception("could not connect to server"))
        return False

    monkeypatch.setattr(inbox, "already_processed", database_down_once)
    auditor = start_service(probes.AuditorService)
    start_service(probes.LedgerService)
    rpc.ledger.record(Decimal("6.00"), "EUR")
    entries = wait_for(rpc.auditor.entries, message="the event handled")
    assert failed and not auditor._died.ready()
    assert [e["amount"] for e in entries] == [Decimal("6.00")]


def test_connections_closed_by_the_broker_under_load_cost_no_service_and_no_double_command(
        start_service, nameko_config):
    """What a broker restart does to a running service: the broker closes every connection (here
    only this test's vhost's). Clients repeat what got no answer under the same request id."""
    import shutil
    import subprocess
    import uuid
    from urllib.parse import unquote, urlsplit

    import eventlet
    from nameko.standalone.rpc import ClusterRpcProxy

    from services.ticketing.service import TicketingService
    from .test_ticketing import DAY, open_flight, units_held

    vhost = unquote(urlsplit(nameko_config["AMQP_URI"]).path[1:])
    if not vhost or not shutil.which("rabbitmqctl"):
        pytest.skip("needs a private vhost on a local broker")
    container = start_service(TicketingService)
    with ClusterRpcProxy(nameko_config, timeout=15) as rpc:
        product_id = open_flight(rpc, capacity=1000)
    answers, failures = {}, []

    def command(request_id):
        for _ in range(20):
            try:
                with ClusterRpcProxy(nameko_config, timeout=3,
                                     context_data={"request_id": request_id}) as client:
                    answers[request_id] = client.ticketing.place_hold({"channel": "online", "lines": [
                        {"product_id": product_id, "day": DAY.isoformat(), "quantity": 1}]})["id"]
                    return
            except Exception as exc:  # connection closed, no answer in time, service reconnecting
                failures.append(type(exc).__name__)
                eventlet.sleep(0.3)

    # The broker closes every connection twice while the commands run (a process of its own,
    # so the closes come while the service is busy, whatever eventlet's hub is doing).
    close = f"rabbitmqctl -q close_all_connections --vhost '{vhost}' 'test: broker restart'"
    closer = subprocess.Popen(["sh", "-c", f"sleep 0.5; {close}; sleep 1; {close}"])
    ids = [uuid.uuid4().hex for _ in range(300)]
    pool = eventlet.GreenPool(10)
    for request_id in ids:
        pool.spawn(command, request_id)
    pool.waitall()
    assert closer.wait(timeout=60) == 0

    assert not container._died.ready()
    assert sorted(answers) == sorted(ids)  # every command answered in the end
    assert len(set(answers.values())) == len(ids)
    assert units_held(container.config["DATABASE_URLS"]["ticketing"], product_id) == len(ids)  # each once
    # Between a close and the service's reconnection its queue is gone (callers get a quick
    # UnknownService, the gateway 503): it answers again once it reconnected.
    with ClusterRpcProxy(nameko_config, timeout=15) as rpc:
        wait_for(lambda: _healthy(rpc), timeout=60, interval=0.2, message="ticketing answering again")
    print(f"\n{len(ids)} commands; calls repeated: {len(failures)} ({', '.join(sorted(set(failures)))})")


def _healthy(rpc) -> bool:
    try:
        return rpc.ticketing.health()["database"] == "ok"
    except Exception:  # UnknownService until it reconnected
        return False
