"""The supplier's booking list of a period, for matching its invoices."""
from datetime import date

from sqlalchemy import select

from .. import suppliers
from ..models import BookingLine
from .periods import check_period
from .tallies import ZERO, lines_in_period


def supplier_bookings(session, supplier_id: str, *, start: date, end: date) -> dict:
    """The supplier's booking lines for matching its invoices: every line of its products
    confirmed in the period, and every line cancelled or changed in the period (even if it was
    confirmed earlier), each once, with its status today, ordered by confirmed_at.

    net_total = net_price x quantity (what the supplier bills for the line). totals: per
    currency and status, the lines, units and net total -- never across currencies.
    """
    check_period(start, end)
    supplier = suppliers.get(session, supplier_id)
    found = lines_in_period(session, start, end, supplier_id=supplier.id)
    replaced_ids = {line.replaces_line_id for line in found if line.replaces_line_id}
    replaced = {line_id: number for line_id, number in session.execute(
        select(BookingLine.id, BookingLine.ticket_number).where(BookingLine.id.in_(replaced_ids)))}
    lines, totals = [], {}
    for line in found:
        net_total = line.net_price * line.quantity
        lines.append({
            "locator": line.locator, "ticket_number": line.ticket_number, "product_id": line.product_id,
            "product_code": line.product_code, "product_name": line.product_name, "travel_date": line.day,
            "quantity": line.quantity, "net_price": line.net_price, "net_total": net_total,
            "currency": line.currency, "status": line.status, "confirmed_at": line.confirmed_at,
            "cancelled_at": line.cancelled_at, "replaces_ticket_number": replaced.get(line.replaces_line_id)})
        total = totals.setdefault((line.currency, line.status), {
            "currency": line.currency, "status": line.status, "lines": 0, "units": 0, "net_total": ZERO})
        total["lines"] += 1
        total["units"] += line.quantity
        total["net_total"] += net_total
    return {"supplier_id": supplier.id, "supplier_name": supplier.name, "start": start, "end": end,
            "lines": lines, "totals": [totals[k] for k in sorted(totals)]}
