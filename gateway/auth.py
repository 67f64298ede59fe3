"""Who may call what: every /api/v1 route declares the roles it allows with @allow(...).

No token: 401. A valid token without an allowed role: 403. admin is allowed everywhere. The
acting user is recorded as g.actor ("user:<username>") and travels with every RPC.
"""
import functools
import time

import jwt
from flask import current_app, g, request

from services.common.errors import Forbidden, Unauthorized

from .db import StaffUser

STAFF = ("front_desk", "consultant", "ticketing", "finance", "manager")
ANY_STAFF = "any staff"


def allow(*roles: str):
    """Decorate a view: callable by staff holding one of `roles` (ANY_STAFF: every signed-in user)."""
    allowed = frozenset(STAFF if roles == (ANY_STAFF,) else roles) | {"admin"}

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if not allowed & set(user.roles):
                raise Forbidden(f"This needs one of the roles: {', '.join(sorted(allowed))}.")
            return current_app.extensions["idempotency"].run(view, *args, **kwargs)

        wrapper.allowed_roles = allowed
        wrapper.takes_idempotency_key = True  # gateway.openapi documents the header and its 409/422
        return wrapper

    return decorator


def current_user() -> StaffUser:
    if "user" in g:
        return g.user
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise Unauthorized("Sign in: send Authorization: Bearer <token> from POST /api/v1/auth/token.")
    try:
        claims = jwt_claims(header[7:].strip())
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"The token is not valid: {exc}.") from None
    user = current_app.extensions["staff_cache"].get(claims["sub"])
    if user is None or not user.active:
        raise Unauthorized("This account is disabled.")
    g.user, g.actor = user, f"user:{user.username}"
    return user


class StaffCache:
    """Staff users as recently read, so each request does not go to the database for its user.

    Disabling, enabling or changing a user evicts it in this process at once; other gateway
    processes see the change within `ttl` seconds (GATEWAY_STAFF_CACHE_SECONDS; 0 turns it off)."""

    def __init__(self, database, ttl: float):
        self.database = database
        self.ttl = ttl
        self._users: dict[str, tuple[float, StaffUser | None]] = {}

    def get(self, user_id: str) -> StaffUser | None:
        now = time.monotonic()
        cached = self._users.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        with self.database.read() as session:
            user = session.get(StaffUser, user_id)
        if self.ttl > 0:
            if len(self._users) > 10_000:  # ids come from valid tokens only, but keep it bounded
                self._users.clear()
            self._users[user_id] = (now + self.ttl, user)
        return user

    def evict(self, user_id: str):
        self._users.pop(user_id, None)


def jwt_claims(token: str) -> dict:
    from .tokens import verify

    return verify(token, current_app.config["JWT_SECRET"])


def role_table(app) -> list[tuple[str, str, list[str]]]:
    """(method, path, roles) for every route, from the @allow declarations: the docs' role table."""
    rows = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower(), None) if view_class else view
            roles = getattr(handler, "allowed_roles", None)
            rows.append((method, rule.rule, sorted(roles) if roles is not None else []))
    return sorted(rows, key=lambda r: (r[1], r[0]))


PUBLIC = ("/healthz", "/readyz", "/api/v1/auth/token", "/api/v1/openapi.json", "/api/v1/asyncapi.json",
          "/api/v1/docs", "/api/v1/docs/<path:filename>", "/static/<path:filename>",
          # The customer's signing link: its one-time token is the key (gateway.signing_page).
          "/api/v1/signing/<string:token>", "/api/v1/signing/<string:token>/contract.pdf",
          "/sign/<string:token>", "/sign/<string:token>/contract.pdf",
          # The customer's survey link, likewise (gateway.survey_page).
          "/api/v1/surveys/public/<string:token>", "/api/v1/surveys/public/<string:token>/answer",
          "/survey/<string:token>")
SUPPLIER_KEY_PREFIX = "/api/v1/supplier/"


def role_table_markdown(app) -> str:
    """docs/roles.md: who may call each route (regenerate with `make docs`)."""
    from .staff import ROLES

    lines = ["# Roles by route", "",
             "Generated from the `@allow(...)` declarations by `make docs`; a test keeps it current.",
             "`admin` may call every staff route. Routes under `/api/v1/supplier/` take a supplier API key",
             "instead of a staff token; health, sign-in, the API docs and the customer's signing and survey links are public.", "",
             "| method | route | " + " | ".join(ROLES) + " |",
             "| --- | --- | " + " | ".join("---" for _ in ROLES) + " |"]
    for method, path, roles in role_table(app):
        if path in PUBLIC or path.startswith(SUPPLIER_KEY_PREFIX):
            continue
        lines.append(f"| {method} | `{path}` | " + " | ".join("yes" if r in roles else "" for r in ROLES) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    from .app import create_app

    sys.stdout.write(role_table_markdown(create_app()))
