"""Contracts (issue 11): payments through the gateway, invoices issued at once, a statement import.

1. Payments: POST /api/v1/order-files/{id}/payments, 1.00 EUR each with its own Idempotency-Key,
   on order files of about 115,000 EUR (never short of balance), opened the way a desk gets them:
   a customer, an itinerary with one hand-entered hotel, its quote issued and accepted, the order
   file opened by contracts on `itinerary.quote_accepted`. Spread round robin over ORDER_FILES
   order files, then all on one (its row lock is what stops two payments overpaying). Each load
   thread is its own desk: a desk's day is locked by every payment on it, a second shared lock the
   rows are not about. Every payment still takes the year's receipt number (numbering.py).
2. Invoices: INVOICES of 10.00 EUR issued at once by INVOICE_CLIENTS clients on those order files,
   then every order file's invoices read back: the series must hold exactly 1..N.
3. Reconciliation: STATEMENT_LINES payments (bench.reconcile's day of transfers: 5,000 order files,
   most lines quoting the receipt reference, some the order number, some not matching) inserted
   by this process with bulk Core inserts, twice, on two days 60 days apart (beyond the matching
   window, so each statement meets its own 10,000 payments only). The first day's camt.053 goes
   through the import RPC; the second, the service stopped, through ContractsService.import_statement's
   own code in this process (base64, parse, store, match, the reply's dict, then commit), no broker.
"""
import base64
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import insert

from services.common.db import SqliteWriterLock, make_engine, refresh_statistics

from . import reconcile
from .load import table
from .quotes import _Unit
from .ticketing import ApiError, Http

ORDER_FILES = 16
# (concurrency, requests) of the payment rows, and each row's time budget: less than PLAN's and
# BUDGET_S, so the two passes stay near 3 minutes.
PAYMENT_PLAN = [(1, 150), (8, 400)]
PAYMENT_BUDGET_S = 8.0
ITEM_COST = "50000.00"     # per night, 2 nights, marked up: each order file is worth about 115,000 EUR
PAYMENT = "1.00"
INVOICES, INVOICE_CLIENTS, INVOICE_AMOUNT = 50, 16, "10.00"
STATEMENT_LINES = 10_000
TARGET_S = 2.0
SECOND_DAY = reconcile.DAY + timedelta(days=60)
CHUNK = 5_000


def payments_label(backend: str, files: int) -> str:
    where = "ONE order file" if files == 1 else f"{files} order files"
    return f"gateway POST /order-files/{{id}}/payments ({backend}, {where})"


def open_order_files(port: int, token: str, backend: str, count: int = ORDER_FILES) -> list[str]:
    """count order files from accepted quotes, through the gateway; their ids."""
    api = Http(port, token=token)
    try:
        api.expect("POST", "/api/v1/markup-rules", {"method": "percent", "value": "15"}, 201)
        customer = api.expect("POST", "/api/v1/customers", {
            "full_name": "Bench Payer", "email": f"payer-{uuid.uuid4().hex[:10]}@example.com"}, 201)
        start = datetime.now(timezone.utc).date() + timedelta(days=120)
        for n in range(count):
            trip = api.expect("POST", "/api/v1/itineraries", {
                "title": f"Bench trip {n + 1} ({backend})", "customer_id": customer["id"], "party": {"adults": 2},
                "start_date": start.isoformat(), "days": 3, "currency": "EUR"}, 201)
            api.expect("POST", f"/api/v1/itineraries/{trip['id']}/days/1/items", {
                "kind": "hotel", "description": "Hotel Bench", "supplier_name": "Hotel Bench", "nights": 2,
                "unit_cost": ITEM_COST, "currency": "EUR", "location": "Rome"}, 201)
            quote = api.expect("POST", f"/api/v1/itineraries/{trip['id']}/quotes", {}, 201)
            api.expect("POST", f"/api/v1/itineraries/{trip['id']}/quotes/{quote['version']}/accept", {}, 200)
        deadline = time.monotonic() + 30
        while True:  # opened by the event handler, shortly after each accept
            page = api.expect("GET", f"/api/v1/order-files?customer_id={customer['id']}&page_size={count}", None, 200)
            if len(page["items"]) == count:
                return [o["id"] for o in page["items"]]
            if time.monotonic() > deadline:
                raise ApiError(f"{len(page['items'])} of {count} order files opened after 30 s")
            time.sleep(0.2)
    finally:
        api.close()


def record_payments(port: int, token: str, order_ids: list[str]):
    """load.drive's make_client: each call a payment on the next order file, round robin."""
    turn, desks = itertools.count(), itertools.count(1)

    def make():
        api = Http(port, token=token)
        desk = f"bench-desk-{next(desks)}"

        def call():
            order_id = order_ids[next(turn) % len(order_ids)]
            api.headers["Idempotency-Key"] = uuid.uuid4().hex  # read by every request of this connection
            api.expect("POST", f"/api/v1/order-files/{order_id}/payments",
                       {"amount": PAYMENT, "currency": "EUR", "method": "card", "desk": desk}, 201)
        return call, api.close
    return make


@dataclass
class InvoiceRace:
    backend: str
    issued: int = 0
    seconds: float = 0.0
    numbers: list = field(default_factory=list)   # of the series, as read back from the order files
    others: list = field(default_factory=list)    # answers other than 201

    @property
    def gapless(self) -> bool:
        return self.issued == INVOICES and sorted(self.numbers) == list(range(1, self.issued + 1))

    def row(self) -> list[str]:
        return [self.backend, str(INVOICES), str(INVOICE_CLIENTS), str(self.issued), str(len(self.numbers)),
                f"{min(self.numbers, default=0)}..{max(self.numbers, default=0)}",
                str(len(self.numbers) - len(set(self.numbers))), "yes" if self.gapless else "NO",
                f"{self.seconds:.2f}"]


INVOICE_HEADER = ["backend", "invoices", "clients", "201", "numbers read back", "range", "duplicates",
                  "gapless 1..N", "wall s"]


def issue_invoices(port: int, token: str, order_ids: list[str], backend: str) -> InvoiceRace:
    """INVOICES POSTs from INVOICE_CLIENTS threads released together; then the series read back."""
    race, jobs, series = InvoiceRace(backend), itertools.count(), set()
    lock = threading.Lock()
    barrier = threading.Barrier(INVOICE_CLIENTS + 1)

    def client():
        api = Http(port, token=token, timeout=30)
        try:
            barrier.wait()
            while (n := next(jobs)) < INVOICES:
                api.headers["Idempotency-Key"] = uuid.uuid4().hex
                status, data = api.request("POST", f"/api/v1/order-files/{order_ids[n % len(order_ids)]}/invoices",
                                           {"amount": INVOICE_AMOUNT})
                with lock:
                    if status == 201:
                        race.issued += 1
                        series.add(json.loads(data)["series"])
                    else:
                        race.others.append(f"{status}: {data[:200].decode(errors='replace')}")
        finally:
            api.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(INVOICE_CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    race.seconds = time.perf_counter() - began
    api = Http(port, token=token)
    try:  # what the database kept, not what the answers said
        for order_id in order_ids:
            race.numbers += [i["number"] for i in api.expect("GET", f"/api/v1/order-files/{order_id}/invoices",
                                                             None, 200)
                             if i["kind"] == "invoice" and i["series"] in series]
    finally:
        api.close()
    return race


# --- the statement import --------------------------------------------------------------------


@dataclass
class Seeded:
    backend: str
    order_files: int
    payments: int
    seconds: float


def seed_statement_days(url: str, backend: str) -> tuple[Seeded, list[bytes]]:
    """Order files and payments for two statement days; the two camt.053 files, first day first."""
    from services.contracts.models import OrderFile, Payment

    engine = make_engine(url)
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    days = [reconcile.day_of_transfers(STATEMENT_LINES, day=day) for day in (reconcile.DAY, SECOND_DAY)]
    numbers = sorted({p.order_number for _, payments in days for p in payments})
    order_ids = {number: str(uuid.uuid4()) for number in numbers}
    # On SQLite, take the writer's turn as the service does (bench/busy.py says why).
    writer = SqliteWriterLock(engine.url.database) if engine.dialect.name == "sqlite" else None
    try:
        if writer is not None:
            writer.acquire()
        with engine.begin() as connection:
            rows = [{"id": order_ids[number], "order_number": number, "quote_id": str(uuid.uuid4()), "quote_version": 1,
                     "itinerary_id": str(uuid.uuid4()), "title": "Bench statement day", "start_date": SECOND_DAY,
                     "end_date": SECOND_DAY + timedelta(days=7), "currency": "EUR", "language": "en",
                     "status": "signed", "quote": {}, "payment_terms": {}, "cancellation_tiers": [], "travellers": [],
                     "entry_requirements": {}, "current_version": 1, "created_at": now, "created_by": "bench",
                     "updated_at": now} for number in numbers]
            for start in range(0, len(rows), CHUNK):
                connection.execute(insert(OrderFile.__table__), rows[start:start + CHUNK])
            rows = [{"order_file_id": order_ids[p.order_number], "receipt_number": f"BENCH-{tag}-{p.id:06d}",
                     "amount": p.amount, "currency": p.currency, "method": p.method, "reference": p.reference,
                     "desk": "bank", "business_day": p.received_on, "received_at": now, "received_by": "bench"}
                    for tag, (_, payments) in zip("AB", days) for p in payments]
            for start in range(0, len(rows), CHUNK):
                connection.execute(insert(Payment.__table__), rows[start:start + CHUNK])
        with engine.begin() as connection:  # the statistics a running system would have
            refresh_statistics(connection)
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("ANALYZE")
    finally:
        if writer is not None:
            writer.release()
        engine.dispose()
    seeded = Seeded(backend, len(numbers), len(rows), time.perf_counter() - started)
    return seeded, [reconcile.camt_of(lines) for lines, _ in days]


@dataclass
class Import:
    scenario: str
    backend: str
    lines: int
    matched: int
    seconds: float
    judged: bool = True

    def row(self) -> list[str]:
        verdict = ("yes" if self.seconds <= TARGET_S else "NO") if self.judged else "-"
        return [self.scenario, self.backend, f"{self.lines:,}", f"{STATEMENT_LINES:,}", f"{self.matched:,}",
                f"{self.seconds:.2f}", verdict]


IMPORT_HEADER = ["scenario", "backend", "lines", "payments", "matched", "seconds", f"<= {TARGET_S:g} s"]


def _request(content: bytes) -> dict:
    return {"format": "camt053", "content_base64": base64.b64encode(content).decode("ascii")}


def rpc_import(config: dict, content: bytes, backend: str) -> Import:
    data = _request(content)
    with ClusterRpcProxy(config, timeout=120) as rpc:
        began = time.perf_counter()
        record = rpc.contracts.import_statement(data)
        seconds = time.perf_counter() - began
    if record["already_imported"]:
        raise RuntimeError("the statement was imported before: the RPC row would time a no-op")
    return Import("import_statement, RPC round trip (bench -> contracts -> bench)", backend,
                  record["matched"] + record["unmatched_lines"], record["matched"], seconds, judged=False)


def in_process_import(url: str, content: bytes, backend: str) -> Import:
    """ContractsService.import_statement's own code on the service's database, then the commit."""
    from sqlalchemy.orm import Session

    from services.contracts.models import Base
    from services.contracts.service import ContractsService

    data = _request(content)
    engine = make_engine(url)  # the service's engine settings (SQLite: WAL, BEGIN IMMEDIATE)
    worker = ContractsService()
    try:
        began = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            worker.uow = _Unit(session, Base.metadata)
            record = ContractsService.import_statement(worker, data)
            session.commit()
        seconds = time.perf_counter() - began
    finally:
        engine.dispose()
    if record["already_imported"]:
        raise RuntimeError("the statement was imported before: the in-service row would time a no-op")
    return Import("import_statement, in the service (base64, parse, store, match, reply dict, commit; no broker)",
                  backend, record["matched"] + record["unmatched_lines"], record["matched"], seconds)


def markdown(races: list[InvoiceRace], seeded: list[Seeded], imports: list[Import]) -> list[str]:
    parts = []
    if races:
        parts += ["", f"Invoices issued at once, POST /api/v1/order-files/{{id}}/invoices: {INVOICES} invoices of "
                      f"{INVOICE_AMOUNT} EUR from {INVOICE_CLIENTS} clients released together, spread over the "
                      f"{ORDER_FILES} order files of the payment rows; then each order file's invoices read back "
                      "(GET .../invoices): the series must hold exactly 1..N, no gap, no duplicate. wall s: from "
                      "the release to the last answer.", "",
                  table(INVOICE_HEADER, [r.row() for r in races])]
    if imports:
        parts += ["", f"Statement import: a {STATEMENT_LINES:,}-line camt.053 against {STATEMENT_LINES:,} payments "
                      "of its days (bench.reconcile's day of transfers: about 75 % of lines quote the receipt "
                      "reference, 10 % the order number, the rest pay another amount, are money out or quote "
                      f"nothing), issue 11's target: under {TARGET_S:g} s in the service. The RPC row imports the "
                      "first day through the running service (its reply carries every line); the in-service row, "
                      "the service stopped, runs ContractsService.import_statement in the bench process on the same "
                      "database for the second day, from the base64 to the commit. `python -m bench.reconcile` "
                      "times the parse and the matching apart.", "",
                  table(IMPORT_HEADER, [i.row() for i in imports], text_columns=(0, 1))]
    for s in seeded:
        parts += ["", f"Statement days ({s.backend}): {s.order_files:,} order files and {s.payments:,} payments "
                      f"(two days of {STATEMENT_LINES:,}) inserted by the bench process in {s.seconds:.1f} s "
                      "(bulk Core inserts, then ANALYZE)."]
    return parts
