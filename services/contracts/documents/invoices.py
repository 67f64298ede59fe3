"""An invoice or a credit note, printed with the figures it was issued with (nothing is recomputed:
an issued invoice never changes, and its paper must say exactly what the books say)."""
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from services.common.documents.layout import BAND, INK, WIDTH, grid, para

from .paper import Paper, facts, footer_text, letterhead, plain


def _party(paper: Paper, title: str, name, tax_id, address) -> list:
    return [para(title, "h3"), para(name or "", "bold"),
            *([para(paper.w("label_value", label=paper.w("tax_id"), value=tax_id))] if tax_id else []),
            *([para(address, "small")] if address else [])]


def invoice(invoice: dict, *, language: str) -> bytes:
    """An invoice (kind "invoice") or a credit note (kind "credit_note", naming the invoice it
    corrects and why): series and number, issue date, seller and buyer with their tax ids, the lines
    with quantity, unit price, tax rate, tax and total, the tax per rate, the totals, and the external
    fiscal number (a fapiao number) when one is attached."""
    invoice = plain(invoice)
    paper = Paper(language, invoice.get("currency"))
    w, f, agency, buyer = paper.w, paper.f, invoice.get("agency") or {}, invoice.get("buyer") or {}
    heading = w("credit_note" if invoice.get("kind") == "credit_note" else "invoice")
    display = invoice.get("display_number") or f"{invoice.get('series') or ''}-{invoice.get('number') or ''}"
    number = w("document_number", number=display)
    lines = [number, w("label_value", label=w("issued_on"), value=f.date(invoice.get("issued_at")))]
    if invoice.get("corrects"):
        lines.append(w("corrects", number=invoice["corrects"]))
    story = letterhead(paper, agency, heading, lines, figure=paper.money(invoice.get("total")),
                       figure_label=w("grand_total"))
    parties = Table([[_party(paper, w("seller"), agency.get("name"), agency.get("tax_id"), agency.get("address")),
                      _party(paper, w("buyer"), buyer.get("name"), buyer.get("tax_id"), buyer.get("address"))]],
                    colWidths=[WIDTH / 2, WIDTH / 2])
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [parties, Spacer(1, 3 * mm),
              facts([(w("order"), invoice.get("order_number")),
                     (w("reason"), invoice.get("reason")),
                     (w("fiscal_number"), invoice.get("fiscal_number"))]),
              Spacer(1, 3 * mm)]
    rows = [[para(w("description"), "bold"), para(w("quantity"), "right_bold"), para(w("unit_price"), "right_bold"),
             para(w("tax_rate"), "right_bold"), para(w("tax"), "right_bold"), para(w("line_total"), "right_bold")]]
    for line in invoice.get("lines") or []:
        rows.append([para(line.get("description") or ""), para(f.number(line.get("quantity")), "right"),
                     para(paper.money(line.get("unit_price")), "right"), para(f.percent(line.get("tax_rate")), "right"),
                     para(paper.money(line.get("tax")), "right"), para(paper.money(line.get("total")), "right")])
    story.append(grid(rows, [WIDTH - 124 * mm, 16 * mm, 28 * mm, 18 * mm, 28 * mm, 34 * mm]))
    taxes = [[para(w("tax_rate"), "bold"), para(w("taxable_base"), "right_bold"), para(w("tax"), "right_bold")]]
    for total in invoice.get("tax_totals") or []:
        taxes.append([para(f.percent(total.get("rate"))), para(paper.money(total.get("base")), "right"),
                      para(paper.money(total.get("tax")), "right")])
    totals = grid([[para(w("subtotal")), para(paper.money(invoice.get("subtotal")), "right")],
                   [para(w("tax_total")), para(paper.money(invoice.get("tax_total")), "right")],
                   [para(w("grand_total"), "bold"), para(paper.money(invoice.get("total")), "right_bold")]],
                  [WIDTH - 45 * mm, 45 * mm], header=False,
                  extra=[("LINEABOVE", (0, -1), (-1, -1), 1, INK), ("BACKGROUND", (0, -1), (-1, -1), BAND)])
    by_rate = grid(taxes, [WIDTH - 90 * mm, 45 * mm, 45 * mm])
    story += [Spacer(1, 4 * mm), KeepTogether([para(w("tax_by_rate"), "h3"), by_rate, Spacer(1, 4 * mm), totals])]
    total = paper.money(invoice.get("total"))
    return paper.render(story, title=f"{heading} {display}", subject=f"{heading} {display}, {total}",
                        footer=footer_text(agency, f"{heading} {display}",
                                           f"{w('order')} {invoice.get('order_number') or ''}"))
