"""What a service publishes for others to rely on: its events, each a payload schema with a version.

A service's wire module (services/<name>/wire.py) declares its events as `Event`s beside its RPC
schemas and remote errors. The unit of work emits an event by dumping its schema, so what the
AsyncAPI document says (gateway/asyncapi.py, generated from these) is what is sent.
"""
from dataclasses import dataclass

from marshmallow import Schema

from . import fields
from .envelope import split_event_name


@dataclass(frozen=True)
class Event:
    name: str            # "<service>.<fact in past tense>": the exchange and the routing key
    schema: type[Schema]
    summary: str
    version: int = 1     # adding a field keeps it; removing or renaming one is a new version

    @property
    def exchange(self) -> str:
        return f"{split_event_name(self.name)[0]}.events"

    @property
    def routing_key(self) -> str:
        return split_event_name(self.name)[1]

    def payload(self, data) -> dict:
        return self.schema().dump(data)

    def problems(self, envelope: dict) -> dict:
        """What in an emitted envelope breaks this contract ({} when nothing does)."""
        problems = EnvelopeSchema().validate(envelope)
        if envelope.get("type") != self.name or envelope.get("version") != self.version:
            problems["type"] = [f"expected {self.name} v{self.version}, got "
                                f"{envelope.get('type')} v{envelope.get('version')}"]
        payload_problems = self.schema().validate(envelope.get("payload") or {})
        if payload_problems:
            problems["payload"] = payload_problems
        return problems


def events_by_name(*events: Event) -> dict[str, Event]:
    names = [event.name for event in events]
    if len(set(names)) != len(names):
        raise ValueError(f"an event is declared twice: {names}")
    return {event.name: event for event in events}


class EnvelopeSchema(Schema):
    """What every event message carries around its payload (envelope.py makes it)."""

    id = fields.String(required=True, metadata={"description": "Unique per event: consumers de-duplicate by it."})
    type = fields.String(required=True, metadata={"description": "`<service>.<fact>`, e.g. `crm.customer_created`."})
    version = fields.Integer(required=True, metadata={"description": "The payload schema's version."})
    occurred_at = fields.AwareDateTime(required=True, metadata={"description": "When it was committed (UTC)."})
    source = fields.String(required=True, metadata={"description": "The service that emitted it."})
    correlation_id = fields.String(
        required=True, allow_none=True, metadata={"description": "Ties it to the request that caused it."})
    payload = fields.Dict(required=True)
