"""Reading an RQ: the body as text, a safe parse, and its elements mapped to Itinera updates."""
import codecs
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..products import MAX_RANGE_DAYS
from .message import (AVAIL, ERR_INVALID_DATE, ERR_INVALID_VALUE, ERR_REQUIRED_FIELD_MISSING, ERR_UNABLE_TO_PROCESS,
                      EWT_ADVISORY, EWT_BIZ_RULE, EWT_NO_IMPLEMENTATION, EWT_PROCESSING_EXCEPTION,
                      EWT_REQUIRED_FIELD_MISSING, INV_COUNT, MAX_ELEMENTS, MAX_ERRORS, MAX_TOKEN, NS, RS_OF, Element,
                      OtaError, OtaMessage, Problem, child, children, local_name)
from .soap import soap_of, unwrap

# DOW_PatternGroup; Wed and Thu are accepted as well, as some senders spell them so.
WEEKDAY_ATTRIBUTES = {"Mon": 1, "Tue": 2, "Weds": 3, "Wed": 3, "Thur": 4, "Thu": 4, "Fri": 5, "Sat": 6, "Sun": 7}
TRUE, FALSE = ("true", "1"), ("false", "0")
# InvCount CountType, OpenTravel code list INV (Inventory Count Type).
PHYSICAL, DEFINITE_AVAILABILITY = "1", "2"
COUNT_TYPES = {"1": "physical", "2": "definite availability", "3": "tentative availability",
               "4": "definite sold", "5": "tentative sold", "6": "out of order", "8": "out of inventory",
               "99": "oversell"}

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


def _message(root) -> OtaMessage:
    namespace, name = local_name(root.tag)
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
    holder = child(root, container)
    items = children(holder, item) if holder is not None else []
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
    control = child(node, "StatusApplicationControl")
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
    holder = child(node, "InvCounts")
    for count in children(holder, "InvCount") if holder is not None else []:
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
    for restriction in children(node, "RestrictionStatus"):
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
    if child(node, "LengthsOfStay") is not None:
        notes.append(Problem(EWT_NO_IMPLEMENTATION, None, f"{where} {number}: LengthsOfStay is not supported "
                                                          "and was not applied.", str(number)))
    if control is None:
        return None
    ctl = child(node, "StatusApplicationControl")
    if ctl.get("RatePlanCode"):
        # Our products have no rate plans: closing one plan must not close the whole room type.
        notes.append(Problem(EWT_NO_IMPLEMENTATION, None, f"{where} {number}: rate plans are not supported; "
                                                          "send room type level messages (no RatePlanCode). "
                                                          "Nothing of it was applied.", str(number)))
        fields = {}
    return _element(number, control, fields, notes, where)
