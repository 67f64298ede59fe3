"""Domain errors: typed across RPC, and mapped by the gateway to problem+json."""
from marshmallow import Schema, fields, validate
from nameko.exceptions import deserialize, serialize

import pytest

from services.common.errors import Conflict, NotFound, ValidationFailed, validated
from gateway.problems import _field_errors


class Party(Schema):
    adults = fields.Integer(required=True, validate=validate.Range(min=1))


def test_validation_failure_lists_every_bad_field():
    with pytest.raises(ValidationFailed) as failure:
        validated(Party(), {"adults": 0, "pets": 2})
    assert set(failure.value.details) == {"adults", "pets"}


@pytest.mark.parametrize("error", [
    NotFound("No customer 7.", {"customer_id": "7"}),
    Conflict("Sold out."),
    ValidationFailed("Bad fields.", {"adults": ["Must be at least 1."]}),
])
def test_domain_errors_cross_rpc_as_the_same_type(error):
    back = deserialize(serialize(error))
    assert type(back) is type(error)
    assert back.message == error.message and back.details == error.details and back.status == error.status


def test_webargs_locations_are_flattened_to_fields():
    assert _field_errors({"json": {"email": ["Not a valid email address."]}}) == {"email": ["Not a valid email address."]}
    assert _field_errors({"json": ["Invalid input type."]}) == {"_schema": ["Invalid input type."]}
    assert _field_errors({"email": ["x"]}) == {"email": ["x"]}
