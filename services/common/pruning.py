"""Pruning the kernel's tables, which otherwise only grow: a timer in every service deletes

- outbox rows published more than OUTBOX_RETENTION_DAYS ago (unpublished rows always stay:
  the relay still owes them to the broker);
- inbox rows older than INBOX_RETENTION_DAYS. An inbox row is what makes a redelivered event
  change nothing, so it must outlive every copy of its event that can still arrive: copies
  waiting in a queue while the subscriber is down, the relay publishing again an event it could
  not mark published, retries through the delay queue. A row pruned before the last copy
  arrives lets that copy apply its effect a second time. Hence a month by default;
- command-log rows older than COMMAND_LOG_RETENTION_DAYS: a client may repeat a command under
  the same Idempotency-Key only while its row exists, so this must exceed any client's retry
  window (the gateway's own record of a key is younger still).

Settings come from the nameko config (deploy/nameko.yml, from the environment). Rows go in
batches, each its own short transaction, so pruning a large backlog never holds the database.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from nameko.timer import Timer
from sqlalchemy import delete, select

from .db import utcnow

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass(frozen=True)
class Retention:
    outbox: timedelta = timedelta(days=7)
    inbox: timedelta = timedelta(days=30)
    command_log: timedelta = timedelta(days=7)

    @classmethod
    def from_config(cls, config: dict) -> "Retention":
        def days(key, default: timedelta) -> timedelta:
            value = config.get(key)
            return default if value in (None, "") else timedelta(days=float(value))

        return cls(days("OUTBOX_RETENTION_DAYS", cls.outbox), days("INBOX_RETENTION_DAYS", cls.inbox),
                   days("COMMAND_LOG_RETENTION_DAYS", cls.command_log))


def _prune(database, table, column, cutoff: datetime) -> int:
    """Delete rows whose `column` is before cutoff, oldest first, BATCH at a time."""
    deleted = 0
    while True:
        with database.transaction() as session:
            boundary = session.execute(select(column).where(column < cutoff).order_by(column)
                                       .offset(BATCH).limit(1)).scalar()
            upto = cutoff if boundary is None else boundary
            deleted += session.execute(delete(table).where(column < upto)).rowcount or 0
        if boundary is None:
            return deleted


def prune(database, retention: Retention, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention; returns how many rows went from each table."""
    now = now or utcnow()
    tables = database.metadata.tables
    counts = {
        "outbox": _prune(database, tables["outbox"], tables["outbox"].c.published_at, now - retention.outbox),
        "inbox": _prune(database, tables["inbox"], tables["inbox"].c.processed_at, now - retention.inbox),
        "command_log": _prune(database, tables["command_log"], tables["command_log"].c.recorded_at,
                              now - retention.command_log),
    }
    if any(counts.values()):
        log.info("pruned %s", ", ".join(f"{n} {name} row(s)" for name, n in counts.items() if n))
    return counts


class ConfiguredTimer(Timer):
    """A nameko timer whose interval is read from the service's config when it starts."""

    def __init__(self, config_key: str, default: float, **kwargs):
        self.config_key = config_key
        self.default = default
        super().__init__(interval=default, **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.config_key) or self.default)


configured_timer = ConfiguredTimer.decorator
