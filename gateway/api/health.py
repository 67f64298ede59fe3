"""/healthz: the gateway process is alive. /readyz: the broker and every service answer."""
from concurrent.futures import ThreadPoolExecutor

from flask import current_app, jsonify
from marshmallow import Schema

from services.common import fields
from services.common.config import SERVICES

from . import Blueprint

blp = Blueprint("health", __name__, description="Liveness and readiness", calls_services=False)


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})


class ServiceReadinessSchema(Schema):
    class Meta:
        unknown = "include"  # a service's health() may say more (its database, its version)

    ok = fields.Boolean(required=True)
    error = fields.String(metadata={"description": "Why the service did not answer (when ok is false)"})
    service = fields.String()
    database = fields.String()


class ReadinessSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ready", "not ready"]})
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceReadinessSchema), required=True,
                           metadata={"description": "Each service by name"})


@blp.route("/healthz")
@blp.response(200, HealthSchema, description="The gateway process is alive")
def healthz():
    return jsonify(status="ok")


def _ask(app, service: str) -> tuple[str, dict]:
    with app.app_context():
        try:
            with app.extensions["readiness_rpc"].client({"correlation_id": "readyz"}) as rpc:
                return service, {"ok": True, **getattr(rpc, service).health()}
        except Exception as exc:  # readiness reports, it does not raise
            return service, {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


@blp.route("/readyz")
@blp.response(200, ReadinessSchema, description="The broker and every service answer")
@blp.alt_response(503, schema=ReadinessSchema, description="Some service does not answer: `services` says which")
def readyz():
    app = current_app._get_current_object()
    with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
        services = dict(pool.map(lambda name: _ask(app, name), SERVICES))
    ready = all(s["ok"] for s in services.values())
    response = jsonify(status="ready" if ready else "not ready", services=services)
    response.status_code = 200 if ready else 503
    return response
