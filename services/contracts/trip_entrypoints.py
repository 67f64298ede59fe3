"""The trip's entrypoints, mixed into ContractsService: the step runner, the calendar, what
ticketing tells about the trip's bookings, and the desk's RPCs (supplier answers, the meeting
point, trip documents, the "needs attention" list). The rules are services/contracts/trip.py's.

The runner sends each due step outside any transaction of this service (no lock is held while
another service answers), then records every answer in the worker's one transaction: a crash in
between leaves the step pending, and the next tick sends the same command under the same id.
"""
import base64
import logging
from datetime import date, timedelta

from eventlet import tpool
from nameko.timer import timer

from services.common.db import utcnow
from services.common.entrypoints import event_handler, rpc
from services.common.errors import validated
from services.common.outgoing import send
from services.common.paging import page_dict
from services.common.serialization import to_plain

from . import documents, incidents, order_files, payables, trip, trip_documents, wire
from .models import OrderFile, TripStep

log = logging.getLogger(__name__)

STEP_TIMEOUT = 10.0  # seconds a step's command may take before it is tried again later


class TripEntrypoints:
    """Needs the service's uow, config, settings, crm and ticketing (ContractsService has them)."""

    # --- announcing -----------------------------------------------------------------------------

    def _announce(self, order: OrderFile, events: list, now):
        """Emit what trip.* returned, and queue the customer messages that go with it."""
        session = self.uow.session
        for kind, detail in events:
            if kind == "attention":
                row = next(a for a in reversed(order.attention) if a.reason == detail)
                self.uow.emit(wire.ORDER_FILE_NEEDS_ATTENTION, {**self._ref(order), "attention_id": row.id,
                                                                "reason": row.reason, "message": row.message})
            elif kind.startswith("service_"):
                event = {"service_requested": wire.SERVICE_REQUESTED, "service_reminded": wire.SERVICE_REMINDER_DUE,
                         "service_answered": wire.SERVICE_ANSWERED, "service_withdrawn": wire.SERVICE_WITHDRAWN}[kind]
                self.uow.emit(event, {**self._ref(order), **_request_payload(detail)})
            else:
                event = {"held": wire.TRIP_HELD, "booked": wire.TRIP_BOOKED, "ready": wire.TRIP_READY,
                         "started": wire.TRIP_STARTED, "completed": wire.TRIP_COMPLETED,
                         "changed": wire.TRIP_CHANGED}[kind]
                self.uow.emit(event, self._trip_payload(order, change=detail if kind == "changed" else None))
                self._messages_for(order, kind, detail, now)

    def _trip_payload(self, order: OrderFile, change=None) -> dict:
        booking = order.booking or {}
        return {**self._ref(order), "stage": order.trip, "hold_id": order.hold_id, "locator": booking.get("locator"),
                "lines": booking.get("lines") or [], "change": change}

    def _messages_for(self, order: OrderFile, kind: str, detail, now):
        """What the customer is sent, through CRM, as the trip moves."""
        if not order.customer_id:
            return
        values = {"order_number": order.order_number, "title": order.title,
                  "start_date": order.start_date.isoformat(), "end_date": order.end_date.isoformat()}
        if kind == "booked":
            self._message(order, "booking_confirmation", {**values, "locator": order.booking["locator"]},
                          "confirmation_letter", now)
        elif kind == "ready":
            self._message(order, "trip_documents", values, "trip_documents", now)
        elif kind == "completed":  # the agencies call the customer back after the trip
            trip.add_step(self.uow.session, order, "follow_up", {"follow_up": {
                "customer_id": order.customer_id, "owner": trip.owner(order),
                "due_at": (now + timedelta(days=2)).isoformat(),
                "note": f"{order.order_number}: call the customer back after the trip ({order.title})."}}, now)
        elif kind == "changed":
            before = f"{detail.get('old_name') or ''} {detail.get('old_day')} ({detail.get('old_ticket')})".strip()
            after = f"{detail.get('new_name') or ''} {detail.get('new_day')} ({detail.get('new_ticket')})".strip()
            self._message(order, "change_notice", {"order_number": order.order_number, "title": order.title,
                                                   "locator": order.booking["locator"], "old_flight": before,
                                                   "new_flight": after}, None, now)

    def _message(self, order: OrderFile, kind: str, values: dict, attach: str | None, now):
        trip.add_step(self.uow.session, order, "message", {"kind": kind, "values": values, "attach": attach}, now)

    # --- the step runner ------------------------------------------------------------------------

    @timer(interval=1)
    def advance_trips(self) -> int:
        """Send the due steps of every trip, then record their answers (services/contracts/trip.py)."""
        now = utcnow()
        with self.uow.database.reading() as session:
            due = [(step.id, step.order_file_id, trip.service_of(step.action), self._prepared(session, step))
                   for step in trip.due_steps(session, now)]
        answers, silent = [], set()
        for step_id, order_id, service, call in due:
            # One unanswered call to a service is enough to know: the rest wait for the next try
            # instead of each waiting out its timeout.
            answer = {"unanswered": f"{service} did not answer this round"} if service in silent else call()
            if "unanswered" in answer:
                silent.add(service)
            answers.append((step_id, order_id, answer))
        if not answers:
            return 0
        session, now = self.uow.session, utcnow()
        for step_id, order_id, answer in answers:
            order = self._order(order_id, lock=True)
            step = session.get(TripStep, step_id)
            if step.status != "pending":  # another instance recorded it first
                continue
            if "unanswered" in answer:
                trip.retry_later(step, answer["unanswered"], now)
                continue
            events = trip.record(session, order, step, to_plain(answer), now, timezone=self.settings.desk_timezone)
            self._announce(order, events, now)
        return len(answers)

    def _prepared(self, session, step: TripStep):
        """_command, or an answer saying why it could not be made (a step never stops the others)."""
        try:
            command = self._command(session, step)
        except Exception as exc:  # noqa: BLE001 — logged, and the step is tried again later
            log.exception("trip step %s could not be prepared", step.request_id)
            return lambda: {"unanswered": f"{type(exc).__name__}: {exc}"}

        def guarded():
            try:
                return command()
            except Exception as exc:  # noqa: BLE001
                log.exception("trip step %s failed", step.request_id)
                return {"unanswered": f"{type(exc).__name__}: {exc}"}
        return guarded

    def _command(self, session, step: TripStep):
        """The call that sends `step`, made ready while its order file can be read."""
        args, rid = step.args, step.request_id
        # Ticketing records the file's consultant as who held and booked: the trip acts for them.
        actor = trip.staff(session.get(OrderFile, step.order_file_id).consultant)
        if step.action == "hold":
            return lambda: self._hold(rid, args["hold"], actor)
        if step.action == "extend_hold":
            return lambda: send(self.ticketing.extend_hold, rid, args["hold_id"],
                                {"expires_in_minutes": args["minutes"]}, timeout=STEP_TIMEOUT, actor=actor)
        if step.action == "book":
            return lambda: send(self.ticketing.confirm_hold, rid, args["hold_id"], timeout=STEP_TIMEOUT, actor=actor)
        if step.action == "release_hold":
            return lambda: send(self.ticketing.release_hold, rid, args["hold_id"], timeout=STEP_TIMEOUT, actor=actor)
        if step.action == "cancel_booking":
            # No reason named: ticketing records the customer's request, which an order file's cancellation is.
            return lambda: send(self.ticketing.cancel_booking, rid, args["locator"], timeout=STEP_TIMEOUT,
                                actor=actor)
        if step.action == "follow_up":
            follow_up = {**args["follow_up"],
                         "owner": trip.staff(args["follow_up"]["owner"]) or self.settings.trip_owner}
            return lambda: send(self.crm.create_follow_up, rid, follow_up, timeout=STEP_TIMEOUT)
        if step.action == "message":
            order = session.get(OrderFile, step.order_file_id)
            message = {"customer_id": order.customer_id, "kind": args["kind"], "values": args["values"],
                       "reference": order.order_number,
                       "attachments": [self._rendered(session, order, args["attach"])] if args.get("attach") else []}
            return lambda: send(self.crm.send_message, rid, message, timeout=STEP_TIMEOUT)
        raise ValueError(f"unknown trip step {step.action}")

    def _hold(self, request_id: str, hold: dict, actor: str | None) -> dict:
        """Place the hold; when refused, ask which of its lines are short, so the order file can
        name them all (ticketing's refusal names the first)."""
        answer = send(self.ticketing.place_hold, request_id, hold, timeout=STEP_TIMEOUT, actor=actor)
        if "refused" in answer:
            answer["unavailable"] = self._short_lines(hold["lines"])
        return answer

    def _short_lines(self, lines: list[dict]) -> list[dict]:
        by_product: dict[str, list] = {}
        for line in lines:
            by_product.setdefault(line["product_id"], []).append(line)
        short = []
        for product_id, wanted in by_product.items():
            days = sorted(date.fromisoformat(line["day"]) for line in wanted)
            try:
                found = {d["day"]: d for d in self.ticketing.get_inventory(product_id, days[0], days[-1])}
            except Exception as exc:  # noqa: BLE001 — unknown product, or ticketing down: say so per line
                short += [{**line, "reason": type(exc).__name__} for line in wanted]
                continue
            for line in wanted:
                day = found.get(date.fromisoformat(line["day"]))
                if day is None:
                    short.append({"product_id": product_id, "day": line["day"], "reason": "no_allotment"})
                elif day["status"] != "available" or day["available"] < line["quantity"]:
                    short.append({"product_id": product_id, "day": line["day"], "reason": day["status"],
                                  "available": day["available"], "requested": line["quantity"]})
        return short

    def _rendered(self, session, order: OrderFile, what: str) -> dict:
        """A document attached to a message, as it stands when the message is sent."""
        agency, today = self.settings.agency, self._today()
        if what == "confirmation_letter":
            booked = [line for line in payables.order_margin(session, order)["lines"] if line["status"] == "confirmed"]
            data = order_files.letter_data(order, agency, booked, today)
            content, name = tpool.execute(documents.confirmation_letter, data, language=order.language), \
                f"confirmation-{order.order_number}.pdf"
        elif what == "contract":
            v = order_files.version(order)
            content, name = self._render_contract(order, v), f"contract-{order.order_number}-v{v.version}.pdf"
        else:
            content, name = self._trip_documents_pdf(order), f"trip-documents-{order.order_number}.pdf"
        return {"filename": name, "content_type": "application/pdf",
                "content_base64": base64.b64encode(content).decode("ascii")}

    def _trip_documents_pdf(self, order: OrderFile) -> bytes:
        data = trip_documents.trip_documents_data(
            order, self.settings.agency, _tickets(order), _confirmed_services(order), [], order.meeting)
        return tpool.execute(documents.trip_documents, data, language=order.language)

    # --- the calendar -----------------------------------------------------------------------------

    @timer(interval=5)
    def trip_calendar(self) -> int:
        """Departures and returns by the travel dates, supplier reminders, holds kept alive. Asked
        first without the writer's turn: most ticks find nothing to do."""
        now, s, today = utcnow(), self.settings, self._today()
        with self.uow.database.reading() as session:
            departing = [o.id for o in trip.departing(session, today)]
            returning = [o.id for o in trip.returning(session, today)]
            reminders = [(r.order_file_id, r.id) for r in trip.reminders_due(session, now, s.reminder_every)]
            extending = [o.id for o in trip.holds_to_extend(session, now)]
        session = self.uow.session
        for order_id in departing:
            order = self._order(order_id, lock=True)
            if trip.departs(order, today):
                self._announce(order, trip.depart(session, order, now), now)
        for order_id in returning:
            order = self._order(order_id, lock=True)
            if trip.returns(order, today):
                self._announce(order, trip.complete(order, now), now)
        for order_id, request_id in reminders:
            order = self._order(order_id, lock=True)
            request = trip.service_request(order, request_id)
            if order.status != "cancelled" and trip.reminder_due(request, now, s.reminder_every):
                self._announce(order, trip.remind(session, order, request, now, s.reminders_before_attention), now)
        for order_id in extending:
            trip.extend(session, self._order(order_id, lock=True), now, s.desk_timezone)
        return len(departing) + len(returning)

    # --- what ticketing says about the trip's bookings -------------------------------------------

    def _trip_order(self, payload: dict) -> OrderFile | None:
        number = payables.order_number_of(payload)
        with self.uow.database.reading() as session:
            order_id = payables.order_file_id(session, number) if number else None
        return self._order(order_id, lock=True) if order_id else None

    @event_handler("ticketing.booking_changed")
    def on_trip_booking_changed(self, envelope):
        """A booked service of the trip was changed at the ticketing desk (a delayed flight
        rebooked): the order file shows the new one and the customer is told."""
        payload, now = envelope["payload"], utcnow()
        names = self._product_names({payload["old_line"].get("product_id"), payload["new_line"].get("product_id")})
        order = self._trip_order(payload)
        if order is None or not order.booking or order.booking.get("locator") != payload.get("locator"):
            return
        change = trip.booking_changed(order, payload["old_line"], payload["new_line"], names)
        if change is not None:
            self._announce(order, [("changed", change)], now)
            self._incident_for_change(order, change, now)

    def _product_names(self, product_ids) -> dict:
        """What the customer reads for a product (its name in ticketing); its id when ticketing cannot say."""
        names = {}
        for product_id in filter(None, product_ids):
            try:
                names[product_id] = self.ticketing.get_product(product_id)["name"]
            except Exception:  # noqa: BLE001 — a notice with the product's id beats no notice
                log.warning("product %s: no name from ticketing", product_id, exc_info=True)
        return names

    def _incident_for_change(self, order: OrderFile, change: dict, now):
        """A change while travelling goes on the trip's incident log, where the desk follows it
        (what else was arranged, the customer informed)."""
        if order.trip != "travelling":
            return
        summary = (f"Ticketing changed {change.get('old_ticket') or 'a booked service'} on {change.get('old_day')} "
                   f"to {change.get('new_ticket') or 'a new one'} on {change.get('new_day')}.")
        incident = incidents.open(self.uow.session, order, {
            "kind": "other", "summary": summary, "locator": order.booking["locator"],
            "handler": trip.owner(order) or self.settings.trip_owner},
            actor=self.uow.actor, now=now)
        self.uow.emit(wire.INCIDENT_OPENED, incidents.event(incident))

    @event_handler("ticketing.booking_cancelled")
    def on_trip_booking_cancelled(self, envelope):
        payload = envelope["payload"]
        order = self._trip_order(payload)
        if order is None or not order.booking or order.booking.get("locator") != payload.get("locator"):
            return
        trip.lines_cancelled(order, [line.get("id") for line in payload.get("cancelled_lines") or []])
        if payload.get("status") == "cancelled":
            order.booking = {**order.booking, "status": "cancelled"}

    @event_handler("ticketing.hold_expired")
    def on_trip_hold_expired(self, envelope):
        payload = envelope["payload"]
        order = self._trip_order(payload)
        if order is not None:
            self._announce(order, trip.hold_lapsed(self.uow.session, order, payload["id"], utcnow()), utcnow())

    # --- the desk ---------------------------------------------------------------------------------

    @rpc
    def get_trip(self, order_id: str) -> dict:
        return trip.standing(self._order(order_id))

    @rpc
    def answer_supplier_request(self, order_id: str, request_id: int, data: dict) -> dict:
        """The supplier's answer to a confirmation request, as the desk records it."""
        fields = validated(wire.ServiceAnswerSchema(), data)
        order, now = self._order(order_id, lock=True), utcnow()
        request, events = trip.answer_service(self.uow.session, order, request_id, fields, actor=self.uow.actor,
                                              now=now)
        self._announce(order, [("service_answered", request)] + events, now)
        return trip.request_dict(request)

    @rpc
    def set_meeting_point(self, order_id: str, data: dict) -> dict:
        fields = validated(wire.MeetingSchema(), data)
        order = self._order(order_id, lock=True)
        order.meeting = {"at": fields["at"].isoformat(), "place": fields["place"]}
        order.updated_at = utcnow()
        return self._order_dict(order)

    @rpc
    def trip_documents_pdf(self, order_id: str) -> dict:
        """The trip documents as they stand now, in the customer's language."""
        order = self._order(order_id)
        return {"filename": f"trip-documents-{order.order_number}.pdf", "content_type": "application/pdf",
                "content_base64": base64.b64encode(self._trip_documents_pdf(order)).decode("ascii")}

    @rpc
    def send_trip_documents(self, order_id: str, data: dict | None = None) -> dict:
        """Send the trip documents to the customer now (they go by themselves once ready)."""
        validated(wire.SendDocumentsSchema(), data or {})
        order, now = self._order(order_id, lock=True), utcnow()
        trip.require_sendable(order)
        values = {"order_number": order.order_number, "title": order.title,
                  "start_date": order.start_date.isoformat(), "end_date": order.end_date.isoformat()}
        self._message(order, "trip_documents", values, "trip_documents", now)
        return trip.standing(order)

    @rpc
    def needing_attention(self, query: dict) -> dict:
        """Order files whose trip cannot go on by itself, oldest first, with the reason."""
        q = validated(wire.AttentionQuerySchema(), query or {})
        items, total = trip.needing_attention(self.uow.session, q["page"], q["page_size"], q.get("reason"))
        numbers = {o.id: o.order_number for o in (self._order(oid) for oid in {a.order_file_id for a in items})}
        return page_dict([{**trip.attention_dict(a), "order_number": numbers[a.order_file_id]} for a in items],
                         total, q["page"], q["page_size"])

    @rpc
    def resolve_attention(self, attention_id: int, data: dict) -> dict:
        fields = validated(wire.AttentionResolveSchema(), data)
        row = trip.resolve_attention(self.uow.session, attention_id, fields["resolution"], self.uow.actor, utcnow())
        return {**trip.attention_dict(row), "order_number": self._order(row.order_file_id).order_number}


def _request_payload(r) -> dict:
    return {"request_id": r.id, "supplier": r.supplier, "description": r.description, "service_date": r.service_date,
            "status": r.status, "reference": r.reference, "reminders": r.reminders}


def _tickets(order: OrderFile) -> list[dict]:
    named = order_files.product_names(order)
    return [{"locator": order.booking["locator"], "ticket_number": line.get("ticket_number"),
             "product": named.get(line["product_id"]) or line["product_id"], "service_date": line["day"],
             "status": line["status"]} for line in (order.booking or {}).get("lines") or []
            if line["status"] == "confirmed"]


def _confirmed_services(order: OrderFile) -> list[dict]:
    return [{"supplier": r.supplier, "description": r.description,
             "service_date": r.service_date.isoformat() if r.service_date else None, "reference": r.reference}
            for r in order.service_requests if r.status == "confirmed"]
