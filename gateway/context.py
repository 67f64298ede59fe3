"""Per-request context: the correlation id (X-Request-ID) and the RPC client carrying it."""
import re

from flask import current_app, g, request

from services.common.logs import correlation_id, new_correlation_id

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def begin_request():
    supplied = request.headers.get("X-Request-ID", "")
    g.correlation_id = supplied if _REQUEST_ID.match(supplied) else new_correlation_id()
    correlation_id.set(g.correlation_id)


def end_request(response):
    response.headers["X-Request-ID"] = g.get("correlation_id", "")
    return response


def rpc():
    """`with rpc() as services: services.crm.get_customer(...)` for the current request."""
    data = {"correlation_id": g.get("correlation_id"), "actor": g.get("actor", "gateway")}
    if g.get("user") is not None:  # the person, for documents that name them ("your consultant")
        data["actor_name"] = g.user.full_name
    return current_app.extensions["rpc"].client(data)
