"""The OpenAPI document tells the truth, derived in one place from what each route declares.

- Every error is documented as application/problem+json with the ProblemDetails schema.
- Error statuses come from the route's declarations: @allow => 401 (and 403 unless every role
  may call it); a path parameter => 404, and 422 (a number no column holds, text with a NUL
  character); a body or query => 422; every route => 413 (a body over GATEWAY_MAX_BODY_BYTES)
  and 414 (a URL over GATEWAY_MAX_URL_BYTES), refused before it runs; a POST through
  Idempotency-Key (@allow, supplier_key) => 409 and 422; a blueprint that calls services => 503
  and 504. What cannot be derived (a service's 409, a 403 on a field) the route declares
  with @blp.alt_response(status, description=...); its content is filled in here.
- Security: staff routes take the bearer JWT, supplier routes (auth.SUPPLIER_KEY_PREFIX) the
  supplier API key, routes without @allow are public (security: []).
- Decimals travel as strings (marshmallow dumps them so, to keep every cent): they are
  documented as strings with a pattern, and every Range bound is a JSON number.
"""
import http
from decimal import Decimal

from apispec import BasePlugin
from apispec.ext.marshmallow.field_converter import make_type_list
from flask_smorest import Api as SmorestApi
from marshmallow import validate

from services.common import fields

from .auth import SUPPLIER_KEY_PREFIX
from .staff import ROLES

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA = "ProblemDetails"
FIELD_ERRORS_SCHEMA = "FieldErrors"
# What marshmallow accepts and what str(Decimal) gives (which may use an exponent, as 0E-8).
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"

SCHEMAS = {
    PROBLEM_SCHEMA: {
        "type": "object",
        "description": "An error (RFC 9457). Other members give details, such as a duplicate's "
                       "`existing_customer_ids` or a sold-out date's `available` units.",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string", "description": "about:blank"},
            "title": {"type": "string", "description": "The HTTP status phrase"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong and what to do"},
            "errors": {"$ref": f"#/components/schemas/{FIELD_ERRORS_SCHEMA}"},
        },
        "additionalProperties": True,
    },
    FIELD_ERRORS_SCHEMA: {
        "type": "object",
        "description": "Each invalid field with its messages; nested objects and list items by "
                       "field name or index; `_schema` for the body as a whole.",
        "additionalProperties": {"anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"$ref": f"#/components/schemas/{FIELD_ERRORS_SCHEMA}"},
        ]},
    },
}

# bearerAuth (the staff JWT) and the default security come from API_SPEC_OPTIONS in app.py.
SECURITY_SCHEMES = {
    "supplierApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                       "description": "A supplier's API key (POST /api/v1/suppliers/{supplier_id}/api-key)"},
    "supplierBearer": {"type": "http", "scheme": "bearer",
                       "description": "The supplier's API key as Authorization: Bearer <key>"},
}
STAFF_SECURITY = [{"bearerAuth": []}]
SUPPLIER_SECURITY = [{"supplierApiKey": []}, {"supplierBearer": []}]

RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                               "schema": {"type": "integer", "minimum": 0}}}

# The reasons derived for each status; a route's own declaration comes first.
UNAUTHORIZED_STAFF = "No bearer token, or one that is invalid, expired or of a disabled account."
UNAUTHORIZED_SUPPLIER = "No supplier API key, or one that is wrong or revoked."
NOT_FOUND = "Nothing has that identifier."
INVALID = "Invalid fields: `errors` names each with its messages."
IDEMPOTENCY_CONFLICT = "A request with the same Idempotency-Key is still in progress."
IDEMPOTENCY_INVALID = ("The Idempotency-Key is over 200 characters, holds text no database stores (NUL), or was "
                       "used with a different request.")
PATH_VALUE = "A value in the path no record can have (a number past any column, a NUL character)."
TOO_LARGE = "The body is larger than the gateway accepts (GATEWAY_MAX_BODY_BYTES), chunked or not."
URL_TOO_LONG = "The URL (path and query) is longer than the gateway accepts (GATEWAY_MAX_URL_BYTES)."
UNAVAILABLE = "A service or the message broker is not reachable; try again later."
TIMEOUT = "A service did not answer in time."
DEFAULT = "Any other error (an unexpected failure is a 500)."


def problem_content() -> dict:
    return {PROBLEM: {"schema": {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA}"}}}


def problem_response(description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": problem_content()}
    if headers:
        response["headers"] = headers
    return response


def _number(value):
    """A Range bound as a JSON number (apispec would dump a Decimal bound as a string)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def range_and_decimal_properties(self, field, ret, **kwargs) -> dict:
    """apispec attribute function: numeric bounds (exclusive ones too) and Decimals as strings."""
    extra = {}
    if isinstance(field, fields.Decimal):
        types = ["string" if t == "number" else t for t in make_type_list(ret.get("type"))]
        extra.update(type=types[0] if len(types) == 1 else types, format="decimal", pattern=DECIMAL_PATTERN)
    for validator in field.validators:
        if not isinstance(validator, validate.Range):
            continue
        for bound, inclusive, name in ((validator.min, validator.min_inclusive, "minimum"),
                                       (validator.max, validator.max_inclusive, "maximum")):
            if not isinstance(bound, (int, float, Decimal)) or isinstance(bound, bool):
                continue  # dates keep apispec's x-minimum / x-maximum, in ISO 8601
            # The built-in converter wrote the bound as `minimum` whatever its inclusiveness.
            ret.pop(name, None)
            key = name if inclusive else "exclusive" + name.capitalize()
            extra[key] = _number(bound)
    return extra


class ErrorResponsesPlugin(BasePlugin):
    """Adds to each operation the error statuses its route's declarations imply."""

    def __init__(self, app):
        self.app = app

    def init_spec(self, spec):
        for name, schema in SCHEMAS.items():
            spec.components.schema(name, component=schema)
        for name, scheme in SECURITY_SCHEMES.items():
            spec.components.security_scheme(name, scheme)

    def operation_helper(self, path=None, operations=None, rule=None, **kwargs):
        if rule is None:
            return
        view = self.app.view_functions[rule.endpoint]
        blueprint = self.app.blueprints.get(rule.endpoint.rpartition(".")[0])
        calls_services = getattr(blueprint, "calls_services", False)
        for method, operation in operations.items():
            handler = getattr(getattr(view, "view_class", None), method, view)
            roles = getattr(handler, "allowed_roles", None)
            idempotent = method == "post" and getattr(handler, "takes_idempotency_key", False)
            self._document(operation, method, rule, roles, idempotent, calls_services)

    def _document(self, operation: dict, method: str, rule, roles, idempotent_post: bool, calls_services: bool):
        supplier = rule.rule.startswith(SUPPLIER_KEY_PREFIX)
        if supplier:
            operation["security"] = SUPPLIER_SECURITY
        elif roles is None:
            operation["security"] = []
        else:
            operation["security"] = STAFF_SECURITY
        has_body = "requestBody" in operation
        has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))

        derived: dict[int, list[str]] = {}

        def add(status: int, reason: str):
            derived.setdefault(status, []).append(reason)

        if supplier:
            add(401, UNAUTHORIZED_SUPPLIER)
        elif roles is not None:
            add(401, UNAUTHORIZED_STAFF)
            if set(ROLES) - set(roles):
                add(403, "Signed in without one of the roles: " + ", ".join(sorted(roles)) + ".")
        if rule.arguments:
            add(404, NOT_FOUND)
        if idempotent_post:
            add(409, IDEMPOTENCY_CONFLICT)
            operation.setdefault("parameters", []).append({
                "in": "header", "name": "Idempotency-Key", "required": False,
                "description": "Repeat a POST safely: the same key and body get the first answer again.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200}})
        add(413, TOO_LARGE)
        add(414, URL_TOO_LONG)
        if has_body or has_query:
            add(422, INVALID)
        if rule.arguments:
            add(422, PATH_VALUE)
        if idempotent_post:
            add(422, IDEMPOTENCY_INVALID)
        if calls_services:
            add(503, UNAVAILABLE)
            add(504, TIMEOUT)

        # flask-smorest keys responses by the int or str status the decorators were given.
        responses = operation["responses"] = {str(k): v for k, v in operation.get("responses", {}).items()}
        for status in derived:
            responses.setdefault(str(status), None)
        for status, response in list(responses.items()):
            if status == "default":
                responses[status] = "DEFAULT_ERROR"
                continue
            if not status.startswith(("4", "5")):
                continue
            reasons = derived.get(int(status), [])
            declared = response if isinstance(response, dict) else {}
            if declared.get("content"):
                continue  # the route documents its own body (the OTA route answers in XML)
            description = " ".join(dict.fromkeys(filter(None, [declared.get("description"), *reasons])))
            responses[status] = dict(declared, **problem_response(
                description or http.HTTPStatus(int(status)).phrase,
                RETRY_AFTER if int(status) in (429, 503) else declared.get("headers")))


class Api(SmorestApi):
    """flask-smorest's Api with the error responses documented as problem+json."""

    def __init__(self, app=None, *, spec_kwargs=None, **kwargs):
        spec_kwargs = dict(spec_kwargs or {})
        if app is not None:
            spec_kwargs.setdefault("extra_plugins", []).append(ErrorResponsesPlugin(app))
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(range_and_decimal_properties)

    def _register_responses(self):
        """The components flask-smorest refers to (DEFAULT_ERROR, UNPROCESSABLE_ENTITY...), as problems."""
        for status in http.HTTPStatus:
            if status >= 400:
                self.spec.components.response(status.name, problem_response(status.phrase), lazy=True)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, problem_response(DEFAULT), lazy=True)
