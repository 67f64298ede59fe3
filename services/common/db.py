"""Each service's own database: the engine, the kernel's tables, and one unit of work per worker.

The unit of work is settled (committed or rolled back) by the entrypoint *before* the RPC reply
is sent or the event message acknowledged: nameko calls DependencyProvider.worker_result only
after that, which would let a caller see a reply for data that then failed to commit.
"""
import fcntl
import logging
import os
import socket
import sys
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal

from nameko.extensions import DependencyProvider
from sqlalchemy import (
    Column, DateTime, Index, Integer, MetaData, Numeric, String, Table, Text, create_engine, event,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from . import config as cfg
from .logs import correlation_id

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite returns naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetimes are not stored; use UTC")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Money(TypeDecorator):
    """An exact amount. SQLite has no decimal type, so there it is kept as text, never as a float."""

    impl = Numeric()
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        # Unconstrained NUMERIC keeps the scale it was given: 120.00 comes back as 120.00.
        return dialect.type_descriptor(Numeric())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_dict(record) -> dict:
    """A mapped row as a plain dict of its columns, ready for RPC (types kept exact)."""
    return {column.key: getattr(record, column.key) for column in record.__table__.columns}


def service_metadata() -> MetaData:
    """A service's MetaData, holding the kernel's outbox, inbox and command log beside its own."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    Table(
        "outbox", metadata,
        Column("id", String(36), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("published_at", UtcDateTime),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("next_attempt_at", UtcDateTime),
        Column("last_error", Text),
        Index("ix_outbox_pending", "published_at", "created_at"),
    )
    Table(
        "inbox", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("handler", String(200), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("processed_at", UtcDateTime, nullable=False),
        Index("ix_inbox_processed_at", "processed_at"),
    )
    Table(
        # (request id, method) -> the reply a command got, committed with its effect (commands.py).
        "command_log", metadata,
        Column("request_id", String(200), primary_key=True),
        Column("method", String(200), primary_key=True),
        Column("outcome", Text, nullable=False),
        Column("recorded_at", UtcDateTime, nullable=False),
        Index("ix_command_log_recorded_at", "recorded_at"),
    )
    return metadata


def make_engine(url: str):
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            # Take over transaction control from pysqlite so BEGIN IMMEDIATE below is what runs.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Take the write lock up front: a deferred transaction that reads and then writes
            # fails at once with "database is locked" when another process wrote meanwhile.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class SqliteWriterLock:
    """SQLite has one writer at a time. Workers take turns for it, first inside the process on a
    green lock (so a worker that yields mid-transaction never leaves another spinning in
    busy_timeout, which would freeze eventlet's hub), then across processes on an flock beside
    the database file: the kernel wakes a waiting process as soon as the file is free, where
    SQLite's own busy handler polls with sleeps and can starve a second service instance.
    """

    def __init__(self, database_path: str | None):
        self._green = threading.RLock()
        self._depth = 0
        self._file = open(f"{database_path}.writer-lock", "a+b") if database_path and database_path != ":memory:" \
            else None

    def acquire(self):
        self._green.acquire()
        self._depth += 1
        if self._depth == 1 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_EX)

    def release(self):
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._green.release()


class UnitOfWork:
    """What a worker sees as `self.db`: a session, and `emit` to add an event to the outbox."""

    def __init__(self, database: "Database", worker_ctx):
        self.database = database
        self.worker_ctx = worker_ctx
        self._session: Session | None = None
        self.events: list[dict] = []
        self.settled = False
        self.committed = False

    @property
    def session(self) -> Session:
        if self._session is None:
            self.database.lock()
            self._session = Session(self.database.engine, expire_on_commit=False)
        return self._session

    @property
    def actor(self) -> str:
        """Who is acting: the staff user or supplier the gateway named, else this service."""
        return self.worker_ctx.data.get("actor") or f"service:{self.database.service_name}"

    @property
    def actor_name(self) -> str | None:
        """The acting staff user's full name as the gateway gave it (None for services, suppliers)."""
        return self.worker_ctx.data.get("actor_name")

    @property
    def correlation_id(self) -> str | None:
        return self.worker_ctx.data.get("correlation_id") or correlation_id.get()

    def emit(self, event_name: str, payload: dict, version: int = 1) -> str:
        """Record an event in this transaction; it is published once the transaction commits."""
        from .outbox import add_to_outbox

        envelope = add_to_outbox(self.session, self.database.metadata, event_name, payload,
                                 self.correlation_id, version)
        self.events.append(envelope)
        return envelope["id"]

    def _close(self):
        if self._session is not None:
            self._session.close()
            self._session = None
            self.database.unlock()


class Database(DependencyProvider):
    """Injects a UnitOfWork. Migrates the schema at start; PostgreSQL by URL, SQLite by default."""

    def __init__(self, metadata: MetaData, migrations: str | None = None):
        self.metadata = metadata
        self.migrations = migrations
        self.units: dict = {}

    def setup(self):
        from .outbox import OutboxPublisher

        self.service_name = self.container.service_name
        self.url = cfg.database_url(self.service_name, self.container.config)
        if self.url.startswith("postgresql"):
            # psycopg2 blocks eventlet's hub unless it waits through a green callback.
            from psycogreen.eventlet import patch_psycopg

            patch_psycopg()
        self.engine = make_engine(self.url)
        self._writer = SqliteWriterLock(self.engine.url.database) if self.engine.dialect.name == "sqlite" else None
        self.publisher = OutboxPublisher(self.container.config)
        self.migrate()

    def migrate(self):
        if self.migrations:
            from .migrations import upgrade

            upgrade(self.engine, self.migrations)
        else:
            self.metadata.create_all(self.engine)

    def stop(self):
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def lock(self):
        if self._writer is not None:
            self._writer.acquire()

    def unlock(self):
        if self._writer is not None:
            self._writer.release()

    @contextmanager
    def transaction(self):
        """A short transaction outside any worker's unit of work (relay, inbox pre-check)."""
        self.lock()
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        finally:
            self.unlock()

    def get_dependency(self, worker_ctx):
        unit = UnitOfWork(self, worker_ctx)
        self.units[worker_ctx] = unit
        return unit

    def settle(self, worker_ctx, exc_info, inbox_key: tuple[str, str, str] | None = None, command=None):
        """Commit the worker's transaction if it succeeded, roll back if not.

        inbox_key (event id, handler, event type) is recorded in the same transaction, so a
        redelivered event is a duplicate that changes nothing. command (a commands.Command with
        its outcome) is recorded likewise; a refused command's outcome is recorded after its
        writes are rolled back. When another delivery of the same command recorded first,
        everything is rolled back and command.replay holds that outcome. Returns the exc_info to
        report: a failed commit turns a success into an error.
        """
        from . import commands

        unit = self.units.get(worker_ctx)
        if unit is None or unit.settled:
            return exc_info
        unit.settled = True
        committed = False
        try:
            if exc_info is None or (command is not None and commands.is_refusal(exc_info)):
                if exc_info is not None:  # a refusal: nothing it wrote or emitted stays
                    unit.events = []
                    if unit._session is not None:
                        unit._session.rollback()
                if inbox_key is not None and exc_info is None:
                    from .inbox import record_processed

                    try:
                        record_processed(unit.session, self.metadata, *inbox_key)
                    except IntegrityError:
                        log.info("event %s already processed by %s", inbox_key[0], inbox_key[1])
                        unit.session.rollback()
                        return None
                try:
                    if command is not None:
                        commands.record(unit.session, self.metadata, command)
                    if unit._session is not None:
                        unit._session.commit()
                        committed = True
                except IntegrityError:
                    unit.session.rollback()
                    replay = command and commands.recorded(unit.session, self.metadata, command)
                    if not replay:
                        raise  # the effect's own constraint, not a second delivery
                    log.info("command %s %s ran meanwhile in another delivery: its outcome is the answer",
                             command.method, command.request_id)
                    command.replay = replay
                    unit.session.rollback()
            elif unit._session is not None:
                unit._session.rollback()
        except Exception:
            log.exception("commit failed")
            if unit._session is not None:
                unit._session.rollback()
            exc_info = sys.exc_info()
        finally:
            unit.committed = committed
            unit._close()
        if not committed:
            unit.events = []
        return exc_info

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        # Entrypoints without a reply of their own (timers) settle here.
        self.settle(worker_ctx, exc_info)
        unit = self.units.get(worker_ctx)
        if unit is not None and unit.events:
            # After the reply is sent: the caller does not wait for the broker, and the
            # relay covers a crash between the commit and this.
            self.publisher.publish_committed(self, unit.events)
            unit.events = []

    def worker_teardown(self, worker_ctx):
        unit = self.units.pop(worker_ctx, None)
        if unit is not None:
            unit._close()

    def health(self) -> dict:
        with self.transaction() as session:
            session.execute(text("SELECT 1"))
            version = None
            if self.migrations:
                version = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return {"database": "ok", "dialect": self.engine.dialect.name, "schema_version": version,
                "instance": f"{socket.gethostname()}:{os.getpid()}"}
