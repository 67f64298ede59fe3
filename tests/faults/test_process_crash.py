"""Processes killed: supervisord restarts them, and a client retrying with its Idempotency-Key
gets the first outcome, never a second record."""
import sqlite3
import threading
import time
import uuid

import pytest

from .harness import EventTap, Load, audit, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]


def test_kill_between_commit_and_reply_returns_the_first_outcome(healthy, api, inventory, figures):
    """The kernel's crash hook (ITINERA_CRASH_AFTER_COMMIT=ticketing.place_hold) exits the process
    right after the hold is committed, before the reply: the worst moment for a retry."""
    before = healthy.pids()["ticketing"]
    sent, statuses = api.sent, api.statuses.copy()
    key = uuid.uuid4().hex
    body = {"lines": [{"product_id": inventory["product_id"], "day": inventory["day"], "quantity": 1}],
            "reference": key, "expires_in_minutes": 600}
    healthy.crash_marker.unlink()  # arms the hook for one call

    response = api.call("POST", "/api/v1/holds", body, key=key)

    assert healthy.crash_marker.exists(), "the crash hook did not fire: ticketing did not exit after the commit"
    restarted = wait_until(lambda: healthy.pids()["ticketing"] not in (0, before) and healthy.pids()["ticketing"],
                           60, "supervisord restarting ticketing")
    healthy.wait_ready(60)
    time.sleep(1)  # the request redelivered to the new process has run by now, if it was going to
    holds = healthy.query("ticketing", "SELECT id FROM holds WHERE reference = ?", (key,))
    figures["kill -9 between commit and reply"] = {
        "requests_sent": api.sent - sent, "answers_by_status": dict(api.statuses - statuses),
        "process_restarts": int(restarted != before), "holds_for_the_key": len(holds),
        "duplicate_rows": max(0, len(holds) - 1)}
    assert response is not None and response.status_code == 201, response and response.text
    assert [h[0] for h in holds] == [response.json()["id"]], "one hold, the one the client was told about"


def test_services_killed_under_load_are_restarted(healthy, api, inventory, figures):
    pids = healthy.pids()
    tap = EventTap(healthy, "service-kill")
    sent, statuses = api.sent, api.statuses.copy()
    load = Load(api, inventory, threads=3, per_thread=16)

    def kill():
        healthy.kill("ticketing")
        healthy.kill("crm")

    timings = load.run(fault=kill, after=10)
    timings["ready_after_fault_seconds"] = healthy.wait_ready(60)
    counts = audit(healthy, load.outcomes, tap)
    now = healthy.pids()
    figures["services kill -9 under load"] = {
        "requests_sent": api.sent - sent, "answers_by_status": dict(api.statuses - statuses),
        "process_restarts": sum(1 for n in now if now[n] != pids[n]), **counts, **timings}

    assert now["ticketing"] != pids["ticketing"] and now["crm"] != pids["crm"], "supervisord restarted both"
    assert all(o["status"] == 201 for o in load.outcomes), counts
    assert counts["duplicate_rows"] == 0 and counts["orphaned_rows"] == 0 and counts["answered_but_missing"] == 0
    assert counts["events_lost"] == 0 and counts["events_duplicated_new_id"] == 0
    assert "500" not in figures["services kill -9 under load"]["answers_by_status"]


def test_gateway_killed_mid_request_lets_the_retry_through(healthy, api, inventory, figures):
    """gunicorn's master and workers killed at once (as a host crash would) while a hold request
    has claimed its key and waits on ticketing (whose database is write-locked meanwhile). The
    claim outlives the request timeout (5 s RPC + 5 s) and is taken over; ticketing answers the
    retry with the hold it made for the first attempt."""
    before = healthy.pids()["gateway"]
    sent, statuses = api.sent, api.statuses.copy()
    key = uuid.uuid4().hex
    body = {"lines": [{"product_id": inventory["product_id"], "day": inventory["day"], "quantity": 1}],
            "reference": key, "expires_in_minutes": 600}
    lock = sqlite3.connect(healthy.var / "ticketing.db", timeout=30, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")  # the hold waits on this
        first = threading.Thread(target=api.call, args=("POST", "/api/v1/holds", body, key),
                                 kwargs={"retry": False}, daemon=True)
        first.start()
        wait_until(lambda: healthy.query("gateway", "SELECT 1 FROM idempotency_records WHERE key = ? "
                                                   "AND status_code IS NULL", (key,)), 10, "the key claimed")
        healthy.kill("gateway")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    wait_until(lambda: healthy.pids()["gateway"] not in (0, before), 60, "supervisord restarting the gateway")
    healthy.wait_ready(60)

    response = api.call("POST", "/api/v1/holds", body, key=key, give_up_after=20)

    holds = healthy.query("ticketing", "SELECT id FROM holds WHERE reference = ?", (key,))
    figures["gateway kill -9 mid-request"] = {
        "requests_sent": api.sent - sent, "answers_by_status": dict(api.statuses - statuses),
        "process_restarts": 1, "holds_for_the_key": len(holds),
        "orphaned_rows": len(holds) if response is None or response.status_code != 201 else 0}
    assert response is not None and response.status_code == 201, response and response.text
    assert [h[0] for h in holds] == [response.json()["id"]]
