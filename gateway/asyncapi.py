"""The AsyncAPI document: every event the services publish, generated from their wire contracts.

Each service declares its events in `services/<name>/wire` (`EVENTS`, a dict of
`services.common.contract.Event`); the unit of work emits an event by dumping the same schema, so
this document says what is sent. An event is a channel whose address is its routing key (the
fact) on its service's topic exchange; its message is the envelope with the event's payload
schema. Schemas are converted by apispec's marshmallow plugin with the OpenAPI document's own
attribute functions, so a field reads the same in both documents (Decimals as strings...).

Served next to the OpenAPI document, at /api/v1/asyncapi.json (public, like it).
"""
import importlib
import json
from urllib.parse import unquote, urlsplit

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from apispec.ext.marshmallow.common import make_schema_key
from flask import Flask

from services.common.config import SERVICES
from services.common.contract import EnvelopeSchema, Event
from services.common.envelope import split_event_name

from .openapi import range_and_decimal_properties

ASYNCAPI_VERSION = "3.0.0"
AMQP_BINDING_VERSION = "0.3.0"
SERVER = "rabbitmq"
SCHEMAS_REF = "#/components/schemas/"

DESCRIPTION = """\
The facts Itinera's services publish once they are committed. Each service publishes on its own
topic exchange, `<service>.events` (durable), with the fact as the routing key: the event
`crm.customer_created` is the routing key `customer_created` on the exchange `crm.events`. Every
message is a JSON envelope (`id`, `type`, `version`, `occurred_at`, `source`, `correlation_id`)
around the event's `payload`.

**To subscribe**, declare a durable queue of your own, bind it to the exchange with the routing
key (`#` for all of a service's events), and consume JSON. Delivery is at least once (a relay
re-publishes what it cannot confirm): de-duplicate by the envelope's `id`. Check `version`: a
new field keeps the version, removing or renaming one makes a new version.

A nameko service subscribes with one line:
`@event_handler("crm", "customer_created")` on a method taking the envelope
(inside Itinera, `services.common.entrypoints.event_handler("crm.customer_created")`, which also
de-duplicates by `id`).
"""


def service_events() -> dict[str, dict[str, Event]]:
    """Each service's declared events, from its wire module; a service with none is left out."""
    found = {}
    for service in SERVICES:
        module_name = f"services.{service}.wire"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name in (module_name, f"services.{service}"):
                continue  # no contract published yet
            raise  # the wire module exists but imports something missing: a bug to see
        events = getattr(module, "EVENTS", None)
        if events:
            found[service] = events
    return found


def broker_server(amqp_uri: str) -> dict:
    """The broker as a subscriber reaches it: host, port and vhost, never the credentials."""
    parts = urlsplit(amqp_uri)
    secure = parts.scheme == "amqps"
    host = parts.hostname if parts.scheme in ("amqp", "amqps") and parts.hostname else "localhost"
    port = parts.port or (5671 if secure else 5672)
    return {
        "host": f"{host}:{port}",
        "pathname": vhost(amqp_uri),
        "protocol": "amqps" if secure else "amqp",
        "protocolVersion": "0.9.1",
        "description": "RabbitMQ. Ask the operators for an account that may declare and bind its own queues.",
        "security": [{"$ref": "#/components/securitySchemes/brokerAccount"}],
    }


def vhost(amqp_uri: str) -> str:
    path = urlsplit(amqp_uri).path
    return unquote(path[1:]) if len(path) > 1 else "/"


class _Schemas:
    """Marshmallow schemas as JSON Schema components, the way the OpenAPI document converts them."""

    def __init__(self):
        self.plugin = MarshmallowPlugin()
        self.spec = APISpec("Itinera events", "v1", openapi_version="3.1.0", plugins=[self.plugin])
        self.plugin.converter.add_attribute_function(range_and_decimal_properties)

    def component(self, schema_cls, service: str) -> str:
        """The component name of a schema class, added once however many events carry it."""
        key = make_schema_key(schema_cls())
        if key in self.plugin.converter.refs:
            return self.plugin.converter.refs[key]
        # Two services may each have a `BookingSchema`: the second is named after its service.
        base = name = resolver(schema_cls)
        counter = 1
        while name in self.spec.components.schemas:
            name = f"{service.capitalize()}{base}" + (str(counter) if counter > 1 else "")
            counter += 1
        self.spec.components.schema(name, schema=schema_cls)
        return name

    def all(self) -> dict:
        return _open(self.spec.to_dict().get("components", {}).get("schemas", {}))


def _open(schema):
    """Without `additionalProperties: false`: a new field keeps an event's version, so a
    subscriber validating by this document must accept fields it does not know yet."""
    if isinstance(schema, dict):
        return {key: _open(value) for key, value in schema.items()
                if not (key == "additionalProperties" and value is False)}
    if isinstance(schema, list):
        return [_open(item) for item in schema]
    return schema


def _message(event: Event, service: str, envelope: str, payload_schema: str) -> dict:
    return {
        "name": event.name,
        "title": f"{event.name} v{event.version}",
        "summary": event.summary,
        "contentType": "application/json",
        "tags": [{"name": service}],
        "headers": {"type": "object", "properties": {"nameko.correlation_id": {
            "type": "string", "description": "The envelope's correlation_id (empty when it has none)."}}},
        "correlationId": {"location": "$message.payload#/correlation_id"},
        "payload": {"allOf": [
            {"$ref": SCHEMAS_REF + envelope},
            {"type": "object", "properties": {
                "type": {"const": event.name},
                "version": {"const": event.version},
                "source": {"const": split_event_name(event.name)[0]},
                "payload": {"$ref": SCHEMAS_REF + payload_schema},
            }},
        ]},
        # AMQP properties the publisher sets: message_id is the envelope id, type the event name.
        "bindings": {"amqp": {"messageType": event.name, "bindingVersion": AMQP_BINDING_VERSION}},
        "x-version": event.version,
    }


def document(amqp_uri: str) -> dict:
    schemas = _Schemas()
    envelope = schemas.component(EnvelopeSchema, "common")
    channels, operations, messages = {}, {}, {}
    for service, events in service_events().items():
        for event in sorted(events.values(), key=lambda e: e.name):
            messages[event.name] = _message(event, service, envelope, schemas.component(event.schema, service))
            channels[event.name] = {
                "address": event.routing_key,
                "title": f"{event.routing_key} on {event.exchange}",
                "description": event.summary,
                "messages": {event.name: {"$ref": f"#/components/messages/{event.name}"}},
                "servers": [{"$ref": f"#/servers/{SERVER}"}],
                "bindings": {"amqp": {
                    "is": "routingKey",
                    "exchange": {"name": event.exchange, "type": "topic", "durable": True,
                                 "autoDelete": False, "vhost": vhost(amqp_uri)},
                    "bindingVersion": AMQP_BINDING_VERSION,
                }},
            }
            operations[event.name] = {
                "action": "send",
                "title": f"{service} publishes {event.name}",
                "summary": event.summary,
                "channel": {"$ref": f"#/channels/{event.name}"},
                "messages": [{"$ref": f"#/channels/{event.name}/messages/{event.name}"}],
                "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP_BINDING_VERSION}},
            }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": "Itinera events", "version": "v1", "description": DESCRIPTION,
                 "license": {"name": "Apache-2.0"}},
        "defaultContentType": "application/json",
        "servers": {SERVER: broker_server(amqp_uri)},
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas.all(),
            "messages": messages,
            "securitySchemes": {"brokerAccount": {
                "type": "userPassword", "description": "A RabbitMQ user name and password."}},
        },
    }


def register(app: Flask, amqp_uri: str):
    """Serve the document beside the OpenAPI one; built once, as the contracts are code."""
    body = json.dumps(document(amqp_uri), indent=2)
    path = f"{app.config['OPENAPI_URL_PREFIX']}/{app.config['ASYNCAPI_JSON_PATH']}"
    app.add_url_rule(path, endpoint="asyncapi_json",
                     view_func=lambda: app.response_class(body, mimetype="application/json"))
