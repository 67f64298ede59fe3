"""The gateway's own small database: staff accounts, login failures, idempotency records.

It holds nothing of the services' (they own their data); SQLite under var/ by default,
PostgreSQL with GATEWAY_DATABASE_URL. Migrated with Alembic when the app starts.
"""
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, Boolean, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from services.common.config import database_url
from services.common.db import NAMING_CONVENTION, UtcDateTime, make_engine, reader_for
from sqlalchemy import MetaData

MIGRATIONS = str(Path(__file__).parent / "migrations")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    """A wrong password: from an unknown client (device NULL), or from a browser whose device cookie
    (its nonce in `device`) had signed in as this user before."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    device: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class IdempotencyRecord(Base):
    """A POST made with an Idempotency-Key, and the response it got."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("actor", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    response_type: Mapped[str | None] = mapped_column(String(100))
    response_headers: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class GatewayDatabase:
    def __init__(self, url: str | None = None):
        self.url = url or database_url("gateway")
        self.engine = make_engine(self.url)
        self.reader = reader_for(self.engine)

    def migrate(self):
        from services.common.migrations import upgrade

        upgrade(self.engine, MIGRATIONS)

    @contextmanager
    def session(self):
        """One short transaction: committed on success, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self):
        """A transaction that only reads: on SQLite it does not queue behind writers."""
        with Session(self.reader, expire_on_commit=False) as session, session.begin():
            yield session
