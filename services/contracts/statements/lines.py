"""The normal form every statement format is read into, and the checks all formats share.

A file is read whole or refused whole: each reader collects its problems in `Problems` and
raises one ValidationFailed (422, per-field messages) at the end, so an import writes nothing
from a file that is not what it says.
"""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from services.common.errors import ValidationFailed
from services.common.money import minor_unit
from services.common.validators import MAX_YEAR, MIN_YEAR, unstorable

FORMATS = ("csv", "mt940", "camt053")

MAX_BYTES = 20 * 1024 * 1024
MAX_LINES = 50_000
# A 50,000-line file with a typo on every line would make a 422 of megabytes: the first ones say enough.
MAX_LINE_PROBLEMS = 100
# Bounds of what a line's text may hold: generous for banks' remittance fields (camt.053 allows
# 140 characters per Ustrd, MT940 :86: up to 6 x 65), small enough to store in any column.
TEXT_LIMITS = {"reference": 1000, "counterparty": 200, "bank_reference": 100}

_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class StatementLine:
    """One booking on the account. amount > 0 is money in, < 0 money out, in the account's
    currency and exact to its minor unit."""

    line_no: int                 # 1-based: the n-th line of the file (for CSV the n-th row after the header)
    booked_on: date
    value_on: date | None
    amount: Decimal
    currency: str
    reference: str | None        # what the payer wrote: remittance info, end-to-end id, Verwendungszweck
    counterparty: str | None     # the payer of money in, the payee of money out
    bank_reference: str | None   # the bank's own id of the entry


@dataclass(frozen=True)
class Statement:
    format: str
    account: str | None          # IBAN (no spaces) or the bank's account number
    statement_id: str | None
    currency: str
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    lines: tuple[StatementLine, ...]
    checksum: str                # sha256 hex of the file's bytes: the same file imported again is recognised


class Problems:
    """Per-field messages, as ValidationFailed carries them: "file", "header", "line 7", ..."""

    def __init__(self):
        self.details: dict[str, list[str]] = {}
        self._lines_with_problems = 0

    def add(self, key: str, message: str):
        self.details.setdefault(key, []).append(message)

    def line(self, line_no: int, message: str):
        key = f"line {line_no}"
        if key not in self.details:
            self._lines_with_problems += 1
            if self._lines_with_problems > MAX_LINE_PROBLEMS:
                self.details["lines"] = [f"More than {MAX_LINE_PROBLEMS} lines have problems; "
                                         "only the first ones are listed."]
                return
        self.details.setdefault(key, []).append(message)

    def __bool__(self):
        return bool(self.details)

    def raise_if_any(self, what: str):
        if self.details:
            raise ValidationFailed(f"The file is not a valid {what} statement.", self.details)


def refuse(key: str, message: str, what: str = "bank"):
    raise ValidationFailed(f"The file is not a valid {what} statement.", {key: [message]})


def currency_code(value: str | None) -> str | None:
    """The code if it is one (three capital letters), else None."""
    value = (value or "").strip()
    return value if _CURRENCY.match(value) else None


def exact_amount(value: Decimal, currency: str) -> Decimal | str:
    """The amount at its currency's minor unit (12.5 EUR -> 12.50), or why it is not one: a
    statement never books a fraction of a cent, so more decimals mean a file misread."""
    if not value.is_finite():
        return "not a number"
    places = minor_unit(currency)
    exponent = Decimal(1).scaleb(-places)
    try:
        quantized = value.quantize(exponent)
    except InvalidOperation:
        return "too large"
    if quantized != value:
        return f"{value} has more than {places} decimals, the smallest unit of {currency}"
    if abs(quantized) >= Decimal(10) ** 15:
        return "too large"
    return quantized


def in_range(day: date) -> str | None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return f"{day.isoformat()} is not a date from {MIN_YEAR} to {MAX_YEAR}"
    return None


def texts(problems: Problems, line_no: int, **values: str | None) -> dict[str, str | None]:
    """reference, counterparty, bank_reference with their spaces collapsed (None when empty); what
    no column can store (a NUL, too long) is a problem of the line."""
    out = {}
    for name, value in values.items():
        value = " ".join((value or "").split()) or None
        problem = value and (unstorable(value) or (len(value) > TEXT_LIMITS[name]
                                                   and f"longer than {TEXT_LIMITS[name]} characters"))
        if problem:
            problems.line(line_no, f"{name}: {problem.rstrip('.')}.")
        out[name] = value
    return out


def joined(parts, placeholders: tuple[str, ...] = ()) -> str | None:
    """The parts of a reference in one text, each once, without the banks' words for "none"
    (NONREF, NOTPROVIDED): a payment's reference is then looked for in all of them."""
    kept = []
    for part in parts:
        part = " ".join((part or "").split())
        if part and part.upper() not in placeholders and part not in kept:
            kept.append(part)
    return " ".join(kept) or None


def check_balances(problems: Problems, opening: Decimal | None, closing: Decimal | None,
                   lines, label: str = ""):
    """A statement whose lines do not lead from its opening to its closing balance is cut short
    or altered: refused rather than half imported."""
    if opening is None or closing is None:
        return
    total = sum((line.amount for line in lines), Decimal(0))
    if opening + total != closing:
        problems.add("closing_balance", f"{label}The opening balance {opening} plus the lines' {total} "
                                        f"makes {opening + total}, not the closing balance {closing}.")


def check_size(content: bytes, what: str):
    if not isinstance(content, (bytes, bytearray)):
        refuse("file", "The file must be given as bytes.", what)
    if len(content) > MAX_BYTES:
        refuse("file", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", what)
    if not content.strip():
        refuse("file", "The file is empty.", what)


def check_count(count: int, what: str):
    if count > MAX_LINES:
        refuse("file", f"The file has {count} lines; at most {MAX_LINES} are taken in one statement.", what)
