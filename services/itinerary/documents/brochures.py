"""The catalog brochure: the published products with their seasons, programme and inclusions."""
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer, Table, TableStyle

from services.common.documents.layout import (ACCENT, MUTED, RULE, WIDTH, day_text, grid, money, para, plural,
                                              render, short)
from services.common.documents.typesetting import rich
from services.common.serialization import to_plain


def brochure_filename(on: date) -> str:
    return f"catalog-{on.isoformat()}.pdf"


def _product(product: dict) -> list:
    facts = [("Route" if product["kind"] == "route" else "Package"), plural(product["duration_days"], "day")]
    if product.get("destination"):
        facts.insert(0, product["destination"])
    facts.append(f"code {product['code']}")
    heading = [para(product["name"], "h2"), para(" · ".join(facts), "small")]
    if product.get("featured"):
        badge = Table([[para("FEATURED", "badge")]], colWidths=[20 * mm], hAlign="LEFT")
        badge.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), ACCENT), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                                   ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
        heading.insert(0, badge)
    block = [*heading, Spacer(1, 1.5 * mm)]
    if product.get("summary"):
        block += [para(product["summary"]), Spacer(1, 1.5 * mm)]
    seasons = product.get("seasons") or []
    if seasons:
        rows = [[para("Season", "bold"), para("Travel dates", "bold"), para("Adult", "right_bold"),
                 para("Child", "right_bold")]]
        for season in sorted(seasons, key=lambda s: s["start"]):
            rows.append([para(season["name"]),
                         para(f"{day_text(season['start'], weekday=False)} – {day_text(season['end'], weekday=False)}"),
                         para(money(season["adult_price"], season["currency"]), "right"),
                         para(money(season["child_price"], season["currency"]), "right")])
        block.append(grid(rows, [50 * mm, 62 * mm, 33 * mm, WIDTH - 145 * mm]))
    else:
        block.append(para("Prices on request.", "small"))
    flow = [CondPageBreak(70 * mm), KeepTogether(block)]
    template = sorted(product.get("template") or [], key=lambda d: d["day"])
    if template:
        rows = []
        for day in template:
            text = rich(day.get("title") or "")
            if day.get("description"):
                text += ("<br/>" if text else "") + rich(day["description"])
            services = [item.get("description") for item in day.get("items") or [] if item.get("description")]
            if services:
                text += f'<br/><font size="7.5" color="{MUTED.hexval()}">{rich(", ".join(services))}</font>'
            rows.append([para(f"Day {day['day']}", "bold"), para(None, markup=text or "&nbsp;")])
        flow += [Spacer(1, 2 * mm), para("Programme", "h3"), Spacer(1, 1 * mm),
                 grid(rows, [18 * mm, WIDTH - 18 * mm], header=False)]
    included, excluded = product.get("included_services") or [], product.get("excluded_services") or []
    if included or excluded:
        def listing(title, entries):
            return [para(title, "h3")] + [para(None, markup="•&nbsp;" + rich(e)) for e in entries]
        table = Table([[listing("Included", included) if included else "",
                        listing("Not included", excluded) if excluded else ""]], colWidths=[WIDTH / 2, WIDTH / 2])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        flow += [Spacer(1, 2 * mm), table]
    flow += [Spacer(1, 4 * mm), Table([[""]], colWidths=[WIDTH], style=[("LINEABOVE", (0, 0), (-1, 0), 0.75, RULE)])]
    return flow


def brochure(products: list[dict], *, as_of: date, title: str = "Our routes and packages") -> bytes:
    """The published catalog as a printable brochure, in the order given (featured first, by rank,
    then newest: catalog.search's order)."""
    products = to_plain(products)
    featured = sum(1 for p in products if p.get("featured"))
    story = [para(None, markup=f'<font color="{MUTED.hexval()}" size="9">CATALOG</font>'), para(title, "title"),
             para(f"{plural(len(products), 'product')}"
                  + (f", {featured} featured first" if featured else "")
                  + f"  ·  as of {day_text(as_of, weekday=False)}", "subtitle"),
             Table([[""]], colWidths=[WIDTH], style=[("LINEBELOW", (0, 0), (-1, 0), 1.5, ACCENT)]),
             Spacer(1, 2 * mm)]
    if not products:
        story.append(para("No product is published yet."))
    for product in products:
        story += _product(product)
    footer = rich(f"{short(title)}  ·  catalog as of {day_text(as_of, weekday=False)}")
    return render(story, title=title, subject="Catalog brochure", footer_markup=footer)
