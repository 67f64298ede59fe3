"""Messages to customers: recorded, rendered in their language, then sent once over SMTP.

The life of a message (docs/communications.md):
- `record` renders the letter and stores it with its attachments and a timeline entry, in the
  transaction of the command; the service emits crm.message_queued with it (outbox), or
  crm.message_failed when the customer has no email address (status undeliverable).
- `claim` starts an attempt: a compare-and-set on the attempt count, committed before the SMTP
  conversation, so of two deliveries of the same event (or two CRM instances) only one sends.
  The claim also sets `next_attempt_at` to when an attempt that has not reported back is
  presumed lost (a crash): then `due` finds it and it is announced again.
- `settle` records the outcome: sent; or, after a temporary failure, the next attempt after a
  doubling delay; or failed (refused for good, or out of attempts). The timeline entry follows.

Service messages (confirmations, contracts, reminders, documents, change notices, survey
invitations after a trip) need no marketing consent: they are about something the customer
bought. The customer model has no opt-out for them; marketing_consent is not consulted.
"""
import base64
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update

from services.common.documents.locales import language_of
from services.common.errors import NotFound
from services.common.paging import page_of

from . import letters, mail, timeline
from .models import Customer, Message, MessageAttachment, TimelineEntry
from .settings import MailSettings

NO_ADDRESS = "The customer has no email address."
KIND_LABELS = {"booking_confirmation": "Booking confirmation", "contract_for_signature": "Contract for signature",
               "payment_reminder": "Payment reminder", "trip_documents": "Trip documents",
               "change_notice": "Change notice", "survey_invitation": "Survey invitation"}
TIMELINE_KIND = "crm.message_{}"  # crm.message_queued, _sent, _failed, _undeliverable: where it stands
MAX_ERROR = 1000


def mask_address(address: str | None) -> str | None:
    """'ana.gomez@example.com' -> 'a***@example.com'."""
    if not address:
        return None
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def record(session, customer: Customer, fields: dict, settings: MailSettings, actor: str, now: datetime) -> Message:
    language = language_of(customer.preferred_language)
    subject, body = letters.render(fields["kind"], language, customer.full_name, fields["values"],
                                   settings.agency_name)
    message_id = str(uuid.uuid4())
    message = Message(
        id=message_id, customer_id=customer.id, kind=fields["kind"], channel="email", language=language,
        to_address=customer.email or None, to_name=customer.full_name, subject=subject, body_text=body,
        body_html=None, reference=fields.get("reference"), attempts=0,
        smtp_message_id=mail.message_id_for(message_id, settings), created_at=now, created_by=actor)
    if message.to_address:
        # The queued event normally starts the first attempt at once; if it is lost, the lease
        # runs out and `due` announces the message again.
        message.status, message.next_attempt_at = "queued", now + timedelta(seconds=settings.lease)
    else:
        message.status, message.last_error = "undeliverable", NO_ADDRESS
    session.add(message)
    for position, attachment in enumerate(fields.get("attachments") or ()):
        content = base64.b64decode(attachment["content_base64"])
        session.add(MessageAttachment(message_id=message_id, position=position, filename=attachment["filename"],
                                      content_type=attachment["content_type"].lower(), size=len(content),
                                      content=content))
    session.flush()
    timeline.add(session, customer.id, TIMELINE_KIND.format(message.status), summary(message), now, actor=actor,
                 ref_type="message", ref_id=message.id, payload=_timeline_payload(message))
    return message


def summary(message: Message) -> str:
    what = KIND_LABELS.get(message.kind, message.kind)
    to = mask_address(message.to_address)
    if message.status == "sent":
        state = f"sent to {to}"
    elif message.status == "undeliverable":
        state = "not sent: no email address"
    elif message.status == "failed":
        state = f"to {to} failed after {message.attempts} attempt(s)"
    elif message.attempts:
        state = f"to {to} queued, retrying ({message.attempts} attempt(s) so far)"
    else:
        state = f"to {to} queued"
    return f"{what} {state}: {message.subject}"


def _timeline_payload(message: Message) -> dict:
    return {"message_id": message.id, "kind": message.kind, "subject": message.subject, "status": message.status,
            "to": mask_address(message.to_address), "attempts": message.attempts, "reference": message.reference,
            "error": message.last_error}


def _update_timeline(session, message: Message):
    """One entry per message, showing where it stands now (it keeps the time it was recorded)."""
    entry = session.scalars(select(TimelineEntry).where(
        TimelineEntry.customer_id == message.customer_id, TimelineEntry.ref_type == "message",
        TimelineEntry.ref_id == message.id)).first()
    if entry is not None:
        entry.kind = TIMELINE_KIND.format(message.status)
        entry.summary = summary(message)[:timeline.MAX_TEXT]
        entry.payload = _timeline_payload(message)


def event_payload(message: Message, at: datetime) -> dict:
    return {"id": message.id, "customer_id": message.customer_id, "kind": message.kind,
            "reference": message.reference, "status": message.status, "to": mask_address(message.to_address),
            "attempts": message.attempts, "smtp_message_id": message.smtp_message_id,
            "error": message.last_error, "at": at}


def as_dict(message: Message, attachments: list[MessageAttachment]) -> dict:
    return {"id": message.id, "customer_id": message.customer_id, "kind": message.kind, "channel": message.channel,
            "language": message.language, "to_address": message.to_address, "subject": message.subject,
            "body_text": message.body_text, "body_html": message.body_html,
            "attachments": [{"filename": a.filename, "content_type": a.content_type, "size": a.size}
                            for a in attachments],
            "reference": message.reference, "status": message.status, "attempts": message.attempts,
            "last_error": message.last_error, "smtp_message_id": message.smtp_message_id,
            "next_attempt_at": message.next_attempt_at if message.status == "queued" else None,
            "created_at": message.created_at, "created_by": message.created_by, "sent_at": message.sent_at}


def attachments_of(session, message_ids: list[str]) -> dict[str, list[MessageAttachment]]:
    """Names and sizes (the bytes stay deferred), per message."""
    found: dict[str, list[MessageAttachment]] = {m: [] for m in message_ids}
    if message_ids:
        for a in session.scalars(select(MessageAttachment).where(MessageAttachment.message_id.in_(message_ids))
                                 .order_by(MessageAttachment.message_id, MessageAttachment.position)):
            found[a.message_id].append(a)
    return found


def get(session, message_id: str) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound(f"No message {message_id}.", {"message_id": message_id})
    return message


def search(session, customer_id=None, kind=None, reference=None, status=None, page=1, page_size=20):
    """Newest first."""
    statement = select(Message)
    for column, value in ((Message.customer_id, customer_id), (Message.kind, kind),
                          (Message.reference, reference), (Message.status, status)):
        if value is not None:
            statement = statement.where(column == value)
    return page_of(session, statement.order_by(Message.created_at.desc(), Message.id), page, page_size)


def claim(session, message_id: str, attempts_before: int, now: datetime, settings: MailSettings) -> mail.Outgoing | None:
    """Start attempt number attempts_before + 1, or None when it is not this delivery's to make
    (sent already, failed, or another delivery claimed it). Commit before sending."""
    claimed = session.execute(
        update(Message).where(Message.id == message_id, Message.status == "queued",
                              Message.attempts == attempts_before)
        .values(attempts=attempts_before + 1, next_attempt_at=now + timedelta(seconds=settings.lease))
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return None
    message = session.get(Message, message_id)
    files = session.execute(select(MessageAttachment.filename, MessageAttachment.content_type,
                                   MessageAttachment.content)
                            .where(MessageAttachment.message_id == message_id)
                            .order_by(MessageAttachment.position)).all()
    return mail.Outgoing(message_id=message.id, smtp_message_id=message.smtp_message_id,
                         to_address=message.to_address, to_name=message.to_name, subject=message.subject,
                         body_text=message.body_text, body_html=message.body_html,
                         attachments=[(f, t, bytes(c)) for f, t, c in files])


def settle(session, message_id: str, error: Exception | None, now: datetime, settings: MailSettings) -> Message:
    """Record how the attempt went: sent, queued for a retry, or failed."""
    message = session.get(Message, message_id)
    if error is None:
        message.status, message.sent_at, message.next_attempt_at, message.last_error = "sent", now, None, None
    else:
        message.last_error = str(error)[:MAX_ERROR]
        if isinstance(error, mail.PermanentFailure) or message.attempts >= settings.max_attempts:
            message.status, message.next_attempt_at = "failed", None
        else:
            delay = settings.retry_delay * 2 ** (message.attempts - 1)
            message.next_attempt_at = now + timedelta(seconds=delay)
    _update_timeline(session, message)
    return message


def due(session, now: datetime, settings: MailSettings, limit: int = 100) -> list[Message]:
    """Queued messages whose next attempt is due (a retry, or an attempt presumed lost), pushed
    one lease ahead so they are announced once until that attempt reports back."""
    messages = session.scalars(select(Message).where(Message.status == "queued", Message.next_attempt_at <= now)
                               .order_by(Message.next_attempt_at).limit(limit).with_for_update(skip_locked=True)).all()
    for message in messages:
        message.next_attempt_at = now + timedelta(seconds=settings.lease)
    return list(messages)
