"""The inbox: (event id, handler) recorded in the same transaction as the handler's effect."""
from sqlalchemy import insert, select

from .db import utcnow


def record_processed(session, metadata, event_id: str, handler: str, event_type: str):
    """Raises IntegrityError when this handler has already processed the event."""
    session.execute(insert(metadata.tables["inbox"]).values(
        event_id=event_id, handler=handler, event_type=event_type, processed_at=utcnow()))


def already_processed(database, event_id: str, handler: str) -> bool:
    inbox = database.metadata.tables["inbox"]
    with database.reading() as session:
        found = session.execute(
            select(inbox.c.event_id).where(inbox.c.event_id == event_id, inbox.c.handler == handler)
        ).first()
    return found is not None
