"""Storage building blocks every service shares: column types, the kernel's tables, the engine.

A leaf module: the unit of work (unit_of_work.py), the outbox, inbox and command log build on it.
"""
import fcntl
import logging
import threading
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import (
    Column, DateTime, Index, Integer, MetaData, Numeric, String, Table, Text, create_engine, event,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, TypeDecorator

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


def make_engine(url: str, *, read_only: bool = False):
    """read_only (SQLite): transactions that only read begin deferred, so they neither take nor
    wait for the write lock (WAL lets them read beside a writer)."""
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
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def reader_for(engine):
    """The engine to read with: on SQLite a twin whose transactions begin deferred (make_engine's
    read_only), elsewhere the engine itself."""
    if engine.dialect.name != "sqlite":
        return engine
    return make_engine(engine.url.render_as_string(hide_password=False), read_only=True)


class usually(FunctionElement):
    """A condition true for most rows it is tested on. SQLite, planning without statistics, would
    otherwise start from an index on it (e.g. every active hold) instead of a selective one;
    other databases plan from their statistics and get the condition as it is."""

    type = Boolean()
    inherit_cache = True
    name = "usually"


@compiles(usually)
def _usually(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(usually, "sqlite")
def _usually_sqlite(element, compiler, **kw):
    return f"likely({compiler.process(element.clauses, **kw)})"


def refresh_statistics(connection):
    """SQLite plans queries from the statistics ANALYZE leaves (PostgreSQL's autovacuum keeps its
    own): without them it may walk every active hold rather than search the (day, product) index.
    Sampled (analysis_limit), so it stays quick however large the tables grow. Run hourly."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
        connection.exec_driver_sql("ANALYZE")


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
