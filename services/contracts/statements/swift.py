"""SWIFT MT940, read by the mt-940 library (github WoLpH/mt940), mapped to our lines.

Several statement blocks (:20: ... :62F:) of one account in one file are read as one
statement: the first block's opening balance, the last one's closing balance, and each
block's lines must lead from its opening to its closing balance.
"""
import io
import re
from datetime import date
from decimal import Decimal

import mt940

from .lines import (Problems, StatementLine, check_balances, check_count, exact_amount, in_range, joined, refuse,
                    texts)

WHAT = "MT940"
# Every switch fixes a 5.0.0 misreading: RC (reversal of a credit) is money out, the :61:
# customer reference survives an :86: without KREF, long :86: details are kept whole, a BOM is dropped.
OPTIONS = mt940.Options.all()
NO_REFERENCE = ("NONREF", "NOTPROVIDED")

_TAG = re.compile(r"^:(20|25|28C|60F|61):", re.MULTILINE)
# Our field, then the mt940 keys that can hold it, best first.
_OPENING = ("opening_balance", ("final_opening_balance", "opening_balance", "intermediate_opening_balance"))
_CLOSING = ("closing_balance", ("final_closing_balance", "closing_balance", "intermediate_closing_balance"))


def looks_like(text: str) -> bool:
    tags = {m.group(1) for m in _TAG.finditer(text[:64 * 1024])}
    return "20" in tags and bool(tags & {"25", "28C", "60F", "61"})


def decode(content: bytes) -> str:
    """UTF-8 when it is; else ISO 8859-1, which German banks' exports use for their umlauts."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def read(content: bytes) -> dict:
    """The statement's fields and lines, or ValidationFailed."""
    text = decode(content)
    if not looks_like(text):
        refuse("file", "No MT940 statement in the file (it needs a :20: and a :25:, :60F: or :61: tag).", WHAT)
    try:
        # A file-like object: given a str, mt940 would open it as a path when one such file exists.
        blocks = mt940.parse_statements(io.StringIO(text), options=OPTIONS)
    except (RuntimeError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
        refuse("file", f"Not readable as MT940: {_short(exc)}", WHAT)
    blocks = [block for block in blocks if len(block) or block.data.get("account_identification")]
    if not blocks:
        refuse("file", "No MT940 statement in the file.", WHAT)
    check_count(sum(len(block) for block in blocks), WHAT)
    problems, lines = Problems(), []
    accounts = {_account(block) for block in blocks}
    currencies = {block.currency for block in blocks}
    if len(accounts) > 1:
        problems.add("account", f"One statement is of one account; this file has {', '.join(sorted(map(str, accounts)))}.")
    if len(currencies) > 1 or None in currencies:
        problems.add("currency", "Every statement block needs its opening balance in the one currency of the account.")
    problems.raise_if_any(WHAT)
    currency = currencies.pop()
    for number, block in enumerate(blocks, 1):
        block_lines = [_line(len(lines) + i, transaction.data, currency, problems)
                       for i, transaction in enumerate(block, 1)]
        lines.extend(block_lines)
        if not problems:
            label = f"Statement block {number}: " if len(blocks) > 1 else ""
            check_balances(problems, _balance(block, _OPENING, currency, problems),
                           _balance(block, _CLOSING, currency, problems), block_lines, label)
    problems.raise_if_any(WHAT)
    first, last = blocks[0], blocks[-1]
    return dict(account=accounts.pop(), statement_id=_statement_id(first, last), currency=currency,
                opening_balance=_balance(first, _OPENING, currency, problems),
                closing_balance=_balance(last, _CLOSING, currency, problems), lines=tuple(lines))


def _line(line_no: int, data: dict, currency: str, problems: Problems) -> StatementLine | None:
    value_on = data.get("date")
    booked_on = data.get("entry_date") or value_on
    for name, day in (("booked_on", booked_on), ("value_on", value_on)):
        problem = in_range(day) if day else f"{name}: missing"
        if problem:
            problems.line(line_no, f"{name}: {problem}.")
    amount = exact_amount(data["amount"].amount, currency)
    if isinstance(amount, str):
        problems.line(line_no, f"amount: {amount}.")
    text = texts(problems, line_no, reference=_reference(data), counterparty=data.get("applicant_name"),
                 bank_reference=data.get("bank_reference"))
    if problems:
        return None
    return StatementLine(line_no=line_no, booked_on=_plain(booked_on), value_on=_plain(value_on), amount=amount,
                         currency=currency, **text)


def _reference(data: dict) -> str | None:
    """What the payer wrote (the :86: purpose, structured or free), the end-to-end id, the :61:
    customer reference."""
    return joined([data.get("purpose") or data.get("transaction_details"), data.get("end_to_end_reference"),
                   data.get("customer_reference")], NO_REFERENCE)


def _balance(block, which, currency: str, problems: Problems) -> Decimal | None:
    field, names = which
    for name in names:
        balance = block.data.get(name)
        if balance is not None and not isinstance(balance.amount, str):
            amount = exact_amount(balance.amount.amount, currency)
            if isinstance(amount, str):
                problems.add(field, f"{amount}.")
                return None
            return amount
    return None


def _account(block) -> str | None:
    account = "".join((block.data.get("account_identification") or "").split())
    return account or None


def _statement_id(first, last) -> str | None:
    """:20: and :28C: of the first block, through the last block's :28C: when there are several."""
    reference = (first.data.get("transaction_reference") or "").strip()
    number, last_number = _number(first), _number(last)
    if last is not first and last_number and last_number != number:
        number = f"{number}..{last_number}"
    return " ".join(part for part in (reference, number) if part) or None


def _number(block) -> str:
    number, sequence = block.data.get("statement_number"), block.data.get("sequence_number")
    return "/".join(part for part in (number, sequence) if part)


def _plain(day):
    """mt940's Date subclass as a plain date, so lines compare and serialise like any other."""
    return None if day is None else date(day.year, day.month, day.day)


def _short(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    return text if len(text) <= 200 else text[:200] + "..."

