"""Inquiries (CRM): the consultation register and its status pipeline."""
from flask.views import MethodView

from services.crm import schemas as s

from ..auth import allow
from ..context import rpc
from . import Blueprint
from .customers import DUPLICATE_409

blp = Blueprint(
    "inquiries", __name__, url_prefix="/api/v1/inquiries",
    description="The consultation register: every call, web form, walk-in, email and partner lead")


@blp.route("")
class Inquiries(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(s.DuplicateQuerySchema, location="query")
    @blp.arguments(s.InquiryCreateSchema)
    @blp.response(201, s.InquirySchema)
    @blp.alt_response(409, **DUPLICATE_409)
    @blp.alt_response(404, description="No customer with the given customer_id.")
    def post(self, query, data):
        """Register an inquiry, for a known customer (customer_id) or a new one (customer)

        A new customer goes through the same duplicate check as POST /customers.
        """
        with rpc() as services:
            return services.crm.create_inquiry(s.InquiryCreateSchema().dump(data),
                                               confirm_duplicate=query["confirm_duplicate"])

    @allow("front_desk", "consultant", "manager")
    @blp.arguments(s.InquiryQuerySchema, location="query")
    @blp.response(200, s.InquiryPageSchema)
    def get(self, query):
        """Find inquiries by status, channel, consultant, customer, destination, travel month, creation time

        Newest first. Repeat `status` or `channel` for several values.
        """
        with rpc() as services:
            return services.crm.search_inquiries(s.InquiryQuerySchema().dump(query))


@blp.route("/<string:inquiry_id>")
class InquiryById(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.response(200, s.InquirySchema)
    def get(self, inquiry_id):
        """Get an inquiry"""
        with rpc() as services:
            return services.crm.get_inquiry(inquiry_id)

    @allow("front_desk", "consultant", "manager")
    @blp.arguments(s.InquiryUpdateSchema)
    @blp.response(200, s.InquirySchema)
    def patch(self, data, inquiry_id):
        """Change an inquiry's details or consultant (the status moves through transitions)"""
        with rpc() as services:
            return services.crm.update_inquiry(inquiry_id, s.InquiryUpdateSchema().dump(data))


@blp.route("/<string:inquiry_id>/transitions")
class InquiryTransitions(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(s.TransitionCreateSchema)
    @blp.response(200, s.InquirySchema)
    @blp.alt_response(409, description="The pipeline does not allow this move from the current status "
                                       "(`current_status`, `requested_status`, `allowed`).")
    def post(self, data, inquiry_id):
        """Move an inquiry: new -> qualified -> quoted -> won, or to lost (with a reason) from any open status"""
        with rpc() as services:
            return services.crm.transition_inquiry(inquiry_id, s.TransitionCreateSchema().dump(data))

    @allow("front_desk", "consultant", "manager")
    @blp.response(200, s.TransitionSchema(many=True))
    def get(self, inquiry_id):
        """Every status change of the inquiry (from, to, who, when, why), oldest first"""
        with rpc() as services:
            return services.crm.inquiry_transitions(inquiry_id)
