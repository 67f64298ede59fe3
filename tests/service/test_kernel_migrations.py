"""Every service's Alembic history creates the kernel's tables as services.common.db declares them:
up to the models exactly, the command log's revision down and up again."""
import importlib

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from services.common.config import REPO_ROOT, SERVICES
from services.common.db import make_engine
from services.common.migrations import alembic_config, upgrade

pytestmark = pytest.mark.service


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_the_models_and_the_command_log_revision_reverts(database_url, service):
    scripts = str(REPO_ROOT / "services" / service / "migrations")
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    engine = make_engine(database_url(service))
    try:
        upgrade(engine, scripts)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert {"outbox", "inbox", "command_log"} <= set(inspect(engine).get_table_names())

        log_revision = next(r for r in ScriptDirectory(scripts).walk_revisions()
                            if r.path.endswith("_command_log.py"))
        with engine.begin() as conn:
            command.downgrade(alembic_config(scripts, conn), log_revision.down_revision)
        engine.dispose()
        assert "command_log" not in inspect(engine).get_table_names()

        upgrade(engine, scripts)
        engine.dispose()
        assert "command_log" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
