"""The fault tier's parts: a RabbitMQ node of its own, the suite under supervisord, an HTTP
client that retries like a careful user, and the counts the tests assert on.

Everything here drives real processes: `rabbitmq-server` on its own port and data directory,
the Procfile's five nameko services and the gunicorn gateway under the same supervisord config
`make run` uses (services/common/supervision.py), each service on its own SQLite file.
"""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import xmlrpc.client
from collections import Counter
from pathlib import Path

import requests
from kombu import Connection, Exchange, Queue
from supervisor.xmlrpc import SupervisorTransport

from services.common.config import REPO_ROOT, SERVICES, load_nameko_config
from services.common.supervision import write_config

RABBITMQ_DIRS = ("/usr/lib/rabbitmq/bin",)  # Debian's real scripts (/usr/sbin ones switch to user rabbitmq)
ADMIN = ("faults-admin", "a fault-tier password 123")
RETRY_STATUSES = {500, 502, 503, 504}


def rabbitmq_bin() -> Path | None:
    """The directory holding rabbitmq-server and rabbitmqctl that run as the current user."""
    for directory in RABBITMQ_DIRS:
        if (Path(directory) / "rabbitmq-server").exists():
            return Path(directory)
    found = shutil.which("rabbitmq-server")
    if found and "rabbitmq-script-wrapper" not in os.path.realpath(found):
        return Path(found).parent
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.25):
    """Poll predicate() until it is truthy (its value is returned) or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(interval)


class RabbitNode:
    """A RabbitMQ node of the tier's own: own name, ports, data and log directories, and erlang
    cookie (HOME), management plugin off. The shared node on 5672 is never touched."""

    def __init__(self, base: Path, bin_dir: Path):
        self.base = base
        self.bin = bin_dir
        self.port, self.dist_port = free_port(), free_port()
        self.name = f"itinera-faults-{os.getpid()}@localhost"
        for sub in ("mnesia", "log"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        (base / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\nloopback_users = none\n")
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq-env.conf").write_text("")  # not /etc/rabbitmq's, which names the shared node
        self.pid_file = base / "node.pid"
        self.env = {
            **os.environ, "HOME": str(base),
            "RABBITMQ_NODENAME": self.name, "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port), "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"), "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
            "RABBITMQ_PID_FILE": str(self.pid_file),
        }
        self.process = None

    @property
    def uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def answers(self) -> bool:
        try:
            with Connection(self.uri, connect_timeout=2) as connection:
                connection.ensure_connection(max_retries=1)
            return True
        except Exception:  # noqa: BLE001 (any failure means not up yet)
            return False

    def start(self, timeout: float = 90):
        self.pid_file.unlink(missing_ok=True)
        with open(self.base / "server.out", "ab") as out:
            self.process = subprocess.Popen([str(self.bin / "rabbitmq-server")], env=self.env, cwd=self.base,
                                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: self.process.poll() is None and self.answers() or self._died(), timeout,
                   f"RabbitMQ node {self.name} answering on {self.port} (log: {self.base / 'log'})", 0.5)

    def _died(self):
        if self.process.poll() is not None:
            raise AssertionError(f"rabbitmq-server exited with {self.process.returncode}; see {self.base}/server.out")
        return False

    def ctl(self, *args, timeout: float = 60):
        subprocess.run([str(self.bin / "rabbitmqctl"), "-q", "-n", self.name, *args], env=self.env,
                       check=True, capture_output=True, timeout=timeout)

    def stop_app(self):
        self.ctl("stop_app")

    def start_app(self, timeout: float = 60):
        self.ctl("start_app")
        wait_until(self.answers, timeout, "RabbitMQ answering after start_app")

    def kill(self):
        """SIGKILL of the node's Erlang VM: no goodbye to clients, no clean shutdown of queues."""
        beam = int(wait_until(lambda: self.pid_file.exists() and self.pid_file.read_text().strip(), 10,
                              "the node's pid file"))
        os.kill(beam, signal.SIGKILL)
        self.process.wait(timeout=30)
        wait_until(lambda: not _alive(beam), 10, "the killed node gone")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.ctl("stop", timeout=30)
        except (subprocess.SubprocessError, OSError):
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


class Suite:
    """The Procfile's processes under supervisord, on the tier's broker, with files in base."""

    def __init__(self, base: Path, broker: RabbitNode):
        self.base = base
        self.broker = broker
        self.var = base / "var"
        self.logs = base / "logs"
        self.var.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The kernel's crash hook fires once when the marker is missing: it exists (disarmed)
        # until a test removes it.
        self.crash_marker = base / "crash-marker"
        self.crash_marker.touch()
        bin_dir = str(Path(sys.executable).parent)
        self.env = {
            **os.environ,
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "AMQP_URI": broker.uri, "ITINERA_VAR_DIR": str(self.var),
            **{f"{s.upper()}_DATABASE_URL": f"sqlite:///{self.var / s}.db" for s in SERVICES},
            "GATEWAY_DATABASE_URL": f"sqlite:///{self.var / 'gateway'}.db",
            "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(self.port),
            "GATEWAY_RPC_TIMEOUT": "5",
            "ADMIN_USERNAME": ADMIN[0], "ADMIN_PASSWORD": ADMIN[1],
            "JWT_SECRET": "the fault tier's signing secret, 32+ bytes long",
            "OUTBOX_RELAY_GRACE_SECONDS": "1",
            "ITINERA_CRASH_AFTER_COMMIT": "ticketing.place_hold",
            "ITINERA_CRASH_MARKER": str(self.crash_marker),
            "PYTHONUNBUFFERED": "1",
        }
        self.config = write_config(REPO_ROOT / "Procfile", base / "run", log_dir=self.logs)
        self.process = None

    def start(self):
        with open(self.logs / "supervisord.out", "ab") as out:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).with_name("supervisord")), "--nodaemon", "--configuration", str(self.config)],
                env=self.env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: (self.base / "run" / "supervisor.sock").exists(), 30, "supervisord's socket")
        self.wait_ready(180)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # supervisord stops every program, then exits
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)

    # --- supervisord ---------------------------------------------------------------------------

    def _supervisor(self):
        transport = SupervisorTransport(None, None, f"unix://{self.base / 'run' / 'supervisor.sock'}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor

    def processes(self) -> dict[str, dict]:
        return {info["name"]: info for info in self._supervisor().getAllProcessInfo()}

    def pids(self) -> dict[str, int]:
        return {name: info["pid"] for name, info in self.processes().items()}

    def stop_process(self, name: str):
        self._supervisor().stopProcess(name, True)

    def start_process(self, name: str):
        self._supervisor().startProcess(name, True)

    def kill(self, name: str) -> int:
        """kill -9 of the program and everything it started (gunicorn's workers): each program
        leads its own process group under supervisord."""
        pid = self.pids()[name]
        os.killpg(pid, signal.SIGKILL)
        return pid

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    # --- readiness ------------------------------------------------------------------------------

    def ready(self) -> bool:
        try:
            return requests.get(self.url + "/readyz", timeout=10).status_code == 200
        except requests.RequestException:
            return False

    def wait_ready(self, timeout: float = 60) -> float:
        """Seconds until /readyz answered 200 (every service and the broker answer)."""
        started = time.monotonic()
        try:
            wait_until(self.ready, timeout, "every service answering /readyz", 0.5)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.processes()}\n--- ticketing log ---\n{self.log_tail('ticketing')}")
        return round(time.monotonic() - started, 1)

    # --- databases and the broker, read directly --------------------------------------------------

    def query(self, service: str, sql: str, params=()) -> list[tuple]:
        connection = sqlite3.connect(f"file:{self.var / service}.db?mode=ro", uri=True, timeout=30)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def unpublished_events(self, service: str) -> int:
        return self.query(service, "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]

    def nameko_config(self) -> dict:
        config = load_nameko_config()
        config["AMQP_URI"] = self.broker.uri
        config.pop("LOGGING", None)
        return config


class Api:
    """HTTP through the gateway as the tier's admin, retrying like a careful client: on 5xx, a
    409 "still in progress" and connection errors it sends the SAME Idempotency-Key again."""

    def __init__(self, url: str):
        self.url = url
        self.statuses: Counter = Counter()
        self.sent = 0
        self._lock = threading.Lock()
        token = requests.post(url + "/api/v1/auth/token", json={"username": ADMIN[0], "password": ADMIN[1]},
                              timeout=30).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def _count(self, status):
        with self._lock:
            self.sent += 1
            self.statuses[str(status)] += 1

    def call(self, method: str, path: str, body=None, key: str | None = None, give_up_after: float = 120,
             retry: bool = True):
        """The final response, or None if every attempt failed until give_up_after seconds.
        retry=False: the first answer, whatever it is (None on a connection error)."""
        headers = dict(self.headers, **({"Idempotency-Key": key} if key else {}))
        deadline = time.monotonic() + give_up_after
        pause = 0.2
        while time.monotonic() < deadline:
            try:
                response = requests.request(method, self.url + path, json=body, headers=headers, timeout=20)
            except requests.RequestException:
                self._count("connection error")
            else:
                self._count(response.status_code)
                in_progress = response.status_code == 409 and "in progress" in response.text
                if not retry or (response.status_code not in RETRY_STATUSES and not in_progress):
                    return response
            if not retry:
                return None
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
        return None

    def ok(self, method: str, path: str, body=None, key: str | None = None):
        response = self.call(method, path, body, key)
        assert response is not None and response.status_code < 300, (path, response and response.text)
        return response.json()


def setup_inventory(api: Api, capacity: int = 100_000) -> dict:
    """One product with a large allotment on one future day, for holds of one unit."""
    from datetime import date, timedelta

    day = (date.today() + timedelta(days=60)).isoformat()
    supplier = api.ok("POST", "/api/v1/suppliers", {"name": "Fault Tier Rail", "kind": "rail"}, key=uuid.uuid4().hex)
    product = api.ok("POST", "/api/v1/products", {
        "supplier_id": supplier["id"], "supplier_code": "FT-" + uuid.uuid4().hex[:6].upper(), "kind": "train",
        "name": "Madrid - Sevilla AVE", "location": "Madrid", "currency": "EUR"}, key=uuid.uuid4().hex)
    api.ok("PUT", f"/api/v1/products/{product['id']}/inventory", {
        "start": day, "end": day, "capacity": capacity, "net_price": "50.00", "sell_price": "64.50"})
    return {"product_id": product["id"], "day": day}


class EventTap:
    """Durable queues bound to the events the load produces, declared before the load starts,
    so every published event waits here (also across a broker restart: messages are persistent)."""

    FACTS = (("ticketing", "hold_placed"), ("crm", "customer_created"))

    def __init__(self, suite: Suite, tag: str):
        self.suite = suite
        self.queues = {}
        config = suite.nameko_config()
        from nameko.standalone.events import get_event_exchange

        with Connection(suite.broker.uri) as connection:
            for service, fact in self.FACTS:
                exchange = get_event_exchange(service, config)
                queue = Queue(f"faults-{tag}-{service}.{fact}", exchange=exchange, routing_key=fact,
                              durable=True, auto_delete=False)
                queue(connection.default_channel).declare()
                self.queues[f"{service}.{fact}"] = queue

    def drain(self, event_type: str) -> list[dict]:
        envelopes = []
        with Connection(self.suite.broker.uri) as connection:
            queue = self.queues[event_type](connection.default_channel)
            while (message := queue.get(no_ack=True)) is not None:
                envelopes.append(json.loads(message.body))
        return envelopes


class Load:
    """Threads creating customers and holds through the gateway, each with its own key."""

    def __init__(self, api: Api, inventory: dict, threads: int = 3, per_thread: int = 30,
                 give_up_after: float = 120):
        self.api = api
        self.give_up_after = give_up_after
        self.inventory = inventory
        self.threads = threads
        self.per_thread = per_thread
        self.outcomes: list[dict] = []  # one per operation: kind, key, final status, id
        self._lock = threading.Lock()
        self.done = 0

    def _operation(self, number: int) -> dict:
        key = uuid.uuid4().hex
        if number % 2:
            kind, path = "customer", "/api/v1/customers"
            body = {"full_name": f"Viajera {key[:8]}", "notes": key}
        else:
            kind, path = "hold", "/api/v1/holds"
            body = {"lines": [{"product_id": self.inventory["product_id"], "day": self.inventory["day"],
                               "quantity": 1}], "reference": key, "expires_in_minutes": 600}
        response = self.api.call("POST", path, body, key=key, give_up_after=self.give_up_after)
        return {"kind": kind, "key": key, "status": response.status_code if response is not None else None,
                "id": response.json().get("id") if response is not None and response.status_code == 201 else None}

    def _worker(self, first: int):
        for number in range(first, first + self.per_thread):
            outcome = self._operation(number)
            with self._lock:
                self.outcomes.append(outcome)
                self.done += 1

    def run(self, fault=None, after: int = 10) -> dict:
        """Run the load; call fault() once `after` operations have finished. Returns timings."""
        workers = [threading.Thread(target=self._worker, args=(i * self.per_thread,), daemon=True)
                   for i in range(self.threads)]
        for worker in workers:
            worker.start()
        timings = {}
        if fault is not None:
            wait_until(lambda: self.done >= after, 120, f"{after} operations before the fault")
            started = time.monotonic()
            timings["fault_at"] = time.strftime("%H:%M:%S", time.gmtime())
            fault()
            timings["fault_seconds"] = round(time.monotonic() - started, 1)
        for worker in workers:
            worker.join(timeout=300)
            assert not worker.is_alive(), "a load thread did not finish"
        return timings


def audit(suite: Suite, outcomes: list[dict], tap: EventTap | None = None) -> dict:
    """What the user cares about, counted from the services' own databases and the event tap."""
    figures = {"operations": len(outcomes),
               "final answers": dict(Counter(str(o["status"]) for o in outcomes))}
    sources = {"hold": ("ticketing", "SELECT id, reference FROM holds WHERE reference = ?", "ticketing.hold_placed"),
               "customer": ("crm", "SELECT id, notes FROM customers WHERE notes = ?", "crm.customer_created")}
    duplicates = orphans = lost_rows = 0
    created = {}
    for kind, (service, sql, _) in sources.items():
        ids = set()
        for outcome in (o for o in outcomes if o["kind"] == kind):
            rows = suite.query(service, sql, (outcome["key"],))
            ids.update(r[0] for r in rows)
            duplicates += max(0, len(rows) - 1)
            if outcome["id"] is None:
                orphans += len(rows)  # a record made for a client that never heard of it
            elif [r[0] for r in rows] != [outcome["id"]]:
                lost_rows += 1  # the client was told about a record that is not there (alone)
        created[kind] = ids
    figures.update(rows_created={k: len(v) for k, v in created.items()}, duplicate_rows=duplicates,
                   orphaned_rows=orphans, answered_but_missing=lost_rows)
    if tap is not None:
        for service in ("ticketing", "crm"):
            wait_until(lambda: suite.unpublished_events(service) == 0, 60, f"{service}'s outbox published")
        lost = dup_deliveries = dup_ids = 0
        published = received = 0
        for kind, (service, _, event_type) in sources.items():
            ids = created[kind]
            rows = suite.query(service, "SELECT envelope FROM outbox WHERE event_type = ?", (event_type,))
            published += sum(1 for (envelope,) in rows if json.loads(envelope)["payload"]["id"] in ids)
            envelopes = []

            def all_arrived():
                envelopes.extend(tap.drain(event_type))
                return ids <= {e["payload"]["id"] for e in envelopes}
            try:
                wait_until(all_arrived, 30, f"every {event_type} event at the subscriber", 0.5)
            except AssertionError:
                pass  # counted as lost below
            received += len(envelopes)
            per_record: dict[str, set] = {}
            for envelope in envelopes:
                per_record.setdefault(envelope["payload"]["id"], set()).add(envelope["id"])
            missing = ids - set(per_record)
            lost += len(missing)
            if missing:  # when they were written and sent, to tell a lost event from a late one
                rows = suite.query(service, "SELECT envelope, created_at, published_at, attempts FROM outbox "
                                            "WHERE event_type = ?", (event_type,))
                with open(suite.base / "lost-events.txt", "a") as out:
                    for envelope, *when in rows:
                        if json.loads(envelope)["payload"]["id"] in missing:
                            out.write(f"{event_type} {json.loads(envelope)['payload']['id']} {when}\n")
            dup_deliveries += sum(n - 1 for n in Counter(e["id"] for e in envelopes).values())
            dup_ids += sum(len(v) - 1 for k, v in per_record.items() if k in ids)
        figures.update(events_published=published, events_received=received, events_lost=lost,
                       events_redelivered_same_id=dup_deliveries, events_duplicated_new_id=dup_ids)
    return figures
