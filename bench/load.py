"""A closed-loop load driver and the Markdown table of its results.

Closed loop: each of `concurrency` threads has its own client and sends its next request as
soon as the previous one is answered, so throughput is what the system sustains at that
concurrency and latency is what a caller sees.
"""
import itertools
import math
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    scenario: str
    concurrency: int
    planned: int
    seconds: float = 0.0
    latencies: list = field(default_factory=list)  # seconds, one per measured request
    errors: list = field(default_factory=list)
    cpu: object = None  # bench.cpu.Usage of the measured requests, when the caller asked for it

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def percentile_ms(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000  # nearest rank

    def row(self) -> list[str]:
        requests = f"{self.requests}" + ("" if self.requests >= self.planned else f" (capped, of {self.planned})")
        rate = self.requests / self.seconds if self.seconds else 0.0
        return [self.scenario, str(self.concurrency), requests, f"{rate:.0f}",
                f"{self.percentile_ms(50):.1f}", f"{self.percentile_ms(99):.1f}", str(len(self.errors))]


def drive(scenario: str, make_client, concurrency: int, requests: int, warmup: int, budget_s: float,
          stop: threading.Event, probe=None) -> Result:
    """make_client() -> (call, close), once per thread; call() raises on a wrong answer.

    Every thread warms up (connections, pools, caches) before the clock starts together for
    all of them. The run ends after `requests` requests or `budget_s` seconds, whichever first.
    probe() -> p, if given, is taken when the clock starts and when the last thread is done;
    result.cpu = probe.usage(p_start, p_end, requests).
    """
    result = Result(scenario, concurrency, requests)
    started, probes = [], []

    def start():
        if probe is not None:
            probes.append(probe())
        started.append(time.perf_counter())

    barrier = threading.Barrier(concurrency + 1, action=start)
    counter = itertools.count()
    failures = []

    def worker():
        try:
            call, close = make_client()
        except BaseException as exc:
            failures.append(exc)
            barrier.abort()
            return
        try:
            for _ in range(math.ceil(warmup / concurrency)):
                try:
                    call()
                except Exception:  # broken: no point waiting out more timeouts; it shows as errors
                    break
            barrier.wait()
            deadline = started[0] + budget_s
            while not stop.is_set() and next(counter) < requests and time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    call()
                except Exception as exc:
                    result.errors.append(exc)
                result.latencies.append(time.perf_counter() - t0)
        except threading.BrokenBarrierError:
            pass
        finally:
            close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        raise RuntimeError(f"{scenario}: a client could not start: {failures[0]!r}") from failures[0]
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started[0]
    if probe is not None:
        result.cpu = probe.usage(probes[0], probe(), result.requests)
    return result


HEADER = ["scenario", "concurrency", "requests", "throughput req/s", "p50 ms", "p99 ms", "errors"]


def markdown_table(results: list[Result]) -> str:
    return table(HEADER, [r.row() for r in results])


def table(header: list[str], body: list[list[str]], text_columns=(0,)) -> str:
    rows = [header] + body
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

    def line(cells):
        # text left-aligned, numbers right-aligned, padded so the raw Markdown reads as a table too
        return "| " + " | ".join(c.ljust(w) if i in text_columns else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    rule = "| " + " | ".join(("-" * w) if i in text_columns else ("-" * (w - 1) + ":")
                             for i, w in enumerate(widths)) + " |"
    return "\n".join([line(rows[0]), rule] + [line(row) for row in rows[1:]])
