"""Staff accounts: who may log in, with which roles; passwords hashed with Argon2id."""
import uuid
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import and_, delete, func, select

from services.common.errors import Conflict, NotFound

from .db import LoginFailure, StaffUser

ROLES = ("front_desk", "consultant", "ticketing", "finance", "manager", "admin")
MAX_FAILURES = 5           # failed sign-ins per username from unknown clients, or per device cookie ...
MAX_ADDRESS_FAILURES = 20  # ... per address from unknown clients, whatever the usernames ...
FAILURE_WINDOW = timedelta(minutes=15)  # ... within this window, then wait

_hasher = PasswordHasher()
# Verified when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins; retry after {retry_after} s")
        self.retry_after = retry_after


def create(session, data: dict, *, actor: str, now: datetime) -> StaffUser:
    username = data["username"].lower()
    if session.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.username == username)):
        raise Conflict(f"Username {username} is taken.", {"username": username})
    user = StaffUser(id=str(uuid.uuid4()), username=username, full_name=data["full_name"],
                     password_hash=_hasher.hash(data["password"]), roles=sorted(set(data["roles"])), active=True,
                     created_at=now, created_by=actor)
    session.add(user)
    session.flush()
    return user


def get(session, user_id: str) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFound(f"No staff user {user_id}.", {"user_id": user_id})
    return user


def set_active(session, user_id: str, active: bool, now: datetime) -> StaffUser:
    user = get(session, user_id)
    user.active, user.disabled_at = active, (None if active else now)
    return user


def authenticate(session, username: str, password: str, client: str, now: datetime,
                 device: str | None = None) -> StaffUser | None:
    """The active user with this password, or None. Raises LoginThrottled after repeated failures.

    `client` is the caller's address; `device` the nonce of a valid device cookie bound to this
    username (gateway/devices.py), None for an unknown client. Unknown clients are throttled per
    username and per address; a known device only by its own failures.
    """
    username = (username or "").lower()
    since = now - FAILURE_WINDOW
    if device is not None and len(_failures(session, since, LoginFailure.device == device)) >= MAX_FAILURES:
        device = None   # a device that keeps failing is treated as an unknown client
    if device is None:
        unknown = LoginFailure.device.is_(None)
        for condition, limit in ((and_(unknown, LoginFailure.username == username), MAX_FAILURES),
                                 (and_(unknown, LoginFailure.client == client), MAX_ADDRESS_FAILURES)):
            failures = _failures(session, since, condition)
            if len(failures) >= limit:
                # Throttled until enough of these failures have left the window.
                raise LoginThrottled(max(1, int((failures[-limit] + FAILURE_WINDOW - now).total_seconds()) + 1))
    user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
        valid = user is not None and user.active
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        valid = False
    if not valid:
        session.add(LoginFailure(username=username, client=client, device=device, at=now))
        return None
    session.execute(delete(LoginFailure).where(
        LoginFailure.device == device if device is not None else and_(
            LoginFailure.device.is_(None), LoginFailure.username == username, LoginFailure.client == client)))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _failures(session, since: datetime, condition) -> list[datetime]:
    return list(session.scalars(select(LoginFailure.at).where(condition, LoginFailure.at > since)
                                .order_by(LoginFailure.at)))


def ensure_first_admin(session, username: str | None, password: str | None, now: datetime) -> StaffUser | None:
    """Create the first admin from ADMIN_USERNAME / ADMIN_PASSWORD when there is no user at all."""
    if not username or not password or session.scalar(select(func.count()).select_from(StaffUser)):
        return None
    return create(session, {"username": username, "full_name": "Administrator", "password": password,
                            "roles": ["admin"]}, actor="system:bootstrap", now=now)


def as_dict(user: StaffUser) -> dict:
    return {"id": user.id, "username": user.username, "full_name": user.full_name, "roles": user.roles,
            "active": user.active, "created_at": user.created_at, "created_by": user.created_by}
