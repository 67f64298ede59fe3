"""The gateway behind a real gunicorn (deploy/gunicorn.conf.py), spoken to over raw sockets.

What only a real HTTP server shows: chunked bodies, a request line over the limits, keep-alive
after an error, the headers on the wire. The gateway runs in its own gunicorn process; the CRM
service runs in this process on the test's RabbitMQ vhost and SQLite.
"""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from services.crm.service import CrmService
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
ADMIN = ("admin", "correct horse battery staple")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Http:
    """One keep-alive connection: send raw requests, read whole responses."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer = b""

    def send(self, data: bytes):
        self.sock.sendall(data)

    def request(self, method, path, body: bytes = b"", headers: dict | None = None, chunks=None):
        head = [f"{method} {path} HTTP/1.1", "Host: gateway"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if chunks is not None:
            head.append("Transfer-Encoding: chunked")
        elif body or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body)}")
        self.send(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if chunks is not None:
            for chunk in chunks:
                self.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.send(b"0\r\n\r\n")
        elif body:
            self.send(body)
        return self.response()

    def _read(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data

    def response(self) -> tuple[int, dict, bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", 0))
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def close(self):
        self.sock.close()


@pytest.fixture
def gunicorn(suite_config, run_services, tmp_path):
    """The gateway in gunicorn on a free port; yields the port."""
    run_services(CrmService)
    port = free_port()
    env = dict(os.environ, AMQP_URI=suite_config["AMQP_URI"], ITINERA_VAR_DIR=str(tmp_path),
               CRM_DATABASE_URL=suite_config["DATABASE_URLS"]["crm"],
               GATEWAY_DATABASE_URL=f"sqlite:///{tmp_path / 'gateway.db'}", ADMIN_USERNAME=ADMIN[0],
               ADMIN_PASSWORD=ADMIN[1], JWT_SECRET="a test secret of at least 32 bytes " + tmp_path.name,
               LOG_LEVEL="WARNING")
    log = open(tmp_path / "gunicorn.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--workers", "1",
                                "--bind", f"127.0.0.1:{port}", "gateway.wsgi:app"], cwd=REPO, env=env,
                               stdout=log, stderr=subprocess.STDOUT)

    def answers():
        try:
            connection = Http(port)
            try:
                return connection.request("GET", "/healthz")[0] == 200
            finally:
                connection.close()
        except OSError:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            return False

    wait_for(answers, timeout=60, interval=0.2, message="gunicorn to serve the gateway")
    yield port
    process.terminate()
    process.wait(timeout=30)
    log.close()


def sign_in(http: Http) -> dict:
    status, _, body = http.request("POST", "/api/v1/auth/token", json.dumps(
        {"username": ADMIN[0], "password": ADMIN[1]}).encode(), {"Content-Type": "application/json"})
    assert status == 200, body
    return {"Authorization": "Bearer " + json.loads(body)["access_token"]}


def customers(http, auth) -> int:
    status, _, body = http.request("GET", "/api/v1/customers", headers=auth)
    assert status == 200, body
    return json.loads(body)["total"]


def test_a_chunked_body_over_the_limit_is_413_and_the_connection_stays_usable(gunicorn):
    http = Http(gunicorn)
    auth = sign_in(http)
    customer = json.dumps({"full_name": "Chunky Padding", "email": "chunky@example.com"}).encode()
    padding = [b" " * 60_000] * 20   # 1.2 MB of whitespace before a valid body
    status, headers, body = http.request("POST", "/api/v1/customers", headers=dict(
        auth, **{"Content-Type": "application/json"}), chunks=padding + [customer])
    assert status == 413, body
    assert headers["content-type"] == "application/problem+json"
    # The same connection answers the next request, and nothing was created.
    assert customers(http, auth) == 0
    # Under the limit, chunked works.
    # So does a body over the limit with a Content-Length.
    status, _, body = http.request("POST", "/api/v1/customers", b" " * 1_200_000 + customer, headers=dict(
        auth, **{"Content-Type": "application/json"}))
    assert status == 413, body
    assert customers(http, auth) == 0
    status, _, body = http.request("POST", "/api/v1/customers", headers=dict(
        auth, **{"Content-Type": "application/json"}), chunks=[customer[:10], customer[10:]])
    assert status == 201, body
    assert customers(http, auth) == 1
    http.close()


def test_every_route_refuses_a_body_over_the_limit_even_one_it_does_not_read(gunicorn):
    """As the OpenAPI document says of every operation: 413, whether the route reads a body or not."""
    http = Http(gunicorn)
    for path in ("/healthz", "/api/v1/customers"):
        status, headers, body = http.request("GET", path, b" " * 1_200_000)
        assert status == 413, (path, body)
        assert headers["content-type"] == "application/problem+json"
    status, _, body = http.request("GET", "/healthz")
    assert status == 200, body   # the same connection goes on
    http.close()


@pytest.mark.parametrize("length", [5_000, 9_000, 20_000])
def test_a_long_url_is_414_problem_json(gunicorn, length):
    http = Http(gunicorn)
    status, headers, body = http.request("GET", "/api/v1/customers?q=" + "x" * length)
    assert status == 414, body
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 414


def test_a_malformed_request_is_problem_json_too(gunicorn):
    http = Http(gunicorn)
    http.send(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\nBad Header\r\n\r\n")
    status, headers, body = http.response()
    assert status == 400
    assert headers["content-type"] == "application/problem+json"


def test_the_server_does_not_announce_itself(gunicorn):
    http = Http(gunicorn)
    for path in ("/healthz", "/api/v1/customers", "/nowhere"):
        status, headers, _ = http.request("GET", path)
        assert "server" not in headers, headers
        assert headers["x-content-type-options"] == "nosniff"
