"""Follow-ups (CRM): tasks on customers and inquiries, and who is behind on them."""
from flask.views import MethodView

from services.crm import schemas as s

from ..auth import allow
from ..context import rpc
from . import Blueprint

blp = Blueprint("follow-ups", __name__, url_prefix="/api/v1/follow-ups",
                description="Tasks on customers and inquiries, with a due time and an owner")


@blp.route("")
class FollowUps(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.arguments(s.FollowUpCreateSchema)
    @blp.response(201, s.FollowUpSchema)
    @blp.alt_response(404, description="No customer or inquiry with the given id.")
    def post(self, data):
        """Add a follow-up on a customer or an inquiry"""
        with rpc() as services:
            return services.crm.create_follow_up(s.FollowUpCreateSchema().dump(data))

    @allow("front_desk", "consultant", "manager")
    @blp.arguments(s.FollowUpQuerySchema, location="query")
    @blp.response(200, s.FollowUpPageSchema)
    def get(self, query):
        """List follow-ups, soonest due first; `owner=lucia&overdue=true` is Lucia's overdue list"""
        with rpc() as services:
            return services.crm.search_follow_ups(s.FollowUpQuerySchema().dump(query))


@blp.route("/<string:follow_up_id>")
class FollowUpById(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.response(200, s.FollowUpSchema)
    def get(self, follow_up_id):
        """Get a follow-up"""
        with rpc() as services:
            return services.crm.get_follow_up(follow_up_id)


@blp.route("/<string:follow_up_id>/done")
class FollowUpDone(MethodView):
    @allow("front_desk", "consultant", "manager")
    @blp.response(200, s.FollowUpSchema)
    def post(self, follow_up_id):
        """Mark a follow-up done (again: no change)"""
        with rpc() as services:
            return services.crm.complete_follow_up(follow_up_id)
