"""The gateway's Alembic history on SQLite and PostgreSQL: it matches the models and downgrades cleanly."""
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gateway.db import MIGRATIONS, Base
from services.common.db import make_engine
from services.common.migrations import alembic_config, upgrade

pytestmark = pytest.mark.service


def test_migrations_match_the_models_and_downgrade(database_url):
    engine = make_engine(database_url("gateway"))
    try:
        upgrade(engine, MIGRATIONS)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        with engine.begin() as connection:
            command.downgrade(alembic_config(MIGRATIONS, connection), "base")
        upgrade(engine, MIGRATIONS)
    finally:
        engine.dispose()
