"""Itinerary's migrations on SQLite and PostgreSQL: up to the models exactly, down, and up again."""
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from services.common.config import REPO_ROOT
from services.common.db import make_engine
from services.common.migrations import alembic_config, upgrade
from services.itinerary.models import Base

pytestmark = pytest.mark.service

SCRIPTS = str(REPO_ROOT / "services" / "itinerary" / "migrations")
TABLES = {"catalog_products", "catalog_seasons", "itineraries", "itinerary_days", "itinerary_items",
          "exchange_rates", "markup_rules", "pricing_settings", "approvals", "quotes"}


def test_upgrade_matches_the_models_and_downgrade_removes_only_its_tables(database_url):
    engine = make_engine(database_url("itinerary"))
    try:
        upgrade(engine, SCRIPTS)
        with engine.connect() as conn:
            head = ScriptDirectory(SCRIPTS).get_current_head()
            assert head == "itinerary_0006"
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert TABLES <= set(inspect(engine).get_table_names())

        with engine.begin() as conn:
            command.downgrade(alembic_config(SCRIPTS, conn), "itinerary_0001")
        engine.dispose()
        left = set(inspect(engine).get_table_names())
        assert not TABLES & left and {"outbox", "inbox"} <= left

        upgrade(engine, SCRIPTS)
        engine.dispose()
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
