"""The numbered receipt of one payment."""
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from services.common.documents.layout import para

from .paper import Paper, facts, footer_text, letterhead, plain


def receipt(payment: dict, *, language: str) -> bytes:
    """The receipt for one payment: its number, who paid how much for which order, how (method and
    reference), when, and who received it at which desk."""
    payment = plain(payment)
    paper = Paper(language, payment.get("currency"))
    w, f, agency = paper.w, paper.f, payment.get("agency") or {}
    number = w("receipt_number", number=payment.get("receipt_number") or "")
    amount = paper.money(payment.get("amount"))
    story = letterhead(paper, agency, w("receipt"), [number, f.moment(payment.get("received_at"))], figure=amount,
                       figure_label=w("amount_received"))
    customer = payment.get("customer") or {}
    story += [facts([(w("received_from"), para(customer.get("full_name"), "bold")),
                     (w("amount_received"), para(amount, "bold")),
                     (w("order"), payment.get("order_number")),
                     (w("method"), w.label("method_", payment.get("method"))),
                     (w("reference"), payment.get("reference")),
                     (w("received_at"), f.moment(payment.get("received_at"))),
                     (w("received_by"), payment.get("received_by")),
                     (w("desk"), payment.get("desk"))]),
              Spacer(1, 6 * mm), para(w("receipt_note"), "small")]
    return paper.render(story, title=f"{w('receipt')} {payment.get('receipt_number') or ''}", subject=amount,
                        footer=footer_text(agency, number, f"{w('order')} {payment.get('order_number') or ''}"))
