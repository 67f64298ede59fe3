"""Ticketing: suppliers, daily inventory, holds, bookings, changes, refunds, supplier pushes.

Thin entrypoints: validate what came over the wire, call the rules, announce the facts.
"""
from datetime import date, timedelta
from pathlib import Path

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.common.db import as_dict, utcnow
from services.common.entrypoints import rpc
from services.common.errors import Unauthorized, validated
from services.common.paging import page_dict
from services.common.service import ServiceBase
from services.common.unit_of_work import Database

from . import bookings, holds, inventory, lists, ota_receiving, pushes, reports, supplier_queue, suppliers, wire
from .models import Base


def _today() -> date:
    return utcnow().date()


class TicketingService(ServiceBase):
    name = "ticketing"
    uow = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
    config = Config()

    # --- suppliers -------------------------------------------------------------------------

    @rpc
    def create_supplier(self, data: dict) -> dict:
        fields = validated(wire.SupplierCreateSchema(), data)
        return suppliers.as_dict(suppliers.create(self.uow.session, fields, actor=self.uow.actor, now=utcnow()))

    @rpc
    def get_supplier(self, supplier_id: str) -> dict:
        return suppliers.as_dict(suppliers.get(self.uow.session, supplier_id))

    @rpc
    def list_suppliers(self, query: dict) -> dict:
        q = validated(wire.SupplierQuerySchema(), query)
        items, total = lists.suppliers(self.uow.session, **q)
        return page_dict([suppliers.as_dict(x) for x in items], total, q["page"], q["page_size"])

    @rpc
    def issue_supplier_key(self, supplier_id: str) -> dict:
        return {"supplier_id": supplier_id, "api_key": suppliers.issue_api_key(self.uow.session, supplier_id)}

    @rpc
    def revoke_supplier_key(self, supplier_id: str) -> dict:
        return suppliers.as_dict(suppliers.revoke_api_key(self.uow.session, supplier_id, utcnow()))

    @rpc
    def authenticate_supplier(self, api_key: str) -> dict:
        """Whose key this is (401 for none): the gateway asks before it reads a supplier's body."""
        return {"supplier_id": self._supplier(api_key).id}

    def _supplier(self, api_key: str):
        try:
            return suppliers.authenticate(self.uow.session, api_key)
        except suppliers.InvalidApiKey:
            raise Unauthorized("A valid supplier API key is required.") from None

    # --- products and inventory ------------------------------------------------------------

    @rpc
    def create_product(self, data: dict) -> dict:
        fields = validated(wire.ProductCreateSchema(), data)
        return as_dict(inventory.create_product(self.uow.session, fields, actor=self.uow.actor, now=utcnow()))

    @rpc
    def get_product(self, product_id: str) -> dict:
        return as_dict(inventory.get_product(self.uow.session, product_id))

    @rpc
    def list_products(self, query: dict) -> dict:
        q = validated(wire.ProductQuerySchema(), query)
        items, total = lists.products(self.uow.session, **q)
        return page_dict([as_dict(x) for x in items], total, q["page"], q["page_size"])

    @rpc
    def set_inventory(self, product_id: str, data: dict, if_match: str | None = None) -> dict:
        """Staff set the allotment over a date range; `days` is the inventory of start..end after
        the change (get_inventory of that range). `if_match`: the ETag of a get_inventory of the
        same range, or PreconditionFailed."""
        update = validated(wire.InventoryUpdateSchema(), data)
        product, outcome = inventory.set_by_staff(self.uow.session, product_id, update, actor=self.uow.actor,
                                                  today=_today(), if_match=if_match)
        for event, payload in pushes.announcements(product, update, outcome, self.uow.actor):
            self.uow.emit(event, payload)
        return {"applied_days": len(outcome["applied"]), "overbooked": outcome["overbooked"],
                "days": inventory.days_of(self.uow.session, product.id, update["start"], update["end"],
                                          today=_today())}

    @rpc
    def get_inventory(self, product_id: str, start: date, end: date) -> list[dict]:
        inventory.get_product(self.uow.session, product_id)
        return inventory.days_of(self.uow.session, product_id, start, end, today=_today())

    @rpc
    def inventory_changes(self, product_id: str, start: date, end: date) -> list[dict]:
        inventory.get_product(self.uow.session, product_id)
        return [as_dict(c) for c in inventory.changes_for(self.uow.session, product_id, start, end)]

    @rpc
    def search_availability(self, query: dict) -> list[dict]:
        q = validated(wire.AvailabilityQuerySchema(), query)
        found = inventory.search(self.uow.session, today=_today(), **q)
        return [{"product": as_dict(e["product"]), "days": e["days"]} for e in found]

    @rpc
    def availability_calendar(self, query: dict) -> dict:
        """A product x date grid of one month, for the ticketing desk's wall chart."""
        return inventory.month_grid(self.uow.session, **validated(wire.CalendarQuerySchema(), query), today=_today())

    # --- supplier pushes -------------------------------------------------------------------

    @rpc
    def supplier_push(self, api_key: str, data: dict, source: str = "supplier_json",
                      message_id: str | None = None) -> dict:
        supplier = self._supplier(api_key)
        batch = validated(wire.SupplierPushSchema(), data)
        results, events = pushes.apply_batch(self.uow.session, supplier, batch["updates"], source=source,
                                             message_id=message_id, today=_today())
        for event, payload in events:
            self.uow.emit(event, payload)
        return {"supplier_id": supplier.id, "results": results}

    @rpc
    def supplier_inventory(self, api_key: str, product_id: str, start: date, end: date) -> list[dict]:
        supplier = self._supplier(api_key)
        inventory.product_of_supplier(self.uow.session, product_id, supplier.id)
        return inventory.days_of(self.uow.session, product_id, start, end, today=_today())

    # --- holds -----------------------------------------------------------------------------

    @rpc
    def place_hold(self, data: dict) -> dict:
        fields = validated(wire.HoldCreateSchema(), data)
        hold = holds.place(self.uow.session, fields, actor=self.uow.actor, now=utcnow())
        record = holds.as_dict(hold)
        self.uow.emit(wire.HOLD_PLACED, record)
        return record

    @rpc
    def get_hold(self, hold_id: str) -> dict:
        return holds.as_dict(holds.get(self.uow.session, hold_id))

    @rpc
    def list_holds(self, query: dict) -> dict:
        q = validated(wire.HoldQuerySchema(), query)
        items, total = lists.holds(self.uow.session, **q)
        return page_dict([holds.as_dict(x) for x in items], total, q["page"], q["page_size"])

    @rpc
    def extend_hold(self, hold_id: str, data: dict) -> dict:
        fields = validated(wire.HoldExtendSchema(), data)
        return holds.as_dict(holds.extend(self.uow.session, hold_id, fields["expires_in_minutes"], utcnow()))

    @rpc
    def release_hold(self, hold_id: str) -> dict:
        record = holds.as_dict(holds.release(self.uow.session, hold_id, utcnow()))
        self.uow.emit(wire.HOLD_RELEASED, record)
        return record

    @timer(interval=5)
    def expire_holds(self):
        for hold in holds.expire_due(self.uow.session, utcnow()):
            self.uow.emit(wire.HOLD_EXPIRED, hold)

    # --- bookings --------------------------------------------------------------------------

    @rpc
    def confirm_hold(self, hold_id: str) -> dict:
        """The booking; `already_confirmed` is true when the hold had been confirmed before (no
        new booking, no event)."""
        booking, made = bookings.confirm(self.uow.session, hold_id, actor=self.uow.actor, now=utcnow())
        record = bookings.as_dict(booking)
        if made:
            self.uow.emit(wire.BOOKING_CONFIRMED, record | bookings.totals(booking))
        return record | {"already_confirmed": not made}

    @rpc
    def get_booking(self, booking_ref: str) -> dict:
        return bookings.as_dict(bookings.get(self.uow.session, booking_ref))

    @rpc
    def search_bookings(self, query: dict) -> dict:
        q = validated(wire.BookingQuerySchema(), query)
        items, total = lists.bookings(self.uow.session, **q)
        return page_dict([bookings.as_dict(x) for x in items], total, q["page"], q["page_size"])

    @rpc
    def cancel_booking(self, booking_ref: str, line_id: int | None = None, data: dict | None = None) -> dict:
        """`data`: {"reason": ...}; a caller naming none (a service) gets DEFAULT_CHANGE_REASON."""
        fields = validated(wire.CancelSchema(), data or {})
        booking, lines = bookings.cancel(self.uow.session, booking_ref, now=utcnow(), line_id=line_id,
                                         reason=fields["reason"])
        record = bookings.as_dict(booking)
        self.uow.emit(wire.BOOKING_CANCELLED, {
            "booking_id": booking.id, "locator": booking.locator, "status": booking.status,
            "reference": booking.reference, "cancelled_lines": lines, "reason": fields["reason"],
            "cancelled_by": self.uow.actor})
        return record

    @rpc
    def change_booking_line(self, booking_ref: str, line_id: int, data: dict) -> dict:
        new = validated(wire.LineChangeSchema(), data)
        old, replacement = bookings.change(self.uow.session, booking_ref, line_id, new, now=utcnow())
        difference = replacement.fare_difference
        booking = replacement.booking
        self.uow.emit(wire.BOOKING_CHANGED, {
            "booking_id": booking.id, "locator": booking.locator, "reference": booking.reference,
            "old_line": old, "new_line": replacement,
            "fare_difference": difference, "currency": replacement.currency, "reason": new["reason"],
            "changed_by": self.uow.actor})
        return {"booking": bookings.as_dict(booking), "fare_difference": difference,
                "currency": replacement.currency}

    @rpc
    def refund_booking_line(self, booking_ref: str, line_id: int, data: dict) -> dict:
        fields = validated(wire.RefundCreateSchema(), data)
        refund = bookings.refund(self.uow.session, booking_ref, line_id, fields["amount"], fields["reason"],
                                 actor=self.uow.actor, now=utcnow())
        booking = refund.line.booking
        self.uow.emit(wire.BOOKING_REFUNDED, {
            "booking_id": booking.id, "locator": booking.locator, "reference": booking.reference,
            "refund_id": refund.id, "line": refund.line, "amount": refund.amount,
            "currency": refund.currency, "reason": refund.reason})
        return as_dict(refund)

    @rpc
    def get_refund(self, booking_ref: str, line_id: int, refund_id: int) -> dict:
        return as_dict(bookings.get_refund(self.uow.session, booking_ref, line_id, refund_id))

    # --- sales reports -----------------------------------------------------------------------
    # Read-only; what each figure means is in services/ticketing/reports/__init__.py.

    @rpc
    def sales_report(self, query: dict) -> dict:
        """Sales per day, week or month and per product, kind, supplier or destination, per currency."""
        q = validated(wire.SalesReportQuerySchema(), query)
        return reports.sales(self.uow.session, **q)

    @rpc
    def sales_report_csv(self, query: dict) -> dict:
        """The sales report's rows as CSV text: {"filename", "content_type", "content"}."""
        q = validated(wire.SalesReportCsvQuerySchema(), query)
        bom = q.pop("bom")
        report = reports.sales(self.uow.session, **q)
        return reports.csv_file(reports.sales_filename(report), reports.sales_csv(report, bom=bom))

    @rpc
    def top_sellers(self, query: dict) -> dict:
        q = validated(wire.SellersQuerySchema(), query)
        return reports.top_sellers(self.uow.session, **q)

    @rpc
    def slow_sellers(self, query: dict) -> dict:
        q = validated(wire.SellersQuerySchema(), query)
        return reports.slow_sellers(self.uow.session, **q)

    @rpc
    def supplier_bookings_report(self, supplier_id: str, query: dict) -> dict:
        """A supplier's booking lines over a period, for matching its invoices."""
        q = validated(wire.SupplierBookingsQuerySchema(), query)
        return reports.supplier_bookings(self.uow.session, supplier_id, **q)

    @rpc
    def supplier_bookings_report_csv(self, supplier_id: str, query: dict) -> dict:
        q = validated(wire.SupplierBookingsCsvQuerySchema(), query)
        bom = q.pop("bom")
        report = reports.supplier_bookings(self.uow.session, supplier_id, **q)
        return reports.csv_file(reports.supplier_bookings_filename(report),
                                reports.supplier_bookings_csv(report, bom=bom))

    @rpc
    def manifest(self, query: dict) -> dict:
        """The confirmed lines of a supplier (or a product) travelling on a date, for the supplier."""
        return reports.manifest(self.uow.session, **validated(wire.ManifestQuerySchema(), query))

    @rpc
    def manifest_csv(self, query: dict) -> dict:
        q = validated(wire.ManifestCsvQuerySchema(), query)
        bom = q.pop("bom")
        report = reports.manifest(self.uow.session, **q)
        return reports.csv_file(reports.manifest_filename(report), reports.manifest_csv(report, bom=bom))

    # --- supplier pushes: OTA XML and AMQP ---------------------------------------------------

    @rpc
    def supplier_ota(self, api_key: str, xml_text: str, content_type: str | None = None) -> dict:
        """An OTA_HotelInvCountNotifRQ or OTA_HotelAvailNotifRQ, bare or in a SOAP envelope:
        {"status": http status, "xml": the answer, "content_type": its Content-Type}."""
        skew = timedelta(seconds=float(self.config.get("OTA_MAX_CLOCK_SKEW_SECONDS") or 300))
        now = utcnow()
        return ota_receiving.receive(self.uow, api_key, xml_text, today=now.date(), now=now,
                                     content_type=content_type, max_skew=skew)

    @timer(interval=600, eager=True)
    def prune_supplier_messages(self) -> int:
        """Forget answered supplier messages older than SUPPLIER_MESSAGE_RETENTION_DAYS."""
        return supplier_queue.prune(self.uow.session, utcnow() - supplier_queue.retention(self.config))

    @supplier_queue.consume_supplier_inventory
    def supplier_inventory_message(self, data, api_key: str | None = None, message_id: str | None = None) -> dict:
        """A JSON push from the ticketing.supplier-inventory queue (see docs/supplier-pushes.md)."""
        return supplier_queue.receive(self.uow, data, api_key=api_key, message_id=message_id, today=_today())
