"""ISO 20022 camt.053 (BkToCstmrStmt), version 001.02 and later, read safely.

defusedxml refuses a DTD, entities and external references, so neither an entity bomb nor an
XXE reaches the parser. The versions differ in small ways this reader takes both of: the entry
status is a bare code (.02) or a Cd (.08); a related party is Dbtr/Nm (.02) or Dbtr/Pty/Nm
(.08); a transaction's own amount is AmtDtls/TxAmt/Amt (.02) or Amt (.03 on).

Entries whose status is not BOOK (pending, information only) are not bookings and are left out,
as the balances leave them out. A batch entry whose transactions each carry their own amount
gives one line per transaction (they must add up to the entry); otherwise one line per entry.
"""
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .lines import (Problems, StatementLine, check_balances, check_count, currency_code, exact_amount, in_range,
                    joined, refuse, texts)

WHAT = "camt.053"
NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053."
NOT_PROVIDED = "NOTPROVIDED"
OPENING, PREVIOUSLY_CLOSED, CLOSING = "OPBD", "PRCD", "CLBD"
BOOKED = "BOOK"

_AMOUNT = re.compile(r"^\s*\d{1,18}(\.\d{1,10})?\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def looks_like(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and NAMESPACE_PREFIX.encode() in head


def read(content: bytes) -> dict:
    """The statement's fields and lines, or ValidationFailed."""
    try:
        root = SafeET.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        refuse("file", f"Document type declarations, entities and external references are refused "
                       f"({type(exc).__name__}).", WHAT)
    except ET.ParseError as exc:
        refuse("file", f"Malformed XML: {exc}.", WHAT)
    namespace, _, name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if name != "Document" or not namespace.startswith(NAMESPACE_PREFIX):
        refuse("file", f"Not a camt.053 document: the root is {name!r} in namespace {namespace or 'none'!r}.", WHAT)
    xml = _Xml(namespace)
    statements = xml.all(root, "BkToCstmrStmt/Stmt")
    if not statements:
        refuse("file", "The document holds no statement (BkToCstmrStmt/Stmt).", WHAT)
    check_count(sum(len(xml.all(stmt, "Ntry")) for stmt in statements), WHAT)
    problems = Problems()
    accounts = {_account(xml, stmt) for stmt in statements}
    currencies = {_currency(xml, stmt) for stmt in statements}
    if len(accounts) > 1:
        problems.add("account", f"One statement is of one account; this file has {', '.join(sorted(map(str, accounts)))}.")
    if len(currencies) > 1 or None in currencies:
        problems.add("currency", "Every statement needs one currency (Acct/Ccy or its balances'), the same for all.")
    problems.raise_if_any(WHAT)
    currency = currencies.pop()
    lines, balances = [], []
    for number, stmt in enumerate(statements, 1):
        stmt_lines = []
        for entry in xml.all(stmt, "Ntry"):
            if xml.code(entry, "Sts") not in (BOOKED, None):
                continue
            stmt_lines.extend(_lines(xml, entry, len(lines) + len(stmt_lines) + 1, currency, problems))
        check_count(len(lines) + len(stmt_lines), WHAT)
        opening = _balance(xml, stmt, (OPENING, PREVIOUSLY_CLOSED), currency, "opening_balance", problems)
        closing = _balance(xml, stmt, (CLOSING,), currency, "closing_balance", problems)
        if not problems:
            check_balances(problems, opening, closing, stmt_lines, f"Statement {number}: " if len(statements) > 1 else "")
        lines.extend(stmt_lines)
        balances.append((opening, closing))
    problems.raise_if_any(WHAT)
    ids = [xml.text(stmt, "Id") for stmt in statements]
    return dict(account=accounts.pop(), statement_id=", ".join(i for i in ids if i) or None, currency=currency,
                opening_balance=balances[0][0], closing_balance=balances[-1][1], lines=tuple(lines))


class _Xml:
    """Paths written without the namespace, e.g. 'NtryDtls/TxDtls', walked one child tag at a time:
    a single qualified tag is found by ElementTree's C code, a path would go through ElementPath."""

    def __init__(self, namespace: str):
        self.prefix = f"{{{namespace}}}"
        self._steps: dict[str, tuple[str, ...]] = {}

    def _path(self, path: str) -> tuple[str, ...]:
        steps = self._steps.get(path)
        if steps is None:
            steps = self._steps[path] = tuple(self.prefix + step for step in path.split("/"))
        return steps

    def all(self, element, path: str) -> list:
        found = [element]
        for step in self._path(path):
            found = [child for parent in found for child in parent.findall(step)]
        return found

    def one(self, element, path: str):
        for step in self._path(path):
            element = element.find(step)
            if element is None:
                return None
        return element

    def text(self, element, path: str) -> str | None:
        found = self.one(element, path)
        text = " ".join((found.text or "").split()) if found is not None else ""
        return text or None

    def first_text(self, element, *paths: str) -> str | None:
        return next((t for t in (self.text(element, p) for p in paths) if t), None)

    def code(self, element, path: str) -> str | None:
        """A code given bare (<Sts>BOOK</Sts>, .02) or in a Cd (<Sts><Cd>BOOK</Cd></Sts>, .08)."""
        return self.first_text(element, f"{path}/Cd", path)


def _account(xml: _Xml, stmt) -> str | None:
    account = xml.first_text(stmt, "Acct/Id/IBAN", "Acct/Id/Othr/Id")
    return "".join(account.split()).upper() if account else None


def _currency(xml: _Xml, stmt) -> str | None:
    declared = xml.text(stmt, "Acct/Ccy")
    if declared:
        return currency_code(declared)
    found = {currency_code(amt.get("Ccy")) for amt in xml.all(stmt, "Bal/Amt") + xml.all(stmt, "Ntry/Amt")}
    return found.pop() if len(found) == 1 else None


def _balance(xml: _Xml, stmt, codes, currency: str, field: str, problems: Problems) -> Decimal | None:
    by_code = {xml.text(bal, "Tp/CdOrPrtry/Cd"): bal for bal in xml.all(stmt, "Bal")}
    bal = next((by_code[code] for code in codes if code in by_code), None)
    if bal is None:
        return None
    amount = _amount(xml, bal, "Amt", currency, lambda message: problems.add(field, message))
    sign = _sign(xml, bal, lambda message: problems.add(field, message))
    return None if amount is None or sign is None else sign * amount


def _lines(xml: _Xml, entry, line_no: int, currency: str, problems: Problems) -> list[StatementLine]:
    def problem(message):
        problems.line(line_no, message)

    amount = _amount(xml, entry, "Amt", currency, problem)
    sign = _sign(xml, entry, problem)
    booked_on = _date(xml, entry, "BookgDt", problem, required=True)
    value_on = _date(xml, entry, "ValDt", problem)
    bank_reference = xml.text(entry, "AcctSvcrRef")
    transactions = xml.all(entry, "NtryDtls/TxDtls")
    if amount is None or sign is None:
        return []
    own = [_own_amount(xml, tx, currency) for tx in transactions]
    if len(transactions) > 1 and all(a is not None for a in own):
        signs = [_sign(xml, tx, problem, default=sign) for tx in transactions]
        if None in signs:
            return []
        signed = [s * a for s, a in zip(signs, own)]
        if sum(signed) != sign * amount:
            problem(f"The entry's {len(transactions)} transactions add up to {sum(signed)}, not its {sign * amount}.")
            return []
        return [_line(line_no + i, booked_on, value_on, value, currency, _reference(xml, [tx], entry),
                      _counterparty(xml, [tx], value), xml.text(tx, "Refs/AcctSvcrRef") or bank_reference, problems)
                for i, (tx, value) in enumerate(zip(transactions, signed))]
    return [_line(line_no, booked_on, value_on, sign * amount, currency, _reference(xml, transactions, entry),
                  _counterparty(xml, transactions, sign), bank_reference, problems)]


def _line(line_no, booked_on, value_on, amount, currency, reference, counterparty, bank_reference,
          problems: Problems) -> StatementLine | None:
    text = texts(problems, line_no, reference=reference, counterparty=counterparty, bank_reference=bank_reference)
    if problems:
        return None
    return StatementLine(line_no=line_no, booked_on=booked_on, value_on=value_on, amount=amount,
                         currency=currency, **text)


def _amount(xml: _Xml, element, path: str, currency: str, problem) -> Decimal | None:
    found = xml.one(element, path)
    if found is None or not _AMOUNT.match(found.text or ""):
        problem(f"amount: {path} is missing or not an amount such as 1250.00.")
        return None
    if found.get("Ccy") != currency:
        problem(f"currency: {found.get('Ccy')!r} is not the account's currency {currency}.")
        return None
    value = exact_amount(Decimal(found.text.strip()), currency)
    if isinstance(value, str):
        problem(f"amount: {value}.")
        return None
    return value


def _own_amount(xml: _Xml, tx, currency: str) -> Decimal | None:
    """A batch transaction's amount in the entry's currency, if it states one."""
    for path in ("Amt", "AmtDtls/TxAmt/Amt"):
        found = xml.one(tx, path)
        if found is not None and found.get("Ccy") == currency and _AMOUNT.match(found.text or ""):
            value = exact_amount(Decimal(found.text.strip()), currency)
            return None if isinstance(value, str) else value
    return None


def _sign(xml: _Xml, element, problem, default: int | None = None) -> int | None:
    mark = xml.text(element, "CdtDbtInd")
    if mark is None and default is not None:
        return default
    if mark not in ("CRDT", "DBIT"):
        problem(f"CdtDbtInd: {mark!r} is neither CRDT nor DBIT.")
        return None
    return 1 if mark == "CRDT" else -1


def _date(xml: _Xml, entry, path: str, problem, required: bool = False) -> date | None:
    field = {"BookgDt": "booked_on", "ValDt": "value_on"}[path]
    text = xml.first_text(entry, f"{path}/Dt", f"{path}/DtTm")
    if text is None:
        if required:
            problem(f"{field}: {path} is missing.")
        return None
    try:
        if _DATE.match(text):
            day = date.fromisoformat(text)
        elif _DATE_TIME.match(text):
            day = datetime.fromisoformat(text).date()  # the day as the bank wrote it, in its own time zone
        else:
            raise ValueError
    except ValueError:
        problem(f"{field}: {text!r} is not a date.")
        return None
    out_of_range = in_range(day)
    if out_of_range:
        problem(f"{field}: {out_of_range}.")
        return None
    return day


def _reference(xml: _Xml, transactions, entry) -> str | None:
    """Remittance text, structured creditor references and end-to-end ids of the transactions; the
    entry's additional information when they give none."""
    parts = []
    for tx in transactions:
        parts += [e.text for e in xml.all(tx, "RmtInf/Ustrd")]
        parts += [e.text for e in xml.all(tx, "RmtInf/Strd/CdtrRefInf/Ref")]
        parts.append(xml.text(tx, "Refs/EndToEndId"))
    return joined(parts, (NOT_PROVIDED,)) or xml.text(entry, "AddtlNtryInf")


def _counterparty(xml: _Xml, transactions, sign: Decimal | int) -> str | None:
    """Who paid money in (the debtor), who was paid money out (the creditor)."""
    party = "Dbtr" if sign > 0 else "Cdtr"
    names = []
    for tx in transactions:
        name = xml.first_text(tx, f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm")
        if name and name not in names:
            names.append(name)
    return "; ".join(names) or None
