"""Domain errors that cross RPC typed, so the gateway can answer 404 / 409 / 422.

nameko serializes an exception as its module path and args; registering the class in
nameko's exception registry makes the caller re-raise the same type instead of RemoteError.
"""
from nameko.exceptions import registry


def remote_error(cls):
    registry[f"{cls.__module__}.{cls.__name__}"] = cls
    return cls


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message, details or {})
        self.message = message
        self.details = details or {}

    def __str__(self):
        return self.message


@remote_error
class NotFound(DomainError):
    status = 404
    title = "Not found"


@remote_error
class Unauthorized(DomainError):
    """No credentials, or credentials that are wrong, expired or revoked."""

    status = 401
    title = "Unauthorized"


@remote_error
class Forbidden(DomainError):
    """Known caller, but this is not theirs to see or change."""

    status = 403
    title = "Forbidden"


@remote_error
class Conflict(DomainError):
    """The request is valid but clashes with the current state (sold out, duplicate, wrong status)."""

    status = 409
    title = "Conflict"


@remote_error
class PreconditionFailed(DomainError):
    """If-Match named a version that is no longer current: someone changed it since it was read."""

    status = 412
    title = "Precondition failed"


@remote_error
class ValidationFailed(DomainError):
    """details maps each field to its list of messages, as marshmallow reports them."""

    status = 422
    title = "Unprocessable entity"


@remote_error
class Unavailable(DomainError):
    """Another service this request needs is not running: try again later."""

    status = 503
    title = "Service unavailable"


def validated(schema, data: dict) -> dict:
    """Load data with a marshmallow schema, raising ValidationFailed with per-field messages."""
    from marshmallow import ValidationError

    try:
        return schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed("The request has invalid fields.", messages) from None
