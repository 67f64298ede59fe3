"""The OpenAPI document is valid and tells the truth about errors, security and bounds.

The app is built without a broker (its RPC pool connects on first use), so this reads only
the document: what the routes declare, as gateway.openapi turns it into OpenAPI.
"""
import re

import pytest
from openapi_spec_validator import validate

from gateway.api.supplier import XML_TYPES
from gateway.app import create_app
from gateway.auth import SUPPLIER_KEY_PREFIX, role_table
from gateway.db import GatewayDatabase
from gateway.staff import ROLES

PROBLEM = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}
METHODS = ("get", "put", "post", "delete", "patch")
# Error bodies a route documents itself: readiness reports per service, OTA answers in XML.
OWN_ERROR_BODIES = {("/readyz", "get", "503"): {"application/json"}}
OTA = "/api/v1/supplier/ota"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JWT_SECRET", "a unit-test secret of at least 32 bytes")
        yield create_app({"AMQP_URI": "memory://"},
                         gateway_db=GatewayDatabase(f"sqlite:///{tmp_path_factory.mktemp('gw') / 'gw.db'}"))


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/v1/openapi.json").json


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method], item.get("parameters", []) + item[method].get("parameters", [])


def resolve(spec, response: dict) -> dict:
    while "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_the_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_every_error_response_is_a_problem(spec):
    checked = 0
    for path, method, operation, _ in operations(spec):
        for status, response in operation["responses"].items():
            if not (status == "default" or status[0] in "45"):
                continue
            content = resolve(spec, response).get("content", {})
            if (path, method, status) in OWN_ERROR_BODIES:
                assert set(content) == OWN_ERROR_BODIES[path, method, status]
            elif path == OTA and PROBLEM not in content:
                assert set(content) <= set(XML_TYPES), status
            else:
                assert content == {PROBLEM: {"schema": PROBLEM_REF}}, (path, method, status)
            checked += 1
    assert checked > 500
    problem = spec["components"]["schemas"]["ProblemDetails"]
    assert problem["required"] == ["type", "title", "status"]
    assert problem["additionalProperties"] is True  # extension members, such as existing_customer_ids
    assert problem["properties"]["errors"] == {"$ref": "#/components/schemas/FieldErrors"}


def test_statuses_follow_from_what_each_route_declares(app, spec):
    paths = spec["paths"]
    for method, rule, roles in role_table(app):
        path, method = openapi_path(rule), method.lower()
        if path not in paths or method not in paths[path]:
            continue  # the docs pages themselves
        operation = paths[path][method]
        statuses = set(operation["responses"])
        if roles:
            assert operation["security"] == [{"bearerAuth": []}], (path, method)
            assert "401" in statuses, (path, method)
            # Roles that do not include everyone are refused with a 403 naming them.
            if set(ROLES) - set(roles):
                assert ", ".join(roles) in operation["responses"]["403"]["description"], (path, method)
            if method == "post":
                assert {"409", "422"} <= statuses, (path, method)
                assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
        elif path.startswith(SUPPLIER_KEY_PREFIX):
            assert operation["security"] == [{"supplierApiKey": []}, {"supplierBearer": []}]
            assert "401" in statuses
            if path == "/api/v1/supplier/inventory":
                assert {"409", "422"} <= statuses
                assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
        else:
            assert operation["security"] == [], (path, method)
        if "{" in path:
            assert {"404", "422"} <= statuses, (path, method)
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "422" in statuses, (path, method)
        assert {"413", "414"} <= statuses, (path, method)  # gateway-wide limits, before any route runs


def test_sign_in_documents_its_device_cookie(spec):
    cookie = spec["paths"]["/api/v1/auth/token"]["post"]["responses"]["200"]["headers"]["Set-Cookie"]
    assert "HttpOnly" in cookie["description"] and "itinera_device_" in cookie["description"]


def test_public_routes_have_no_token_and_no_401(spec):
    for path in ("/healthz", "/readyz"):
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [] and "401" not in operation["responses"]
    sign_in = spec["paths"]["/api/v1/auth/token"]["post"]
    assert sign_in["security"] == []
    assert "Retry-After" in sign_in["responses"]["429"]["headers"]


def test_routes_that_call_services_document_503_and_504(spec):
    customers = spec["paths"]["/api/v1/customers"]["get"]["responses"]
    assert {"503", "504"} <= set(customers) and "Retry-After" in customers["503"]["headers"]
    # The gateway answers these from its own database.
    assert not {"503", "504"} & set(spec["paths"]["/api/v1/auth/me"]["get"]["responses"])


def test_supplier_key_schemes(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["supplierApiKey"] == {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                                         "description": schemes["supplierApiKey"]["description"]}
    assert schemes["supplierBearer"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]


def test_readyz_documents_both_answers(spec):
    responses = spec["paths"]["/readyz"]["get"]["responses"]
    ready = {"$ref": "#/components/schemas/Readiness"}
    assert responses["200"]["content"]["application/json"]["schema"] == ready
    assert responses["503"]["content"]["application/json"]["schema"] == ready


def _bounds(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                yield f"{where}/{key}", value
            yield from _bounds(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _bounds(value, f"{where}/{i}")


def test_every_bound_is_a_number(spec):
    bounds = dict(_bounds(spec))
    assert len(bounds) > 50
    wrong = {where: value for where, value in bounds.items()
             if isinstance(value, bool) or not isinstance(value, (int, float))}
    assert not wrong


def test_decimals_are_documented_as_the_strings_they_travel_as(spec):
    schemas = spec["components"]["schemas"]
    refund = schemas["RefundCreate"]["properties"]["amount"]
    assert refund["type"] == "string" and refund["format"] == "decimal"
    assert refund["exclusiveMinimum"] == 0 and refund["maximum"] == 10_000_000
    pattern = re.compile(refund["pattern"])
    assert all(pattern.match(s) for s in ("12.50", "0", "10000000.00", "0E-8"))
    assert not any(pattern.match(s) for s in ("NaN", "Infinity", "1,5", ""))
    # Nullable decimals stay nullable; answers carry strings too.
    assert schemas["ItemFields"]["properties"]["unit_cost"]["type"] == ["string", "null"]
    assert schemas["ExchangeRate"]["properties"]["rate"]["type"] == "string"
