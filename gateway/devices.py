"""Device cookies, after OWASP's "Slow Down Online Guessing Attacks with Device Cookies".

A browser that signs in as a user gets a signed cookie naming that user and a random nonce. Wrong
passwords from clients without one are throttled per username and per address; a browser with a
valid cookie for the user is counted on its own (by nonce), so an attacker guessing a colleague's
password cannot lock the colleague's own browser out. A device that keeps failing loses that
standing for the window and counts as an unknown client.
"""
import hashlib
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_AGE = timedelta(days=180)
PATH = "/api/v1/auth/token"   # sent back only where it is read
_SALT = "itinera device cookie"


def cookie_name(username: str) -> str:
    """One cookie per user, so colleagues sharing a browser each keep their own standing."""
    return "itinera_device_" + hashlib.sha256(username.lower().encode()).hexdigest()[:16]


def issue(username: str, secret: str) -> str:
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps({"u": username.lower(), "n": secrets.token_urlsafe(18)})


def nonce(value: str | None, username: str, secret: str) -> str | None:
    """The cookie's nonce when it is genuine, unexpired and bound to `username`; else None."""
    if not value:
        return None
    try:
        claims = URLSafeTimedSerializer(secret, salt=_SALT).loads(value, max_age=MAX_AGE.total_seconds())
    except BadSignature:   # also expired (SignatureExpired is a BadSignature)
        return None
    if not isinstance(claims, dict) or claims.get("u") != username.lower() or not isinstance(claims.get("n"), str):
        return None
    return claims["n"]
