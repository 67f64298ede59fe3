"""Post-trip surveys and check-ins during the trip (feedback), and the customer's satisfaction (CRM).

Roles: the desks that look after customers read surveys and record check-ins; finance does not.
The customer's survey link is public (/api/v1/surveys/public/<token>): its one-time token is the key.
"""
from flask.views import MethodView

from services.crm import wire as crm_wire
from services.feedback import wire

from ..auth import allow
from ..context import rpc
from . import LOCATION, Blueprint, created

blp = Blueprint("surveys", __name__, url_prefix="/api/v1",
                description="Post-trip surveys, check-ins during the trip, suppliers' and customers' scores")

DESK = ("consultant", "front_desk", "manager")
READ = ("consultant", "front_desk", "ticketing", "manager")
LINK_404 = dict(description="The link is incomplete or never existed.")
LINK_409 = dict(description="The survey has been answered already (one answer per survey).")
LINK_410 = dict(description="The survey expired unanswered (SURVEY_VALID_DAYS after the trip).")


@blp.route("/surveys")
class Surveys(MethodView):
    @allow(*READ)
    @blp.arguments(wire.SurveyQuerySchema, location="query")
    @blp.response(200, wire.SurveyPageSchema)
    def get(self, query):
        """Surveys, newest first, by customer, order file or status (pending, sent, answered, expired)"""
        with rpc() as services:
            return services.feedback.list_surveys(wire.SurveyQuerySchema().dump(query))


@blp.route("/surveys/<int:survey_id>")
class SurveyById(MethodView):
    @allow(*READ)
    @blp.response(200, wire.SurveySchema)
    def get(self, survey_id):
        """A survey: when it was sent and reminded, and the customer's answer"""
        with rpc() as services:
            return services.feedback.get_survey(survey_id)


@blp.route("/supplier-scores")
class SupplierScores(MethodView):
    @allow(*READ)
    @blp.arguments(wire.SupplierScoreQuerySchema, location="query")
    @blp.response(200, wire.SupplierScoreSchema(many=True))
    def get(self, query):
        """Each supplier's mean survey score per aspect (hotels: accommodation, carriers: transport, guides)"""
        with rpc() as services:
            return services.feedback.supplier_scores(query)


@blp.route("/customers/<string:customer_id>/satisfaction")
class CustomerSatisfaction(MethodView):
    @allow(*READ)
    @blp.response(200, crm_wire.SatisfactionSchema)
    def get(self, customer_id):
        """The customer's post-trip survey answers: how many, the averages, the last one"""
        with rpc() as services:
            return services.crm.get_satisfaction(customer_id)


@blp.route("/order-files/<string:order_id>/check-ins")
class CheckIns(MethodView):
    @allow(*DESK)
    @blp.response(200, wire.CheckInSchema(many=True))
    def get(self, order_id):
        """The check-ins recorded during the order file's trip, oldest first"""
        with rpc() as services:
            return services.feedback.list_check_ins(order_id)

    @allow(*DESK)
    @blp.arguments(wire.CheckInCreateSchema)
    @blp.response(201, wire.CheckInSchema, **LOCATION)
    def post(self, data, order_id):
        """Record a check-in during the trip: the customer's mood 1-5 and what they said"""
        with rpc() as services:
            row = services.feedback.record_check_in(order_id, wire.CheckInCreateSchema().dump(data))
        return created(row, f"/api/v1/order-files/{order_id}/check-ins")


# --- the customer's survey link (public: the token is the key) ----------------------------------

@blp.route("/surveys/public/<string:token>")
class PublicSurvey(MethodView):
    @blp.response(200, wire.PublicSurveySchema)
    @blp.alt_response(404, **LINK_404)
    @blp.alt_response(409, **LINK_409)
    @blp.alt_response(410, **LINK_410)
    def get(self, token):
        """What the survey link shows: the trip, the page's language and the aspects to score"""
        with rpc() as services:
            return services.feedback.survey_view(token)


@blp.route("/surveys/public/<string:token>/answer")
class PublicSurveyAnswer(MethodView):
    @blp.arguments(wire.SurveyAnswerSchema)
    @blp.response(200, wire.PublicSurveySchema)
    @blp.alt_response(404, **LINK_404)
    @blp.alt_response(409, **LINK_409)
    @blp.alt_response(410, **LINK_410)
    def post(self, data, token):
        """Answer the survey, once: each aspect 1-5 or null (not applicable), recommend 0-10, a comment"""
        with rpc() as services:
            return services.feedback.answer_survey(token, wire.SurveyAnswerSchema().dump(data))
