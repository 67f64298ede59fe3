"""Column types the kernel gives every service: exact money, UTC datetimes, SQLite settings."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text

from services.common.db import Money, UtcDateTime, make_engine


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'unit.db'}")
    yield engine
    engine.dispose()


def test_money_is_exact_and_utc_is_aware_on_sqlite(engine):
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("amount", Money),
                  Column("at", UtcDateTime))
    table.create(engine)
    madrid = dt.timezone(dt.timedelta(hours=1))
    with engine.begin() as conn:
        conn.execute(insert(table), [{"amount": Decimal("0.1"), "at": dt.datetime(2027, 1, 1, 13, tzinfo=madrid)},
                                     {"amount": Decimal("999999999999.99"), "at": None}])
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.amount, table.c.at).order_by(table.c.id)).all()
    assert rows[0].amount == Decimal("0.1") and rows[1].amount == Decimal("999999999999.99")
    assert rows[0].at == dt.datetime(2027, 1, 1, 12, tzinfo=dt.timezone.utc)


def test_naive_datetimes_are_not_stored(engine):
    table = Table("t2", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime))
    table.create(engine)
    with pytest.raises(Exception, match="naive"), engine.begin() as conn:
        conn.execute(insert(table).values(at=dt.datetime(2027, 1, 1)))


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine):
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
