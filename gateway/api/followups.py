"""Follow-ups (CRM): tasks on customers and inquiries, and who is behind on them."""
from flask import url_for
from flask.views import MethodView

from services.crm import wire

from ..auth import allow
from ..context import rpc
from . import LOCATION, Blueprint, created

blp = Blueprint("follow-ups", __name__, url_prefix="/api/v1/follow-ups",
                description="Tasks on customers and inquiries, with a due time and an owner")


@blp.route("")
class FollowUps(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.FollowUpCreateSchema)
    @blp.response(201, wire.FollowUpSchema, **LOCATION)
    @blp.alt_response(404, description="No customer or inquiry with the given id.")
    def post(self, data):
        """Add a follow-up on a customer or an inquiry"""
        with rpc() as services:
            follow_up = services.crm.create_follow_up(wire.FollowUpCreateSchema().dump(data))
        return created(follow_up, url_for("follow-ups.FollowUpById", follow_up_id=follow_up["id"]))

    @allow("front_desk", "consultant", "manager")
    @blp.arguments(wire.FollowUpQuerySchema, location="query")
    @blp.response(200, wire.FollowUpPageSchema)
    def get(self, query):
        """List follow-ups, soonest due first; `owner=lucia&overdue=true` is Lucia's overdue list"""
        with rpc() as services:
            return services.crm.search_follow_ups(wire.FollowUpQuerySchema().dump(query))


@blp.route("/<string:follow_up_id>")
class FollowUpById(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.response(200, wire.FollowUpSchema)
    def get(self, follow_up_id):
        """Get a follow-up"""
        with rpc() as services:
            return services.crm.get_follow_up(follow_up_id)


@blp.route("/<string:follow_up_id>/done")
class FollowUpDone(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.response(200, wire.FollowUpSchema)
    def post(self, follow_up_id):
        """Mark a follow-up done (again: no change)"""
        with rpc() as services:
            return services.crm.complete_follow_up(follow_up_id)
