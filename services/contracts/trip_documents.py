"""What the trip documents print for an order file (documents.trip_documents renders it).

Plain rules, no database: the caller brings what other services know (ticketing's bookings, the
suppliers' confirmations of hand-entered items, the meeting point the tour leader set) and this
puts it together with the order file's own itinerary, travellers and entry requirements. The
visa and insurance notes are sentences in the order file's language, so the PDF prints them as is.
"""
from datetime import datetime, timedelta

from services.common.serialization import to_plain

from .documents.wording import Words
from .models import OrderFile

ITEM_KEYS = ("kind", "description", "location", "from_location", "to_location", "nights", "check_out")


def _lines(order: OrderFile) -> list[dict]:
    """The lines in force: an amendment's lines once one is signed, else the accepted quote's."""
    signed = [v for v in order.versions or [] if v.status == "signed"]
    return (signed[-1].lines if signed else None) or (order.quote or {}).get("lines") or []


def days(order: OrderFile) -> list[dict]:
    """Every day of the trip, each with its lines in quote order; a day without any is listed too
    (a free day is part of the itinerary the traveller reads)."""
    by_day: dict[int, list[dict]] = {}
    for line in sorted(_lines(order), key=lambda x: (int(x.get("day") or 1), x.get("line") or 0)):
        by_day.setdefault(int(line.get("day") or 1), []).append(line)
    last = max([(order.end_date - order.start_date).days + 1, *by_day])
    return [{"day": n, "date": (order.start_date + timedelta(days=n - 1)).isoformat(),
             "items": [to_plain({k: line.get(k) for k in ITEM_KEYS}) for line in by_day.get(n, [])]}
            for n in range(1, last + 1)]


def visa_note(order: OrderFile, words: Words) -> str:
    """Whether the destination asks for a visa and, if it does, where each traveller stands."""
    if not (order.entry_requirements or {}).get("visa_required"):
        return words("visa_not_required")
    statuses = [words("visa_of", name=t.get("full_name") or "",
                      status=words.label("visa_status_", t.get("visa") or "unknown"))
                for t in order.travellers or []]
    return words("visa_required", statuses=words("list_separator").join(statuses))


def insurance_note(order: OrderFile, words: Words) -> str:
    covers = [line.get("description") for line in _lines(order) if line.get("kind") == "insurance"]
    covers = [c for c in covers if c]
    return words("insurance_included", what=words("list_separator").join(covers)) if covers \
        else words("no_insurance")


def contacts_of(agency: dict, words: Words, given: list[dict] | None) -> list[dict]:
    """The agency's emergency line first (AGENCY_EMERGENCY_PHONE, else its phone), then the caller's
    (the tour leader, the ground handler)."""
    phone = agency.get("emergency_phone") or agency.get("phone")
    first = [{"name": words("agency_emergency", agency=agency.get("name") or ""), "phone": phone}] if phone else []
    return first + [{"name": c.get("name"), "phone": c.get("phone")} for c in given or []]


def _meeting(meeting: dict | None) -> dict | None:
    if meeting is None:
        return None
    at = meeting.get("at")
    found = {"at": at.isoformat() if isinstance(at, datetime) else at, "place": meeting.get("place")}
    if meeting.get("timezone"):
        found["timezone"] = meeting["timezone"]
    return found


def trip_documents_data(order: OrderFile, agency: dict, bookings: list[dict], confirmations: list[dict],
                        emergency_contacts: list[dict] | None = None, meeting: dict | None = None) -> dict:
    """The dict documents.trip_documents(data, language) prints.

    bookings: the booked inventory lines, each {"locator", "ticket_number", "product", "service_date",
    "status"}; confirmations: hand-entered items confirmed by their suppliers, each {"supplier",
    "description", "service_date", "reference"}; emergency_contacts: [{"name", "phone"}] after the
    agency's own line; meeting: {"at": aware datetime or ISO, "place", optional "timezone"} or None."""
    words = Words(order.language)
    contacts = contacts_of(agency or {}, words, emergency_contacts)
    return to_plain({
        "order_number": order.order_number, "language": order.language, "title": order.title,
        "start_date": order.start_date.isoformat(), "end_date": order.end_date.isoformat(), "agency": agency or {},
        "travellers": [{"full_name": t.get("full_name"), "type": t.get("type")} for t in order.travellers or []],
        "meeting": _meeting(meeting), "days": days(order),
        "bookings": [{k: b.get(k) for k in ("locator", "ticket_number", "product", "service_date", "status")}
                     for b in bookings or []],
        "confirmations": [{k: c.get(k) for k in ("supplier", "description", "service_date", "reference")}
                          for c in confirmations or []],
        "emergency_contacts": contacts,
        "notes": {"visa": visa_note(order, words), "insurance": insurance_note(order, words)},
    })
