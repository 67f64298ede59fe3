"""The trip of an order file, from its signature to the traveller's return: where it stands (holds,
booking and locators, supplier requests, the steps sent), the suppliers' answers, the meeting
point, the trip documents, and the desk's "needs attention" list.

Roles: consultants and managers run the trip; the ticketing desk records suppliers' answers and
sees the list; the front desk and finance read; the front desk also sends the trip documents.
"""
from flask.views import MethodView

from services.contracts import wire

from ..auth import allow
from ..context import rpc
from . import PDF_DOC, PDF_SCHEMA, Blueprint, pdf_response

blp = Blueprint("trips", __name__, url_prefix="/api/v1",
                description="The trip: holds, bookings, supplier confirmations, documents, attention list")

RUN = ("consultant", "manager")
ANSWER = ("consultant", "ticketing", "manager")
READ = ("front_desk", "consultant", "ticketing", "finance", "manager")


@blp.route("/order-files/<string:order_id>/trip")
class Trip(MethodView):
    @allow(*READ)
    @blp.response(200, wire.TripSchema)
    def get(self, order_id):
        """Where the trip stands: its stage, the hold, the booking with locators and tickets, the
        supplier requests, open attention items and every step sent to another service"""
        with rpc() as services:
            return services.contracts.get_trip(order_id)


@blp.route("/order-files/<string:order_id>/trip/supplier-requests/<int:request_id>/answer")
class SupplierAnswer(MethodView):
    @allow(*ANSWER)
    @blp.arguments(wire.ServiceAnswerSchema)
    @blp.response(200, wire.SupplierRequestSchema)
    @blp.alt_response(409, description="The request was withdrawn (the trip was cancelled or amended).")
    def post(self, data, order_id, request_id):
        """Record a supplier's answer: confirmed with its reference, or declined (the order file
        then needs attention)"""
        with rpc() as services:
            return services.contracts.answer_supplier_request(order_id, request_id, data)


@blp.route("/order-files/<string:order_id>/trip/meeting")
class Meeting(MethodView):
    @allow(*RUN)
    @blp.arguments(wire.MeetingSchema)
    @blp.response(200, wire.OrderFileSchema)
    def put(self, data, order_id):
        """Where and when the group meets on the first day (printed in the trip documents)"""
        with rpc() as services:
            return services.contracts.set_meeting_point(order_id, wire.MeetingSchema().dump(data))


@blp.route("/order-files/<string:order_id>/trip-documents.pdf")
class TripDocuments(MethodView):
    @allow(*READ)
    @blp.response(200, PDF_SCHEMA, description="The trip documents as a PDF, in the customer's language", **PDF_DOC)
    def get(self, order_id):
        """The trip documents as they stand: day by day, meeting point, vouchers and tickets,
        emergency contacts, visa and insurance notes"""
        with rpc() as services:
            return pdf_response(services.contracts.trip_documents_pdf(order_id))


@blp.route("/order-files/<string:order_id>/trip-documents/send")
class SendTripDocuments(MethodView):
    @allow("front_desk", *RUN)
    @blp.arguments(wire.SendDocumentsSchema)
    @blp.response(202, wire.TripSchema)
    @blp.alt_response(409, description="Nothing is booked yet, or the order file is cancelled.")
    def post(self, data, order_id):
        """Send the trip documents to the customer again (they go by themselves once the trip is
        ready to travel); CRM emails them"""
        with rpc() as services:
            return services.contracts.send_trip_documents(order_id, data)


@blp.route("/attention")
class Attention(MethodView):
    @allow(*READ)
    @blp.arguments(wire.AttentionQuerySchema, location="query")
    @blp.response(200, wire.AttentionPageSchema)
    def get(self, query):
        """Order files whose trip cannot go on by itself, oldest first, with the reason"""
        with rpc() as services:
            return services.contracts.needing_attention(query)


@blp.route("/attention/<int:attention_id>/resolve")
class ResolveAttention(MethodView):
    @allow(*RUN)
    @blp.arguments(wire.AttentionResolveSchema)
    @blp.response(200, wire.AttentionSchema)
    @blp.alt_response(409, description="Resolved already.")
    def post(self, data, attention_id):
        """Take an item off the list, saying what was done"""
        with rpc() as services:
            return services.contracts.resolve_attention(attention_id, data)
