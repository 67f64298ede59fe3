"""The cost of a reply: crm's get_customer (and optionally ticketing's place_hold) beside the bare
echo RPC, called straight over RPC (no gateway), so the row is the service's own path.

    .venv/bin/python -m bench.reply_path [--requests 1000] [--rounds 3] [--backend sqlite|postgresql]
                                         [--holds] [--label before] [--against REV]
    .venv/bin/python -m bench.reply_path --publish-only [--requests 3000] [--rounds 3]

--publish-only times the publish alone, in this process: a reply-sized message sent the way
nameko's Publisher sends it (a Connection and a pooled producer per message) and on a kept
producer (services.common.publishing), both with publish confirms, interleaved round by round.

The scenarios are interleaved within each round (echo, read, [hold], echo, read, ...), so a change
in the machine's load hits every row of a round alike; each row's ratio is over the echo of its own
round. --against REV runs that revision's services too (its files exported from git into a temp
directory, on a vhost and databases of their own), scenario by scenario beside this tree's.
Nothing here is asserted: it prints tables to compare revisions on one machine.
"""
import argparse
import subprocess
import itertools
import os
import statistics
import sys
import tempfile
import threading
import uuid
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy

from services.common.config import amqp_uri, load_nameko_config
from services.common.sandbox import private_vhost

from . import cpu
from .harness import REPO, postgres_database, process, procfile_command, wait_until
from .load import drive, table

CONCURRENCY = 8
WARMUP = 50
BUDGET_S = 30.0
CPUS = len(os.sched_getaffinity(0))


def progress(message: str):
    print(f"reply_path: {message}", file=sys.stderr, flush=True)


def rpc_call(config, service, method, *args):
    with ClusterRpcProxy(config, timeout=2) as rpc:
        return getattr(getattr(rpc, service), method)(*args)


def client(config, call_one):
    """make_client for bench.load.drive: one ClusterRpcProxy (connection, reply queue) per thread."""
    def make():
        owner = ClusterRpcProxy(config, timeout=10)
        proxy = owner.start()
        return (lambda: call_one(proxy)), owner.stop
    return make


def echo(proxy, payload={"n": 1, "s": "hello"}):
    if proxy.bench_echo.echo(payload) != payload:
        raise ValueError("echo answered something else")


def reader(ids):
    cycle = itertools.cycle(ids)

    def call(proxy):
        wanted = next(cycle)
        if proxy.crm.get_customer(wanted)["id"] != wanted:
            raise ValueError("get_customer answered another customer")
    return call


def seed_inventory(config, days: int = 300):
    """One product with a large allotment on each of `days` dates: holds never run out of seats."""
    start = date.today() + timedelta(days=30)
    with ClusterRpcProxy(config, timeout=30) as rpc:
        supplier = rpc.ticketing.create_supplier({"name": "Bench Air", "kind": "airline"})
        product = rpc.ticketing.create_product({
            "supplier_id": supplier["id"], "supplier_code": "BENCH-REPLY", "kind": "flight",
            "name": "BX100 CDG-FCO", "location": "CDG-FCO", "currency": "EUR"})
        rpc.ticketing.set_inventory(product["id"], {
            "start": start.isoformat(), "end": (start + timedelta(days=days - 1)).isoformat(),
            "capacity": 100000, "net_price": "90.00", "sell_price": "120.00"})
    return product["id"], start, days


def holder(product_id, start, days):
    counter = itertools.count()

    def call(proxy):
        day = start + timedelta(days=next(counter) % days)
        hold = proxy.ticketing.place_hold({"channel": "online", "lines": [
            {"product_id": product_id, "day": day.isoformat(), "quantity": 1}]})
        if not hold.get("id"):
            raise ValueError("place_hold answered no hold")
    return call


def publish_only(requests: int, rounds: int) -> int:
    import time

    from nameko.amqp.publish import Publisher

    from services.common.publishing import KeptProducers

    payload = {"result": {"id": str(uuid.uuid4()), "full_name": "Bench Customer", "email": "c@bench.example"},
               "error": None}
    with private_vhost(amqp_uri(), "itinera-reply-path") as (uri, note):
        progress(note)
        kept = KeptProducers(uri)
        # The default exchange and a routing key nobody binds: confirmed and dropped, like a reply
        # whose caller left; the broker's work is the same for both.
        ways = {"nameko Publisher per message (before)":
                lambda: Publisher(uri).publish(payload, exchange="", routing_key="nobody", correlation_id="x"),
                "kept producer (after)":
                lambda: kept.publish(payload, serializer="json", exchange="", routing_key="nobody",
                                     correlation_id="x")}
        figures = {name: [] for name in ways}
        for _ in range(rounds):
            for name, send in ways.items():
                for _ in range(50):
                    send()
                cpu0, wall0 = time.process_time(), time.perf_counter()
                for _ in range(requests):
                    send()
                figures[name].append(((time.process_time() - cpu0) / requests * 1e6,
                                      (time.perf_counter() - wall0) / requests * 1e6))
        kept.close()
    print(f"\npublish alone, confirmed, one at a time: {requests} a row, median of {rounds} interleaved rounds\n")
    print(table(["way", "client CPU µs/publish", "wall µs/publish"],
                [[name, f"{statistics.median(c for c, _ in v):.0f}", f"{statistics.median(w for _, w in v):.0f}"]
                 for name, v in figures.items()]))
    return 0


def in_tree(tree: Path, command: str) -> str:
    return command if tree == REPO else f"sh -c 'cd {tree} && exec {command}'"


def start_services(stack, tmp, tree, suffix, args, procs, with_echo):
    """crm (and ticketing) of one code tree on a vhost and databases of their own:
    [(scenario, process, call, nameko config)]."""
    label = "itinera-reply-path" + ("-against" if suffix else "")
    uri, note = stack.enter_context(private_vhost(amqp_uri(), label))
    progress(note)
    config = {**load_nameko_config(), "AMQP_URI": uri}
    var = tmp / ("var-against" if suffix else "var")
    env = {"AMQP_URI": uri, "ITINERA_VAR_DIR": str(var), "CRM_DATABASE_URL": None,
           "TICKETING_DATABASE_URL": None, "BENCH_KERNEL_VARIANT": None, "LOG_LEVEL": "WARNING"}
    if args.backend == "postgresql":
        for service in ("crm", "ticketing"):
            url = stack.enter_context(postgres_database(
                "postgresql://postgres@127.0.0.1:5432/postgres",
                f"itinera_reply_path_{service}" + ("_against" if suffix else "")))
            if url is None:
                raise SystemExit("PostgreSQL does not answer at 127.0.0.1:5432")
            env[f"{service.upper()}_DATABASE_URL"] = url
    scenarios = []
    if with_echo:
        echo_proc = stack.enter_context(process(
            "echo", "nameko run --config deploy/nameko.yml bench.echo:EchoService", env, tmp))
        procs.append(echo_proc)
        wait_until("bench_echo", lambda: rpc_call(config, "bench_echo", "echo", 1) == 1, procs)
        scenarios.append(("echo RPC", echo_proc, echo, config))
    crm = stack.enter_context(process("crm" + suffix, in_tree(tree, procfile_command("crm")), env, tmp))
    procs.append(crm)
    health = wait_until("crm" + suffix, lambda: rpc_call(config, "crm", "health"), procs)
    if health.get("dialect") != args.backend:
        raise RuntimeError(f"crm runs on {health.get('dialect')}, expected {args.backend}")
    with ClusterRpcProxy(config, timeout=10) as rpc:
        ids = [rpc.crm.create_customer({"full_name": f"Bench Customer {i}", "email": f"c{i}@bench.example"})["id"]
               for i in range(50)]
    scenarios.append((f"crm get_customer ({args.backend}){suffix}", crm, reader(ids), config))
    if args.holds:
        ticketing = stack.enter_context(process("ticketing" + suffix, in_tree(tree, procfile_command("ticketing")),
                                                env, tmp))
        procs.append(ticketing)
        wait_until("ticketing" + suffix, lambda: rpc_call(config, "ticketing", "health"), procs)
        scenarios.append((f"ticketing place_hold ({args.backend}){suffix}", ticketing,
                          holder(*seed_inventory(config)), config))
    return scenarios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--holds", action="store_true", help="also ticketing place_hold")
    parser.add_argument("--label", default="")
    parser.add_argument("--against", metavar="REV", help="also the services of an older revision (git) or of "
                        "a directory holding a copy of the code, interleaved with this tree's in every round")
    parser.add_argument("--publish-only", action="store_true", help="time the publish alone, before and after")
    args = parser.parse_args()
    if args.publish_only:
        return publish_only(args.requests, args.rounds)

    stop = threading.Event()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="itinera-reply-path-")))
        trees = [("", REPO)]
        if args.against and Path(args.against).is_dir():  # a copy someone prepared (e.g. one setting changed)
            trees.append((f" @{Path(args.against).name}", Path(args.against).resolve()))
        elif args.against:
            old = tmp / "against"
            old.mkdir()
            # The older revision's files, not a worktree: its services import its own kernel (cwd first).
            archive = subprocess.run(["git", "-C", str(REPO), "archive", args.against], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            trees.append((f" @{args.against}", old))
        groups, procs = [], []
        for suffix, tree in trees:
            groups.append(start_services(stack, tmp, tree, suffix, args, procs, with_echo=not groups))
        echo_row, groups[0] = groups[0][:1], groups[0][1:]
        scenarios = echo_row + [s for group in groups for s in group]
        rows, per_scenario = [], {name: [] for name, _, _, _ in scenarios}
        for round_no in range(1, args.rounds + 1):
            echo_rate = None
            # Trees take turns going first, so neither always follows the same neighbour.
            order = groups if round_no % 2 else groups[::-1]
            for name, proc, call, config in echo_row + [s for group in order for s in group]:
                progress(f"round {round_no}: {name}")
                result = drive(name, client(config, call), CONCURRENCY, args.requests, WARMUP, BUDGET_S, stop,
                               probe=cpu.Probe({"service": {proc.pid}}, CPUS))
                rate = result.requests / result.seconds
                echo_rate = echo_rate or rate
                service_ms = result.cpu.ms_per_request["service"] if result.cpu else float("nan")
                busy = result.cpu.busy_cores if result.cpu else float("nan")
                per_scenario[name].append((rate, result.percentile_ms(50), result.percentile_ms(99),
                                           rate / echo_rate, service_ms))
                rows.append([str(round_no), name, f"{rate:.0f}", f"{result.percentile_ms(50):.1f}",
                             f"{result.percentile_ms(99):.1f}", f"{rate / echo_rate:.2f}", f"{service_ms:.2f}",
                             f"{busy:.2f}", str(len(result.errors))])
                if result.errors:
                    progress(f"{len(result.errors)} errors, the first: {result.errors[0]!r}")

    title = f"reply path{(' — ' + args.label) if args.label else ''}: concurrency {CONCURRENCY}, " \
            f"{args.requests} requests a row, {args.rounds} interleaved rounds"
    print(f"\n{title}\n")
    print(table(["round", "scenario", "req/s", "p50 ms", "p99 ms", "/ echo", "service CPU ms/req", "cores busy",
                 "errors"], rows, text_columns=(1,)))
    print("\nmedian of the rounds\n")
    print(table(["scenario", "req/s", "p50 ms", "p99 ms", "/ echo", "service CPU ms/req"],
                [[name] + [f"{statistics.median(v[i] for v in values):.{2 if i >= 3 else (0 if i == 0 else 1)}f}"
                           for i in range(5)] for name, values in per_scenario.items()]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
