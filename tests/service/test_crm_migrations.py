"""CRM's Alembic history on SQLite and PostgreSQL: upgrade keeps old customers, matches the models,
and downgrades cleanly."""
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

import services.crm
from services.common.db import make_engine
from services.common.migrations import alembic_config, upgrade
from services.crm.models import Base

pytestmark = pytest.mark.service

SCRIPTS = str(Path(services.crm.__file__).parent / "migrations")
HEAD = ScriptDirectory(SCRIPTS).get_current_head()


def downgrade(engine, revision):
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(SCRIPTS, connection), revision)


def version(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url("crm"))
    yield engine
    engine.dispose()


def test_upgrade_keeps_customers_and_matches_the_models_then_downgrades(engine):
    upgrade(engine, SCRIPTS, "crm_0001")
    created = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customers (id, full_name, email, phone, preferred_language, notes, "
                          "created_at, created_by) VALUES ('c1', 'María Núñez', 'Maria@Example.es', "
                          "'0034 600 11 22 33', 'es', NULL, :at, 'user:old')"),
                     {"at": created if engine.dialect.name == "postgresql" else created.replace(tzinfo=None)})

    upgrade(engine, SCRIPTS)
    assert version(engine) == HEAD
    with engine.connect() as conn:
        row = conn.execute(text("SELECT search_name, email, marketing_consent FROM customers")).one()
        contacts = sorted(tuple(r) for r in conn.execute(text("SELECT kind, value FROM customer_contacts")))
        entries = conn.execute(text("SELECT kind, actor FROM timeline_entries")).all()
    assert row.search_name == "maria nunez" and row.email == "Maria@Example.es" and not row.marketing_consent
    assert contacts == [("email", "maria@example.es"), ("phone", "+34600112233")]
    assert [tuple(e) for e in entries] == [("crm.customer_created", "user:old")]

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == [], differences

    downgrade(engine, "crm_0001")
    assert version(engine) == "crm_0001"
    tables = set(inspect(engine).get_table_names())
    assert {"inquiries", "inquiry_transitions", "follow_ups", "timeline_entries", "customer_contacts"} & tables == set()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT full_name, email, phone FROM customers")).one() == (
            "María Núñez", "Maria@Example.es", "0034 600 11 22 33")
    assert "search_name" not in {c["name"] for c in inspect(engine).get_columns("customers")}

    upgrade(engine, SCRIPTS)  # and up again
    assert version(engine) == HEAD
