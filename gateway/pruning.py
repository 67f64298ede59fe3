"""The gateway's own tables only grow: idempotency records and login failures past their
retention are deleted, at most once per interval, from a request hook (the gateway has no timer).

Retention outlasts what the rows are for: an idempotency record answers repeats of a request
for a day (clients retry within minutes), a login failure counts for FAILURE_WINDOW.
"""
import logging
import os
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import delete

from services.common.db import utcnow

from .db import IdempotencyRecord, LoginFailure
from .staff import FAILURE_WINDOW

log = logging.getLogger(__name__)


class Pruner:
    def __init__(self, database, *, idempotency_retention: timedelta, login_failure_retention: timedelta,
                 interval_seconds: float, clock=time.monotonic):
        self.database = database
        self.idempotency_retention = idempotency_retention
        # Never shorter than the window the throttle counts failures in.
        self.login_failure_retention = max(login_failure_retention, FAILURE_WINDOW)
        self.interval, self.clock = interval_seconds, clock
        self._next = clock()
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, database) -> "Pruner":
        def hours(name):
            return timedelta(hours=float(os.environ.get(name, 24)))

        return cls(database, idempotency_retention=hours("GATEWAY_IDEMPOTENCY_RETENTION_HOURS"),
                   login_failure_retention=hours("GATEWAY_LOGIN_FAILURE_RETENTION_HOURS"),
                   interval_seconds=float(os.environ.get("GATEWAY_PRUNE_INTERVAL_SECONDS", 60)))

    def before_request(self):
        self.maybe_prune(utcnow())

    def maybe_prune(self, now: datetime) -> dict | None:
        """Prune when the interval has passed; one thread does it, the others go on at once."""
        if self.clock() < self._next or not self._lock.acquire(blocking=False):
            return None
        try:
            self._next = self.clock() + self.interval
            return self.prune(now)
        except Exception:   # pruning must never fail a request; the next interval tries again
            log.exception("pruning the gateway's tables failed")
            return None
        finally:
            self._lock.release()

    def prune(self, now: datetime) -> dict:
        with self.database.session() as session:
            records = session.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.created_at < now - self.idempotency_retention)).rowcount
            failures = session.execute(delete(LoginFailure).where(
                LoginFailure.at < now - self.login_failure_retention)).rowcount
        if records or failures:
            log.info("pruned %d idempotency records and %d login failures", records, failures)
        return {"idempotency_records": records, "login_failures": failures}
