"""Itinerary: catalog, itinerary builder, checks, cost sheets, versioned quotes.

Thin entrypoints: validate what came over the wire, ask ticketing what is needed *before*
opening this service's transaction (a short read first when the question depends on stored
data), apply the rules, announce the facts.

Where prices come from: an inventory item stores the daily net prices ticketing gave when it
was added, moved or refreshed (refresh_prices asks again, one call per distinct product).
Cost sheets and quotes are computed from those stored prices and make no call at all, so
issuing a quote is a few queries and arithmetic. Availability is asked live, by check_itinerary.
"""
from datetime import date, timedelta
from pathlib import Path

from eventlet import tpool
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.timer import timer

from services.common.db import as_dict, utcnow
from services.common.entrypoints import rpc
from services.common.errors import ValidationFailed, validated
from services.common.serialization import to_plain
from services.common.service import ServiceBase
from services.common.unit_of_work import Database

from . import catalog, checks, costing, documents, itineraries, pricing, quotes
from . import crm as crm_calls
from . import inventory as inv
from . import schemas as s
from .models import Base

EXPIRY_ACTOR = "service:itinerary"


def _today() -> date:
    return utcnow().date()


class PdfFonts(DependencyProvider):
    """Finds the PDFs' font when the service starts, so the log says at once whether Chinese names
    will print (documents.fonts logs the font, or that there is none)."""

    def setup(self):
        documents.fonts()

    def get_dependency(self, worker_ctx):
        return documents.fonts()


class ItineraryService(ServiceBase):
    name = "itinerary"
    pdf_fonts = PdfFonts()
    uow = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
    ticketing = RpcProxy("ticketing")
    crm = RpcProxy("crm")

    # --- helpers ---------------------------------------------------------------------------------

    def _read(self, itinerary_id: str, read):
        """A short read outside the worker's unit of work, released before calling ticketing."""
        with self.uow.database.transaction() as session:
            return read(itineraries.get(session, itinerary_id))

    def _fetch(self, needs: dict, field_name: str = "inventory_product_id") -> inv.InventoryData:
        return inv.fetch(self.ticketing, needs, field_name=field_name)

    def _sheet(self, itinerary, policy: dict | None = None) -> dict:
        session = self.uow.session
        policy = policy or pricing.settings(session)
        rules = [pricing.costing_rule(r) for r in pricing.list_rules(session)]
        try:
            return costing.cost_sheet(itineraries.plan_of(itinerary), pricing.pricing_for(itinerary, policy), rules,
                                      pricing.rate_book(session, _today()))
        except costing.MissingRates as exc:
            raise pricing.missing_rate_error(exc) from None

    def _require_rates(self, itinerary_currency: str, currencies: set[str]) -> None:
        book = pricing.rate_book(self.uow.session, _today())
        try:
            book.require({(c, itinerary_currency) for c in currencies})
        except costing.MissingRates as exc:
            raise pricing.missing_rate_error(exc) from None

    # --- catalog ---------------------------------------------------------------------------------

    @rpc
    def create_catalog_product(self, data: dict) -> dict:
        fields = validated(s.CatalogProductCreateSchema(), data)
        return catalog.as_dict(catalog.create(self.uow.session, fields, actor=self.uow.actor, now=utcnow()))

    @rpc
    def update_catalog_product(self, product_id: str, data: dict) -> dict:
        fields = validated(s.CatalogProductUpdateSchema(), data)
        product = catalog.get(self.uow.session, product_id)
        return catalog.as_dict(catalog.update(self.uow.session, product, fields, actor=self.uow.actor, now=utcnow()))

    @rpc
    def get_catalog_product(self, product_id: str) -> dict:
        return catalog.as_dict(catalog.get(self.uow.session, product_id))

    @rpc
    def list_catalog_products(self, query: dict | None = None) -> list[dict]:
        """Every catalog product, published or not, in the folder's order."""
        q = validated(s.CatalogQuerySchema(), query or {})
        return [catalog.as_dict(p) for p in catalog.search(self.uow.session, published_only=False, **q)]

    @rpc
    def published_catalog(self, query: dict | None = None) -> list[dict]:
        """The published catalog: featured first by rank, then newest first."""
        q = validated(s.CatalogQuerySchema(), query or {})
        return [catalog.as_dict(p) for p in catalog.search(self.uow.session, published_only=True, **q)]

    @rpc
    def catalog_brochure(self, query: dict | None = None) -> dict:
        """The published catalog as a PDF brochure: {"filename", "content_type", "content_base64"}."""
        q = validated(s.BrochureQuerySchema(), query or {})
        with self.uow.database.transaction() as session:  # read, then render with no transaction open
            products = [catalog.as_dict(p) for p in catalog.search(
                session, published_only=True, limit=s.MAX_BROCHURE_PRODUCTS, offset=0, **q)]
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
        fields = validated(s.ItineraryCreateSchema(), data)
        if fields.get("inquiry_id"):
            merged = crm_calls.with_inquiry(fields, crm_calls.fetch_inquiry(self.crm, fields["inquiry_id"]))
            fields = validated(s.ItineraryCreateSchema(), s.ItineraryCreateSchema().dump(merged))
        template_items, data_needed = [], {}
        product = None
        if fields.get("catalog_product_id"):
            with self.uow.database.transaction() as session:
                product = catalog.get(session, fields["catalog_product_id"])
                template = product.template or []
                duration = product.duration_days
                season_price = catalog.package_price(product, fields["start_date"])
            days = fields.get("days") or duration
            for day in template:
                if day["day"] > days:
                    continue
                for raw in day.get("items") or []:
                    item_fields = validated(s.ItemCreateSchema(), raw)
                    on = fields["start_date"] + timedelta(days=day["day"] - 1)
                    dates = itineraries.item_dates(item_fields["kind"], on, item_fields.get("nights"))
                    inv.add_need(data_needed, item_fields.get("inventory_product_id"), dates)
                    template_items.append((day["day"], item_fields))
        fetched = self._fetch(data_needed, field_name="catalog_product_id")
        session, now, actor = self.uow.session, utcnow(), self.uow.actor
        policy = pricing.settings(session)
        if product is not None:
            product = catalog.get(session, product.id)
        self._require_rates(fields["currency"], {f["currency"] for _, f in template_items if f.get("currency")}
                            | {p["currency"] for p in fetched.products.values()}
                            | ({season_price["currency"]} if product is not None and season_price else set()))
        itinerary = itineraries.create(session, fields, settings=policy, actor=actor, now=now, product=product)
        for day_number, item_fields in template_items:
            itineraries.add_item(itinerary, day_number, item_fields, fetched, actor=actor, now=now)
        itinerary.revision = 1
        session.flush()
        return itineraries.as_dict(itinerary)

    @rpc
    def get_itinerary(self, itinerary_id: str) -> dict:
        return itineraries.as_dict(itineraries.get(self.uow.session, itinerary_id))

    @rpc
    def list_itineraries(self, query: dict | None = None) -> list[dict]:
        q = validated(s.ItineraryQuerySchema(), query or {})
        return [itineraries.summary(i) for i in itineraries.search(self.uow.session, **q)]

    @rpc
    def update_itinerary(self, itinerary_id: str, data: dict) -> dict:
        fields = validated(s.ItineraryUpdateSchema(), data)
        fetched = inv.InventoryData()
        if fields.get("start_date"):
            fetched = self._fetch(self._read(itinerary_id,
                                             lambda i: itineraries.start_shift_needs(i, fields["start_date"])))
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        currency = fields.get("currency") or itinerary.currency
        price = fields["package_price"] if "package_price" in fields else itinerary.package_price
        price_currency = {(price or {}).get("currency") or currency} - {currency}
        if currency != itinerary.currency or price_currency:
            self._require_rates(currency, {item.currency for item in itinerary.items} | price_currency)
        # A catalog trip moved to another date takes that date's season price.
        product = catalog.get(session, itinerary.catalog_product_id) \
            if fields.get("start_date") and itinerary.catalog_product_id else None
        itineraries.update(itinerary, fields, actor=self.uow.actor, now=now, product=product)
        itineraries.reprice(itinerary, fetched, now)
        return itineraries.as_dict(itinerary)

    @rpc
    def add_day(self, itinerary_id: str, data: dict | None = None) -> dict:
        fields = validated(s.DayFieldsSchema(), data or {})
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        itineraries.add_day(itinerary, fields, actor=self.uow.actor, now=utcnow(), max_days=s.MAX_DAYS)
        return itineraries.as_dict(itinerary)

    @rpc
    def update_day(self, itinerary_id: str, day_number: int, data: dict) -> dict:
        fields = validated(s.DayUpdateSchema(), data)
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        itineraries.update_day(itinerary, day_number, fields, actor=self.uow.actor, now=utcnow())
        return itineraries.as_dict(itinerary)

    @rpc
    def remove_day(self, itinerary_id: str, day_number: int) -> dict:
        fetched = self._fetch(self._read(itinerary_id, lambda i: itineraries.day_removal_needs(i, day_number)))
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        itineraries.remove_day(session, itinerary, day_number, actor=self.uow.actor, now=now)
        itineraries.reprice(itinerary, fetched, now)
        return itineraries.as_dict(itinerary)

    @rpc
    def add_item(self, itinerary_id: str, day_number: int, data: dict) -> dict:
        fields = validated(s.ItemCreateSchema(), data)
        if fields.get("check_in"):
            fields["service_date"] = fields.pop("check_in")
        needs = {}
        if fields.get("inventory_product_id"):
            _, dates = self._read(itinerary_id, lambda i: itineraries.planned_dates(i, day_number, fields))
            inv.add_need(needs, fields["inventory_product_id"], dates)
        fetched = self._fetch(needs)
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        currency = fetched.products[fields["inventory_product_id"]]["currency"] if fields.get("inventory_product_id") \
            else fields["currency"]
        self._require_rates(itinerary.currency, {currency})
        item = itineraries.add_item(itinerary, day_number, fields, fetched, actor=self.uow.actor, now=now)
        session.flush()
        return itineraries.item_dict(item, itineraries.party_of(itinerary))

    @rpc
    def update_item(self, itinerary_id: str, item_id: int, data: dict) -> dict:
        changes = validated(s.ItemUpdateSchema(partial=True), data)

        def merged(itinerary):
            # The item as it would be, checked as a whole like a new one.
            item = itineraries.get_item(itinerary, item_id)
            day_number, fields = itineraries.merged_fields(item, changes)
            fields = validated(s.ItemCreateSchema(), s.ItemCreateSchema().dump(fields))
            return day_number, fields, itineraries.planned_dates(itinerary, day_number, fields)[1]

        day_number, fields, dates = self._read(itinerary_id, merged)
        needs = {}
        inv.add_need(needs, fields.get("inventory_product_id"), dates)
        fetched = self._fetch(needs)
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        item = itineraries.get_item(itinerary, item_id)
        currency = fetched.products[fields["inventory_product_id"]]["currency"] if fields.get("inventory_product_id") \
            else fields["currency"]
        self._require_rates(itinerary.currency, {currency})
        itineraries.update_item(itinerary, item, day_number, fields, fetched, actor=self.uow.actor, now=now)
        session.flush()
        return itineraries.item_dict(item, itineraries.party_of(itinerary))

    @rpc
    def remove_item(self, itinerary_id: str, item_id: int) -> dict:
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        itineraries.remove_item(itinerary, itineraries.get_item(itinerary, item_id), actor=self.uow.actor,
                                now=utcnow())
        return itineraries.as_dict(itinerary)

    @rpc
    def refresh_prices(self, itinerary_id: str) -> dict:
        """Ask ticketing again for every inventory item's prices: one call per distinct product."""
        fetched = self._fetch(self._read(itinerary_id, itineraries.inventory_needs))
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        itineraries.require_editable(itinerary)
        changed = itineraries.reprice(itinerary, fetched, now)
        if changed:
            itineraries.touch(itinerary, self.uow.actor, now)
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
        itinerary = itineraries.get(self.uow.session, itinerary_id)
        sheet = self._sheet(itinerary)
        approval = pricing.approval_for(self.uow.session, itinerary, sheet)
        sheet["approval"]["approved"] = None if approval is None else as_dict(approval)
        return costing_plain(itinerary, sheet)

    @rpc
    def approve(self, itinerary_id: str, data: dict | None = None) -> dict:
        """A manager approves this revision at this price (the gateway lets only managers call it)."""
        fields = validated(s.ApprovalCreateSchema(), data or {})
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        itineraries.require_editable(itinerary)
        sheet = self._sheet(itinerary)
        if sheet["unpriced_items"]:
            raise ValidationFailed("Some items have no price yet.", {"unpriced_items": sheet["unpriced_items"]})
        approval = pricing.record_approval(self.uow.session, itinerary, sheet, fields.get("note"),
                                           actor=self.uow.actor, now=utcnow())
        return as_dict(approval)

    # --- quotes ----------------------------------------------------------------------------------

    @rpc
    def issue_quote(self, itinerary_id: str, data: dict | None = None) -> dict:
        """Snapshot the current cost sheet as the next version. Prices come from the items (no
        call to ticketing): refresh_prices first to pick up ticketing's latest. The customer's name
        is CRM's unless customer_name is given; the consultant's is the acting user's full name."""
        fields = validated(s.QuoteIssueSchema(), data or {})
        if not fields.get("customer_name"):  # CRM's name for the customer, asked before the transaction
            customer_id = self._read(itinerary_id, lambda i: i.customer_id)
            if customer_id:
                fields["customer_name"] = crm_calls.customer_name(self.crm, customer_id)
        session, now = self.uow.session, utcnow()
        itinerary = itineraries.get(session, itinerary_id, lock=True)
        policy = pricing.settings(session)
        sheet = self._sheet(itinerary, policy)
        approval = pricing.approval_for(session, itinerary, sheet)
        problems = checks.check(itineraries.plan_of(itinerary))
        quote, superseded = quotes.issue(session, itinerary, sheet, problems, fields, policy=policy,
                                         approval=approval, actor=self.uow.actor, now=now,
                                         actor_name=self.uow.actor_name)
        self.uow.emit("itinerary.quote_issued", quotes.issued_payload(quote, superseded))
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
        q = validated(s.QuoteSheetQuerySchema(), query or {})
        with self.uow.database.transaction() as session:
            snapshot = quotes.get(session, itinerary_id, version).snapshot
        content = tpool.execute(documents.quote_sheet, snapshot, costs=q["costs"])
        return documents.as_attachment(documents.quote_sheet_filename(snapshot), content)

    @rpc
    def accept_quote(self, itinerary_id: str, version: int, data: dict | None = None) -> dict:
        fields = validated(s.QuoteDecisionSchema(), data or {})
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        quote = quotes.accept(self.uow.session, itinerary, version, fields.get("note"), actor=self.uow.actor,
                              now=utcnow())
        self.uow.emit("itinerary.quote_accepted", quotes.accepted_payload(quote))
        return quotes.as_dict(quote)

    @rpc
    def reject_quote(self, itinerary_id: str, version: int, data: dict | None = None) -> dict:
        fields = validated(s.QuoteDecisionSchema(), data or {})
        itinerary = itineraries.get(self.uow.session, itinerary_id, lock=True)
        quote = quotes.reject(self.uow.session, itinerary, version, fields.get("note"), actor=self.uow.actor,
                              now=utcnow())
        self.uow.emit("itinerary.quote_rejected", quotes.decided_payload(quote))
        return quotes.as_dict(quote)

    @rpc
    def expire_quotes(self) -> list[dict]:
        """Expire every issued quote past its validity now (the timer does this every few seconds)."""
        return self._expire()

    @timer(interval=5)
    def expire_quotes_timer(self):
        self._expire()

    def _expire(self) -> list[dict]:
        expired = quotes.expire_due(self.uow.session, now=utcnow(), actor=EXPIRY_ACTOR)
        for quote, _ in expired:
            self.uow.emit("itinerary.quote_expired", quotes.decided_payload(quote))
        return [quotes.as_dict(q, snapshot=False) for q, _ in expired]

    # --- pricing policy: settings, exchange rates, markup rules -----------------------------------

    @rpc
    def get_pricing_settings(self) -> dict:
        return pricing.settings(self.uow.session)

    @rpc
    def update_pricing_settings(self, data: dict) -> dict:
        fields = validated(s.PricingSettingsSchema(), data)
        return pricing.save_settings(self.uow.session, fields, actor=self.uow.actor, now=utcnow())

    @rpc
    def set_exchange_rate(self, data: dict) -> dict:
        """A new rate; for a pair and date that has one, the answer names the rate it replaced."""
        fields = validated(s.ExchangeRateCreateSchema(), data)
        row, replaced = pricing.set_rate(self.uow.session, fields, actor=self.uow.actor, now=utcnow(), today=_today())
        return pricing.set_rate_answer(row, replaced)

    @rpc
    def list_exchange_rates(self, query: dict | None = None) -> list[dict]:
        q = validated(s.ExchangeRateQuerySchema(), query or {})
        return [pricing.rate_dict(r) for r in pricing.list_rates(self.uow.session, **q)]

    @rpc
    def create_markup_rule(self, data: dict) -> dict:
        fields = validated(s.MarkupRuleCreateSchema(), data)
        return pricing.rule_dict(pricing.create_rule(self.uow.session, fields, actor=self.uow.actor, now=utcnow()))

    @rpc
    def update_markup_rule(self, rule_id: int, data: dict) -> dict:
        rule = pricing.get_rule(self.uow.session, rule_id)
        changes = validated(s.MarkupRuleUpdateSchema(partial=True), data)
        fields = validated(s.MarkupRuleCreateSchema(), s.MarkupRuleCreateSchema().dump(
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
