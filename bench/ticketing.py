"""Ticketing through the gateway: a supplier push, holds under load, and a race for the last seats.

Every request goes over HTTP to the gateway (gunicorn, the Procfile command) and on by RPC to
the real ticketing service. Staff requests carry the bench admin's bearer token (`token`, from
sign_in); the supplier push carries the supplier's X-Api-Key instead. A status other than the one expected is never retried or skipped:
the setup stops with the exact request and response, the load rows count it as an error.
"""
import http.client
import itertools
import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

DAYS = 365                 # a push covers today and the next 364 days
PRODUCTS = 20
BIG_CAPACITY = 1000        # per product-day: the load rows' holds are never refused for want of seats
RACE_REQUESTS, RACE_CLIENTS, RACE_CAPACITY = 200, 16, 10
RACE_DAY_OFFSET = 30       # the raced date: well clear of any release window and of midnight UTC


class ApiError(RuntimeError):
    """An unexpected answer, with what was sent and what came back."""


class Http:
    """One keep-alive connection to the gateway (one per thread); token: a staff bearer token."""

    def __init__(self, port: int, timeout: float = 10.0, headers: dict | None = None, token: str | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.headers = dict(headers or {}, **bearer(token))

    def request(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        payload = None if body is None else json.dumps(body)
        headers = dict(self.headers, **({"Content-Type": "application/json"} if payload else {}))
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except Exception:
            self.conn.close()  # http.client reconnects on the next request
            raise

    def expect(self, method: str, path: str, body, status: int):
        got, data = self.request(method, path, body)
        if got != status:
            raise ApiError(describe(method, path, body, got, data, status))
        return json.loads(data)

    def close(self):
        self.conn.close()


def bearer(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def sign_in(port: int, username: str, password: str) -> str:
    """POST /api/v1/auth/token once; the bearer token every staff request of the run sends."""
    api = Http(port)
    try:
        return api.expect("POST", "/api/v1/auth/token", {"username": username, "password": password},
                          200)["access_token"]
    except ApiError as exc:  # the exchange, without the password
        raise ApiError(str(exc).replace(password, "***")) from None
    finally:
        api.close()


def describe(method, path, body, status, data, expected=None, limit=600) -> str:
    sent = "" if body is None else " " + json.dumps(body)[:limit]
    want = f" (expected {expected})" if expected else ""
    return f"{method} {path}{sent} -> {status}{want}: {data[:limit].decode(errors='replace')}"


def today_utc() -> date:
    return datetime.now(timezone.utc).date()  # the service's "today" (it runs on UTC dates)


# --- setup ---------------------------------------------------------------------------------


@dataclass
class Catalogue:
    supplier_id: str
    api_key: str
    products: dict = field(default_factory=dict)  # supplier_code -> product id


def create_catalogue(port: int, token: str, backend: str) -> Catalogue:
    api = Http(port, token=token)
    try:
        supplier = api.expect("POST", "/api/v1/suppliers", {"name": f"Bench Air ({backend})", "kind": "airline"}, 201)
        key = api.expect("POST", f"/api/v1/suppliers/{supplier['id']}/api-key", None, 201)["api_key"]
        catalogue = Catalogue(supplier["id"], key)
        for i in range(PRODUCTS):
            code = f"BENCH-{i:02d}"
            product = api.expect("POST", "/api/v1/products", {
                "supplier_id": supplier["id"], "supplier_code": code, "kind": "flight",
                "name": f"BX{100 + i} CDG-FCO", "location": "CDG-FCO", "attributes": {"class": "Y"},
                "currency": "EUR"}, 201)
            catalogue.products[code] = product["id"]
        return catalogue
    finally:
        api.close()


# --- supplier push -------------------------------------------------------------------------


@dataclass
class Push:
    backend: str
    batch: str
    updates: int
    rows: int                 # product-days in the batch
    bytes: int
    seconds: float
    status: int
    outcome: str              # applied / ignored_stale counts, or what went wrong

    def row(self) -> list[str]:
        rate = self.rows / self.seconds if self.seconds else 0.0
        return [f"{self.batch} ({self.backend})", str(self.updates), str(self.rows), f"{self.bytes / 1000:.1f}",
                str(self.status), f"{self.seconds:.2f}", f"{rate:.0f}", self.outcome]


PUSH_HEADER = ["push", "updates", "product-days", "body kB", "HTTP", "wall s", "product-days/s", "outcome"]


def push_batch(catalogue: Catalogue, start: date) -> dict:
    end = start + timedelta(DAYS - 1)
    return {"updates": [{"product_code": code, "start": start.isoformat(), "end": end.isoformat(),
                         "capacity": BIG_CAPACITY, "net_price": "90.00", "sell_price": "120.00", "sequence": 1}
                        for code in catalogue.products]}


def timed_push(port: int, catalogue: Catalogue, body: dict, backend: str, batch: str, expect: str,
               timeout: float) -> tuple[Push, str | None]:
    """POST the batch once; returns the row and, if anything was not as expected, the exact exchange."""
    api = Http(port, timeout=timeout, headers={"X-Api-Key": catalogue.api_key})
    path = "/api/v1/supplier/inventory"
    rows = len(body["updates"]) * DAYS
    size = len(json.dumps(body))
    try:
        t0 = time.perf_counter()
        status, data = api.request("POST", path, body)
        seconds = time.perf_counter() - t0
    finally:
        api.close()
    problem = None
    if status != 200:
        outcome = f"HTTP {status}"
        problem = describe("POST", path, body, status, data, 200, limit=400)
    else:
        results = json.loads(data)["results"]
        counts = {}
        for r in results:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        outcome = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        field_name = "applied_days" if expect == "applied" else "stale_days"
        wrong = [r for r in results if r["status"] != expect or r.get(field_name) != DAYS]
        if wrong:
            problem = (f"POST {path} ({batch}): {len(wrong)} of {len(results)} results not {expect} with "
                       f"{field_name}={DAYS}; the first: {json.dumps(wrong[0])[:400]}")
    return Push(backend, batch, len(body["updates"]), rows, size, seconds, status, outcome), problem


# --- holds under load (for bench.load.drive) -------------------------------------------------


def place_holds(port: int, token: str, product_ids: list, first_day: date):
    """One-unit holds on a random product and date of the big allotments: none should be refused."""
    def make():
        api = Http(port, token=token)

        def call():
            day = first_day + timedelta(random.randrange(1, DAYS))  # never today: no midnight surprises
            body = {"channel": "online", "lines": [{"product_id": random.choice(product_ids),
                                                    "day": day.isoformat(), "quantity": 1}]}
            api.expect("POST", "/api/v1/holds", body, 201)
        return call, api.close
    return make


# --- the race for the last seats -------------------------------------------------------------


@dataclass
class Race:
    backend: str
    requests: int
    clients: int
    capacity: int
    seconds: float = 0.0
    granted: int = 0
    refused: int = 0
    others: list = field(default_factory=list)   # (status or exception, the exchange)
    held: int | None = None
    booked: int | None = None

    @property
    def oversold(self) -> int | None:
        if self.held is None:
            return None
        return max(0, self.held + self.booked - self.capacity)

    def row(self) -> list[str]:
        def show(value):
            return "?" if value is None else str(value)
        return [self.backend, str(self.requests), str(self.clients), str(self.capacity), str(self.granted),
                str(self.refused), str(len(self.others)), show(self.held), show(self.booked), show(self.oversold),
                f"{self.seconds:.2f}"]


RACE_HEADER = ["backend", "requests", "clients", "capacity", "granted (201)", "refused (409)", "other errors",
               "held", "booked", "oversold", "wall s"]


def open_race_product(port: int, token: str, catalogue: Catalogue, day: date) -> str:
    api = Http(port, token=token)
    try:
        product = api.expect("POST", "/api/v1/products", {
            "supplier_id": catalogue.supplier_id, "supplier_code": "BENCH-RACE", "kind": "flight",
            "name": "BX999 CDG-FCO", "location": "CDG-FCO", "currency": "EUR"}, 201)
        body = {"start": day.isoformat(), "end": day.isoformat(), "capacity": RACE_CAPACITY,
                "net_price": "90.00", "sell_price": "120.00"}
        result = api.expect("PUT", f"/api/v1/products/{product['id']}/inventory", body, 200)
        if result.get("applied_days") != 1:
            raise ApiError(f"PUT /api/v1/products/{product['id']}/inventory {json.dumps(body)} -> 200 but "
                           f"{json.dumps(result)} (expected applied_days 1)")
        return product["id"]
    finally:
        api.close()


def race(port: int, token: str, product_id: str, day: date, backend: str, stop: threading.Event) -> Race:
    """RACE_REQUESTS one-unit holds on one date from RACE_CLIENTS clients released together."""
    result = Race(backend, RACE_REQUESTS, RACE_CLIENTS, RACE_CAPACITY)
    body = {"channel": "online", "lines": [{"product_id": product_id, "day": day.isoformat(), "quantity": 1}]}
    counter = itertools.count()
    lock = threading.Lock()
    started = []
    barrier = threading.Barrier(RACE_CLIENTS + 1, action=lambda: started.append(time.perf_counter()))

    def client():
        api = Http(port, timeout=30, token=token)
        try:
            api.request("GET", "/healthz")  # connect before the start, so the requests leave together
            barrier.wait()
            while not stop.is_set() and next(counter) < RACE_REQUESTS:
                try:
                    status, data = api.request("POST", "/api/v1/holds", body)
                except Exception as exc:
                    with lock:
                        result.others.append((repr(exc), f"POST /api/v1/holds {json.dumps(body)} -> {exc!r}"))
                    continue
                with lock:
                    if status == 201:
                        result.granted += 1
                    elif status == 409:
                        result.refused += 1
                    else:
                        result.others.append((status, describe("POST", "/api/v1/holds", body, status, data)))
        except threading.BrokenBarrierError:
            pass
        finally:
            api.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(RACE_CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started[0]

    api = Http(port, token=token)
    try:
        days = api.expect("GET", f"/api/v1/products/{product_id}/inventory?start={day}&end={day}", None, 200)
    finally:
        api.close()
    if len(days) != 1:
        raise ApiError(f"GET /api/v1/products/{product_id}/inventory?start={day}&end={day} -> 200 but "
                       f"{len(days)} days: {json.dumps(days)[:400]}")
    result.held, result.booked = days[0]["held"], days[0]["booked"]
    return result
