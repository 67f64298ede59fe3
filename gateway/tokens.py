"""Bearer tokens: JWT (HS256) naming the staff user and their roles, with an expiry."""
import os
import secrets
import uuid
from datetime import datetime, timedelta

import jwt

from services.common.config import var_dir

ALGORITHM = "HS256"


def signing_secret() -> str:
    """JWT_SECRET, or for local use a random secret kept under var/ (so restarts keep tokens valid)."""
    secret = os.environ.get("JWT_SECRET")
    if secret:
        return secret
    path = var_dir() / "jwt-secret"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def issue(user, secret: str, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    expires = now + ttl
    claims = {"sub": user.id, "name": user.username, "roles": user.roles, "iat": now, "exp": expires,
              "jti": uuid.uuid4().hex}
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires


def verify(token: str, secret: str) -> dict:
    """The claims, or jwt.InvalidTokenError (expired, tampered, malformed)."""
    return jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "roles"]})
