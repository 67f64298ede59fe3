"""Alembic, one migration history per service, applied when the service starts.

    python -m services.common.migrations crm upgrade head   # or: current, downgrade -1, history
    (any of the five services, or `gateway` for the gateway's staff accounts)
"""
import sys

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import text

from . import config as cfg
from .db import UtcDateTime, make_engine


def alembic_config(script_location: str, connection=None) -> Config:
    alembic_cfg = Config()
    alembic_cfg.set_main_option("script_location", script_location)
    alembic_cfg.attributes["connection"] = connection
    return alembic_cfg


def upgrade(engine, script_location: str, revision: str = "head"):
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two instances starting together must not both run the same migration.
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": script_location})
        command.upgrade(alembic_config(script_location, connection), revision)


def run_env(target_metadata):
    """The body of every service's migrations/env.py."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through services.common.migrations, not the alembic CLI")
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in (*cfg.SERVICES, "gateway"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    service, action, *args = argv
    home = cfg.REPO_ROOT / ("gateway" if service == "gateway" else f"services/{service}")
    script_location = str(home / "migrations")
    engine = make_engine(cfg.database_url(service))
    with engine.begin() as connection:
        getattr(command, action)(alembic_config(script_location, connection), *args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def create_kernel_tables_v1():
    """The outbox and inbox as every service's first migration creates them (frozen: v1)."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("envelope", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("published_at", UtcDateTime),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UtcDateTime),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_outbox_pending", "outbox", ["published_at", "created_at"])
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("handler", sa.String(200), primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("processed_at", UtcDateTime, nullable=False),
    )


def create_command_log_v1():
    """The command log, and the index the pruning of the inbox uses (frozen: v1)."""
    op.create_table(
        "command_log",
        sa.Column("request_id", sa.String(200), primary_key=True),
        sa.Column("method", sa.String(200), primary_key=True),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_command_log_recorded_at", "command_log", ["recorded_at"])
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"])


def drop_command_log_v1():
    op.drop_index("ix_inbox_processed_at", "inbox")
    op.drop_table("command_log")
