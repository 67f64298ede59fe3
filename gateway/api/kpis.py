"""KPIs per staff member, team and month; sales targets and teams; the customer feedback report
with its improvement actions and the supplier evaluation report. What each figure means:
services/feedback/kpis.py and docs/feedback.md."""
from flask.views import MethodView

from services.feedback.wire import kpis as s

from ..auth import allow
from ..context import rpc
from . import CSV_DOC, LOCATION, Blueprint, created, csv_response

blp = Blueprint("kpis", __name__, url_prefix="/api/v1", description="KPIs, sales targets and feedback reports")


@blp.route("/kpis")
class Kpis(MethodView):
    @allow("manager", "finance")
    @blp.arguments(s.KpiQuerySchema, location="query")
    @blp.response(200, s.KpiReportSchema)
    def get(self, query):
        """Every KPI of a month per staff member and per team, with its target and whether it is met

        Built from the services' events in feedback's own tables. Rates and shares in percent, times
        in minutes, NPS in points; `met` is null for the tracked-only KPIs and when there is no data.
        """
        with rpc() as services:
            return services.feedback.kpis(s.KpiQuerySchema().dump(query))


@blp.route("/sales-targets")
class SalesTargets(MethodView):
    @allow("manager", "finance")
    @blp.arguments(s.KpiQuerySchema(only=("month",)), location="query")
    @blp.response(200, s.SalesTargetSchema(many=True))
    def get(self, query):
        """The month's sales targets, per staff member"""
        with rpc() as services:
            return services.feedback.sales_targets(query)

    @allow("manager")
    @blp.arguments(s.SalesTargetSetSchema)
    @blp.response(200, s.SalesTargetSchema)
    def put(self, data):
        """Set a staff member's sales target for a month (replacing the one set before)"""
        with rpc() as services:
            return services.feedback.set_sales_target(s.SalesTargetSetSchema().dump(data))


@blp.route("/staff-teams/<string:staff>")
class StaffTeams(MethodView):
    @allow("manager")
    @blp.arguments(s.StaffTeamSetSchema)
    @blp.response(200, s.StaffTeamSchema)
    def put(self, data, staff):
        """Put a staff member in a team (consultants or ticketing); their KPIs count there from now on"""
        with rpc() as services:
            return services.feedback.set_team(staff, data)


@blp.route("/reports/customer-feedback")
class CustomerFeedback(MethodView):
    @allow("manager")
    @blp.arguments(s.ReportQuerySchema, location="query")
    @blp.response(200, s.CustomerFeedbackReportSchema)
    def get(self, query):
        """Answers per aspect, the lowest aspects, comments, complaints by category, improvement actions"""
        with rpc() as services:
            return services.feedback.customer_feedback_report(s.ReportQuerySchema().dump(query))


@blp.route("/reports/customer-feedback.csv")
class CustomerFeedbackCsv(MethodView):
    @allow("manager")
    @blp.arguments(s.ReportCsvQuerySchema, location="query")
    @blp.response(200, {"type": "string"},
                  description="The report as CSV, one row per aspect, category, action, comment",
                  example="section,topic,answers,average,share_4_5,...\r\n", **CSV_DOC)
    def get(self, query):
        """The customer feedback report as a CSV file"""
        with rpc() as services:
            return csv_response(services.feedback.customer_feedback_report_csv(s.ReportCsvQuerySchema().dump(query)))


@blp.route("/reports/supplier-evaluation")
class SupplierEvaluation(MethodView):
    @allow("manager")
    @blp.arguments(s.ReportQuerySchema, location="query")
    @blp.response(200, s.SupplierEvaluationReportSchema)
    def get(self, query):
        """Per supplier: bookings, complaints per 100 bookings, satisfaction with their services, response times"""
        with rpc() as services:
            return services.feedback.supplier_evaluation_report(s.ReportQuerySchema().dump(query))


@blp.route("/reports/supplier-evaluation.csv")
class SupplierEvaluationCsv(MethodView):
    @allow("manager")
    @blp.arguments(s.ReportCsvQuerySchema, location="query")
    @blp.response(200, {"type": "string"}, description="The report as CSV, one row per supplier",
                  example="supplier,supplier_name,bookings,complaints,...\r\n", **CSV_DOC)
    def get(self, query):
        """The supplier evaluation report as a CSV file"""
        with rpc() as services:
            return csv_response(services.feedback.supplier_evaluation_report_csv(
                s.ReportCsvQuerySchema().dump(query)))


@blp.route("/improvement-actions")
class ImprovementActions(MethodView):
    @allow("manager")
    @blp.arguments(s.ReportQuerySchema, location="query")
    @blp.response(200, s.ImprovementActionSchema(many=True))
    def get(self, query):
        """The improvement actions whose period overlaps start..end"""
        with rpc() as services:
            return services.feedback.list_improvement_actions(s.ReportQuerySchema().dump(query))

    @allow("manager")
    @blp.arguments(s.ImprovementActionCreateSchema)
    @blp.response(201, s.ImprovementActionSchema, **LOCATION)
    def post(self, data):
        """Decide an improvement action for an aspect or a complaint category of a period"""
        with rpc() as services:
            action = services.feedback.add_improvement_action(s.ImprovementActionCreateSchema().dump(data))
        return created(action, f"/api/v1/improvement-actions/{action['id']}")


@blp.route("/improvement-actions/<int:action_id>")
class ImprovementActionById(MethodView):
    @allow("manager")
    @blp.arguments(s.ImprovementActionUpdateSchema)
    @blp.response(200, s.ImprovementActionSchema)
    def patch(self, data, action_id):
        """Change an improvement action's text, owner, due date or status"""
        with rpc() as services:
            return services.feedback.update_improvement_action(action_id,
                                                               s.ImprovementActionUpdateSchema().dump(data))
