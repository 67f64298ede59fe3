"""`python -m bench.push_inprocess [--against REV]`: a supplier push in the service's own code, no broker.

The call path of a push (pushes.apply_batch on a Session, then commit) for 20 products x 365
days on a fresh ticketing database per round (SQLite temp file; PostgreSQL too if it answers
at ITINERA_BENCH_PG, default postgresql://postgres@127.0.0.1:5432/postgres, in a throwaway
database). Three pushes per round: the first (every date new), the same batch again (every
date stale), and a newer sequence with new prices (every date changed). Prints the median
product-days/s of 5 rounds as a markdown table.

--against REV also times services/ticketing/inventory.py as it was at git revision REV, in
the same run and interleaved round by round, so the two are compared under the same load.
"""
import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from services.common.db import make_engine, utcnow
from services.common.migrations import upgrade
from services.ticketing import inventory, pushes
from services.ticketing.models import Product, Supplier

DAYS, PRODUCTS, ROUNDS = 365, 20, 5
MIGRATIONS = str(Path(__file__).resolve().parent.parent / "services" / "ticketing" / "migrations")
PG_URL = os.environ.get("ITINERA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PUSHES = ("first", "stale", "changed")


def batch(codes, start: date, sequence: int, price: str) -> list[dict]:
    end = start + timedelta(DAYS - 1)
    return [{"product_code": code, "start": start.isoformat(), "end": end.isoformat(), "capacity": 1000,
             "net_price": price, "sell_price": "120.00", "sequence": sequence} for code in codes]


def seed(engine) -> tuple[str, list[str]]:
    with Session(engine) as session, session.begin():
        supplier = Supplier(id=str(uuid.uuid4()), name="Bench", kind="hotel", contacts=[],
                            created_at=utcnow(), created_by="bench")
        session.add(supplier)
        codes = [f"P{n:02d}" for n in range(PRODUCTS)]
        session.add_all(Product(id=str(uuid.uuid4()), supplier_id=supplier.id, supplier_code=code, kind="hotel",
                                name=f"Room {code}", location="Lijiang", destination="Lijiang", attributes={},
                                currency="CNY", created_at=utcnow(), created_by="bench") for code in codes)
        return supplier.id, codes


def timed(engine, supplier_id: str, updates: list[dict], today: date, expect: str) -> float:
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session, session.begin():
        supplier = session.get(Supplier, supplier_id)
        results, _ = pushes.apply_batch(session, supplier, updates, source="supplier_json", message_id="bench",
                                        today=today)
    seconds = time.perf_counter() - started
    counted = "applied_days" if expect != "stale" else "stale_days"
    if sum(r.get(counted, 0) for r in results) != DAYS * PRODUCTS:
        raise RuntimeError(f"the {expect} push did not do what it should: {results[0]}")
    return DAYS * PRODUCTS / seconds


def one_round(url: str) -> dict[str, float]:
    engine = make_engine(url)
    try:
        upgrade(engine, MIGRATIONS)
        supplier_id, codes = seed(engine)
        today = date.today()
        return {"first": timed(engine, supplier_id, batch(codes, today, 1, "90.00"), today, "first"),
                "stale": timed(engine, supplier_id, batch(codes, today, 1, "90.00"), today, "stale"),
                "changed": timed(engine, supplier_id, batch(codes, today, 2, "95.50"), today, "changed")}
    finally:
        engine.dispose()


def sqlite_database():
    folder = tempfile.TemporaryDirectory(prefix="push-bench-")
    yield f"sqlite:///{folder.name}/ticketing.db"
    folder.cleanup()


def postgres_database():
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"push_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def postgres_answers() -> bool:
    try:
        engine = create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: the SQLite rows still stand
        print(f"PostgreSQL at {PG_URL} does not answer ({type(exc).__name__}); SQLite only.", file=sys.stderr)
        return False


def inventory_at(revision: str):
    """services/ticketing/inventory.py as it was at `revision`, importable beside today's."""
    source = subprocess.run(["git", "show", f"{revision}:services/ticketing/inventory.py"], check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("services.ticketing._inventory_then", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "services.ticketing"
    exec(compile(source, f"{revision}:services/ticketing/inventory.py", "exec"), module.__dict__)  # noqa: S102
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="also time inventory.py as of this git revision")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    load_before = _load()
    variants = {"this tree": inventory}
    if args.against:
        variants = {args.against: inventory_at(args.against)} | variants
    backends = {"SQLite": sqlite_database}
    if postgres_answers():
        backends["PostgreSQL"] = postgres_database
    rates = {(backend, variant): {p: [] for p in PUSHES} for backend in backends for variant in variants}
    for _ in range(args.rounds):
        for backend, database in backends.items():
            for variant, module in variants.items():
                pushes.inventory = module  # what apply_batch calls
                try:
                    for url in database():
                        for push, rate in one_round(url).items():
                            rates[(backend, variant)][push].append(rate)
                finally:
                    pushes.inventory = inventory
    print(f"load average (1, 5, 15 min) before: {load_before}, after: {_load()}")
    print(f"{PRODUCTS} products x {DAYS} days per push, median of {args.rounds} rounds, product-days/s\n")
    print("| backend | code | " + " | ".join(f"{p} push" for p in PUSHES) + " |")
    print("|---|---|" + "---:|" * len(PUSHES))
    for (backend, variant), by_push in rates.items():
        print(f"| {backend} | {variant} | " + " | ".join(f"{statistics.median(by_push[p]):,.0f}" for p in PUSHES) + " |")
    return 0


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
