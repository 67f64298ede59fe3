"""Idempotency-Key on POST: the same key and body give the same response and create nothing twice.

Keys are scoped to the signed-in user. The first request under a key claims it; its response
(any status below 500) is stored and replayed for every repeat. A key reused with a different
request is a 422; a repeat while the first is still running is a 409. A 5xx is forgotten, so
the client may retry with the same key, and a claim abandoned by a crashed process expires.
"""
import hashlib
from datetime import timedelta

from flask import Response, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from services.common.db import utcnow
from services.common.errors import Conflict, ValidationFailed

from .db import IdempotencyRecord

HEADER = "Idempotency-Key"
ABANDONED_AFTER = timedelta(minutes=5)


def request_digest() -> str:
    """What makes two requests the same request: method, path with query, body."""
    return hashlib.sha256(f"{request.method} {request.full_path}\n".encode() + request.get_data()).hexdigest()


def command_request_id(actor: str) -> str | None:
    """The base request id of the commands this request sends, derived from the client's key,
    the user and the request itself. A repeat with the same key reaches the services' recorded
    outcomes even when this gateway kept no answer (it forgets a 5xx, e.g. a 504); the same key
    with another request, or another user's key, never meets them."""
    key = request.headers.get(HEADER)
    if not key:
        return None
    return hashlib.sha256(f"{actor}\n{key}\n{request_digest()}".encode()).hexdigest()


class Idempotency:
    def __init__(self, database):
        self.database = database

    def run(self, view, *args, **kwargs):
        key = request.headers.get(HEADER)
        if request.method != "POST" or not key:
            return view(*args, **kwargs)
        if len(key) > 200:
            raise ValidationFailed("The Idempotency-Key is too long.", {HEADER: ["At most 200 characters."]})
        digest = request_digest()
        replay = self._claim(g.actor, key, digest)
        if replay is not None:
            return replay
        g.idempotency_claim = (g.actor, key)
        return view(*args, **kwargs)

    def remember(self, response: Response) -> Response:
        """after_request: store the response of a claimed key, or forget the claim on a 5xx."""
        claim = g.pop("idempotency_claim", None)
        if claim is None:
            return response
        with self.database.session() as session:
            record = session.scalars(select(IdempotencyRecord).where(
                IdempotencyRecord.actor == claim[0], IdempotencyRecord.key == claim[1])).first()
            if response.status_code >= 500:
                session.delete(record)
            else:
                record.status_code, record.response_type = response.status_code, response.content_type
                record.response_body = response.get_data()
        return response

    def _claim(self, actor: str, key: str, digest: str) -> Response | None:
        now = utcnow()
        with self.database.session() as session:
            session.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.actor == actor, IdempotencyRecord.key == key,
                IdempotencyRecord.status_code.is_(None), IdempotencyRecord.created_at < now - ABANDONED_AFTER))
            record = session.scalars(select(IdempotencyRecord).where(
                IdempotencyRecord.actor == actor, IdempotencyRecord.key == key)).first()
        if record is not None:
            if record.request_digest != digest:
                raise ValidationFailed("This Idempotency-Key was used with a different request.",
                                       {HEADER: ["Use a new key for a different request."]})
            if record.status_code is None:
                raise Conflict("A request with this Idempotency-Key is still in progress.", {HEADER: key})
            replay = Response(record.response_body, status=record.status_code, content_type=record.response_type)
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        try:
            with self.database.session() as session:
                session.add(IdempotencyRecord(actor=actor, key=key, method=request.method, path=request.full_path,
                                              request_digest=digest, created_at=now))
        except IntegrityError:
            raise Conflict("A request with this Idempotency-Key is still in progress.", {HEADER: key}) from None
        return None
