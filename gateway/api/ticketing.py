"""Ticketing for staff: suppliers, products, inventory, availability, holds, bookings."""
from flask.views import MethodView

from services.common.etags import etag_of
from services.ticketing import wire as s

from ..auth import allow
from ..context import rpc
from . import CSV_DOC, ETAG, IF_MATCH, LOCATION, PRECONDITION_412, Blueprint, created, csv_response, if_match, with_etag

blp = Blueprint("ticketing", __name__, url_prefix="/api/v1", description="Supplier inventory, holds and bookings")


@blp.route("/suppliers")
class Suppliers(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.arguments(s.SupplierQuerySchema, location="query")
    @blp.response(200, s.SupplierPageSchema)
    def get(self, query):
        """List suppliers by name (part of it, case aside) or kind"""
        with rpc() as services:
            return services.ticketing.list_suppliers(query)

    @allow("ticketing", "manager")
    @blp.arguments(s.SupplierCreateSchema)
    @blp.response(201, s.SupplierSchema, **LOCATION)
    def post(self, data):
        """Register a supplier"""
        with rpc() as services:
            supplier = services.ticketing.create_supplier(data)
        return created(supplier, f"/api/v1/suppliers/{supplier['id']}")


@blp.route("/suppliers/<string:supplier_id>")
class SupplierById(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.response(200, s.SupplierSchema)
    def get(self, supplier_id):
        """Get a supplier"""
        with rpc() as services:
            return services.ticketing.get_supplier(supplier_id)


@blp.route("/suppliers/<string:supplier_id>/api-key")
class SupplierApiKey(MethodView):
    @allow("manager")
    @blp.response(201, s.ApiKeySchema, **LOCATION)
    def post(self, supplier_id):
        """Issue a new push API key (shown once; replaces any earlier key)

        The key itself is never shown again: `Location` is the supplier, whose `api_key_prefix`
        and `api_key_active` tell which key is in force.
        """
        with rpc() as services:
            key = services.ticketing.issue_supplier_key(supplier_id)
        return created(key, f"/api/v1/suppliers/{supplier_id}")

    @allow("manager")
    @blp.response(204)
    def delete(self, supplier_id):
        """Revoke the supplier's API key"""
        with rpc() as services:
            services.ticketing.revoke_supplier_key(supplier_id)
        return None


@blp.route("/products")
class Products(MethodView):
    @allow("consultant", "ticketing", "manager")
    @blp.arguments(s.ProductQuerySchema, location="query")
    @blp.response(200, s.ProductPageSchema)
    def get(self, query):
        """List inventory products by supplier, kind, location, or part of the name or code"""
        with rpc() as services:
            return services.ticketing.list_products(query)

    @allow("ticketing", "manager")
    @blp.arguments(s.ProductCreateSchema)
    @blp.response(201, s.ProductSchema, **LOCATION)
    @blp.alt_response(404, description="No supplier with the given supplier_id.")
    def post(self, data):
        """Add an inventory product (a flight, a hotel room type, an attraction ticket...)"""
        with rpc() as services:
            product = services.ticketing.create_product(data)
        return created(product, f"/api/v1/products/{product['id']}")


@blp.route("/products/<string:product_id>")
class ProductById(MethodView):
    @allow("consultant", "ticketing", "manager")
    @blp.response(200, s.ProductSchema)
    def get(self, product_id):
        """Get an inventory product"""
        with rpc() as services:
            return services.ticketing.get_product(product_id)


@blp.route("/products/<string:product_id>/inventory")
class ProductInventory(MethodView):
    @allow("consultant", "ticketing", "manager")
    @blp.arguments(s.DateRangeQuerySchema, location="query")
    @blp.response(200, s.DailyInventorySchema(many=True), **ETAG)
    def get(self, query, product_id):
        """Daily allotments with booked, held and available units

        The `ETag` is the version of these dates (this `start` to `end`) as read now: send it in
        `If-Match` with a PUT of the same `start` and `end`.
        """
        with rpc() as services:
            return with_etag(services.ticketing.get_inventory(product_id, query["start"], query["end"]))

    @allow("ticketing", "manager")
    @blp.arguments(s.InventoryUpdateSchema)
    @blp.doc(**IF_MATCH)
    @blp.response(200, s.InventorySetResultSchema, **ETAG)
    @blp.alt_response(412, **PRECONDITION_412)
    def put(self, data, product_id):
        """Set capacity, prices, release days or stop-sell over a date range

        `If-Match` must be the `ETag` of a GET of this product's inventory with the same `start`
        and `end` as this change (an ETag of another range never matches): the change is refused
        with 412 if any of those dates changed since, including units booked or held there. The
        answer's `days` and `ETag` are those dates after the change.
        """
        with rpc() as services:
            result = services.ticketing.set_inventory(product_id, s.InventoryUpdateSchema().dump(data), if_match())
        return result, 200, {"ETag": etag_of(result["days"])}


@blp.route("/products/<string:product_id>/inventory-changes")
class ProductInventoryChanges(MethodView):
    @allow("ticketing", "manager")
    @blp.arguments(s.DateRangeQuerySchema, location="query")
    @blp.response(200, s.InventoryChangeSchema(many=True))
    def get(self, query, product_id):
        """Who changed what, when, and from which message"""
        with rpc() as services:
            return services.ticketing.inventory_changes(product_id, query["start"], query["end"])


@blp.route("/availability")
class Availability(MethodView):
    @allow("front_desk", "consultant", "ticketing", "manager")
    @blp.arguments(s.AvailabilityQuerySchema, location="query")
    @blp.response(200, s.AvailabilityResultSchema(many=True))
    def get(self, query):
        """Search availability by kind, location or route, dates and quantity"""
        with rpc() as services:
            return services.ticketing.search_availability(s.AvailabilityQuerySchema().dump(query))


@blp.route("/availability/calendar")
class AvailabilityCalendar(MethodView):
    @allow("front_desk", "consultant", "ticketing", "manager")
    @blp.arguments(s.CalendarQuerySchema, location="query")
    @blp.response(200, s.CalendarSchema)
    def get(self, query):
        """A month as a product x date grid"""
        with rpc() as services:
            return services.ticketing.availability_calendar(query)


@blp.route("/holds")
class Holds(MethodView):
    @allow("consultant", "ticketing", "manager")
    @blp.arguments(s.HoldQuerySchema, location="query")
    @blp.response(200, s.HoldPageSchema)
    def get(self, query):
        """List holds, newest first, by status, product, travel date or reference"""
        with rpc() as services:
            return services.ticketing.list_holds(s.HoldQuerySchema().dump(query))

    @allow("consultant", "ticketing", "manager")
    @blp.arguments(s.HoldCreateSchema)
    @blp.response(201, s.HoldSchema, **LOCATION)
    @blp.alt_response(404, description="No inventory product with a line's product_id.")
    @blp.alt_response(409, description="A line's date is past, has no allotment, is closed or has too few units left.")
    def post(self, data):
        """Hold several lines, all or nothing, until they expire"""
        with rpc() as services:
            hold = services.ticketing.place_hold(s.HoldCreateSchema().dump(data))
        return created(hold, f"/api/v1/holds/{hold['id']}")


@blp.route("/holds/<string:hold_id>")
class HoldById(MethodView):
    @allow("consultant", "ticketing", "manager")
    @blp.response(200, s.HoldSchema)
    def get(self, hold_id):
        """Get a hold"""
        with rpc() as services:
            return services.ticketing.get_hold(hold_id)


@blp.route("/holds/<string:hold_id>/extend")
class HoldExtend(MethodView):
    @allow("consultant", "ticketing", "manager")
    @blp.arguments(s.HoldExtendSchema)
    @blp.response(200, s.HoldSchema)
    @blp.alt_response(409, description="The hold is no longer active (expired, released or confirmed).")
    def post(self, data, hold_id):
        """Extend an active hold"""
        with rpc() as services:
            return services.ticketing.extend_hold(hold_id, data)


@blp.route("/holds/<string:hold_id>/release")
class HoldRelease(MethodView):
    @allow("consultant", "ticketing", "manager")
    @blp.response(200, s.HoldSchema)
    @blp.alt_response(409, description="The hold is no longer active (expired, released or confirmed).")
    def post(self, hold_id):
        """Release an active hold"""
        with rpc() as services:
            return services.ticketing.release_hold(hold_id)


@blp.route("/holds/<string:hold_id>/confirm")
class HoldConfirm(MethodView):
    @allow("consultant", "ticketing", "manager")
    @blp.alt_response(409, description="The hold expired or was released, or a line can no longer be booked.")
    @blp.response(201, s.BookingSchema, **LOCATION)
    @blp.alt_response(200, schema=s.BookingSchema, success=True,
                      description="The hold was confirmed before: its booking, unchanged")
    def post(self, hold_id):
        """Confirm a hold into a booking with a locator and voucher numbers

        Confirming it again answers 200 with the same booking (a client that lost the answer
        learns its locator); nothing is booked twice.
        """
        with rpc() as services:
            booking = services.ticketing.confirm_hold(hold_id)
        if booking.pop("already_confirmed", False):
            return booking, 200
        return created(booking, f"/api/v1/bookings/{booking['locator']}")


@blp.route("/bookings")
class Bookings(MethodView):
    @allow("front_desk", "consultant", "ticketing", "finance", "manager")
    @blp.arguments(s.BookingQuerySchema, location="query")
    @blp.response(200, s.BookingPageSchema)
    def get(self, query):
        """Find bookings by locator (any case), traveller name or phone, customer, product, supplier,
        travel date or status; newest first"""
        with rpc() as services:
            return services.ticketing.search_bookings(s.BookingQuerySchema().dump(query))


@blp.route("/bookings/<string:booking_ref>")
class BookingByRef(MethodView):
    @allow("front_desk", "consultant", "ticketing", "finance", "manager")
    @blp.response(200, s.BookingSchema)
    def get(self, booking_ref):
        """Get a booking by id or locator"""
        with rpc() as services:
            return services.ticketing.get_booking(booking_ref)


@blp.route("/bookings/<string:booking_ref>/cancel")
class BookingCancel(MethodView):
    @allow("ticketing", "manager")
    @blp.arguments(s.CancelRequestSchema)
    @blp.response(200, s.BookingSchema)
    @blp.alt_response(409, description="The booking is already cancelled.")
    def post(self, data, booking_ref):
        """Cancel every confirmed line of a booking, saying why"""
        with rpc() as services:
            return services.ticketing.cancel_booking(booking_ref, None, data)


@blp.route("/bookings/<string:booking_ref>/lines/<int:line_id>/cancel")
class BookingLineCancel(MethodView):
    @allow("ticketing", "manager")
    @blp.arguments(s.CancelRequestSchema)
    @blp.response(200, s.BookingSchema)
    @blp.alt_response(409, description="The line is not confirmed.")
    def post(self, data, booking_ref, line_id):
        """Cancel one line of a booking, saying why"""
        with rpc() as services:
            return services.ticketing.cancel_booking(booking_ref, line_id, data)


@blp.route("/bookings/<string:booking_ref>/lines/<int:line_id>/change")
class BookingLineChange(MethodView):
    @allow("ticketing", "manager")
    @blp.arguments(s.LineChangeRequestSchema)
    @blp.response(200, s.LineChangeResultSchema)
    @blp.alt_response(409, description="The line is not confirmed, the new product and date are the same, the currencies differ, or the new date cannot be booked.")
    def post(self, data, booking_ref, line_id):
        """Rebook a line onto another product or date; returns the fare difference"""
        with rpc() as services:
            return services.ticketing.change_booking_line(booking_ref, line_id,
                                                           s.LineChangeRequestSchema().dump(data))


@blp.route("/bookings/<string:booking_ref>/lines/<int:line_id>/refunds")
class BookingLineRefunds(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.arguments(s.RefundCreateSchema)
    @blp.response(201, s.RefundSchema, **LOCATION)
    @blp.alt_response(409, description="The line is still confirmed, or less than the amount is left to refund.")
    def post(self, data, booking_ref, line_id):
        """Record a refund on a cancelled or changed line"""
        with rpc() as services:
            refund = services.ticketing.refund_booking_line(booking_ref, line_id, s.RefundCreateSchema().dump(data))
        return created(refund, f"/api/v1/bookings/{booking_ref}/lines/{line_id}/refunds/{refund['id']}")


@blp.route("/bookings/<string:booking_ref>/lines/<int:line_id>/refunds/<int:refund_id>")
class BookingLineRefund(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.response(200, s.RefundSchema)
    def get(self, booking_ref, line_id, refund_id):
        """Get a refund of a booking line"""
        with rpc() as services:
            return services.ticketing.get_refund(booking_ref, line_id, refund_id)


# --- sales reports ---------------------------------------------------------------------------
# What each figure means: services/ticketing/reports/__init__.py.

@blp.route("/reports/sales")
class SalesReport(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.arguments(s.SalesReportQuerySchema, location="query")
    @blp.response(200, s.SalesReportSchema)
    def get(self, query):
        """Sales per day, week or month and per product, kind, supplier or destination, per currency

        Sales count on the UTC date of confirmation (a change's replacement too); cancellations and
        changes on the UTC date they happened, in their own columns; balance = sold - cancelled - changed.
        Amounts in different currencies are never added together. At most 366 days.
        """
        with rpc() as services:
            return services.ticketing.sales_report(s.SalesReportQuerySchema().dump(query))


@blp.route("/reports/sales.csv")
class SalesReportCsv(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.arguments(s.SalesReportCsvQuerySchema, location="query")
    @blp.response(200, {"type": "string"}, description="The sales report's rows as CSV (UTF-8, header row)",
                  example="bucket,bucket_start,bucket_end,group_key,group_label,currency,units_sold,...\r\n",
                  **CSV_DOC)
    def get(self, query):
        """The sales report as a CSV file, one row per bucket, group and currency"""
        with rpc() as services:
            return csv_response(services.ticketing.sales_report_csv(s.SalesReportCsvQuerySchema().dump(query)))


@blp.route("/reports/top-sellers")
class TopSellers(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.arguments(s.SellersQuerySchema, location="query")
    @blp.response(200, s.SellersReportSchema)
    def get(self, query):
        """The products that sold most units in the period (net of cancellations and changes)"""
        with rpc() as services:
            return services.ticketing.top_sellers(s.SellersQuerySchema().dump(query))


@blp.route("/reports/slow-sellers")
class SlowSellers(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.arguments(s.SellersQuerySchema, location="query")
    @blp.response(200, s.SellersReportSchema)
    def get(self, query):
        """The products that sold fewest units, the most unsold allotment first"""
        with rpc() as services:
            return services.ticketing.slow_sellers(s.SellersQuerySchema().dump(query))


@blp.route("/reports/suppliers/<string:supplier_id>/bookings")
class SupplierBookingsReport(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.arguments(s.SupplierBookingsQuerySchema, location="query")
    @blp.response(200, s.SupplierBookingsReportSchema)
    def get(self, query, supplier_id):
        """A supplier's booking lines confirmed, cancelled or changed in the period, for invoice matching"""
        with rpc() as services:
            return services.ticketing.supplier_bookings_report(supplier_id,
                                                               s.SupplierBookingsQuerySchema().dump(query))


@blp.route("/reports/suppliers/<string:supplier_id>/bookings.csv")
class SupplierBookingsReportCsv(MethodView):
    @allow("ticketing", "finance", "manager")
    @blp.arguments(s.SupplierBookingsCsvQuerySchema, location="query")
    @blp.response(200, {"type": "string"}, description="The supplier's booking lines as CSV (UTF-8, header row)",
                  example="locator,ticket_number,product_code,product_name,travel_date,quantity,net_price,...\r\n",
                  **CSV_DOC)
    def get(self, query, supplier_id):
        """A supplier's booking list as a CSV file"""
        with rpc() as services:
            return csv_response(services.ticketing.supplier_bookings_report_csv(
                supplier_id, s.SupplierBookingsCsvQuerySchema().dump(query)))


@blp.route("/reports/manifest")
class Manifest(MethodView):
    @allow("ticketing", "manager")
    @blp.arguments(s.ManifestQuerySchema, location="query")
    @blp.response(200, s.ManifestSchema)
    @blp.alt_response(404, description="No supplier or product with the given supplier_id or product_id.")
    def get(self, query):
        """The manifest of a travel date: a supplier's (or one product's) confirmed lines travelling that day

        What the clerk sends the airline or hotel for a departure: locators, voucher numbers,
        quantities and travellers (with their document numbers), and units per product.
        """
        with rpc() as services:
            return services.ticketing.manifest(s.ManifestQuerySchema().dump(query))


@blp.route("/reports/manifest.csv")
class ManifestCsv(MethodView):
    @allow("ticketing", "manager")
    @blp.arguments(s.ManifestCsvQuerySchema, location="query")
    @blp.response(200, {"type": "string"}, description="The manifest as CSV (UTF-8, header row), a row per line",
                  example="travel_date,product_code,product_name,locator,ticket_number,reference,quantity,...\r\n",
                  **CSV_DOC)
    @blp.alt_response(404, description="No supplier or product with the given supplier_id or product_id.")
    def get(self, query):
        """The manifest of a travel date as a CSV file"""
        with rpc() as services:
            return csv_response(services.ticketing.manifest_csv(s.ManifestCsvQuerySchema().dump(query)))
