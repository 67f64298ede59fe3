"""The one envelope every event travels in."""
import uuid
from datetime import datetime, timezone

from .serialization import to_plain


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def make_envelope(event_name: str, payload: dict, correlation_id: str | None, version: int = 1) -> dict:
    source, _, _fact = event_name.partition(".")
    if not source or not _fact:
        raise ValueError(f"event name {event_name!r} is not <service>.<fact>")
    return {
        "id": str(uuid.uuid4()),
        "type": event_name,
        "version": version,
        "occurred_at": utcnow().isoformat(),
        "source": source,
        "correlation_id": correlation_id,
        "payload": to_plain(payload),
    }


def split_event_name(event_name: str) -> tuple[str, str]:
    """'ticketing.booking_confirmed' -> ('ticketing', 'booking_confirmed'): exchange source and routing key."""
    source, _, fact = event_name.partition(".")
    return source, fact
