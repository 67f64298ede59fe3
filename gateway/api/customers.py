"""Customers (CRM): records, search, the duplicate check, the timeline."""
from flask import g, url_for
from flask.views import MethodView

from services.common.errors import Forbidden
from services.crm import wire

from ..auth import allow
from ..context import rpc
from . import ETAG, IF_MATCH, LOCATION, PRECONDITION_412, Blueprint, created, if_match, with_etag

blp = Blueprint(
    "customers", __name__, url_prefix="/api/v1/customers", description="Customer records (CRM)")

# Who may see passport and ID numbers unmasked: those who ticket, contract or manage.
DOCUMENT_ROLES = frozenset({"consultant", "ticketing", "manager", "admin"})

DUPLICATE_409 = dict(description="A customer with the same email or phone exists: `existing_customer_ids` and "
                                 "`duplicates` name them. Repeat with `confirm_duplicate=true` to create anyway.")


@blp.route("")
class Customers(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.DuplicateQuerySchema, location="query")
    @blp.arguments(wire.CustomerCreateSchema)
    @blp.response(201, wire.CustomerSchema, **LOCATION)
    @blp.alt_response(409, **DUPLICATE_409)
    def post(self, query, data):
        """Register a customer

        Emails are compared lowercased and phones by their digits; a match is a 409 unless
        `confirm_duplicate=true`. Travel document numbers come back masked.
        """
        with rpc() as services:
            customer = services.crm.create_customer(wire.CustomerCreateSchema().dump(data),
                                                    confirm_duplicate=query["confirm_duplicate"])
        return created(customer, url_for("customers.CustomerById", customer_id=customer["id"]))

    @allow("front_desk", "consultant", "ticketing", "finance", "manager")
    @blp.arguments(wire.CustomerQuerySchema, location="query")
    @blp.response(200, wire.CustomerPageSchema)
    def get(self, query):
        """Find customers by name (accents and case aside), phone, email or tag"""
        with rpc() as services:
            return services.crm.search_customers(wire.CustomerQuerySchema().dump(query))


@blp.route("/<string:customer_id>")
class CustomerById(MethodView):
    @allow("front_desk", "consultant", "ticketing", "finance", "manager")
    @blp.arguments(wire.CustomerGetQuerySchema, location="query")
    @blp.response(200, wire.CustomerSchema, **ETAG)
    @blp.alt_response(403, description="reveal_documents=true needs the consultant, ticketing or manager role.")
    def get(self, query, customer_id):
        """Get a customer (document numbers masked unless reveal_documents=true)

        Revealing travel documents needs the consultant, ticketing or manager role. The ETag of
        either read may go in the If-Match of a PATCH.
        """
        if query["reveal_documents"] and not DOCUMENT_ROLES & set(g.user.roles):
            raise Forbidden("Revealing travel documents needs one of the roles: " + ", ".join(sorted(DOCUMENT_ROLES)))
        with rpc() as services:
            return with_etag(services.crm.get_customer(customer_id, reveal_documents=query["reveal_documents"]))

    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.DuplicateQuerySchema, location="query")
    @blp.arguments(wire.CustomerUpdateSchema)
    @blp.doc(**IF_MATCH)
    @blp.response(200, wire.CustomerSchema, **ETAG)
    @blp.alt_response(409, **DUPLICATE_409)
    @blp.alt_response(412, **PRECONDITION_412)
    def patch(self, query, data, customer_id):
        """Change some fields of a customer (lists are replaced whole; null clears)"""
        with rpc() as services:
            return with_etag(services.crm.update_customer(
                customer_id, wire.CustomerUpdateSchema().dump(data), confirm_duplicate=query["confirm_duplicate"],
                if_match=if_match()))


@blp.route("/<string:customer_id>/timeline")
class CustomerTimeline(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.TimelineQuerySchema, location="query")
    @blp.response(200, wire.TimelinePageSchema)
    def get(self, query, customer_id):
        """Everything about the customer in time order: records, inquiries, follow-ups, quotes, bookings,
        payments, complaints, surveys"""
        with rpc() as services:
            return services.crm.customer_timeline(customer_id, wire.TimelineQuerySchema().dump(query))
