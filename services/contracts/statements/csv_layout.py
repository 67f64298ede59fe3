"""Itinera's own CSV layout (docs/statements.md), for banks whose export we map by hand.

A header row naming the seven columns, in any order; ',' or ';' between fields (whichever
the header uses); UTF-8 with or without a byte order mark; ISO dates; amounts with a '.'
before the decimals and an optional sign, no thousands separators.
"""
import csv
import io
import re
from datetime import date
from decimal import Decimal

from .lines import Problems, StatementLine, check_count, currency_code, exact_amount, in_range, refuse, texts

COLUMNS = ("booked_on", "value_on", "amount", "currency", "reference", "counterparty", "bank_reference")
REQUIRED_VALUES = ("booked_on", "amount", "currency")
SEPARATORS = (";", ",")
WHAT = "CSV"

_AMOUNT = re.compile(r"^[+-]?\d{1,15}(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def looks_like(text: str) -> bool:
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return any(set(_names(header, separator)) >= set(REQUIRED_VALUES) for separator in SEPARATORS)


def read(content: bytes) -> tuple[str, list[StatementLine]]:
    """(currency, lines), or ValidationFailed naming the header or each bad line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        refuse("file", f"The file is not UTF-8 text (byte {exc.start}).", WHAT)
    header_line = text.split("\n", 1)[0]
    separator = max(SEPARATORS, key=lambda s: len(set(_names(header_line, s)) & set(COLUMNS)))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        header = [name.strip().lower() for name in next(rows)]
    except (StopIteration, csv.Error) as exc:
        refuse("header", f"No readable header row ({exc}).", WHAT)
    _check_header(header)
    problems, lines, currencies = Problems(), [], set()
    line_no = 0
    try:
        for row in rows:
            if not any(field.strip() for field in row):
                continue  # a blank line, as spreadsheets leave at the end
            line_no += 1
            check_count(line_no, WHAT)
            if len(row) != len(header):
                problems.line(line_no, f"{len(row)} fields where the header has {len(header)}.")
                continue
            line = _line(line_no, dict(zip(header, row)), problems)
            if line:
                lines.append(line)
                currencies.add(line.currency)
    except csv.Error as exc:
        problems.line(line_no + 1, f"Not readable as CSV: {exc}.")
    if not line_no and not problems:
        problems.add("file", "The file has a header but no lines.")
    if len(currencies) > 1:
        problems.add("currency", f"One statement is in one currency; this file has {', '.join(sorted(currencies))}.")
    problems.raise_if_any(WHAT)
    return currencies.pop(), lines


def _names(header_line: str, separator: str) -> list[str]:
    return [name.strip().lower() for name in header_line.strip().split(separator)]


def _check_header(header: list[str]):
    problems = Problems()
    missing = [name for name in COLUMNS if name not in header]
    unknown = sorted({name for name in header if name not in COLUMNS})
    doubled = sorted({name for name in header if header.count(name) > 1})
    if missing:
        problems.add("header", f"Missing columns: {', '.join(missing)}.")
    if unknown:
        problems.add("header", f"Unknown columns: {', '.join(unknown)} (the layout has {', '.join(COLUMNS)}).")
    if doubled:
        problems.add("header", f"Columns named twice: {', '.join(doubled)}.")
    problems.raise_if_any(WHAT)


def _line(line_no: int, row: dict[str, str], problems: Problems) -> StatementLine | None:
    values = {name: row[name].strip() for name in COLUMNS}
    for name in REQUIRED_VALUES:
        if not values[name]:
            problems.line(line_no, f"{name}: missing.")
    booked_on = _date(values["booked_on"], "booked_on", line_no, problems) if values["booked_on"] else None
    value_on = _date(values["value_on"], "value_on", line_no, problems) if values["value_on"] else None
    currency = currency_code(values["currency"])
    if values["currency"] and not currency:
        problems.line(line_no, f"currency: {values['currency']!r} is not an ISO 4217 code such as EUR or CNY.")
    amount = None
    if values["amount"]:
        if not _AMOUNT.match(values["amount"]):
            problems.line(line_no, f"amount: {values['amount']!r} is not an amount such as 1250.00 or -80.5 "
                                   "('.' before the decimals, no thousands separator).")
        elif currency:
            amount = exact_amount(Decimal(values["amount"]), currency)
            if isinstance(amount, str):
                problems.line(line_no, f"amount: {amount}.")
    text = texts(problems, line_no, reference=values["reference"], counterparty=values["counterparty"],
                 bank_reference=values["bank_reference"])
    if problems:
        return None  # the file is refused anyway: no need to build the line
    return StatementLine(line_no=line_no, booked_on=booked_on, value_on=value_on, amount=amount,
                         currency=currency, **text)


def _date(value: str, name: str, line_no: int, problems: Problems) -> date | None:
    try:
        if not _DATE.match(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        problems.line(line_no, f"{name}: {value!r} is not a date as YYYY-MM-DD.")
        return None
    problem = in_range(day)
    if problem:
        problems.line(line_no, f"{name}: {problem}.")
        return None
    return day
