"""What the gateway refuses before any view runs: bodies nested too deep, path numbers no database
holds, bodies and URLs over the limits. Plain rules here; app.py wires them in."""
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
