"""The trip: what happens to an order file from its signature to the traveller's return.

    signed ──> holding ──> held ──(deposit)──> booking ──> booked ──(balance paid, every
       │          │                                        supplier confirmed)──> ready
       │          └──> unavailable (sold out: attention; an amendment or a payment holds again)
       └── (no inventory) ──> booked
    ready / booked ──(start date)──> travelling ──(after the end date)──> completed
    any stage ──(cancellation)──> cancelled (holds released, bookings cancelled, requests withdrawn)

Every effect in another service (a hold, a booking, a release, a follow-up, a message) is a
TripStep written in the same transaction as the change that makes it due. The step runner
(service.advance_trips) sends it under the step's own request id and records the answer with its
consequences in one transaction, so a crash or a redelivery anywhere sends the same command again,
and the other service answers it from its command log: no second hold, booking or message.

Plain rules over the models: no broker, no RPC; the runner does the sending.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select

from services.common.errors import Conflict, NotFound
from services.common.paging import page_of

from . import order_files, schedule, wire
from .models import Attention, OrderFile, ServiceRequest, TripStep

STAGES = wire.TRIP_STAGES
# Where a hold is live and confirming it is the next move.
HOLDING = ("holding", "held", "booking")
MAX_HOLD_MINUTES = 14 * 24 * 60  # the longest option ticketing grants; the runner extends it
MIN_HOLD_MINUTES = 60
EXTEND_BEFORE = timedelta(hours=24)  # a hold that lapses within this, with the deposit due later
RETRY_AFTER = (5, 15, 60, 300)  # seconds between tries of a step that got no answer
MAX_HOLD_ATTEMPTS = 3


# --- what the contract asks for --------------------------------------------------------------

def _day(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _quantity(line: dict) -> int:
    try:
        return max(int(line.get("quantity") or 1), 1)
    except (TypeError, ValueError):
        return 1


def inventory_lines(lines: list[dict]) -> list[dict]:
    """The contract lines ticketing holds: each (product, night or day) with its quantity."""
    wanted = []
    for line in lines:
        product, start = line.get("inventory_product_id"), _day(line.get("service_date"))
        if not product or start is None:
            continue
        nights = int(line.get("nights") or 0) if line.get("kind") == "hotel" else 0
        days = [start + timedelta(days=n) for n in range(nights)] if nights else [start]
        for day in days:
            wanted.append({"line": line.get("line"), "description": line.get("description") or "",
                           "product_id": product, "day": day, "quantity": _quantity(line)})
    return wanted


def service_lines(lines: list[dict]) -> list[dict]:
    """The contract lines a supplier must confirm by hand: everything that is not inventory."""
    return [line for line in lines if not line.get("inventory_product_id")]


def hold_request(order: OrderFile, lines: list[dict], expires_in_minutes: int) -> dict:
    """ticketing.place_hold's argument: every inventory line, under the order number, so the
    bookings it becomes carry it (payables and the trip recognise them by it)."""
    names = [{"name": t["full_name"], "customer_id": t.get("customer_id")} for t in order.travellers
             if t.get("full_name")]
    return {"channel": "consultant", "reference": order.order_number, "expires_in_minutes": expires_in_minutes,
            "lines": [{"product_id": w["product_id"], "day": w["day"].isoformat(), "quantity": w["quantity"],
                       "travellers": names[:w["quantity"]]} for w in lines]}


def deposit(order: OrderFile) -> schedule.Due | None:
    dues = order_files.dues(order)
    return dues[0] if dues else None


def deposit_paid(order: OrderFile) -> bool:
    first = deposit(order)
    return first is None or order_files.paid(order) >= first.amount


def balance_paid(order: OrderFile) -> bool:
    return order_files.paid(order) >= order_files.total(order)


def hold_minutes(order: OrderFile, now: datetime, timezone) -> int:
    """An option lasting until the end of the deposit's due day (desk time), within what
    ticketing grants (the runner extends a longer one as it nears its end)."""
    first = deposit(order)
    due_day = first.due_on if first else now.astimezone(timezone).date()
    ends = datetime.combine(due_day + timedelta(days=1), time(0), tzinfo=timezone)
    minutes = int((ends - now).total_seconds() // 60)
    return min(max(minutes, MIN_HOLD_MINUTES), MAX_HOLD_MINUTES)


# --- who the trip acts for ----------------------------------------------------------------------

def staff(who: str | None) -> str | None:
    """`who` when it is a staff user, None when it is a service (follow-ups need a person)."""
    return None if not who or who.startswith("service:") else who


def owner(order: OrderFile) -> str | None:
    """The staff user the file's follow-ups go to: who issued the quote, else who opened the file."""
    return staff(order.consultant or order.created_by)


# --- steps ---------------------------------------------------------------------------------

def add_step(session, order: OrderFile, action: str, args: dict, now: datetime) -> TripStep:
    """A command to send, named `trip:<order>:<action>:<n>`: the n-th of its kind for this order
    file, so the id is the same however often the runner tries it, and never shared."""
    n = session.scalar(select(func.count()).select_from(TripStep).where(
        TripStep.order_file_id == order.id, TripStep.action == action)) + 1
    step = TripStep(order_file_id=order.id, action=action, request_id=f"trip:{order.id}:{action}:{n}", args=args,
                    status="pending", attempts=0, due_at=now, created_at=now)
    session.add(step)
    session.flush()
    return step


# Steps of one order file run one at a time per lane, in order: the inventory's (each may decide the
# next) apart from the customer's messages and the desk's follow-ups (a message CRM cannot take yet
# must not hold up releasing a hold).
CRM_ACTIONS = ("message", "follow_up")


def service_of(action: str) -> str:
    """Which service a step's command goes to."""
    return "crm" if action in CRM_ACTIONS else "ticketing"


def due_steps(session, now: datetime, limit: int = 20) -> list[TripStep]:
    """The oldest pending step of each order file and lane, due now."""
    lane = case((TripStep.action.in_(CRM_ACTIONS), "crm"), else_="ticketing")  # service_of, in SQL
    first = select(func.min(TripStep.id)).where(TripStep.status == "pending").group_by(TripStep.order_file_id, lane)
    return list(session.scalars(select(TripStep).where(TripStep.id.in_(first), TripStep.due_at <= now)
                                .order_by(TripStep.due_at, TripStep.id).limit(limit)))


def retry_later(step: TripStep, error: str, now: datetime):
    """No answer (the service is down, the call timed out): the same command, later."""
    step.attempts += 1
    step.last_error = error[:2000]
    step.due_at = now + timedelta(seconds=RETRY_AFTER[min(step.attempts, len(RETRY_AFTER)) - 1])


def raise_attention(session, order: OrderFile, reason: str, message: str, details: dict | None, now: datetime):
    """On the desk's list until resolved; the same reason is not raised twice while open."""
    if any(a.reason == reason and a.resolved_at is None for a in order.attention):
        return None
    row = Attention(order_file_id=order.id, reason=reason, message=message, details=details or {}, raised_at=now)
    order.attention.append(row)
    session.flush()
    return row


def settle_attention(order: OrderFile, reasons: tuple[str, ...], resolution: str, actor: str, now: datetime):
    for a in order.attention:
        if a.reason in reasons and a.resolved_at is None:
            a.resolved_at, a.resolved_by, a.resolution = now, actor, resolution


def resolve_attention(session, attention_id: int, resolution: str, actor: str, now: datetime) -> Attention:
    row = session.get(Attention, attention_id)
    if row is None:
        raise NotFound(f"No attention item {attention_id}.")
    if row.resolved_at is not None:
        raise Conflict(f"Attention item {attention_id} was resolved already.", {"resolved_at": row.resolved_at})
    row.resolved_at, row.resolved_by, row.resolution = now, actor, resolution
    return row


# --- the process: each function returns the events to announce, as (kind, details) ----------

def start(session, order: OrderFile, *, timezone, now: datetime, owner: str) -> list:
    """The contract was signed for the first time: hold the inventory, ask the suppliers."""
    lines = order_files.in_force(order).lines
    events = [("service_requested", r) for r in request_services(session, order, service_lines(lines), now)]
    wanted = inventory_lines(lines)
    if wanted:
        order.trip = "holding"
        add_step(session, order, "hold", {"hold": hold_request(order, wanted, hold_minutes(order, now, timezone)),
                                          "owner": owner}, now)
    else:
        order.trip = "booked"
        events += check_ready(order, now)
    return events


def request_services(session, order: OrderFile, lines: list[dict], now: datetime) -> list[ServiceRequest]:
    made = []
    taken = {r.line for r in order.service_requests}
    for line in lines:
        number = line.get("line")
        if number is None or number in taken:
            continue
        request = ServiceRequest(order_file_id=order.id, line=number,
                                 supplier=(line.get("supplier_name") or "").strip() or "(supplier not named)",
                                 description=(line.get("description") or line.get("kind") or "")[:500],
                                 service_date=_day(line.get("service_date")), status="requested", requested_at=now,
                                 reminders=0)
        order.service_requests.append(request)
        made.append(request)
    session.flush()
    return made


def replan(session, order: OrderFile, old_lines: list[dict], *, timezone, now: datetime, owner: str) -> list:
    """An amendment was signed: hold the new inventory (the old hold is released once the new one
    stands), ask for newly added services, withdraw requests for lines that are gone."""
    new_lines = order_files.in_force(order).lines
    events = []
    kept = {line.get("line") for line in service_lines(new_lines)}
    for request in order.service_requests:
        if request.line not in kept and request.status in ("requested", "confirmed"):
            request.status = "withdrawn"
            events.append(("service_withdrawn", request))
    events += [("service_requested", r) for r in request_services(session, order, service_lines(new_lines), now)]
    before, after = _holdable(inventory_lines(old_lines)), _holdable(inventory_lines(new_lines))
    if before != after or order.trip == "unavailable":
        if order.trip in ("holding", "held", "unavailable"):
            order.trip = "holding"
            add_step(session, order, "hold", {"hold": hold_request(order, inventory_lines(new_lines),
                                                                   hold_minutes(order, now, timezone)),
                                              "owner": owner, "replaces": order.hold_id}, now)
        elif order.trip in ("booking", "booked", "ready", "travelling") and before != after:
            raise_attention(session, order, "rebook", "An amendment changed booked services: the ticketing desk "
                            "changes the bookings to match.", {"before": _plain(before), "after": _plain(after)}, now)
    return events + check_ready(order, now)


def _holdable(wanted: list[dict]) -> list:
    return sorted((w["product_id"], w["day"], w["quantity"]) for w in wanted)


def _plain(rows: list) -> list:
    return [{"product_id": p, "day": d.isoformat(), "quantity": q} for p, d, q in rows]


def on_paid(session, order: OrderFile, now: datetime, *, timezone, owner: str) -> list:
    """Money arrived: the deposit confirms the holds; the balance may make the trip ready; an
    order file whose hold lapsed tries to hold again."""
    if order.status == "cancelled":
        return []
    if order.trip == "held" and deposit_paid(order):
        order.trip = "booking"
        add_step(session, order, "book", {"hold_id": order.hold_id}, now)
    elif order.trip == "unavailable" and deposit_paid(order) and _hold_attempts(session, order) < MAX_HOLD_ATTEMPTS:
        order.trip = "holding"
        wanted = inventory_lines(order_files.in_force(order).lines)
        add_step(session, order, "hold", {"hold": hold_request(order, wanted, hold_minutes(order, now, timezone)),
                                          "owner": owner}, now)
    if balance_paid(order):
        settle_attention(order, ("balance_overdue",), "Paid.", "service:contracts", now)
    return check_ready(order, now)


def _hold_attempts(session, order: OrderFile) -> int:
    return session.scalar(select(func.count()).select_from(TripStep).where(
        TripStep.order_file_id == order.id, TripStep.action == "hold"))


def check_ready(order: OrderFile, now: datetime) -> list:
    """Ready to travel: everything booked, every supplier confirmed, the balance paid."""
    if order.trip != "booked" or order.status == "cancelled":
        return []
    if any(r.status != "confirmed" for r in order.service_requests if r.status != "withdrawn"):
        return []
    if not balance_paid(order):
        return []
    order.trip = "ready"
    return [("ready", None)]


def record(session, order: OrderFile, step: TripStep, answer: dict, now: datetime, *, timezone) -> list:
    """The other service answered `step` ({"result": ...} or {"refused": {"type", "message",
    "details"}}): mark it, and move the trip on."""
    step.status = "done" if "result" in answer else "refused"
    step.outcome, step.done_at = answer, now
    step.attempts += 1
    handler = _RECORDERS.get(step.action)
    return handler(session, order, step, answer, now, timezone) if handler else []


def _on_hold(session, order, step, answer, now, timezone):
    if "refused" in answer:
        if order.status == "cancelled" or order.trip != "holding":
            return []
        order.trip = "unavailable"
        refused = answer["refused"]
        lines = answer.get("unavailable") or [refused.get("details") or {}]
        raise_attention(session, order, "unavailable", f"Not everything could be held: {refused.get('message')}",
                        {"lines": lines, "error": refused.get("type")}, now)
        add_step(session, order, "follow_up", {"follow_up": {
            "customer_id": order.customer_id, "owner": step.args.get("owner") or owner(order),
            "due_at": now.isoformat(),
            "note": f"{order.order_number}: {refused.get('message')} Amend the contract with other services."}}, now)
        return [("attention", "unavailable")]
    hold = answer["result"]
    if order.status == "cancelled" or order.trip not in ("holding",):
        # Cancelled (or replaced) while the hold was being placed: give the units back.
        add_step(session, order, "release_hold", {"hold_id": hold["id"]}, now)
        return []
    replaces = step.args.get("replaces")
    if replaces and replaces != hold["id"]:
        add_step(session, order, "release_hold", {"hold_id": replaces}, now)
    order.hold_id, order.hold_expires_at = hold["id"], _when(hold["expires_at"])
    order.trip = "held"
    settle_attention(order, ("unavailable", "hold_lapsed"), "Held.", "service:contracts", now)
    events = [("held", hold)]
    if deposit_paid(order):
        order.trip = "booking"
        add_step(session, order, "book", {"hold_id": hold["id"]}, now)
    return events


def _on_book(session, order, step, answer, now, timezone):
    if "refused" in answer:
        if order.status == "cancelled":
            return []
        order.trip = "unavailable"
        raise_attention(session, order, "hold_lapsed", f"The hold could not be confirmed: "
                        f"{answer['refused'].get('message')}", {"error": answer["refused"].get("type")}, now)
        again = on_paid(session, order, now, timezone=timezone, owner=owner(order))
        return again + [("attention", "hold_lapsed")]
    booking = answer["result"]
    if order.status == "cancelled":
        add_step(session, order, "cancel_booking", {"locator": booking["locator"]}, now)
        return []
    order.booking = booking_record(booking)
    order.trip = "booked"
    return [("booked", booking)] + check_ready(order, now)


def _on_release(session, order, step, answer, now, timezone):
    return []  # released, or already expired/released/confirmed: either way nothing is held for us


def _on_message(session, order, step, answer, now, timezone):
    if "refused" in answer:
        raise_attention(session, order, "message_refused", f"A message to the customer was refused: "
                        f"{answer['refused'].get('message')}", {"kind": step.args.get("kind")}, now)
        return [("attention", "message_refused")]
    if step.args.get("kind") == "trip_documents":
        order.trip_documents_sent_at = now
    if "signing_url" in step.args.get("values", {}):  # a credential: CRM's message holds it now
        step.args = {**step.args, "values": {**step.args["values"], "signing_url": "(sent)"}}
    return []


def _on_follow_up(session, order, step, answer, now, timezone):
    return []


_RECORDERS = {"hold": _on_hold, "book": _on_book, "release_hold": _on_release, "cancel_booking": _on_release,
              "extend_hold": _on_release, "message": _on_message, "follow_up": _on_follow_up}


def _when(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def booking_record(booking: dict) -> dict:
    """What the order file keeps of a ticketing booking: its locator and each line's ticket."""
    return {"booking_id": booking["id"], "locator": booking["locator"], "status": booking["status"],
            "lines": [{"line_id": line["id"], "product_id": line["product_id"], "day": _iso(line["day"]),
                       "quantity": line["quantity"], "ticket_number": line.get("ticket_number"),
                       "status": line["status"]} for line in booking.get("lines") or []]}


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def booking_changed(order: OrderFile, old_line: dict, new_line: dict, names: dict | None = None) -> dict | None:
    """Ticketing rebooked a line (a delayed flight): the order file shows the new one. Returns the
    change as the customer is told it, or None when the booking is not this order file's."""
    if not order.booking:
        return None
    lines = [dict(line) for line in order.booking["lines"]]
    for line in lines:
        if line["line_id"] == old_line.get("id"):
            line["status"] = old_line.get("status") or "changed"
    lines.append({"line_id": new_line.get("id"), "product_id": new_line.get("product_id"),
                  "day": _iso(new_line.get("day")), "quantity": new_line.get("quantity"),
                  "ticket_number": new_line.get("ticket_number"), "status": new_line.get("status") or "confirmed"})
    order.booking = {**order.booking, "lines": lines}
    names = names or {}
    return {"old_day": _iso(old_line.get("day")), "new_day": _iso(new_line.get("day")),
            "old_ticket": old_line.get("ticket_number"), "new_ticket": new_line.get("ticket_number"),
            "old_name": names.get(old_line.get("product_id")), "new_name": names.get(new_line.get("product_id")),
            "product_id": new_line.get("product_id")}


def lines_cancelled(order: OrderFile, line_ids: list) -> None:
    if not order.booking:
        return
    lines = [{**line, "status": "cancelled"} if line["line_id"] in line_ids else line
             for line in order.booking["lines"]]
    order.booking = {**order.booking, "lines": lines}


# --- answers from suppliers ------------------------------------------------------------------

def service_request(order: OrderFile, request_id: int) -> ServiceRequest:
    found = next((r for r in order.service_requests if r.id == request_id), None)
    if found is None:
        raise NotFound(f"Order file {order.order_number} has no supplier request {request_id}.")
    return found


def answer_service(session, order: OrderFile, request_id: int, fields: dict, *, actor: str, now: datetime) -> tuple:
    """The supplier confirmed (with its reference) or declined: a decline needs the consultant."""
    request = service_request(order, request_id)
    if order.status == "cancelled" or request.status == "withdrawn":
        raise Conflict(f"The request to {request.supplier} was withdrawn.", {"status": request.status})
    request.status = "confirmed" if fields["confirmed"] else "declined"
    request.reference, request.answered_by = fields.get("reference"), fields.get("answered_by")
    request.note, request.answered_at, request.recorded_by = fields.get("note"), now, actor
    events = []
    if request.status == "declined":
        raise_attention(session, order, "supplier_declined", f"{request.supplier} declined {request.description}.",
                        {"request_id": request.id, "supplier": request.supplier}, now)
        events.append(("attention", "supplier_declined"))
    else:
        settle_attention(order, ("supplier_silent",), f"{request.supplier} answered.", actor, now)
    return request, events + check_ready(order, now)


def reminders_due(session, now: datetime, every: timedelta, limit: int = 200) -> list[ServiceRequest]:
    """Requests a supplier has not answered for `every` since they were asked or last reminded."""
    cutoff = now - every
    return list(session.scalars(
        select(ServiceRequest).join(OrderFile).where(
            ServiceRequest.status == "requested", OrderFile.status != "cancelled",
            func.coalesce(ServiceRequest.last_reminded_at, ServiceRequest.requested_at) <= cutoff)
        .order_by(ServiceRequest.id).limit(limit)))


def reminder_due(request: ServiceRequest, now: datetime, every: timedelta) -> bool:
    return request.status == "requested" and (request.last_reminded_at or request.requested_at) <= now - every


def remind(session, order: OrderFile, request: ServiceRequest, now: datetime, give_up_after: int) -> list:
    request.reminders += 1
    request.last_reminded_at = now
    events = [("service_reminded", request)]
    if request.reminders >= give_up_after:
        raise_attention(session, order, "supplier_silent", f"{request.supplier} has not answered after "
                        f"{request.reminders} reminders.", {"request_id": request.id}, now)
        events.append(("attention", "supplier_silent"))
    return events


# --- the calendar ------------------------------------------------------------------------------

DEPARTING = ("held", "booking", "booked", "ready")


def departs(order: OrderFile, today: date) -> bool:
    return order.status == "signed" and order.trip in DEPARTING and order.start_date <= today


def returns(order: OrderFile, today: date) -> bool:
    return order.trip == "travelling" and order.end_date < today


def departing(session, today: date) -> list[OrderFile]:
    return list(session.scalars(select(OrderFile).where(
        OrderFile.trip.in_(DEPARTING), OrderFile.status == "signed",
        OrderFile.start_date <= today).order_by(OrderFile.start_date).limit(200)))


def returning(session, today: date) -> list[OrderFile]:
    return list(session.scalars(select(OrderFile).where(
        OrderFile.trip == "travelling", OrderFile.end_date < today).order_by(OrderFile.end_date).limit(200)))


def depart(session, order: OrderFile, now: datetime) -> list:
    """The start date came: the trip is under way (ready or not: a trip that is not is flagged)."""
    if order.trip != "ready":
        raise_attention(session, order, "not_ready", f"{order.order_number} departs today but is {order.trip}.",
                        {"trip": order.trip}, now)
    order.trip = "travelling"
    return [("started", None)]


def complete(order: OrderFile, now: datetime) -> list:
    order.trip = "completed"
    return [("completed", None)]


def holds_to_extend(session, now: datetime) -> list[OrderFile]:
    return list(session.scalars(select(OrderFile).where(
        OrderFile.trip == "held", OrderFile.hold_expires_at <= now + EXTEND_BEFORE).limit(200)))


def extend(session, order: OrderFile, now: datetime, timezone) -> bool:
    """Extend a hold about to lapse while the deposit is not due yet (options last 14 days at
    most); a hold whose deposit is due lapses with it."""
    minutes = hold_minutes(order, now, timezone)
    if order.hold_expires_at and now + timedelta(minutes=minutes) <= order.hold_expires_at + timedelta(minutes=1):
        return False
    if any(s.action == "extend_hold" and s.status == "pending" for s in order.steps):
        return False
    add_step(session, order, "extend_hold", {"hold_id": order.hold_id, "minutes": minutes}, now)
    order.hold_expires_at = now + timedelta(minutes=minutes)
    return True


def hold_lapsed(session, order: OrderFile, hold_id: str, now: datetime) -> list:
    """Ticketing let the hold expire (the deposit was not paid by its due date)."""
    if order.hold_id != hold_id or order.trip not in ("held",):
        return []
    order.trip = "unavailable"
    raise_attention(session, order, "hold_lapsed", f"The hold of {order.order_number} expired before the deposit "
                    f"was paid: a payment holds again if the services are still available.",
                    {"hold_id": hold_id}, now)
    return [("attention", "hold_lapsed")]


# --- cancellation ------------------------------------------------------------------------------

def cancel(session, order: OrderFile, now: datetime) -> list:
    """Undo what the trip did in other services: release the hold or cancel the booking (a step
    still pending is compensated when its answer comes), withdraw the supplier requests."""
    events = []
    if order.booking and order.booking.get("status") != "cancelled":
        add_step(session, order, "cancel_booking", {"locator": order.booking["locator"]}, now)
    elif order.hold_id and order.trip in ("held", "booking"):
        if not any(s.action == "book" and s.status == "pending" for s in order.steps):
            add_step(session, order, "release_hold", {"hold_id": order.hold_id}, now)
    for request in order.service_requests:
        if request.status in ("requested", "confirmed"):
            request.status = "withdrawn"
            events.append(("service_withdrawn", request))
    for a in order.attention:
        if a.resolved_at is None:
            a.resolved_at, a.resolved_by, a.resolution = now, "service:contracts", "Order file cancelled."
    if order.trip is not None:
        order.trip = "cancelled"
    return events


def require_sendable(order: OrderFile):
    """Trip documents go out once everything is booked, until the traveller is back."""
    if order.status == "cancelled" or order.trip not in ("booked", "ready", "travelling"):
        raise Conflict(f"{order.order_number} is {order.trip or order.status}: the trip documents go out once "
                       f"its services are booked.", {"trip": order.trip, "status": order.status})


def standing(order: OrderFile) -> dict:
    """The trip as the order file shows it."""
    return {"stage": order.trip, "hold_id": order.hold_id, "hold_expires_at": order.hold_expires_at,
            "booking": order.booking, "meeting": order.meeting,
            "documents_sent_at": order.trip_documents_sent_at,
            "supplier_requests": [request_dict(r) for r in order.service_requests],
            "attention": [attention_dict(a) for a in order.attention if a.resolved_at is None],
            "steps": [step_dict(s) for s in order.steps]}


def request_dict(r: ServiceRequest) -> dict:
    return {"id": r.id, "line": r.line, "supplier": r.supplier, "description": r.description,
            "service_date": r.service_date, "status": r.status, "reference": r.reference,
            "answered_by": r.answered_by, "note": r.note, "requested_at": r.requested_at, "reminders": r.reminders,
            "last_reminded_at": r.last_reminded_at, "answered_at": r.answered_at, "recorded_by": r.recorded_by}


def attention_dict(a: Attention) -> dict:
    return {"id": a.id, "order_file_id": a.order_file_id, "reason": a.reason, "message": a.message,
            "details": a.details, "raised_at": a.raised_at, "resolved_at": a.resolved_at,
            "resolved_by": a.resolved_by, "resolution": a.resolution}


def step_dict(s: TripStep) -> dict:
    return {"id": s.id, "action": s.action, "request_id": s.request_id, "status": s.status,
            "attempts": s.attempts, "last_error": s.last_error, "created_at": s.created_at, "done_at": s.done_at}


def needing_attention(session, page: int, page_size: int, reason: str | None = None):
    statement = select(Attention).where(Attention.resolved_at.is_(None)).order_by(Attention.raised_at, Attention.id)
    if reason:
        statement = statement.where(Attention.reason == reason)
    return page_of(session, statement, page, page_size)

