"""The customer's quote sheet of one version, rendered from its snapshot alone."""
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle

from services.common.documents.layout import (ACCENT, BAND, INK, MUTED, STYLES, WIDTH, as_date, day_text,
                                              fact_table, grid, money, number, para, plural, render, short)
from services.common.documents.typesetting import BASE, rich
from services.common.money import minor_unit
from services.common.serialization import to_plain

# --- the quote sheet ---------------------------------------------------------------------------------

KIND_LABELS = {"flight": "Flight", "train": "Train", "hotel": "Hotel", "transfer": "Transfer",
               "attraction": "Attraction", "meal": "Meal", "guide": "Guide", "insurance": "Insurance",
               "visa": "Visa", "other": "Other"}


def quote_sheet_filename(snapshot: dict) -> str:
    return f"quote-{snapshot['quote']['number']}-v{snapshot['quote']['version']}.pdf"


def _party_text(party: dict) -> str:
    adults, children = party["adults"], party.get("children") or []
    text = plural(adults, "adult")
    if children:
        ages = "; ".join(f"{c['name']}, age {c['age']}" if c.get("name") else f"age {c['age']}" for c in children)
        text += f", {len(children)} {'child' if len(children) == 1 else 'children'} ({ages})"
    return text


def _quantity_text(line: dict) -> str:
    quantity, basis = line["quantity"], line["basis"]
    if basis == "per_night":
        rooms = f"{plural(quantity, 'room')} × {plural(line['nights'] or 1, 'night')}"
        return rooms + (f" ({line['occupancy']} per room)" if line.get("occupancy") else "")
    if basis == "per_person":
        return plural(quantity, "person") if quantity != 1 else "1 person"
    return plural(quantity, "unit")


def _line_details(line: dict, currency: str, costs: bool) -> str:
    """Markup: where and when, the item's attributes and notes; the costs view adds the source."""
    bits = []
    if line["kind"] == "hotel" and line.get("nights"):
        bits.append(f"check-in {day_text(line['service_date'])}, check-out {day_text(line.get('check_out'))}")
    elif line.get("service_date"):
        bits.append(day_text(line["service_date"]))
    if line.get("from_location") or line.get("to_location"):
        bits.append(f"{line.get('from_location') or '?'} – {line.get('to_location') or '?'}")
    elif line.get("location"):
        bits.append(line["location"])
    out = [rich("; ".join(bits))]
    attributes = line.get("attributes") or {}
    shown = [f"{key.replace('_', ' ')}: {value}" for key, value in list(attributes.items())[:6]
             if isinstance(value, (str, int, float)) and str(value).strip()]
    if shown:
        out.append(f'<font size="7.5" color="{MUTED.hexval()}">{rich(", ".join(shown))}</font>')
    if line.get("notes"):
        out.append(f'<font size="7.5" color="{MUTED.hexval()}">{rich(line["notes"])}</font>')
    if costs and line.get("priced"):
        source = f"net {money(line['net_cost_in_cost_currency'], line['cost_currency'])}"
        if line.get("rate"):
            rate = line["rate"]
            source += f" at 1 {rate['base']} = {number(rate['rate'])} {rate['quote']}"
        markup = line.get("markup")
        if markup:
            how = f"{number(markup['value'])} %" if markup["method"] == "percent" else \
                f"{money(markup['value'], markup.get('currency') or currency)} a unit"
            source += f"; markup {how} ({markup['scope']} rule)"
        out.append(f'<font size="7.5" color="{MUTED.hexval()}">{rich(source)}</font>')
    return "<br/>".join(out)


def _services_table(snapshot: dict, costs: bool) -> Table:
    currency = snapshot["currency"]
    package = snapshot["totals"].get("package")
    lines = {line["line"]: line for line in snapshot["lines"]}
    if costs:
        header = ["#", "Service", "Details", "Quantity", "Net", "Markup", "Price"]
        widths = [7 * mm, 42 * mm, 54 * mm, 21 * mm, 18 * mm, 16 * mm, WIDTH - 158 * mm]
    else:
        header = ["#", "Service", "Details", "Quantity", "Price"]
        widths = [7 * mm, 52 * mm, 71 * mm, 23 * mm, WIDTH - 153 * mm]
    rows = [[para(h, "bold") if i < 3 else para(h, "right_bold") if i > 3 else para(h, "bold")
             for i, h in enumerate(header)]]
    extra = []
    for day in snapshot["days"]:
        title = f"Day {day['number']}  ·  {day_text(day['date'])}"
        if day.get("title"):
            title += f"  ·  {day['title']}"
        heading = rich(title)
        if day.get("description"):
            heading += f'<br/><font name="{BASE}" size="7.5" color="{MUTED.hexval()}">{rich(day["description"])}</font>'
        if not day["lines"] and not day.get("description"):
            heading += f'<br/><font name="{BASE}" size="7.5" color="{MUTED.hexval()}">no services booked this ' \
                       f'day</font>'
        rows.append([Paragraph(heading, STYLES["h3"])] + [""] * (len(header) - 1))
        extra += [("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                  ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BAND)]
        for number_ in day["lines"]:
            line = lines[number_]
            service = rich(line["description"])
            label = KIND_LABELS.get(line["kind"], line["kind"])
            supplier = f" · {rich(line['supplier_name'])}" if line.get("supplier_name") else ""
            service += f'<br/><font size="7.5" color="{MUTED.hexval()}">{rich(label)}{supplier}</font>'
            row = [para(str(line["line"]), "small"), para(None, markup=service),
                   para(None, markup=_line_details(line, currency, costs)), para(_quantity_text(line), "body")]
            if costs:
                row += [para(money(line["net_cost"], currency, code=False), "right"),
                        para(money(line["markup_amount"], currency, code=False), "right")]
            # A package's customer copy: the lines are in the advertised price, not priced one by one.
            row.append(para("included", "small") if package and not costs
                       else para(money(line["sell_amount"], currency, code=False), "right"))
            rows.append(row)
    return grid(rows, widths, extra=extra)


def _fee_rows(snapshot: dict) -> list[tuple[str, str, str, bool]]:
    """(what, how it is computed, amount, is the total) for each fee, from the snapshot's totals."""
    totals, currency = snapshot["totals"], snapshot["currency"]
    sell, discount = Decimal(totals["sell"]), Decimal(totals["discount"])
    after_discount = sell - discount
    count = sum(1 for line in snapshot["lines"] if line.get("priced", True))
    basis = {
        "services": f"the sum of the prices of the {plural(count, 'service')} above",
        "discount": f"{number(totals['discount_percent'])} % of {money(sell, currency)}",
        "service_fee": ("a fixed fee for designing, booking and looking after the trip"
                        if totals["service_fee_basis"] == "fixed" else
                        f"{number(totals['service_fee_percent'])} % of {money(after_discount, currency)}, "
                        f"for designing, booking and looking after the trip"),
        "tax": f"{number(totals['tax_percent'])} % of {money(totals['revenue'], currency)} (services and fee)",
        "total": "what you pay for the whole trip",
        "voucher": "your voucher, used when you accept this quote",
        "package": "the advertised price per traveller: services, agency fee and taxes included",
        "single_supplement": "for an adult with a room alone: half a double room's price for each night",
        "tax_included": f"{number(totals['tax_percent'])} % of the price before tax, already in the total",
    }
    return [(fee["label"], basis.get(fee["code"], ""), fee["amount"], fee["code"] == "total")
            for fee in snapshot["fees"]]


def _composition(snapshot: dict, costs: bool) -> list:
    currency, totals = snapshot["currency"], snapshot["totals"]
    rows = [[para("", "bold"), para("How it is computed", "bold"), para(f"Amount ({currency})", "right_bold")]]
    extra = []
    for label, basis, amount, is_total in _fee_rows(snapshot):
        rows.append([para(label, "bold" if is_total else "body"), para(basis, "small"),
                     para(money(amount, currency, code=is_total), "right_bold" if is_total else "right")])
        if is_total:
            extra += [("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 1, INK),
                      ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BAND)]
    flow = [para("Price composition", "h2"),
            para("Each amount that makes up the total, and how it was computed.", "small"), Spacer(1, 2 * mm),
            grid(rows, [72 * mm, 72 * mm, WIDTH - 144 * mm], extra=extra)]
    if costs:
        internal = [("Net cost of the services", money(totals["cost"], currency)),
                    ("Markup", money(totals["markup"], currency)),
                    *([("The lines at their selling prices (not quoted: the package price is)",
                        money(totals["package"]["components_sell"], currency)),
                       ("Package price minus the lines' selling prices",
                        money(totals["package"]["difference"], currency))] if totals.get("package") else []),
                    ("Revenue (total before tax)", money(totals["revenue"], currency)),
                    ("Margin", f"{money(totals['margin'], currency)} ({number(totals['margin_percent'])} %)")]
        flow += [Spacer(1, 2 * mm), KeepTogether([
            para("For the agency only: costs and margin", "h3"),
            grid([[para(a), para(b, "right")] for a, b in internal], [110 * mm, WIDTH - 110 * mm], header=False)])]
    return flow


def _per_person(snapshot: dict) -> list:
    per_person, currency = snapshot.get("per_person"), snapshot["currency"]
    if not per_person:
        return []
    children = snapshot["itinerary"]["party"].get("children") or []
    rows = [[para("Price per adult"), para("sharing a room", "small"), para(money(per_person["adult"], currency),
                                                                            "right_bold")]]
    if per_person.get("child") is not None:
        if per_person.get("child_factor") is None:  # a package: the season's child price
            how = "the advertised price for a child"
        else:
            how = f"{number(Decimal(per_person['child_factor']) * 100)} % of an adult's price"
        rows.append([para("Price per child"), para(how, "small"),
                     para(money(per_person["child"], currency), "right_bold")])
    if Decimal(per_person["single_supplement"]):
        rows.append([para("Single supplement"),
                     para("for an adult with a room alone: half a double room's price for each night in a hotel; "
                          "paid by one adult", "small"),
                     para(money(per_person["single_supplement"], currency), "right_bold")])
    else:
        rows.append([para("Single supplement"), para("none: every room is shared", "small"),
                     para(money(0, currency), "right")])
    flow = [para("Price per person", "h2"), grid(rows, [40 * mm, 100 * mm, WIDTH - 140 * mm], header=False)]
    travellers = [[para("Traveller", "bold"), para("", "bold"), para(f"Price ({currency})", "right_bold")]]
    child_index = 0
    for traveller in per_person["travellers"]:
        if traveller["type"] == "adult":
            who = "Adult" + (", lead traveller" if traveller["n"] == 1 else "")
            if customer_name(snapshot) and traveller["n"] == 1:
                who += f": {customer_name(snapshot)}"
        else:
            child = children[child_index] if child_index < len(children) else {}
            child_index += 1
            who = f"Child, age {traveller['age']}" + (f": {child['name']}" if child.get("name") else "")
        note = []
        if Decimal(traveller.get("single_supplement") or 0):
            note.append(f"includes the single supplement {money(traveller['single_supplement'], currency)}")
        adjustment = Decimal(per_person.get("rounding_adjustment") or 0)
        if traveller["n"] == 1 and adjustment:
            note.append(f"{money(abs(adjustment), currency)} {'more' if adjustment > 0 else 'less'} than the "
                        f"price per adult, so the prices add up to the total")
        travellers.append([para(f"{traveller['n']}. {who}"), para("; ".join(note), "small"),
                           para(money(traveller["price"], currency, code=False), "right")])
    travellers.append([para("Together", "bold"), para("", "small"),
                       para(money(snapshot["totals"]["total"], currency), "right_bold")])
    flow += [Spacer(1, 3 * mm), grid(travellers, [70 * mm, 70 * mm, WIDTH - 140 * mm],
                                      extra=[("LINEABOVE", (0, -1), (-1, -1), 1, INK)])]
    return flow


def _rates(snapshot: dict) -> list:
    flow = [para("Exchange rates used", "h2")]
    if not snapshot["rates"]:
        flow.append(para(f"Every service is priced in {snapshot['currency']}: no conversion."))
        return flow
    flow.append(para(f"Services bought in other currencies were converted into {snapshot['currency']} at these "
                     f"rates, fixed in this quote (rates of {day_text(snapshot['as_of'], weekday=False)}):", "small"))
    rows = [[para("Rate", "bold"), para("In force from", "bold")]]
    for rate in snapshot["rates"]:
        rows.append([para(f"1 {rate['base']} = {number(rate['rate'])} {rate['quote']}"),
                     para(day_text(rate["valid_from"], weekday=False))])
    flow += [Spacer(1, 1.5 * mm), grid(rows, [90 * mm, WIDTH - 90 * mm])]
    return flow


def _percent_of(total: Decimal, percent, currency: str) -> Decimal:
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return (total * Decimal(str(percent)) / 100).quantize(exponent, ROUND_HALF_UP)


def _terms(snapshot: dict) -> list:
    terms, currency = snapshot.get("terms") or {}, snapshot["currency"]
    total = Decimal(snapshot["totals"]["total"])
    start = as_date(snapshot["itinerary"]["start_date"])
    valid_until = snapshot["quote"]["valid_until"]
    flow = [para("Validity", "h2"),
            para(None, markup=f"This quote is valid until <b>{day_text(valid_until)}</b>. Accept it by then to "
                              f"keep these prices; after that date it expires and the trip is quoted again.")]
    payment = terms.get("payment")
    if payment:
        deposit = _percent_of(total, payment["deposit_percent"], currency)
        balance_due = start - timedelta(days=payment["balance_due_days_before_departure"])
        rows = [[para("Deposit", "bold"),
                 para(f"{number(payment['deposit_percent'])} % of the total, within "
                      f"{plural(payment['deposit_due_days'], 'day')} of accepting this quote"),
                 para(money(deposit, currency), "right")],
                [para("Balance", "bold"),
                 para(f"the rest, {plural(payment['balance_due_days_before_departure'], 'day')} before departure "
                      f"(by {day_text(balance_due)})"),
                 para(money(total - deposit, currency), "right")]]
        flow += [para("Payment terms", "h2"), grid(rows, [30 * mm, 110 * mm, WIDTH - 140 * mm], header=False)]
    tiers = sorted(terms.get("cancellation") or [], key=lambda t: -t["days_before"])
    if tiers:
        rows = [[para("If you cancel", "bold"), para("Cancellation charge", "bold"), para("Amount", "right_bold")]]
        for i, tier in enumerate(tiers):
            later = tiers[i + 1]["days_before"] if i + 1 < len(tiers) else None
            days = tier["days_before"]
            if later is None:
                when = "on the day of departure" if days == 0 else \
                    f"{plural(days, 'day')} or fewer before departure"
            else:
                when = f"{days} to {later + 1} days before departure" if days != later + 1 else \
                    f"{plural(days, 'day')} before departure"
            rows.append([para(when), para(f"{number(tier['penalty_percent'])} % of the total"),
                         para(money(_percent_of(total, tier["penalty_percent"], currency), currency), "right")])
        flow += [para("Cancellation terms", "h2"), grid(rows, [70 * mm, 70 * mm, WIDTH - 140 * mm])]
    if terms.get("notes"):
        flow += [Spacer(1, 2 * mm), para(terms["notes"])]
    return flow


def consultant_name(quote: dict) -> str | None:
    """The person who issued the quote: their full name, else (older snapshots) their username;
    None when a service issued it."""
    if quote.get("issued_by_name"):
        return quote["issued_by_name"]
    issued_by = str(quote.get("issued_by") or "")
    return issued_by[len("user:"):] if issued_by.startswith("user:") else None


def customer_name(snapshot: dict) -> str | None:
    return (snapshot.get("itinerary") or {}).get("customer_name")


def quote_sheet(snapshot: dict, *, costs: bool = False) -> bytes:
    """The customer's quote sheet for one version, from its snapshot alone.

    costs=False (the customer's copy): each line at its price, and the price composition (services,
    discount, agency service fee, taxes, total) with how each fee is computed. costs=True (the
    agency's file copy) adds each line's net cost in its own currency, the rate, the markup, and
    the totals' cost and margin.
    """
    snapshot = to_plain(snapshot)
    quote, itinerary, currency = snapshot["quote"], snapshot["itinerary"], snapshot["currency"]
    title = itinerary.get("title") or "Your trip"
    total = snapshot["totals"]["total"]
    header = Table([[
        [para(None, markup=f'<font color="{MUTED.hexval()}" size="9">QUOTE</font>', style="body"),
         para(title, "title"),
         para(f"{day_text(itinerary['start_date'])} – {day_text(itinerary['end_date'])}, "
              f"{plural(itinerary['days'], 'day')}", "subtitle")],
        [para(f"{quote['number']}  ·  version {quote['version']}", "right_bold"),
         para(f"issued {day_text(quote['issued_at'], weekday=False)}", "right"),
         para(None, markup=f"valid until <b>{day_text(quote['valid_until'])}</b>", style="right"),
         Spacer(1, 2 * mm),
         para(money(total, currency), "big_right"),
         para("total price", "right")],
    ]], colWidths=[WIDTH - 62 * mm, 62 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                ("LINEBELOW", (0, 0), (-1, -1), 1.5, ACCENT), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    facts = []
    if customer_name(snapshot) or itinerary.get("customer_id"):
        facts.append(("Prepared for", para(customer_name(snapshot) or f"customer {itinerary['customer_id']}",
                                           "bold")))
    facts.append(("Travellers", para(_party_text(itinerary["party"]))))
    facts.append(("Prices in", para(f"{currency}, taxes and fees included in the total")))
    consultant = consultant_name(quote)
    if consultant:
        facts.append(("Your consultant", para(consultant)))
    story = [header, Spacer(1, 4 * mm)]
    if costs:
        banner = Table([[para("AGENCY COPY WITH NET COSTS AND MARGIN: NOT FOR THE CUSTOMER", "badge")]],
                       colWidths=[WIDTH])
        banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#b42318")),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 3),
                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        story += [banner, Spacer(1, 3 * mm)]
    story.append(fact_table(facts))
    if quote.get("note"):
        note = Table([[para(quote["note"])]], colWidths=[WIDTH])
        note.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), BAND), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                                  ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                                  ("LINEBEFORE", (0, 0), (0, -1), 2, ACCENT)]))
        story += [Spacer(1, 3 * mm), note]
    story += [para("Itinerary and services", "h2"), _services_table(snapshot, costs)]
    story += [CondPageBreak(60 * mm), *_composition(snapshot, costs)]
    story += [KeepTogether(_per_person(snapshot))]
    story += [KeepTogether(_rates(snapshot))]
    story += _terms(snapshot)
    if costs:
        internal = []
        if snapshot.get("approval"):
            approval = snapshot["approval"]
            internal.append(para(f"Approved by {approval['approved_by']} on "
                                 f"{day_text(approval['approved_at'], weekday=False)}: "
                                 f"{'; '.join(approval.get('reasons') or [])}. {approval.get('note') or ''}"))
        for problem in snapshot.get("problems") or []:
            internal.append(para(f"Known at issue: {problem.get('message') or problem.get('code')}"))
        if internal:
            story += [para("For the agency only", "h2"), *internal]
    footer = rich(("AGENCY COPY  ·  " if costs else "")
                  + f"Quote {quote['number']}, version {quote['version']}, valid until "
                  f"{day_text(quote['valid_until'], weekday=False)}  ·  {short(title, 40 if costs else 60)}")
    return render(story, title=f"Quote {quote['number']} v{quote['version']}: {title}",
                   subject=f"Quote, total {money(total, currency)}", footer_markup=footer)
