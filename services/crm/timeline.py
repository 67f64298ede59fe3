"""A customer's timeline: one chronological list of everything about them.

CRM writes an entry with each of its own changes (customer registered or updated, inquiry
registered or moved, follow-up added or done), in the same transaction. Other services' events
arrive through the inbox (services.crm.intake) and become entries here, once per event and
customer: the inbox skips a redelivered event, and (source_event_id, customer_id) is unique.

Which customer an event is about -- the contract the publishing services follow:
- ticketing.booking_confirmed, _changed, _cancelled, _refunded: every traveller with a customer_id
  on the lines they carry (LINE_KEYS says where); the first three also carry the customer's trips:
  each line's "id", "day" and "destination" (services.crm.trips).
- every other event: payload["customer_id"]; an itinerary quote event that names no customer but
  an inquiry_id is about that inquiry's customer.
An event that names no customer CRM knows is acknowledged and recorded nowhere.
"""
from datetime import datetime

from sqlalchemy import select

from services.common.db import utcnow
from services.common.paging import page_of

from . import trips
from .models import TimelineEntry

# The other services' events the timeline takes in, and the payload keys worth keeping.
FOREIGN_EVENTS = {
    "itinerary.quote_issued": ("id", "quote_id", "quote_number", "version", "itinerary_id", "inquiry_id",
                               "total", "currency", "valid_until"),
    "itinerary.quote_accepted": ("id", "quote_id", "quote_number", "version", "itinerary_id", "inquiry_id",
                                 "total", "currency"),
    "itinerary.quote_rejected": ("id", "quote_id", "quote_number", "version", "itinerary_id", "inquiry_id",
                                 "reason"),
    "ticketing.booking_confirmed": ("id", "locator", "reference", "status", "total_sell"),
    "ticketing.booking_changed": ("booking_id", "locator", "reference", "fare_difference", "currency"),
    "ticketing.booking_cancelled": ("booking_id", "locator", "reference", "status"),
    "ticketing.booking_refunded": ("booking_id", "locator", "reference", "refund_id", "amount", "currency",
                                   "reason"),
    "contracts.contract_drafted": ("order_file_id", "order_number", "version", "total", "currency"),
    "contracts.contract_signed": ("order_file_id", "order_number", "version", "method", "signed_at"),
    "contracts.contract_amended": ("order_file_id", "order_number", "version", "reason", "changes", "total",
                                   "currency"),
    "contracts.contract_cancelled": ("order_file_id", "order_number", "reason", "fee", "refund", "currency"),
    "contracts.payment_received": ("id", "payment_id", "contract_id", "order_number", "receipt_number", "amount",
                                   "currency", "method", "paid_at"),
    "contracts.payment_refunded": ("payment_id", "contract_id", "order_number", "receipt_number", "amount",
                                   "currency", "method", "paid_at"),
    "contracts.invoice_issued": ("invoice_id", "order_number", "display_number", "total", "currency"),
    "contracts.credit_note_issued": ("invoice_id", "order_number", "display_number", "corrects", "total", "currency"),
    "contracts.instalment_overdue": ("order_number", "n", "kind", "due_on", "outstanding", "currency",
                                     "days_overdue"),
    "contracts.trip_booked": ("order_file_id", "order_number", "locator", "start_date", "end_date"),
    "contracts.trip_started": ("order_file_id", "order_number", "title", "start_date", "end_date"),
    "contracts.trip_completed": ("order_file_id", "order_number", "title", "start_date", "end_date"),
    "contracts.trip_changed": ("order_file_id", "order_number", "locator", "change"),
    "contracts.incident_opened": ("incident_id", "order_number", "kind", "summary", "locator", "handler"),
    "contracts.incident_closed": ("incident_id", "order_number", "kind", "resolution", "alternative",
                                  "customer_informed_at"),
    "feedback.complaint_opened": ("complaint_id", "summary", "category", "severity", "channel", "order_number",
                                  "handler"),
    "feedback.complaint_resolved": ("complaint_id", "handler", "resolved_at", "on_time", "compensations"),
    "feedback.complaint_escalated": ("complaint_id", "clock", "due_at", "escalated_to"),
    "feedback.survey_answered": ("survey_id", "order_file_id", "order_number", "recommend", "comment",
                                 "answered_at"),
}
MAX_TEXT = 500
# Where a ticketing event carries booking lines (one line, or a list), whose travellers it is about.
LINE_KEYS = {**{event: tuple(key for key, _ in keys) for event, keys in trips.BOOKING_EVENTS.items()},
             "ticketing.booking_refunded": ("line",)}


def add(session, customer_id: str, kind: str, summary: str, occurred_at: datetime, actor: str | None = None,
        source: str = "crm", source_event_id: str | None = None, ref_type: str | None = None,
        ref_id: str | None = None, payload: dict | None = None) -> TimelineEntry:
    entry = TimelineEntry(customer_id=customer_id, occurred_at=occurred_at, kind=kind, summary=summary[:MAX_TEXT],
                          source=source, source_event_id=source_event_id, ref_type=ref_type, ref_id=ref_id,
                          actor=actor, payload=payload or {}, recorded_at=utcnow())
    session.add(entry)
    return entry


def as_dict(entry: TimelineEntry) -> dict:
    return {"id": entry.id, "customer_id": entry.customer_id, "occurred_at": entry.occurred_at, "kind": entry.kind,
            "summary": entry.summary, "source": entry.source, "source_event_id": entry.source_event_id,
            "ref_type": entry.ref_type, "ref_id": entry.ref_id, "actor": entry.actor, "payload": entry.payload or {}}


def entries(session, customer_id: str, page: int = 1, page_size: int = 20, order: str = "asc"):
    """The customer's entries by the time they happened (ties in the order they were recorded)."""
    if order == "desc":
        ordering = (TimelineEntry.occurred_at.desc(), TimelineEntry.id.desc())
    else:
        ordering = (TimelineEntry.occurred_at, TimelineEntry.id)
    statement = select(TimelineEntry).where(TimelineEntry.customer_id == customer_id).order_by(*ordering)
    return page_of(session, statement, page, page_size)


# --- other services' events --------------------------------------------------------------------

def customers_named(event_type: str, payload: dict) -> list[str]:
    """The customer ids an event names, each once, in the order they appear."""
    found: list[str] = []
    if event_type in LINE_KEYS:
        for line in _event_lines(event_type, payload):
            for traveller in line.get("travellers") or ():
                if isinstance(traveller, dict) and isinstance(traveller.get("customer_id"), str):
                    found.append(traveller["customer_id"])
    elif isinstance(payload.get("customer_id"), str):
        found.append(payload["customer_id"])
    return list(dict.fromkeys(c for c in found if c))


def occurred_at(envelope: dict) -> datetime:
    try:
        value = datetime.fromisoformat(envelope["occurred_at"])
        return value if value.tzinfo else utcnow()
    except (KeyError, TypeError, ValueError):
        return utcnow()


def _scalar(value):
    if isinstance(value, str):
        return value[:MAX_TEXT]
    return value if isinstance(value, (int, float, bool)) or value is None else None


def subset(event_type: str, payload: dict) -> dict:
    return {k: _scalar(payload[k]) for k in FOREIGN_EVENTS[event_type] if k in payload}


def _event_lines(event_type: str, payload: dict) -> list[dict]:
    lines = []
    for key in LINE_KEYS.get(event_type, ()):
        value = payload.get(key)
        lines.extend(line for line in (value if isinstance(value, list) else [value]) if isinstance(line, dict))
    return lines


def lines_of(event_type: str, payload: dict, customer_id: str) -> list[dict]:
    lines = []
    for line in _event_lines(event_type, payload):
        travellers = [t for t in line.get("travellers") or () if isinstance(t, dict)]
        if any(t.get("customer_id") == customer_id for t in travellers):
            lines.append({"id": _scalar(line.get("id")), "day": _scalar(line.get("day")),
                          "status": _scalar(line.get("status")), "ticket_number": _scalar(line.get("ticket_number")),
                          "product_id": _scalar(line.get("product_id")),
                          "destination": _scalar(line.get("destination") or line.get("location")),
                          "quantity": _scalar(line.get("quantity"))})
    return lines


def _ref(payload: dict) -> str:
    ref = payload.get("quote_number") or payload.get("quote_id") or payload.get("id")
    version = payload.get("version")
    return (f" {ref}" if ref else "") + (f" (version {version})" if version else "")


def summary(event_type: str, payload: dict, lines: list[dict] | None = None) -> str:
    p = payload
    money = (f": {p.get('total')} {p.get('currency') or ''}".rstrip() if p.get("total") is not None else "")
    if event_type == "itinerary.quote_issued":
        return f"Quote{_ref(p)} issued{money}"
    if event_type == "itinerary.quote_accepted":
        return f"Quote{_ref(p)} accepted{money}"
    if event_type == "itinerary.quote_rejected":
        return f"Quote{_ref(p)} rejected" + (f": {p['reason']}" if p.get("reason") else "")
    booking = f"Booking {p.get('locator') or p.get('booking_id') or p.get('id') or ''}"
    if event_type == "ticketing.booking_confirmed":
        days = sorted(l["day"] for l in lines or () if isinstance(l.get("day"), str))
        when = (f", {days[0]}" + (f" to {days[-1]}" if days[-1] != days[0] else "")) if days else ""
        return f"{booking} confirmed: {len(lines or ())} line(s){when}"
    if event_type == "ticketing.booking_changed":
        old, new = (p.get(k) if isinstance(p.get(k), dict) else {} for k in ("old_line", "new_line"))
        moved = f" from {old.get('day')} to {new.get('day')}" if old.get("day") != new.get("day") else ""
        onto = f" onto {new['destination']}" if new.get("destination") and \
            new.get("destination") != old.get("destination") else ""
        fare = f", fare difference {p['fare_difference']} {p.get('currency') or ''}".rstrip() \
            if p.get("fare_difference") is not None else ""
        return f"{booking} changed: {old.get('ticket_number') or 'a line'}{moved}{onto}{fare}"
    if event_type == "ticketing.booking_cancelled":
        if p.get("status") == "cancelled":
            return f"{booking} cancelled"
        return f"{booking}: {len(lines or ())} line(s) cancelled"
    if event_type == "ticketing.booking_refunded":
        amount = f"{p.get('amount')} {p.get('currency') or ''}".strip() if p.get("amount") is not None else ""
        return f"Refund on {booking[0].lower()}{booking[1:]}" + (f": {amount}" if amount else "") + \
            (f" ({p['reason']})" if p.get("reason") else "")
    contract = f"Contract {p.get('order_number') or p.get('contract_id') or ''}".rstrip()
    if event_type == "contracts.contract_drafted":
        return f"{contract} drafted{money}"
    if event_type == "contracts.contract_signed":
        how = {"in_person": "in person", "remote": "remotely"}.get(p.get("method"), p.get("method") or "")
        return f"{contract} signed (version {p.get('version')}{', ' + how if how else ''})"
    if event_type == "contracts.contract_amended":
        return f"{contract} amended (version {p.get('version')}, {p.get('reason')}){money}" + \
            (f": {p['changes']}" if p.get("changes") else "")
    if event_type == "contracts.contract_cancelled":
        return f"{contract} cancelled: fee {p.get('fee')}, refund {p.get('refund')} {p.get('currency') or ''}".rstrip()
    if event_type in ("contracts.payment_received", "contracts.payment_refunded"):
        amount = f"{p.get('amount')} {p.get('currency') or ''}".strip() if p.get("amount") is not None else ""
        what = "Payment received" if event_type == "contracts.payment_received" else "Refund paid"
        return what + (f": {amount}" if amount else "") + \
            (f" (contract {p['contract_id']})" if p.get("contract_id") else "")
    if event_type == "contracts.invoice_issued":
        return f"Invoice {p.get('display_number')} issued{money}"
    if event_type == "contracts.credit_note_issued":
        return f"Credit note {p.get('display_number')} for {p.get('corrects')}{money}"
    if event_type == "contracts.instalment_overdue":
        return f"{contract}: instalment {p.get('n')} overdue since {p.get('due_on')}, " \
               f"{p.get('outstanding')} {p.get('currency') or ''} outstanding".rstrip()
    if event_type == "contracts.trip_booked":
        return f"{contract}: booked" + (f", locator {p['locator']}" if p.get("locator") else "")
    if event_type == "contracts.trip_started":
        return f"{contract}: left for {p.get('title') or 'the trip'} on {p.get('start_date')}"
    if event_type == "contracts.trip_completed":
        return f"{contract}: back from {p.get('title') or 'the trip'} ({p.get('end_date')})"
    if event_type == "contracts.trip_changed":
        change = p.get("change") or {}
        return f"{contract}: {change.get('old_name') or 'a booked service'} changed to " \
               f"{change.get('new_name') or 'another'} on {change.get('new_day')}"
    if event_type == "contracts.incident_opened":
        return f"{contract}: {p.get('kind') or 'incident'} incident opened" + \
            (f": {p['summary']}" if p.get("summary") else "")
    if event_type == "contracts.incident_closed":
        return f"{contract}: {p.get('kind') or 'incident'} incident closed" + \
            (f": {p['resolution']}" if p.get("resolution") else "") + \
            (f" (alternative: {p['alternative']})" if p.get("alternative") else "")
    if event_type == "feedback.complaint_opened":
        about = p.get("summary") or p.get("subject") or p.get("category")
        return "Complaint opened" + (f" ({p['severity']})" if p.get("severity") else "") + \
            (f": {about}" if about else "")
    if event_type == "feedback.complaint_resolved":
        given = ", ".join(f"{c.get('kind')} {c.get('value')} {c.get('currency')}" for c in p.get("compensations") or [])
        return "Complaint resolved" + ("" if p.get("on_time", True) else " late") + (f": {given}" if given else "")
    if event_type == "feedback.complaint_escalated":
        clock = "first response" if p.get("clock") == "first_response" else "resolution"
        return f"Complaint escalated to {p.get('escalated_to') or 'a manager'}: its {clock} time ran out"
    if event_type == "feedback.survey_answered":
        scores = {k: v for k, v in (p.get("scores") or {}).items() if isinstance(v, int)}
        said = ", ".join(f"{aspect} {value}/5" for aspect, value in scores.items())
        recommend = f"would recommend {p['recommend']}/10" if isinstance(p.get("recommend"), int) else ""
        return (f"{p['order_number']}: survey answered" if p.get("order_number") else "Survey answered") + \
            (": " + "; ".join(filter(None, (said, recommend))) if said or recommend else "")
    return event_type
