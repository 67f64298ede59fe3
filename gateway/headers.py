"""Security headers on every response the gateway makes (after_request).

The API answers JSON, files and nothing a browser should run or frame: its content security
policy allows nothing. The Swagger UI at /api/v1/docs gets a policy of its own naming exactly what
it loads: the Swagger UI files from where OPENAPI_SWAGGER_UI_URL points, its one inline script by
hash, the spec from this origin. The customer's signing page sets its own (gateway.signing_page),
which is kept: the policy that allows nothing is only a default.
"""
import base64
import hashlib
import re
from urllib.parse import urlsplit

from flask import current_app, request

NOTHING = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def _source(url: str | None) -> str:
    """The Swagger UI files' folder as a CSP source (a path ending in / matches the files under
    it, not the whole CDN); 'self' once they are served by the gateway itself."""
    parts = urlsplit(url or "")
    if not (parts.scheme and parts.netloc):
        return "'self'"
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}/"


def docs_policy(html: bytes, swagger_ui_url: str | None) -> str:
    ui = _source(swagger_ui_url)
    hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(script).digest()).decode()
                      for script in _INLINE_SCRIPT.findall(html))
    # Swagger UI 5 applies inline styles at run time (swagger-api/swagger-ui#10655) and draws its
    # icons as data: SVGs; styles cannot run code, scripts stay pinned to the files and the hash.
    return (f"default-src 'none'; script-src {ui} {hashes}; style-src {ui} 'unsafe-inline'; "
            f"img-src 'self' data: {ui}; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def secure(response):
    config = current_app.config
    prefix = config["OPENAPI_URL_PREFIX"]
    docs = f"{prefix}/{config['OPENAPI_SWAGGER_UI_PATH']}"
    specs = (f"{prefix}/{config['OPENAPI_JSON_PATH']}", f"{prefix}/{config['ASYNCAPI_JSON_PATH']}")
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    if request.path == docs and response.mimetype == "text/html":
        headers["Content-Security-Policy"] = docs_policy(response.get_data(), config.get("OPENAPI_SWAGGER_UI_URL"))
    else:
        headers.setdefault("Content-Security-Policy", NOTHING)
    # Tokens and personal data stay out of every cache; the published specs and the page may be cached.
    if request.path.startswith(prefix + "/") and request.path not in (docs, *specs) \
            and "no-store" not in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "no-store"
    return response
