"""The post-trip survey: one per order file, a one-time link per email, one answer.

Links and their tokens. Only a token's SHA-256 is stored (services/feedback/models.SurveyLink), as
contracts' signing link is. The raw token must still reach the email, which CRM sends later, from
a timer that retries: so the survey_url waits in the message row (SurveyMessage.values) until CRM
accepted it, then is overwritten with "(sent)" — the same trade contracts' trip makes for its
signing link. Each reminder is a fresh token of its own (a new SurveyLink), and every link of a
survey stays valid until the survey is answered or expires: the customer may click the first
email or the last, and whichever they answer through closes all of them.

Answers. Refused with nothing written: scores outside 1-5 or recommend outside 0-10 (422), an
unknown token (404), a survey already answered (409), an expired one (410, SurveyClosed).
"""
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from services.common.db import utcnow  # noqa: F401 (tests move the clock through this name)
from services.common.errors import Conflict, NotFound
from services.common.paging import page_of

from .models import CheckIn, Survey, SurveyLink, SurveyMessage, SupplierScore
from .wire.surveys import ASPECTS, SurveyClosed

# Which aspect of the survey scores a quote line's supplier (itinerary.wire KINDS).
ASPECT_OF_KIND = {"hotel": "accommodation", "flight": "transport", "train": "transport", "transfer": "transport",
                  "guide": "guide"}
SENT = "(sent)"   # what stays of a survey_url once CRM holds the message
RETRY_SECONDS = (5, 30, 120, 600)   # a message CRM did not answer waits longer each time


@dataclass(frozen=True)
class SurveySettings:
    base_url: str           # where the customer's link points: {base_url}/survey/<token>
    valid_for: timedelta    # how long a survey may be answered after the trip
    reminder_every: timedelta
    reminders: int          # how many reminders at most

    @classmethod
    def from_config(cls, config: dict | None = None) -> "SurveySettings":
        config = config or {}

        def get(key, default):
            return str(config.get(key) or os.environ.get(key) or default)

        seconds = get("SURVEY_REMINDER_SECONDS", "")  # tests and demos: seconds instead of days
        every = timedelta(seconds=float(seconds)) if seconds else timedelta(days=float(get("SURVEY_REMINDER_DAYS", 5)))
        return cls(base_url=get("SURVEY_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
                   valid_for=timedelta(days=float(get("SURVEY_VALID_DAYS", 30))), reminder_every=every,
                   reminders=int(get("SURVEY_REMINDERS", 2)))


# --- tokens -------------------------------------------------------------------------------------

def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(session, survey: Survey, now: datetime) -> str:
    """A new token for `survey`; only its digest is stored. Returns the raw token."""
    token = secrets.token_urlsafe(32)
    session.add(SurveyLink(survey_id=survey.id, token_digest=digest(token), issued_at=now))
    return token


def by_token(session, token: str, now: datetime, *, lock: bool = False) -> Survey:
    """The survey a link opens, if it may still be answered."""
    link = session.scalar(select(SurveyLink).where(SurveyLink.token_digest == digest(token)))
    if link is None:
        raise NotFound("This survey link is not valid: it is incomplete or never existed.")
    statement = select(Survey).where(Survey.id == link.survey_id)
    survey = session.scalar(statement.with_for_update() if lock else statement)
    # The refusals name the survey's language, so the customer's page can answer in it.
    if survey.status == "answered":
        raise Conflict("This survey has been answered already: thank you.", {
            "answered_at": [survey.answered_at.isoformat()], "language": [survey.language]})
    if expired(survey, now):
        raise SurveyClosed("This survey closed on " + survey.expires_at.date().isoformat() + ".", {
            "expires_at": [survey.expires_at.isoformat()], "language": [survey.language]})
    return survey


def expired(survey: Survey, now: datetime) -> bool:
    return survey.status != "answered" and survey.expires_at <= now


def status_of(survey: Survey, now: datetime) -> str:
    return "expired" if expired(survey, now) else survey.status


# --- a completed trip ---------------------------------------------------------------------------

def suppliers_of(quote_lines: list[dict]) -> list[dict]:
    """Whose services the survey scores, once each per aspect: hotels, carriers, guides."""
    seen, found = set(), []
    for line in quote_lines or []:
        aspect, name = ASPECT_OF_KIND.get(line.get("kind")), line.get("supplier_name")
        if aspect is None or not name:
            continue
        key = (supplier_key(line.get("supplier_id"), name), aspect)
        if key not in seen:
            seen.add(key)
            found.append({"supplier_id": line.get("supplier_id"), "supplier_name": name, "aspect": aspect})
    return found


def find(session, order_file_id: str) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.order_file_id == order_file_id))


def open_survey(session, trip: dict, *, language: str, suppliers: list[dict], settings: SurveySettings,
                now: datetime) -> Survey:
    """The survey of a completed trip, its first link and its invitation, queued for CRM."""
    survey = Survey(order_file_id=trip["order_file_id"], order_number=trip["order_number"],
                    customer_id=trip["customer_id"], consultant=trip.get("consultant"), title=trip.get("title") or "",
                    language=language, suppliers=suppliers, status="pending", created_at=now,
                    expires_at=now + settings.valid_for, reminders_sent=0)
    session.add(survey)
    session.flush()   # its id names the link and the invitation's request id
    _queue(session, survey, "invite", f"survey:{survey.id}:invite", issue_link(session, survey, now), settings, now)
    return survey


def _queue(session, survey: Survey, kind: str, request_id: str, token: str, settings: SurveySettings, now):
    session.add(SurveyMessage(survey_id=survey.id, kind=kind, request_id=request_id, status="pending", attempts=0,
                              values={"survey_url": f"{settings.base_url}/survey/{token}", "title": survey.title,
                                      "order_number": survey.order_number},
                              due_at=now, created_at=now))


# --- sending, through CRM -----------------------------------------------------------------------

def due_messages(session, now: datetime) -> list[SurveyMessage]:
    """Queued messages whose time has come, of surveys that may still be answered."""
    open_ = select(Survey.id).where(Survey.expires_at > now)
    return list(session.scalars(select(SurveyMessage).where(
        SurveyMessage.status == "pending", SurveyMessage.due_at <= now, SurveyMessage.survey_id.in_(open_))
        .order_by(SurveyMessage.id).limit(50)))


def closed_pending(session, now: datetime) -> list[SurveyMessage]:
    """Messages still queued for surveys that expired meanwhile (CRM was down past the deadline)."""
    closed = select(Survey.id).where(Survey.status != "answered", Survey.expires_at <= now)
    return list(session.scalars(select(SurveyMessage).where(SurveyMessage.status == "pending",
                                                            SurveyMessage.survey_id.in_(closed))))


def withdraw_closed(session, now: datetime) -> int:
    """A link that would only say "closed" is not sent, and its token is forgotten."""
    rows = closed_pending(session, now)
    for message in rows:
        message.status, message.values, message.done_at = "withdrawn", {**message.values, "survey_url": SENT}, now
    return len(rows)


def crm_message(survey: Survey, message: SurveyMessage) -> dict:
    return {"customer_id": survey.customer_id, "kind": "survey_invitation", "values": dict(message.values),
            "attachments": [], "reference": survey.order_number}


def record_sent(survey: Survey, message: SurveyMessage, answer: dict, settings: SurveySettings,
                now: datetime) -> bool:
    """Record CRM's answer to a message. True when the survey has just been sent (announce it)."""
    if "unanswered" in answer:
        message.last_error = answer["unanswered"][:2000]
        message.due_at = now + timedelta(seconds=RETRY_SECONDS[min(message.attempts, len(RETRY_SECONDS) - 1)])
        message.attempts += 1
        return False
    message.attempts += 1
    message.done_at = now
    message.values = {**message.values, "survey_url": SENT}   # a credential: CRM's message holds it now
    if "refused" in answer:
        message.status, message.last_error = "refused", str(answer["refused"].get("message"))[:2000]
        return False
    message.status = "done"
    if message.kind != "invite" or survey.sent_at is not None:
        return False
    survey.sent_at = now
    if survey.status == "pending":
        survey.status = "sent"
    survey.next_reminder_at = now + settings.reminder_every if settings.reminders > 0 else None
    return True


def reminders_due(session, now: datetime) -> list[Survey]:
    return list(session.scalars(select(Survey).where(
        Survey.status == "sent", Survey.next_reminder_at <= now, Survey.expires_at > now).limit(50)))


def remind(session, survey: Survey, settings: SurveySettings, now: datetime) -> bool:
    """Queue the next reminder with a fresh link, if one is still due. False when none is."""
    if survey.status != "sent" or survey.next_reminder_at is None or survey.next_reminder_at > now \
            or expired(survey, now) or survey.reminders_sent >= settings.reminders:
        return False
    survey.reminders_sent += 1
    n = survey.reminders_sent
    _queue(session, survey, "reminder", f"survey:{survey.id}:reminder:{n}", issue_link(session, survey, now),
           settings, now)
    more = n < settings.reminders and now + settings.reminder_every < survey.expires_at
    survey.next_reminder_at = now + settings.reminder_every if more else None
    return True


def reminder_schedule(sent_at: datetime, expires_at: datetime, settings: SurveySettings) -> list[datetime]:
    """When the reminders of a survey sent at `sent_at` go, if it stays unanswered."""
    times, at = [], sent_at
    for _ in range(settings.reminders):
        at = at + settings.reminder_every
        if at >= expires_at:
            break
        times.append(at)
    return times


# --- the answer ---------------------------------------------------------------------------------

def answer(session, survey: Survey, fields: dict, now: datetime) -> None:
    """Record the customer's one answer; reminders not yet sent are withdrawn."""
    survey.status, survey.answered_at, survey.next_reminder_at = "answered", now, None
    survey.scores = {aspect: fields["scores"].get(aspect) for aspect in ASPECTS}
    survey.recommend, survey.comment = fields["recommend"], (fields.get("comment") or "").strip() or None
    for message in session.scalars(select(SurveyMessage).where(SurveyMessage.survey_id == survey.id,
                                                               SurveyMessage.status == "pending")):
        message.status, message.values = "withdrawn", {**message.values, "survey_url": SENT}
    score_suppliers(session, survey.suppliers, survey.scores)


def supplier_key(supplier_id: str | None, name: str) -> str:
    return supplier_id or "name:" + " ".join(name.split()).casefold()[:230]


def score_suppliers(session, suppliers: list[dict], scores: dict) -> None:
    """Add the answer's score of each aspect to the running score of the suppliers who served it."""
    for supplier in suppliers:
        value = scores.get(supplier["aspect"])
        if value is None:   # "not applicable": the supplier is not scored by this answer
            continue
        key = supplier_key(supplier.get("supplier_id"), supplier["supplier_name"])
        row = session.scalar(select(SupplierScore).where(SupplierScore.supplier_key == key,
                                                         SupplierScore.aspect == supplier["aspect"])
                             .with_for_update())
        if row is None:
            row = SupplierScore(supplier_key=key, aspect=supplier["aspect"], supplier_id=supplier.get("supplier_id"),
                                supplier_name=supplier["supplier_name"], answers=0, total=0)
            session.add(row)
        row.answers += 1
        row.total += value
        session.flush()


def supplier_scores(session, query: dict) -> list[dict]:
    statement = select(SupplierScore).order_by(SupplierScore.supplier_name, SupplierScore.aspect)
    if query.get("supplier_id"):
        statement = statement.where(SupplierScore.supplier_id == query["supplier_id"])
    if query.get("supplier_name"):
        statement = statement.where(SupplierScore.supplier_key == supplier_key(None, query["supplier_name"]))
    return [{"supplier_id": r.supplier_id, "supplier_name": r.supplier_name, "aspect": r.aspect,
             "answers": r.answers, "average": (Decimal(r.total) / r.answers).quantize(Decimal("0.01"), ROUND_HALF_UP)}
            for r in session.scalars(statement)]


# --- reading ------------------------------------------------------------------------------------

def get(session, survey_id: int) -> Survey:
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(f"No survey {survey_id}.")
    return survey


def page(session, query: dict, now: datetime) -> tuple[list[Survey], int]:
    statement = select(Survey).order_by(Survey.id.desc())
    for name in ("customer_id", "order_file_id"):
        if query.get(name):
            statement = statement.where(getattr(Survey, name) == query[name])
    status = query.get("status")
    if status == "expired":
        statement = statement.where(Survey.status != "answered", Survey.expires_at <= now)
    elif status == "answered":
        statement = statement.where(Survey.status == "answered")
    elif status:
        statement = statement.where(Survey.status == status, Survey.expires_at > now)
    return page_of(session, statement, query["page"], query["page_size"])


def as_dict(survey: Survey, now: datetime) -> dict:
    return {"id": survey.id, "customer_id": survey.customer_id, "order_file_id": survey.order_file_id,
            "order_number": survey.order_number, "title": survey.title, "consultant": survey.consultant,
            "language": survey.language, "status": status_of(survey, now), "created_at": survey.created_at,
            "sent_at": survey.sent_at, "expires_at": survey.expires_at, "reminders_sent": survey.reminders_sent,
            "answered_at": survey.answered_at, "scores": survey.scores, "recommend": survey.recommend,
            "comment": survey.comment, "suppliers": survey.suppliers}


def public_view(survey: Survey) -> dict:
    return {"order_number": survey.order_number, "title": survey.title, "language": survey.language,
            "expires_at": survey.expires_at, "aspects": list(ASPECTS), "answered": survey.status == "answered"}


def sent_event(survey: Survey) -> dict:
    return {"survey_id": survey.id, "customer_id": survey.customer_id, "order_file_id": survey.order_file_id,
            "order_number": survey.order_number, "consultant": survey.consultant, "sent_at": survey.sent_at,
            "expires_at": survey.expires_at}


def answered_event(survey: Survey) -> dict:
    return {"survey_id": survey.id, "customer_id": survey.customer_id, "order_file_id": survey.order_file_id,
            "order_number": survey.order_number, "consultant": survey.consultant, "scores": survey.scores,
            "recommend": survey.recommend, "comment": survey.comment, "answered_at": survey.answered_at,
            "suppliers": [s for s in survey.suppliers if (survey.scores or {}).get(s["aspect"]) is not None]}


# --- check-ins during the trip ------------------------------------------------------------------

def record_check_in(session, order: dict, fields: dict, actor: str, now: datetime) -> CheckIn:
    if not order.get("customer_id"):
        raise Conflict("This order file names no customer to check in with.", {"customer_id": ["missing"]})
    row = CheckIn(order_file_id=order["id"], order_number=order["order_number"], customer_id=order["customer_id"],
                  mood=fields["mood"], note=(fields.get("note") or "").strip() or None, recorded_by=staff_name(actor),
                  recorded_at=now)
    session.add(row)
    session.flush()
    return row


def staff_name(actor: str) -> str:
    """The staff member as the feedback events name them: "alice" for the gateway's "user:alice"."""
    return actor.removeprefix("user:")


def check_ins(session, order_file_id: str) -> list[CheckIn]:
    return list(session.scalars(select(CheckIn).where(CheckIn.order_file_id == order_file_id)
                                .order_by(CheckIn.recorded_at, CheckIn.id)))


def check_in_dict(row: CheckIn) -> dict:
    return {"id": row.id, "customer_id": row.customer_id, "order_file_id": row.order_file_id,
            "order_number": row.order_number, "mood": row.mood, "note": row.note, "recorded_by": row.recorded_by,
            "recorded_at": row.recorded_at}


def check_in_event(row: CheckIn) -> dict:
    return {"check_in_id": row.id, **{k: v for k, v in check_in_dict(row).items() if k != "id"}}

