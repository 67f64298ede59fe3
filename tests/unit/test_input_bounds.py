"""The shared input bounds: JSON nesting, dates, months and integers."""
import re
from datetime import date, datetime, timezone

import pytest
from marshmallow import Schema, ValidationError, validate

from gateway.limits import json_too_deep, out_of_range_ints
from services.common import fields
from services.common.validators import INT_MAX, MAX_YEAR, MIN_YEAR


@pytest.mark.parametrize("body, deep", [
    (b"[" * 32 + b"]" * 32, False),
    (b"[" * 33 + b"]" * 33, True),
    (b'{"a":' * 33 + b"1" + b"}" * 33, True),
    (b'[{"a": [1, {"b": []}]}, [], {}]', False),
    (b'{"s": "' + b"[" * 500 + b'"}', False),                      # brackets inside a string
    (b'{"s": "\\"' + b"[" * 500 + b'"}', False),                   # ... after an escaped quote
    (b"[" * 5000, True),                                           # unbalanced and deep
    (b"[}" * 40, False),                                           # unbalanced, shallow: the parser's job
    (b'[' * 20 + b'"x"' + b']' * 20 + b',' + b'{}' * 1000, False),   # many siblings are not depth
])
def test_json_depth(body, deep):
    assert json_too_deep(body) is deep


def test_path_ints_out_of_range_name_their_segment():
    assert out_of_range_ints({"version": INT_MAX, "id": "x"}) == {}
    assert set(out_of_range_ints({"version": INT_MAX + 1, "day_number": 2 ** 70})) == {"version", "day_number"}


class Sample(Schema):
    day = fields.Date()
    at = fields.AwareDateTime()
    count = fields.Integer(validate=validate.NoneOf([13]))   # its own rules still apply
    month = fields.Month()


@pytest.mark.parametrize("data, field", [
    ({"day": "0001-01-01"}, "day"), ({"day": "9999-12-31"}, "day"), ({"day": f"{MAX_YEAR + 1}-01-01"}, "day"),
    ({"at": "9999-12-31T23:00:00Z"}, "at"), ({"count": INT_MAX + 1}, "count"), ({"count": -(2 ** 63)}, "count"),
    ({"count": 13}, "count"), ({"month": f"{MIN_YEAR - 1}-12"}, "month"), ({"month": f"{MAX_YEAR + 1}-01"}, "month"),
    ({"month": "0000-01"}, "month"),
])
def test_out_of_range_values_are_field_errors(data, field):
    with pytest.raises(ValidationError) as refused:
        Sample().load(data)
    assert list(refused.value.messages) == [field]


def test_the_bounds_themselves_are_accepted():
    loaded = Sample().load({"day": f"{MIN_YEAR}-01-01", "at": f"{MAX_YEAR}-12-31T23:59:59Z", "count": INT_MAX,
                            "month": f"{MAX_YEAR}-12"})
    assert loaded["day"] == date(MIN_YEAR, 1, 1)
    assert loaded["at"] == datetime(MAX_YEAR, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
    assert Sample().load({"month": f"{MIN_YEAR}-01"})["month"] == f"{MIN_YEAR}-01"


def test_a_big_integer_field_takes_64_bits():
    class Push(Schema):
        sequence = fields.BigInteger()

    assert Push().load({"sequence": 1_764_000_000_000})["sequence"] == 1_764_000_000_000
    with pytest.raises(ValidationError):
        Push().load({"sequence": 2 ** 63})


def test_every_schema_module_takes_the_bounded_fields():
    """A schema built on marshmallow's own fields would let unbounded dates and numbers through again."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    unbounded = re.compile(r"from marshmallow import [^\n]*\bfields\b|marshmallow\.fields\.|from marshmallow\.fields")
    offenders = [str(path.relative_to(root)) for folder in ("services", "gateway")
                 for path in (root / folder).rglob("*.py")
                 if path.name != "fields.py" and unbounded.search(path.read_text())]
    assert offenders == []


def test_text_with_a_nul_character_is_refused_with_its_field():
    class Schema_(Schema):
        name = fields.String()
        tags = fields.List(fields.Str())
        attributes = fields.Dict(keys=fields.String(), values=fields.Raw())

    assert Schema_().load({"name": "Ana\u00e9 \u4e2d", "tags": ["a"], "attributes": {"k": "v"}})
    with pytest.raises(ValidationError) as refused:
        Schema_().load({"name": "A\x00", "tags": ["ok", "b\x00"], "attributes": {"k\x00": 1}})
    assert set(refused.value.messages) == {"name", "tags", "attributes"}
    assert "NUL" in refused.value.messages["name"][0]


@pytest.mark.parametrize("text, word", [("a\x00b", "NUL"), ("a\ud800", "surrogate")])
def test_every_string_field_refuses_text_no_database_holds(text, word):
    """The services' own schemas (RPC, the AMQP supplier queue) refuse it too, not only the gateway."""
    class Wire(Schema):
        name = fields.String()
        tags = fields.List(fields.Str())
        attributes = fields.Dict(keys=fields.String())

    with pytest.raises(ValidationError) as refused:
        Wire().load({"name": text, "tags": ["ok", text], "attributes": {text: 1}})
    messages = refused.value.messages
    assert word in messages["name"][0] and word in messages["tags"][1][0]
    assert word in messages["attributes"][text]["key"][0]
    assert Wire().load({"name": "Núñez 北京 🚆"}) == {"name": "Núñez 北京 🚆"}
