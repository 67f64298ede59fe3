"""OpenTravel (OTA 2003B+) inventory messages: OTA_HotelInvCountNotifRQ and OTA_HotelAvailNotifRQ.

The mapping is plain functions, testable without a broker or a database:

- `decode_body(raw, charset)`: the request bytes as text (Content-Type charset, BOM, XML declaration).
- `parse(xml_text)`: a safe parse (defusedxml: no DTD, no entities, no external references) into an
  `OtaMessage` whose elements carry the update dicts `pushes.apply_batch` takes, or an `OtaError`
  (HTTP status, OTA error type and code) when the message cannot be taken as a whole.
- `coalesce(message)`: the updates to apply, folding the elements of one product whose dates
  overlap (every update of one RQ has the same sequence, its TimeStamp, so a later element on a
  date an earlier one already touched would otherwise be ignored as stale).
- `success_rs`, `errors_rs`, `error_rs`: the answer (the matching RS, or OTA_ErrorRS).

`receive(unit, api_key, xml_text, ...)` at the end ties them together for the ticketing
service: unwrap a SOAP envelope, authenticate, answer a re-sent EchoToken from the message log
(marked as a repeat), refuse a TimeStamp from the future, apply, announce, answer in the RQ's
envelope.

What maps to what (anything else is reported back as a Warning and not applied):

| OTA | Itinera update |
| --- | --- |
| StatusApplicationControl InvTypeCode (or InvCode) | product_code (the supplier's code of our product) |
| StatusApplicationControl Start / End | start / end (inclusive) |
| StatusApplicationControl Mon Tue Weds Thur Fri Sat Sun | weekdays (1 = Monday ... 7 = Sunday) |
| InvCount Count, CountType 2 (or none): rooms left to sell | available (capacity = it + booked + held) |
| InvCount Count, CountType 1: physical | capacity (a ceiling beside a CountType 2) |
| AvailStatusMessage BookingLimit (SetLimit or no type) | capacity |
| RestrictionStatus Status Close / Open, Restriction Master or none | stop_sell true / false |
| the RQ's TimeStamp, in Unix milliseconds | sequence |
| the RQ's EchoToken | message_id (and the key of the message log) |
"""
import codecs
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .inventory import days_in
from .schemas import MAX_RANGE_DAYS

NS = "http://www.opentravel.org/OTA/2003/05"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP_VERSION = {SOAP11: "1.1", SOAP12: "1.2"}
SOAP12_TYPE = "application/soap+xml"
# The answer's Content-Type: the RQ's envelope version decides (SOAP 1.1 is text/xml, 1.2 its own).
CONTENT_TYPE = {None: "application/xml", "1.1": "text/xml; charset=utf-8",
                "1.2": f"{SOAP12_TYPE}; charset=utf-8"}

INV_COUNT = "OTA_HotelInvCountNotifRQ"
AVAIL = "OTA_HotelAvailNotifRQ"
RS_OF = {INV_COUNT: "OTA_HotelInvCountNotifRS", AVAIL: "OTA_HotelAvailNotifRS"}
ERROR_RS = "OTA_ErrorRS"

MAX_ELEMENTS = 5000       # as many as a JSON push may carry
MAX_TOKEN = 120           # EchoToken: kept as the change log's source message
MAX_ERRORS = 50           # errors listed in one answer

# OpenTravel code list EWT (error and warning type).
EWT_UNKNOWN, EWT_NO_IMPLEMENTATION, EWT_BIZ_RULE, EWT_AUTHENTICATION = "1", "2", "3", "4"
EWT_REQUIRED_FIELD_MISSING, EWT_ADVISORY, EWT_PROCESSING_EXCEPTION = "10", "11", "12"
# OpenTravel code list ERR (error codes).
ERR_INVALID_DATE, ERR_INVALID_VALUE, ERR_REQUIRED_FIELD_MISSING = "15", "320", "321"
ERR_INVALID_ROOM_TYPE, ERR_UNABLE_TO_PROCESS, ERR_AUTHORIZATION = "402", "450", "497"

# DOW_PatternGroup; Wed and Thu are accepted as well, as some senders spell them so.
WEEKDAY_ATTRIBUTES = {"Mon": 1, "Tue": 2, "Weds": 3, "Wed": 3, "Thur": 4, "Thu": 4, "Fri": 5, "Sat": 6, "Sun": 7}
TRUE, FALSE = ("true", "1"), ("false", "0")
# InvCount CountType, OpenTravel code list INV (Inventory Count Type).
PHYSICAL, DEFINITE_AVAILABILITY = "1", "2"
COUNT_TYPES = {"1": "physical", "2": "definite availability", "3": "tentative availability",
               "4": "definite sold", "5": "tentative sold", "6": "out of order", "8": "out of inventory",
               "99": "oversell"}
DEFAULT_MAX_CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Problem:
    """One Error or Warning of the answer."""

    type: str
    code: str | None
    text: str
    record: str | None = None   # RecordID: the element's position in the message, from 1
    tag: str | None = None      # the element or attribute concerned, XPath-like

    def as_dict(self) -> dict:
        return {k: v for k, v in (("type", self.type), ("code", self.code), ("text", self.text),
                                  ("record", self.record), ("tag", self.tag)) if v is not None}


class OtaError(Exception):
    """The message cannot be taken as a whole: nothing of it is applied."""

    def __init__(self, status: int, problems: list[Problem], message: "OtaMessage | None" = None, *,
                 soap: str | None = None, fault: bool = False):
        super().__init__("; ".join(p.text for p in problems))
        self.status = status
        self.problems = problems
        self.message = message
        self.soap = soap if soap is not None or message is None else message.soap
        self.fault = fault   # the SOAP envelope itself is wrong: answered with a SOAP Fault


@dataclass
class Element:
    """One Inventory (InvCountNotif) or AvailStatusMessage (AvailNotif), mapped."""

    number: int                     # position in the message, from 1 (RecordID)
    product_code: str
    start: date
    end: date
    weekdays: list[int] | None      # None: every day
    fields: dict                    # capacity and/or stop_sell: what is to be applied
    notes: list[Problem] = field(default_factory=list)  # what was not applied, and why


@dataclass
class OtaMessage:
    root: str                       # INV_COUNT or AVAIL
    namespaced: bool
    echo_token: str | None
    version: str | None
    timestamp: str
    target: str | None
    sequence: int                   # TimeStamp in Unix milliseconds
    elements: list[Element]
    soap: str | None = None         # "1.1" or "1.2" when it came in a SOAP envelope

    @property
    def rs(self) -> str:
        return RS_OF[self.root]

    @property
    def product_codes(self) -> list[str]:
        return list(dict.fromkeys(e.product_code for e in self.elements))

    @property
    def notes(self) -> list[Problem]:
        return [note for element in self.elements for note in element.notes]


# --- reading -------------------------------------------------------------------------------

_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_body(raw: bytes, charset: str | None = None, content_type: str | None = None) -> str:
    """The body as text: the Content-Type charset, else a byte order mark, else the XML
    declaration's encoding, else UTF-8. Raises OtaError (400; a SOAP Fault when the Content-Type
    is SOAP 1.2's) when it does not decode."""
    encoding = charset
    if not encoding:
        encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
    if not encoding:
        declared = _DECLARED_ENCODING.match(raw.lstrip())
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return raw.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        soap = soap_of(content_type)
        raise OtaError(400, [Problem(EWT_PROCESSING_EXCEPTION, ERR_UNABLE_TO_PROCESS,
                                     f"The body is not readable as {encoding}: {exc}.")],
                       soap=soap, fault=bool(soap)) from None


def _local(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def _children(parent, name: str) -> list:
    return [child for child in parent if isinstance(child.tag, str) and _local(child.tag)[1] == name]


def _child(parent, name: str):
    found = _children(parent, name)
    return found[0] if found else None


def soap_of(content_type: str | None) -> str | None:
    """The SOAP version a Content-Type announces: only application/soap+xml says one (1.2)."""
    return "1.2" if (content_type or "").split(";")[0].strip().lower() == SOAP12_TYPE else None


def parse(xml_text: str, content_type: str | None = None) -> OtaMessage:
    """Parse and map one RQ, bare or in a SOAP 1.1 or 1.2 envelope. Raises OtaError: 400 for what
    is not a message we take (malformed XML, a DTD or entities, another root element, a broken
    envelope: a SOAP Fault), 422 for missing or invalid attributes."""
    announced = soap_of(content_type)
    if not isinstance(xml_text, str) or not xml_text.strip():
        raise OtaError(400, [Problem(EWT_PROCESSING_EXCEPTION, ERR_UNABLE_TO_PROCESS,
                                     "The body must be an OTA XML message.")], soap=announced, fault=bool(announced))
    # Text is already decoded (decode_body): ElementTree then ignores the declared encoding.
    if xml_text.startswith("\ufeff"):
        xml_text = xml_text[1:]
    try:
        root = SafeET.fromstring(xml_text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise OtaError(400, [Problem(EWT_PROCESSING_EXCEPTION, ERR_UNABLE_TO_PROCESS,
                                     "Document type declarations and entities are not accepted "
                                     f"({type(exc).__name__}).")], soap=announced, fault=bool(announced)) from None
    except ET.ParseError as exc:
        raise OtaError(400, [Problem(EWT_PROCESSING_EXCEPTION, ERR_UNABLE_TO_PROCESS,
                                     f"Malformed XML: {exc}.")], soap=announced, fault=bool(announced)) from None
    root, soap = unwrap(root, announced)
    try:
        message = _message(root)
    except OtaError as error:
        error.soap = soap
        raise
    message.soap = soap
    return message


def _soap_fault(version: str, text: str) -> OtaError:
    return OtaError(400, [Problem(EWT_PROCESSING_EXCEPTION, ERR_UNABLE_TO_PROCESS, text)], soap=version,
                    fault=True)


def unwrap(root, announced: str | None = None) -> tuple:
    """(the OTA element, the SOAP version or None): the one element in a SOAP Body, or root itself.

    SOAP headers (WS-Security, WS-Addressing...) are not read, even marked mustUnderstand: the
    API key authenticates, and refusing them would refuse what channel managers send.
    """
    namespace, name = _local(root.tag)
    if name != "Envelope":
        if announced:
            raise _soap_fault(announced, f"{SOAP12_TYPE} carries a SOAP 1.2 Envelope ({SOAP12}), not {name}.")
        return root, None
    version = SOAP_VERSION.get(namespace)
    if version is None:
        raise _soap_fault(announced or "1.1", f"An Envelope in namespace {namespace or '(none)'} is no SOAP "
                                              f"envelope we know: use {SOAP11} (SOAP 1.1) or {SOAP12} (SOAP 1.2).")
    bodies = [child for child in root if child.tag == f"{{{namespace}}}Body"]
    if len(bodies) != 1:
        raise _soap_fault(version, "The SOAP Envelope must have exactly one Body.")
    inside = [child for child in bodies[0] if isinstance(child.tag, str)]
    if len(inside) != 1:
        raise _soap_fault(version, f"The SOAP Body must hold exactly one {INV_COUNT} or {AVAIL}, "
                                   f"not {len(inside)} elements.")
    return inside[0], version


def _message(root) -> OtaMessage:
    namespace, name = _local(root.tag)
    if name not in RS_OF or namespace not in (None, NS):
        where = f" in namespace {namespace}" if namespace else ""
        raise OtaError(400, [Problem(EWT_NO_IMPLEMENTATION, ERR_UNABLE_TO_PROCESS,
                                     f"{name}{where} is not accepted here: send {INV_COUNT} or {AVAIL} "
                                     f"(namespace {NS}).", tag=name)])

    echo_token = root.get("EchoToken")
    message = OtaMessage(root=name, namespaced=namespace == NS, echo_token=echo_token or None,
                         version=root.get("Version"), timestamp=root.get("TimeStamp") or "",
                         target=root.get("Target"), sequence=0, elements=[])
    errors: list[Problem] = []
    if not message.timestamp:
        errors.append(_missing(f"{name}/@TimeStamp", "TimeStamp is required: it orders this message "
                                                     "against the others for the same dates."))
    else:
        try:
            message.sequence = timestamp_ms(message.timestamp)
        except ValueError as exc:
            errors.append(Problem(EWT_BIZ_RULE, ERR_INVALID_VALUE, str(exc), tag=f"{name}/@TimeStamp"))
    if echo_token is not None and not 0 < len(echo_token) <= MAX_TOKEN:
        errors.append(Problem(EWT_BIZ_RULE, ERR_INVALID_VALUE,
                              f"EchoToken must have 1 to {MAX_TOKEN} characters.", tag=f"{name}/@EchoToken"))

    container, item = ("Inventories", "Inventory") if name == INV_COUNT else \
        ("AvailStatusMessages", "AvailStatusMessage")
    holder = _child(root, container)
    items = _children(holder, item) if holder is not None else []
    if not items:
        errors.append(_missing(f"{name}/{container}/{item}", f"At least one {container}/{item} is required."))
    elif len(items) > MAX_ELEMENTS:
        errors.append(Problem(EWT_BIZ_RULE, ERR_INVALID_VALUE,
                              f"At most {MAX_ELEMENTS} {item} elements in one message.", tag=f"{name}/{container}"))
        items = []
    for number, node in enumerate(items, start=1):
        mapped = (_inventory if name == INV_COUNT else _avail_status)(node, number, errors)
        if mapped is not None:
            message.elements.append(mapped)
    if errors:
        raise OtaError(422, errors[:MAX_ERRORS], message)
    return message


def timestamp_ms(value: str) -> int:
    """An ISO 8601 date and time (UTC when it names no offset) in Unix milliseconds."""
    text = value.strip()
    try:
        if "T" not in text and " " not in text:
            raise ValueError
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"TimeStamp {value!r} is not an ISO 8601 date and time "
                         "such as 2026-05-01T09:30:00.000Z.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    millis = (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1)
    if millis < 0:
        raise ValueError(f"TimeStamp {value!r} is before 1970.")
    return millis


def _missing(tag: str, text: str, record: int | None = None) -> Problem:
    return Problem(EWT_REQUIRED_FIELD_MISSING, ERR_REQUIRED_FIELD_MISSING, text,
                   str(record) if record is not None else None, tag)


def _invalid(tag: str, text: str, record: int, code: str = ERR_INVALID_VALUE) -> Problem:
    return Problem(EWT_BIZ_RULE, code, text, str(record), tag)


def _control(node, number: int, where: str, errors: list[Problem]):
    """StatusApplicationControl -> (product_code, start, end, weekdays), or None after an error."""
    control = _child(node, "StatusApplicationControl")
    tag = f"{where}[{number}]/StatusApplicationControl"
    if control is None:
        errors.append(_missing(tag, f"{where} {number} has no StatusApplicationControl.", number))
        return None
    before = len(errors)
    code = control.get("InvTypeCode") or control.get("InvCode")
    if not code:
        errors.append(_missing(f"{tag}/@InvTypeCode", f"{where} {number}: InvTypeCode is required "
                                                      "(your code of the room type or product).", number))
    dates = {}
    for attribute in ("Start", "End"):
        value = control.get(attribute)
        if not value:
            errors.append(_missing(f"{tag}/@{attribute}", f"{where} {number}: {attribute} is required.", number))
            continue
        try:
            dates[attribute] = date.fromisoformat(value.strip())
        except ValueError:
            errors.append(_invalid(f"{tag}/@{attribute}", f"{where} {number}: {attribute} {value!r} is not "
                                                          "a date such as 2026-05-01.", number, ERR_INVALID_DATE))
    if len(dates) == 2:
        if dates["End"] < dates["Start"]:
            errors.append(_invalid(f"{tag}/@End", f"{where} {number}: End is before Start.", number,
                                   ERR_INVALID_DATE))
        elif (dates["End"] - dates["Start"]).days > MAX_RANGE_DAYS:
            errors.append(_invalid(f"{tag}/@End", f"{where} {number}: at most {MAX_RANGE_DAYS} days "
                                                  "from Start to End.", number, ERR_INVALID_DATE))
    flags = {}
    for attribute, weekday in WEEKDAY_ATTRIBUTES.items():
        value = control.get(attribute)
        if value is None:
            continue
        flag = _boolean(value)
        if flag is None:
            errors.append(_invalid(f"{tag}/@{attribute}", f"{where} {number}: {attribute} must be true, false, "
                                                          "1 or 0.", number))
            continue
        flags[weekday] = flags.get(weekday, False) or flag
    if len(errors) > before:
        return None
    return code, dates["Start"], dates["End"], weekdays_from_flags(flags)


def weekdays_from_flags(flags: dict[int, bool]) -> list[int] | None:
    """ISO weekdays selected by the DOW flags: none given is every day; any true ones are exactly
    those days; only false ones are every day but those. Seven false flags select no day: []."""
    if not flags:
        return None
    chosen = [day for day, on in sorted(flags.items()) if on]
    if chosen:
        return chosen
    return [day for day in range(1, 8) if day not in flags]


def _boolean(value: str) -> bool | None:
    value = value.strip().lower()
    return True if value in TRUE else False if value in FALSE else None


def _count(value: str) -> int | None:
    value = value.strip()
    return int(value) if re.fullmatch(r"\+?\d{1,9}", value) else None


def _element(number, control, fields, notes, where) -> Element:
    code, start, end, weekdays = control
    if weekdays == []:
        notes.append(Problem(EWT_BIZ_RULE, ERR_INVALID_VALUE, f"{where} {number}: every weekday flag is "
                                                              "false, so no date is selected.", str(number)))
        fields = {}
    if not fields and not notes:
        notes.append(Problem(EWT_ADVISORY, None, f"{where} {number} has nothing to apply.", str(number)))
    return Element(number, code, start, end, weekdays, fields, notes)


def _inventory(node, number: int, errors: list[Problem]) -> Element | None:
    """Inventory: StatusApplicationControl and InvCounts/InvCount, mapped by `inv_counts`."""
    where = "Inventory"
    control = _control(node, number, where, errors)
    counts: dict[str, int] = {}
    holder = _child(node, "InvCounts")
    for count in _children(holder, "InvCount") if holder is not None else []:
        count_type = (count.get("CountType") or DEFINITE_AVAILABILITY).strip()
        raw = count.get("Count")
        tag = f"{where}[{number}]/InvCounts/InvCount/@Count"
        if raw is None:
            errors.append(_missing(tag, f"{where} {number}: InvCount needs a Count.", number))
            continue
        value = _count(raw)
        if value is None:
            errors.append(_invalid(tag, f"{where} {number}: Count {raw!r} is not a whole number of units.", number))
            continue
        if count_type in counts:
            errors.append(_invalid(f"{where}[{number}]/InvCounts/InvCount/@CountType",
                                   f"{where} {number}: CountType {count_type} is given twice.", number))
            continue
        counts[count_type] = value
    fields, notes = inv_counts(counts, f"{where} {number}", str(number))
    if control is None:
        return None
    return _element(number, control, fields, notes, where)


def inv_counts(counts: dict[str, int], label: str, record: str) -> tuple[dict, list[Problem]]:
    """The update fields of one Inventory's counts by CountType, and a Warning for what is not applied.

    - 2, definite availability (rooms left to sell): `available`, so each date's allotment becomes
      that plus what we have booked and hold there, not the raw count;
    - 1, physical: the most the allotment can be. Beside a 2 it caps it; alone it is the capacity
      (what we have booked and hold is part of it); beside sold or out-of-order counts but no 2 it
      is not applied, as the rooms left to sell cannot be told from it;
    - any other type (tentative availability, definite or tentative sold, out of order, out of
      inventory, oversell...) is not applied: Itinera counts its own sales. A non-zero one is
      named in the Warning; zeros change nothing either way.
    """
    fields, notes = {}, []
    others = {t: n for t, n in counts.items() if t not in (PHYSICAL, DEFINITE_AVAILABILITY)}
    if DEFINITE_AVAILABILITY in counts:
        fields["available"] = counts[DEFINITE_AVAILABILITY]
    if PHYSICAL in counts:
        if DEFINITE_AVAILABILITY in counts or not any(others.values()):
            fields["capacity"] = counts[PHYSICAL]
        else:
            notes.append(Problem(EWT_BIZ_RULE, ERR_INVALID_VALUE, f"{label}: CountType 1 (physical) was not "
                                 "applied: with sold or out-of-order counts, send CountType 2 (definite "
                                 "availability), the rooms left to sell.", record))
    ignored = {t: n for t, n in others.items() if n}
    if ignored:
        named = ", ".join(f"{t} ({COUNT_TYPES.get(t, 'unknown type')}) = {n}" for t, n in sorted(ignored.items()))
        notes.append(Problem(EWT_NO_IMPLEMENTATION, None, f"{label}: CountType {named} not applied; only "
                             "CountType 2 (definite availability) and 1 (physical) are taken.", record))
    return fields, notes


def _avail_status(node, number: int, errors: list[Problem]) -> Element | None:
    """AvailStatusMessage: BookingLimit is the capacity; RestrictionStatus Master is stop-sell."""
    where = "AvailStatusMessage"
    control = _control(node, number, where, errors)
    fields, notes = {}, []
    limit = node.get("BookingLimit")
    limit_type = (node.get("BookingLimitMessageType") or "SetLimit").strip()
    if limit is not None:
        value = _count(limit)
        if value is None:
            errors.append(_invalid(f"{where}[{number}]/@BookingLimit",
                                   f"{where} {number}: BookingLimit {limit!r} is not a whole number of units.", number))
        elif limit_type == "SetLimit":
            fields["capacity"] = value
        else:
            notes.append(Problem(EWT_NO_IMPLEMENTATION, None, f"{where} {number}: BookingLimitMessageType "
                                                              f"{limit_type} is not supported (only SetLimit); "
                                                              "the BookingLimit was not applied.", str(number)))
    for restriction in _children(node, "RestrictionStatus"):
        status = restriction.get("Status")
        kind = restriction.get("Restriction") or "Master"
        tag = f"{where}[{number}]/RestrictionStatus"
        if status is None:
            if restriction.get("Restriction") is not None:
                errors.append(_missing(f"{tag}/@Status", f"{where} {number}: RestrictionStatus needs a Status "
                                                         "(Open or Close).", number))
            continue
        if status not in ("Open", "Close"):
            errors.append(_invalid(f"{tag}/@Status", f"{where} {number}: Status {status!r} is not Open or Close.",
                                   number))
            continue
        if kind != "Master":
            notes.append(Problem(EWT_NO_IMPLEMENTATION, None, f"{where} {number}: {kind} restrictions are not "
                                                              "supported (only Master); it was not applied.",
                                 str(number)))
            continue
        fields["stop_sell"] = status == "Close"
    if _child(node, "LengthsOfStay") is not None:
        notes.append(Problem(EWT_NO_IMPLEMENTATION, None, f"{where} {number}: LengthsOfStay is not supported "
                                                          "and was not applied.", str(number)))
    if control is None:
        return None
    ctl = _child(node, "StatusApplicationControl")
    if ctl.get("RatePlanCode"):
        # Our products have no rate plans: closing one plan must not close the whole room type.
        notes.append(Problem(EWT_NO_IMPLEMENTATION, None, f"{where} {number}: rate plans are not supported; "
                                                          "send room type level messages (no RatePlanCode). "
                                                          "Nothing of it was applied.", str(number)))
        fields = {}
    return _element(number, control, fields, notes, where)


# --- what to apply -------------------------------------------------------------------------

def coalesce(message: OtaMessage) -> tuple[list[dict], list[list[int]]]:
    """The update dicts for pushes.apply_batch, and for each the element numbers it comes from.

    Elements of one product whose dates do not overlap are applied one by one. Where they
    overlap they are replayed in document order, date by date (a later element's field wins),
    and the dates regrouped into runs with the same fields, so the whole RQ is one state change.
    """
    by_code: dict[str, list[Element]] = {}
    for element in message.elements:
        if element.fields:
            by_code.setdefault(element.product_code, []).append(element)
    planned: list[tuple[int, dict, list[int]]] = []   # (first element number, update, sources)
    for code, elements in by_code.items():
        expanded = [(e, days_in(e.start, e.end, e.weekdays)) for e in elements]
        seen, overlap = set(), False
        for _, days in expanded:
            if seen.intersection(days):
                overlap = True
                break
            seen.update(days)
        if not overlap:
            planned.extend((e.number, _update(code, e.start, e.end, e.weekdays, e.fields, message.sequence),
                            [e.number]) for e in elements)
            continue
        state: dict[date, dict] = {}
        sources: dict[date, set] = {}
        for element, days in expanded:
            for day in days:
                state.setdefault(day, {}).update(element.fields)
                sources.setdefault(day, set()).add(element.number)
        runs: list[list] = []   # [start, end, fields, sources]
        for day in sorted(state):
            last = runs[-1] if runs else None
            if last and last[1] + timedelta(days=1) == day and last[2] == state[day]:
                last[1] = day
                last[3] |= sources[day]
            else:
                runs.append([day, day, state[day], set(sources[day])])
        planned.extend((min(src), _update(code, start, end, None, fields, message.sequence), sorted(src))
                       for start, end, fields, src in runs)
    planned.sort(key=lambda p: p[0])
    return [update for _, update, _ in planned], [src for _, _, src in planned]


def _update(code, start, end, weekdays, fields, sequence) -> dict:
    update = {"product_code": code, "start": start.isoformat(), "end": end.isoformat(), "sequence": sequence}
    if weekdays is not None:
        update["weekdays"] = weekdays
    return update | fields


def unknown_codes(message: OtaMessage, known: set[str]) -> OtaError | None:
    """An error naming every InvTypeCode that is not one of the supplier's product codes."""
    problems = []
    for element in message.elements:
        if element.product_code not in known:
            item = "Inventory" if message.root == INV_COUNT else "AvailStatusMessage"
            problems.append(Problem(EWT_BIZ_RULE, ERR_INVALID_ROOM_TYPE,
                                    f"You have no product with code {element.product_code}.", str(element.number),
                                    f"{item}[{element.number}]/StatusApplicationControl/@InvTypeCode"))
    return OtaError(422, problems[:MAX_ERRORS], message) if problems else None


def result_warnings(results: list[dict], origins: list[list[int]]) -> list[Problem]:
    """Warnings for what apply_batch did not (fully) apply: rejected, stale, dates without allotment."""
    warnings = []
    for result in results:
        record = ",".join(map(str, origins[result["index"]]))
        label = f"{'Elements' if ',' in record else 'Element'} {record}"
        product = result.get("product_code")
        span = f" ({product})" if product else ""
        status = result["status"]
        if status == "rejected" and result.get("reason") == "no_allotment":
            warnings.append(_no_allotment(label, span, result, record))
        elif status == "rejected":
            reason = result.get("reason")
            code = {"past_dates": ERR_INVALID_DATE, "unknown_product": ERR_INVALID_ROOM_TYPE,
                    "invalid": ERR_INVALID_VALUE}.get(reason, ERR_UNABLE_TO_PROCESS)
            detail = result.get("detail") or _flatten(result.get("errors")) or reason
            warnings.append(Problem(EWT_BIZ_RULE, code, f"{label}{span} not applied: {detail}", record))
        elif status == "ignored_stale":
            warnings.append(Problem(EWT_ADVISORY, None, f"{label}{span} ignored: every date already has a change "
                                                        "with this TimeStamp or a later one.", record))
        else:
            if result.get("stale_days"):
                warnings.append(Problem(EWT_ADVISORY, None, f"{label}{span}: {result['stale_days']} date(s) "
                                                            "ignored, they already have a change with this "
                                                            "TimeStamp or a later one.", record))
            if result.get("missing_days"):
                warnings.append(_no_allotment(label, span, result, record))
    return warnings


def _no_allotment(label, span, result, record) -> Problem:
    return Problem(EWT_BIZ_RULE, ERR_UNABLE_TO_PROCESS, f"{label}{span}: no allotment yet on "
                                                        f"{', '.join(result.get('missing_days') or [])}; "
                                                        "ask us to open these dates.", record)


def _first_record(problem: Problem) -> int:
    return int(problem.record.split(",")[0]) if problem.record else 0


def _flatten(errors) -> str:
    if not errors:
        return ""
    if isinstance(errors, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in errors.items())
    if isinstance(errors, list):
        return " ".join(_flatten(item) for item in errors)
    return str(errors)


# --- answering -----------------------------------------------------------------------------

def _rs(name: str, attributes: dict) -> ET.Element:
    # ElementTree cannot write a default namespace with plain attribute names: set xmlns itself.
    root = ET.Element(name, {"xmlns": NS})
    for key, value in attributes.items():
        if value is not None:
            root.set(key, value)
    return root


def _echo(message: OtaMessage | None) -> dict:
    """The RQ's EchoToken, TimeStamp, Target and Version, echoed in the RS."""
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if message is None:
        return {"TimeStamp": now, "Version": "1.0"}
    return {"EchoToken": message.echo_token, "TimeStamp": message.timestamp or now, "Target": message.target,
            "Version": message.version or "1.0"}


def _problems(parent: ET.Element, container: str, item: str, problems: list[Problem]):
    holder = ET.SubElement(parent, container)
    for problem in problems:
        node = ET.SubElement(holder, item, {"Type": problem.type})
        if problem.code:
            node.set("Code", problem.code)
        if problem.record:
            node.set("RecordID", problem.record)
        if problem.tag:
            node.set("Tag", problem.tag)
        node.text = problem.text


def _text(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def success_rs(message: OtaMessage, warnings: list[Problem]) -> str:
    root = _rs(message.rs, _echo(message))
    ET.SubElement(root, "Success")
    if warnings:
        _problems(root, "Warnings", "Warning", warnings)
    return _text(root)


def errors_rs(message: OtaMessage | None, problems: list[Problem], name: str | None = None) -> str:
    root = _rs(name or (message.rs if message else ERROR_RS), _echo(message))
    if root.tag == ERROR_RS:
        root.set("Status", "NotProcessed")
    _problems(root, "Errors", "Error", problems)
    return _text(root)


def error_rs(error: OtaError) -> str:
    """The answer to an OtaError: the matching RS when the root was recognised, else OTA_ErrorRS."""
    return errors_rs(error.message, error.problems)


def repeated_rs(first_rs: str, echo_token: str, received_at: datetime) -> str:
    """The first answer to a message, marked as a repeat: an advisory Warning says so.

    Not byte-identical: a sender must be able to tell "applied now" from "applied before".
    """
    root = SafeET.fromstring(first_rs, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    warnings = root.find(f"{{{NS}}}Warnings")
    if warnings is None:
        warnings = ET.Element(f"{{{NS}}}Warnings")
        success = root.find(f"{{{NS}}}Success")
        root.insert(list(root).index(success) + 1 if success is not None else 0, warnings)
    at = received_at.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    repeat = ET.SubElement(warnings, f"{{{NS}}}Warning", {"Type": EWT_ADVISORY, "Tag": "EchoToken"})
    repeat.text = (f"EchoToken {echo_token} was already processed at {at}: this is its first answer again; "
                   "nothing of this message was applied now.")
    for node in root.iter():   # back to plain names under a default namespace, as _rs writes them
        node.tag = _local(node.tag)[1]
        node.text = node.text if node.text is None or node.text.strip() else None
        node.tail = None
    root.set("xmlns", NS)
    return _text(root)


def too_far_ahead(message: OtaMessage, now: datetime, max_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW) -> OtaError | None:
    """An error when the TimeStamp is later than now plus the clock skew we allow.

    Applied, it would make every real message after it stale until that time came.
    """
    latest = (now - datetime(1970, 1, 1, tzinfo=timezone.utc) + max_skew) // timedelta(milliseconds=1)
    if message.sequence <= latest:
        return None
    return OtaError(422, [Problem(EWT_BIZ_RULE, ERR_INVALID_DATE,
                                  f"TimeStamp {message.timestamp} is in the future (more than "
                                  f"{int(max_skew.total_seconds())} s ahead of our clock, "
                                  f"{now.astimezone(timezone.utc).isoformat(timespec='seconds')}): check your "
                                  "clock; nothing was applied.", tag=f"{message.root}/@TimeStamp")], message)


# --- SOAP ------------------------------------------------------------------------------------

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


def enveloped(rs: str, soap: str | None) -> str:
    """The RS as it goes back: bare, or in a Body of the RQ's SOAP version."""
    if soap is None:
        return rs
    namespace = SOAP11 if soap == "1.1" else SOAP12
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<soap:Envelope xmlns:soap="{namespace}"><soap:Body>\n{_DECLARATION.sub("", rs)}'
            '</soap:Body></soap:Envelope>\n')


def soap_fault(soap: str, reason: str, *, sender: bool = True) -> str:
    """A SOAP Fault of that version: the sender's fault (Client / Sender) or ours (Server / Receiver)."""
    if soap == "1.1":
        body = (f"<soap:Fault><faultcode>soap:{'Client' if sender else 'Server'}</faultcode>"
                f"<faultstring>{escape(reason)}</faultstring></soap:Fault>")
        namespace = SOAP11
    else:
        body = (f"<soap:Fault><soap:Code><soap:Value>soap:{'Sender' if sender else 'Receiver'}</soap:Value>"
                f'</soap:Code><soap:Reason><soap:Text xml:lang="en">{escape(reason)}</soap:Text></soap:Reason>'
                "</soap:Fault>")
        namespace = SOAP12
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="{namespace}"><soap:Body>'
            f"{body}</soap:Body></soap:Envelope>\n")


def answer(status: int, rs: str, soap: str | None) -> dict:
    """What the gateway sends back: {"status", "xml", "content_type"}."""
    return {"status": status, "xml": enveloped(rs, soap), "content_type": CONTENT_TYPE[soap]}


def error_answer(error: OtaError) -> dict:
    # A broken envelope gets a SOAP Fault, with 400 for both versions: SOAP 1.1 would send 500,
    # but the fault is the sender's, and here a 500 means a bug of ours.
    if error.fault and error.soap:
        return {"status": error.status, "xml": soap_fault(error.soap, "; ".join(p.text for p in error.problems)),
                "content_type": CONTENT_TYPE[error.soap]}
    return answer(error.status, error_rs(error), error.soap)


# --- receiving, for the ticketing service --------------------------------------------------

def receive(unit, api_key: str, xml_text: str, *, today: date, now: datetime, content_type: str | None = None,
            max_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW) -> dict:
    """Parse, authenticate, answer a re-sent EchoToken as before (marked as a repeat), or apply
    and announce.

    Returns {"status": http status, "xml": the answer, "content_type": its type}: the RS, in the
    RQ's SOAP envelope if it came in one. Only an applied message is written (with its bare RS in
    the message log); an error answer writes nothing.
    """
    from sqlalchemy import select

    from . import pushes, suppliers
    from .models import Product
    from .supplier_queue import answered, claim, record_answer

    try:
        message = parse(xml_text, content_type)
    except OtaError as error:
        return error_answer(error)
    session = unit.session
    try:
        supplier = suppliers.authenticate(session, api_key)
    except suppliers.InvalidApiKey:
        return answer(401, errors_rs(message, [Problem(
            EWT_AUTHENTICATION, ERR_AUTHORIZATION, "A valid supplier API key is required (X-Api-Key).")]),
            message.soap)
    if message.echo_token:
        known = answered(session, supplier.id, message.root, message.echo_token)
        if known is not None:
            return _repeat(known, message)
    refused = unknown_codes(message, set(session.scalars(select(Product.supplier_code).where(
        Product.supplier_id == supplier.id, Product.supplier_code.in_(message.product_codes))))) \
        or too_far_ahead(message, now, max_skew)
    if refused is not None:
        return error_answer(refused)
    record = None
    if message.echo_token:
        record, first = claim(session, supplier.id, message.root, message.echo_token, channel="supplier_xml")
        if not first:   # another worker answered it meanwhile
            return _repeat(record, message)
    updates, origins = coalesce(message)
    results, events = pushes.apply_batch(session, supplier, updates, source="supplier_xml",
                                         message_id=message.echo_token, today=today) if updates else ([], [])
    for event, payload in events:
        unit.emit(event, payload)
    warnings = sorted(message.notes + result_warnings(results, origins), key=_first_record)
    rs = success_rs(message, warnings)
    if record is not None:
        record_answer(session, record, 200, rs)
    return answer(200, rs, message.soap)


def _repeat(record, message: OtaMessage) -> dict:
    return answer(record.status, repeated_rs(record.response, message.echo_token, record.received_at),
                  message.soap)
