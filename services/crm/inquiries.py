"""The consultation register: inquiries and their status pipeline, free of nameko and the broker.

    new -> qualified -> quoted -> won
      \\---------\\----------\\--> lost (with a reason)

Every move is recorded (from, to, who, when, reason), the registration too (from nothing to new).
A move the table does not allow is a Conflict; won and lost are final.
"""
import calendar
import logging
import uuid
from datetime import date, datetime

from sqlalchemy import and_, or_, select

from services.common.db import utcnow
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.common.etags import check_if_match
from services.common.paging import contains, page_of

from . import customers, timeline
from .models import Customer, Inquiry, InquiryTransition
from .text import clean_labels, fold, label_search

log = logging.getLogger(__name__)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("qualified", "lost"),
    "qualified": ("quoted", "lost"),
    "quoted": ("won", "lost"),
    "won": (),
    "lost": (),
}
OPEN = ("new", "qualified", "quoted")
# What an itinerary quote event does to the inquiry it names (quote_expired changes nothing).
QUOTE_MOVES = {"itinerary.quote_issued": "quoted", "itinerary.quote_accepted": "won",
               "itinerary.quote_rejected": "lost"}
QUOTE_REJECTED_REASON = "quote rejected"


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, ())


def check_transition(from_status: str, to_status: str, reason: str | None = None):
    """Raises Conflict for a move the pipeline does not allow, ValidationFailed for lost without a reason."""
    if not allowed(from_status, to_status):
        raise Conflict(f"An inquiry that is {from_status} cannot move to {to_status}.",
                       {"current_status": from_status, "requested_status": to_status,
                        "allowed": list(TRANSITIONS.get(from_status, ()))})
    if to_status == "lost" and not (reason or "").strip():
        raise ValidationFailed("Say why the inquiry was lost.", {"reason": ["Required when moving to lost."]})


# --- reading ---------------------------------------------------------------------------------

def as_dict(inquiry: Inquiry) -> dict:
    window = None
    if inquiry.travel_start or inquiry.travel_month:
        window = {"start": inquiry.travel_start, "end": inquiry.travel_end, "month": inquiry.travel_month,
                  "nights": inquiry.nights}
    return {
        "id": inquiry.id, "customer_id": inquiry.customer_id, "channel": inquiry.channel, "status": inquiry.status,
        "destinations": list(inquiry.destinations or ()), "travel_window": window,
        "party": None if inquiry.adults is None else {"adults": inquiry.adults,
                                                      "children": list(inquiry.children or ())},
        "budget": None if inquiry.budget_amount is None else {"amount": inquiry.budget_amount,
                                                              "currency": inquiry.budget_currency},
        "interests": list(inquiry.interests or ()), "special_requests": inquiry.special_requests,
        "consultant": inquiry.consultant, "source_campaign": inquiry.source_campaign,
        "lost_reason": inquiry.lost_reason, "status_changed_at": inquiry.status_changed_at,
        "created_at": inquiry.created_at, "created_by": inquiry.created_by,
        "updated_at": inquiry.updated_at, "updated_by": inquiry.updated_by,
    }


def transition_dict(transition: InquiryTransition) -> dict:
    return {"inquiry_id": transition.inquiry_id, "from_status": transition.from_status,
            "to_status": transition.to_status, "reason": transition.reason, "changed_by": transition.changed_by,
            "changed_at": transition.changed_at}


def get_inquiry(session, inquiry_id: str, for_update: bool = False) -> Inquiry:
    inquiry = session.get(Inquiry, inquiry_id, with_for_update=for_update or None)
    if inquiry is None:
        raise NotFound(f"No inquiry {inquiry_id}.", {"inquiry_id": inquiry_id})
    return inquiry


def history(session, inquiry_id: str) -> list[InquiryTransition]:
    get_inquiry(session, inquiry_id)
    return list(session.scalars(select(InquiryTransition).where(InquiryTransition.inquiry_id == inquiry_id)
                                .order_by(InquiryTransition.changed_at, InquiryTransition.id)))


def month_bounds(month: str) -> tuple[date, date]:
    year, number = map(int, month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def _describe(inquiry: Inquiry) -> str:
    text = f"Inquiry by {inquiry.channel.replace('_', '-')}"
    if inquiry.destinations:
        text += ": " + ", ".join(inquiry.destinations)
    if inquiry.travel_start:
        text += f" ({inquiry.travel_start.isoformat()} to {inquiry.travel_end.isoformat()})"
    elif inquiry.travel_month:
        text += f" ({inquiry.travel_month})"
    return text


# --- writing ---------------------------------------------------------------------------------

def _apply_fields(inquiry: Inquiry, data: dict):
    """Set the fields present in data (as loaded by InquiryCreateSchema / InquiryUpdateSchema)."""
    if "destinations" in data:
        inquiry.destinations = clean_labels(data["destinations"])
        inquiry.destinations_search = label_search(inquiry.destinations)
    if "travel_window" in data:
        window = data["travel_window"] or {}
        inquiry.travel_start, inquiry.travel_end = window.get("start"), window.get("end")
        inquiry.travel_month, inquiry.nights = window.get("month"), window.get("nights")
    if "party" in data:
        party = data["party"]
        inquiry.adults = party["adults"] if party else None
        inquiry.children = list(party.get("children") or ()) if party else []
    if "budget" in data:
        budget = data["budget"]
        inquiry.budget_amount = budget["amount"] if budget else None
        inquiry.budget_currency = budget["currency"] if budget else None
    if "interests" in data:
        inquiry.interests = clean_labels(data["interests"])
    for name in ("special_requests", "source_campaign"):
        if name in data:
            setattr(inquiry, name, data[name])
    if "consultant" in data:
        inquiry.consultant = data["consultant"].lower() if data["consultant"] else None


def create_inquiry(session, data: dict, actor: str, now: datetime | None = None,
                   confirm_duplicate: bool = False) -> tuple[Inquiry, Customer | None]:
    """data as loaded by InquiryCreateSchema. Returns the inquiry and the customer it registered, if any."""
    now = now or utcnow()
    new_customer = None
    if data.get("customer"):
        new_customer = customers.create_customer(session, data["customer"], actor, now, confirm_duplicate)
        customer_id = new_customer.id
    else:
        customer_id = customers.get_customer(session, data["customer_id"]).id
    inquiry = Inquiry(id=str(uuid.uuid4()), customer_id=customer_id, channel=data["channel"], status="new",
                      destinations=[], destinations_search="", children=[], interests=[],
                      status_changed_at=now, created_at=now, created_by=actor)
    _apply_fields(inquiry, {k: v for k, v in data.items() if k not in ("customer", "customer_id", "channel")})
    session.add(inquiry)
    session.flush()
    session.add(InquiryTransition(inquiry_id=inquiry.id, from_status=None, to_status="new", changed_by=actor,
                                  changed_at=now))
    timeline.add(session, customer_id, "crm.inquiry_created", _describe(inquiry), now, actor=actor,
                 ref_type="inquiry", ref_id=inquiry.id, payload={"channel": inquiry.channel,
                                                                 "destinations": inquiry.destinations})
    session.flush()
    return inquiry, new_customer


def update_inquiry(session, inquiry_id: str, changes: dict, actor: str, now: datetime | None = None,
                   if_match: str | None = None) -> tuple[Inquiry, dict]:
    """PATCH everything but the status. Returns the inquiry and the new values of what changed.
    With if_match, PreconditionFailed unless it is the ETag of the inquiry as read now."""
    now = now or utcnow()
    inquiry = get_inquiry(session, inquiry_id, for_update=True)
    before = as_dict(inquiry)
    check_if_match(if_match, before)
    _apply_fields(inquiry, changes)
    after = as_dict(inquiry)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    if changed:
        inquiry.updated_at, inquiry.updated_by = now, actor
        timeline.add(session, inquiry.customer_id, "crm.inquiry_updated", "Inquiry updated: " + ", ".join(changed),
                     now, actor=actor, ref_type="inquiry", ref_id=inquiry.id, payload={"fields": list(changed)})
        session.flush()
    return inquiry, changed


def _move(session, inquiry: Inquiry, to_status: str, reason: str | None, actor: str, now: datetime,
          source_event_id: str | None = None) -> InquiryTransition:
    transition = InquiryTransition(inquiry_id=inquiry.id, from_status=inquiry.status, to_status=to_status,
                                   reason=(reason or "").strip() or None, changed_by=actor, changed_at=now,
                                   source_event_id=source_event_id)
    session.add(transition)
    inquiry.status, inquiry.status_changed_at = to_status, now
    if to_status == "lost":
        inquiry.lost_reason = transition.reason
    text = f"Inquiry moved from {transition.from_status} to {to_status}"
    timeline.add(session, inquiry.customer_id, "crm.inquiry_status_changed",
                 text + (f": {transition.reason}" if transition.reason else ""), now, actor=actor,
                 ref_type="inquiry", ref_id=inquiry.id,
                 payload={"from": transition.from_status, "to": to_status, "reason": transition.reason})
    session.flush()
    return transition


def transition(session, inquiry_id: str, to_status: str, reason: str | None, actor: str,
               now: datetime | None = None) -> tuple[Inquiry, InquiryTransition]:
    inquiry = get_inquiry(session, inquiry_id, for_update=True)
    check_transition(inquiry.status, to_status, reason)
    return inquiry, _move(session, inquiry, to_status, reason, actor, now or utcnow())


def inquiry_named(session, payload: dict) -> Inquiry | None:
    inquiry_id = payload.get("inquiry_id")
    if not isinstance(inquiry_id, str) or not inquiry_id or len(inquiry_id) > 36:
        return None
    return session.get(Inquiry, inquiry_id, with_for_update=True)


def follow_quote_event(session, inquiry: Inquiry, event_type: str, actor: str, now: datetime,
                       event_id: str | None = None) -> list[tuple[Inquiry, InquiryTransition]]:
    """Move the inquiry a quote event names, when the pipeline allows it; otherwise leave it.

    An accepted quote on an inquiry still `qualified` (its quote_issued not taken in yet: the
    two events travel on different queues) goes through quoted to won.
    """
    target = QUOTE_MOVES.get(event_type)
    if target is None:
        return []
    if target == "won" and inquiry.status == "qualified":
        steps = ["quoted", "won"]
    elif allowed(inquiry.status, target):
        steps = [target]
    else:
        log.info("%s leaves inquiry %s %s", event_type, inquiry.id, inquiry.status)
        return []
    reason = QUOTE_REJECTED_REASON if target == "lost" else None
    return [(inquiry, _move(session, inquiry, step, reason if step == "lost" else None, actor, now, event_id))
            for step in steps]


# --- search ----------------------------------------------------------------------------------

def search(session, status=None, channel=None, consultant=None, customer_id=None, destination=None,
           travel_month=None, created_from=None, created_to=None, page=1, page_size=20):
    """Newest first. A destination matches anywhere in one, accents and case aside; a travel month
    matches a flexible month equal to it or fixed dates overlapping it."""
    statement = select(Inquiry)
    if status:
        statement = statement.where(Inquiry.status.in_(status))
    if channel:
        statement = statement.where(Inquiry.channel.in_(channel))
    if consultant:
        statement = statement.where(Inquiry.consultant == consultant.lower())
    if customer_id:
        statement = statement.where(Inquiry.customer_id == customer_id)
    if destination:
        statement = statement.where(contains(Inquiry.destinations_search, fold(destination)))
    if travel_month:
        first, last = month_bounds(travel_month)
        statement = statement.where(or_(Inquiry.travel_month == travel_month,
                                        and_(Inquiry.travel_start <= last, Inquiry.travel_end >= first)))
    if created_from:
        statement = statement.where(Inquiry.created_at >= created_from)
    if created_to:
        statement = statement.where(Inquiry.created_at < created_to)
    statement = statement.order_by(Inquiry.created_at.desc(), Inquiry.id)
    return page_of(session, statement, page, page_size)
