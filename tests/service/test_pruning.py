"""The kernel's tables are pruned on a timer, each after its own retention, on both backends."""
import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, insert, select

from services.common import pruning
from services.common.db import utcnow
from tests.conftest import wait_for

from . import probes

pytestmark = pytest.mark.service

AGES = (0.5, 1.5, 2.5, 3.5)  # days; two rows of each age, so pruning goes in several batches


def test_old_rows_go_after_their_retention_and_fresh_ones_stay(start_service, monkeypatch):
    monkeypatch.setattr(pruning, "BATCH", 3)
    container = start_service(probes.LedgerService, PRUNE_INTERVAL_SECONDS=0.2, OUTBOX_RETENTION_DAYS=1,
                              INBOX_RETENTION_DAYS=2, COMMAND_LOG_RETENTION_DAYS=3)
    tables = probes.LedgerBase.metadata.tables
    outbox, inbox, command_log = tables["outbox"], tables["inbox"], tables["command_log"]
    engine = create_engine(container.config["DATABASE_URLS"]["ledger"])
    now, owed = utcnow(), str(uuid.uuid4())
    with engine.begin() as conn:
        for age in AGES:
            at = now - timedelta(days=age)
            for n in range(2):
                conn.execute(insert(outbox).values(id=f"published-{age}-{n}", event_type="ledger.test",
                                                   envelope="{}", created_at=at, published_at=at, attempts=1))
                conn.execute(insert(inbox).values(event_id=f"{age}-{n}", handler="auditor.on_payment_recorded",
                                                  event_type="ledger.test", processed_at=at))
                conn.execute(insert(command_log).values(request_id=f"{age}-{n}", method="record",
                                                        outcome=json.dumps({"result": None}), recorded_at=at))
        # Never published: the relay still owes it to the broker, however old it is.
        conn.execute(insert(outbox).values(id=owed, event_type="ledger.test", envelope="{}",
                                           created_at=now - timedelta(days=30), attempts=9,
                                           next_attempt_at=now + timedelta(days=1)))

    def remaining():
        with engine.connect() as conn:
            return (sorted(conn.scalars(select(outbox.c.id))), sorted(conn.scalars(select(inbox.c.event_id))),
                    sorted(conn.scalars(select(command_log.c.request_id))))

    def kept(prefix, ages):
        return sorted(f"{prefix}{age}-{n}" for age in ages for n in range(2))

    try:
        expected = (sorted(kept("published-", [0.5]) + [owed]), kept("", [0.5, 1.5]), kept("", [0.5, 1.5, 2.5]))
        wait_for(lambda: remaining() == expected, message="old rows pruned")
    finally:
        engine.dispose()
