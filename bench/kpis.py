"""Feedback's KPIs (issue 13) over a year of facts, beside the echo baseline.

A year (2027) of what the KPIs are built from is put straight into feedback's tables by this
process with bulk Core inserts (replaying 140,000 events through the broker would take longer than
the rest of the run): 100,000 bookings by 12 ticketing staff (3 % changed or cancelled for the
agency's error), 5,000 complaints (opened, first answered, resolved), 20,000 survey answers and
6,000 contracts and 8,000 decided inquiries of 20 consultants, their monthly sales targets. Then
the statistics a running system would have (ANALYZE), and `feedback.kpis` for one month (every
staff member and team) is timed over the real broker, under `nameko run` (the Procfile command),
beside the bare echo RPC, and in the service's own code without the broker. Target: under 200 ms.

`python -m bench kpis` (or `python -m bench.kpis`) prints the table; SQLite, and PostgreSQL when it answers.
"""
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.common.config import amqp_uri, load_nameko_config
from services.common.db import make_engine, refresh_statistics
from services.common.migrations import upgrade
from services.common.sandbox import private_vhost
from services.feedback import kpis
from services.feedback.models import KpiFact, KpiSurveyAnswer, SalesTarget

from .harness import REPO, postgres_database, process, procfile_command, wait_until
from .load import table

BOOKINGS, COMPLAINTS, ANSWERS, CONTRACTS, INQUIRIES = 100_000, 5_000, 20_000, 6_000, 8_000
DESK, CONSULTANTS = [f"desk{n:02d}" for n in range(12)], [f"consultant{n:02d}" for n in range(20)]
YEAR_START = datetime(2027, 1, 1, tzinfo=timezone.utc)
MONTH = "2027-06"
CALLS, WARMUP = 200, 20
TARGET_MS = 200
CHUNK = 10_000
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _moment(rng) -> datetime:
    return YEAR_START + timedelta(seconds=rng.randrange(365 * 24 * 3600))


def _fact(kind, ref, at, staff, team, **extra) -> dict:
    row = {"kind": kind, "ref": ref, "subject": ref.split(":")[0], "month": kpis.month_of(at), "at": at,
           "staff": staff, "team": team, "reason": None, "flag": None, "minutes": None, "score": None,
           "amount": None, "currency": None, "supplier": None, "supplier_name": None, "category": None}
    return row | extra


def year_of_facts(seed: int = 13):
    """(facts, survey answers, targets) of one year, as dicts ready for bulk inserts."""
    rng = random.Random(seed)
    facts = []
    for n in range(BOOKINGS):
        at, who = _moment(rng), rng.choice(DESK)
        facts.append(_fact("booking", f"b{n}", at, who, "ticketing", amount=Decimal("850.00"), currency="EUR"))
        facts.append(_fact("supplier_booking", f"b{n}:s{n % 40}", at, who, "ticketing", supplier=f"s{n % 40}",
                           supplier_name=f"Supplier {n % 40}"))
        if rng.random() < 0.06:
            reason = rng.choice(("agency_error", "customer_request"))
            facts.append(_fact(rng.choice(("booking_change", "booking_cancel")), f"b{n}:1",
                               at + timedelta(days=2), who, "ticketing", reason=reason,
                               flag=reason == "agency_error"))
    for n in range(COMPLAINTS):
        at, who = _moment(rng), rng.choice(CONSULTANTS)
        facts.append(_fact("complaint_opened", f"{n}", at, who, "consultants", category=rng.choice(
            ("hotel", "transfer", "guide", "flight")), supplier=f"s{n % 40}", supplier_name=f"Supplier {n % 40}"))
        answered = rng.randrange(30, 3000)
        facts.append(_fact("complaint_responded", f"{n}", at + timedelta(minutes=answered), who, "consultants",
                           minutes=answered))
        if rng.random() < 0.92:
            resolved = answered + rng.randrange(60, 4000)
            facts.append(_fact("complaint_resolved", f"{n}:r", at + timedelta(minutes=resolved), who,
                               "consultants", minutes=resolved))
    for n in range(CONTRACTS):
        at, who = _moment(rng), rng.choice(CONSULTANTS)
        facts.append(_fact("contract", f"of{n}", at, who, "consultants",
                           amount=Decimal(rng.randrange(1000, 9000)).quantize(Decimal("0.01")), currency="EUR"))
        if rng.random() < 0.15:
            reason = rng.choice(("agency_error", "customer_request", "supplier"))
            facts.append(_fact("contract_amendment", f"of{n}:2", at + timedelta(days=3), who, "consultants",
                               reason=reason, flag=reason == "agency_error"))
    for n in range(INQUIRIES):
        won = rng.random() < 0.4
        facts.append(_fact("inquiry_decision", f"i{n}:{'won' if won else 'lost'}", _moment(rng),
                           rng.choice(CONSULTANTS), "consultants", reason="won" if won else "lost", flag=won))
    answers = []
    for n in range(ANSWERS):
        at = _moment(rng)
        score = lambda: rng.choice((None, 1, 2, 3, 4, 4, 5, 5, 5))  # noqa: E731
        answers.append({"survey_id": f"sv{n}", "month": kpis.month_of(at), "answered_at": at, "customer_id": "c",
                        "order_number": f"OF-{n}", "consultant": rng.choice(CONSULTANTS), "itinerary": score(),
                        "accommodation": score(), "transport": score(), "guide": score(),
                        "consultant_score": score(), "recommend": rng.randrange(11), "comment": None})
    now = datetime.now(timezone.utc)
    targets = [{"staff": who, "month": f"2027-{m:02d}", "amount": Decimal("25000.00"), "currency": "EUR",
                "updated_at": now, "updated_by": "bench"} for who in CONSULTANTS for m in range(1, 13)]
    return facts, answers, targets


def seed(url: str) -> dict:
    """Migrate a fresh feedback database and fill it with the year; what went in, how long it took."""
    engine = make_engine(url)
    try:
        upgrade(engine, str(REPO / "services" / "feedback" / "migrations"))
        facts, answers, targets = year_of_facts()
        started = time.perf_counter()
        with engine.begin() as connection:
            for table_, rows in ((KpiFact.__table__, facts), (KpiSurveyAnswer.__table__, answers),
                                 (SalesTarget.__table__, targets)):
                for start in range(0, len(rows), CHUNK):
                    connection.execute(insert(table_), rows[start:start + CHUNK])
        with engine.begin() as connection:
            refresh_statistics(connection)
            if connection.dialect.name == "postgresql":  # what autovacuum would do after that many rows
                connection.exec_driver_sql("ANALYZE")
        return {"facts": len(facts), "answers": len(answers), "seconds": time.perf_counter() - started}
    finally:
        engine.dispose()


def in_process_ms(url: str, calls: int = 50) -> list[float]:
    """month_kpis in this process, no broker: the query and the arithmetic alone."""
    engine = make_engine(url)
    times = []
    try:
        for _ in range(calls):
            with Session(engine) as session:
                started = time.perf_counter()
                kpis.month_kpis(session, MONTH)
                times.append((time.perf_counter() - started) * 1000)
    finally:
        engine.dispose()
    return times


def timed(call, calls: int = CALLS, warmup: int = WARMUP) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def row(label: str, times: list[float]) -> list[str]:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    verdict = "" if "kpis" not in label else ("yes" if p95 < TARGET_MS else "NO")
    return [label, str(len(times)), f"{statistics.mean(times):.1f}", f"{statistics.median(times):.1f}",
            f"{p95:.1f}", f"{max(times):.1f}", verdict]


def run() -> str:
    from nameko.standalone.rpc import ClusterRpcProxy

    from services.common import serialization

    serialization.register()
    rows, notes = [], []
    with tempfile.TemporaryDirectory(prefix="itinera-bench-kpis-") as tmp, \
            private_vhost(amqp_uri(), "itinera-bench") as (uri, note):
        tmp = Path(tmp)
        config = {**load_nameko_config(), "AMQP_URI": uri}
        env = {"AMQP_URI": uri, "ITINERA_VAR_DIR": str(tmp / "var"), "FEEDBACK_DATABASE_URL": None}
        with process("echo", "nameko run --config deploy/nameko.yml bench.echo:EchoService", env, tmp) as echo, \
                ClusterRpcProxy(config, timeout=30) as rpc:
            wait_until("echo", lambda: rpc.bench_echo.echo(1) == 1, [echo])
            rows.append(row("echo RPC (baseline)", timed(lambda: rpc.bench_echo.echo({"n": 1, "s": "hello"}))))

            def one_backend(backend: str, url: str):
                print(f"bench kpis: seeding a year on {backend}", file=sys.stderr, flush=True)
                seeded = seed(url)
                notes.append(f"{backend}: {seeded['facts']:,} facts and {seeded['answers']:,} survey answers "
                             f"inserted in {seeded['seconds']:.1f} s")
                with process(f"feedback-{backend}", procfile_command("feedback"),
                             {**env, "FEEDBACK_DATABASE_URL": url}, tmp) as feedback:
                    wait_until(f"feedback on {backend}", lambda: rpc.feedback.health(), [feedback], timeout=90)
                    answer = rpc.feedback.kpis({"month": MONTH})
                    notes.append(f"{backend}: kpis({MONTH}) answers {len(answer['staff'])} staff members and "
                                 f"{len(answer['teams'])} teams")
                    rows.append(row(f"feedback.kpis RPC, a month of a year ({backend})",
                                    timed(lambda: rpc.feedback.kpis({"month": MONTH}))))
                rows.append(row(f"kpis.month_kpis in process, no broker ({backend})", in_process_ms(url)))

            one_backend("sqlite", f"sqlite:///{tmp / 'feedback.db'}")
            with postgres_database(PG_ADMIN_URL, "itinera_bench_feedback") as pg_url:
                if pg_url:
                    one_backend("postgresql", pg_url)
                else:
                    notes.append("PostgreSQL did not answer: SQLite only")
        notes.append(f"broker: {note}")
    head = ["what", "calls", "mean ms", "p50 ms", "p95 ms", "max ms", f"p95 < {TARGET_MS} ms"]
    return table(head, rows) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def main() -> int:
    print(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
