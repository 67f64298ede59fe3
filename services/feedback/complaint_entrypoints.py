"""The complaints' entrypoints, mixed into FeedbackService (services/feedback/service.py): opening
and working complaints, the escalation timer, and the vouchers a later quote redeems.

What other services are asked (the order file, a refund) is asked before this service's
transaction opens; the escalation timer sends the managers' follow-ups outside any transaction and
records CRM's answers after, so a crash in between sends the same command again under the same id.
"""
import logging
import os

from nameko.exceptions import UnknownService

from services.common.db import utcnow
from services.common.entrypoints import rpc
from services.common.errors import Conflict, NotFound, Unavailable, ValidationFailed, validated
from services.common.outgoing import send
from services.common.paging import page_dict
from services.common.pruning import configured_timer
from services.common.serialization import to_plain

from . import complaints, wire
from .models import ComplaintEscalation

log = logging.getLogger(__name__)

SEND_TIMEOUT = 10.0  # seconds a follow-up or refund may take before it is tried again


def _setting(config: dict, key: str, default: str) -> str:
    return str(config.get(key) or os.environ.get(key) or default)


def _refusal(answer: dict):
    """Another service's refusal, raised here as the same kind of error."""
    refused = answer["refused"]
    cls = {"NotFound": NotFound, "Conflict": Conflict}.get(refused["type"], ValidationFailed)
    raise cls(refused["message"], refused.get("details") or {})


class ComplaintEntrypoints:
    """Needs the service's uow, config, crm, contracts, itinerary and ticketing proxies."""

    @property
    def complaint_clocks(self) -> dict:
        return complaints.parse_clocks(_setting(self.config, "COMPLAINT_CLOCKS", complaints.DEFAULT_CLOCKS))

    def _complaint_dict(self, complaint, steps: bool = True) -> dict:
        self.uow.session.flush()
        return complaints.as_dict(complaint, utcnow(), steps=steps)

    def _linked(self, fields: dict) -> dict | None:
        """The customer must be CRM's; the order file (if any) is contracts', with its currency.
        Asked before the transaction."""
        try:
            self.crm.get_customer(fields["customer_id"])
        except NotFound:
            raise ValidationFailed("No such customer.", {"customer_id": [
                f"No CRM customer {fields['customer_id']}."]}) from None
        except UnknownService:
            raise Unavailable("CRM is not running; the customer cannot be checked now.") from None
        if not fields.get("order_file_id"):
            return None
        try:
            return self.contracts.get_order_file(fields["order_file_id"])
        except NotFound:
            raise ValidationFailed("No such order file.", {"order_file_id": [
                f"No order file {fields['order_file_id']}."]}) from None
        except UnknownService:
            raise Unavailable("Contracts is not running; the order file cannot be read now.") from None

    @rpc
    def open_complaint(self, data: dict) -> dict:
        """A customer's complaint from any channel; with an order file, its currency is the complaint's."""
        fields = validated(wire.ComplaintOpenSchema(), data)
        order = self._linked(fields)
        complaint = complaints.open(self.uow.session, fields, order=order, clocks=self.complaint_clocks,
                                    actor=self.uow.actor, now=utcnow())
        self.uow.emit(wire.COMPLAINT_OPENED, complaints.opened_event(complaint))
        return self._complaint_dict(complaint)

    @rpc
    def get_complaint(self, complaint_id: int) -> dict:
        return self._complaint_dict(complaints.get(self.uow.session, complaint_id))

    @rpc
    def list_complaints(self, query: dict | None = None) -> dict:
        q = validated(wire.ComplaintQuerySchema(), query or {})
        items, total = complaints.search(self.uow.session, q)
        now = utcnow()
        return page_dict([complaints.as_dict(c, now, steps=False) for c in items], total, q["page"], q["page_size"])

    @rpc
    def add_complaint_step(self, complaint_id: int, data: dict) -> dict:
        """A step taken: the customer or supplier contacted, the supplier's answer, a compensation
        (an agency voucher is issued here; a refund is opened on the order file by contracts)."""
        fields = validated(wire.ComplaintStepCreateSchema(), data)
        refund_id = None
        if fields.get("compensation") == "refund":
            refund_id = self._open_refund(complaint_id, fields)
        session, now = self.uow.session, utcnow()
        complaint = complaints.get(session, complaint_id, lock=True)  # two desks take turns
        if fields.get("compensation") == "voucher":
            _, voucher = complaints.issue_voucher(
                session, complaint, fields, actor=self.uow.actor, now=now,
                validity_days=int(_setting(self.config, "VOUCHER_VALIDITY_DAYS", "365")))
            self.uow.emit(wire.VOUCHER_ISSUED, complaints.voucher_event(voucher))
        elif fields.get("compensation") == "refund":
            complaints.record_refund(complaint, fields, refund_id, actor=self.uow.actor, now=now)
        else:
            _, facts = complaints.add_step(complaint, fields, actor=self.uow.actor, now=now)
            for fact, payload in facts:
                event = {"responded": wire.COMPLAINT_RESPONDED,
                         "supplier_answered": wire.COMPLAINT_SUPPLIER_ANSWERED}[fact]
                self.uow.emit(event, payload)
        return self._complaint_dict(complaint)

    def _open_refund(self, complaint_id: int, fields: dict) -> int:
        """Ask contracts for the refund before the transaction. The request id names the step's
        place and amount, so the desk repeating a step that crashed after contracts answered gets
        the same refund, not a second one; another amount after a refusal is a new request."""
        with self.uow.database.reading() as session:
            complaint = complaints.get(session, complaint_id)
            complaints.check_refund(complaint, fields)
            order_id, n = complaint.order_file_id, len(complaint.steps) + 1
            reason = f"Complaint {complaint.id}: {fields.get('text') or complaint.summary}"[:1000]
        answer = send(self.contracts.open_refund, f"complaint:{complaint_id}:step:{n}:refund:{fields['value']}", order_id,
                      {"amount": str(fields["value"]), "currency": fields["currency"], "reason": reason},
                      timeout=SEND_TIMEOUT)
        if "unanswered" in answer:
            raise Unavailable("Contracts did not answer: try the refund again.", {"contracts": answer["unanswered"]})
        if "refused" in answer:
            _refusal(answer)
        return answer["result"]["id"]

    @rpc
    def resolve_complaint(self, complaint_id: int, data: dict) -> dict:
        fields = validated(wire.ComplaintResolveSchema(), data or {})
        complaint = complaints.get(self.uow.session, complaint_id, lock=True)
        payload = complaints.resolve(complaint, fields["resolution"], actor=self.uow.actor, now=utcnow())
        self.uow.emit(wire.COMPLAINT_RESOLVED, payload)
        return self._complaint_dict(complaint)

    @rpc
    def rate_complaint(self, complaint_id: int, data: dict) -> dict:
        fields = validated(wire.ComplaintRateSchema(), data or {})
        complaint = complaints.get(self.uow.session, complaint_id, lock=True)
        payload = complaints.rate(complaint, fields["satisfaction"], fields.get("comment"), actor=self.uow.actor,
                                  now=utcnow())
        self.uow.emit(wire.COMPLAINT_RATED, payload)
        return self._complaint_dict(complaint)

    @rpc
    def reopen_complaint(self, complaint_id: int, data: dict) -> dict:
        fields = validated(wire.ComplaintReopenSchema(), data or {})
        complaint = complaints.get(self.uow.session, complaint_id, lock=True)
        payload = complaints.reopen(complaint, fields["reason"], clocks=self.complaint_clocks, actor=self.uow.actor,
                                    now=utcnow())
        self.uow.emit(wire.COMPLAINT_REOPENED, payload)
        return self._complaint_dict(complaint)

    # --- escalation -----------------------------------------------------------------------------

    @configured_timer("COMPLAINT_ESCALATION_INTERVAL_SECONDS", 30)
    def escalate_complaints(self) -> int:
        """Send the managers' follow-ups still owed, then escalate the complaints whose clock ran out
        (their follow-ups go on the next tick). Asked first without the writer's turn: most ticks
        find nothing to do."""
        now = utcnow()
        with self.uow.database.reading() as session:
            owed = [(e.id, e.request_id, dict(e.follow_up)) for e in complaints.pending_follow_ups(session)]
            due = complaints.overdue(session, now)
        answers = [(eid, self._send_follow_up(rid, follow_up)) for eid, rid, follow_up in owed]
        if not answers and not due:
            return 0
        session, now = self.uow.session, utcnow()
        for eid, answer in answers:
            escalation = session.get(ComplaintEscalation, eid, with_for_update=True)
            if escalation.status == "pending":  # another instance may have recorded it first
                complaints.follow_up_answered(escalation, to_plain(answer), now)
        owner = _setting(self.config, "COMPLAINT_ESCALATION_OWNER", "admin")
        for complaint_id, clock in due:
            complaint = complaints.get(session, complaint_id, lock=True)
            escalation = complaints.escalate(complaint, clock, owner=owner, now=now)
            if escalation is not None:
                self.uow.emit(wire.COMPLAINT_ESCALATED, complaints.escalated_event(complaint, escalation))
        return len(answers) + len(due)

    def _send_follow_up(self, request_id: str, follow_up: dict) -> dict:
        try:
            return send(self.crm.create_follow_up, request_id, follow_up, timeout=SEND_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 — logged; the follow-up stays owed and is sent again
            log.exception("complaint follow-up %s failed", request_id)
            return {"unanswered": f"{type(exc).__name__}: {exc}"}

    # --- vouchers -------------------------------------------------------------------------------

    @rpc
    def get_voucher(self, code: str) -> dict:
        return complaints.voucher_dict(complaints.voucher(self.uow.session, code))

    @rpc
    def redeem_voucher(self, data: dict) -> dict:
        """Redeem once, on the quote given: a second quote gets 409; another customer, another
        currency or an expired voucher 422. The same quote again gets the voucher as it is."""
        fields = validated(wire.VoucherRedeemSchema(), data)
        now = utcnow()
        found = complaints.voucher(self.uow.session, fields["code"], lock=True)
        if complaints.redeem(found, fields, actor=self.uow.actor, now=now, today=now.date()):
            self.uow.emit(wire.VOUCHER_REDEEMED, complaints.voucher_event(found))
        return complaints.voucher_dict(found)

    @rpc
    def list_vouchers(self, customer_id: str) -> list[dict]:
        return [complaints.voucher_dict(v) for v in complaints.of_customer(self.uow.session, customer_id)]
