"""Shared fixtures. nameko >= 2.14's pytest plugin no longer monkey-patches eventlet: do it first."""
import eventlet

eventlet.monkey_patch()  # noqa: E402 (must run before anything imports socket or threading)

import os
import uuid
from urllib.parse import urlparse, urlunparse

import psycopg2
import pytest
from kombu import Connection
from nameko.containers import ServiceContainer
from nameko.standalone.rpc import ClusterRpcProxy

from services.common import errors, serialization  # noqa: F401 (registers remote error types)
from services.common.config import load_nameko_config

serialization.register()


def _consume_polling_quickly():
    """nameko's queue consumers wake every second (kombu's safety_interval) to see whether they
    should stop, so each stopping container waited up to 2 s: about 9 s of every five-service
    test's teardown. In the tests' in-process containers they look every 0.1 s instead; services
    run by `make run` and the fault tier keep the library's pace."""
    from kombu.mixins import ConsumerMixin
    from nameko.messaging import QueueConsumer

    def run(self, _tokens=1, **kwargs):
        kwargs.setdefault("safety_interval", 0.1)
        return ConsumerMixin.run(self, _tokens, **kwargs)

    QueueConsumer.run = run


_consume_polling_quickly()

PG_ADMIN_URL = os.environ.get("ITINERA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_answers() -> bool:
    try:
        psycopg2.connect(PG_ADMIN_URL, connect_timeout=2).close()
        return True
    except psycopg2.OperationalError:
        return False


POSTGRES = _postgres_answers()


@pytest.fixture(scope="session")
def amqp_uri():
    """A private vhost for the run: tests never meet anyone else's services or queues."""
    from services.common.sandbox import private_vhost

    with private_vhost(load_nameko_config()["AMQP_URI"], "itinera-test") as (uri, note):
        print(f"\ntests use the {note}")
        yield uri


@pytest.fixture
def nameko_config(amqp_uri, monkeypatch):
    config = load_nameko_config()
    config["AMQP_URI"] = amqp_uri
    monkeypatch.setenv("AMQP_URI", amqp_uri)  # for subprocesses reading deploy/nameko.yml
    # Fast clocks for tests: retries, relay grace.
    config.update(EVENT_MAX_ATTEMPTS=3, EVENT_RETRY_DELAY_MS=50, OUTBOX_RELAY_GRACE_SECONDS=0.3)
    config.pop("LOGGING", None)
    return config


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES, reason="PostgreSQL does not answer at " + PG_ADMIN_URL))])
def backend(request):
    return request.param


@pytest.fixture
def database_url(backend, tmp_path):
    """database_url(name) gives a fresh, empty database of the test's backend."""
    created = []

    def make(name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / (name + '.db')}"
        db = f"itinera_test_{name}_{uuid.uuid4().hex[:8]}"
        conn = psycopg2.connect(PG_ADMIN_URL)
        conn.autocommit = True
        conn.cursor().execute(f'CREATE DATABASE "{db}"')
        conn.close()
        created.append(db)
        return urlunparse(urlparse(PG_ADMIN_URL)._replace(path="/" + db))

    yield make
    if created:
        conn = psycopg2.connect(PG_ADMIN_URL)
        conn.autocommit = True
        for db in created:
            conn.cursor().execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.close()


@pytest.fixture
def start_service(nameko_config, database_url):
    """start_service(ServiceClass, **config) runs a real container on the real broker and database."""
    containers = []

    def start(cls, **overrides):
        config = dict(nameko_config, **overrides)
        urls = dict(config.get("DATABASE_URLS") or {})
        urls.setdefault(cls.name, database_url(cls.name))
        config["DATABASE_URLS"] = urls
        container = ServiceContainer(cls, config)
        _purge_event_queues(container)
        container.start()
        containers.append(container)
        return container

    yield start
    for container in reversed(containers):
        container.stop()


def _purge_event_queues(container):
    """Event-handler queues are durable: drop what earlier tests left in them."""
    from services.common.entrypoints import EventHandler

    with Connection(container.config["AMQP_URI"]) as connection:
        channel = connection.channel()
        for entrypoint in container.entrypoints:
            if isinstance(entrypoint, EventHandler):
                name = (f"evt-{entrypoint.source_service}-{entrypoint.event_type}"
                        f"--{container.service_name}.{entrypoint.method_name}")
                for queue in (name, name + ".retry"):
                    try:
                        channel.queue_purge(queue)
                    except Exception:  # not declared yet: nothing to purge
                        channel = connection.channel()
        channel.close()


@pytest.fixture
def rpc(nameko_config):
    with ClusterRpcProxy(nameko_config, timeout=15, context_data={"correlation_id": "test-" + uuid.uuid4().hex[:8]}) as proxy:
        yield proxy


@pytest.fixture
def amqp(nameko_config):
    with Connection(nameko_config["AMQP_URI"]) as connection:
        yield connection


def wait_for(predicate, timeout=10.0, interval=0.05, message="condition"):
    """Poll until predicate() is truthy; returns its value."""
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if eventlet.hubs.get_hub().clock() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        eventlet.sleep(interval)


@pytest.fixture
def smtp_server(tmp_path, monkeypatch):
    """A real SMTP server (aiosmtpd, tests/smtp.py) on a free port, collecting what it accepts.

    SMTP_HOST / SMTP_PORT point to it in the environment, which CRM reads when its own config does
    not set them: containers started by start_service or run_services, and service processes,
    send here. `smtp_server.messages`, `smtp_server.wait_for(lambda m: ..., timeout=10)`."""
    from tests.smtp import SmtpServer

    server = SmtpServer(tmp_path / "smtp").start()
    for key, value in server.config.items():
        monkeypatch.setenv(key, value)
    yield server
    server.stop()
