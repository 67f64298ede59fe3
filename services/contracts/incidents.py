"""The incident log of an order file: what went wrong on the trip and how the desk handled it.

A booking that failed, a delayed flight, a complaint, an emergency: each is opened with what
happened and who handles it, then the steps taken are added as dated actions, the alternative
arranged and the moment the customer was told are recorded, and it is closed with how it ended.

What a desk expects of a closed incident, and so what closing refuses:
- at least one action (an incident nobody acted on is not handled): Conflict;
- the customer informed, or the reason they need not be (a supplier's slip fixed before anyone
  noticed): ValidationFailed on `not_informed_reason`;
- once closed it no longer changes: Conflict (a new problem is a new incident).

The trip process opens incidents of its own (ticketing rebooked a flight during the trip):

    incident = incidents.open(session, order, {"kind": "delay", "summary": "...", "locator": "NX7Q2B"},
                              actor="system:trip", now=now)
    uow.emit(wire.INCIDENT_OPENED, incidents.event(incident))

Plain rules over the session the caller brings; the caller announces the facts.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from services.common.errors import Conflict, NotFound, ValidationFailed

from .models import Incident, IncidentAction, OrderFile

CLOCK_SKEW = timedelta(minutes=5)  # a desk's clock a little ahead is not "in the future"


def _not_future(field: str, when: datetime | None, now: datetime) -> datetime:
    if when is None:
        return now
    if when > now + CLOCK_SKEW:
        raise ValidationFailed("That moment is still to come.", {field: ["Must not be in the future."]})
    return when


def _still_open(incident: Incident):
    if incident.status != "open":
        raise Conflict(f"Incident {incident.id} is closed: a new problem is a new incident.",
                       {"status": incident.status})


def open(session, order: OrderFile, fields: dict, *, actor: str, now: datetime) -> Incident:
    """Log an incident on `order`: fields kind, summary, and optionally occurred_at (default now),
    locator (the booking or ticket it concerns) and handler (default `actor`)."""
    incident = Incident(order_file_id=order.id, kind=fields["kind"], summary=fields["summary"],
                        occurred_at=_not_future("occurred_at", fields.get("occurred_at"), now),
                        locator=fields.get("locator"), handler=fields.get("handler") or actor, status="open",
                        created_at=now, created_by=actor, updated_at=now)
    incident.order_file = order
    session.add(incident)
    session.flush()
    return incident


def get(session, incident_id: int, *, lock: bool = False) -> Incident:
    statement = select(Incident).where(Incident.id == incident_id)
    incident = session.scalar(statement.with_for_update() if lock else statement)
    if incident is None:
        raise NotFound(f"No incident {incident_id}.")
    return incident


def add_action(incident: Incident, text: str, *, at: datetime | None = None, actor: str,
               now: datetime) -> IncidentAction:
    _still_open(incident)
    action = IncidentAction(at=_not_future("at", at, now), by=actor, text=text)
    incident.actions.append(action)
    incident.updated_at = now
    return action


def arrange_alternative(incident: Incident, alternative: str, *, actor: str, now: datetime):
    """What was arranged instead (the next flight, another hotel): a later one replaces it."""
    _still_open(incident)
    incident.alternative, incident.alternative_at, incident.alternative_by = alternative, now, actor
    incident.updated_at = now


def inform_customer(incident: Incident, how: str, *, at: datetime | None = None, actor: str, now: datetime):
    _still_open(incident)
    incident.customer_informed_at = _not_future("customer_informed_at", at, now)
    incident.customer_informed_how, incident.customer_informed_by = how, actor
    incident.updated_at = now


def close(incident: Incident, resolution: str, *, not_informed_reason: str | None = None, actor: str,
          now: datetime):
    _still_open(incident)
    if not incident.actions:
        raise Conflict(f"Incident {incident.id} has no action yet: record what was done before closing it.",
                       {"actions": 0})
    if incident.customer_informed_at is None and not not_informed_reason:
        raise ValidationFailed("The customer was not informed.", {"not_informed_reason": [
            "Record when and how the customer was told, or say why they need not be."]})
    incident.status, incident.resolution = "closed", resolution
    incident.not_informed_reason = not_informed_reason if incident.customer_informed_at is None else None
    incident.closed_at, incident.closed_by, incident.updated_at = now, actor, now


def update(incident: Incident, fields: dict, *, actor: str, now: datetime) -> bool:
    """A PATCH of IncidentUpdateSchema: handler, alternative, customer informed, then closing, in
    that order (so one request may record the last facts and close). True when it closed."""
    _still_open(incident)
    if "handler" in fields:
        incident.handler, incident.updated_at = fields["handler"], now
    if "alternative" in fields:
        arrange_alternative(incident, fields["alternative"], actor=actor, now=now)
    if "customer_informed_how" in fields:
        inform_customer(incident, fields["customer_informed_how"], at=fields.get("customer_informed_at"),
                        actor=actor, now=now)
    if fields.get("status") == "closed":
        close(incident, fields["resolution"], not_informed_reason=fields.get("not_informed_reason"), actor=actor,
              now=now)
        return True
    return False


def of_order(session, order: OrderFile) -> list[Incident]:
    """The order file's incidents, open ones first, each in the order it happened."""
    found = session.scalars(select(Incident).where(Incident.order_file_id == order.id)
                            .order_by(Incident.occurred_at, Incident.id))
    return sorted(found, key=lambda i: i.status != "open")


def on_the_road(session, today: date, *, departing_within_days: int, only_open: bool = True) -> list[Incident]:
    """What the desk watches: incidents of the trips running today or departing within the days
    given (not cancelled ones), oldest first."""
    statement = (select(Incident).join(OrderFile, Incident.order_file_id == OrderFile.id)
                 .where(OrderFile.status != "cancelled", OrderFile.end_date >= today,
                        OrderFile.start_date <= today + timedelta(days=departing_within_days))
                 .order_by(Incident.occurred_at, Incident.id))
    if only_open:
        statement = statement.where(Incident.status == "open")
    return list(session.scalars(statement))


def as_dict(incident: Incident) -> dict:
    order = incident.order_file
    record = {k: getattr(incident, k) for k in (
        "id", "order_file_id", "kind", "summary", "occurred_at", "locator", "handler", "status", "alternative",
        "alternative_at", "alternative_by", "customer_informed_at", "customer_informed_how", "customer_informed_by",
        "resolution", "not_informed_reason", "created_at", "created_by", "updated_at", "closed_at", "closed_by")}
    record.update({"order_number": order.order_number, "customer_id": order.customer_id, "title": order.title,
                   "start_date": order.start_date, "end_date": order.end_date,
                   "actions": [{"id": a.id, "at": a.at, "by": a.by, "text": a.text} for a in incident.actions]})
    return record


def event(incident: Incident) -> dict:
    """The payload of contracts.incident_opened, and of incident_closed once it is closed."""
    order = incident.order_file
    payload = {"order_file_id": order.id, "order_number": order.order_number, "contract_id": order.order_number,
               "customer_id": order.customer_id, "incident_id": incident.id, "kind": incident.kind,
               "summary": incident.summary, "occurred_at": incident.occurred_at, "locator": incident.locator,
               "handler": incident.handler}
    if incident.status == "closed":
        payload.update({"resolution": incident.resolution, "alternative": incident.alternative,
                        "customer_informed_at": incident.customer_informed_at, "actions": len(incident.actions),
                        "closed_at": incident.closed_at, "closed_by": incident.closed_by})
    return payload
