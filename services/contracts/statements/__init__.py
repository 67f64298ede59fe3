"""Bank statements read into one normal form: our CSV layout, SWIFT MT940 and ISO 20022 camt.053.

`parse(content, format)` gives a `Statement` or raises services.common.errors.ValidationFailed
(422) whose details name the field or "line N" of each problem; nothing is half read, so an
import that fails writes nothing. `detect(content)` tells which format a file looks like.
The layouts and limits are described in docs/statements.md.
"""
import hashlib

from . import camt, csv_layout, swift
from .lines import FORMATS, MAX_BYTES, MAX_LINES, Statement, StatementLine, check_size, refuse

__all__ = ["FORMATS", "MAX_BYTES", "MAX_LINES", "Statement", "StatementLine", "detect", "parse"]

_NAMES = {"csv": csv_layout.WHAT, "mt940": swift.WHAT, "camt053": camt.WHAT}


def detect(content: bytes) -> str | None:
    """"camt053", "mt940" or "csv" when the file's beginning looks like one, else None."""
    head = bytes(content[:64 * 1024])
    if camt.looks_like(head):
        return "camt053"
    text = swift.decode(head)
    if swift.looks_like(text):
        return "mt940"
    if csv_layout.looks_like(head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")):
        return "csv"
    return None


def parse(content: bytes, format: str) -> Statement:
    """The statement in the file, read as `format` (one of FORMATS)."""
    if format not in FORMATS:
        refuse("format", f"One of {', '.join(FORMATS)}.")
    what = _NAMES[format]
    check_size(content, what)
    content = bytes(content)
    looks = detect(content)
    if looks and looks != format:
        refuse("file", f"The file looks like a {_NAMES[looks]} statement, not {what}.", what)
    if format == "csv":
        currency, lines = csv_layout.read(content)
        fields = dict(account=None, statement_id=None, currency=currency, opening_balance=None,
                      closing_balance=None, lines=tuple(lines))
    elif format == "mt940":
        fields = swift.read(content)
    else:
        fields = camt.read(content)
    return Statement(format=format, checksum=hashlib.sha256(content).hexdigest(), **fields)
