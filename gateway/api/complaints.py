"""Complaints and the vouchers given for them: a customer's complaint from any channel, the steps
the desk takes (customer and supplier contacted, the supplier's answer, compensations), resolving,
the customer's rating, reopening; the two clocks with their time left; escalations for managers.

Roles: the front desk, consultants, the ticketing desk and managers open and work complaints
(whoever takes the call); managers watch the escalated ones (?escalated=true). A voucher is read
by whoever quotes the customer's next trip.
"""
from flask.views import MethodView

from services.feedback import wire

from ..auth import allow
from ..context import rpc
from . import LOCATION, Blueprint, created

blp = Blueprint("complaints", __name__, url_prefix="/api/v1",
                description="Complaints with their clocks and escalation, and the vouchers given for them")

DESK = ("consultant", "front_desk", "ticketing", "manager")
RESOLVED_409 = dict(description="The complaint is resolved (reopen it first), or not resolved yet (to rate it).")


@blp.route("/complaints")
class Complaints(MethodView):
    @allow(*DESK)
    @blp.arguments(wire.ComplaintQuerySchema, location="query")
    @blp.response(200, wire.ComplaintPageSchema)
    def get(self, query):
        """Complaints, newest first: by status, customer, order file, supplier, handler; escalated or breached"""
        with rpc() as services:
            return services.feedback.list_complaints(wire.ComplaintQuerySchema().dump(query))

    @allow(*DESK)
    @blp.arguments(wire.ComplaintOpenSchema)
    @blp.response(201, wire.ComplaintSchema, **LOCATION)
    def post(self, data):
        """Open a complaint: the customer, what it concerns (order file, booking, supplier), channel,
        category, severity, who handles it. Its clocks start"""
        with rpc() as services:
            complaint = services.feedback.open_complaint(wire.ComplaintOpenSchema().dump(data))
        return created(complaint, f"/api/v1/complaints/{complaint['id']}")


@blp.route("/complaints/<int:complaint_id>")
class ComplaintById(MethodView):
    @allow(*DESK)
    @blp.response(200, wire.ComplaintSchema)
    def get(self, complaint_id):
        """A complaint with its steps and its clocks' time left"""
        with rpc() as services:
            return services.feedback.get_complaint(complaint_id)


@blp.route("/complaints/<int:complaint_id>/steps")
class ComplaintSteps(MethodView):
    @allow(*DESK)
    @blp.arguments(wire.ComplaintStepCreateSchema)
    @blp.response(201, wire.ComplaintSchema, **LOCATION)
    @blp.alt_response(409, **RESOLVED_409)
    def post(self, data, complaint_id):
        """Record a step: the customer contacted (the first response), the supplier asked and its answer,
        the supplier's or the agency's compensation (a voucher, a discount, a refund, points)"""
        with rpc() as services:
            complaint = services.feedback.add_complaint_step(
                complaint_id, wire.ComplaintStepCreateSchema().dump(data))
        return created(complaint, f"/api/v1/complaints/{complaint_id}")


@blp.route("/complaints/<int:complaint_id>/resolve")
class ComplaintResolve(MethodView):
    @allow(*DESK)
    @blp.arguments(wire.ComplaintResolveSchema)
    @blp.response(200, wire.ComplaintSchema)
    @blp.alt_response(409, **RESOLVED_409)
    def post(self, data, complaint_id):
        """Resolve it, saying how it ended (a resolution is needed)"""
        with rpc() as services:
            return services.feedback.resolve_complaint(complaint_id, wire.ComplaintResolveSchema().dump(data))


@blp.route("/complaints/<int:complaint_id>/rate")
class ComplaintRate(MethodView):
    @allow(*DESK)
    @blp.arguments(wire.ComplaintRateSchema)
    @blp.response(200, wire.ComplaintSchema)
    @blp.alt_response(409, **RESOLVED_409)
    def post(self, data, complaint_id):
        """The customer's satisfaction with the outcome (1-5), once resolved"""
        with rpc() as services:
            return services.feedback.rate_complaint(complaint_id, wire.ComplaintRateSchema().dump(data))


@blp.route("/complaints/<int:complaint_id>/reopen")
class ComplaintReopen(MethodView):
    @allow(*DESK)
    @blp.arguments(wire.ComplaintReopenSchema)
    @blp.response(200, wire.ComplaintSchema)
    @blp.alt_response(409, **RESOLVED_409)
    def post(self, data, complaint_id):
        """Reopen a resolved complaint: its resolution clock runs again"""
        with rpc() as services:
            return services.feedback.reopen_complaint(complaint_id, wire.ComplaintReopenSchema().dump(data))


@blp.route("/vouchers/<string:code>")
class VoucherByCode(MethodView):
    @allow(*DESK)
    @blp.response(200, wire.VoucherSchema)
    def get(self, code):
        """A voucher by its code: value, currency, customer, last day, whether a quote redeemed it"""
        with rpc() as services:
            return services.feedback.get_voucher(code)


@blp.route("/customers/<string:customer_id>/vouchers")
class CustomerVouchers(MethodView):
    @allow(*DESK)
    @blp.response(200, wire.VoucherSchema(many=True))
    def get(self, customer_id):
        """The customer's vouchers, newest first"""
        with rpc() as services:
            return services.feedback.list_vouchers(customer_id)
