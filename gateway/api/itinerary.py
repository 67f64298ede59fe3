"""Itinerary design and quoting: catalog, itineraries (days, items), checks, cost sheets, quotes,
and the pricing policy (exchange rates, markup rules, settings).

Roles: consultants and managers design and quote; any staff (the front desk above all) reads the
published catalog; only managers approve a quote below the minimum margin or above the discount
threshold, and set markups and pricing settings; managers and finance keep the exchange rates.
"""
import base64

from flask import Response
from flask.views import MethodView

from services.itinerary import inventory as _registers_remote_errors  # noqa: F401
from services.itinerary import schemas as s

from ..auth import ANY_STAFF, allow
from ..context import rpc
from . import Blueprint, attachment, attachment_doc

blp = Blueprint("itinerary", __name__, url_prefix="/api/v1",
                description="Catalog, itineraries, cost sheets and versioned quotes")

DESIGN = ("consultant", "manager")
READ = ("consultant", "manager", "finance")

# OpenAPI description of a PDF download, for @blp.response(200, PDF_SCHEMA, **PDF_DOC).
PDF_SCHEMA = {"type": "string", "format": "binary"}
PDF_DOC = attachment_doc("application/pdf", "pdf")


def pdf_response(document: dict) -> Response:
    """A PDF attachment from a service's {"filename", "content_type", "content_base64"}."""
    response = attachment(base64.b64decode(document["content_base64"]), "application/pdf", document["filename"])
    response.headers["Cache-Control"] = "private, no-store"  # a quote sheet names the customer
    return response


# --- catalog -------------------------------------------------------------------------------------

@blp.route("/catalog")
class PublishedCatalog(MethodView):
    @allow(ANY_STAFF)
    @blp.arguments(s.CatalogQuerySchema, location="query")
    @blp.response(200, s.CatalogProductSchema(many=True))
    def get(self, query):
        """The published catalog: featured products first (by rank), then newest first"""
        with rpc() as services:
            return services.itinerary.published_catalog(query)


@blp.route("/catalog/brochure.pdf")
class CatalogBrochure(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(s.BrochureQuerySchema, location="query")
    @blp.response(200, PDF_SCHEMA, description="The brochure as a PDF (A4)", **PDF_DOC)
    def get(self, query):
        """The published catalog as a printable PDF brochure: featured first (by rank), then newest

        Each product with its seasons and prices, day-by-day programme, what is included and what
        is not; at most 200 products (filter by destination, kind or featured for a smaller one).
        """
        with rpc() as services:
            return pdf_response(services.itinerary.catalog_brochure(s.BrochureQuerySchema().dump(query)))


@blp.route("/catalog/products")
class CatalogProducts(MethodView):
    @allow(*DESIGN)
    @blp.arguments(s.CatalogQuerySchema, location="query")
    @blp.response(200, s.CatalogProductSchema(many=True))
    def get(self, query):
        """Every catalog product, published or not"""
        with rpc() as services:
            return services.itinerary.list_catalog_products(query)

    @allow(*DESIGN)
    @blp.arguments(s.CatalogProductCreateSchema)
    @blp.response(201, s.CatalogProductSchema)
    def post(self, data):
        """Add a regular route or package, with its template days and seasons"""
        with rpc() as services:
            return services.itinerary.create_catalog_product(s.CatalogProductCreateSchema().dump(data))


@blp.route("/catalog/products/<string:product_id>")
class CatalogProductById(MethodView):
    @allow(ANY_STAFF)
    @blp.response(200, s.CatalogProductSchema)
    def get(self, product_id):
        """Get a catalog product"""
        with rpc() as services:
            return services.itinerary.get_catalog_product(product_id)

    @allow(*DESIGN)
    @blp.arguments(s.CatalogProductUpdateSchema)
    @blp.response(200, s.CatalogProductSchema)
    def patch(self, data, product_id):
        """Change a catalog product (lists such as seasons and template are replaced whole)"""
        with rpc() as services:
            return services.itinerary.update_catalog_product(product_id, s.CatalogProductUpdateSchema().dump(data))


# --- itineraries ---------------------------------------------------------------------------------

@blp.route("/itineraries")
class Itineraries(MethodView):
    @allow(*READ)
    @blp.arguments(s.ItineraryQuerySchema, location="query")
    @blp.response(200, s.ItinerarySummarySchema(many=True))
    def get(self, query):
        """Itineraries by customer, inquiry or status, latest changed first"""
        with rpc() as services:
            return services.itinerary.list_itineraries(query)

    @allow(*DESIGN)
    @blp.arguments(s.ItineraryCreateSchema)
    @blp.response(201, s.ItinerarySchema)
    @blp.alt_response(404, description="No catalog product with the given catalog_product_id.")
    def post(self, data):
        """Start an itinerary: blank, for an inquiry, or from a catalog product"""
        with rpc() as services:
            return services.itinerary.create_itinerary(s.ItineraryCreateSchema().dump(data))


@blp.route("/itineraries/<string:itinerary_id>")
class ItineraryById(MethodView):
    @allow(*READ)
    @blp.response(200, s.ItinerarySchema)
    def get(self, itinerary_id):
        """An itinerary with its days and items"""
        with rpc() as services:
            return services.itinerary.get_itinerary(itinerary_id)

    @allow(*DESIGN)
    @blp.arguments(s.ItineraryUpdateSchema)
    @blp.response(200, s.ItinerarySchema)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    def patch(self, data, itinerary_id):
        """Change the party, dates, currency or pricing; a new start date moves every item"""
        with rpc() as services:
            return services.itinerary.update_itinerary(itinerary_id, s.ItineraryUpdateSchema().dump(data))


@blp.route("/itineraries/<string:itinerary_id>/days")
class ItineraryDays(MethodView):
    @allow(*DESIGN)
    @blp.arguments(s.DayFieldsSchema)
    @blp.response(201, s.ItinerarySchema)
    @blp.alt_response(409, description="The itinerary has an accepted quote or the most days it may have.")
    def post(self, data, itinerary_id):
        """Add a day at the end"""
        with rpc() as services:
            return services.itinerary.add_day(itinerary_id, s.DayFieldsSchema().dump(data))


@blp.route("/itineraries/<string:itinerary_id>/days/<int:day_number>")
class ItineraryDay(MethodView):
    @allow(*DESIGN)
    @blp.arguments(s.DayUpdateSchema)
    @blp.response(200, s.ItinerarySchema)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    def patch(self, data, itinerary_id, day_number):
        """Change a day's title or description"""
        with rpc() as services:
            return services.itinerary.update_day(itinerary_id, day_number, s.DayUpdateSchema().dump(data))

    @allow(*DESIGN)
    @blp.response(200, s.ItinerarySchema)
    @blp.alt_response(409, description="The itinerary has an accepted quote, or this is its only day.")
    def delete(self, itinerary_id, day_number):
        """Remove a day and its items; the following days move one day earlier"""
        with rpc() as services:
            return services.itinerary.remove_day(itinerary_id, day_number)


@blp.route("/itineraries/<string:itinerary_id>/days/<int:day_number>/items")
class ItineraryItems(MethodView):
    @allow(*DESIGN)
    @blp.arguments(s.ItemCreateSchema)
    @blp.response(201, s.ItemSchema)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    def post(self, data, itinerary_id, day_number):
        """Add an item: an inventory product from ticketing, or a manual component"""
        with rpc() as services:
            return services.itinerary.add_item(itinerary_id, day_number, s.ItemCreateSchema().dump(data))


@blp.route("/itineraries/<string:itinerary_id>/items/<int:item_id>")
class ItineraryItem(MethodView):
    @allow(*DESIGN)
    @blp.arguments(s.ItemUpdateSchema(partial=True))
    @blp.response(200, s.ItemSchema)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    def patch(self, data, itinerary_id, item_id):
        """Change an item (day_number moves it to another day)"""
        with rpc() as services:
            return services.itinerary.update_item(itinerary_id, item_id, s.ItemUpdateSchema(partial=True).dump(data))

    @allow(*DESIGN)
    @blp.response(200, s.ItinerarySchema)
    @blp.alt_response(409, description="The itinerary has an accepted quote and can no longer change.")
    def delete(self, itinerary_id, item_id):
        """Remove an item"""
        with rpc() as services:
            return services.itinerary.remove_item(itinerary_id, item_id)


@blp.route("/itineraries/<string:itinerary_id>/refresh-prices")
class ItineraryRefresh(MethodView):
    @allow(*DESIGN)
    @blp.response(200, s.RefreshResultSchema)
    def post(self, itinerary_id):
        """Read every inventory item's prices from ticketing again"""
        with rpc() as services:
            return services.itinerary.refresh_prices(itinerary_id)


@blp.route("/itineraries/<string:itinerary_id>/checks")
class ItineraryChecks(MethodView):
    @allow(*DESIGN)
    @blp.response(200, s.ChecksSchema)
    def get(self, itinerary_id):
        """Problems: dates outside the trip, hotel gaps and overlaps, broken connections, availability"""
        with rpc() as services:
            return services.itinerary.check_itinerary(itinerary_id)


@blp.route("/itineraries/<string:itinerary_id>/cost-sheet")
class ItineraryCostSheet(MethodView):
    @allow(*READ)
    @blp.response(200, s.CostSheetSchema)
    def get(self, itinerary_id):
        """Net cost, markup and sell per line; totals, margin, prices per person; approval needed?"""
        with rpc() as services:
            return services.itinerary.cost_sheet(itinerary_id)


@blp.route("/itineraries/<string:itinerary_id>/approval")
class ItineraryApproval(MethodView):
    @allow("manager")
    @blp.arguments(s.ApprovalCreateSchema)
    @blp.response(201, s.ApprovalSchema)
    def post(self, data, itinerary_id):
        """A manager approves the current revision at its current price (low margin, big discount)"""
        with rpc() as services:
            return services.itinerary.approve(itinerary_id, data)


# --- quotes --------------------------------------------------------------------------------------

@blp.route("/itineraries/<string:itinerary_id>/quotes")
class ItineraryQuotes(MethodView):
    @allow(*READ)
    @blp.response(200, s.QuoteSummarySchema(many=True))
    def get(self, itinerary_id):
        """Every version issued"""
        with rpc() as services:
            return services.itinerary.list_quotes(itinerary_id)

    @allow(*DESIGN)
    @blp.arguments(s.QuoteIssueSchema)
    @blp.response(201, s.QuoteSchema)
    @blp.alt_response(409, description="Nothing to quote, prices missing, or a manager's approval is needed.")
    def post(self, data, itinerary_id):
        """Issue the next version: a frozen snapshot of the cost sheet with validity and terms"""
        with rpc() as services:
            return services.itinerary.issue_quote(itinerary_id, s.QuoteIssueSchema().dump(data))


@blp.route("/itineraries/<string:itinerary_id>/quotes/<int:version>")
class ItineraryQuoteVersion(MethodView):
    @allow(*READ)
    @blp.response(200, s.QuoteSchema)
    def get(self, itinerary_id, version):
        """One version with its snapshot"""
        with rpc() as services:
            return services.itinerary.get_quote(itinerary_id, version)


@blp.route("/itineraries/<string:itinerary_id>/quotes/<int:version>/sheet.pdf")
class ItineraryQuoteSheet(MethodView):
    @allow(*DESIGN)
    @blp.arguments(s.QuoteSheetQuerySchema, location="query")
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
                                                               s.QuoteSheetQuerySchema().dump(query)))


@blp.route("/itineraries/<string:itinerary_id>/quotes/<int:version>/accept")
class ItineraryQuoteAccept(MethodView):
    @allow(*DESIGN)
    @blp.arguments(s.QuoteDecisionSchema)
    @blp.response(200, s.QuoteSchema)
    @blp.alt_response(409, description="This version expired or was already decided, or another was accepted.")
    def post(self, data, itinerary_id, version):
        """The customer accepts this version (409 if expired, superseded or another was accepted)"""
        with rpc() as services:
            return services.itinerary.accept_quote(itinerary_id, version, data)


@blp.route("/itineraries/<string:itinerary_id>/quotes/<int:version>/reject")
class ItineraryQuoteReject(MethodView):
    @allow(*DESIGN)
    @blp.arguments(s.QuoteDecisionSchema)
    @blp.response(200, s.QuoteSchema)
    @blp.alt_response(409, description="This version expired or was already decided, or another was accepted.")
    def post(self, data, itinerary_id, version):
        """The customer declines this version"""
        with rpc() as services:
            return services.itinerary.reject_quote(itinerary_id, version, data)


# --- pricing policy ------------------------------------------------------------------------------

@blp.route("/exchange-rates")
class ExchangeRates(MethodView):
    @allow("consultant", "manager", "finance")
    @blp.arguments(s.ExchangeRateQuerySchema, location="query")
    @blp.response(200, s.ExchangeRateSchema(many=True))
    def get(self, query):
        """Exchange rates in force, newest first per pair (history=true: with the superseded ones)"""
        with rpc() as services:
            return services.itinerary.list_exchange_rates(query)

    @allow("manager", "finance")
    @blp.arguments(s.ExchangeRateCreateSchema)
    @blp.response(201, s.ExchangeRateSetSchema)
    def post(self, data):
        """Set 1 base = rate quote from valid_from on

        The same pair and date again is a correction: a new rate, and the answer's `replaced` names
        the one it replaces, which is kept (superseded; `GET ?history=true`). Quotes already issued
        keep the rates they locked.
        """
        with rpc() as services:
            return services.itinerary.set_exchange_rate(s.ExchangeRateCreateSchema().dump(data))


@blp.route("/markup-rules")
class MarkupRules(MethodView):
    @allow(*READ)
    @blp.response(200, s.MarkupRuleSchema(many=True))
    def get(self):
        """Markup rules; the most specific match wins: kind and supplier, supplier, kind, default"""
        with rpc() as services:
            return services.itinerary.list_markup_rules()

    @allow("manager")
    @blp.arguments(s.MarkupRuleCreateSchema)
    @blp.response(201, s.MarkupRuleSchema)
    def post(self, data):
        """Add a markup rule (one per kind and supplier scope)"""
        with rpc() as services:
            return services.itinerary.create_markup_rule(s.MarkupRuleCreateSchema().dump(data))


@blp.route("/markup-rules/<int:rule_id>")
class MarkupRuleById(MethodView):
    @allow("manager")
    @blp.arguments(s.MarkupRuleUpdateSchema(partial=True))
    @blp.response(200, s.MarkupRuleSchema)
    @blp.alt_response(409, description="Another markup rule already covers this kind and supplier.")
    def patch(self, data, rule_id):
        """Change a markup rule"""
        with rpc() as services:
            return services.itinerary.update_markup_rule(rule_id, s.MarkupRuleUpdateSchema(partial=True).dump(data))

    @allow("manager")
    @blp.response(204)
    def delete(self, rule_id):
        """Remove a markup rule"""
        with rpc() as services:
            services.itinerary.delete_markup_rule(rule_id)


@blp.route("/pricing-settings")
class PricingSettings(MethodView):
    @allow(*READ)
    @blp.response(200, s.PricingSettingsOutSchema)
    def get(self):
        """Minimum margin, discount threshold, child factor, fee, taxes, validity, default terms"""
        with rpc() as services:
            return services.itinerary.get_pricing_settings()

    @allow("manager")
    @blp.arguments(s.PricingSettingsSchema)
    @blp.response(200, s.PricingSettingsOutSchema)
    def put(self, data):
        """Set the agency's pricing policy (applies to sheets computed from now on)"""
        with rpc() as services:
            return services.itinerary.update_pricing_settings(s.PricingSettingsSchema().dump(data))
