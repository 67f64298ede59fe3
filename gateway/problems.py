"""Every error leaves the gateway as application/problem+json (RFC 9457)."""
import json
import logging

from flask import jsonify
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from werkzeug.exceptions import HTTPException

from services.common.errors import DomainError

from .rpc import BrokerUnavailable

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
# A broker restart or a service's restart takes seconds: clients retry after this many.
RETRY_AFTER_SECONDS = "5"


def problem(status: int, title: str, detail: str | None = None, errors: dict | None = None, headers=None):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _field_errors(messages: dict) -> dict:
    """webargs nests messages under the location ("json", "query"); clients want the fields."""
    if set(messages) <= {"json", "query", "path", "headers", "form", "files"}:
        merged = {}
        for per_location in messages.values():
            if isinstance(per_location, dict):
                merged.update(per_location)
            else:
                merged.setdefault("_schema", []).extend(per_location)
        return merged
    return messages


def http_problem(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message") or error.description
    if errors:
        errors = _field_errors(errors)
        detail = data.get("message") or "The request has invalid fields."
    return problem(error.code or 500, error.name, detail, errors, data.get("headers"))


RESERVED = ("type", "title", "status", "detail", "instance", "errors")


def domain_problem(error: DomainError):
    """422 lists the bad fields under `errors`; other errors carry their details as extension
    members (e.g. a duplicate's existing_customer_ids, a sold-out date's available units)."""
    if error.status == 422:
        return problem(error.status, error.title, error.message, error.details)
    response = problem(error.status, error.title, error.message)
    extensions = {k: v for k, v in (error.details or {}).items() if k not in RESERVED}
    if extensions:
        response.set_data(json.dumps(response.get_json() | extensions, default=str))
    return response


def register(app):
    app.register_error_handler(DomainError, domain_problem)

    @app.errorhandler(RpcTimeout)
    def _timeout(error):
        return problem(504, "Gateway timeout", "A service did not answer in time.")

    @app.errorhandler(UnknownService)
    def _unknown(error):
        return problem(503, "Service unavailable", f"{error} is not running.",
                       headers={"Retry-After": RETRY_AFTER_SECONDS})

    @app.errorhandler(BrokerUnavailable)
    def _broker(error):
        log.warning("message broker unavailable: %s", error)
        return problem(503, "Service unavailable", "The message broker cannot be reached; try again shortly.",
                       headers={"Retry-After": RETRY_AFTER_SECONDS})

    @app.errorhandler(RemoteError)
    def _remote_failure(error):
        log.error("unexpected error in a service: %s", error)
        return problem(500, "Internal server error", "A service failed unexpectedly.")

    @app.errorhandler(Exception)
    def _unexpected(error):
        if isinstance(error, HTTPException):
            return http_problem(error)
        log.exception("unhandled error")
        return problem(500, "Internal server error", "The gateway failed unexpectedly.")
