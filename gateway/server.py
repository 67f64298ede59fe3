"""How gunicorn itself answers, for deploy/gunicorn.conf.py: its own errors (a request line or
headers over its limits, a malformed request) as problem+json like every other error, and no
Server header naming the software."""
import json

PROBLEM = "application/problem+json"


def error_response(status: int, reason: str, detail: str) -> bytes:
    body = json.dumps({"type": "about:blank", "title": reason, "status": status, "detail": detail}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: {PROBLEM}\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n")
    return head.encode("latin-1") + body


def quiet_gunicorn():
    """Patch gunicorn once, in the master before it forks its workers."""
    from gunicorn import util
    from gunicorn.http import wsgi

    if getattr(util.write_error, "itinera", False):
        return

    def write_error(sock, status_int, reason, mesg):
        util.write_nonblock(sock, error_response(status_int, reason, mesg))

    write_error.itinera = True
    util.write_error = write_error
    default_headers = wsgi.Response.default_headers
    wsgi.Response.default_headers = lambda self: [h for h in default_headers(self) if not h.startswith("Server:")]
