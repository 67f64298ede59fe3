"""Invoices and credit notes: numbered per series without gaps, never changed once issued.

The contract's prices include tax: an invoice of an amount splits it into its base and the tax
at the configured rate, the base rounded to the cent and the tax the remainder, so base + tax is
exactly the amount invoiced. A correction or a refund is a credit note that names the invoice it
corrects and never credits more than that invoice has left.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from services.common.errors import Conflict, NotFound

from . import numbering, order_files, schedule
from .models import Invoice, OrderFile

ZERO = Decimal("0.00")


def split_tax(amount: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(base, tax) of a tax-inclusive amount."""
    base = schedule.cents(amount / (1 + rate / 100))
    return base, amount - base


def _lines(amount: Decimal, rate: Decimal, description: str) -> tuple[list, list, Decimal, Decimal]:
    base, tax = split_tax(amount, rate)
    lines = [{"description": description, "quantity": 1, "unit_price": str(base), "tax_rate": str(rate),
              "tax": str(tax), "total": str(amount)}]
    return lines, [{"rate": str(rate), "base": str(base), "tax": str(tax)}], base, tax


def get(session, invoice_id: int, *, lock: bool = False) -> Invoice:
    statement = select(Invoice).where(Invoice.id == invoice_id)
    invoice = session.scalar(statement.with_for_update() if lock else statement)
    if invoice is None:
        raise NotFound(f"No invoice {invoice_id}.")
    return invoice


def of_order(session, order: OrderFile) -> list[Invoice]:
    return list(session.scalars(select(Invoice).where(Invoice.order_file_id == order.id).order_by(Invoice.id)))


def credited(session, invoice: Invoice) -> Decimal:
    """What credit notes already took back of `invoice` (a positive amount)."""
    return -sum(session.scalars(select(Invoice.total).where(Invoice.corrects_id == invoice.id)), ZERO)


def issue(session, order: OrderFile, fields: dict, *, tax_percent: Decimal, prefix: str, actor: str,
          now: datetime) -> Invoice:
    """An invoice for `amount` (default: what of the total in force is not invoiced yet). `order`
    must have been read with lock=True, so two issues at once cannot both take what is left."""
    if order.status == "cancelled":
        raise Conflict(f"Order file {order.order_number} is cancelled: correct its invoices with credit notes.",
                       {"status": order.status})
    left = order_files.total(order) - order_files.invoiced(session, order)
    amount = fields.get("amount") or left
    if amount <= 0 or amount > left:
        raise Conflict(f"{amount} {order.currency} is more than is left to invoice on {order.order_number} "
                       f"({left} {order.currency}).", {"amount": str(amount), "left_to_invoice": str(left)})
    customer = next((t for t in order.travellers if t["customer_id"] == order.customer_id), {})
    buyer = {"name": fields.get("buyer_name") or customer.get("full_name") or "", "tax_id": fields.get("buyer_tax_id"),
             "address": fields.get("buyer_address")}
    description = f"{order.title} ({order.start_date.isoformat()} - {order.end_date.isoformat()}), {order.order_number}"
    lines, tax_totals, base, tax = _lines(amount, tax_percent, description)
    series, number, display = numbering.invoice_number(session, prefix, now.year)
    invoice = Invoice(order_file_id=order.id, kind="invoice", series=series, number=number, display_number=display,
                      buyer=buyer, lines=lines, tax_totals=tax_totals, subtotal=base, tax_total=tax,
                      total=amount, currency=order.currency, issued_at=now, issued_by=actor)
    session.add(invoice)
    session.flush()
    return invoice


def credit(session, invoice: Invoice, amount: Decimal, reason: str, *, prefix: str, actor: str,
           now: datetime) -> Invoice:
    """A credit note of `amount` against `invoice` (read with lock=True)."""
    if invoice.kind != "invoice":
        raise Conflict(f"{invoice.display_number} is a credit note: credit the invoice it corrects.",
                       {"kind": invoice.kind})
    left = invoice.total - credited(session, invoice)
    if amount <= 0 or amount > left:
        raise Conflict(f"{amount} {invoice.currency} is more than {invoice.display_number} has left to credit "
                       f"({left}).", {"amount": str(amount), "left_to_credit": str(left)})
    rate = Decimal(invoice.lines[0]["tax_rate"]) if invoice.lines else ZERO
    base, tax = split_tax(amount, rate)
    lines = [{"description": f"Correction of {invoice.display_number}: {reason}", "quantity": 1,
              "unit_price": str(-base), "tax_rate": str(rate), "tax": str(-tax), "total": str(-amount)}]
    series, number, display = numbering.invoice_number(session, prefix, now.year)
    note = Invoice(order_file_id=invoice.order_file_id, kind="credit_note", series=series, number=number,
                   display_number=display, corrects_id=invoice.id,
                   buyer=invoice.buyer, lines=lines,
                   tax_totals=[{"rate": str(rate), "base": str(-base), "tax": str(-tax)}], subtotal=-base,
                   tax_total=-tax, total=-amount, currency=invoice.currency,
                   reason=reason, issued_at=now, issued_by=actor)
    session.add(note)
    session.flush()
    return note


def credit_order(session, order: OrderFile, amount: Decimal, reason: str, *, prefix: str, actor: str,
                 now: datetime) -> list[Invoice]:
    """Credit `amount` of what was invoiced on the order file, newest invoice first."""
    notes = []
    for invoice in reversed([i for i in of_order(session, order) if i.kind == "invoice"]):
        if amount <= 0:
            break
        take = min(amount, invoice.total - credited(session, invoice))
        if take > 0:
            notes.append(credit(session, invoice, take, reason, prefix=prefix, actor=actor, now=now))
            amount -= take
    return notes


def set_fiscal_number(invoice: Invoice, fiscal_number: str):
    """The tax authority's number (a fapiao number...), attached once: the rest never changes."""
    if invoice.fiscal_number:
        raise Conflict(f"{invoice.display_number} already carries the fiscal number {invoice.fiscal_number}.",
                       {"fiscal_number": invoice.fiscal_number})
    invoice.fiscal_number = fiscal_number


def as_dict(session, invoice: Invoice, order_number: str) -> dict:
    corrects = session.get(Invoice, invoice.corrects_id).display_number if invoice.corrects_id else None
    return {"id": invoice.id, "kind": invoice.kind, "series": invoice.series, "number": invoice.number,
            "display_number": invoice.display_number, "order_file_id": invoice.order_file_id,
            "order_number": order_number, "corrects": corrects,
            "buyer": invoice.buyer, "lines": invoice.lines, "tax_totals": invoice.tax_totals,
            "subtotal": invoice.subtotal, "tax_total": invoice.tax_total, "total": invoice.total, "currency": invoice.currency,
            "reason": invoice.reason, "fiscal_number": invoice.fiscal_number, "issued_at": invoice.issued_at,
            "issued_by": invoice.issued_by}


def event(record: dict, order: OrderFile) -> dict:
    return {**record, "invoice_id": record["id"], "order_file_id": order.id, "order_number": order.order_number,
            "contract_id": order.order_number, "customer_id": order.customer_id}


def document_data(record: dict, order: OrderFile, agency: dict) -> dict:
    return {**record, "language": order.language, "agency": agency, "issued_at": record["issued_at"].isoformat(),
            **{k: str(record[k]) for k in ("subtotal", "tax_total", "total")}}
