"""Contracts: the order file — contract, signing, amendments, payment schedule, payments, invoices,
refunds, the desk's day, bank reconciliation and the trip's incident log.

Thin entrypoints: validate what came over the wire, ask CRM or itinerary what is needed *before*
this service's transaction opens, apply the rules, announce the facts. Documents (contract,
receipts, invoices) are rendered in a thread (reportlab would block the event loop).
"""
import base64
import binascii
import hashlib
from datetime import date
from pathlib import Path

from eventlet import tpool
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy
from nameko.timer import timer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common import csv_files
from services.common.db import utcnow
from services.common.documents.startup import PdfFonts
from services.common.entrypoints import event_handler, rpc
from services.common.errors import Conflict, ValidationFailed, validated
from services.common.paging import page_dict
from services.common.service import ServiceBase
from services.common.unit_of_work import Database

from . import (archive, bank, cancellation, departures, desk_days, documents, incidents, invoices, order_files,
               payables, payments, schedule, settings, statements, storage, trip, upstream, wire)
from .models import Base, Instalment, OrderFile
from .trip_entrypoints import TripEntrypoints

PDF = "application/pdf"


def _attachment(filename: str, content: bytes) -> dict:
    return {"filename": filename, "content_type": PDF, "content_base64": base64.b64encode(content).decode("ascii")}


class ContractsService(TripEntrypoints, ServiceBase):
    name = "contracts"
    pdf_fonts = PdfFonts()
    uow = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
    config = Config()
    crm = RpcProxy("crm")
    itinerary = RpcProxy("itinerary")
    ticketing = RpcProxy("ticketing")  # suppliers and products: the archive's owners, the costs' suppliers
    archive_storage = storage.ArchiveStorage()

    # --- helpers ---------------------------------------------------------------------------------

    @property
    def settings(self) -> settings.Settings:
        return settings.from_config(self.config)

    def _today(self) -> date:
        """The desk's calendar day (DESK_TIMEZONE): which day a payment is taken on."""
        return utcnow().astimezone(self.settings.desk_timezone).date()

    def _order(self, order_id: str, lock: bool = False) -> OrderFile:
        return order_files.get(self.uow.session, order_id, lock=lock)

    def _order_dict(self, order: OrderFile) -> dict:
        self.uow.session.flush()
        return {**order_files.as_dict(self.uow.session, order, self._today()), "trip": trip.standing(order)}

    def _trip_owner(self, order: OrderFile) -> str:
        """Who the trip's follow-ups go to: the file's consultant, else whoever acts now."""
        return order.consultant or self.uow.actor

    def _ref(self, order: OrderFile, v=None) -> dict:
        v = v or order_files.version(order)
        return {"order_file_id": order.id, "order_number": order.order_number, "contract_id": order.order_number,
                "customer_id": order.customer_id, "consultant": order.consultant, "quote_id": order.quote_id,
                "itinerary_id": order.itinerary_id,
                "title": order.title, "start_date": order.start_date, "end_date": order.end_date,
                "currency": order.currency, "total": v.total, "version": v.version}

    def _render_contract(self, order: OrderFile, v) -> bytes:
        if v.signed_document is not None:
            return v.signed_document
        data = order_files.document_data(order, self.settings.agency, v, self._today())
        return tpool.execute(documents.contract, data, language=order.language)

    # --- opening the order file ------------------------------------------------------------------

    def _open(self, accepted: dict) -> OrderFile:
        """The quote's order file: opened now, or found if the event or a request opened it first."""
        cid = accepted.get("customer_id")
        customer = upstream.customers(self.crm, [cid], "customer_id")[cid] if cid else None
        session = self.uow.session
        existing = order_files.find_by_quote(session, accepted["quote_id"])
        if existing is not None:
            return existing
        try:
            with session.begin_nested():  # an open racing this one (PostgreSQL) wins; its number is not taken
                order = order_files.open_from_quote(session, accepted, customer, actor=self.uow.actor, now=utcnow())
        except IntegrityError:
            return order_files.find_by_quote(session, accepted["quote_id"])
        self.uow.emit(wire.CONTRACT_DRAFTED, self._ref(order))
        return order

    @event_handler("itinerary.quote_accepted")
    def on_quote_accepted(self, envelope):
        """The customer accepted a quote version: its order file opens, the contract drafted."""
        self._open(envelope["payload"])

    @rpc
    def open_order_file(self, data: dict) -> dict:
        """Open the order file of an accepted quote version now (the event does it too: whichever
        comes first opens it, the other finds it)."""
        fields = validated(wire.OrderFileOpenSchema(), data)
        accepted = upstream.accepted_quote(self.itinerary, fields["itinerary_id"], fields["version"])
        return self._order_dict(self._open(accepted))

    @rpc
    def get_order_file(self, order_id: str) -> dict:
        return self._order_dict(self._order(order_id))

    @rpc
    def list_order_files(self, query: dict) -> dict:
        q = validated(wire.OrderFileQuerySchema(), query)
        items, total = order_files.search(self.uow.session, **q)
        return page_dict([order_files.as_summary(o) for o in items], total, q["page"], q["page_size"])

    @rpc
    def update_order_file(self, order_id: str, data: dict) -> dict:
        fields = validated(wire.OrderFileUpdateSchema(), data)
        travellers = None
        if "travellers" in fields:
            found = upstream.customers(self.crm, [t["customer_id"] for t in fields["travellers"]])
            travellers = [order_files.traveller(found[t["customer_id"]], t["type"], t["visa"])
                          for t in fields["travellers"]]
        order = self._order(order_id, lock=True)
        order_files.update(order, fields, travellers, now=utcnow())
        return self._order_dict(order)

    # --- the document check and signing ----------------------------------------------------------

    @rpc
    def check_documents(self, order_id: str) -> dict:
        return order_files.check_documents(self._order(order_id))

    @rpc
    def override_documents(self, order_id: str, data: dict) -> dict:
        fields = validated(wire.OverrideSchema(), data)
        return order_files.override_documents(self._order(order_id, lock=True), fields["reason"],
                                              roles=self.uow.actor_roles, actor=self.uow.actor, now=utcnow())

    @rpc
    def contract_document(self, order_id: str, version: int | None = None) -> dict:
        """The contract PDF of a version (default: the newest): a signed one exactly as signed."""
        order = self._order(order_id)
        v = order_files.version(order, version)
        return _attachment(f"contract-{order.order_number}-v{v.version}.pdf", self._render_contract(order, v))

    @rpc
    def confirmation_letter(self, order_id: str) -> dict:
        """The booking confirmation letter: what is booked (locators as ticketing confirmed them),
        what is paid and what is still due, in the customer's language."""
        order = self._order(order_id)
        booked = [line for line in payables.order_margin(self.uow.session, order)["lines"]
                  if line["status"] == "confirmed"]
        data = order_files.letter_data(order, self.settings.agency, booked, self._today())
        return _attachment(f"confirmation-{order.order_number}.pdf",
                           tpool.execute(documents.confirmation_letter, data, language=order.language))

    def _sign(self, order: OrderFile, signature: dict) -> dict:
        v = order_files.version(order)
        document = self._render_contract(order, v)
        now = utcnow()
        lines_before = order_files.in_force(order).lines
        v = order_files.sign(self.uow.session, order, signature, document, now=now)
        over = order_files.paid(order) - v.total  # an amendment cut the total below what was paid
        payments.open_refund(self.uow.session, order, over, f"Amendment {v.version}: the new total is below what "
                             f"was paid.", limit=self.settings.refund_approval_limit, actor=self.uow.actor, now=now)
        self.uow.emit(wire.CONTRACT_SIGNED, {**self._ref(order, v), "method": signature["method"],
                                             "signed_by": signature["signed_by"], "signed_at": now,
                                             "document_sha256": v.document_sha256})
        # The trip starts with the first signature; a signed amendment re-plans it.
        tz, owner = self.settings.desk_timezone, self._trip_owner(order)
        events = trip.start(self.uow.session, order, timezone=tz, now=now, owner=owner) if order.trip is None \
            else trip.replan(self.uow.session, order, lines_before, timezone=tz, now=now, owner=owner)
        self._announce(order, events, now)
        return self._order_dict(order)

    @rpc
    def sign_in_person(self, order_id: str, data: dict) -> dict:
        fields = validated(wire.SignInPersonSchema(), data)
        order = self._order(order_id, lock=True)
        return self._sign(order, {"method": "in_person", "signed_by": fields["signed_by"],
                                  "signed_as": fields["signed_as"], "recorded_by": self.uow.actor})

    @rpc
    def create_signing_link(self, order_id: str, data: dict) -> dict:
        fields = validated(wire.SigningLinkSchema(), data or {})
        order, now = self._order(order_id, lock=True), utcnow()
        link = order_files.signing_link(order, fields["valid_days"], now=now)
        url = f"{self.settings.signing_base_url.rstrip('/')}/sign/{link['token']}"
        if fields["send_to_customer"] and order.customer_id:
            self._message(order, "contract_for_signature", {
                "order_number": order.order_number, "title": order.title, "signing_url": url,
                "valid_until": link["expires_at"].date().isoformat()}, "contract", now)
        return {**link, "url": url}

    @rpc
    def signing_view(self, token: str) -> dict:
        """What the customer's signing page shows: the contract, and the SHA-256 of that exact PDF."""
        order, v = order_files.by_signing_token(self.uow.session, token, now=utcnow())
        document = self._render_contract(order, v)
        view = {"order_number": order.order_number, "version": v.version, "title": order.title,
                "language": order.language, "total": v.total, "currency": order.currency,
                "document_sha256": hashlib.sha256(document).hexdigest(), "signed": False}
        return {**view, "document": _attachment(f"contract-{order.order_number}-v{v.version}.pdf", document)}

    @rpc
    def sign_remotely(self, token: str, data: dict, address: str | None = None) -> dict:
        """The customer accepts through the link: the name they typed, when, from where, and the
        SHA-256 of the document they were shown (refused if the contract changed since)."""
        fields = validated(wire.RemoteSignatureSchema(), data)
        order, v = order_files.by_signing_token(self.uow.session, token, now=utcnow())
        order = self._order(order.id, lock=True)
        document = self._render_contract(order, v)
        if hashlib.sha256(document).hexdigest() != fields["document_sha256"]:
            raise ValidationFailed("The contract changed since the page was shown: open the link again.",
                                   {"document_sha256": ["Not the SHA-256 of the contract as it is now."]})
        self._sign(order, {"method": "remote", "signed_by": fields["name"], "signed_as": "customer",
                           "address": address})
        return {"order_number": order.order_number, "version": v.version, "signed": True,
                "document_sha256": fields["document_sha256"]}

    # --- amendments ------------------------------------------------------------------------------

    @rpc
    def amend_contract(self, order_id: str, data: dict) -> dict:
        fields = validated(wire.AmendmentCreateSchema(), data)
        order = self._order(order_id, lock=True)
        previous_total = order_files.total(order)
        v = order_files.amend(order, fields, actor=self.uow.actor, now=utcnow())
        self.uow.session.flush()
        self.uow.emit(wire.CONTRACT_AMENDED, {**self._ref(order, v), "reason": v.reason, "changes": v.changes,
                                              "previous_total": previous_total,
                                              "affected_suppliers": v.affected_suppliers})
        return self._order_dict(order)

    @rpc
    def confirm_supplier(self, order_id: str, version: int, data: dict) -> dict:
        fields = validated(wire.SupplierConfirmationCreateSchema(), data)
        order = self._order(order_id, lock=True)
        order_files.confirm_supplier(order, version, fields, actor=self.uow.actor, now=utcnow())
        return self._order_dict(order)

    # --- cancellation ----------------------------------------------------------------------------

    @rpc
    def cancel_order_file(self, order_id: str, data: dict) -> dict:
        """The customer cancels: the fee of the tier the date falls in, a credit note for what was
        invoiced beyond the fee, a refund of what was paid beyond it (to approve), and the trip
        undone in ticketing (holds released, bookings cancelled) and with the suppliers."""
        fields = validated(wire.CancellationCreateSchema(), data)
        order = self._order(order_id, lock=True)
        if order.status == "cancelled":
            raise Conflict(f"Order file {order.order_number} is already cancelled.", {"status": order.status})
        self._cancel(order, fields["reason"], fields["cancelled_on"] or self._today())
        return self._order_dict(order)

    def _cancel(self, order: OrderFile, reason: str, on: date):
        now, s = utcnow(), self.settings
        owed_total = order_files.total(order)
        outcome = cancellation.settlement(owed_total, order_files.paid(order), order.cancellation_tiers,
                                          cancelled_on=on, departure=order.start_date)
        to_credit = order_files.invoiced(self.uow.session, order) - outcome["fee"]
        notes = invoices.credit_order(self.uow.session, order, to_credit, f"Cancellation: {reason}",
                                      prefix=s.credit_note_prefix, actor=self.uow.actor, now=now) \
            if to_credit > 0 else []
        refund = payments.open_refund(self.uow.session, order, outcome["refund"], f"Cancellation: {reason}",
                                      limit=s.refund_approval_limit, actor=self.uow.actor, now=now)
        order.status, order.cancelled_at, order.updated_at = "cancelled", now, now
        order.cancellation = {"cancelled_on": on.isoformat(), "reason": reason,
                              "days_before_departure": outcome["days_before_departure"], "tier": outcome["tier"],
                              "fee": str(outcome["fee"]), "paid": str(outcome["paid"]),
                              "refund": str(outcome["refund"]), "owed": str(outcome["owed"]),
                              "credit_notes": [n.display_number for n in notes],
                              "refund_id": refund.id if refund else None}
        for note in notes:
            self.uow.emit(wire.CREDIT_NOTE_ISSUED, invoices.event(
                invoices.as_dict(self.uow.session, note, order.order_number), order))
        self.uow.emit(wire.CONTRACT_CANCELLED, {**self._ref(order, order_files.in_force(order)),
                                                "reason": reason, "fee": outcome["fee"],
                                                "refund": outcome["refund"],
                                                "days_before_departure": outcome["days_before_departure"]})
        self._announce(order, trip.cancel(self.uow.session, order, now), now)

    # --- payments and receipts -------------------------------------------------------------------

    @rpc
    def record_payment(self, order_id: str, data: dict) -> dict:
        fields = validated(wire.PaymentCreateSchema(), data)
        order = self._order(order_id, lock=True)
        now = utcnow()
        payment = payments.record(self.uow.session, order, fields, day=self._today(), actor=self.uow.actor, now=now)
        self.uow.emit(wire.PAYMENT_RECEIVED, payments.event(payment, order))
        self.uow.session.flush()
        self._announce(order, trip.on_paid(self.uow.session, order, now, timezone=self.settings.desk_timezone,
                                           owner=self._trip_owner(order)), now)
        return payments.as_dict(payment, order.order_number)

    @rpc
    def list_payments(self, order_id: str) -> list[dict]:
        order = self._order(order_id)
        done = payments.reconciled_ids(self.uow.session, [p.id for p in order.payments])
        return [payments.as_dict(p, order.order_number, p.id in done) for p in order.payments]

    @rpc
    def receipt(self, payment_id: int) -> dict:
        payment = payments.get(self.uow.session, payment_id)
        order = self._order(payment.order_file_id)
        data = payments.receipt_data(payment, order, self.settings.agency)
        return _attachment(f"receipt-{payment.receipt_number}.pdf",
                           tpool.execute(documents.receipt, data, language=order.language))

    # --- invoices and credit notes ---------------------------------------------------------------

    def _invoice_dict(self, invoice) -> dict:
        order = self._order(invoice.order_file_id)
        return invoices.as_dict(self.uow.session, invoice, order.order_number)

    @rpc
    def issue_invoice(self, order_id: str, data: dict) -> dict:
        fields = validated(wire.InvoiceCreateSchema(), data or {})
        order = self._order(order_id, lock=True)
        s = self.settings
        invoice = invoices.issue(self.uow.session, order, fields, tax_percent=s.tax_percent, prefix=s.invoice_prefix,
                                 actor=self.uow.actor, now=utcnow())
        record = invoices.as_dict(self.uow.session, invoice, order.order_number)
        self.uow.emit(wire.INVOICE_ISSUED, invoices.event(record, order))
        return record

    @rpc
    def list_invoices(self, order_id: str) -> list[dict]:
        order = self._order(order_id)
        return [invoices.as_dict(self.uow.session, i, order.order_number)
                for i in invoices.of_order(self.uow.session, order)]

    @rpc
    def get_invoice(self, invoice_id: int) -> dict:
        return self._invoice_dict(invoices.get(self.uow.session, invoice_id))

    @rpc
    def invoice_document(self, invoice_id: int) -> dict:
        invoice = invoices.get(self.uow.session, invoice_id)
        order = self._order(invoice.order_file_id)
        data = invoices.document_data(invoices.as_dict(self.uow.session, invoice, order.order_number), order,
                                      self.settings.agency)
        return _attachment(f"{invoice.kind.replace('_', '-')}-{invoice.display_number}.pdf",
                           tpool.execute(documents.invoice, data, language=order.language))

    @rpc
    def issue_credit_note(self, invoice_id: int, data: dict) -> dict:
        fields = validated(wire.CreditNoteCreateSchema(), data)
        invoice = invoices.get(self.uow.session, invoice_id)
        order = self._order(invoice.order_file_id, lock=True)  # credit notes of one order take turns
        note = invoices.credit(self.uow.session, invoice, fields["amount"], fields["reason"],
                               prefix=self.settings.credit_note_prefix, actor=self.uow.actor, now=utcnow())
        record = invoices.as_dict(self.uow.session, note, order.order_number)
        self.uow.emit(wire.CREDIT_NOTE_ISSUED, invoices.event(record, order))
        return record

    @rpc
    def set_fiscal_number(self, invoice_id: int, data: dict) -> dict:
        fields = validated(wire.FiscalNumberSchema(), data)
        invoice = invoices.get(self.uow.session, invoice_id, lock=True)
        invoices.set_fiscal_number(invoice, fields["fiscal_number"])
        return self._invoice_dict(invoice)

    # --- refunds ---------------------------------------------------------------------------------

    @rpc
    def list_refunds(self, order_id: str) -> list[dict]:
        return [_refund_dict(r) for r in payments.refunds_of(self.uow.session, self._order(order_id))]

    @rpc
    def open_refund(self, order_id: str, data: dict) -> dict:
        """A refund asked for by another part of the agency (a complaint's compensation): pending
        approval like any other (finance up to the limit, managers beyond), never more than was paid."""
        fields = validated(wire.RefundOpenSchema(), data)
        order = self._order(order_id, lock=True)
        if fields["currency"] != order.currency:
            raise ValidationFailed("Not the contract's currency.",
                                   {"currency": [f"The contract is in {order.currency}."]})
        refund = payments.open_refund(self.uow.session, order, fields["amount"], fields["reason"],
                                      limit=self.settings.refund_approval_limit, actor=self.uow.actor, now=utcnow())
        return _refund_dict(refund)

    @rpc
    def approve_refund(self, refund_id: int) -> dict:
        refund = payments.get_refund(self.uow.session, refund_id, lock=True)
        payments.approve(refund, roles=self.uow.actor_roles, limit=self.settings.refund_approval_limit,
                         actor=self.uow.actor, now=utcnow())
        return _refund_dict(refund)

    @rpc
    def pay_refund(self, refund_id: int, data: dict) -> dict:
        fields = validated(wire.RefundPaySchema(), data)
        refund = payments.get_refund(self.uow.session, refund_id)
        order = self._order(refund.order_file_id, lock=True)
        payment = payments.pay_refund(self.uow.session, refund, order, fields, day=self._today(),
                                      actor=self.uow.actor, now=utcnow())
        self.uow.emit(wire.PAYMENT_REFUNDED, payments.event(payment, order))
        return payments.as_dict(payment, order.order_number)

    # --- the desk's day and overdue instalments --------------------------------------------------

    @rpc
    def desk_day(self, query: dict) -> dict:
        q = validated(wire.DeskDayQuerySchema(), query)
        return desk_days.as_dict(self.uow.session, q["desk"], q["day"] or self._today())

    @rpc
    def close_day(self, data: dict) -> dict:
        fields = validated(wire.DayCloseSchema(), data)
        record = desk_days.close(self.uow.session, fields["desk"], fields["day"] or self._today(),
                                 actor=self.uow.actor, now=utcnow())
        self.uow.emit(wire.DAY_CLOSED, record)
        return record

    @rpc
    def confirm_day(self, data: dict) -> dict:
        fields = validated(wire.DayCloseSchema(), data)
        record = desk_days.confirm(self.uow.session, fields["desk"], fields["day"] or self._today(),
                                   actor=self.uow.actor, now=utcnow())
        self.uow.emit(wire.DAY_CLOSED, record)
        return record

    def _overdue(self, as_of: date) -> list[tuple[OrderFile, Instalment, dict]]:
        orders = self.uow.session.scalars(
            select(OrderFile).where(OrderFile.status != "cancelled", OrderFile.id.in_(
                select(Instalment.order_file_id).where(Instalment.due_on < as_of))).order_by(OrderFile.order_number))
        found = []
        for order in orders:
            standing = schedule.standing(order_files.dues(order), order_files.paid(order), as_of)
            by_n = {i.n: i for i in order.instalments}
            found += [(order, by_n[s["n"]], s) for s in standing if s["status"] == "overdue"]
        return found

    @rpc
    def overdue_instalments(self, query: dict) -> list[dict]:
        """Instalments past their due date and not fully paid, oldest first, with aging buckets."""
        as_of = validated(wire.OverdueQuerySchema(), query or {})["as_of"] or self._today()
        rows = [_overdue_dict(order, s) for order, _, s in self._overdue(as_of)]
        return sorted(rows, key=lambda r: (-r["days_overdue"], r["order_number"], r["n"]))

    @timer(interval=3600, eager=True)
    def announce_overdue(self) -> int:
        """instalment_overdue once per instalment, the day it is found unpaid past its date."""
        today, count = self._today(), 0
        now, policy = utcnow(), self.settings.overdue_cancel_days
        for order, instalment, standing in self._overdue(today):
            if instalment.overdue_announced_on is None:
                instalment.overdue_announced_on = today
                self.uow.emit(wire.INSTALMENT_OVERDUE, _overdue_dict(order, standing))
                self._overdue_follow_on(order, standing, now)
                count += 1
            elif standing["kind"] == "balance" and policy and standing["days_overdue"] >= policy \
                    and order.status == "signed" and order.trip not in ("travelling", "completed"):
                # The contract's policy: a balance unpaid this long cancels at the tier's fee.
                self._cancel(order, f"The balance due on {standing['due_on'].isoformat()} was not paid.", today)
        return count

    def _overdue_follow_on(self, order: OrderFile, standing: dict, now):
        """Remind the customer; an unpaid balance also goes on the desk's list."""
        if order.customer_id:
            self._message(order, "payment_reminder", {
                "order_number": order.order_number, "title": order.title, "amount": str(standing["outstanding"]),
                "currency": order.currency, "due_on": standing["due_on"].isoformat()}, None, now)
        if standing["kind"] == "balance" and order.status == "signed":
            if trip.raise_attention(self.uow.session, order, "balance_overdue",
                                    f"The balance of {standing['outstanding']} {order.currency} was due on "
                                    f"{standing['due_on'].isoformat()}.", {"n": standing["n"]}, now):
                self._announce(order, [("attention", "balance_overdue")], now)

    # --- bank statements -------------------------------------------------------------------------

    @rpc
    def import_statement(self, data: dict) -> dict:
        fields = validated(wire.StatementImportSchema(), data)
        try:
            content = base64.b64decode(fields["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed("The file is not base64.", {"content_base64": ["Not valid base64."]}) from None
        parsed = tpool.execute(statements.parse, content, fields["format"])  # a large file takes seconds
        statement, new = bank.import_statement(self.uow.session, parsed, actor=self.uow.actor, now=utcnow())
        # The answer counts what matched; its lines are read with get_statement (10,000 of them are
        # a large reply to build for a caller who wants the totals).
        return bank.as_dict(self.uow.session, statement, already_imported=not new, with_lines=False)

    @rpc
    def get_statement(self, statement_id: int) -> dict:
        return bank.as_dict(self.uow.session, bank.get(self.uow.session, statement_id))

    @rpc
    def match_statement_line(self, statement_id: int, line_no: int, data: dict) -> dict:
        fields = validated(wire.ManualMatchSchema(), data)
        statement = bank.get(self.uow.session, statement_id)
        bank.match_by_hand(self.uow.session, bank.get_line(self.uow.session, statement, line_no), fields["payment_id"])
        self.uow.session.flush()
        return bank.as_dict(self.uow.session, statement)

    @rpc
    def confirm_statement_line(self, statement_id: int, line_no: int) -> dict:
        statement = bank.get(self.uow.session, statement_id)
        bank.confirm_line(bank.get_line(self.uow.session, statement, line_no), actor=self.uow.actor, now=utcnow())
        return bank.as_dict(self.uow.session, statement)

    # --- the archive: files and faxes kept for an order file, a customer or a supplier -----------

    def _archive_owner(self, owner_type: str, owner_id: str) -> None:
        if owner_type not in wire.OWNER_TYPES:
            raise ValidationFailed("Unknown owner.", {"owner_type": [f"One of {', '.join(wire.OWNER_TYPES)}."]})
        if owner_type == "order_file":
            self._order(owner_id)
        else:
            upstream.owner_exists(self.crm, self.ticketing, owner_type, owner_id)

    @rpc
    def attach_file(self, owner_type: str, owner_id: str, data: dict) -> dict:
        """Keep a file for its owner (checked by its bytes); the same file again is the first record."""
        fields = validated(wire.AttachmentCreateSchema(), data)
        fields["filename"] = archive.clean_filename(fields["filename"])
        archive.require_reader(fields["kind"], self.uow.actor_roles)
        s = archive.settings_from(self.config)
        content, content_type = archive.checked_content(fields, s.max_bytes)
        self._archive_owner(owner_type, owner_id)
        try:
            with self.uow.session.begin_nested():  # the same file filed at the same moment: one record
                attachment = archive.file(self.uow.session, self.archive_storage, owner_type, owner_id, fields,
                                          content, content_type, retention_days=s.retention_days,
                                          actor=self.uow.actor, now=utcnow())
        except IntegrityError:
            attachment = archive.find(self.uow.session, owner_type, owner_id, hashlib.sha256(content).hexdigest())
        self.uow.session.flush()
        return archive.as_dict(attachment)

    @rpc
    def list_attachments(self, owner_type: str, owner_id: str) -> list[dict]:
        """The owner's files the caller's roles may read, newest first (removed ones as records)."""
        return [archive.as_dict(a) for a in archive.of_owner(self.uow.session, owner_type, owner_id,
                                                             self.uow.actor_roles)]

    @rpc
    def get_attachment(self, attachment_id: int) -> dict:
        return archive.as_dict(archive.get(self.uow.session, attachment_id, self.uow.actor_roles))

    @rpc
    def download_attachment(self, attachment_id: int) -> dict:
        attachment = archive.get(self.uow.session, attachment_id, self.uow.actor_roles)
        data = archive.content(self.archive_storage, attachment, utcnow().date())
        return archive.content_dict(attachment, data)

    @timer(interval=3600, eager=True)
    def purge_attachments(self) -> int:
        """Files past their retention lose their bytes; their records stay."""
        now = utcnow()
        return archive.purge(self.uow.session, self.archive_storage, now.date(), now)

    # --- supplier costs, margin, payables and supplier invoices ----------------------------------

    def _take_in_booking(self, envelope):
        """Keep the booking lines of an order file's booking (reference = order number). The order
        file is looked up and ticketing asked for the lines' suppliers before the worker's
        transaction opens; a booking naming no order file is acknowledged and recorded nowhere."""
        payload, kind = envelope["payload"], envelope["type"]
        number = payables.order_number_of(payload)
        if number is None:
            return
        wanted = payables.product_ids(kind, payload)
        with self.uow.database.reading() as session:
            order_id = payables.order_file_id(session, number)
            if order_id is None:
                return
            suppliers = payables.known_suppliers(session, wanted)
        suppliers |= upstream.product_suppliers(self.ticketing, wanted - suppliers.keys())
        # The order file's lock makes its booking events take turns (they come on separate queues), so
        # two of one booking never both insert the same line.
        payables.record(self.uow.session, self._order(order_id, lock=True), kind, payload, suppliers, now=utcnow())

    @event_handler("ticketing.booking_confirmed")
    def on_booking_confirmed(self, envelope):
        """payload["lines"] of a booking whose reference is an order number: supplier costs of that file."""
        self._take_in_booking(envelope)

    @event_handler("ticketing.booking_changed")
    def on_booking_changed(self, envelope):
        """payload["old_line"] is no longer a cost; payload["new_line"], its replacement, is."""
        self._take_in_booking(envelope)

    @event_handler("ticketing.booking_cancelled")
    def on_booking_cancelled(self, envelope):
        """payload["cancelled_lines"] are no longer costs."""
        self._take_in_booking(envelope)

    @rpc
    def order_file_margin(self, order_id: str) -> dict:
        """Revenue (the contract's total in force, the fee once cancelled) less the confirmed lines'
        net cost in the contract's currency; costs in other currencies apart."""
        return payables.order_margin(self.uow.session, self._order(order_id))

    @rpc
    def supplier_payables(self, supplier_id: str, query: dict) -> dict:
        q = validated(wire.PeriodQuerySchema(), query)
        supplier = upstream.supplier(self.ticketing, supplier_id)
        return payables.payables(self.uow.session, supplier, q["start"], q["end"])

    @rpc
    def record_supplier_invoice(self, supplier_id: str, data: dict) -> dict:
        """The supplier's invoice with its difference to what the bookings say; a repeat of the same
        (supplier, number) is the first record."""
        fields = validated(wire.SupplierInvoiceCreateSchema(), data)
        upstream.supplier(self.ticketing, supplier_id)  # 404 for a supplier ticketing does not know
        invoice, new = payables.record_invoice(self.uow.session, supplier_id, fields, actor=self.uow.actor,
                                               now=utcnow())
        return payables.invoice_dict(self.uow.session, invoice, already_recorded=not new)

    @rpc
    def get_supplier_invoice(self, invoice_id: int) -> dict:
        return payables.invoice_dict(self.uow.session, payables.get_invoice(self.uow.session, invoice_id))

    @rpc
    def pay_supplier_invoice(self, invoice_id: int, data: dict) -> dict:
        fields = validated(wire.SupplierInvoicePaySchema(), data)
        invoice = payables.get_invoice(self.uow.session, invoice_id, lock=True)  # two payers take turns
        payables.pay(invoice, fields, actor=self.uow.actor, now=utcnow())
        return payables.invoice_dict(self.uow.session, invoice)

    # --- the incident log: what went wrong on the trip and how the desk handled it -------------------

    @rpc
    def open_incident(self, order_id: str, data: dict) -> dict:
        """Log an incident on the order file (kind, what happened, when, who handles it)."""
        fields = validated(wire.IncidentCreateSchema(), data)
        incident = incidents.open(self.uow.session, self._order(order_id), fields, actor=self.uow.actor,
                                  now=utcnow())
        self.uow.emit(wire.INCIDENT_OPENED, incidents.event(incident))
        return incidents.as_dict(incident)

    @rpc
    def get_incident(self, incident_id: int) -> dict:
        return incidents.as_dict(incidents.get(self.uow.session, incident_id))

    @rpc
    def update_incident(self, incident_id: int, data: dict) -> dict:
        """A new handler, the alternative arranged, the customer informed, or closing it (needs an
        action, and the customer informed or why not)."""
        fields = validated(wire.IncidentUpdateSchema(), data)
        incident = incidents.get(self.uow.session, incident_id, lock=True)  # two desks take turns
        if incidents.update(incident, fields, actor=self.uow.actor, now=utcnow()):
            self.uow.emit(wire.INCIDENT_CLOSED, incidents.event(incident))
        self.uow.session.flush()
        return incidents.as_dict(incident)

    @rpc
    def add_incident_action(self, incident_id: int, data: dict) -> dict:
        fields = validated(wire.IncidentActionCreateSchema(), data)
        incident = incidents.get(self.uow.session, incident_id, lock=True)
        incidents.add_action(incident, fields["text"], at=fields["at"], actor=self.uow.actor, now=utcnow())
        self.uow.session.flush()
        return incidents.as_dict(incident)

    @rpc
    def list_incidents(self, order_id: str) -> list[dict]:
        return [incidents.as_dict(i) for i in incidents.of_order(self.uow.session, self._order(order_id))]

    @rpc
    def open_incidents(self, query: dict) -> list[dict]:
        """The desk's watch list: incidents of trips running today or departing soon (open ones by default)."""
        q = validated(wire.IncidentQuerySchema(), query or {})
        found = incidents.on_the_road(self.uow.session, q["as_of"] or self._today(),
                                      departing_within_days=q["departing_within_days"], only_open=q["open"])
        return [incidents.as_dict(i) for i in found]


    # --- group departures: members, guide, rooming list, manifests, notices to suppliers ---------

    def _departure(self, departure_id: str, lock: bool = False):
        return departures.get(self.uow.session, departure_id, lock=lock)

    def _departure_dict(self, departure) -> dict:
        self.uow.session.flush()
        return departures.as_dict(departure)

    def _tell_suppliers(self, departure, change: str, summary: str, concerned: list[dict]) -> None:
        """Once the group was announced: a notice per concerned supplier, and the event that sends them."""
        notices = departures.notify(self.uow.session, departure, change, summary, concerned, actor=self.uow.actor,
                                    now=utcnow())
        if notices:
            self.uow.emit(wire.DEPARTURE_CHANGED, departures.changed_event(departure, notices))

    @rpc
    def create_departure(self, data: dict) -> dict:
        fields = validated(wire.DepartureCreateSchema(), data)
        name = fields.get("product_name")
        if fields.get("product_id"):
            name = name or upstream.catalog_product(self.itinerary, fields["product_id"])["name"]
        return self._departure_dict(departures.create(self.uow.session, fields, name, actor=self.uow.actor,
                                                      now=utcnow()))

    @rpc
    def list_departures(self, query: dict) -> dict:
        q = validated(wire.DepartureQuerySchema(), query)
        items, total = departures.search(self.uow.session, **q)
        return page_dict([departures.summary_dict(d) for d in items], total, q["page"], q["page_size"])

    @rpc
    def get_departure(self, departure_id: str) -> dict:
        return self._departure_dict(self._departure(departure_id))

    @rpc
    def update_departure(self, departure_id: str, data: dict) -> dict:
        """Dates, capacity (never below who is on board), status, notes. New dates are checked against
        the guide's other departures, the guide's row locked as an assignment locks it."""
        fields = validated(wire.DepartureUpdateSchema(), data)
        departure = self._departure(departure_id, lock=True)
        told = departures.update(departure, fields, actor=self.uow.actor, now=utcnow())
        if "dates" in told and departure.guide_id and departure.status != "cancelled":
            guide = departures.get_guide(self.uow.session, departure.guide_id, lock=True)
            departures.assign_guide(self.uow.session, departure, guide, actor=self.uow.actor, now=utcnow())
        everyone = departures.suppliers(departure)
        if "cancelled" in told:
            self._tell_suppliers(departure, "cancelled", f"Departure {departure.code} is cancelled.", everyone)
        elif "dates" in told:
            self._tell_suppliers(departure, "dates", f"Departure {departure.code} now travels "
                                 f"{departure.departure_date} to {departure.return_date}.", everyone)
        return self._departure_dict(departure)

    @rpc
    def announce_departure(self, departure_id: str) -> dict:
        """Tell the suppliers of the group: a notice to each; from now on each change is one too."""
        departure = self._departure(departure_id, lock=True)
        if departure.announced_at is not None:
            raise Conflict(f"Departure {departure.code} was announced on {departure.announced_at:%Y-%m-%d}.",
                           {"announced_at": departure.announced_at.isoformat()})
        departure.announced_at = utcnow()
        self._tell_suppliers(departure, "announced", f"Group {departure.code} ({departure.product_name}) "
                             f"travels {departure.departure_date} to {departure.return_date}: "
                             f"{departures.on_board(departure)} travellers.", departures.suppliers(departure))
        return self._departure_dict(departure)

    @rpc
    def add_departure_member(self, departure_id: str, data: dict) -> dict:
        """The order file travels with the group: its travellers count against the capacity, checked
        with the departure's row locked (two joins take turns; the departure first, then the file)."""
        fields = validated(wire.DepartureMemberCreateSchema(), data)
        departure = self._departure(departure_id, lock=True)
        session = self.uow.session
        order = departures.joining_order(session, fields["order_file_id"])
        try:
            with session.begin_nested():  # the same file joining another departure at once (PostgreSQL)
                departures.join(session, departure, order, actor=self.uow.actor, now=utcnow())
        except IntegrityError:
            raise Conflict(f"Order file {order.order_number} is already on a departure.",
                           {"order_file_id": order.id}) from None
        concerned = departures.suppliers_of([departures.order_fields(order)])
        self._tell_suppliers(departure, "joined", f"{order.order_number}: {len(order.travellers)} travellers joined "
                             f"({departures.on_board(departure)} in the group).", concerned)
        return self._departure_dict(departure)

    @rpc
    def remove_departure_member(self, departure_id: str, order_file_id: str) -> dict:
        departure = self._departure(departure_id, lock=True)
        self._leave(departure, order_file_id, "left the group")
        return self._departure_dict(departure)

    def _leave(self, departure, order_file_id: str, why: str) -> None:
        order = departures.leave(self.uow.session, departure, order_file_id, actor=self.uow.actor, now=utcnow())
        concerned = departures.suppliers_of([departures.order_fields(order)])
        self._tell_suppliers(departure, "left", f"{order.order_number}: {len(order.travellers)} travellers {why} "
                             f"({departures.on_board(departure)} in the group).", concerned)

    @event_handler("contracts.contract_cancelled")
    def on_order_file_cancelled(self, envelope):
        """A cancelled order file leaves its departure; the suppliers who served it are told."""
        order_file_id = envelope["payload"]["order_file_id"]
        found = departures.departure_of(self.uow.session, order_file_id)
        if found is not None:
            self._leave(self._departure(found.id, lock=True), order_file_id, "cancelled")

    @rpc
    def assign_guide(self, departure_id: str, data: dict) -> dict:
        """The guide goes with the group, unless on another live departure whose dates overlap: the
        guide's row is locked first, so two overlapping assignments take turns and the second is refused."""
        fields = validated(wire.GuideAssignSchema(), data)
        departure = self._departure(departure_id, lock=True)
        guide = departures.get_guide(self.uow.session, fields["guide_id"], lock=True)
        before = departure.guide_id
        departures.assign_guide(self.uow.session, departure, guide, actor=self.uow.actor, now=utcnow())
        if before != guide.id:
            self._tell_suppliers(departure, "guide", f"Guide of {departure.code}: {guide.name}"
                                 f"{' (' + guide.phone + ')' if guide.phone else ''}.", departures.suppliers(departure))
        return self._departure_dict(departure)

    @rpc
    def unassign_guide(self, departure_id: str) -> dict:
        departure = self._departure(departure_id, lock=True)
        if departures.unassign_guide(departure, actor=self.uow.actor, now=utcnow()):
            self._tell_suppliers(departure, "guide", f"Departure {departure.code} has no guide for now.",
                                 departures.suppliers(departure))
        return self._departure_dict(departure)

    @rpc
    def create_guide(self, data: dict) -> dict:
        fields = validated(wire.GuideCreateSchema(), data)
        return departures.guide_dict(departures.create_guide(self.uow.session, fields, actor=self.uow.actor,
                                                             now=utcnow()))

    @rpc
    def list_guides(self, query: dict) -> dict:
        q = validated(wire.GuideQuerySchema(), query)
        items, total = departures.guides(self.uow.session, q["page"], q["page_size"])
        return page_dict([departures.guide_dict(g) for g in items], total, q["page"], q["page_size"])

    @rpc
    def get_guide(self, guide_id: int) -> dict:
        return departures.guide_dict(departures.get_guide(self.uow.session, guide_id))

    @rpc
    def update_guide(self, guide_id: int, data: dict) -> dict:
        fields = validated(wire.GuideUpdateSchema(), data)
        guide = departures.get_guide(self.uow.session, guide_id, lock=True)
        departures.update_guide(guide, fields, actor=self.uow.actor, now=utcnow())
        return departures.guide_dict(guide)

    @rpc
    def get_rooming_list(self, departure_id: str) -> dict:
        return departures.rooming_dict(self._departure(departure_id))

    @rpc
    def put_rooming_list(self, departure_id: str, data: dict) -> dict:
        """The whole rooming list, checked as one: each traveller of the group in one room at most,
        no room over what its type sleeps. The hotels are told once the group was announced."""
        fields = validated(wire.RoomingListSchema(), data)
        departure = self._departure(departure_id, lock=True)
        before = departure.rooms
        departures.set_rooms(departure, fields["rooms"], actor=self.uow.actor, now=utcnow())
        if departure.rooms != before:
            view = departures.rooming_view(departure.rooms, departures.by_customer(departure))
            self._tell_suppliers(departure, "rooming", f"Rooming list of {departure.code}: {len(view['rooms'])} rooms, "
                                 f"{len(view['singles'])} singles, {len(view['not_roomed'])} not yet roomed.",
                                 departures.hotels(departures.suppliers(departure)))
        return departures.rooming_dict(departure)

    @rpc
    def departure_manifest(self, departure_id: str, query: dict) -> dict:
        """Who travels with a supplier of the group: names, traveller type, masked document, room for a hotel."""
        q = validated(wire.DepartureManifestQuerySchema(), query)
        return departures.manifest(self._departure(departure_id), q["supplier"])

    @rpc
    def departure_manifest_csv(self, departure_id: str, query: dict) -> dict:
        q = validated(wire.DepartureManifestCsvQuerySchema(), query)
        manifest = departures.manifest(self._departure(departure_id), q["supplier"])
        return csv_files.csv_file(departures.manifest_filename(manifest), csv_files.rows_csv(
            departures.MANIFEST_COLUMNS, departures.manifest_records(manifest), q["bom"]))

    @rpc
    def departure_notices(self, departure_id: str) -> list[dict]:
        return [departures.notice_dict(n) for n in self._departure(departure_id).notices]


def _refund_dict(refund) -> dict:
    return {k: getattr(refund, k) for k in ("id", "order_file_id", "amount", "currency", "reason", "status",
                                            "needs_manager", "approved_by", "approved_at", "created_at", "created_by")}


def _overdue_dict(order: OrderFile, standing: dict) -> dict:
    return {"order_file_id": order.id, "order_number": order.order_number, "contract_id": order.order_number,
            "customer_id": order.customer_id, "n": standing["n"], "kind": standing["kind"],
            "due_on": standing["due_on"], "outstanding": standing["outstanding"], "currency": order.currency,
            "days_overdue": standing["days_overdue"], "bucket": schedule.aging_bucket(standing["days_overdue"])}
