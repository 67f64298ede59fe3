"""Inquiries (CRM): the consultation register and its status pipeline."""
from flask import url_for
from flask.views import MethodView

from services.crm import wire

from ..auth import allow
from ..context import rpc
from . import ETAG, IF_MATCH, LOCATION, PRECONDITION_412, Blueprint, created, if_match, with_etag
from .customers import DUPLICATE_409

blp = Blueprint(
    "inquiries", __name__, url_prefix="/api/v1/inquiries",
    description="The consultation register: every call, web form, walk-in, email and partner lead")


@blp.route("")
class Inquiries(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.DuplicateQuerySchema, location="query")
    @blp.arguments(wire.InquiryCreateSchema)
    @blp.response(201, wire.InquirySchema, **LOCATION)
    @blp.alt_response(409, **DUPLICATE_409)
    @blp.alt_response(404, description="No customer with the given customer_id.")
    def post(self, query, data):
        """Register an inquiry, for a known customer (customer_id) or a new one (customer)

        A new customer goes through the same duplicate check as POST /customers.
        """
        with rpc() as services:
            inquiry = services.crm.create_inquiry(wire.InquiryCreateSchema().dump(data),
                                                  confirm_duplicate=query["confirm_duplicate"])
        return created(inquiry, url_for("inquiries.InquiryById", inquiry_id=inquiry["id"]))

    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.InquiryQuerySchema, location="query")
    @blp.response(200, wire.InquiryPageSchema)
    def get(self, query):
        """Find inquiries by status, channel, consultant, customer, destination, travel month, creation time

        Newest first. Repeat `status` or `channel` for several values.
        """
        with rpc() as services:
            return services.crm.search_inquiries(wire.InquiryQuerySchema().dump(query))


@blp.route("/<string:inquiry_id>")
class InquiryById(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.response(200, wire.InquirySchema, **ETAG)
    def get(self, inquiry_id):
        """Get an inquiry"""
        with rpc() as services:
            return with_etag(services.crm.get_inquiry(inquiry_id))

    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.InquiryUpdateSchema)
    @blp.doc(**IF_MATCH)
    @blp.response(200, wire.InquirySchema, **ETAG)
    @blp.alt_response(412, **PRECONDITION_412)
    def patch(self, data, inquiry_id):
        """Change an inquiry's details or consultant (the status moves through transitions)"""
        with rpc() as services:
            return with_etag(services.crm.update_inquiry(inquiry_id, wire.InquiryUpdateSchema().dump(data),
                                                         if_match=if_match()))


@blp.route("/<string:inquiry_id>/transitions")
class InquiryTransitions(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.TransitionCreateSchema)
    @blp.response(200, wire.InquirySchema)
    @blp.alt_response(409, description="The pipeline does not allow this move from the current status "
                                       "(`current_status`, `requested_status`, `allowed`).")
    def post(self, data, inquiry_id):
        """Move an inquiry: new -> qualified -> quoted -> won, or to lost (with a reason) from any open status"""
        with rpc() as services:
            return services.crm.transition_inquiry(inquiry_id, wire.TransitionCreateSchema().dump(data))

    @allow("front_desk", "consultant", "manager")
    @blp.response(200, wire.TransitionSchema(many=True))
    def get(self, inquiry_id):
        """Every status change of the inquiry (from, to, who, when, why), oldest first"""
        with rpc() as services:
            return services.crm.inquiry_transitions(inquiry_id)
