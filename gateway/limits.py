"""What the gateway refuses before any view runs: bodies nested too deep, path values no database
holds, bodies and URLs over the limits. Plain rules here; app.py wires them in."""
import io
import re


from services.common.validators import INT_MAX, INT_MIN

MAX_JSON_DEPTH = 32

# A JSON string (escapes included), so brackets inside strings are not counted.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects nest deeper than `limit`.

    Runs on the raw bytes before json.loads, whose recursion a deep body would exhaust. With the
    strings and every other character gone, each regex pass removes one level of empty pairs, so
    the work is `limit` passes of C-speed scanning, never a recursion.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", body))
    for level in range(limit):
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not brackets:
            return False
        if not removed:   # unbalanced ("[[[" or "[}"): count what is left, openers against closers
            depth = level
            for char in brackets:
                depth += 1 if char in b"[{" else -1
                if depth > limit:
                    return True
            return False  # shallow: the JSON parser says what is wrong
    return True


def out_of_range_ints(values: dict) -> dict:
    """Per-field messages for path integers a database integer column cannot hold."""
    return {name: [f"A whole number from {INT_MIN} to {INT_MAX}."] for name, value in (values or {}).items()
            if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX}


def url_length(environ) -> int:
    """Bytes of the request target as the client sent it."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw is None:
        query = environ.get("QUERY_STRING", "")
        raw = environ.get("PATH_INFO", "") + ("?" + query if query else "")
    return len(raw.encode("latin-1", "replace"))


class BodyLimit:
    """WSGI middleware: the body limit on chunked bodies too, and a connection that survives a 413.

    Werkzeug only checks Content-Length; on a chunked stream it stops reading at the limit and
    hands the view a truncated body as if it were whole. Here a chunked body is buffered (at most
    one byte over the limit) and given its real Content-Length, so Flask's MAX_CONTENT_LENGTH check
    answers 413 for it too. A body over the limit is read and discarded up to DRAIN_FACTOR times
    the limit before that 413, because the server drains only a little (gunicorn: 64 KiB) and
    then closes: a client still sending would see a broken connection instead of the answer.
    """

    DRAIN_FACTOR = 10

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    def __call__(self, environ, start_response):
        stream = environ["wsgi.input"]
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower() and not environ.get("CONTENT_LENGTH"):
            body = self._read(stream, self.max_bytes + 1)
            if len(body) > self.max_bytes:
                self._discard(stream, self.max_bytes * self.DRAIN_FACTOR)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING")
        elif (environ.get("CONTENT_LENGTH") or "").isdigit() \
                and self.max_bytes < int(environ["CONTENT_LENGTH"]) <= self.max_bytes * self.DRAIN_FACTOR:
            self._discard(stream, int(environ["CONTENT_LENGTH"]))
            environ["wsgi.input"] = io.BytesIO()   # Flask answers 413 from the Content-Length alone
        return self.app(environ, start_response)

    @staticmethod
    def _read(stream, limit: int) -> bytes:
        body = bytearray()
        while len(body) < limit:
            data = stream.read(limit - len(body))
            if not data:
                break
            body += data
        return bytes(body)

    @staticmethod
    def _discard(stream, limit: int):
        left = limit
        while left > 0:
            data = stream.read(min(left, 65536))
            if not data:
                return
            left -= len(data)
