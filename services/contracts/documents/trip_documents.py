"""The trip documents the travellers take with them: the final itinerary day by day, where and when
to meet, the vouchers and tickets with their locators, who to call, and the visa and insurance notes."""
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from services.common.documents.layout import BAND, MUTED, WIDTH, as_date, grid, para
from services.common.documents.typesetting import rich

from .paper import Paper, facts, footer_text, letterhead, plain


def _meeting_time(paper: Paper, meeting: dict) -> str:
    """In the meeting place's own time zone when the caller names it (travellers read local clocks);
    else in UTC, said so."""
    at, zone = meeting.get("at"), meeting.get("timezone")
    if at and zone:
        try:
            moment = datetime.fromisoformat(at) if isinstance(at, str) else at
            return f"{format_datetime(moment, 'medium', tzinfo=ZoneInfo(zone), locale=paper.f.locale)} ({zone})"
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return paper.f.moment(at) if at else paper.w("to_be_confirmed")


def _meeting(paper: Paper, data: dict) -> list:
    meeting, w = data.get("meeting") or {}, paper.w
    return [para(w("meeting"), "h2"),
            facts([(w("meeting_at"), para(_meeting_time(paper, meeting), "bold")),
                   (w("meeting_place"), para(meeting.get("place") or w("to_be_confirmed"), "bold"))])]


def _item_details(paper: Paper, item: dict) -> str:
    w, f, bits = paper.w, paper.f, []
    if item.get("from_location") or item.get("to_location"):
        bits.append(f"{item.get('from_location') or '?'} – {item.get('to_location') or '?'}")
    elif item.get("location"):
        bits.append(item["location"])
    if item.get("nights") and item.get("check_out"):
        bits.append(w("stay_until", nights=w.count("nights", int(item["nights"])),
                      check_out=f.date(item["check_out"], "medium")))
    return "; ".join(bits)


def _days(paper: Paper, data: dict) -> list:
    w, f = paper.w, paper.f
    rows, extra = [[para(w("service"), "bold"), para(w("details"), "bold")]], []
    for day in data.get("days") or []:
        heading = rich(w("day_heading", n=day.get("day"), date=f.date(day.get("date"), "full")))
        if not day.get("items"):
            heading += f'<br/><font size="7.5" color="{MUTED.hexval()}">{rich(w("free_day"))}</font>'
        rows.append([para(None, markup=heading, style="h3"), ""])
        extra += [("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                  ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BAND)]
        for item in day.get("items") or []:
            service = rich(item.get("description") or "")
            service += f'<br/><font size="7.5" color="{MUTED.hexval()}">{rich(w.label("kind_", item.get("kind")))}</font>'
            rows.append([para(None, markup=service), para(_item_details(paper, item))])
    return [para(w("final_itinerary"), "h2"), grid(rows, [80 * mm, WIDTH - 80 * mm], extra=extra)]


def _vouchers(paper: Paper, data: dict) -> list:
    w, f = paper.w, paper.f
    bookings, confirmations = data.get("bookings") or [], data.get("confirmations") or []
    if not bookings and not confirmations:
        return []
    flow = [para(w("vouchers"), "h2")]
    if bookings:
        rows = [[para(w("locator"), "bold"), para(w("ticket_number"), "bold"), para(w("service"), "bold"),
                 para(w("date"), "bold"), para(w("status"), "bold")]]
        for b in bookings:
            rows.append([para(b.get("locator") or w("locator_to_follow"), "bold"), para(b.get("ticket_number") or ""),
                         para(b.get("product") or ""),
                         para(f.date(b.get("service_date"), "medium") if b.get("service_date") else ""),
                         para(w.label("booking_", b.get("status")) if b.get("status") else "")])
        flow.append(grid(rows, [28 * mm, 32 * mm, 66 * mm, 26 * mm, WIDTH - 152 * mm]))
    if confirmations:
        rows = [[para(w("supplier_reference"), "bold"), para(w("supplier"), "bold"), para(w("service"), "bold"),
                 para(w("date"), "bold")]]
        for c in confirmations:
            rows.append([para(c.get("reference") or w("locator_to_follow"), "bold"), para(c.get("supplier") or ""),
                         para(c.get("description") or ""),
                         para(f.date(c.get("service_date"), "medium") if c.get("service_date") else "")])
        flow += [Spacer(1, 2 * mm), para(w("confirmed_services"), "h3"),
                 grid(rows, [34 * mm, 44 * mm, 74 * mm, WIDTH - 152 * mm])]
    return flow


def _contacts(paper: Paper, data: dict) -> list:
    contacts = data.get("emergency_contacts") or []
    if not contacts:
        return []
    rows = [[para(paper.w("name"), "bold"), para(paper.w("phone"), "bold")]]
    rows += [[para(c.get("name") or ""), para(c.get("phone") or "", "bold")] for c in contacts]
    return [para(paper.w("emergency_contacts"), "h2"), grid(rows, [WIDTH - 60 * mm, 60 * mm])]


def trip_documents(data: dict, language: str) -> bytes:
    """The trip documents (services.contracts.trip_documents.trip_documents_data builds `data`), in
    `language` ('zh', 'es', 'en'; any other prints in English)."""
    data = plain(data)
    paper = Paper(language)
    w, f, agency = paper.w, paper.f, data.get("agency") or {}
    title = data.get("title") or ""
    travellers = data.get("travellers") or []
    story = letterhead(paper, agency, w("trip_documents"), [f"{w('order')} {data.get('order_number') or ''}"])
    lead = travellers[0].get("full_name") if travellers else ""
    story += [para(w("trip_documents_intro", name=lead or "", title=title)), Spacer(1, 2 * mm),
              facts([(w("trip_title"), para(title, "bold")),
                     (w("travel_dates"), f"{f.date(data.get('start_date'))} – {f.date(data.get('end_date'))}")])]
    rows = [[para(w("name_as_in_document"), "bold"), para(w("traveller_type"), "bold")]]
    rows += [[para(f"{i}. {t.get('full_name') or ''}"), para(w.label("person_", t.get("type")))]
             for i, t in enumerate(travellers, start=1)]
    story += [para(w("travellers"), "h2"), grid(rows, [WIDTH - 40 * mm, 40 * mm])]
    story += _meeting(paper, data)
    story += _days(paper, data)
    story += _vouchers(paper, data)
    story += _contacts(paper, data)
    notes = data.get("notes") or {}
    story += [para(w("visa_and_insurance"), "h2"),
              facts([(w("visa"), notes.get("visa")), (w("insurance"), notes.get("insurance"))])]
    story += [Spacer(1, 5 * mm), para(w("closing")), Spacer(1, 3 * mm), para(w("regards")),
              para(agency.get("name") or "", "bold")]
    start = as_date(data.get("start_date"))
    return paper.render(story, title=f"{w('trip_documents')} {data.get('order_number') or ''}: {title}",
                        subject=start.isoformat() if start else "",
                        footer=footer_text(agency, f"{w('order')} {data.get('order_number') or ''}", title))
