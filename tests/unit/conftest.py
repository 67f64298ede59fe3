"""Unit-test fixtures: a service's tables in a throw-away SQLite file, no broker."""
import pytest
from sqlalchemy.orm import Session

from services.common.db import make_engine


@pytest.fixture
def session(request, tmp_path):
    """A session on the tables of the test module's `Base` (the service's declarative base)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'unit.db'}")
    request.module.Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()
