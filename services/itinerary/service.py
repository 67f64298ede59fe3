"""Itinerary: catalog, itinerary builder, checks, cost sheets, versioned quotes.

Thin entrypoints: validate what came over the wire, ask ticketing what is needed *before*
opening this service's transaction (a short read first when the question depends on stored
data), apply the rules, announce the facts.

Where prices come from: an inventory item stores the daily net prices ticketing gave when it
was added, moved or refreshed (refresh_prices asks again, one call per distinct product).
Cost sheets and quotes are computed from those stored prices and make no call at all, so
issuing a quote is a few queries and arithmetic. Availability is asked live, by check_itinerary.
"""
from datetime import date
from pathlib import Path

from eventlet import tpool
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy
from nameko.timer import timer

from services.common.db import as_dict, utcnow
from services.common.documents.startup import PdfFonts
from services.common.entrypoints import rpc
from services.common.errors import Conflict, NotFound, Unavailable, ValidationFailed, validated
from services.common.outgoing import send
from services.common.etags import check_if_match, etag_of
from services.common.paging import page_dict, page_of
from services.common.serialization import to_plain
from services.common.service import ServiceBase
from services.common.unit_of_work import Database

from . import catalog, checks, documents, itineraries, pricing, quotes, wire
from . import crm as crm_calls
from . import inventory as inv
from .models import Base

EXPIRY_ACTOR = "service:itinerary"


def _today() -> date:
    return utcnow().date()


class ItineraryService(ServiceBase):
    name = "itinerary"
    pdf_fonts = PdfFonts()
    uow = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
    ticketing = RpcProxy("ticketing")
    crm = RpcProxy("crm")
    feedback = RpcProxy("feedback")  # a customer's vouchers

    # --- helpers ---------------------------------------------------------------------------------

    def _read(self, itinerary_id: str, read):
        """A short read outside the worker's unit of work, released before calling ticketing."""
        with self.uow.database.transaction() as session:
            return read(itineraries.get(session, itinerary_id))

    def _fetch(self, needs: dict, field_name: str = "inventory_product_id") -> inv.InventoryData:
        return inv.fetch(self.ticketing, needs, field_name=field_name)

    def _editing(self, itinerary_id: str, if_match: str | None):
        """The itinerary, locked for a change, refused (412) if If-Match names another version of
        what get_itinerary returns: days and items are part of that one representation."""
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        check_if_match(if_match, itineraries.as_dict(itinerary))
        return itinerary

    def _as_stored(self):
        """Read back what was written, so an answer is the representation a later read returns
        (and its ETag the one that read gives): collections in their stored order, amounts as stored."""
        self.uow.session.flush()
        self.uow.session.expire_all()

    # --- catalog ---------------------------------------------------------------------------------

    @rpc
    def create_catalog_product(self, data: dict) -> dict:
        fields = validated(wire.CatalogProductCreateSchema(), data)
        product = catalog.create(self.uow.session, fields, actor=self.uow.actor, now=utcnow())
        self._as_stored()
        return catalog.as_dict(product)

    @rpc
    def update_catalog_product(self, product_id: str, data: dict, if_match: str | None = None) -> dict:
        fields = validated(wire.CatalogProductUpdateSchema(), data)
        product = catalog.get(self.uow.session, product_id, lock=True)
        check_if_match(if_match, catalog.as_dict(product))
        catalog.update(self.uow.session, product, fields, actor=self.uow.actor, now=utcnow())
        self._as_stored()
        return catalog.as_dict(product)

    @rpc
    def get_catalog_product(self, product_id: str) -> dict:
        return catalog.as_dict(catalog.get(self.uow.session, product_id))

    @rpc
    def list_catalog_products(self, query: dict | None = None) -> dict:
        """A page of every catalog product, published or not, in the folder's order."""
        return self._catalog_page(query, published_only=False)

    @rpc
    def published_catalog(self, query: dict | None = None) -> dict:
        """A page of the published catalog: featured first by rank, then newest first."""
        return self._catalog_page(query, published_only=True)

    def _catalog_page(self, query: dict | None, *, published_only: bool) -> dict:
        q = validated(wire.CatalogQuerySchema(), query or {})
        page, page_size = q.pop("page"), q.pop("page_size")
        products, total = page_of(self.uow.session, catalog.search(published_only=published_only, **q),
                                  page, page_size)
        return page_dict([catalog.as_dict(p) for p in products], total, page, page_size)

    @rpc
    def catalog_brochure(self, query: dict | None = None) -> dict:
        """The published catalog as a PDF brochure: {"filename", "content_type", "content_base64"}."""
        q = validated(wire.BrochureQuerySchema(), query or {})
        with self.uow.database.transaction() as session:  # read, then render with no transaction open
            statement = catalog.search(published_only=True, **q).limit(wire.MAX_BROCHURE_PRODUCTS)
            products = [catalog.as_dict(p) for p in session.scalars(statement)]
        today = _today()
        # Rendering is CPU work (about 10 ms a product): in a real thread, so this worker does not
        # hold up the service's other workers on the eventlet hub meanwhile.
        content = tpool.execute(documents.brochure, products, as_of=today)
        return documents.as_attachment(documents.brochure_filename(today), content)

    # --- itineraries -----------------------------------------------------------------------------

    @rpc
    def create_itinerary(self, data: dict) -> dict:
        """Blank, for a CRM inquiry (its customer, party and dates unless given), or from a catalog
        product's template."""
        fields = validated(wire.ItineraryCreateSchema(), data)
        if fields.get("inquiry_id"):
            merged = crm_calls.with_inquiry(fields, crm_calls.fetch_inquiry(self.crm, fields["inquiry_id"]))
            fields = validated(wire.ItineraryCreateSchema(), wire.ItineraryCreateSchema().dump(merged))
        template = None
        if fields.get("catalog_product_id"):
            with self.uow.database.transaction() as session:
                template = catalog.expand(catalog.get(session, fields["catalog_product_id"]), fields["start_date"],
                                          fields.get("days"))
        fetched = self._fetch(template.needs if template else {}, field_name="catalog_product_id")
        session = self.uow.session
        product = catalog.get(session, template.product_id) if template else None
        pricing.require_rates(session, fields["currency"], template.currencies(fetched) if template else set(),
                              _today())
        itinerary = itineraries.create(session, fields, settings=pricing.settings(session), actor=self.uow.actor,
                                       now=utcnow(), product=product, template=template, fetched=fetched)
        self._as_stored()
        return itineraries.as_dict(itinerary)

    @rpc
    def get_itinerary(self, itinerary_id: str) -> dict:
        return itineraries.as_dict(itineraries.get(self.uow.session, itinerary_id))

    @rpc
    def list_itineraries(self, query: dict | None = None) -> dict:
        """A page of itineraries, latest changed first."""
        q = validated(wire.ItineraryQuerySchema(), query or {})
        page, page_size = q.pop("page"), q.pop("page_size")
        found, total = page_of(self.uow.session, itineraries.search(**q), page, page_size)
        return page_dict([itineraries.summary(i) for i in found], total, page, page_size)

    @rpc
    def update_itinerary(self, itinerary_id: str, data: dict, if_match: str | None = None) -> dict:
        fields = validated(wire.ItineraryUpdateSchema(), data)
        fetched = inv.InventoryData()
        if fields.get("start_date"):
            fetched = self._fetch(self._read(itinerary_id,
                                             lambda i: itineraries.start_shift_needs(i, fields["start_date"])))
        session, now = self.uow.session, utcnow()
        itinerary = self._editing(itinerary_id, if_match)
        pricing.require_rates(session, *itineraries.update_currencies(itinerary, fields), _today())
        # A catalog trip moved to another date takes that date's season price.
        product = catalog.get(session, itinerary.catalog_product_id) \
            if fields.get("start_date") and itinerary.catalog_product_id else None
        itineraries.update(itinerary, fields, actor=self.uow.actor, now=now, product=product)
        itineraries.reprice(itinerary, fetched, now)
        self._as_stored()
        return itineraries.as_dict(itinerary)

    @rpc
    def add_day(self, itinerary_id: str, data: dict | None = None) -> dict:
        fields = validated(wire.DayFieldsSchema(), data or {})
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        itineraries.add_day(itinerary, fields, actor=self.uow.actor, now=utcnow(), max_days=wire.MAX_DAYS)
        self._as_stored()
        return itineraries.as_dict(itinerary)

    @rpc
    def get_day(self, itinerary_id: str, day_number: int) -> dict:
        itinerary = itineraries.get(self.uow.session, itinerary_id)
        itineraries.get_day(itinerary, day_number)  # 404 for a day it does not have
        return next(day for day in itineraries.as_dict(itinerary)["days"] if day["number"] == day_number)

    @rpc
    def update_day(self, itinerary_id: str, day_number: int, data: dict, if_match: str | None = None) -> dict:
        fields = validated(wire.DayUpdateSchema(), data)
        itinerary = self._editing(itinerary_id, if_match)
        itineraries.update_day(itinerary, day_number, fields, actor=self.uow.actor, now=utcnow())
        self._as_stored()
        return itineraries.as_dict(itinerary)

    @rpc
    def remove_day(self, itinerary_id: str, day_number: int) -> None:
        fetched = self._fetch(self._read(itinerary_id, lambda i: itineraries.day_removal_needs(i, day_number)))
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        itineraries.remove_day(session, itinerary, day_number, actor=self.uow.actor, now=now)
        itineraries.reprice(itinerary, fetched, now)

    @rpc
    def add_item(self, itinerary_id: str, day_number: int, data: dict) -> dict:
        fields = validated(wire.ItemCreateSchema(), data)
        if fields.get("check_in"):
            fields["service_date"] = fields.pop("check_in")
        needs = {}
        if fields.get("inventory_product_id"):
            _, dates = self._read(itinerary_id, lambda i: itineraries.planned_dates(i, day_number, fields))
            inv.add_need(needs, fields["inventory_product_id"], dates)
        fetched = self._fetch(needs)
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        pricing.require_rates(session, itinerary.currency, {itineraries.item_currency(fields, fetched)}, _today())
        item = itineraries.add_item(itinerary, day_number, fields, fetched, actor=self.uow.actor, now=now)
        self._as_stored()
        return itineraries.item_dict(item, itineraries.party_of(itinerary))

    @rpc
    def get_item(self, itinerary_id: str, item_id: int) -> dict:
        itinerary = itineraries.get(self.uow.session, itinerary_id)
        return itineraries.item_dict(itineraries.get_item(itinerary, item_id), itineraries.party_of(itinerary))

    @rpc
    def update_item(self, itinerary_id: str, item_id: int, data: dict, if_match: str | None = None) -> dict:
        """The changed item, and the ETag of its itinerary (the representation If-Match refers to)."""
        changes = validated(wire.ItemUpdateSchema(partial=True), data)

        def merged(itinerary):
            # The item as it would be, checked as a whole like a new one.
            item = itineraries.get_item(itinerary, item_id)
            day_number, fields = itineraries.merged_fields(item, changes)
            fields = validated(wire.ItemCreateSchema(), wire.ItemCreateSchema().dump(fields))
            return day_number, fields, itineraries.planned_dates(itinerary, day_number, fields)[1]

        day_number, fields, dates = self._read(itinerary_id, merged)
        needs = {}
        inv.add_need(needs, fields.get("inventory_product_id"), dates)
        fetched = self._fetch(needs)
        session, now = self.uow.session, utcnow()
        itinerary = self._editing(itinerary_id, if_match)
        item = itineraries.get_item(itinerary, item_id)
        pricing.require_rates(session, itinerary.currency, {itineraries.item_currency(fields, fetched)}, _today())
        itineraries.update_item(itinerary, item, day_number, fields, fetched, actor=self.uow.actor, now=now)
        self._as_stored()
        return {"item": itineraries.item_dict(item, itineraries.party_of(itinerary)),
                "itinerary_etag": etag_of(itineraries.as_dict(itinerary))}

    @rpc
    def remove_item(self, itinerary_id: str, item_id: int) -> None:
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        itineraries.remove_item(itinerary, itineraries.get_item(itinerary, item_id), actor=self.uow.actor,
                                now=utcnow())

    @rpc
    def refresh_prices(self, itinerary_id: str) -> dict:
        """Ask ticketing again for every inventory item's prices: one call per distinct product."""
        fetched = self._fetch(self._read(itinerary_id, itineraries.inventory_needs))
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        changed = itineraries.refresh(itinerary, fetched, actor=self.uow.actor, now=now)
        self._as_stored()
        return {"itinerary": itineraries.as_dict(itinerary), "changed_items": changed}

    # --- checks and cost sheets ------------------------------------------------------------------

    @rpc
    def check_itinerary(self, itinerary_id: str, availability: bool = True) -> dict:
        """Problems for the planner: dates, hotel nights, connections, prices, and (asking ticketing,
        one call per distinct product) availability."""
        plan, revision, needs = self._read(itinerary_id, lambda i: (itineraries.plan_of(i), i.revision,
                                                                     itineraries.inventory_needs(i)))
        days = None
        if availability:
            days = inv.fetch(self.ticketing, needs, products=False).days
        return {"itinerary_id": itinerary_id, "revision": revision, "availability_checked": availability,
                "problems": checks.check(plan, days)}

    @rpc
    def cost_sheet(self, itinerary_id: str) -> dict:
        session = self.uow.session
        itinerary = itineraries.get(session, itinerary_id)
        sheet = pricing.cost_sheet(session, itinerary, _today())
        approval = pricing.approval_for(session, itinerary, sheet)
        sheet["approval"]["approved"] = None if approval is None else as_dict(approval)
        return costing_plain(itinerary, sheet)

    @rpc
    def approve(self, itinerary_id: str, data: dict | None = None) -> dict:
        """A manager approves this revision at this price (the gateway lets only managers call it)."""
        fields = validated(wire.ApprovalCreateSchema(), data or {})
        session = self.uow.session
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        itineraries.require_editable(itinerary)
        sheet = pricing.cost_sheet(session, itinerary, _today())
        approval = pricing.record_approval(session, itinerary, sheet, fields.get("note"), actor=self.uow.actor,
                                           now=utcnow())
        return as_dict(approval)

    # --- quotes ----------------------------------------------------------------------------------

    @rpc
    def issue_quote(self, itinerary_id: str, data: dict | None = None) -> dict:
        """Snapshot the current cost sheet as the next version. Prices come from the items (no
        call to ticketing): refresh_prices first to pick up ticketing's latest. The customer's name
        is CRM's unless customer_name is given; the consultant's is the acting user's full name."""
        fields = validated(wire.QuoteIssueSchema(), data or {})
        if not fields.get("customer_name"):  # CRM's name for the customer, asked before the transaction
            customer_id = self._read(itinerary_id, lambda i: i.customer_id)
            if customer_id:
                fields["customer_name"] = crm_calls.customer_name(self.crm, customer_id)
        voucher = self._voucher(fields["voucher_code"]) if fields.get("voucher_code") else None
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        policy = pricing.settings(session)
        sheet = pricing.cost_sheet(session, itinerary, _today(), policy)
        approval = pricing.approval_for(session, itinerary, sheet)
        problems = checks.check(itineraries.plan_of(itinerary))
        quote, _ = quotes.issue(session, itinerary, sheet, problems, fields, policy=policy, approval=approval,
                                actor=self.uow.actor, now=now, actor_name=self.uow.actor_name, voucher=voucher)
        self.uow.emit(wire.QUOTE_ISSUED, quote)
        return quotes.as_dict(quote)

    @rpc
    def list_quotes(self, itinerary_id: str) -> list[dict]:
        itineraries.get(self.uow.session, itinerary_id)
        return [quotes.as_dict(q, snapshot=False) for q in quotes.list_for(self.uow.session, itinerary_id)]

    @rpc
    def get_quote(self, itinerary_id: str, version: int) -> dict:
        return quotes.as_dict(quotes.get(self.uow.session, itinerary_id, version))

    @rpc
    def quote_sheet(self, itinerary_id: str, version: int, query: dict | None = None) -> dict:
        """The quote sheet PDF of one version, from its snapshot alone: {"filename", "content_type",
        "content_base64"}. costs=True: the agency's copy with net costs, markups and margin."""
        q = validated(wire.QuoteSheetQuerySchema(), query or {})
        with self.uow.database.transaction() as session:
            snapshot = quotes.get(session, itinerary_id, version).snapshot
        content = tpool.execute(documents.quote_sheet, snapshot, costs=q["costs"])
        return documents.as_attachment(documents.quote_sheet_filename(snapshot), content)

    def _voucher(self, code: str) -> dict:
        """Feedback's voucher, asked before the transaction."""
        try:
            return self.feedback.get_voucher(code)
        except NotFound:
            raise ValidationFailed("No such voucher.", {"voucher_code": [f"No voucher {code}."]}) from None
        except UnknownService:
            raise Unavailable("Feedback is not running; the voucher cannot be read now.") from None

    def _redeem_voucher(self, itinerary_id: str, version: int):
        """A quote with a voucher redeems it when accepted, not when issued: a quote never accepted
        leaves the customer's voucher for another trip. Redeemed before this transaction under the
        quote's own request id, so accepting again after a crash redeems it once; a voucher another
        quote redeemed meanwhile refuses the acceptance (409)."""
        with self.uow.database.reading() as session:
            itinerary = itineraries.get(session, itinerary_id)
            quote = quotes.get(session, itinerary_id, version)
            voucher = quotes.voucher_of(quote)
            if voucher is None:
                return
            quotes.require_acceptable(itinerary, quote, utcnow().date())  # never burn it on a refusal
            request = {"code": voucher["code"], "customer_id": itinerary.customer_id, "quote_id": quote.id,
                       "currency": quote.currency}
        answer = send(self.feedback.redeem_voucher, f"quote:{request['quote_id']}:voucher", request)
        if "unanswered" in answer:
            raise Unavailable("Feedback did not answer about the voucher: accept again.",
                              {"voucher_code": answer["unanswered"]})
        if "refused" in answer:
            refused = answer["refused"]
            cls = Conflict if refused["type"] == "Conflict" else ValidationFailed
            raise cls(refused["message"], {"voucher_code": [refused["message"]]})

    @rpc
    def accept_quote(self, itinerary_id: str, version: int, data: dict | None = None) -> dict:
        fields = validated(wire.QuoteDecisionSchema(), data or {})
        self._redeem_voucher(itinerary_id, version)
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        quote = quotes.accept(self.uow.session, itinerary, version, fields.get("note"), actor=self.uow.actor,
                              now=utcnow())
        self.uow.emit(wire.QUOTE_ACCEPTED, quote)
        return quotes.as_dict(quote)

    @rpc
    def reject_quote(self, itinerary_id: str, version: int, data: dict | None = None) -> dict:
        fields = validated(wire.QuoteDecisionSchema(), data or {})
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        quote = quotes.reject(self.uow.session, itinerary, version, fields.get("note"), actor=self.uow.actor,
                              now=utcnow())
        self.uow.emit(wire.QUOTE_REJECTED, quote)
        return quotes.as_dict(quote)

    @timer(interval=5)
    def expire_quotes(self):
        """Expire every issued quote past its validity (every few seconds, so a restart catches up)."""
        for quote, _ in quotes.expire_due(self.uow.session, now=utcnow(), actor=EXPIRY_ACTOR):
            self.uow.emit(wire.QUOTE_EXPIRED, quote)

    # --- pricing policy: settings, exchange rates, markup rules -----------------------------------

    @rpc
    def get_pricing_settings(self) -> dict:
        return pricing.settings(self.uow.session)

    @rpc
    def update_pricing_settings(self, data: dict) -> dict:
        fields = validated(wire.PricingSettingsSchema(), data)
        return pricing.save_settings(self.uow.session, fields, actor=self.uow.actor, now=utcnow())

    @rpc
    def set_exchange_rate(self, data: dict) -> dict:
        """A new rate; for a pair and date that has one, the answer names the rate it replaced."""
        fields = validated(wire.ExchangeRateCreateSchema(), data)
        row, replaced = pricing.set_rate(self.uow.session, fields, actor=self.uow.actor, now=utcnow(), today=_today())
        return pricing.set_rate_answer(row, replaced)

    @rpc
    def list_exchange_rates(self, query: dict | None = None) -> list[dict]:
        q = validated(wire.ExchangeRateQuerySchema(), query or {})
        return [pricing.rate_dict(r) for r in pricing.list_rates(self.uow.session, **q)]

    @rpc
    def create_markup_rule(self, data: dict) -> dict:
        fields = validated(wire.MarkupRuleCreateSchema(), data)
        return pricing.rule_dict(pricing.create_rule(self.uow.session, fields, actor=self.uow.actor, now=utcnow()))

    @rpc
    def get_markup_rule(self, rule_id: int) -> dict:
        return pricing.rule_dict(pricing.get_rule(self.uow.session, rule_id))

    @rpc
    def update_markup_rule(self, rule_id: int, data: dict) -> dict:
        rule = pricing.get_rule(self.uow.session, rule_id)
        changes = validated(wire.MarkupRuleUpdateSchema(partial=True), data)
        fields = validated(wire.MarkupRuleCreateSchema(), wire.MarkupRuleCreateSchema().dump(
            pricing.rule_fields(rule) | changes))  # the rule as it would be, checked as a whole
        return pricing.rule_dict(pricing.update_rule(self.uow.session, rule, fields, actor=self.uow.actor,
                                                     now=utcnow()))

    @rpc
    def delete_markup_rule(self, rule_id: int) -> None:
        self.uow.session.delete(pricing.get_rule(self.uow.session, rule_id))

    @rpc
    def list_markup_rules(self) -> list[dict]:
        return [pricing.rule_dict(r) for r in pricing.list_rules(self.uow.session)]


def costing_plain(itinerary, sheet: dict) -> dict:
    """A cost sheet as it crosses the wire: plain JSON like a quote snapshot's."""
    return to_plain({"itinerary_id": itinerary.id, "revision": itinerary.revision, **sheet})
