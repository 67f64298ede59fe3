"""/healthz: the gateway process is alive. /readyz: the broker and every service answer."""
from concurrent.futures import ThreadPoolExecutor

from flask import current_app, jsonify

from services.common.config import SERVICES

from . import Blueprint

blp = Blueprint("health", __name__, description="Liveness and readiness")


@blp.route("/healthz")
@blp.doc(security=[])
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
@blp.doc(security=[])
def readyz():
    app = current_app._get_current_object()
    with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
        services = dict(pool.map(lambda name: _ask(app, name), SERVICES))
    ready = all(s["ok"] for s in services.values())
    response = jsonify(status="ready" if ready else "not ready", services=services)
    response.status_code = 200 if ready else 503
    return response
