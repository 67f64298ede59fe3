"""Messages to customers (CRM): what was sent to whom, where it stands, and sending one by hand."""
from flask import url_for
from flask.views import MethodView

from services.crm import wire

from ..auth import allow
from ..context import rpc
from . import LOCATION, Blueprint, created

blp = Blueprint("messages", __name__, url_prefix="/api/v1",
                description="Emails to customers (CRM): confirmations, contracts, reminders, documents, changes, "
                            "surveys, with their delivery status")

STAFF = ("front_desk", "consultant", "manager")


@blp.route("/customers/<string:customer_id>/messages")
class CustomerMessages(MethodView):
    @allow(*STAFF)
    @blp.arguments(wire.MessageRequestSchema)
    @blp.response(201, wire.MessageSchema, **LOCATION)
    @blp.alt_response(404, description="No customer with this id.")
    def post(self, data, customer_id):
        """Send the customer a message of one of the kinds, in their language

        Queued for sending at once (status `queued`, then `sent` or `failed`); a customer without
        an email address gets it recorded as `undeliverable` (201 all the same). Attachments travel
        as base64 within the gateway's body limit.
        """
        with rpc() as services:
            message = services.crm.send_message(
                dict(wire.MessageRequestSchema().dump(data), customer_id=customer_id))
        return created(message, url_for("messages.MessageById", message_id=message["id"]))

    @allow(*STAFF)
    @blp.arguments(wire.CustomerMessageQuerySchema, location="query")
    @blp.response(200, wire.MessagePageSchema)
    @blp.alt_response(404, description="No customer with this id.")
    def get(self, query, customer_id):
        """The customer's messages, newest first"""
        with rpc() as services:
            services.crm.get_customer(customer_id)  # 404 for an unknown customer, not an empty page
            return services.crm.list_messages(dict(wire.CustomerMessageQuerySchema().dump(query),
                                                   customer_id=customer_id))


@blp.route("/messages")
class Messages(MethodView):
    @allow(*STAFF)
    @blp.arguments(wire.MessageQuerySchema, location="query")
    @blp.response(200, wire.MessagePageSchema)
    def get(self, query):
        """Find messages by customer, kind, reference (e.g. the order number) or status, newest first"""
        with rpc() as services:
            return services.crm.list_messages(wire.MessageQuerySchema().dump(query))


@blp.route("/messages/<string:message_id>")
class MessageById(MethodView):
    @allow(*STAFF)
    @blp.response(200, wire.MessageSchema)
    def get(self, message_id):
        """Get a message: its text as sent, attachments by name and size, delivery status and attempts"""
        with rpc() as services:
            return services.crm.get_message(message_id)
