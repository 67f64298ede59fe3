"""Itinerary design and quoting: catalog, itineraries (days, items), checks, cost sheets, quotes,
and the pricing policy (exchange rates, markup rules, settings).

Roles: consultants and managers design and quote; any staff (the front desk above all) reads the
published catalog; only managers approve a quote below the minimum margin or above the discount
threshold, and set markups and pricing settings; managers and finance keep the exchange rates.
"""
from flask.views import MethodView

from services.itinerary import wire

from ..auth import ANY_STAFF, allow
from ..context import rpc
from . import (ETAG, IF_MATCH, LOCATION, PDF_DOC, PDF_SCHEMA, PRECONDITION_412, Blueprint, created, if_match,
               pdf_response, with_etag)

blp = Blueprint("itinerary", __name__, url_prefix="/api/v1",
                description="Catalog, itineraries, cost sheets and versioned quotes")

DESIGN = ("consultant", "manager")
READ = ("consultant", "manager", "finance")

# --- catalog -------------------------------------------------------------------------------------

@blp.route("/catalog")
class PublishedCatalog(MethodView):
    @allow(ANY_STAFF)
    @blp.arguments(wire.CatalogQuerySchema, location="query")
    @blp.response(200, wire.CatalogPageSchema)
    def get(self, query):
        """The published catalog, a page at a time: featured products first (by rank), then newest first"""
        with rpc() as services:
            return services.itinerary.published_catalog(query)


@blp.route("/catalog/brochure.pdf")
class CatalogBrochure(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.BrochureQuerySchema, location="query")
    @blp.response(200, PDF_SCHEMA, description="The brochure as a PDF (A4)", **PDF_DOC)
    def get(self, query):
        """The published catalog as a printable PDF brochure: featured first (by rank), then newest

        Each product with its seasons and prices, day-by-day programme, what is included and what
        is not; at most 200 products (filter by destination, kind or featured for a smaller one).
        """
        with rpc() as services:
            return pdf_response(services.itinerary.catalog_brochure(wire.BrochureQuerySchema().dump(query)))


@blp.route("/catalog/products")
class CatalogProducts(MethodView):
    @allow(*DESIGN)
    @blp.arguments(wire.CatalogQuerySchema, location="query")
    @blp.response(200, wire.CatalogPageSchema)
    def get(self, query):
        """Every catalog product, published or not, a page at a time"""
        with rpc() as services:
            return services.itinerary.list_catalog_products(query)

    @allow(*DESIGN)
    @blp.arguments(wire.CatalogProductCreateSchema)
    @blp.response(201, wire.CatalogProductSchema, **LOCATION)
    def post(self, data):
        """Add a regular route or package, with its template days and seasons"""
        with rpc() as services:
            product = services.itinerary.create_catalog_product(wire.CatalogProductCreateSchema().dump(data))
        return created(product, f"/api/v1/catalog/products/{product['id']}")


@blp.route("/catalog/products/<string:product_id>")
class CatalogProductById(MethodView):
    @allow(ANY_STAFF)
    @blp.response(200, wire.CatalogProductSchema, **ETAG)
    def get(self, product_id):
        """Get a catalog product"""
        with rpc() as services:
            return with_etag(services.itinerary.get_catalog_product(product_id))

    @allow(*DESIGN)
    @blp.arguments(wire.CatalogProductUpdateSchema)
    @blp.response(200, wire.CatalogProductSchema, **ETAG)
    @blp.doc(**IF_MATCH)
    @blp.alt_response(412, **PRECONDITION_412)
    def patch(self, data, product_id):
        """Change a catalog product (lists such as seasons and template are replaced whole)"""
        with rpc() as services:
            return with_etag(services.itinerary.update_catalog_product(
                product_id, wire.CatalogProductUpdateSchema().dump(data), if_match()))


# --- itineraries ---------------------------------------------------------------------------------

@blp.route("/itineraries")
class Itineraries(MethodView):
    @allow(*READ)
    @blp.arguments(wire.ItineraryQuerySchema, location="query")
    @blp.response(200, wire.ItineraryPageSchema)
    def get(self, query):
        """Itineraries by customer, inquiry or status, latest changed first, a page at a time"""
        with rpc() as services:
            return services.itinerary.list_itineraries(query)

    @allow(*DESIGN)
    @blp.arguments(wire.ItineraryCreateSchema)
    @blp.response(201, wire.ItinerarySchema, **LOCATION)
    @blp.alt_response(404, description="No catalog product with the given catalog_product_id.")
    def post(self, data):
        """Start an itinerary: blank, for an inquiry, or from a catalog product"""
        with rpc() as services:
            itinerary = services.itinerary.create_itinerary(wire.ItineraryCreateSchema().dump(data))
        return created(itinerary, f"/api/v1/itineraries/{itinerary['id']}")


@blp.route("/itineraries/<string:itinerary_id>")
class ItineraryById(MethodView):
    @allow(*READ)
    @blp.response(200, wire.ItinerarySchema, **ETAG)
    def get(self, itinerary_id):
        """An itinerary with its days and items

        Its ETag covers the days and items too: send it in `If-Match` when changing the itinerary,
        one of its days or one of its items.
        """
        with rpc() as services:
            return with_etag(services.itinerary.get_itinerary(itinerary_id))

    @allow(*DESIGN)
    @blp.arguments(wire.ItineraryUpdateSchema)
    @blp.response(200, wire.ItinerarySchema, **ETAG)
    @blp.doc(**IF_MATCH)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    @blp.alt_response(412, **PRECONDITION_412)
    def patch(self, data, itinerary_id):
        """Change the party, dates, currency or pricing; a new start date moves every item"""
        with rpc() as services:
            return with_etag(services.itinerary.update_itinerary(
                itinerary_id, wire.ItineraryUpdateSchema().dump(data), if_match()))


@blp.route("/itineraries/<string:itinerary_id>/days")
class ItineraryDays(MethodView):
    @allow(*DESIGN)
    @blp.arguments(wire.DayFieldsSchema)
    @blp.response(201, wire.ItinerarySchema, **LOCATION)
    @blp.alt_response(409, description="The itinerary has an accepted quote or the most days it may have.")
    def post(self, data, itinerary_id):
        """Add a day at the end (the answer is the itinerary; Location is the new day)"""
        with rpc() as services:
            itinerary = services.itinerary.add_day(itinerary_id, wire.DayFieldsSchema().dump(data))
        return created(itinerary, f"/api/v1/itineraries/{itinerary_id}/days/{len(itinerary['days'])}")


@blp.route("/itineraries/<string:itinerary_id>/days/<int:day_number>")
class ItineraryDay(MethodView):
    @allow(*READ)
    @blp.response(200, wire.DaySchema)
    def get(self, itinerary_id, day_number):
        """A day of an itinerary with its items"""
        with rpc() as services:
            return services.itinerary.get_day(itinerary_id, day_number)

    @allow(*DESIGN)
    @blp.arguments(wire.DayUpdateSchema)
    @blp.response(200, wire.ItinerarySchema, **ETAG)
    @blp.doc(**IF_MATCH)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    @blp.alt_response(412, **PRECONDITION_412)
    def patch(self, data, itinerary_id, day_number):
        """Change a day's title or description (If-Match: the itinerary's ETag; the answer is the itinerary)"""
        with rpc() as services:
            return with_etag(services.itinerary.update_day(itinerary_id, day_number,
                                                           wire.DayUpdateSchema().dump(data), if_match()))

    @allow(*DESIGN)
    @blp.response(204)
    @blp.alt_response(409, description="The itinerary has an accepted quote, or this is its only day.")
    def delete(self, itinerary_id, day_number):
        """Remove a day and its items; the following days move one day earlier"""
        with rpc() as services:
            services.itinerary.remove_day(itinerary_id, day_number)


@blp.route("/itineraries/<string:itinerary_id>/days/<int:day_number>/items")
class ItineraryItems(MethodView):
    @allow(*DESIGN)
    @blp.arguments(wire.ItemCreateSchema)
    @blp.response(201, wire.ItemSchema, **LOCATION)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    def post(self, data, itinerary_id, day_number):
        """Add an item: an inventory product from ticketing, or a manual component"""
        with rpc() as services:
            item = services.itinerary.add_item(itinerary_id, day_number, wire.ItemCreateSchema().dump(data))
        return created(item, f"/api/v1/itineraries/{itinerary_id}/items/{item['id']}")


@blp.route("/itineraries/<string:itinerary_id>/items/<int:item_id>")
class ItineraryItem(MethodView):
    @allow(*READ)
    @blp.response(200, wire.ItemSchema)
    def get(self, itinerary_id, item_id):
        """An item of an itinerary"""
        with rpc() as services:
            return services.itinerary.get_item(itinerary_id, item_id)

    @allow(*DESIGN)
    @blp.arguments(wire.ItemUpdateSchema(partial=True))
    @blp.response(200, wire.ItemSchema, headers={"ETag": {
        "description": "The itinerary's ETag after the change (its days and items are one record)",
        "schema": {"type": "string"}}})
    @blp.doc(**IF_MATCH)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    @blp.alt_response(412, **PRECONDITION_412)
    def patch(self, data, itinerary_id, item_id):
        """Change an item (day_number moves it to another day); If-Match: the itinerary's ETag"""
        with rpc() as services:
            result = services.itinerary.update_item(itinerary_id, item_id,
                                                    wire.ItemUpdateSchema(partial=True).dump(data), if_match())
        return result["item"], 200, {"ETag": result["itinerary_etag"]}

    @allow(*DESIGN)
    @blp.response(204)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    def delete(self, itinerary_id, item_id):
        """Remove an item"""
        with rpc() as services:
            services.itinerary.remove_item(itinerary_id, item_id)


@blp.route("/itineraries/<string:itinerary_id>/refresh-prices")
class ItineraryRefresh(MethodView):
    @allow(*DESIGN)
    @blp.response(200, wire.RefreshResultSchema)
    def post(self, itinerary_id):
        """Read every inventory item's prices from ticketing again"""
        with rpc() as services:
            return services.itinerary.refresh_prices(itinerary_id)


@blp.route("/itineraries/<string:itinerary_id>/checks")
class ItineraryChecks(MethodView):
    @allow(*DESIGN)
    @blp.response(200, wire.ChecksSchema)
    def get(self, itinerary_id):
        """Problems: dates outside the trip, hotel gaps and overlaps, broken connections, availability"""
        with rpc() as services:
            return services.itinerary.check_itinerary(itinerary_id)


@blp.route("/itineraries/<string:itinerary_id>/cost-sheet")
class ItineraryCostSheet(MethodView):
    @allow(*READ)
    @blp.response(200, wire.CostSheetSchema)
    def get(self, itinerary_id):
        """Net cost, markup and sell per line; totals, margin, prices per person; approval needed?"""
        with rpc() as services:
            return services.itinerary.cost_sheet(itinerary_id)


@blp.route("/itineraries/<string:itinerary_id>/approval")
class ItineraryApproval(MethodView):
    @allow("manager")
    @blp.arguments(wire.ApprovalCreateSchema)
    @blp.response(201, wire.ApprovalSchema, **LOCATION)
    def post(self, data, itinerary_id):
        """A manager approves the current revision at its current price (low margin, big discount)

        Location is the cost sheet, whose `approval.approved` shows the approval while it covers it.
        """
        with rpc() as services:
            approval = services.itinerary.approve(itinerary_id, data)
        return created(approval, f"/api/v1/itineraries/{itinerary_id}/cost-sheet")


# --- quotes --------------------------------------------------------------------------------------

@blp.route("/itineraries/<string:itinerary_id>/quotes")
class ItineraryQuotes(MethodView):
    @allow(*READ)
    @blp.response(200, wire.QuoteSummarySchema(many=True))
    def get(self, itinerary_id):
        """Every version issued"""
        with rpc() as services:
            return services.itinerary.list_quotes(itinerary_id)

    @allow(*DESIGN)
    @blp.arguments(wire.QuoteIssueSchema)
    @blp.response(201, wire.QuoteSchema, **LOCATION)
    @blp.alt_response(409, description="Nothing to quote, prices missing, or a manager's approval is needed.")
    def post(self, data, itinerary_id):
        """Issue the next version: a frozen snapshot of the cost sheet with validity and terms"""
        with rpc() as services:
            quote = services.itinerary.issue_quote(itinerary_id, wire.QuoteIssueSchema().dump(data))
        return created(quote, f"/api/v1/itineraries/{itinerary_id}/quotes/{quote['version']}")


@blp.route("/itineraries/<string:itinerary_id>/quotes/<int:version>")
class ItineraryQuoteVersion(MethodView):
    @allow(*READ)
    @blp.response(200, wire.QuoteSchema)
    def get(self, itinerary_id, version):
        """One version with its snapshot"""
        with rpc() as services:
            return services.itinerary.get_quote(itinerary_id, version)


@blp.route("/itineraries/<string:itinerary_id>/quotes/<int:version>/sheet.pdf")
class ItineraryQuoteSheet(MethodView):
    @allow(*DESIGN)
    @blp.arguments(wire.QuoteSheetQuerySchema, location="query")
    @blp.response(200, PDF_SCHEMA, description="The quote sheet as a PDF (A4)", **PDF_DOC)
    def get(self, query, itinerary_id, version):
        """The customer's quote sheet of one version, rendered from its snapshot alone

        Every service by day with its price; the price composition (services, discount, agency
        service fee, taxes, total) with how each is computed; prices per adult and per child, the
        single supplement and each traveller's price; the exchange rates used; validity, payment
        and cancellation terms. `costs=true` gives the agency's copy with each line's net cost,
        rate and markup, and the margin.
        """
        with rpc() as services:
            return pdf_response(services.itinerary.quote_sheet(itinerary_id, version,
                                                               wire.QuoteSheetQuerySchema().dump(query)))


@blp.route("/itineraries/<string:itinerary_id>/quotes/<int:version>/accept")
class ItineraryQuoteAccept(MethodView):
    @allow(*DESIGN)
    @blp.arguments(wire.QuoteDecisionSchema)
    @blp.response(200, wire.QuoteSchema)
    @blp.alt_response(409, description="This version expired or was already decided, or another was accepted.")
    def post(self, data, itinerary_id, version):
        """The customer accepts this version (409 if expired, superseded or another was accepted)"""
        with rpc() as services:
            return services.itinerary.accept_quote(itinerary_id, version, data)


@blp.route("/itineraries/<string:itinerary_id>/quotes/<int:version>/reject")
class ItineraryQuoteReject(MethodView):
    @allow(*DESIGN)
    @blp.arguments(wire.QuoteDecisionSchema)
    @blp.response(200, wire.QuoteSchema)
    @blp.alt_response(409, description="This version expired or was already decided, or another was accepted.")
    def post(self, data, itinerary_id, version):
        """The customer declines this version"""
        with rpc() as services:
            return services.itinerary.reject_quote(itinerary_id, version, data)


# --- pricing policy ------------------------------------------------------------------------------

@blp.route("/exchange-rates")
class ExchangeRates(MethodView):
    @allow("consultant", "manager", "finance")
    @blp.arguments(wire.ExchangeRateQuerySchema, location="query")
    @blp.response(200, wire.ExchangeRateSchema(many=True))
    def get(self, query):
        """Exchange rates in force, newest first per pair (history=true: with the superseded ones)"""
        with rpc() as services:
            return services.itinerary.list_exchange_rates(query)

    @allow("manager", "finance")
    @blp.arguments(wire.ExchangeRateCreateSchema)
    @blp.response(201, wire.ExchangeRateSetSchema, **LOCATION)
    def post(self, data):
        """Set 1 base = rate quote from valid_from on

        The same pair and date again is a correction: a new rate, and the answer's `replaced` names
        the one it replaces, which is kept (superseded; `GET ?history=true`). Quotes already issued
        keep the rates they locked.
        """
        with rpc() as services:
            rate = services.itinerary.set_exchange_rate(wire.ExchangeRateCreateSchema().dump(data))
        return created(rate, f"/api/v1/exchange-rates?base={rate['base']}&quote={rate['quote']}")


@blp.route("/markup-rules")
class MarkupRules(MethodView):
    @allow(*READ)
    @blp.response(200, wire.MarkupRuleSchema(many=True))
    def get(self):
        """Markup rules; the most specific match wins: kind and supplier, supplier, kind, default"""
        with rpc() as services:
            return services.itinerary.list_markup_rules()

    @allow("manager")
    @blp.arguments(wire.MarkupRuleCreateSchema)
    @blp.response(201, wire.MarkupRuleSchema, **LOCATION)
    def post(self, data):
        """Add a markup rule (one per kind and supplier scope)"""
        with rpc() as services:
            rule = services.itinerary.create_markup_rule(wire.MarkupRuleCreateSchema().dump(data))
        return created(rule, f"/api/v1/markup-rules/{rule['id']}")


@blp.route("/markup-rules/<int:rule_id>")
class MarkupRuleById(MethodView):
    @allow(*READ)
    @blp.response(200, wire.MarkupRuleSchema)
    def get(self, rule_id):
        """A markup rule"""
        with rpc() as services:
            return services.itinerary.get_markup_rule(rule_id)

    @allow("manager")
    @blp.arguments(wire.MarkupRuleUpdateSchema(partial=True))
    @blp.response(200, wire.MarkupRuleSchema)
    @blp.alt_response(409, description="Another markup rule already covers this kind and supplier.")
    def patch(self, data, rule_id):
        """Change a markup rule"""
        with rpc() as services:
            return services.itinerary.update_markup_rule(rule_id, wire.MarkupRuleUpdateSchema(partial=True).dump(data))

    @allow("manager")
    @blp.response(204)
    def delete(self, rule_id):
        """Remove a markup rule"""
        with rpc() as services:
            services.itinerary.delete_markup_rule(rule_id)


@blp.route("/pricing-settings")
class PricingSettings(MethodView):
    @allow(*READ)
    @blp.response(200, wire.PricingSettingsOutSchema)
    def get(self):
        """Minimum margin, discount threshold, child factor, fee, taxes, validity, default terms"""
        with rpc() as services:
            return services.itinerary.get_pricing_settings()

    @allow("manager")
    @blp.arguments(wire.PricingSettingsSchema)
    @blp.response(200, wire.PricingSettingsOutSchema)
    def put(self, data):
        """Set the agency's pricing policy (applies to sheets computed from now on)"""
        with rpc() as services:
            return services.itinerary.update_pricing_settings(wire.PricingSettingsSchema().dump(data))
