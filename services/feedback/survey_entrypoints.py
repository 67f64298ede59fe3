"""The surveys' entrypoints, mixed into FeedbackService (services/feedback/service.py). The rules
are services/feedback/surveys.py's.

A completed trip opens its survey and queues the invitation in one transaction (with the inbox
row, so a redelivered event opens nothing). A timer sends what is queued to CRM outside any
transaction of this service, under each message's own request id, then records CRM's answers: a
crash in between leaves the message pending and the next tick sends it again under the same id,
which CRM's command log answers without a second email.
"""
import logging

from services.common.db import utcnow
from services.common.entrypoints import event_handler, rpc
from services.common.errors import NotFound, validated
from services.common.outgoing import send
from services.common.paging import page_dict
from services.common.pruning import configured_timer

from . import surveys, wire
from .models import Survey, SurveyMessage

log = logging.getLogger(__name__)

SEND_TIMEOUT = 10.0  # seconds CRM may take to accept a message before it is tried again later


class SurveyEntrypoints:
    """Needs the service's uow, config, crm, contracts, itinerary and ticketing proxies."""

    @property
    def survey_settings(self) -> surveys.SurveySettings:
        return surveys.SurveySettings.from_config(self.config)

    # --- a completed trip -----------------------------------------------------------------------

    @event_handler("contracts.trip_completed")
    def on_trip_completed_survey(self, envelope):
        """The travellers are back: their survey, in the order file's language, scoring its suppliers."""
        trip = envelope["payload"]
        if not trip.get("customer_id"):
            return
        with self.uow.database.reading() as session:
            if surveys.find(session, trip["order_file_id"]) is not None:
                return
        language, suppliers = self._survey_subject(trip)   # asked before the transaction: no lock held
        session, now = self.uow.session, utcnow()
        if surveys.find(session, trip["order_file_id"]) is None:
            surveys.open_survey(session, trip, language=language, suppliers=suppliers,
                                settings=self.survey_settings, now=now)

    def _survey_subject(self, trip: dict) -> tuple[str, list[dict]]:
        """The page's language and the suppliers scored, from contracts' order file. An order file
        contracts no longer knows still gets its survey, in the customer's language."""
        try:
            order = self.contracts.get_order_file(trip["order_file_id"])
        except NotFound:
            log.warning("order file %s unknown to contracts: surveying without its suppliers", trip["order_file_id"])
            try:
                language = self.crm.get_customer(trip["customer_id"]).get("preferred_language")
            except NotFound:
                language = None
            return language or "en", []
        return order.get("language") or "en", surveys.suppliers_of((order.get("quote") or {}).get("lines") or [])

    # --- sending through CRM --------------------------------------------------------------------

    @configured_timer("SURVEY_TICK_SECONDS", 2)
    def send_surveys(self) -> int:
        """Queue due reminders, send every pending invitation and reminder, record CRM's answers."""
        settings, now = self.survey_settings, utcnow()
        with self.uow.database.reading() as session:
            reminding = [s.id for s in surveys.reminders_due(session, now)]
            closing = surveys.closed_pending(session, now)
        if reminding or closing:   # each reminder's fresh link is committed before it is sent
            with self.uow.database.transaction() as session:
                surveys.withdraw_closed(session, now)
                for survey_id in reminding:
                    surveys.remind(session, session.get(Survey, survey_id, with_for_update=True), settings, now)
        with self.uow.database.reading() as session:
            due = [(m.id, surveys.crm_message(session.get(Survey, m.survey_id), m), m.request_id)
                   for m in surveys.due_messages(session, now)]
        answers = [(message_id, send(self.crm.send_message, request_id, message, timeout=SEND_TIMEOUT))
                   for message_id, message, request_id in due]
        if not answers:
            return 0
        session, now = self.uow.session, utcnow()
        for message_id, answer in answers:
            message = session.get(SurveyMessage, message_id, with_for_update=True)
            if message.status != "pending":   # another instance recorded it first, or it was withdrawn
                continue
            survey = session.get(Survey, message.survey_id, with_for_update=True)
            if surveys.record_sent(survey, message, answer, settings, now):
                self.uow.emit(wire.SURVEY_SENT, surveys.sent_event(survey))
            elif "refused" in answer:
                log.error("CRM refused survey message %s: %s", message.request_id, answer["refused"])
        return len(answers)

    # --- the customer's link (public: the token is the key) --------------------------------------

    @rpc
    def survey_view(self, token: str) -> dict:
        return surveys.public_view(surveys.by_token(self.uow.session, token, utcnow()))

    @rpc
    def answer_survey(self, token: str, data: dict) -> dict:
        fields = validated(wire.SurveyAnswerSchema(), data)
        session, now = self.uow.session, utcnow()
        survey = surveys.by_token(session, token, now, lock=True)
        surveys.answer(session, survey, fields, now)
        self.uow.emit(wire.SURVEY_ANSWERED, surveys.answered_event(survey))
        return {**surveys.public_view(survey), "answered": True}

    # --- the desk ---------------------------------------------------------------------------------

    @rpc
    def list_surveys(self, query: dict | None = None) -> dict:
        q, now = validated(wire.SurveyQuerySchema(), query or {}), utcnow()
        items, total = surveys.page(self.uow.session, q, now)
        return page_dict([surveys.as_dict(s, now) for s in items], total, q["page"], q["page_size"])

    @rpc
    def get_survey(self, survey_id: int) -> dict:
        return surveys.as_dict(surveys.get(self.uow.session, survey_id), utcnow())

    @rpc
    def supplier_scores(self, query: dict | None = None) -> list[dict]:
        """Each supplier's mean score per aspect, from every survey answer that scored it."""
        q = validated(wire.SupplierScoreQuerySchema(), query or {})
        return surveys.supplier_scores(self.uow.session, q)

    @rpc
    def record_check_in(self, order_file_id: str, data: dict) -> dict:
        """A check-in during the trip: how the customer feels it is going, as the consultant heard it."""
        fields = validated(wire.CheckInCreateSchema(), data)
        order = self.contracts.get_order_file(order_file_id)   # NotFound crosses as 404
        row = surveys.record_check_in(self.uow.session, order, fields, self.uow.actor, utcnow())
        self.uow.emit(wire.CHECK_IN_RECORDED, surveys.check_in_event(row))
        return surveys.check_in_dict(row)

    @rpc
    def list_check_ins(self, order_file_id: str) -> list[dict]:
        return [surveys.check_in_dict(row) for row in surveys.check_ins(self.uow.session, order_file_id)]
