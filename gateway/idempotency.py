"""Idempotency-Key on POST: the same key and body give the same response and create nothing twice.

Keys are scoped to the signed-in user. The first request under a key claims it; its response
(any status below 500) is stored and replayed for every repeat. A key reused with a different
request is a 422; a repeat while the first is still running is a 409. A 5xx is forgotten, so
the client may retry with the same key.

A claim left "in progress" by a gateway that died mid-request is taken over by the next repeat
as soon as it is older than the request timeout plus a clock-skew margin: every RPC of the
request that claimed it ended by its deadline (gateway.rpc; the services refuse a request past
it), so that request can cause nothing more, and the repeat sends its commands under the same
request ids (command_request_id), which the services answer with their recorded outcomes
(services/common/commands.py), also if the first one's command is still finishing. The
gateway's own writes (staff accounts) are safe to repeat by nature (unique username; enable and
disable set a state).
"""
import hashlib
from datetime import timedelta

from flask import Response, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from services.common.db import utcnow
from services.common.errors import Conflict, ValidationFailed
from services.common.validators import unstorable

from .db import IdempotencyRecord

HEADER = "Idempotency-Key"
# Between the clocks of the gateways that share the database (created_at is the claimer's clock)
# and of the services that judge the deadlines the gateway sets.
CLOCK_SKEW = timedelta(seconds=2)


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


# What a repeat must see of the first answer besides its body: where the record lives, its version.
REPLAYED_HEADERS = ("Location", "ETag")

class Idempotency:
    def __init__(self, database, request_timeout: float):
        self.database = database
        # A claim older than this belongs to a request past its deadline: it can cause nothing more.
        self.taken_over_after = timedelta(seconds=request_timeout) + CLOCK_SKEW

    def run(self, view, *args, **kwargs):
        key = request.headers.get(HEADER)
        if request.method != "POST" or not key:
            return view(*args, **kwargs)
        if len(key) > 200:
            raise ValidationFailed("The Idempotency-Key is too long.", {HEADER: ["At most 200 characters."]})
        if unstorable(key):
            raise ValidationFailed("The Idempotency-Key cannot be stored.", {HEADER: [unstorable(key)]})
        digest = request_digest()
        claim = self._claim(g.actor, key, digest)
        if isinstance(claim, Response):
            return claim
        g.idempotency_claim = claim
        return view(*args, **kwargs)

    def remember(self, response: Response) -> Response:
        """after_request: store the response of a claimed key, or forget the claim on a 5xx."""
        claim = g.pop("idempotency_claim", None)
        if claim is None:
            return response
        with self.database.session() as session:
            record = session.get(IdempotencyRecord, claim[0])
            if record is None or record.created_at != claim[1] or record.status_code is not None:
                # Taken over by a repeat after this request outlived its deadline: the answer is
                # the repeat's to keep (an id alone could be reused once the row was deleted).
                return response
            if response.status_code >= 500:
                session.delete(record)
            else:
                record.status_code, record.response_type = response.status_code, response.content_type
                record.response_body = response.get_data()
                record.response_headers = {name: response.headers[name] for name in REPLAYED_HEADERS
                                           if name in response.headers} or None
        return response

    def _claim(self, actor: str, key: str, digest: str) -> Response | tuple:
        """The stored answer to replay, or this request's claim (record id, created_at)."""
        now = utcnow()
        with self.database.session() as session:
            session.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.actor == actor, IdempotencyRecord.key == key,
                IdempotencyRecord.status_code.is_(None), IdempotencyRecord.created_at < now - self.taken_over_after))
            record = session.scalars(select(IdempotencyRecord).where(
                IdempotencyRecord.actor == actor, IdempotencyRecord.key == key)).first()
        if record is not None:
            if record.request_digest != digest:
                raise ValidationFailed("This Idempotency-Key was used with a different request.",
                                       {HEADER: ["Use a new key for a different request."]})
            if record.status_code is None:
                raise Conflict("A request with this Idempotency-Key is still in progress.", {HEADER: key})
            replay = Response(record.response_body, status=record.status_code, content_type=record.response_type,
                              headers=record.response_headers or {})
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        try:
            with self.database.session() as session:
                claim = IdempotencyRecord(actor=actor, key=key, method=request.method, path=request.full_path,
                                          request_digest=digest, created_at=now)
                session.add(claim)
                session.flush()
                claimed = (claim.id, claim.created_at)
        except IntegrityError:
            raise Conflict("A request with this Idempotency-Key is still in progress.", {HEADER: key}) from None
        return claimed
