"""Group departures: a catalog product leaving on a date with a capacity, the order files travelling
with it, its guide (never on two overlapping departures), its rooming list, each supplier's manifest
(JSON and CSV) and the notices the suppliers get when an announced group changes.

Roles: consultants and managers open, change, announce and cancel departures and keep the guides;
they and the operations staff (ticketing) add and remove order files, assign guides and keep the
rooming list; the front desk reads.
"""
from flask.views import MethodView

from services.contracts import wire

from ..auth import allow
from ..context import rpc
from . import CSV_DOC, LOCATION, Blueprint, created, csv_response

blp = Blueprint("departures", __name__, url_prefix="/api/v1",
                description="Group departures: members, guide, rooming list, supplier manifests and notices")

PLAN = ("consultant", "manager")
OPERATE = ("consultant", "ticketing", "manager")
READ = ("front_desk", "consultant", "ticketing", "manager")


@blp.route("/departures")
class Departures(MethodView):
    @allow(*READ)
    @blp.arguments(wire.DepartureQuerySchema, location="query")
    @blp.response(200, wire.DeparturePageSchema)
    def get(self, query):
        """List departures by date (status, catalog product, leaving between two dates)"""
        with rpc() as services:
            return services.contracts.list_departures(wire.DepartureQuerySchema().dump(query))

    @allow(*PLAN)
    @blp.arguments(wire.DepartureCreateSchema)
    @blp.response(201, wire.DepartureSchema, **LOCATION)
    def post(self, data):
        """Open a group departure of a catalog product (or a named product) on a date, for so many travellers"""
        with rpc() as services:
            departure = services.contracts.create_departure(wire.DepartureCreateSchema().dump(data))
        return created(departure, f"/api/v1/departures/{departure['id']}")


@blp.route("/departures/<string:departure_id>")
class DepartureById(MethodView):
    @allow(*READ)
    @blp.response(200, wire.DepartureSchema)
    def get(self, departure_id):
        """A departure: its order files, travellers and places left, guide, suppliers and rooming state"""
        with rpc() as services:
            return services.contracts.get_departure(departure_id)

    @allow(*PLAN)
    @blp.arguments(wire.DepartureUpdateSchema)
    @blp.response(200, wire.DepartureSchema)
    @blp.alt_response(409, description="Capacity below who is on board, a status it cannot take, new dates "
                                        "its guide or its order files cannot travel.")
    def patch(self, data, departure_id):
        """Change dates, capacity, notes or status (closed, departed, cancelled); suppliers are told once announced"""
        with rpc() as services:
            return services.contracts.update_departure(departure_id, wire.DepartureUpdateSchema().dump(data))


@blp.route("/departures/<string:departure_id>/announce")
class Announce(MethodView):
    @allow(*PLAN)
    @blp.response(200, wire.DepartureSchema)
    @blp.alt_response(409, description="Already announced.")
    def post(self, departure_id):
        """Announce the group to its suppliers: a notice to each; from now on every change is one too"""
        with rpc() as services:
            return services.contracts.announce_departure(departure_id)


@blp.route("/departures/<string:departure_id>/members")
class Members(MethodView):
    @allow(*OPERATE)
    @blp.arguments(wire.DepartureMemberCreateSchema)
    @blp.response(200, wire.DepartureSchema)
    @blp.alt_response(409, description="Over capacity, the order file on another departure, cancelled, travelling "
                                       "another day, or the departure not open.")
    def post(self, data, departure_id):
        """An order file joins the departure with its travellers"""
        with rpc() as services:
            return services.contracts.add_departure_member(departure_id, data)


@blp.route("/departures/<string:departure_id>/members/<string:order_file_id>")
class Member(MethodView):
    @allow(*OPERATE)
    @blp.response(200, wire.DepartureSchema)
    def delete(self, departure_id, order_file_id):
        """The order file leaves the departure (its travellers leave their rooms)"""
        with rpc() as services:
            return services.contracts.remove_departure_member(departure_id, order_file_id)


@blp.route("/departures/<string:departure_id>/guide")
class DepartureGuide(MethodView):
    @allow(*OPERATE)
    @blp.arguments(wire.GuideAssignSchema)
    @blp.response(200, wire.DepartureSchema)
    @blp.alt_response(409, description="The guide is on another departure whose dates overlap (named).")
    def put(self, data, departure_id):
        """Assign the departure's guide"""
        with rpc() as services:
            return services.contracts.assign_guide(departure_id, data)

    @allow(*OPERATE)
    @blp.response(200, wire.DepartureSchema)
    def delete(self, departure_id):
        """The departure has no guide for now"""
        with rpc() as services:
            return services.contracts.unassign_guide(departure_id)


@blp.route("/departures/<string:departure_id>/rooming-list")
class RoomingList(MethodView):
    @allow(*READ)
    @blp.response(200, wire.RoomingSchema)
    def get(self, departure_id):
        """The rooming list: rooms and occupants, who is not yet roomed, who sleeps alone"""
        with rpc() as services:
            return services.contracts.get_rooming_list(departure_id)

    @allow(*OPERATE)
    @blp.arguments(wire.RoomingListSchema)
    @blp.response(200, wire.RoomingSchema)
    def put(self, data, departure_id):
        """Replace the rooming list: each traveller in one room at most, no room over what its type sleeps"""
        with rpc() as services:
            return services.contracts.put_rooming_list(departure_id, wire.RoomingListSchema().dump(data))


@blp.route("/departures/<string:departure_id>/manifest")
class Manifest(MethodView):
    @allow(*READ)
    @blp.arguments(wire.DepartureManifestQuerySchema, location="query")
    @blp.response(200, wire.DepartureManifestSchema)
    @blp.alt_response(404, description="No such departure, or the supplier serves none of its order files.")
    def get(self, query, departure_id):
        """A supplier's manifest of the departure: who travels, traveller type, masked document, room for a hotel"""
        with rpc() as services:
            return services.contracts.departure_manifest(departure_id, query)


@blp.route("/departures/<string:departure_id>/manifest.csv")
class ManifestCsv(MethodView):
    @allow(*READ)
    @blp.arguments(wire.DepartureManifestCsvQuerySchema, location="query")
    @blp.response(200, {"type": "string"}, description="The supplier's manifest as CSV (UTF-8, header row)",
                  example="departure,departure_date,return_date,supplier,services,order_number,full_name,...\r\n",
                  **CSV_DOC)
    @blp.alt_response(404, description="No such departure, or the supplier serves none of its order files.")
    def get(self, query, departure_id):
        """A supplier's manifest of the departure as a CSV file, a row per traveller"""
        with rpc() as services:
            return csv_response(services.contracts.departure_manifest_csv(departure_id, query))


@blp.route("/departures/<string:departure_id>/notices")
class Notices(MethodView):
    @allow(*READ)
    @blp.response(200, wire.DepartureNoticeSchema(many=True))
    def get(self, departure_id):
        """The notices to suppliers: each change of the announced group, per supplier, with the counts after it"""
        with rpc() as services:
            return services.contracts.departure_notices(departure_id)


@blp.route("/guides")
class Guides(MethodView):
    @allow(*READ)
    @blp.arguments(wire.GuideQuerySchema, location="query")
    @blp.response(200, wire.GuidePageSchema)
    def get(self, query):
        """The guides, by name"""
        with rpc() as services:
            return services.contracts.list_guides(query)

    @allow(*PLAN)
    @blp.arguments(wire.GuideCreateSchema)
    @blp.response(201, wire.GuideSchema, **LOCATION)
    def post(self, data):
        """Record a guide: name, phone, languages"""
        with rpc() as services:
            guide = services.contracts.create_guide(data)
        return created(guide, f"/api/v1/guides/{guide['id']}")


@blp.route("/guides/<int:guide_id>")
class GuideById(MethodView):
    @allow(*READ)
    @blp.response(200, wire.GuideSchema)
    def get(self, guide_id):
        """A guide"""
        with rpc() as services:
            return services.contracts.get_guide(guide_id)

    @allow(*PLAN)
    @blp.arguments(wire.GuideUpdateSchema)
    @blp.response(200, wire.GuideSchema)
    def patch(self, data, guide_id):
        """Change a guide's name, phone, languages or notes"""
        with rpc() as services:
            return services.contracts.update_guide(guide_id, data)
