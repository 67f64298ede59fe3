"""Receiving OTA inventory messages: what ticketing does with one a supplier sent.

The message itself (reading, answering, SOAP) is wire: services/ticketing/wire/ota. Here: unwrap
and parse it, authenticate, answer a re-sent EchoToken from the message log (marked as a repeat),
refuse unknown codes and a TimeStamp from the future, coalesce its elements into updates, apply
them as a supplier push, announce, and answer in the RQ's envelope.
"""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from . import pushes, suppliers
from .inventory import days_in
from .models import Product
from .supplier_queue import answered, claim, record_answer
from .wire import ota

DEFAULT_MAX_CLOCK_SKEW = timedelta(minutes=5)


def receive(unit, api_key: str, xml_text: str, *, today: date, now: datetime, content_type: str | None = None,
            max_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW) -> dict:
    """Parse, authenticate, answer a re-sent EchoToken as before (marked as a repeat), or apply
    and announce.

    Returns {"status": http status, "xml": the answer, "content_type": its type}: the RS, in the
    RQ's SOAP envelope if it came in one. Only an applied message is written (with its bare RS in
    the message log); an error answer writes nothing.
    """
    try:
        message = ota.parse(xml_text, content_type)
    except ota.OtaError as error:
        return ota.error_answer(error)
    session = unit.session
    try:
        supplier = suppliers.authenticate(session, api_key)
    except suppliers.InvalidApiKey:
        return ota.answer(401, ota.errors_rs(message, [ota.Problem(
            ota.EWT_AUTHENTICATION, ota.ERR_AUTHORIZATION, "A valid supplier API key is required (X-Api-Key).")]),
            message.soap)
    if message.echo_token:
        known = answered(session, supplier.id, message.root, message.echo_token)
        if known is not None:
            return _repeat(known, message)
    refused = unknown_codes(message, set(session.scalars(select(Product.supplier_code).where(
        Product.supplier_id == supplier.id, Product.supplier_code.in_(message.product_codes))))) \
        or too_far_ahead(message, now, max_skew)
    if refused is not None:
        return ota.error_answer(refused)
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
    warnings = sorted(message.notes + ota.result_warnings(results, origins), key=_first_record)
    rs = ota.success_rs(message, warnings)
    if record is not None:
        record_answer(session, record, 200, rs)
    return ota.answer(200, rs, message.soap)


def _repeat(record, message: ota.OtaMessage) -> dict:
    return ota.answer(record.status, ota.repeated_rs(record.response, message.echo_token, record.received_at),
                      message.soap)


def unknown_codes(message: ota.OtaMessage, known: set[str]) -> ota.OtaError | None:
    """An error naming every InvTypeCode that is not one of the supplier's product codes."""
    problems = []
    for element in message.elements:
        if element.product_code not in known:
            item = "Inventory" if message.root == ota.INV_COUNT else "AvailStatusMessage"
            problems.append(ota.Problem(ota.EWT_BIZ_RULE, ota.ERR_INVALID_ROOM_TYPE,
                                        f"You have no product with code {element.product_code}.",
                                        str(element.number),
                                        f"{item}[{element.number}]/StatusApplicationControl/@InvTypeCode"))
    return ota.OtaError(422, problems[:ota.MAX_ERRORS], message) if problems else None


def too_far_ahead(message: ota.OtaMessage, now: datetime,
                  max_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW) -> ota.OtaError | None:
    """An error when the TimeStamp is later than now plus the clock skew we allow.

    Applied, it would make every real message after it stale until that time came.
    """
    latest = (now - datetime(1970, 1, 1, tzinfo=timezone.utc) + max_skew) // timedelta(milliseconds=1)
    if message.sequence <= latest:
        return None
    return ota.OtaError(422, [ota.Problem(ota.EWT_BIZ_RULE, ota.ERR_INVALID_DATE,
                                          f"TimeStamp {message.timestamp} is in the future (more than "
                                          f"{int(max_skew.total_seconds())} s ahead of our clock, "
                                          f"{now.astimezone(timezone.utc).isoformat(timespec='seconds')}): "
                                          "check your clock; nothing was applied.",
                                          tag=f"{message.root}/@TimeStamp")], message)


def coalesce(message: ota.OtaMessage) -> tuple[list[dict], list[list[int]]]:
    """The update dicts for pushes.apply_batch, and for each the element numbers it comes from.

    Elements of one product whose dates do not overlap are applied one by one. Where they
    overlap they are replayed in document order, date by date (a later element's field wins),
    and the dates regrouped into runs with the same fields, so the whole RQ is one state change.
    """
    by_code: dict[str, list[ota.Element]] = {}
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


def _first_record(problem: ota.Problem) -> int:
    return int(problem.record.split(",")[0]) if problem.record else 0
