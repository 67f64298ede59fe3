"""The incident log: what went wrong on an order file's trip (a failed booking, a delayed flight, a
complaint, an emergency) and how the desk handled it, and the desk's list of open incidents.

Roles: consultants, the front desk, the ticketing desk and managers open, act on and close
incidents (whoever is on duty when the call comes); finance does not handle trips.
"""
from flask.views import MethodView

from services.contracts import wire

from ..auth import allow
from ..context import rpc
from . import LOCATION, Blueprint, created

blp = Blueprint("incidents", __name__, url_prefix="/api/v1",
                description="The incident log of each trip: what happened, who handles it, what was done")

DESK = ("consultant", "front_desk", "ticketing", "manager")
CLOSED_409 = dict(description="The incident is closed, or closing it needs an action recorded first.")


@blp.route("/order-files/<string:order_id>/incidents")
class OrderFileIncidents(MethodView):
    @allow(*DESK)
    @blp.response(200, wire.IncidentSchema(many=True))
    def get(self, order_id):
        """The order file's incidents, open ones first"""
        with rpc() as services:
            return services.contracts.list_incidents(order_id)

    @allow(*DESK)
    @blp.arguments(wire.IncidentCreateSchema)
    @blp.response(201, wire.IncidentSchema, **LOCATION)
    def post(self, data, order_id):
        """Log an incident: its kind, what happened, when, the booking it concerns and who handles it"""
        with rpc() as services:
            incident = services.contracts.open_incident(order_id, wire.IncidentCreateSchema().dump(data))
        return created(incident, f"/api/v1/incidents/{incident['id']}")


@blp.route("/incidents")
class Incidents(MethodView):
    @allow(*DESK)
    @blp.arguments(wire.IncidentQuerySchema, location="query")
    @blp.response(200, wire.IncidentSchema(many=True))
    def get(self, query):
        """The desk's watch list: incidents of trips running today or departing soon (open ones by default)"""
        with rpc() as services:
            return services.contracts.open_incidents(wire.IncidentQuerySchema().dump(query))


@blp.route("/incidents/<int:incident_id>")
class IncidentById(MethodView):
    @allow(*DESK)
    @blp.response(200, wire.IncidentSchema)
    def get(self, incident_id):
        """An incident with every action taken on it"""
        with rpc() as services:
            return services.contracts.get_incident(incident_id)

    @allow(*DESK)
    @blp.arguments(wire.IncidentUpdateSchema)
    @blp.response(200, wire.IncidentSchema)
    @blp.alt_response(409, **CLOSED_409)
    def patch(self, data, incident_id):
        """Hand it over, record the alternative arranged or the customer informed, or close it with how it ended
        (closing needs an action, and the customer informed or `not_informed_reason`)"""
        with rpc() as services:
            return services.contracts.update_incident(incident_id, wire.IncidentUpdateSchema().dump(data))


@blp.route("/incidents/<int:incident_id>/actions")
class IncidentActions(MethodView):
    @allow(*DESK)
    @blp.arguments(wire.IncidentActionCreateSchema)
    @blp.response(201, wire.IncidentSchema, **LOCATION)
    @blp.alt_response(409, **CLOSED_409)
    def post(self, data, incident_id):
        """Record a step taken (called the airline, rebooked on the next flight)"""
        with rpc() as services:
            incident = services.contracts.add_incident_action(incident_id, wire.IncidentActionCreateSchema().dump(data))
        return created(incident, f"/api/v1/incidents/{incident_id}")
