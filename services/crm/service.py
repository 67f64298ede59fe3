"""CRM: customers, inquiries, follow-ups, timeline, segments. Thin entrypoints over services.crm rules.

Validate what came over the wire, call the rules, announce the facts: every event is declared in
services.crm.wire (`EVENTS`) and produced by dumping its payload schema. Document numbers are
masked in every event.
"""
from datetime import date
from pathlib import Path

from eventlet import tpool
from nameko.dependency_providers import Config
from nameko.timer import timer

from services.common.db import utcnow
from services.common.entrypoints import event_handler, rpc
from services.common.errors import validated
from services.common.paging import page_dict
from services.common.pruning import configured_timer
from services.common.service import ServiceBase
from services.common.unit_of_work import Database

from . import (customers, followups, inquiries, intake, mail, messages, satisfaction, segments, settings, timeline,
               trips)
from . import wire
from .models import Base


def _today() -> date:
    """The UTC date: a trip on it has not happened yet."""
    return utcnow().date()


class CrmService(ServiceBase):
    name = "crm"
    uow = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
    config = Config()

    @property
    def mail_settings(self) -> settings.MailSettings:
        return settings.from_config(self.config)

    # --- customers -------------------------------------------------------------------------

    @rpc
    def create_customer(self, data: dict, confirm_duplicate: bool = False) -> dict:
        """Conflict (naming the existing customers) when the email or phone is already known,
        unless confirm_duplicate."""
        fields = validated(wire.CustomerCreateSchema(), data)
        customer = customers.create_customer(self.uow.session, fields, self.uow.actor, utcnow(),
                                             confirm_duplicate=bool(confirm_duplicate))
        record = customers.as_dict(customer)
        self.uow.emit(wire.CUSTOMER_CREATED, record)
        return record

    @rpc
    def get_customer(self, customer_id: str, reveal_documents: bool = False) -> dict:
        return customers.as_dict(customers.get_customer(self.uow.session, customer_id),
                                 reveal_documents=bool(reveal_documents))

    @rpc
    def update_customer(self, customer_id: str, data: dict, confirm_duplicate: bool = False,
                        if_match: str | None = None) -> dict:
        """if_match: the ETag of a get_customer answer (documents masked or revealed); PreconditionFailed
        when the customer has changed since."""
        changes = validated(wire.CustomerUpdateSchema(), data)
        customer, changed = customers.update_customer(self.uow.session, customer_id, changes, self.uow.actor,
                                                      utcnow(), confirm_duplicate=bool(confirm_duplicate),
                                                      if_match=if_match)
        if changed:
            self.uow.emit(wire.CUSTOMER_UPDATED, {
                "id": customer.id, "changed_fields": sorted(changed), "changes": changed,
                "updated_at": customer.updated_at, "updated_by": customer.updated_by})
        return customers.as_dict(customer)

    @rpc
    def search_customers(self, query: dict) -> dict:
        q = validated(wire.CustomerQuerySchema(), query)
        items, total = customers.search(self.uow.session, **q)
        return page_dict([customers.as_dict(c) for c in items], total, q["page"], q["page_size"])

    @rpc
    def customer_timeline(self, customer_id: str, query: dict | None = None) -> dict:
        q = validated(wire.TimelineQuerySchema(), query or {})
        customers.get_customer(self.uow.session, customer_id)
        items, total = timeline.entries(self.uow.session, customer_id, **q)
        return page_dict([timeline.as_dict(e) for e in items], total, q["page"], q["page_size"])

    # --- inquiries -------------------------------------------------------------------------

    @rpc
    def create_inquiry(self, data: dict, confirm_duplicate: bool = False) -> dict:
        """For a known customer (customer_id) or one registered with it (customer)."""
        fields = validated(wire.InquiryCreateSchema(), data)
        inquiry, new_customer = inquiries.create_inquiry(self.uow.session, fields, self.uow.actor, utcnow(),
                                                         confirm_duplicate=bool(confirm_duplicate))
        if new_customer is not None:
            self.uow.emit(wire.CUSTOMER_CREATED, customers.as_dict(new_customer))
        record = inquiries.as_dict(inquiry)
        self.uow.emit(wire.INQUIRY_CREATED, record)
        return record

    @rpc
    def get_inquiry(self, inquiry_id: str) -> dict:
        return inquiries.as_dict(inquiries.get_inquiry(self.uow.session, inquiry_id))

    @rpc
    def update_inquiry(self, inquiry_id: str, data: dict, if_match: str | None = None) -> dict:
        """if_match: the ETag of a get_inquiry answer; PreconditionFailed when the inquiry has changed since."""
        changes = validated(wire.InquiryUpdateSchema(), data)
        inquiry, changed = inquiries.update_inquiry(self.uow.session, inquiry_id, changes, self.uow.actor, utcnow(),
                                                    if_match=if_match)
        if changed:
            self.uow.emit(wire.INQUIRY_UPDATED, {
                "id": inquiry.id, "customer_id": inquiry.customer_id, "changed_fields": sorted(changed),
                "changes": changed, "updated_at": inquiry.updated_at, "updated_by": inquiry.updated_by})
        return inquiries.as_dict(inquiry)

    @rpc
    def search_inquiries(self, query: dict) -> dict:
        q = validated(wire.InquiryQuerySchema(), query)
        items, total = inquiries.search(self.uow.session, **q)
        return page_dict([inquiries.as_dict(i) for i in items], total, q["page"], q["page_size"])

    @rpc
    def transition_inquiry(self, inquiry_id: str, data: dict) -> dict:
        """Move an inquiry along its pipeline: Conflict when the move is not allowed."""
        fields = validated(wire.TransitionCreateSchema(), data)
        inquiry, moved = inquiries.transition(self.uow.session, inquiry_id, fields["to"], fields.get("reason"),
                                              self.uow.actor, utcnow())
        self._announce_move(inquiry, moved)
        return inquiries.as_dict(inquiry)

    @rpc
    def inquiry_transitions(self, inquiry_id: str) -> list[dict]:
        return [inquiries.transition_dict(t) for t in inquiries.history(self.uow.session, inquiry_id)]

    def _announce_move(self, inquiry, moved):
        self.uow.emit(wire.INQUIRY_STATUS_CHANGED, inquiries.transition_dict(moved) | {
            "customer_id": inquiry.customer_id})

    # --- follow-ups ------------------------------------------------------------------------

    @rpc
    def create_follow_up(self, data: dict) -> dict:
        fields = validated(wire.FollowUpCreateSchema(), data)
        return followups.as_dict(followups.create(self.uow.session, fields, self.uow.actor, utcnow()))

    @rpc
    def get_follow_up(self, follow_up_id: str) -> dict:
        return followups.as_dict(followups.get(self.uow.session, follow_up_id))

    @rpc
    def complete_follow_up(self, follow_up_id: str) -> dict:
        return followups.as_dict(followups.complete(self.uow.session, follow_up_id, self.uow.actor, utcnow()))

    @rpc
    def search_follow_ups(self, query: dict) -> dict:
        q = validated(wire.FollowUpQuerySchema(), query)
        now = utcnow()
        items, total = followups.search(self.uow.session, now=now, **q)
        return page_dict([followups.as_dict(f, now) for f in items], total, q["page"], q["page_size"])

    # --- segments --------------------------------------------------------------------------

    @rpc
    def customer_segment(self, query: dict) -> dict:
        q = validated(wire.SegmentQuerySchema(), query)
        page, page_size = q.pop("page"), q.pop("page_size")
        items, total = segments.search(self.uow.session, page, page_size, **q)
        return page_dict([segments.row(c) for c in items], total, page, page_size)

    @rpc
    def customer_segment_csv(self, query: dict) -> dict:
        """The whole segment (page and page_size ignored) as CSV: {"filename", "content_type", "content", "rows"}."""
        q = validated(wire.SegmentQuerySchema(), query)
        q.pop("page"), q.pop("page_size")
        content, rows = segments.export_csv(self.uow.session, **q)
        return {"filename": f"customer-segment-{utcnow():%Y%m%d-%H%M%S}.csv",
                "content_type": "text/csv; charset=utf-8", "content": content, "rows": rows}

    # --- messages to customers (services.crm.messages) --------------------------------------

    @rpc
    def send_message(self, data: dict) -> dict:
        """Record a message of `kind` to the customer, in their language, and queue it for sending.
        No email address: recorded as undeliverable and returned (not an error). A command: a
        repeated request id returns the first message."""
        fields = validated(wire.MessageCreateSchema(), data)
        customer = customers.get_customer(self.uow.session, fields["customer_id"])
        now = utcnow()
        message = messages.record(self.uow.session, customer, fields, self.mail_settings, self.uow.actor, now)
        event = wire.MESSAGE_QUEUED if message.status == "queued" else wire.MESSAGE_FAILED
        self.uow.emit(event, messages.event_payload(message, now))
        return self._message_dict(message)

    @rpc
    def get_message(self, message_id: str) -> dict:
        """Attachments by name and size only."""
        return self._message_dict(messages.get(self.uow.session, message_id))

    @rpc
    def list_messages(self, query: dict) -> dict:
        q = validated(wire.MessageQuerySchema(), query)
        items, total = messages.search(self.uow.session, **q)
        files = messages.attachments_of(self.uow.session, [m.id for m in items])
        return page_dict([messages.as_dict(m, files[m.id]) for m in items], total, q["page"], q["page_size"])

    def _message_dict(self, message) -> dict:
        return messages.as_dict(message, messages.attachments_of(self.uow.session, [message.id])[message.id])

    @event_handler("crm.message_queued")
    def on_message_queued(self, envelope):
        """One SMTP attempt, if this delivery wins the claim; the outcome is committed with the inbox row."""
        payload, s = envelope["payload"], self.mail_settings
        # The claim commits before the conversation starts, so no other delivery sends meanwhile.
        with self.uow.database.transaction() as session:
            outgoing = messages.claim(session, payload["id"], int(payload.get("attempts") or 0), utcnow(), s)
        if outgoing is None:
            return
        try:
            tpool.execute(mail.send, outgoing, s)  # a real thread: a slow server does not stall the hub
            error = None
        except (mail.PermanentFailure, mail.TemporaryFailure) as exc:
            error = exc
        now = utcnow()
        message = messages.settle(self.uow.session, outgoing.message_id, error, now, s)
        if message.status == "sent":
            self.uow.emit(wire.MESSAGE_SENT, messages.event_payload(message, now))
        elif message.status == "failed":
            self.uow.emit(wire.MESSAGE_FAILED, messages.event_payload(message, now))

    @configured_timer("MESSAGE_RETRY_INTERVAL_SECONDS", 15)
    def announce_due_messages(self):
        """Messages whose retry is due, or whose attempt never reported back: queued again."""
        now = utcnow()
        for message in messages.due(self.uow.session, now, self.mail_settings):
            self.uow.emit(wire.MESSAGE_QUEUED, messages.event_payload(message, now))

    # --- other services' events, taken in through the inbox --------------------------------
    # Contract for publishers: see services/crm/timeline.py and intake.py. Each handler is
    # idempotent: the inbox skips an event it already took in, and an event naming no known
    # customer is acknowledged and recorded nowhere (retrying would not change that).

    def _take_in(self, envelope: dict):
        for inquiry, moved in intake.record_event(self.uow.session, envelope, today=_today()):
            self._announce_move(inquiry, moved)

    @timer(interval=3600, eager=True)
    def count_travel(self) -> int:
        """Trips whose day has passed become past destinations and the last trip date (hourly, so
        a restart or a missed run catches up the same day)."""
        return trips.count_travel(self.uow.session, _today())

    @event_handler("itinerary.quote_issued")
    def on_quote_issued(self, envelope):
        """payload["customer_id"]; with payload["inquiry_id"] the inquiry moves qualified -> quoted."""
        self._take_in(envelope)

    @event_handler("itinerary.quote_accepted")
    def on_quote_accepted(self, envelope):
        """payload["customer_id"]; with payload["inquiry_id"] the inquiry moves quoted -> won
        (from qualified through quoted when the quote_issued event has not arrived yet)."""
        self._take_in(envelope)

    @event_handler("itinerary.quote_rejected")
    def on_quote_rejected(self, envelope):
        """payload["customer_id"]; with payload["inquiry_id"] an open inquiry moves to lost ("quote rejected")."""
        self._take_in(envelope)

    @event_handler("ticketing.booking_confirmed")
    def on_booking_confirmed(self, envelope):
        """Every traveller with a customer_id in payload["lines"][*]["travellers"]: each line (id, day,
        destination) is a trip of theirs, counted in their past destinations once its day has passed."""
        self._take_in(envelope)

    @event_handler("ticketing.booking_changed")
    def on_booking_changed(self, envelope):
        """Travellers of payload["old_line"] / ["new_line"]: on their timeline; the old trip is changed,
        the new one booked."""
        self._take_in(envelope)

    @event_handler("ticketing.booking_cancelled")
    def on_booking_cancelled(self, envelope):
        """Travellers of payload["cancelled_lines"]: on their timeline; those trips will not happen."""
        self._take_in(envelope)

    @event_handler("ticketing.booking_refunded")
    def on_booking_refunded(self, envelope):
        """Travellers of payload["line"]: on their timeline, with amount, currency and reason."""
        self._take_in(envelope)

    @event_handler("contracts.payment_received")
    def on_payment_received(self, envelope):
        """payload["customer_id"]; shown: amount, currency, contract_id."""
        self._take_in(envelope)

    # The order file's other facts: payload["customer_id"]; shown as services.crm.timeline says.
    @event_handler("contracts.contract_drafted")
    def on_contract_drafted(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.contract_signed")
    def on_contract_signed(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.contract_amended")
    def on_contract_amended(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.contract_cancelled")
    def on_contract_cancelled(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.payment_refunded")
    def on_payment_refunded(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.invoice_issued")
    def on_invoice_issued(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.credit_note_issued")
    def on_credit_note_issued(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.instalment_overdue")
    def on_instalment_overdue(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.trip_booked")
    def on_trip_booked(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.trip_started")
    def on_trip_started(self, envelope):
        self._take_in(envelope)

    @event_handler("contracts.trip_completed")
    def on_trip_completed(self, envelope):
        """The customer is back: the consultant's call-back starts from here."""
        self._take_in(envelope)

    @event_handler("contracts.trip_changed")
    def on_trip_changed(self, envelope):
        """A booked service changed during the trip (a rebooked flight)."""
        self._take_in(envelope)

    @event_handler("contracts.incident_opened")
    def on_incident_opened(self, envelope):
        """An incident on the customer's trip: kind and what happened."""
        self._take_in(envelope)

    @event_handler("contracts.incident_closed")
    def on_incident_closed(self, envelope):
        """How it ended, and the alternative arranged."""
        self._take_in(envelope)

    @event_handler("feedback.complaint_opened")
    def on_complaint_opened(self, envelope):
        """payload["customer_id"]; shown: severity and summary (or category)."""
        self._take_in(envelope)

    @event_handler("feedback.complaint_resolved")
    def on_complaint_resolved(self, envelope):
        """Shown: on time or late, and the compensations given."""
        self._take_in(envelope)

    @event_handler("feedback.complaint_escalated")
    def on_complaint_escalated(self, envelope):
        """Shown: which clock ran out and the manager it went to."""
        self._take_in(envelope)

    @event_handler("feedback.survey_answered")
    def on_survey_answered(self, envelope):
        """payload["customer_id"]; on the timeline: the order number, the scores and recommend; kept
        as the customer's satisfaction (get_satisfaction)."""
        self._take_in(envelope)
        satisfaction.record(self.uow.session, envelope.get("payload") or {})

    @rpc
    def get_satisfaction(self, customer_id: str) -> dict:
        """The customer's post-trip survey answers: how many, the averages, the last one."""
        return satisfaction.summary(self.uow.session, customer_id)
