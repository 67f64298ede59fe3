"""Per-request context: the correlation id (X-Request-ID), the request's deadline and the RPC
client carrying both."""
import re
import time
import uuid

from flask import current_app, g, request

from services.common.logs import correlation_id, new_correlation_id

from .idempotency import command_request_id
from .rpc import RequestIds

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def begin_request():
    supplied = request.headers.get("X-Request-ID", "")
    g.correlation_id = supplied if _REQUEST_ID.match(supplied) else new_correlation_id()
    correlation_id.set(g.correlation_id)
    # Epoch seconds (the services compare it with their clocks): no RPC of this request runs later.
    g.deadline = time.time() + current_app.config["REQUEST_TIMEOUT"]


def end_request(response):
    response.headers["X-Request-ID"] = g.get("correlation_id", "")
    return response


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def request_ids() -> RequestIds | None:
    """The request ids for this request's RPCs: none for a read, else one base per HTTP request
    (from the Idempotency-Key, or a new one), shared by every `with rpc()` block in it."""
    if request.method in SAFE_METHODS:
        return None
    if "request_ids" not in g:
        base = command_request_id(g.get("actor", "gateway")) or uuid.uuid4().hex
        g.request_ids = RequestIds(base)
    return g.request_ids


def rpc(commands: bool = True):
    """`with rpc() as services: services.crm.get_customer(...)` for the current request.

    commands=False: calls that change nothing even in a POST (a supplier's key checked before
    the actor is known). They carry no request id, and the request's ids are made later, from
    the actor: with the ids made first, two suppliers sending the same body under the same
    Idempotency-Key would share them, and the second be answered the first one's outcomes."""
    data = {"correlation_id": g.get("correlation_id"), "actor": g.get("actor", "gateway")}
    if g.get("user") is not None:  # the person, for documents that name them ("your consultant")
        data["actor_name"] = g.user.full_name
        # For rules that depend on who approves (a refund over finance's limit, a manager's override).
        data["actor_roles"] = sorted(g.user.roles)
    return current_app.extensions["rpc"].client(data, request_ids() if commands else None,
                                                deadline=g.get("deadline"))
