"""Commands a service sends to another service: each under a request id of the sender's choosing,
with a deadline, so that sending it again after a crash or a lost answer reaches the receiver's
command log (services/common/commands.py) and runs at most once.
"""
import time

from eventlet import Timeout
from nameko.exceptions import RpcTimeout, UnknownService

from .commands import DEADLINE, REQUEST_ID, RequestExpired
from .entrypoints import BROKER_ERRORS
from .errors import DomainError, Unavailable

NOT_ANSWERED = (RequestExpired,)  # refused before running: the same command may be sent again


def send(method, request_id: str, *args, timeout: float = 10.0, actor: str | None = None) -> dict:
    """Call another service's command `method` (an RpcProxy method) under `request_id`, ending by
    `timeout`: {"result": ...}, {"refused": {"type", "message", "details"}} for a domain error (an
    outcome: the same id gets the same refusal), or {"unanswered": reason} when the call may or may
    not have run (timeout, service or broker down). Sent again under the same id, an unanswered
    command runs at most once. `actor`: the staff member the command is sent for (the receiver
    records them as who did it), instead of this service."""
    data = method.worker_ctx.data
    saved = {key: data.get(key) for key in (REQUEST_ID, DEADLINE, "actor")}
    data[REQUEST_ID], data[DEADLINE] = request_id, repr(time.time() + timeout)
    if actor:
        data["actor"] = actor
    try:
        with Timeout(timeout, RpcTimeout(f"no answer within {timeout} s")):
            return {"result": method(*args)}
    except NOT_ANSWERED + (Unavailable,) as exc:
        return {"unanswered": f"{type(exc).__name__}: {exc}"}
    except DomainError as exc:
        return {"refused": {"type": type(exc).__name__, "message": exc.message, "details": exc.details}}
    except (RpcTimeout, UnknownService, *BROKER_ERRORS) as exc:
        return {"unanswered": f"{type(exc).__name__}: {exc}"}
    finally:
        for key, value in saved.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
