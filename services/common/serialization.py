"""The wire format.

RPC uses `itinera-json`: JSON where Decimal, date, datetime and UUID are tagged so they come
back as the same type and value (money keeps every cent, no float ever appears). Events use
plain JSON from `to_plain` (Decimal as a string, dates in ISO 8601) because any AMQP client
must be able to read them; consumers load them back with the payload's marshmallow schema.
"""
import datetime as dt
import json
import uuid
from decimal import Decimal

CONTENT_TYPE = "application/x-itinera+json"

_TAG = "$t"


def _encode(obj):
    if isinstance(obj, Decimal):
        return {_TAG: "decimal", "v": str(obj)}
    if isinstance(obj, dt.datetime):
        if obj.tzinfo is None:
            raise TypeError(f"naive datetime {obj!r} cannot cross the wire; use UTC")
        return {_TAG: "datetime", "v": obj.isoformat()}
    if isinstance(obj, dt.date):
        return {_TAG: "date", "v": obj.isoformat()}
    if isinstance(obj, uuid.UUID):
        return {_TAG: "uuid", "v": str(obj)}
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"{type(obj).__name__} is not serializable")


_DECODERS = {
    "decimal": Decimal,
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "uuid": uuid.UUID,
}


def _decode(obj: dict):
    if len(obj) == 2 and _TAG in obj and "v" in obj:
        decoder = _DECODERS.get(obj[_TAG])
        if decoder:
            return decoder(obj["v"])
    return obj


def dumps(obj) -> str:
    return json.dumps(obj, default=_encode, ensure_ascii=False, separators=(",", ":"))


def loads(data):
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data).decode("utf-8")
    return json.loads(data, object_hook=_decode)


def _plain(obj):
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, dt.datetime):
        if obj.tzinfo is None:
            raise TypeError(f"naive datetime {obj!r} cannot cross the wire; use UTC")
        return obj.isoformat()
    if isinstance(obj, (dt.date, uuid.UUID)):
        return str(obj) if isinstance(obj, uuid.UUID) else obj.isoformat()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"{type(obj).__name__} is not serializable")


def to_plain(obj):
    """A JSON-ready copy of obj: Decimal -> "12.30", date -> "2026-05-01"."""
    return json.loads(json.dumps(obj, default=_plain, ensure_ascii=False))


def register():
    """Register `itinera-json` with kombu (idempotent). nameko does this from its config too."""
    from kombu.serialization import register as kombu_register

    kombu_register("itinera-json", dumps, loads, content_type=CONTENT_TYPE, content_encoding="utf-8")
