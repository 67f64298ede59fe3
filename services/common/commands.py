"""The command log: a command runs once, and never after its caller gave up.

An RPC carrying the context key `request_id` is a command. Its outcome (the reply it got: a
result or a domain error) is recorded under (request id, method) in the same transaction as
its effect, so a redelivered or repeated command is answered with its first outcome and
changes nothing. A request past its `deadline` (epoch seconds, set by the caller) is not run:
the caller has stopped waiting, and running it now could only create effects nobody owns.
"""
import hashlib
import logging
import os
import time
from dataclasses import dataclass

from sqlalchemy import insert, select

from . import serialization
from .db import utcnow
from .errors import DomainError, remote_error

log = logging.getLogger(__name__)

REQUEST_ID = "request_id"
DEADLINE = "deadline"
MAX_REQUEST_ID = 200


@remote_error
class RequestExpired(DomainError):
    """The request reached the service after its caller's deadline: it was not run."""

    status = 504
    title = "Gateway timeout"


@dataclass
class Command:
    request_id: str
    method: str
    outcome: dict | None = None   # the reply to record with the effect
    replay: dict | None = None    # set when another delivery of this command recorded first

    @classmethod
    def from_context(cls, request_id, method: str) -> "Command | None":
        if not request_id:
            return None
        request_id = str(request_id)
        if len(request_id) > MAX_REQUEST_ID:  # any length a caller sends still fits the key
            request_id = "sha256:" + hashlib.sha256(request_id.encode()).hexdigest()
        return cls(request_id, method)


def expired(deadline, now: float | None = None) -> bool:
    """True when the caller's deadline has passed. A deadline that is not a number is ignored."""
    if deadline in (None, ""):
        return False
    try:
        return (time.time() if now is None else now) > float(deadline)
    except (TypeError, ValueError):
        log.warning("ignoring a deadline that is not a number: %r", deadline)
        return False


def recorded(session, metadata, command: Command) -> dict | None:
    """The outcome recorded for this command, or None when it has not run (to completion)."""
    log_table = metadata.tables["command_log"]
    outcome = session.execute(select(log_table.c.outcome).where(
        log_table.c.request_id == command.request_id, log_table.c.method == command.method)).scalar()
    return None if outcome is None else serialization.loads(outcome)


def record(session, metadata, command: Command):
    """Raises IntegrityError when another delivery of this command recorded its outcome first."""
    session.execute(insert(metadata.tables["command_log"]).values(
        request_id=command.request_id, method=command.method,
        outcome=serialization.dumps(command.outcome), recorded_at=utcnow()))


def is_refusal(exc_info) -> bool:
    """A domain error is an outcome too: the same command repeated gets the same refusal."""
    return exc_info is not None and isinstance(exc_info[1], DomainError)


class CrashPoint:
    """Fault injection for the fault tests, off unless ITINERA_CRASH_AFTER_COMMIT names this RPC.

    Once that RPC's transaction has committed, and before its reply is sent, the process creates
    ITINERA_CRASH_MARKER and exits at once; the marker makes it happen only once.
    """

    def __init__(self, marker: str):
        self.marker = marker

    @classmethod
    def from_env(cls, name: str) -> "CrashPoint | None":
        if os.environ.get("ITINERA_CRASH_AFTER_COMMIT") != name or not os.environ.get("ITINERA_CRASH_MARKER"):
            return None
        log.warning("fault injection armed: %s exits after its commit", name)
        return cls(os.environ["ITINERA_CRASH_MARKER"])

    def __call__(self):
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.close(fd)
        os._exit(137)
