"""Complaints: opened from any channel, handled in recorded steps, timed by two clocks.

The clocks (COMPLAINT_CLOCKS, per severity): the first response (the first time the customer is
contacted) and the resolution. A clock that runs out escalates the complaint to a manager once per
clock and round (reopening starts a new round of the resolution clock): `escalate_due` marks the
breach and returns what to announce; the manager's CRM follow-up is a row sent by the caller's timer.

Compensations are in the complaint's currency (the order file's when linked). An agency voucher
is issued here (`Voucher`) and redeemed once by a later quote (`redeem`).

Plain rules over the session the caller brings; the caller announces the facts.
"""
import math
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, exists, or_, select

from services.common.errors import Conflict, NotFound, ValidationFailed
from services.common.money import to_minor_unit
from services.common.paging import contains, page_of

from .models import Complaint, ComplaintEscalation, ComplaintStep, Voucher

CLOCK_SKEW = timedelta(minutes=5)  # a desk's clock a little ahead is not "in the future"
DEFAULT_CLOCKS = "critical=4/24,high=12/36,normal=24/48,low=24/72"
UNITS = {"h": "hours", "m": "minutes", "s": "seconds", "": "hours"}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


@dataclass(frozen=True)
class Clocks:
    """First-response and resolution durations for one severity."""

    first_response: timedelta
    resolution: timedelta


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([hms]?)\s*", text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (e.g. 24, 24h, 90m, 30s)")
    return timedelta(**{UNITS[match.group(2)]: float(match.group(1))})


def parse_clocks(setting: str | None) -> dict[str, Clocks]:
    """COMPLAINT_CLOCKS: "critical=4/24,high=12/36,normal=24/48,low=24/72", hours unless a value
    ends in m or s (tests run clocks of seconds). A severity left out keeps its default."""
    clocks = {}
    for text in (DEFAULT_CLOCKS, setting or ""):
        for part in filter(None, (p.strip() for p in text.split(","))):
            severity, _, durations = part.partition("=")
            first, _, resolution = durations.partition("/")
            clocks[severity.strip()] = Clocks(_duration(first), _duration(resolution))
    return clocks


def _not_future(field: str, when: datetime | None, now: datetime) -> datetime:
    if when is None:
        return now
    if when > now + CLOCK_SKEW:
        raise ValidationFailed("That moment is still to come.", {field: ["Must not be in the future."]})
    return when


def _minutes(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def open(session, fields: dict, *, order: dict | None, clocks: dict[str, Clocks], actor: str,
         now: datetime) -> Complaint:
    """fields of ComplaintOpenSchema; order: contracts' order file when one is linked (its number,
    customer and currency)."""
    opened_at = _not_future("opened_at", fields.get("opened_at"), now)
    currency = fields.get("currency")
    if order is not None:
        if order.get("customer_id") and order["customer_id"] != fields["customer_id"]:
            raise ValidationFailed("The order file is another customer's.", {"order_file_id": [
                f"Order file {order['order_number']} belongs to another customer."]})
        if currency and currency != order["currency"]:
            raise ValidationFailed("Not the order file's currency.", {"currency": [
                f"The order file {order['order_number']} is in {order['currency']}."]})
        currency = order["currency"]
    clock = clocks[fields["severity"]]
    complaint = Complaint(
        customer_id=fields["customer_id"], order_file_id=fields.get("order_file_id"),
        order_number=order["order_number"] if order else None, booking_locator=fields.get("booking_locator"),
        supplier_id=fields.get("supplier_id"), supplier_name=fields.get("supplier_name"), channel=fields["channel"],
        category=fields["category"], severity=fields["severity"], summary=fields["summary"],
        handler=fields.get("handler") or actor, team=fields.get("team"), currency=currency, status="open",
        opened_at=opened_at, opened_by=actor, first_response_due_at=opened_at + clock.first_response,
        resolution_due_at=opened_at + clock.resolution, reopened=0, breaches=0, updated_at=now)
    session.add(complaint)
    session.flush()
    return complaint


def get(session, complaint_id: int, *, lock: bool = False) -> Complaint:
    statement = select(Complaint).where(Complaint.id == complaint_id)
    complaint = session.scalar(statement.with_for_update() if lock else statement)
    if complaint is None:
        raise NotFound(f"No complaint {complaint_id}.")
    return complaint


def _still_open(complaint: Complaint):
    if complaint.status != "open":
        raise Conflict(f"Complaint {complaint.id} is resolved: reopen it first.", {"status": complaint.status})


def _step(complaint: Complaint, kind: str, *, at: datetime, actor: str, now: datetime, **values) -> ComplaintStep:
    step = ComplaintStep(kind=kind, at=at, by=actor, recorded_at=now, **values)
    complaint.steps.append(step)
    complaint.updated_at = now
    return step


def add_step(complaint: Complaint, fields: dict, *, actor: str, now: datetime) -> tuple[ComplaintStep, list]:
    """A step of ComplaintStepCreateSchema (not a voucher or refund: issue_voucher, record_refund).
    Returns it and the facts to announce: ("responded", payload) for the first customer contact,
    ("supplier_answered", payload) for a supplier's answer."""
    _still_open(complaint)
    kind, at = fields["kind"], _not_future("at", fields.get("at"), now)
    values = {"text": fields.get("text")}
    if kind in ("agency_compensation", "supplier_compensation"):
        values.update(compensation(complaint, fields))
    facts = []
    if kind == "supplier_answered":
        asked = next((s for s in reversed(complaint.steps) if s.kind == "supplier_contacted"), None)
        if asked is None:
            raise Conflict("Record asking the supplier before its answer.", {"kind": "supplier_contacted"})
        facts.append(("supplier_answered", {
            "complaint_id": complaint.id, "supplier_id": complaint.supplier_id,
            "supplier_name": complaint.supplier_name or "", "asked_at": asked.at, "answered_at": at,
            "minutes": _minutes(asked.at, at), "answer": fields["text"]}))
    step = _step(complaint, kind, at=at, actor=actor, now=now, **values)
    if kind == "customer_contacted" and complaint.first_responded_at is None:
        complaint.first_responded_at = at
        facts.append(("responded", responded_event(complaint)))
    return step, facts


def compensation(complaint: Complaint, fields: dict) -> dict:
    """The compensation's columns, refused (422) in another currency than the complaint's."""
    kind = "supplier" if fields["kind"] == "supplier_compensation" else fields["compensation"]
    if kind == "points":  # hotel points: a number of them, not money
        return {"compensation": kind, "value": fields["value"], "currency": None}
    if fields["currency"] != complaint.currency:
        raise ValidationFailed("A compensation is in the complaint's currency.", {"currency": [
            f"Complaint {complaint.id} is in {complaint.currency}."]})
    if fields["value"] != to_minor_unit(fields["value"], complaint.currency):
        raise ValidationFailed("More decimals than the currency has.", {"value": [
            f"{complaint.currency} is exact to {to_minor_unit(0, complaint.currency)}."]})
    return {"compensation": kind, "value": fields["value"], "currency": complaint.currency}


def new_code() -> str:
    """V-XXXX-XXXX: short to read out, 32^8 codes (unique in the table)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"V-{chars[:4]}-{chars[4:]}"


def issue_voucher(session, complaint: Complaint, fields: dict, *, validity_days: int, actor: str,
                  now: datetime) -> tuple[ComplaintStep, Voucher]:
    """An agency compensation as a voucher: the step and the voucher it issues."""
    _still_open(complaint)
    values = compensation(complaint, fields)
    at = _not_future("at", fields.get("at"), now)
    expires_on = fields.get("expires_on") or (now.date() + timedelta(days=validity_days))
    if expires_on < now.date():
        raise ValidationFailed("A voucher cannot expire in the past.", {"expires_on": ["Must not be in the past."]})
    voucher = Voucher(code=new_code(), customer_id=complaint.customer_id, value=values["value"],
                      currency=complaint.currency, complaint_id=complaint.id, expires_on=expires_on, status="issued",
                      issued_at=now, issued_by=actor)
    session.add(voucher)
    step = _step(complaint, "agency_compensation", at=at, actor=actor, now=now, text=fields.get("text"),
                 voucher_code=voucher.code, **values)
    session.flush()
    return step, voucher


def record_refund(complaint: Complaint, fields: dict, refund_id: int | None, *, actor: str,
                  now: datetime) -> ComplaintStep:
    """A refund opened through the order file (contracts answered refund_id)."""
    _still_open(complaint)
    values = compensation(complaint, fields)
    return _step(complaint, "agency_compensation", at=_not_future("at", fields.get("at"), now), actor=actor, now=now,
                 text=fields.get("text"), refund_id=refund_id, **values)


def check_refund(complaint: Complaint, fields: dict):
    """What a refund needs before contracts is asked: an order file, the complaint open, its currency."""
    _still_open(complaint)
    if not complaint.order_file_id:
        raise ValidationFailed("A refund goes through an order file.", {"compensation": [
            "This complaint has no order file: give a voucher or a discount instead."]})
    compensation(complaint, fields)


def resolve(complaint: Complaint, resolution: str, *, actor: str, now: datetime) -> dict:
    """Close it with how it ended; the payload of complaint_resolved."""
    _still_open(complaint)
    if not resolution or not resolution.strip():
        raise ValidationFailed("Say how it ended.", {"resolution": ["A resolution is needed to resolve it."]})
    complaint.status, complaint.resolution, complaint.resolved_at, complaint.resolved_by = \
        "resolved", resolution, now, actor
    complaint.escalated_at = None
    _step(complaint, "resolved", at=now, actor=actor, now=now, text=resolution)
    return resolved_event(complaint)


def rate(complaint: Complaint, satisfaction: int, comment: str | None, *, actor: str, now: datetime) -> dict:
    if complaint.status != "resolved":
        raise Conflict(f"Complaint {complaint.id} is not resolved yet: the customer rates the outcome.",
                       {"status": complaint.status})
    complaint.satisfaction, complaint.rated_at = satisfaction, now
    _step(complaint, "rated", at=now, actor=actor, now=now, text=comment, value=Decimal(satisfaction))
    return {"complaint_id": complaint.id, "customer_id": complaint.customer_id, "handler": complaint.handler,
            "satisfaction": satisfaction, "rated_at": now}


def reopen(complaint: Complaint, reason: str, *, clocks: dict[str, Clocks], actor: str, now: datetime) -> dict:
    """The resolution clock starts again from now (a new round, escalated anew if it runs out)."""
    if complaint.status != "resolved":
        raise Conflict(f"Complaint {complaint.id} is still open.", {"status": complaint.status})
    complaint.status, complaint.resolved_at, complaint.resolved_by, complaint.resolution = "open", None, None, None
    complaint.satisfaction = complaint.rated_at = None
    complaint.reopened += 1
    complaint.resolution_due_at = now + clocks[complaint.severity].resolution
    _step(complaint, "reopened", at=now, actor=actor, now=now, text=reason)
    return {"complaint_id": complaint.id, "customer_id": complaint.customer_id, "handler": complaint.handler,
            "reopened_at": now, "reason": reason}


# --- the clocks -------------------------------------------------------------------------------------

def clock_states(complaint: Complaint, now: datetime) -> list[dict]:
    """Each clock with its time left while running (negative once overdue), met, late or breached."""
    counted = {clock: sum(1 for e in complaint.escalations if e.clock == clock) for clock in
               ("first_response", "resolution")}
    states = []
    for clock, due, stopped in (("first_response", complaint.first_response_due_at, complaint.first_responded_at),
                                ("resolution", complaint.resolution_due_at, complaint.resolved_at)):
        if stopped is not None:
            state, left = ("met" if stopped <= due else "late"), None
        else:
            left = math.floor((due - now).total_seconds())
            state = "running" if due > now else "breached"
        states.append({"clock": clock, "due_at": due, "stopped_at": stopped, "state": state, "seconds_left": left,
                       "breaches": counted[clock]})
    return states


def _not_escalated(clock: str, round_column):
    return ~exists().where(ComplaintEscalation.complaint_id == Complaint.id, ComplaintEscalation.clock == clock,
                           ComplaintEscalation.round == round_column)


def overdue(session, now: datetime, limit: int = 200) -> list[tuple[int, str]]:
    """(complaint id, clock) of open complaints past a due time and not escalated for it yet:
    one indexed range per clock, cheap enough for a timer every few seconds."""
    first = select(Complaint.id).where(
        Complaint.status == "open", Complaint.first_responded_at.is_(None), Complaint.first_response_due_at < now,
        _not_escalated("first_response", 0)).limit(limit)
    resolution = select(Complaint.id).where(
        Complaint.status == "open", Complaint.resolution_due_at < now,
        _not_escalated("resolution", Complaint.reopened)).limit(limit)
    return [(cid, "first_response") for cid in session.scalars(first)] + \
        [(cid, "resolution") for cid in session.scalars(resolution)]


def escalate(complaint: Complaint, clock: str, *, owner: str, now: datetime) -> ComplaintEscalation | None:
    """Mark the breach of `clock` (once per round) and queue the manager's follow-up; None when it
    is no longer due (answered or resolved meanwhile, or escalated by another instance)."""
    if complaint.status != "open":
        return None
    round_ = 0 if clock == "first_response" else complaint.reopened
    due = complaint.first_response_due_at if clock == "first_response" else complaint.resolution_due_at
    if due >= now or (clock == "first_response" and complaint.first_responded_at is not None):
        return None
    if any(e.clock == clock and e.round == round_ for e in complaint.escalations):
        return None
    what = "first response" if clock == "first_response" else "resolution"
    escalation = ComplaintEscalation(
        clock=clock, round=round_, due_at=due, escalated_at=now, escalated_to=owner,
        request_id=f"complaint:{complaint.id}:{clock}:{round_}:escalation", status="pending", attempts=0,
        follow_up={"customer_id": complaint.customer_id, "owner": owner, "due_at": now.isoformat(),
                   "note": f"Complaint {complaint.id} ({complaint.severity}, {complaint.category}) missed its "
                           f"{what} time {due.isoformat(timespec='minutes')}; handler {complaint.handler}: "
                           f"{complaint.summary[:300]}"})
    complaint.escalations.append(escalation)
    complaint.breaches += 1
    complaint.escalated_at = complaint.escalated_at or now
    complaint.updated_at = now
    return escalation


def escalated_event(complaint: Complaint, escalation: ComplaintEscalation) -> dict:
    return {"complaint_id": complaint.id, "customer_id": complaint.customer_id, "handler": complaint.handler,
            "clock": escalation.clock, "due_at": escalation.due_at, "escalated_at": escalation.escalated_at,
            "escalated_to": escalation.escalated_to}


def pending_follow_ups(session, limit: int = 50) -> list[ComplaintEscalation]:
    return list(session.scalars(select(ComplaintEscalation).where(ComplaintEscalation.status == "pending")
                                .order_by(ComplaintEscalation.id).limit(limit)))


def follow_up_answered(escalation: ComplaintEscalation, answer: dict, now: datetime):
    """Record CRM's answer: done, refused (an outcome: not sent again), or tried again next tick."""
    escalation.attempts += 1
    if "unanswered" in answer:
        escalation.last_error = answer["unanswered"]
        return
    escalation.status = "done" if "result" in answer else "refused"
    escalation.outcome, escalation.sent_at = answer, now


# --- the desk's lists -------------------------------------------------------------------------------

def search(session, q: dict) -> tuple[list[Complaint], int]:
    statement = select(Complaint).order_by(Complaint.opened_at.desc(), Complaint.id.desc())
    for name in ("status", "customer_id", "order_file_id", "handler"):
        if q.get(name):
            statement = statement.where(getattr(Complaint, name) == q[name])
    if q.get("supplier"):
        statement = statement.where(or_(Complaint.supplier_id == q["supplier"],
                                        contains(Complaint.supplier_name, q["supplier"])))
    if q.get("escalated") is not None:
        escalated = and_(Complaint.status == "open", Complaint.escalated_at.is_not(None))
        statement = statement.where(escalated if q["escalated"] else ~escalated)
    if q.get("breached") is not None:
        statement = statement.where(Complaint.breaches > 0 if q["breached"] else Complaint.breaches == 0)
    return page_of(session, statement, q["page"], q["page_size"])


def as_dict(complaint: Complaint, now: datetime, *, steps: bool = True) -> dict:
    record = {k: getattr(complaint, k) for k in (
        "id", "customer_id", "order_file_id", "order_number", "booking_locator", "supplier_id", "supplier_name",
        "channel", "category", "severity", "summary", "handler", "team", "currency", "status", "opened_at",
        "opened_by", "first_response_due_at", "first_responded_at", "resolution_due_at", "resolved_at", "resolved_by",
        "resolution", "satisfaction", "rated_at", "reopened", "escalated_at", "breaches", "updated_at")}
    record["clocks"] = clock_states(complaint, now)
    if steps:
        record["steps"] = [{k: getattr(s, k) for k in ("id", "kind", "at", "by", "text", "compensation", "value",
                                                       "currency", "voucher_code", "refund_id")}
                           for s in complaint.steps]
    return record


def opened_event(complaint: Complaint) -> dict:
    return {"complaint_id": complaint.id, **{k: getattr(complaint, k) for k in (
        "customer_id", "order_file_id", "order_number", "booking_locator", "supplier_id", "supplier_name", "channel",
        "category", "severity", "summary", "handler", "team", "opened_at", "first_response_due_at",
        "resolution_due_at")}}


def responded_event(complaint: Complaint) -> dict:
    return {"complaint_id": complaint.id, "customer_id": complaint.customer_id, "handler": complaint.handler,
            "team": complaint.team, "opened_at": complaint.opened_at, "responded_at": complaint.first_responded_at,
            "minutes_to_first_response": _minutes(complaint.opened_at, complaint.first_responded_at),
            "on_time": complaint.first_responded_at <= complaint.first_response_due_at}


def resolved_event(complaint: Complaint) -> dict:
    return {"complaint_id": complaint.id, "customer_id": complaint.customer_id, "handler": complaint.handler,
            "team": complaint.team, "supplier_id": complaint.supplier_id, "supplier_name": complaint.supplier_name,
            "opened_at": complaint.opened_at, "resolved_at": complaint.resolved_at,
            "minutes_to_resolution": _minutes(complaint.opened_at, complaint.resolved_at),
            "on_time": complaint.resolved_at <= complaint.resolution_due_at,
            "compensations": [{"kind": s.compensation, "value": s.value, "currency": s.currency or "PTS"}
                              for s in complaint.steps if s.compensation]}


# --- vouchers ---------------------------------------------------------------------------------------

def normal_code(code: str) -> str:
    """What a customer types: any case, with or without the dashes."""
    plain = re.sub(r"[\s-]", "", code or "").upper()
    if plain.startswith("V"):
        plain = plain[1:]
    return f"V-{plain[:4]}-{plain[4:]}"


def voucher(session, code: str, *, lock: bool = False) -> Voucher:
    statement = select(Voucher).where(Voucher.code == normal_code(code))
    found = session.scalar(statement.with_for_update() if lock else statement)
    if found is None:
        raise NotFound(f"No voucher {code}.", {"code": code})
    return found


def redeem(found: Voucher, fields: dict, *, actor: str, now: datetime, today: date) -> bool:
    """Redeem on a quote, once. True when it happened now; False when this quote already did (a
    repeat); Conflict when another quote did; ValidationFailed for another customer, another
    currency or past its last day."""
    if found.status == "redeemed":
        if found.quote_id == fields["quote_id"]:
            return False
        raise Conflict(f"Voucher {found.code} was already redeemed on another quote.",
                       {"code": found.code, "quote_id": found.quote_id})
    problems = {}
    if found.customer_id != fields["customer_id"]:
        problems["customer_id"] = ["The voucher is another customer's."]
    if found.currency != fields["currency"]:
        problems["currency"] = [f"The voucher is in {found.currency}."]
    if found.expires_on is not None and found.expires_on < today:
        problems["code"] = [f"The voucher expired after {found.expires_on}."]
    if problems:
        raise ValidationFailed("The voucher cannot be used here.", problems)
    found.status, found.quote_id, found.redeemed_at, found.redeemed_by = "redeemed", fields["quote_id"], now, actor
    return True


def of_customer(session, customer_id: str) -> list[Voucher]:
    return list(session.scalars(select(Voucher).where(Voucher.customer_id == customer_id)
                                .order_by(Voucher.issued_at.desc(), Voucher.id.desc())))


def voucher_dict(found: Voucher) -> dict:
    return {k: getattr(found, k) for k in ("id", "code", "customer_id", "value", "currency", "complaint_id",
                                           "expires_on", "status", "issued_at", "issued_by", "quote_id",
                                           "redeemed_at")}


def voucher_event(found: Voucher) -> dict:
    record = {"voucher_id": found.id, **{k: getattr(found, k) for k in (
        "code", "customer_id", "value", "currency", "complaint_id", "expires_on")}}
    if found.status == "redeemed":
        record.update(quote_id=found.quote_id, redeemed_at=found.redeemed_at)
    return record
