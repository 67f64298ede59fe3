"""RabbitMQ restarted under load, gracefully and by kill -9 of the node: every process rides it
out, every request the client saw succeed exists once, no key made two records, no event lost."""
import time

import pytest

from .harness import EventTap, Load

pytestmark = [pytest.mark.faults, pytest.mark.timeout(360)]


def _restart_under_load(suite, api, inventory, figures, name, fault):
    tap = EventTap(suite, name)
    pids = suite.pids()
    sent, statuses = api.sent, api.statuses.copy()
    load = Load(api, inventory, threads=3, per_thread=24)

    timings = load.run(fault=fault, after=12)
    timings["ready_after_fault_seconds"] = suite.wait_ready(60)  # the bound: every service answers again

    counts = {"requests_sent": api.sent - sent,
              "answers_by_status": dict(api.statuses - statuses)}
    counts.update(audit := _audit(suite, load, tap))
    counts["process_restarts"] = sum(1 for n, pid in suite.pids().items() if pid != pids[n])
    figures[name] = counts | timings

    exited = {n: (pids[n], pid) for n, pid in suite.pids().items() if pid != pids[n]}
    assert exited == {}, f"processes exited during the broker restart: {exited}\n{suite.log_tail('ticketing')}"
    assert all(o["status"] == 201 for o in load.outcomes), counts
    assert audit["duplicate_rows"] == 0 and audit["orphaned_rows"] == 0 and audit["answered_but_missing"] == 0
    assert audit["events_lost"] == 0 and audit["events_duplicated_new_id"] == 0
    assert "500" not in counts["answers_by_status"], "a broker outage must read 503, not 500"


def _audit(suite, load, tap):
    from .harness import audit

    return audit(suite, load.outcomes, tap)


def test_graceful_broker_restart_under_load(healthy, api, inventory, figures):
    broker = healthy.broker

    def restart():
        broker.stop_app()
        time.sleep(3)  # requests keep coming while the broker is away
        broker.start_app()

    _restart_under_load(healthy, api, inventory, figures, "broker restart (stop_app/start_app)", restart)


def test_hard_broker_kill_under_load(healthy, api, inventory, figures):
    broker = healthy.broker

    def kill_and_restart():
        broker.kill()
        time.sleep(2)
        broker.start()  # the same name and data directory: durable queues and persistent messages return

    _restart_under_load(healthy, api, inventory, figures, "broker kill -9 and restart", kill_and_restart)
