"""Segments (CRM): past customers for after-sales marketing, as JSON pages or a CSV file."""
from flask.views import MethodView

from services.crm import wire

from ..auth import allow
from ..context import rpc
from . import CSV_DOC, Blueprint, csv_response

blp = Blueprint("segments", __name__, url_prefix="/api/v1/segments",
                description="Customer segments for after-sales marketing")


@blp.route("/customers")
class CustomerSegment(MethodView):
    @allow("consultant", "manager")
    @blp.arguments(wire.SegmentQuerySchema, location="query")
    @blp.response(200, wire.SegmentPageSchema)
    def get(self, query):
        """Customers in a segment, a page at a time

        Filters: `interests` and `destinations` (any of; repeat the parameter), `tag`,
        `preferred_language`, `last_trip_before` / `last_trip_after` (when the latest trip ends), and
        `consent` (`given` by default: only customers who accept marketing; `not_given`, `any`).
        """
        with rpc() as services:
            return services.crm.customer_segment(wire.SegmentQuerySchema().dump(query))


@blp.route("/customers.csv")
class CustomerSegmentCsv(MethodView):
    @allow("consultant", "manager")
    @blp.arguments(wire.SegmentQuerySchema, location="query")
    @blp.response(200, {"type": "string"}, description="The whole segment as CSV (UTF-8, header row)",
                  example="id,full_name,email,phone,preferred_language,nationality,interests,...\r\n", **CSV_DOC)
    def get(self, query):
        """The whole segment as a CSV file (page and page_size are ignored)

        The same filters as GET /segments/customers. No travel documents; cells a spreadsheet
        would run as formulas are prefixed with a quote.
        """
        with rpc() as services:
            return csv_response(services.crm.customer_segment_csv(wire.SegmentQuerySchema().dump(query)))
