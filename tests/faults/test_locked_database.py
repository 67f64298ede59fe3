"""ticketing's database write-locked by someone else for longer than the gateway waits:
answers say "busy, try again" (503/504/409) or succeed after, never 500, never a double effect."""
import sqlite3
import time

import pytest

from .harness import Load, audit

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

LOCK_SECONDS = 8  # longer than the gateway's RPC timeout (5 s in this tier)


def test_locked_database_gives_busy_or_success_never_500(healthy, api, inventory, figures):
    sent, statuses = api.sent, api.statuses.copy()
    load = Load(api, inventory, threads=2, per_thread=8)

    def lock():
        connection = sqlite3.connect(healthy.var / "ticketing.db", timeout=30, isolation_level=None)
        try:
            connection.execute("BEGIN EXCLUSIVE")  # in WAL mode: no other writer until we end
            time.sleep(LOCK_SECONDS)
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    load.run(fault=lock, after=0)
    healthy.wait_ready(60)
    counts = audit(healthy, load.outcomes)
    answers = dict(api.statuses - statuses)
    figures["locked database (ticketing, 8 s exclusive lock)"] = {
        "requests_sent": api.sent - sent, "answers_by_status": answers, **counts}

    assert "500" not in answers, answers
    assert set(answers) <= {"201", "409", "503", "504"}, answers
    assert all(o["status"] == 201 for o in load.outcomes)
    assert counts["duplicate_rows"] == 0 and counts["orphaned_rows"] == 0 and counts["answered_but_missing"] == 0
