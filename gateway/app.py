"""The Flask application: /api/v1 with OpenAPI docs at /api/v1/docs, the events' AsyncAPI at /api/v1/asyncapi.json."""
import logging.config
import os

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestURITooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from services.common import serialization
from services.common.config import SERVICES, amqp_uri, load_nameko_config

from services.common.db import utcnow
from services.common.errors import ValidationFailed
from services.common.validators import unstorable_texts

from . import asyncapi, context, headers, limits, problems, signing_page, staff, survey_page, tokens
from .api import (archive, auth as auth_api, complaints, customers, departures, followups, health, incidents, inquiries,
                  itinerary, kpis, messages, money, order_files, payables, segments, supplier, surveys, ticketing,
                  trips)
from .auth import StaffCache
from .db import GatewayDatabase
from .idempotency import Idempotency
from .jsonwire import IsoJSONProvider
from .pruning import Pruner
from .rpc import RpcPool
from .openapi import Api as DocumentedApi


class Api(DocumentedApi):
    def handle_http_exception(self, error):
        return problems.http_problem(error)


def create_app(nameko_config: dict | None = None, rpc_pool: RpcPool | None = None,
               readiness_timeout: float | None = None, gateway_db: GatewayDatabase | None = None) -> Flask:
    nameko_config = nameko_config or load_nameko_config()
    serialization.register()
    app = Flask(__name__)
    app.json = IsoJSONProvider(app)
    app.config.update(
        API_TITLE="Itinera",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        ASYNCAPI_JSON_PATH="asyncapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        MAX_CONTENT_LENGTH=int(os.environ.get("GATEWAY_MAX_BODY_BYTES", 1_000_000)),
        MAX_URL_BYTES=int(os.environ.get("GATEWAY_MAX_URL_BYTES", 4096)),
        API_SPEC_OPTIONS={
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                              "bearerFormat": "JWT"}}},
        },
        JWT_SECRET=tokens.signing_secret(),
    )
    database = gateway_db or GatewayDatabase()
    database.migrate()
    with database.session() as session:
        staff.ensure_first_admin(session, os.environ.get("ADMIN_USERNAME"), os.environ.get("ADMIN_PASSWORD"),
                                 utcnow())
    app.extensions["gateway_db"] = database
    app.extensions["staff_cache"] = StaffCache(database, float(os.environ.get("GATEWAY_STAFF_CACHE_SECONDS", 2)))
    app.extensions["rpc"] = rpc_pool = rpc_pool or RpcPool(
        nameko_config,
        size=int(os.environ.get("GATEWAY_RPC_POOL_SIZE", 16)),
        timeout=float(os.environ.get("GATEWAY_RPC_TIMEOUT", 10)),
    )
    # The whole HTTP request's deadline: each of its RPCs ends by then (gateway.rpc).
    app.config["REQUEST_TIMEOUT"] = float(os.environ.get("GATEWAY_REQUEST_TIMEOUT", rpc_pool.timeout + 5))
    app.extensions["idempotency"] = idempotency = Idempotency(database, app.config["REQUEST_TIMEOUT"])
    app.extensions["pruner"] = pruner = Pruner.from_env(database)
    # Readiness asks every service at once and must answer quickly when one is down.
    app.extensions["readiness_rpc"] = RpcPool(
        nameko_config, size=len(SERVICES),
        timeout=readiness_timeout or float(os.environ.get("GATEWAY_READINESS_TIMEOUT", 2)))
    app.url_value_preprocessor(_bounded_path_values)
    app.before_request(context.begin_request)
    app.before_request(_bounded_request)
    app.before_request(pruner.before_request)
    app.after_request(context.end_request)
    app.after_request(idempotency.remember)
    app.after_request(headers.secure)
    problems.register(app)
    app.wsgi_app = limits.BodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])
    # The client's address (sign-in throttling) from the proxies in front, when there are any:
    # with none trusted, X-Forwarded-For is anyone's to forge and is ignored.
    proxies = int(os.environ.get("GATEWAY_TRUSTED_PROXIES", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    api = Api(app)
    api.register_blueprint(health.blp)
    api.register_blueprint(auth_api.blp)
    api.register_blueprint(customers.blp)
    api.register_blueprint(inquiries.blp)
    api.register_blueprint(followups.blp)
    api.register_blueprint(messages.blp)
    api.register_blueprint(segments.blp)
    api.register_blueprint(ticketing.blp)
    api.register_blueprint(itinerary.blp)
    api.register_blueprint(supplier.blp)
    api.register_blueprint(order_files.blp)
    api.register_blueprint(money.blp)
    api.register_blueprint(archive.blp)
    api.register_blueprint(payables.blp)
    api.register_blueprint(incidents.blp)
    api.register_blueprint(trips.blp)
    api.register_blueprint(departures.blp)
    api.register_blueprint(complaints.blp)
    api.register_blueprint(surveys.blp)
    api.register_blueprint(kpis.blp)
    asyncapi.register(app, nameko_config.get("AMQP_URI") or amqp_uri())
    # A page, not an API route: registered on Flask, so the OpenAPI document leaves it out.
    app.register_blueprint(signing_page.blp)
    app.register_blueprint(survey_page.blp)
    return app


def _bounded_path_values(endpoint, values):
    """Every route's path segments: a number no integer column holds (<int:...>), or text no
    database holds (NUL, a lone surrogate), is a 422 naming the segment."""
    errors = limits.out_of_range_ints(values)
    if errors:
        raise ValidationFailed("A number in the path is out of range.", errors)
    errors = unstorable_texts({k: v for k, v in (values or {}).items() if isinstance(v, str)})
    if errors:
        raise ValidationFailed("A path segment holds text no database can store.", errors)


def _bounded_request():
    """Every route, whether it reads a body or not: 414 for a URL, 413 for a body over the limits."""
    if limits.url_length(request.environ) > current_app.config["MAX_URL_BYTES"]:
        raise RequestURITooLarge(f"URLs are limited to {current_app.config['MAX_URL_BYTES']} bytes.")
    if (request.content_length or 0) > current_app.config["MAX_CONTENT_LENGTH"]:
        raise RequestEntityTooLarge(f"Bodies are limited to {current_app.config['MAX_CONTENT_LENGTH']} bytes.")


def configure_logging(nameko_config: dict):
    if "LOGGING" in nameko_config:
        logging.config.dictConfig(nameko_config["LOGGING"])
