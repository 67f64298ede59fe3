"""The travel contract of one order file version, and the booking confirmation letter in its style."""
from datetime import timedelta
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer, Table, TableStyle

from services.common.documents.layout import BAND, INK, MUTED, RULE, WIDTH, as_date, grid, para
from services.common.documents.typesetting import rich
from services.common.money import to_minor_unit

from .paper import Paper, contact_lines, facts, footer_text, letterhead, masked, plain, total_of


# --- pieces of both documents ------------------------------------------------------------------------

def _trip_days(order: dict) -> int:
    start, end = as_date(order.get("start_date")), as_date(order.get("end_date"))
    return (end - start).days + 1 if start and end else 0


def _travel_dates(paper: Paper, order: dict) -> str:
    days = _trip_days(order)
    text = f"{paper.f.date(order.get('start_date'))} – {paper.f.date(order.get('end_date'))}"
    return text + (f", {paper.w.count('days', days)}" if days else "")


def _travellers(paper: Paper, order: dict, *, documents: bool = True) -> list:
    w, f = paper.w, paper.f
    header = [w("name_as_in_document"), w("traveller_type"), w("date_of_birth")]
    widths = [52 * mm, 14 * mm, 27 * mm]
    if documents:
        header += [w("travel_document"), w("document_number_short"), w("expiry")]
        widths += [32 * mm, 22 * mm, WIDTH - 147 * mm]
    else:
        widths[0] = WIDTH - 41 * mm
    rows = [[para(h, "bold") for h in header]]
    for i, traveller in enumerate(order.get("travellers") or [], start=1):
        row = [para(f"{i}. {traveller.get('full_name') or ''}"), para(w.label("person_", traveller.get("type"))),
               para(f.date(traveller.get("date_of_birth"), "medium"))]
        if documents:
            document = traveller.get("document")
            if document:
                kind = w.label("doc_", document.get("type"))
                if document.get("country"):
                    kind += f" ({document['country']})"
                row += [para(kind), para(masked(document.get("number"))),
                        para(f.date(document.get("expiry"), "medium"))]
            else:
                row += [para(w("no_document"), "small"), para(""), para("")]
        rows.append(row)
    return [para(w("travellers"), "h2"), grid(rows, widths)]


def _quantity(paper: Paper, line: dict) -> str:
    w, quantity, basis = paper.w, int(line.get("quantity") or 0), line.get("basis")
    if basis == "per_night":
        nights = int(line.get("nights") or 1)
        return w("rooms_nights", rooms=w.count("rooms", quantity), nights=w.count("nights", nights))
    return w.count("persons" if basis == "per_person" else "units", quantity)


def _line_details(paper: Paper, line: dict) -> str:
    f, bits = paper.f, []
    if line.get("kind") == "hotel" and line.get("nights"):
        bits.append(paper.w("hotel_stay", check_in=f.date(line.get("check_in") or line.get("service_date"), "medium"),
                            check_out=f.date(line.get("check_out"), "medium")))
    if line.get("from_location") or line.get("to_location"):
        bits.append(f"{line.get('from_location') or '?'} – {line.get('to_location') or '?'}")
    elif line.get("location"):
        bits.append(line["location"])
    markup = rich("; ".join(bits))
    if line.get("notes"):
        notes = f'<font size="7.5" color="{MUTED.hexval()}">{rich(line["notes"])}</font>'
        markup += ("<br/>" if markup else "") + notes
    return markup


def _itinerary(paper: Paper, order: dict) -> list:
    """Every day of the trip, each with the quote's lines of that day (a day without any is listed too)."""
    w, f = paper.w, paper.f
    start = as_date(order.get("start_date"))
    by_day: dict[int, list] = {}
    for line in sorted(order.get("lines") or [], key=lambda x: (x.get("day") or 0, x.get("line") or 0)):
        by_day.setdefault(int(line.get("day") or 1), []).append(line)
    last = max([_trip_days(order), *by_day]) if by_day or _trip_days(order) else 0
    rows = [[para(w("service"), "bold"), para(w("details"), "bold"), para(w("quantity"), "bold")]]
    extra = []
    for day in range(1, last + 1):
        lines = by_day.get(day, [])
        when = start + timedelta(days=day - 1) if start else as_date(lines[0].get("service_date")) if lines else None
        heading = rich(w("day_heading", n=day, date=f.date(when, "full")))
        if not lines:
            heading += f'<br/><font size="7.5" color="{MUTED.hexval()}">{rich(w("free_day"))}</font>'
        rows.append([para(None, markup=heading, style="h3"), "", ""])
        extra += [("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                  ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BAND)]
        for line in lines:
            service = rich(line.get("description") or "")
            kind = w.label("kind_", line.get("kind"))
            supplier = f" · {rich(line['supplier_name'])}" if line.get("supplier_name") else ""
            service += f'<br/><font size="7.5" color="{MUTED.hexval()}">{rich(kind)}{supplier}</font>'
            rows.append([para(None, markup=service), para(None, markup=_line_details(paper, line)),
                         para(_quantity(paper, line))])
    return [para(w("itinerary"), "h2"), grid(rows, [70 * mm, 75 * mm, WIDTH - 145 * mm], extra=extra)]


def _price(paper: Paper, order: dict) -> list:
    w = paper.w
    per_person = order.get("per_person") or {}
    rows = []
    if per_person.get("adult") not in (None, ""):
        rows.append([para(w("price_per_adult")), para(paper.money(per_person["adult"]), "right_bold")])
    if per_person.get("child") not in (None, ""):
        rows.append([para(w("price_per_child")), para(paper.money(per_person["child"]), "right_bold")])
    if per_person.get("single_supplement") not in (None, "") and Decimal(str(per_person["single_supplement"])):
        rows.append([para(w("single_supplement")), para(paper.money(per_person["single_supplement"]), "right")])
    flow = [para(w("price"), "h2"), para(w("amounts_in", currency=order.get("currency") or ""), "small"),
            Spacer(1, 1.5 * mm)]
    if rows:
        flow += [grid(rows, [WIDTH - 45 * mm, 45 * mm], header=False), Spacer(1, 2 * mm)]
    composition, extra = [], []
    fees = order.get("fees") or []
    for fee in fees:
        is_total = fee.get("code") == "total"
        composition.append([para(w.label("fee_", fee.get("code"), fee.get("label")), "bold" if is_total else "body"),
                            para(paper.money(fee.get("amount")), "right_bold" if is_total else "right")])
        if is_total:
            extra += [("LINEABOVE", (0, len(composition) - 1), (-1, len(composition) - 1), 1, INK),
                      ("BACKGROUND", (0, len(composition) - 1), (-1, len(composition) - 1), BAND)]
    if not any(fee.get("code") == "total" for fee in fees):
        composition.append([para(w("total_price"), "bold"), para(paper.money(order.get("total")), "right_bold")])
        extra += [("LINEABOVE", (0, -1), (-1, -1), 1, INK), ("BACKGROUND", (0, -1), (-1, -1), BAND)]
    # the make-up and its total on one page: a total alone atop a page reads as a second price
    flow.append(KeepTogether(grid(composition, [WIDTH - 45 * mm, 45 * mm], header=False, extra=extra)))
    return flow


SCHEDULE_WIDTHS = [8 * mm, 40 * mm, 38 * mm, 32 * mm, 32 * mm, WIDTH - 150 * mm]


def _schedule_rows(paper: Paper, schedule: list) -> list:
    w, f = paper.w, paper.f
    rows = [[para("#", "bold"), para(w("payment"), "bold"), para(w("due_on"), "bold"), para(w("amount"), "right_bold"),
             para(w("paid"), "right_bold"), para(w("status"), "bold")]]
    for item in sorted(schedule, key=lambda x: x.get("n") or 0):
        rows.append([para(str(item.get("n") or "")), para(w.label("kind_", item.get("kind"))),
                     para(f.date(item.get("due_on"), "medium")), para(paper.money(item.get("amount")), "right"),
                     para(paper.money(item.get("paid") or 0), "right"), para(w.label("status_", item.get("status")))])
    return rows


def _schedule(paper: Paper, order: dict) -> list:
    schedule = order.get("schedule") or []
    if not schedule:
        return []
    rows = _schedule_rows(paper, schedule)
    rows.append([para(""), para(paper.w("together"), "bold"), para(""),
                 para(paper.money(total_of(i.get("amount") for i in schedule)), "right_bold"),
                 para(paper.money(total_of(i.get("paid") for i in schedule)), "right_bold"), para("")])
    together = [("LINEABOVE", (0, -1), (-1, -1), 1, INK)]
    return [para(paper.w("schedule"), "h2"), grid(rows, SCHEDULE_WIDTHS, extra=together)]


def _tier_when(paper: Paper, days: int, later: int | None) -> str:
    w = paper.w
    if later is None:
        if days == 0:
            return w("tier_day")
        return w("tier_last_one" if days == 1 else "tier_last", days=days)
    if days == later + 1:
        return w("tier_exact_one" if days == 1 else "tier_exact", days=days)
    return w("tier_range", days=days, later=later + 1)


def _cancellation(paper: Paper, order: dict) -> list:
    """Tiers from the farthest from departure: each runs down to the day before the next one starts."""
    w = paper.w
    tiers = sorted(order.get("cancellation_tiers") or [], key=lambda t: -int(t["days_before"]))
    flow = [para(w("cancellation"), "h2")]
    if not tiers:
        return flow + [para(w("no_tiers"))]
    total = order.get("total")
    rows = [[para(w("if_cancelled"), "bold"), para(w("cancellation_charge"), "bold"), para(w("amount"), "right_bold")]]
    for i, tier in enumerate(tiers):
        later = int(tiers[i + 1]["days_before"]) if i + 1 < len(tiers) else None
        charge = None if total in (None, "") else to_minor_unit(
            Decimal(str(total)) * Decimal(str(tier["penalty_percent"])) / 100, order.get("currency") or "")
        rows.append([para(_tier_when(paper, int(tier["days_before"]), later)),
                     para(w("of_total", percent=paper.f.percent(tier["penalty_percent"]))),
                     para(paper.money(charge), "right")])
    return flow + [grid(rows, [75 * mm, 65 * mm, WIDTH - 140 * mm])]


def _signatures(paper: Paper, order: dict) -> list:
    w, signature = paper.w, order.get("signature")
    flow = [CondPageBreak(45 * mm), para(w("signatures"), "h2")]
    if signature:
        method = w.label("method_", signature.get("method"))
        when = paper.f.moment(signature.get("signed_at"))
        flow += [para(w("signed", name=signature.get("signed_by") or "", when=when, method=method), "bold"),
                 para(w("signed_sha", sha=signature.get("document_sha256") or ""), "small")]
        return flow
    blank = "_" * 38

    def block(title):
        lines = [para(title, "h3")]
        for label in ("name", "signature", "date"):  # room to write by hand above each line
            lines += [Spacer(1, 6 * mm), para(w("label_value", label=w(label), value=blank))]
        return lines

    table = Table([[block(w("sign_agency")), block(w("sign_customer"))]], colWidths=[WIDTH / 2, WIDTH / 2])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE)]))
    return flow + [table]


def _numbers(paper: Paper, order: dict) -> str:
    return paper.w("contract_number", number=order.get("order_number") or "", version=order.get("version") or 1)


# --- the documents -----------------------------------------------------------------------------------

def contract(order: dict, *, language: str) -> bytes:
    """The travel contract of one version of the order file, in `language` ('zh', 'es', 'en'; any
    other prints in English): parties, travellers with masked documents, the trip day by day, the
    price and its make-up, the payment schedule, the cancellation tiers, special arrangements, the
    terms, and blank signature lines, or who signed, when and how with the signed document's SHA-256."""
    order = plain(order)
    paper = Paper(language, order.get("currency"))
    w, agency, customer = paper.w, order.get("agency") or {}, order.get("customer") or {}
    title = order.get("title") or ""
    story = letterhead(paper, agency, w("contract"), [_numbers(paper, order)], figure=paper.money(order.get("total")),
                       figure_label=w("total_price"))
    parties = Table([[[para(w("agency_party"), "h3"), para(agency.get("name") or ""),
                       para("\n".join(x for x in (agency.get("address"), contact_lines(agency)) if x), "small")],
                      [para(w("customer_party"), "h3"), para(customer.get("full_name") or "", "bold"),
                       para(contact_lines(customer), "small")]]], colWidths=[WIDTH / 2, WIDTH / 2])
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [para(w("parties"), "h2"), parties]
    story += _travellers(paper, order)
    story += [para(w("trip"), "h2"), facts([(w("trip_title"), para(title, "bold")),
                                            (w("travel_dates"), _travel_dates(paper, order))])]
    story += _itinerary(paper, order)
    story += [CondPageBreak(50 * mm), *_price(paper, order)]
    story += [KeepTogether(_schedule(paper, order))]
    story += [KeepTogether(_cancellation(paper, order))]
    if order.get("special_arrangements"):
        story += [para(w("special_arrangements"), "h2"), para(order["special_arrangements"])]
    story += [para(w("terms"), "h2")]
    for n, (heading, text) in enumerate(w.terms(), start=1):
        story += [KeepTogether([para(f"{n}. {heading}", "h3"), para(text)]), Spacer(1, 1.5 * mm)]
    if order.get("terms"):
        story += [para(w("further_terms"), "h3"), para(order["terms"])]
    story += _signatures(paper, order)
    return paper.render(story, title=f"{w('contract')} {order.get('order_number') or ''}: {title}",
                        subject=f"{_numbers(paper, order)}, {paper.money(order.get('total'))}",
                        footer=footer_text(agency, _numbers(paper, order), title))


def _bookings(paper: Paper, order: dict) -> list:
    w, f = paper.w, paper.f
    bookings = order.get("bookings") or []
    if not bookings:
        return []
    rows = [[para(w("locator"), "bold"), para(w("service"), "bold"), para(w("supplier"), "bold"),
             para(w("date"), "bold"), para(w("status"), "bold")]]
    for booking in bookings:
        rows.append([para(booking.get("locator") or w("locator_to_follow"), "bold"), para(booking.get("product") or ""),
                     para(booking.get("supplier") or ""), para(f.date(booking.get("service_date"), "medium")
                                                               if booking.get("service_date") else ""),
                     para(w.label("booking_", booking.get("status")) if booking.get("status") else "")])
    return [Spacer(1, 3 * mm), grid(rows, [32 * mm, 60 * mm, 40 * mm, 26 * mm, WIDTH - 158 * mm])]


def confirmation_letter(order: dict, *, language: str) -> bytes:
    """The booking confirmation letter, in the contract's style: what is booked and when, for whom,
    the suppliers' locators where known, what was paid and what is still due, and by when."""
    order = plain(order)
    paper = Paper(language, order.get("currency"))
    w, f, agency, customer = paper.w, paper.f, order.get("agency") or {}, order.get("customer") or {}
    title = order.get("title") or ""
    story = letterhead(paper, agency, w("confirmation"), [_numbers(paper, order)])
    story += [para(w("dear", name=customer.get("full_name") or ""), "bold"), Spacer(1, 2 * mm),
              para(w("confirm_intro", title=title, start=f.date(order.get("start_date")),
                     end=f.date(order.get("end_date"))))]
    story += [Spacer(1, 2 * mm), facts([(w("trip_title"), para(title, "bold")),
                                        (w("travel_dates"), _travel_dates(paper, order)),
                                        (w("order"), order.get("order_number"))])]
    story += _travellers(paper, order, documents=False)
    story += [para(w("booked"), "h2")]
    booked_lines = sorted(order.get("lines") or [], key=lambda x: (x.get("day") or 0, x.get("line") or 0))
    rows = [[para(w("date"), "bold"), para(w("service"), "bold"), para(w("details"), "bold")]]
    for line in booked_lines:
        rows.append([para(f.date(line.get("service_date"), "medium")), para(line.get("description") or ""),
                     para(None, markup=_line_details(paper, line))])
    if booked_lines:
        story.append(grid(rows, [28 * mm, 75 * mm, WIDTH - 103 * mm]))
    story += _bookings(paper, order)
    schedule = order.get("schedule") or []
    total, paid = Decimal(str(order.get("total") or 0)), total_of(i.get("paid") for i in schedule)
    story += [para(w("payments"), "h2"),
              grid([[para(w("total_price")), para(paper.money(total), "right_bold")],
                    [para(w("paid_so_far")), para(paper.money(paid), "right")],
                    [para(w("still_due"), "bold"), para(paper.money(total - paid), "right_bold")]],
                   [WIDTH - 45 * mm, 45 * mm], header=False, extra=[("LINEABOVE", (0, -1), (-1, -1), 1, INK)])]
    open_items = [i for i in schedule if total_of([i.get("amount")]) > total_of([i.get("paid")])]
    if open_items:
        story += [Spacer(1, 2 * mm), para(w("still_to_pay"), "h3"),
                  grid(_schedule_rows(paper, open_items), SCHEDULE_WIDTHS)]
    elif total and paid >= total:
        story += [Spacer(1, 2 * mm), para(w("all_paid"), "bold")]
    story += [Spacer(1, 5 * mm), para(w("closing")), Spacer(1, 3 * mm), para(w("regards")),
              para(agency.get("name") or "", "bold")]
    return paper.render(story, title=f"{w('confirmation')} {order.get('order_number') or ''}: {title}",
                        subject=_numbers(paper, order), footer=footer_text(agency, _numbers(paper, order), title))
