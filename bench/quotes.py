"""Issuing a quote for a 14-day itinerary with 60 items (issue 5's target: at most 50 ms inside the
service), measured two ways on the same database and itinerary, once per backend:

1. RPC round trip: the bench calls issue_quote on the real itinerary service (the Procfile's
   `nameko run`) through a ClusterRpcProxy, one call at a time; the reply carries the snapshot.
2. In the service, without the broker: the entrypoint's own code, ItineraryService.issue_quote
   (the very function nameko runs), called in the bench's process on a unit of work over the same
   database once the service has stopped, timed from before its first query to after the commit
   (what the service does between receiving the request and sending the reply).

Then the quote sheet PDF of the last version is rendered a few times (the CPU work of the
sheet.pdf route, without the RPC). Each issue makes a new version and supersedes the previous
one, as a consultant revising a quote does; nothing here changes the service to time it.
"""
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import cycle

from nameko.standalone.rpc import ClusterRpcProxy

DAYS, ITEMS = 14, 60
ISSUES, WARMUP = 100, 5
RENDERS = 10
TARGET_MS = 50.0
CURRENCY = "EUR"
# The bench runs itinerary alone: the customer's name is given, so issuing asks CRM nothing.
ISSUE = {"customer_name": "Lucía Núñez"}


@dataclass
class Timing:
    scenario: str
    backend: str
    seconds: list = field(default_factory=list)
    judged: bool = True            # compared with the 50 ms target

    def percentile_ms(self, p: float) -> float:
        ordered = sorted(self.seconds)
        if not ordered:
            return float("nan")
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000  # nearest rank, as load.py

    def row(self) -> list[str]:
        verdict = "-"
        if self.judged and self.seconds:
            verdict = "yes" if self.percentile_ms(99) <= TARGET_MS else "NO"
        return [self.scenario, self.backend, str(len(self.seconds)), f"{self.percentile_ms(50):.1f}",
                f"{self.percentile_ms(99):.1f}", f"{max(self.seconds) * 1000:.1f}" if self.seconds else "-",
                verdict]


HEADER = ["scenario", "backend", "runs", "p50 ms", "p99 ms", "max ms", f"p99 <= {TARGET_MS:.0f} ms"]


def _items() -> list[tuple[int, dict]]:
    """60 manual items over 14 days, costs in EUR, USD and CNY: flights there and back, trains
    between three cities, three hotels for the 13 nights, and transfers, sights, meals, guides."""
    def manual(kind, description, cost, currency, **kw):
        return {"kind": kind, "description": description, "supplier_name": kw.pop("supplier", f"{description} Co"),
                "unit_cost": cost, "currency": currency, **kw}

    items = [
        (1, manual("flight", "CA933 Beijing - Paris", "4200.00", "CNY", from_location="Beijing", to_location="Paris",
                   supplier="Air China")),
        (1, manual("hotel", "Pullman Paris, double", "210.00", "EUR", nights=4, location="Paris", supplier="Accor")),
        (5, manual("train", "Frecciarossa Paris - Rome", "89.00", "EUR", from_location="Paris", to_location="Rome",
                   supplier="Trenitalia")),
        (5, manual("hotel", "Hotel Artemide, double", "150.00", "EUR", nights=4, location="Rome",
                   supplier="Artemide")),
        (9, manual("train", "Rome - Barcelona rail", "120.00", "EUR", from_location="Rome", to_location="Barcelona",
                   supplier="Trenitalia")),
        (9, manual("hotel", "Hotel Arts, double", "240.00", "EUR", nights=5, location="Barcelona",
                   supplier="Hotel Arts")),
        (14, manual("flight", "CA846 Barcelona - Beijing", "3900.00", "CNY", from_location="Barcelona",
                    to_location="Beijing", supplier="Air China")),
    ]
    city = {**{d: "Paris" for d in range(1, 5)}, **{d: "Rome" for d in range(5, 9)},
            **{d: "Barcelona" for d in range(9, 15)}}
    kinds = cycle(["attraction", "meal", "guide", "meal", "attraction", "transfer", "other"])
    currencies = cycle(["EUR", "USD", "EUR", "CNY"])
    n = 0
    while len(items) < ITEMS:
        day, kind, currency = n % DAYS + 1, next(kinds), next(currencies)
        cost = f"{(18 + n * 7 % 90) * (7 if currency == 'CNY' else 1)}.{n % 100:02d}"
        where = {"from_location": city[day], "to_location": city[day]} if kind == "transfer" else \
            {"location": city[day]}
        items.append((day, manual(kind, f"{kind.title()} {n + 1} in {city[day]}", cost, currency, **where)))
        n += 1
    return items


def build_itinerary(rpc) -> str:
    """Rates, markups, fee and tax, and the itinerary, through the service's RPCs; its id."""
    rpc.itinerary.set_exchange_rate({"base": "USD", "quote": "EUR", "rate": "0.9137", "valid_from": "2020-01-01"})
    rpc.itinerary.set_exchange_rate({"base": "EUR", "quote": "CNY", "rate": "7.8125", "valid_from": "2020-01-01"})
    rpc.itinerary.create_markup_rule({"method": "percent", "value": "12"})
    rpc.itinerary.create_markup_rule({"item_kind": "hotel", "method": "percent", "value": "15"})
    rpc.itinerary.create_markup_rule({"item_kind": "flight", "supplier": "Air China", "method": "fixed",
                                      "value": "300", "currency": "CNY"})
    settings = rpc.itinerary.get_pricing_settings()
    rpc.itinerary.update_pricing_settings({**{k: v for k, v in settings.items() if k not in ("updated_at",
                                                                                              "updated_by")},
                                           "service_fee_percent": "2", "tax_percent": "6"})
    start = datetime.now(timezone.utc).date() + timedelta(days=60)
    trip = rpc.itinerary.create_itinerary({
        "title": "Paris - Rome - Barcelona, 14 days (bench)", "customer_id": "bench-customer",
        "party": {"adults": 3, "children": [{"age": 9, "name": "Lucía"}]}, "start_date": start.isoformat(),
        "days": DAYS, "currency": CURRENCY})
    for day, item in _items():
        rpc.itinerary.add_item(trip["id"], day, item)
    sheet = rpc.itinerary.cost_sheet(trip["id"])
    if len(sheet["lines"]) != ITEMS or sheet["unpriced_items"] or sheet["approval"]["needed"]:
        raise RuntimeError(f"the bench itinerary is not what it should be: {len(sheet['lines'])} lines, "
                           f"unpriced {sheet['unpriced_items']}, approval {sheet['approval']}")
    return trip["id"]


def rpc_issues(config, itinerary_id: str, backend: str, stop) -> Timing:
    timing = Timing("issue_quote, RPC round trip (bench -> itinerary -> bench)", backend)
    with ClusterRpcProxy(config, timeout=10) as rpc:
        for n in range(WARMUP + ISSUES):
            if stop.is_set():
                break
            began = time.perf_counter()
            quote = rpc.itinerary.issue_quote(itinerary_id, ISSUE)
            elapsed = time.perf_counter() - began
            if n >= WARMUP:
                timing.seconds.append(elapsed)
    if len(quote["snapshot"]["lines"]) != ITEMS:
        raise RuntimeError(f"issue_quote answered {len(quote['snapshot']['lines'])} lines, not {ITEMS}")
    return timing


class _Unit:
    """What a worker sees as `self.uow` (services.common.unit_of_work.UnitOfWork), over a plain session."""

    actor, actor_name = "user:bench", "Bench Consultant"

    def __init__(self, session, metadata):
        self.session, self.metadata, self.events = session, metadata, []

    def emit(self, event, data) -> str:
        from services.common.outbox import add_to_outbox

        envelope = add_to_outbox(self.session, self.metadata, event.name, event.payload(data), None, event.version)
        self.events.append(envelope)
        return envelope["id"]


def in_process_issues(database_url: str, itinerary_id: str, backend: str, stop) -> tuple[Timing, dict]:
    """ItineraryService.issue_quote's own code with no container: (timing, the last quote's snapshot)."""
    from sqlalchemy.orm import Session

    from services.common.db import make_engine
    from services.itinerary.models import Base
    from services.itinerary.service import ItineraryService

    timing = Timing("issue_quote, in the service (entrypoint code to commit, no broker)", backend)
    engine = make_engine(database_url)  # the service's engine settings (SQLite: WAL, BEGIN IMMEDIATE)
    worker = ItineraryService()
    quote = None
    try:
        for n in range(WARMUP + ISSUES):
            if stop.is_set():
                break
            began = time.perf_counter()
            with Session(engine, expire_on_commit=False) as session:
                worker.uow = _Unit(session, Base.metadata)
                quote = ItineraryService.issue_quote(worker, itinerary_id, ISSUE)
                session.commit()
            elapsed = time.perf_counter() - began
            if n >= WARMUP:
                timing.seconds.append(elapsed)
    finally:
        engine.dispose()
    if quote is None or len(quote["snapshot"]["lines"]) != ITEMS:
        raise RuntimeError("the in-process issue did not produce the 60-line quote")
    return timing, quote["snapshot"]


def render_sheets(snapshot: dict, backend: str) -> Timing:
    from services.itinerary import documents

    timing = Timing(f"quote sheet PDF of that quote ({ITEMS} lines), render only", backend, judged=False)
    documents.quote_sheet(snapshot)  # fonts registered, modules warm
    for _ in range(RENDERS):
        began = time.perf_counter()
        documents.quote_sheet(snapshot)
        timing.seconds.append(time.perf_counter() - began)
    return timing


def summary(timings: list[Timing], echo_p50_ms: float | None) -> str:
    """The paragraph under the table: the target, the result, and the broker's share."""
    judged = [t for t in timings if t.judged and t.seconds and "in the service" in t.scenario]
    if not judged:
        return "No in-service figure: the quote issue rows did not run."
    worst = max(judged, key=lambda t: t.percentile_ms(99))
    met = all(t.percentile_ms(99) <= TARGET_MS for t in judged)
    text = (f"Target (issue 5): issuing a quote for a {DAYS}-day itinerary with {ITEMS} items takes at most "
            f"{TARGET_MS:.0f} ms inside the service. Result: {'met' if met else 'NOT met'}; the slowest backend's "
            f"p99 in the service is {worst.percentile_ms(99):.1f} ms ({worst.backend}).")
    if echo_p50_ms is not None:
        text += (f" The RPC rows add the broker round trip (the echo RPC's p50 at concurrency 1 is "
                 f"{echo_p50_ms:.1f} ms) and the transfer of the {ITEMS}-line snapshot in the reply.")
    return text

