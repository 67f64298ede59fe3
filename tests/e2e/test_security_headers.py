"""Security headers at the real gateway app (what needs no service: sign-in, the spec, the docs page)."""
import base64
import hashlib
import re

import pytest

from .conftest import ADMIN

pytestmark = pytest.mark.e2e


def test_every_response_has_nosniff_a_strict_policy_and_no_referrer(anonymous):
    for response in (anonymous.get("/healthz"), anonymous.get("/api/v1/customers"), anonymous.get("/nowhere"),
                     anonymous.post("/api/v1/auth/token", json={"username": "x", "password": "y"})):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_the_token_and_api_answers_are_not_stored_but_the_spec_may_be(anonymous, client):
    token = anonymous.post("/api/v1/auth/token", json={"username": ADMIN[0], "password": ADMIN[1]})
    assert token.status_code == 200
    assert token.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/auth/me").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/customers/nobody").headers["Cache-Control"] == "no-store"
    assert "no-store" not in anonymous.get("/api/v1/openapi.json").headers.get("Cache-Control", "")


def test_the_docs_page_policy_allows_exactly_its_scripts_styles_and_the_spec(anonymous, gateway_app):
    page = anonymous.get("/api/v1/docs")
    assert page.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in page.headers["Content-Security-Policy"].split(";"))
    ui = "https://cdn.jsdelivr.net/npm/swagger-ui-dist/"   # that package's files, not the whole CDN
    assert gateway_app.config["OPENAPI_SWAGGER_UI_URL"] == ui
    html = page.data
    inline = re.findall(rb"<script>(.*?)</script>", html, re.S)
    assert len(inline) == 1
    digest = "'sha256-%s'" % base64.b64encode(hashlib.sha256(inline[0]).digest()).decode()
    assert policy["script-src"].split() == [ui, digest]
    assert policy["style-src"] == f"{ui} 'unsafe-inline'"   # Swagger UI styles elements at run time
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["default-src"] == "'none'"
    for src in re.findall(rb'(?:src|href)="([^"]+)"', html):
        assert src.decode().startswith(ui)
