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
