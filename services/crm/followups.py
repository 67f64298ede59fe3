"""Follow-ups: a task about a customer (and maybe one of their inquiries) for one staff member.

A task is overdue when it is not done and its due time has passed.
"""
import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from services.common.db import utcnow
from services.common.errors import NotFound, ValidationFailed
from services.common.paging import page_of

from . import customers, inquiries, timeline
from .models import FollowUp


def is_overdue(follow_up: FollowUp, now: datetime) -> bool:
    return not follow_up.done and follow_up.due_at < now


def as_dict(follow_up: FollowUp, now: datetime | None = None) -> dict:
    return {"id": follow_up.id, "customer_id": follow_up.customer_id, "inquiry_id": follow_up.inquiry_id,
            "owner": follow_up.owner, "due_at": follow_up.due_at, "note": follow_up.note, "done": follow_up.done,
            "done_at": follow_up.done_at, "done_by": follow_up.done_by,
            "overdue": is_overdue(follow_up, now or utcnow()),
            "created_at": follow_up.created_at, "created_by": follow_up.created_by}


def get(session, follow_up_id: str, for_update: bool = False) -> FollowUp:
    follow_up = session.get(FollowUp, follow_up_id, with_for_update=for_update or None)
    if follow_up is None:
        raise NotFound(f"No follow-up {follow_up_id}.", {"follow_up_id": follow_up_id})
    return follow_up


def create(session, data: dict, actor: str, now: datetime | None = None) -> FollowUp:
    """data as loaded by FollowUpCreateSchema: on an inquiry, the customer is the inquiry's."""
    now = now or utcnow()
    customer_id, inquiry_id = data.get("customer_id"), data.get("inquiry_id")
    if inquiry_id:
        inquiry = inquiries.get_inquiry(session, inquiry_id)
        if customer_id and customer_id != inquiry.customer_id:
            raise ValidationFailed("The inquiry belongs to another customer.",
                                   {"inquiry_id": ["Belongs to another customer than customer_id."]})
        customer_id = inquiry.customer_id
    customers.get_customer(session, customer_id)
    follow_up = FollowUp(id=str(uuid.uuid4()), customer_id=customer_id, inquiry_id=inquiry_id,
                         owner=data["owner"].lower(), due_at=data["due_at"].astimezone(timezone.utc),
                         note=data["note"].strip(), done=False,
                         created_at=now, created_by=actor)
    session.add(follow_up)
    session.flush()
    timeline.add(session, customer_id, "crm.follow_up_created",
                 f"Follow-up for {follow_up.owner}, due {follow_up.due_at:%Y-%m-%d %H:%M} UTC: "
                 f"{follow_up.note}", now, actor=actor, ref_type="follow_up", ref_id=follow_up.id,
                 payload={"owner": follow_up.owner, "due_at": follow_up.due_at.isoformat(),
                          "inquiry_id": inquiry_id})
    session.flush()
    return follow_up


def complete(session, follow_up_id: str, actor: str, now: datetime | None = None) -> FollowUp:
    """Mark done; a task already done stays as it was (the first completion counts)."""
    now = now or utcnow()
    follow_up = get(session, follow_up_id, for_update=True)
    if follow_up.done:
        return follow_up
    follow_up.done, follow_up.done_at, follow_up.done_by = True, now, actor
    timeline.add(session, follow_up.customer_id, "crm.follow_up_done", f"Follow-up done: {follow_up.note}", now,
                 actor=actor, ref_type="follow_up", ref_id=follow_up.id, payload={"owner": follow_up.owner})
    session.flush()
    return follow_up


def search(session, owner=None, customer_id=None, inquiry_id=None, done=None, overdue=False, now=None,
           page=1, page_size=20):
    """Soonest due first. overdue: not done and due before now."""
    now = now or utcnow()
    statement = select(FollowUp)
    if owner:
        statement = statement.where(FollowUp.owner == owner.lower())
    if customer_id:
        statement = statement.where(FollowUp.customer_id == customer_id)
    if inquiry_id:
        statement = statement.where(FollowUp.inquiry_id == inquiry_id)
    if done is not None:
        statement = statement.where(FollowUp.done == done)
    if overdue:
        statement = statement.where(FollowUp.done == False, FollowUp.due_at < now)  # noqa: E712
    statement = statement.order_by(FollowUp.due_at, FollowUp.id)
    return page_of(session, statement, page, page_size)

