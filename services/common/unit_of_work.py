"""One unit of work per worker over the service's own database.

The unit of work is settled (committed or rolled back) by the entrypoint *before* the RPC reply
is sent or the event message acknowledged: nameko calls DependencyProvider.worker_result only
after that, which would let a caller see a reply for data that then failed to commit.
"""
import logging
import os
import socket
import sys
from contextlib import contextmanager

from nameko.extensions import DependencyProvider
from sqlalchemy import MetaData, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import commands, config as cfg
from .contract import Event
from .db import SqliteWriterLock, make_engine, reader_for, refresh_statistics
from .inbox import record_processed
from .logs import correlation_id
from .migrations import upgrade
from .outbox import OutboxPublisher, add_to_outbox

log = logging.getLogger(__name__)


class UnitOfWork:
    """What a worker sees as `self.uow`: a session, who is acting, and `emit` to add an event to the
    outbox; settled (committed or rolled back) once, by the entrypoint."""

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
    def actor_roles(self) -> set[str]:
        """The acting staff user's roles as the gateway gave them (none for services, suppliers)."""
        return set(self.worker_ctx.data.get("actor_roles") or ())

    @property
    def correlation_id(self) -> str | None:
        return self.worker_ctx.data.get("correlation_id") or correlation_id.get()

    def emit(self, event: Event, data) -> str:
        """Record `event` with its schema's dump of `data` in this transaction; it is published
        once the transaction commits."""
        envelope = add_to_outbox(self.session, self.database.metadata, event.name, event.payload(data),
                                 self.correlation_id, event.version)
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
        self.service_name = self.container.service_name
        self.url = cfg.database_url(self.service_name, self.container.config)
        if self.url.startswith("postgresql"):
            # psycopg2 blocks eventlet's hub unless it waits through a green callback.
            from psycogreen.eventlet import patch_psycopg

            patch_psycopg()
        self.engine = make_engine(self.url)
        self._writer = SqliteWriterLock(self.engine.url.database) if self.engine.dialect.name == "sqlite" else None
        self.reader = reader_for(self.engine)
        self.publisher = OutboxPublisher(self.container.config)
        self.migrate()

    def migrate(self):
        if self.migrations:
            upgrade(self.engine, self.migrations)
        else:
            self.metadata.create_all(self.engine)

    def refresh_statistics(self):
        if self.engine.dialect.name == "sqlite":
            with self.transaction() as session:
                refresh_statistics(session.connection())

    def stop(self):
        self.engine.dispose()
        self.reader.dispose()

    def kill(self):
        self.engine.dispose()
        self.reader.dispose()

    def lock(self):
        if self._writer is not None:
            self._writer.acquire()

    def unlock(self):
        if self._writer is not None:
            self._writer.release()

    @contextmanager
    def reading(self):
        """A transaction that only reads (command log and inbox pre-checks): on SQLite it neither
        takes nor waits for the writer's turn; WAL lets it read beside a writer."""
        with Session(self.reader, expire_on_commit=False) as session, session.begin():
            yield session

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
