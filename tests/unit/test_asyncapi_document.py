"""The AsyncAPI document is valid AsyncAPI 3.0.0 and says what the services send.

Two kinds of registry: a made-up one (two services' wire modules put in sys.modules) so the
checks see real events today, and the real one (each services/<name>/wire), which must give a
valid document whatever the services declare.
"""
import importlib
import json
import sys
import types
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from marshmallow import Schema, validate

import services
from gateway import asyncapi
from gateway.app import create_app
from gateway.db import GatewayDatabase
from services.common import fields
from services.common.config import SERVICES
from services.common.contract import Event, events_by_name
from services.common.envelope import make_envelope

OFFICIAL_SCHEMA = Path(__file__).parents[1] / "vendor" / "asyncapi-3.0.0.schema.json"
BROKER = "amqp://itinera:s3cret-broker-pass@rabbit.agency.example:5672/itinera"


class VehicleSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["sedan", "van", "coach"]))
    seats = fields.Integer(required=True, validate=validate.Range(min=1, max=60))


class PickupSchema(Schema):
    booking_id = fields.String(required=True)
    pickup_date = fields.Date(required=True)
    fare = fields.Decimal(required=True, as_string=True, places=2, validate=validate.Range(min=0))
    currency = fields.String(required=True)
    vehicle = fields.Nested(VehicleSchema, required=True)


class ApplicationSchema(Schema):
    application_id = fields.String(required=True)
    nationality = fields.String(required=True)
    travellers = fields.List(fields.String(), required=True)
    notes = fields.String(allow_none=True)


PICKUP_SCHEDULED = Event("transfers.pickup_scheduled", PickupSchema, "A transfer pickup was scheduled.")
PICKUP_MOVED = Event("transfers.pickup_moved", PickupSchema, "A transfer pickup moved to another date.")
VISA_LODGED = Event("visas.application_lodged", ApplicationSchema,
                    "A visa application was lodged with the consulate.", version=2)


def wire_module(name: str, events: dict | None) -> types.ModuleType:
    module = types.ModuleType(name)
    if events is not None:
        module.EVENTS = events
    return module


@pytest.fixture
def made_up_services(monkeypatch):
    """transfers and visas publish events; drafts has a wire module with none; nosuch has none."""
    for name, events in (("transfers", events_by_name(PICKUP_SCHEDULED, PICKUP_MOVED)),
                         ("visas", events_by_name(VISA_LODGED)),
                         ("drafts", None)):
        monkeypatch.setitem(sys.modules, f"services.{name}.wire", wire_module(f"services.{name}.wire", events))
    monkeypatch.setattr(asyncapi, "SERVICES", ("transfers", "visas", "drafts", "nosuch"))


@pytest.fixture
def doc(made_up_services):
    return asyncapi.document(BROKER)


@pytest.fixture(scope="module")
def official():
    return jsonschema.Draft7Validator(json.loads(OFFICIAL_SCHEMA.read_text()))


def invalid(official, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in official.iter_errors(document)]


def dangling_refs(document) -> list[str]:
    """Internal references the official schema does not follow: each must point at something."""
    def target(ref):
        node = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node

    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                try:
                    target(node["$ref"])
                except (KeyError, TypeError):
                    found.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


def message_validator(document, event_name) -> jsonschema.Draft7Validator:
    """The message payload schema of an event, with the document as the root of its refs."""
    return jsonschema.Draft7Validator(
        {**document, "$ref": f"#/components/messages/{event_name}/payload"},
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_the_document_is_valid_asyncapi_3_and_every_reference_resolves(doc, official):
    assert doc["asyncapi"] == "3.0.0"
    assert invalid(official, doc) == []
    assert dangling_refs(doc) == []


def test_the_check_refuses_a_broken_document(doc, official):
    broken = json.loads(json.dumps(doc))
    broken["channels"]["transfers.pickup_scheduled"]["bindings"]["amqp"]["exchange"]["type"] = "round-robin"
    broken["operations"]["visas.application_lodged"]["action"] = "publish"  # AsyncAPI 2's word
    assert len(invalid(official, broken)) == 2
    broken["components"]["messages"]["visas.application_lodged"]["payload"]["allOf"][1]["properties"]["payload"] = \
        {"$ref": "#/components/schemas/NoSuchPayload"}
    assert dangling_refs(broken) == ["#/components/schemas/NoSuchPayload"]


def test_each_event_is_its_routing_key_on_its_services_topic_exchange(doc):
    assert sorted(doc["channels"]) == ["transfers.pickup_moved", "transfers.pickup_scheduled",
                                       "visas.application_lodged"]
    channel = doc["channels"]["visas.application_lodged"]
    assert channel["address"] == "application_lodged"
    assert channel["bindings"]["amqp"]["is"] == "routingKey"
    assert channel["bindings"]["amqp"]["exchange"] == {
        "name": "visas.events", "type": "topic", "durable": True, "autoDelete": False, "vhost": "itinera"}
    operation = doc["operations"]["visas.application_lodged"]
    assert operation["action"] == "send"
    assert operation["channel"] == {"$ref": "#/channels/visas.application_lodged"}
    assert operation["summary"] == VISA_LODGED.summary


def test_services_without_events_are_left_out(doc):
    sources = {message["tags"][0]["name"] for message in doc["components"]["messages"].values()}
    assert sources == {"transfers", "visas"}


def test_a_wire_module_that_fails_to_import_is_an_error_not_a_silence(made_up_services, monkeypatch, tmp_path):
    # A real package on disk whose wire module imports something missing (a typo, a lost dependency).
    (tmp_path / "cruises").mkdir()
    (tmp_path / "cruises" / "__init__.py").write_text("")
    (tmp_path / "cruises" / "wire.py").write_text("import services.cruises.no_such_schemas\n")
    monkeypatch.setattr(services, "__path__", [*services.__path__, str(tmp_path)])
    monkeypatch.setattr(asyncapi, "SERVICES", ("transfers", "cruises"))
    try:
        with pytest.raises(ModuleNotFoundError, match="no_such_schemas"):
            asyncapi.document(BROKER)
    finally:
        for name in [name for name in sys.modules if name.startswith("services.cruises")]:
            del sys.modules[name]


def test_a_message_carries_the_summary_and_version_of_its_event(doc):
    message = doc["components"]["messages"]["visas.application_lodged"]
    assert message["summary"] == "A visa application was lodged with the consulate."
    assert message["title"] == "visas.application_lodged v2" and message["x-version"] == 2
    envelope, specifics = message["payload"]["allOf"]
    assert envelope == {"$ref": "#/components/schemas/Envelope"}
    assert specifics["properties"]["version"] == {"const": 2}
    assert specifics["properties"]["type"] == {"const": "visas.application_lodged"}
    assert message["bindings"]["amqp"]["messageType"] == "visas.application_lodged"


def test_payload_schemas_read_as_in_the_openapi_document(doc):
    schemas = doc["components"]["schemas"]
    # Two events with one payload schema share one component.
    scheduled = doc["components"]["messages"]["transfers.pickup_scheduled"]["payload"]["allOf"][1]
    moved = doc["components"]["messages"]["transfers.pickup_moved"]["payload"]["allOf"][1]
    assert scheduled["properties"]["payload"] == moved["properties"]["payload"] \
        == {"$ref": "#/components/schemas/Pickup"}
    pickup = schemas["Pickup"]
    assert set(pickup["required"]) == {"booking_id", "pickup_date", "fare", "currency", "vehicle"}
    assert pickup["properties"]["fare"]["type"] == "string" and pickup["properties"]["fare"]["minimum"] == 0
    assert pickup["properties"]["vehicle"] == {"$ref": "#/components/schemas/Vehicle"}
    assert schemas["Vehicle"]["properties"]["kind"]["enum"] == ["sedan", "van", "coach"]
    assert schemas["Application"]["properties"]["notes"]["type"] == ["string", "null"]


def test_two_services_payload_schemas_of_one_name_are_both_documented(monkeypatch):
    def booking_schema(**extra):
        return type("BookingSchema", (Schema,), {"locator": fields.String(required=True), **extra})

    rail = Event("rail.seat_booked", booking_schema(coach=fields.String(required=True)), "A seat was booked.")
    ferry = Event("ferries.cabin_booked", booking_schema(deck=fields.Integer(required=True)), "A cabin was booked.")
    monkeypatch.setitem(sys.modules, "services.rail.wire", wire_module("services.rail.wire", events_by_name(rail)))
    monkeypatch.setitem(sys.modules, "services.ferries.wire",
                        wire_module("services.ferries.wire", events_by_name(ferry)))
    monkeypatch.setattr(asyncapi, "SERVICES", ("rail", "ferries"))
    doc = asyncapi.document(BROKER)

    def payload_schema(event):
        ref = doc["components"]["messages"][event.name]["payload"]["allOf"][1]["properties"]["payload"]["$ref"]
        return doc["components"]["schemas"][ref.rsplit("/", 1)[1]]

    assert set(payload_schema(rail)["properties"]) == {"locator", "coach"}
    assert set(payload_schema(ferry)["properties"]) == {"locator", "deck"}


def test_what_the_service_emits_is_what_the_document_describes(doc):
    pickup = {"booking_id": "BK-77", "pickup_date": date(2027, 3, 14), "fare": Decimal("45.50"),
              "currency": "EUR", "vehicle": {"kind": "van", "seats": 7}}
    envelope = make_envelope(PICKUP_SCHEDULED.name, PICKUP_SCHEDULED.payload(pickup), "req-1")
    envelope = json.loads(json.dumps(envelope))  # as it travels
    assert list(message_validator(doc, PICKUP_SCHEDULED.name).iter_errors(envelope)) == []
    # A field added later (a compatible change) does not make old subscribers refuse the event.
    envelope["payload"]["driver_phone"] = "+34 600 000 000"
    assert message_validator(doc, PICKUP_SCHEDULED.name).is_valid(envelope)
    # The document does tell a wrong payload, and a message of another event, from a right one.
    wrong = json.loads(json.dumps(envelope))
    wrong["payload"]["vehicle"]["seats"] = "seven"
    assert not message_validator(doc, PICKUP_SCHEDULED.name).is_valid(wrong)
    assert not message_validator(doc, PICKUP_MOVED.name).is_valid(envelope)


def test_the_server_is_the_broker_without_its_credentials(doc):
    server = doc["servers"]["rabbitmq"]
    assert server["host"] == "rabbit.agency.example:5672" and server["pathname"] == "itinera"
    assert server["protocol"] == "amqp" and server["protocolVersion"] == "0.9.1"
    assert "s3cret-broker-pass" not in json.dumps(doc)
    assert asyncapi.broker_server("amqps://u:p@mq.example/")["host"] == "mq.example:5671"


def test_the_description_says_how_to_subscribe(doc):
    text = doc["info"]["description"]
    assert "bind it to the exchange with the routing" in text.replace("\n", " ")
    assert "de-duplicate by the envelope's `id`" in text
    assert '@event_handler("crm", "customer_created")' in text


def test_the_gateway_serves_it_publicly_beside_the_openapi_document(made_up_services, monkeypatch, tmp_path):
    monkeypatch.setenv("JWT_SECRET", "a unit-test secret of at least 32 bytes")
    app = create_app({"AMQP_URI": BROKER}, gateway_db=GatewayDatabase(f"sqlite:///{tmp_path / 'gw.db'}"))
    client = app.test_client()
    answer = client.get("/api/v1/asyncapi.json")  # no token, like /api/v1/openapi.json
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.json == asyncapi.document(BROKER)
    assert "no-store" not in answer.headers.get("Cache-Control", "")
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_the_real_services_contracts_give_a_valid_document(official):
    doc = asyncapi.document(BROKER)
    assert invalid(official, doc) == [] and dangling_refs(doc) == []
    declared = {}
    for service in SERVICES:
        try:
            wire = importlib.import_module(f"services.{service}.wire")
        except ModuleNotFoundError:
            continue
        declared.update({name: event for name, event in getattr(wire, "EVENTS", {}).items()})
    assert sorted(doc["channels"]) == sorted(declared)
    for name, event in declared.items():
        assert doc["channels"][name]["bindings"]["amqp"]["exchange"]["name"] == event.exchange
        assert doc["components"]["messages"][name]["x-version"] == event.version


def test_feedback_gathers_the_events_each_of_its_parts_declares():
    from services.feedback.wire import EVENTS, complaints, kpis, surveys

    parts = (*complaints.COMPLAINTS_EVENTS, *surveys.SURVEYS_EVENTS, *kpis.KPIS_EVENTS)
    assert EVENTS == {event.name: event for event in parts}
    assert {"feedback.survey_sent", "feedback.survey_answered", "feedback.check_in_recorded"} <= set(EVENTS)
